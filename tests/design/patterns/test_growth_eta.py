"""The growth stages date a threshold at the exact crossing its inputs give, never rounded up to the next whole month.

"Pays off at N rows ...: in about M months" is checked by a reader as (N - rows now) / rows a day; the record states that
figure to a tenth of a month (stackoverflow, run 21: "about 9 months" for 247.7 days, 8.1 months). Specs of several shapes:
comments months from the threshold, events days from it, a log a year and more from it with yearly growth.
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of, table

from backend_architect.design.patterns._shards import eta_said
from backend_architect.spec.units import DAYS_PER_YEAR

COMMENTS = """\
system: qa
scale: {retention_years: 5, growth_per_year: GROWTH}
entities:
  Member: {fields: {name: string(80)}, rows: 1M}
  Comment: {append_only: true, fields: {author: ref(Member), body: string(600)}, rows: ROWS, growth: DAILY}
use_cases:
  - {name: comment, actor: member, writes: [Comment], rate: DAILY}
  - {name: list comments, actor: member, reads: [Comment], filter: [author], sort: [-created_at], page: cursor, rate: 5/s}
"""

_PAYS = re.compile(
    r"(\w+): declared now; pays off at ([\d,]+) rows \([\d.]+ GB\), when data and indexes no longer fit in RAM: "
    r"(in about ([\d.]+) (days?|months|years)|within a day)"
)


def _spec(rows: str, daily: str, growth: str = "0%") -> str:
    return COMMENTS.replace("ROWS", rows).replace("DAILY", daily).replace("GROWTH", growth)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_spec("130M", "60k/day"), id="months-from-the-threshold"),
        pytest.param(_spec("140M", "500k/day"), id="days-from-the-threshold"),
        pytest.param(_spec("10M", "60k/day", "20%"), id="years-from-the-threshold-with-growth"),
    ],
)
def test_pays_off_date_is_the_exact_crossing_ok(text: str) -> None:
    """The stated time is (rows at the threshold - rows now) / rows a day, in days, tenths of a month or of a year."""
    arch = design_of(text)
    stages = " ".join(s.trigger for s in arch.stages)
    found = _PAYS.findall(stages)
    assert found, stages
    for name, rows, _, amount, unit in found:
        t = table(arch, name)
        if not amount:
            continue
        days = (float(rows.replace(",", "")) - t.rows_now) / t.rows_per_day
        if unit == "months":
            assert float(amount) == pytest.approx(days / (DAYS_PER_YEAR / 12), abs=0.051)
        elif unit.startswith("day"):
            assert float(amount) == pytest.approx(days, abs=0.51)
        else:
            # past a year the yearly growth speeds rows up: the date is sooner than the first year's rate gives
            assert float(amount) <= days / DAYS_PER_YEAR + 0.051


@pytest.mark.parametrize(
    ("years", "said"),
    [
        pytest.param(247.7 / 365, "in about 8.1 months", id="tenths-of-a-month"),
        pytest.param(1.0 / 365, "in about 1 day", id="one-day"),
        pytest.param(30.4 / 365, "in about 30 days", id="days"),
        pytest.param(23.9 / 12, "in about 23.9 months", id="months-under-two-years"),
        pytest.param(2.25, "in about 2.2 years", id="years"),
    ],
)
def test_eta_said_ok(years: float, said: str) -> None:
    """A time ahead reads in days under two months, tenths of months under two years, else tenths of years."""
    assert eta_said(years) == said
