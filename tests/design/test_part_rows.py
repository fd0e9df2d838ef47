"""Parts written with their parent count ``avg_per_parent`` rows a request in every figure that counts them.

An upload sending its video's 5 tags inserts 5 tag rows, not one: the rows a day, the rows and
bytes at the horizon, the table's writes and the database's, and the search index built over
them all read that one count (the sixth trial run's netflix counted one tag per video).
"""

from __future__ import annotations

from functools import cache

import pytest

from backend_architect.design.pipeline import design
from backend_architect.ir.model import Architecture
from design.formulas import recompute
from design.helpers import spec_of

#: A part_of child sent in the parent's create body, searched with it (the trial's shape, smaller).
UPLOADS = """\
system: uploads
scale: {users: 1M, daily_active: 100k, retention_years: 10, rates: average, peak_factor: 2}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Video:
    fields: {owner: ref(User), title: {type: string(200), avg_bytes: 60}}
    rows: 50M
    growth: 2M/day
  Tag:
    part_of: Video
    fields: {name: {type: string(64), avg_bytes: 24}}
    avg_per_parent: 5
use_cases:
  - {name: upload video, actor: user, writes: [Video, Tag], rate: 2M/day}
  - {name: search videos, actor: user, reads: [Video, Tag], search: [Video.title, Tag.name], rate: 50M/day}
"""

#: A child by its required reference (no part_of), created with its parent; and one created on its own.
ORDERS = """\
system: orders
scale: {users: 100k, daily_active: 10k, retention_years: 3, rates: average, peak_factor: 3}
entities:
  Customer: {fields: {email: {type: email, unique: true}}}
  Basket:
    fields: {customer: ref(Customer), note: string(100)}
    rows: 1M
  BasketLine:
    fields: {basket: ref(Basket), sku: string(20), quantity: int}
    avg_per_parent: 3
  Review:
    fields: {basket: ref(Basket), body: string(500)}
    avg_per_parent: 4
use_cases:
  - {name: place basket, actor: customer, writes: [Basket, BasketLine], rate: 100k/day}
  - {name: write review, actor: customer, writes: [Review], rate: 20k/day}
"""

#: A part without avg_per_parent: one row a request, as before.
NOTES = """\
system: notes
scale: {users: 10k, retention_years: 2, rates: average, peak_factor: 2}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Note: {fields: {owner: ref(User), title: string(100)}, rows: 100k}
  Attachment:
    part_of: Note
    fields: {label: string(50)}
use_cases:
  - {name: write note, actor: user, writes: [Note, Attachment], rate: 10k/day}
"""

SPECS = {"uploads": UPLOADS, "orders": ORDERS, "notes": NOTES}


@cache
def _arch(name: str) -> Architecture:
    return design(spec_of(SPECS[name]))


def _figure(name: str, key: str) -> float:
    found = [f for f in _arch(name).figures if f.key == key]
    assert found, f"no figure {key}: {sorted(f.key for f in _arch(name).figures if key.split('.')[0] in f.key)[:20]}"
    return found[0].value


@pytest.mark.parametrize(
    ("spec", "table", "per_day"),
    [
        pytest.param("uploads", "tags", 2e6 * 5, id="part-of-sent-with-its-parent"),
        pytest.param("orders", "basket_lines", 1e5 * 3, id="child-by-reference-created-with-its-parent"),
        pytest.param("orders", "reviews", 2e4, id="child-created-on-its-own-one-row-a-request"),
        pytest.param("notes", "attachments", 1e4, id="part-without-avg-per-parent-one-row"),
    ],
)
def test_part_rows_a_day_count_avg_per_parent_ok(spec: str, table: str, per_day: float) -> None:
    """A part written with its parent adds avg_per_parent rows a request; anything else one; the figure's formula recomputes it."""
    figure = next(f for f in _arch(spec).figures if f.key == f"storage.rows_per_day.{table}")
    assert figure.value == pytest.approx(per_day)
    assert recompute(figure) == pytest.approx(per_day)


