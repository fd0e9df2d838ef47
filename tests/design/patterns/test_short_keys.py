"""PAT024: public short keys: their length from the keys needed over the horizon, how they are made, and the paths they address."""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.patterns.short_keys import key_plan
from design.helpers import design_of, spec_of, table

SPEC = """\
system: links
scale: {{retention_years: {years}, rates: peak}}
entities:
  Link:
    key: {key}
    fields: {{title: string(120), url: url}}
    rows: {rows}
use_cases:
  - {{name: shorten url, writes: [Link], rate: {rate}}}
  - {{name: open link, actor: visitor, auth: none, kind: get, reads: [Link], rate: {reads}}}
"""


def _plan(rows: str, rate: str = "10/s", key: str = "short_code", years: float = 10) -> tuple[str, int]:
    spec = spec_of(SPEC.format(key=key, rows=rows, rate=rate, reads="1/s", years=years))
    plan = key_plan(spec, analyse(spec), "Link")
    assert plan is not None
    return plan.method, plan.length


@pytest.mark.parametrize(
    ("rows", "rate", "years", "method", "length"),
    [
        pytest.param("1k", "0/s", 10, "random", 6, id="few-keys-minimum-length"),
        pytest.param("56B", "0/s", 10, "random", 8, id="random-just-fits-8"),
        pytest.param("219B", "0/s", 10, "ranges", 7, id="random-would-need-9"),
        pytest.param("1k", "5000/s", 0.01, "random", 7, id="creates-at-one-primary"),
        pytest.param("1k", "5001/s", 0.01, "ranges", 6, id="creates-past-one-primary"),
    ],
)
def test_length_and_method_from_keys_over_the_horizon_ok(rows: str, rate: str, years: float, method: str, length: int) -> None:
    """Random codes while ceil(log62(keys / 0.001)) <= 8 and creates fit one primary; else pre-allocated ranges of ceil(log62(keys)) characters."""
    assert _plan(rows, rate, years=years) == (method, length)


def test_short_key_column_is_unique_read_only_and_addresses_items_ok() -> None:
    """The code column is unique and server-set; item operations address rows by it; resolutions are cached."""
    arch = design_of(SPEC.format(key="short_code", rows="10M", rate="20/s", reads="500/s", years=10))
    links = table(arch, "links")
    code = next(c for c in links.columns if c.name == "code")
    assert code.generated
    assert code.type == "varchar"
    assert code.length == 7
    assert any(u.columns == ["code"] for u in links.uniques)
    op = next(o for a in arch.apis for o in a.operations if "open link" in o.use_cases)
    assert op.path == "/links/{code}"
    assert [p.name for p in op.parameters] == ["code"]
    assert next(c for c in arch.caches if c.use_case == "open link").strategy == "cdn"
    prop = next(p for a in arch.apis for s in a.schemas if s.name == "Link" for p in s.properties if p.name == "code")
    assert prop.read_only
    assert "base62" in next(d for d in arch.decisions if d.id == "short-keys.link").choice


def test_slug_keys_are_readable_and_unique_ok() -> None:
    """key: slug makes a slug column from the title with a collision suffix, decided by the spec."""
    arch = design_of(SPEC.format(key="slug", rows="10k", rate="1/s", reads="1/s", years=10))
    assert any(u.columns == ["slug"] for u in table(arch, "links").uniques)
    made = next(d for d in arch.decisions if d.id == "short-keys.link")
    assert made.decided_by == "spec"
    assert made.choice.startswith("slugs")


def test_key_ranges_get_their_allocator_table_ok() -> None:
    """Pre-allocated ranges come with the table an instance claims them from."""
    arch = design_of(SPEC.format(key="short_code", rows="1k", rate="6000/s", reads="1/s", years=0.01))
    assert table(arch, "links_key_ranges").primary_key == ["name"]
