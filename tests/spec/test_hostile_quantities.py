"""Quantities no design can compute with (NaN, infinities, numbers past any real system, over-long names) are refused where they are written.

``validate`` and ``design`` load a spec the same way, so a spec that loads must design: each
refused case is located at the value, and each accepted neighbour designs without error.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.errors import InputError
from backend_architect.spec.load import load_spec_bytes

BASE = {
    "DA": "10k",
    "GROWTH_YEAR": "20%",
    "RY": "5",
    "PF": "3",
    "ROWS": "1M",
    "GROWTH": "1k/day",
    "RET": "90d",
    "AB": "100",
    "RATE": "10/s",
    "RL": "100/s",
    "FAN": "2",
    "STALE": "30s",
}
TEMPLATE = """\
system: probe
scale: {{daily_active: {DA}, growth_per_year: {GROWTH_YEAR}, retention_years: {RY}, peak_factor: {PF}}}
external:
  pay: {{kind: payment, rate_limit: {RL}}}
entities:
  Thing:
    rows: {ROWS}
    growth: {GROWTH}
    retention: {RET}
    fields: {{name: {{type: string, avg_bytes: {AB}}}}}
use_cases:
  - {{name: list things, reads: [Thing], rate: {RATE}, staleness: {STALE}, calls: [pay]}}
  - {{name: add thing, writes: [Thing], rate: 5/s, avg_fanout: {FAN}}}
"""
HUGE = "9" * 400
OVERLONG = "9" * 5000  # past Python's 4,300-digit int conversion limit


def spec_with(**values: str) -> bytes:
    return TEMPLATE.format(**{**BASE, **values}).encode()


def refusal(raw: bytes) -> str:
    with pytest.raises(InputError) as info:
        load_spec_bytes(raw, "spec.yaml")
    return str(info.value)


@pytest.mark.parametrize(
    ("key", "value", "line", "expected"),
    [
        pytest.param("ROWS", ".nan", 7, "must be a finite number", id="rows-nan"),
        pytest.param("ROWS", ".inf", 7, "must be a finite number", id="rows-inf"),
        pytest.param("ROWS", HUGE, 7, "at most 1e+15, got a 400-digit number", id="rows-400-digits"),
        pytest.param("ROWS", OVERLONG, 7, "a number of 5,000 characters", id="rows-5000-digits"),
        pytest.param("ROWS", "'99999999999999999999999999999999999999999'", 7, "at most 1e+15", id="rows-42-digit-text"),
        pytest.param("DA", ".nan", 2, "must be a finite number", id="daily-active-nan"),
        pytest.param("DA", HUGE, 2, "400-digit", id="daily-active-huge"),
        pytest.param("GROWTH_YEAR", ".inf", 2, "must be a finite number", id="growth-per-year-inf"),
        pytest.param("RY", ".nan", 2, "finite number", id="retention-years-nan"),
        pytest.param("PF", OVERLONG, 2, "5,000 characters", id="peak-factor-5000-digits"),
        pytest.param("GROWTH", f"{HUGE}/day", 8, "must be a finite number", id="growth-400-digits"),
        pytest.param("GROWTH", "99999999999999999999999999999999999999999/s", 8, "at most 1e+09", id="growth-42-digits"),
        pytest.param("RET", ".nan", 9, "must be a finite number", id="retention-nan"),
        pytest.param("RET", "-5", 9, "must not be negative", id="retention-negative"),
        pytest.param("RET", HUGE, 9, "at most", id="retention-huge"),
        pytest.param("AB", HUGE, 10, "a size in bytes must be at most", id="avg-bytes-huge"),
        pytest.param("AB", "'99999999999999999999999999999999999999999'", 10, "a size in bytes", id="avg-bytes-42-digit-text"),
        pytest.param("RATE", "99999999999999999999999999999999999999999/s", 12, "at most 1e+09", id="rate-42-digits"),
        pytest.param("RATE", f"{OVERLONG}/s", 12, "must be a finite number", id="rate-5000-digits"),
        pytest.param("STALE", ".inf", 12, "must be a finite number", id="staleness-inf"),
        pytest.param("RL", "0/s", 4, "lets some calls through", id="rate-limit-zero"),
        pytest.param("RL", "1e400/s", 4, "cannot read rate", id="rate-limit-exponent"),
        pytest.param("FAN", ".inf", 13, "finite number", id="fanout-inf"),
        pytest.param("FAN", "'1e400'", 13, "takes a number", id="fanout-exponent-text"),
        pytest.param("FAN", "1.0e+300", 13, "at most 1e+15", id="fanout-1e300"),
    ],
)
def test_unusable_quantity_is_located_err(key: str, value: str, line: int, expected: str) -> None:
    """A quantity no figure can be computed from is refused at its own line, with what was expected."""
    message = refusal(spec_with(**{key: value}))
    assert message.startswith(f"spec.yaml:{line}:"), message
    assert expected in message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("ROWS", "0", id="rows-zero"),
        pytest.param("ROWS", "1000T", id="rows-at-bound"),
        pytest.param("RATE", "0/s", id="rate-zero"),
        pytest.param("RATE", "1000000000/s", id="rate-at-bound"),
        pytest.param("GROWTH", "86400G/day", id="growth-at-bound"),
        pytest.param("RET", "36500d", id="retention-century"),
        pytest.param("FAN", "1.0e+9", id="fanout-large"),
        pytest.param("AB", "1024GiB", id="avg-bytes-large"),
        pytest.param("RL", "0.001/s", id="rate-limit-tiny"),
    ],
)
def test_extreme_but_finite_quantity_designs_ok(key: str, value: str) -> None:
    """Quantities at the bounds load and design without error: whatever validate accepts, design can take."""
    result = design_spec(load_spec_bytes(spec_with(**{key: value}), "spec.yaml").spec)
    assert result.architecture.datastores


def test_names_too_long_for_identifiers_err() -> None:
    """Entity, join-table and field names whose SQL identifiers would pass PostgreSQL's 63 bytes are refused at the name."""
    entity, other, field = "A" + "b" * 63, "B" + "c" * 20, "f" + "x" * 63
    raw = f"system: p\nentities:\n  {entity}: {{fields: {{{field}: string}}, many_to_many: [{other}]}}\n  {other}: {{fields: {{n: string}}}}\n"
    lines = refusal(raw.encode()).splitlines()
    assert any(line.startswith("spec.yaml:3:3: entity 'Abbb") and "65 bytes" in line for line in lines), lines
    assert any("column 'fxxx" in line and "64 bytes" in line for line in lines), lines
    assert any(line.startswith("spec.yaml:3:169: join table") and "87 bytes" in line for line in lines), "the join table is located at its many_to_many entry"