@pytest.mark.parametrize(
    ("spec", "table", "use_case", "per_request"),
    [
        pytest.param("uploads", "tags", "upload-video", 5, id="part-of"),
        pytest.param("orders", "basket_lines", "place-basket", 3, id="child-by-reference"),
        pytest.param("orders", "reviews", "write-review", 1, id="own-create"),
    ],
)
def test_part_writes_count_avg_per_parent_ok(spec: str, table: str, use_case: str, per_request: float) -> None:
    """The table's peak writes and the inserts reaching its database count the part's rows a request, not the requests."""
    arch = _arch(spec)
    peak = next(f for f in arch.figures if f.key == f"qps.peak.write.table.{table}")
    request_rate = next(f for f in arch.figures if f.key.startswith("qps.peak.") and f.inputs.get(f"peak_{use_case}") and "write" not in f.key)
    rate = request_rate.inputs[f"peak_{use_case}"]
    assert peak.value == pytest.approx(rate * per_request)
    assert recompute(peak) == pytest.approx(peak.value)
    reaching = [f for f in arch.figures if f.key.startswith("db.writes.") and any(k.startswith(f"peak_{use_case}_{table}") for k in f.inputs)]
    assert reaching or per_request == 1, "the database's writes name the part's rows"
    for figure in reaching:
        key = next(k for k in figure.inputs if k.startswith(f"peak_{use_case}_{table}"))
        assert figure.inputs[key] == pytest.approx(rate * per_request), figure.key


def test_part_rows_size_the_table_and_search_index_ok() -> None:
    """Rows at the horizon and the search index over parent and parts count 5 tags a video (today's and each day's)."""
    years = 10
    videos = 50e6 + 2e6 * 365 * years
    tags = 50e6 * 5 + 2e6 * 5 * 365 * years
    assert _figure("uploads", f"rows.{years}y.tags") == pytest.approx(tags)
    search = next(d for d in _arch("uploads").decisions if d.inputs.get("index_bytes"))
    assert search.inputs["index_bytes"] == pytest.approx((videos + tags) * 600)
    assert search.inputs["rows"] == pytest.approx(tags)


#: Children created at their own rate beside their parent's, no avg_per_parent and no rows stated.
COMMUNITIES = """\
system: communities
scale: {users: 5M, daily_active: 1M, retention_years: 5, rates: average, peak_factor: 3}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Server: {fields: {owner: ref(User), name: string(100)}}
  Channel: {part_of: Server, fields: {name: string(100)}}
  Club: {fields: {owner: ref(User), name: string(100)}, rows: 2M}
  Topic: {part_of: Club, fields: {title: string(100)}}
  Badge: {part_of: Club, fields: {label: string(40)}, avg_per_parent: 4}
use_cases:
  - {name: create server, actor: user, writes: [Server], rate: 50k/day}
  - {name: create channel, actor: user, writes: [Channel], rate: 100k/day}
  - {name: create club, actor: user, writes: [Club], rate: 10k/day}
  - {name: open topic, actor: user, writes: [Topic], rate: 5k/day}
  - {name: award badge, actor: user, writes: [Badge], rate: 20k/day}
"""


@pytest.mark.parametrize(
    ("table", "rows_now"),
    [
        pytest.param("servers", 50_000 * 30, id="parent-30-days-of-its-growth"),
        pytest.param("channels", 100_000 * 30, id="child-the-same-span-of-its-own-growth"),
        pytest.param("topics", 5_000 * 30, id="child-of-a-stated-parent-30-days-of-its-own-growth"),
        pytest.param("badges", 2e6 * 4, id="stated-avg-per-parent-wins"),
    ],
)
def test_rows_today_of_a_part_follow_its_rate_over_its_parents_ok(table: str, rows_now: float) -> None:
    """A part made at its own rate, no avg_per_parent stated, holds 30 days of its own growth today, as any entity with a rate does, not one
    row a parent (the twelfth trial run's discord: 1.5M channels, the servers' count, called "30 days of growth" at 100k a day)."""
    arch = design(spec_of(COMMUNITIES))
    found = next(t for s in arch.datastores for t in s.tables if t.name == table)
    assert found.rows_now == pytest.approx(rows_now)
    years = 5
    assert next(f for f in arch.figures if f.key == f"rows.{years}y.{table}").value == pytest.approx(rows_now + found.rows_per_day * 365 * years)
