"""PAT054 for rows recorded for analytics: a stated purpose (``analytics: true``) or an updated table grouped at a high rate flows as events."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.patterns._analytics_plan import EVENTS_PER_DAY
from backend_architect.rules.model import Severity
from backend_architect.spec.load import load_spec_bytes


def _plays(rate: str, *, recorded: bool = False, series: bool = True) -> str:
    """Song plays: each row's listened seconds are updated while it plays; a chart of plays per hour of one song."""
    chart = (
        "  - {name: song plays chart, actor: artist, reads: [Play], filter: [Play.song], "
        "series: {field: song, aggregate: count, every: 1h, over: 30d}, rate: 1M/day}\n"
        if series
        else ""
    )
    return (
        textwrap.dedent(
            f"""\
        system: music
        scale: {{retention_years: 2}}
        entities:
          Song: {{fields: {{title: string(120)}}, rows: 10M}}
          Play:
            analytics: {"true" if recorded else "false"}
            fields: {{song: ref(Song), listener: string(40), seconds: int}}
        use_cases:
          - {{name: start play, actor: listener, kind: create, writes: [Play], rate: {rate}}}
          - {{name: save play position, actor: listener, kind: update, writes: [Play.seconds], rate: {rate}}}
          - {{name: get play, actor: listener, kind: get, reads: [Play], rate: 1M/day}}
        """
        )
        + chart
    )


#: Ad clicks: appended, recorded for analytics, no aggregate read through the API (the analysts query the store).
CLICKS = """\
system: ads
scale: {retention_years: 1}
entities:
  Campaign: {fields: {name: string(80)}, rows: 100k}
  Click:
    append_only: true
    analytics: true
    fields: {campaign: ref(Campaign), url: string(200)}
use_cases:
  - {name: record click, actor: browser, kind: create, writes: [Click], rate: 5M/day}
"""


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


def _analytics(result: DesignResult) -> str | None:
    return next((d.choice for d in result.architecture.decisions if d.id == "analytics"), None)


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        pytest.param(_plays("200M/day"), "rows a day appended", id="updated-table-at-a-high-rate"),
        pytest.param(_plays("2M/day", recorded=True), "recorded for metrics and analytics (entities.Play.analytics)", id="updated-table-stated"),
        pytest.param(_plays("2M/day", recorded=True, series=False), "entities.Play.analytics", id="stated-without-an-aggregate-read"),
        pytest.param(CLICKS, "entities.Click.analytics", id="appended-log-stated"),
    ],
)
def test_recorded_rows_flow_into_the_column_store_ok(text: str, trigger: str) -> None:
    """A table recorded for analytics, or an updated one grouped at 100M rows a day, is fed as events into the column store, saying why."""
    result = _design(text)
    choice = _analytics(result)
    assert choice is not None
    assert "columnar store (OLAP)" in choice
    record = next(d for d in result.architecture.decisions if d.id == "analytics")
    assert trigger in record.rationale
    assert not [f for f in result.findings if f.severity > Severity.INFO]


@pytest.mark.parametrize("rate", ["2M/day", "200M/day"])
def test_updated_rows_stay_in_the_database_with_their_changes_as_events_ok(rate: str) -> None:
    """An updated table's rows stay in PostgreSQL (no retention, no drop); the column store counts its inserts and updates as events."""
    result = _design(_plays(rate, recorded=True))
    plays = next(t for s in result.architecture.datastores for t in s.tables if t.name == "plays")
    assert plays.retention_days is None
    figures = {f.key: f for f in result.architecture.figures}
    rows = figures["analytics.rows.plays"]
    assert rows.inputs["events_per_day"] == pytest.approx(2 * plays.rows_per_day)
    choice = _analytics(result)
    assert choice is not None
    assert "PostgreSQL keeps the current plays rows (they are updated)" in choice


def test_updated_table_below_the_rate_stays_on_postgresql_err() -> None:
    """An updated table grouped below 100M rows a day and not recorded for analytics is no event table: its reads stay on PostgreSQL."""
    assert EVENTS_PER_DAY > 2e6
    result = _design(_plays("2M/day"))
    assert _analytics(result) is None
    assert not any(c.name == "analytics-store" for c in result.architecture.components)