def test_names_at_the_identifier_bound_design_ok() -> None:
    """Names whose identifiers just fit design into DDL (the names the design derives from them are shortened with a hash)."""
    entity, field = "A" + "b" * 61, "f" + "x" * 62
    raw = f"system: p\nentities:\n  {entity}: {{fields: {{{field}: bool, n: string}}}}\n"
    result = design_spec(load_spec_bytes(raw.encode(), "spec.yaml").spec)
    assert any(len(t.name) == 63 for s in result.architecture.datastores for t in s.tables)


GEO = """\
system: probe
entities:
  Shop:
    fields: {{name: string, location: geo}}
use_cases:
  - {{name: shops near me, reads: [Shop], near: Shop.location, radius: {RADIUS}}}
"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(".nan", "must be a finite number", id="nan"),
        pytest.param(".inf", "must be a finite number", id="inf"),
        pytest.param(HUGE, "400-digit number", id="400-digits"),
        pytest.param("1.0e+300", "at most 1e+08", id="1e300-metres"),
        pytest.param("200000km", "at most 1e+08", id="past-the-earth"),
        pytest.param("-5", "expected a distance such as 500m", id="negative"),
    ],
)
def test_unusable_distance_is_located_err(value: str, expected: str) -> None:
    """A radius no figure can be computed from is refused at its own line, like every other quantity."""
    message = refusal(GEO.format(RADIUS=value).encode())
    assert message.startswith("spec.yaml:6:"), message
    assert expected in message


def test_distance_at_the_bound_designs_ok() -> None:
    """A radius at the bound (100,000 km) loads and designs."""
    result = design_spec(load_spec_bytes(GEO.format(RADIUS="100000km").encode(), "spec.yaml").spec)
    assert result.architecture.datastores
