"""PAT026 and PAT027: rankings and time series kept ahead of the read, with the threshold that picks how."""

from __future__ import annotations

import pytest

from design.helpers import design_of, table

TOP = """\
system: search
scale: {{rates: peak}}
entities:
  Query: {{append_only: true, fields: {{text: string(200)}}}}
use_cases:
  - {{name: search, writes: [Query], rate: {rate}}}
  - {{name: list trending searches, reads: [Query], top: {{by: count, field: text, k: 10, window: 1h}}, rate: 50/s}}
  - {{name: list recent searches, reads: [Query], sort: [-created_at], page: cursor, rate: 5/s}}
"""


@pytest.mark.parametrize(
    ("rate", "streaming"),
    [pytest.param("1666/s", False, id="just-below"), pytest.param("1667/s", True, id="just-above")],
)
def test_ranking_job_until_a_refresh_cannot_reread_the_window_ok(rate: str, streaming: bool) -> None:
    """A job every minute re-reads the hour while that is at most 100,000 rows/s (1,666 events/s); above, sorted sets count as events arrive."""
    arch = design_of(TOP.format(rate=rate))
    made = next(d for d in arch.decisions if d.id == "top.list-trending-searches")
    assert made.choice.startswith("sorted sets") is streaming
    assert any(j.use_case == "refresh list trending searches" for j in arch.jobs) is not streaming
    assert any(t.name == "queries_top_text" for s in arch.datastores for t in s.tables) is not streaming


def test_ranking_answers_ranks_at_its_own_path_ok() -> None:
    """The ranking is its own operation (GET /queries/top, no paging); the plain list keeps its page; the snapshot table is keyed by window and rank."""
    arch = design_of(TOP.format(rate="10/s"))
    ops = {o.operation_id: o for a in arch.apis for o in a.operations}
    top = ops["listTrendingSearches"]
    assert (top.path, top.response_schema, top.paginated) == ("/queries/top", "QueryRanking", False)
    assert ops["listRecentSearches"].paginated
    assert table(arch, "queries_top_text").primary_key == ["window_end", "rank"]
    assert next(c for c in arch.caches if c.use_case == "list trending searches").ttl_seconds == 60


SERIES = """\
system: sensors
scale: {{rates: peak}}
entities:
  Device: {{fields: {{serial: string(40)}}, rows: {devices}}}
  Reading:
    append_only: true
    part_of: Device
    fields: {{metric: enum[temperature,humidity], value: decimal(12,4), recorded_at: datetime}}
use_cases:
  - {{name: ingest, writes: [Reading], rate: {rate}}}
  - {{name: chart metric, reads: [Reading], filter: [Reading.device, metric], series: {{field: value, every: 1m, over: 24h}}, rate: 5/s}}
"""


@pytest.mark.parametrize(
    ("rate", "rollup"),
    [
        pytest.param("1.0/s", False, id="sparse-points"),
        pytest.param("99.9/s", False, id="just-under-10-a-bucket"),
        pytest.param("100.1/s", True, id="just-over-10-a-bucket"),
    ],
)
def test_series_reads_rollups_past_ten_points_a_bucket_ok(rate: str, rollup: bool) -> None:
    """100 devices x 2 metrics at 100/s peak (33.3/s on average) make 10 points a 1-minute bucket: raw rows up to it, rollups beyond."""
    arch = design_of(SERIES.format(devices="100", rate=rate))
    made = next(d for d in arch.decisions if d.id == "series.chart-metric")
    assert made.choice.startswith("rollups") is rollup
    assert any(t.name == "readings_1m" for s in arch.datastores for t in s.tables) is rollup


def test_rollup_table_is_keyed_partitioned_and_kept_longer_ok() -> None:
    """The rollup is keyed by (device, metric, bucket), partitioned by bucket_start and kept for the horizon; a job fills it."""
    arch = design_of(SERIES.format(devices="1k", rate="2k/s"))
    rollup = table(arch, "readings_1m")
    assert rollup.primary_key == ["device_id", "metric", "bucket_start"]
    assert rollup.partitioning is not None
    assert rollup.partitioning.column == "bucket_start"
    assert rollup.retention_days == pytest.approx(5 * 365)
    assert any(j.writes == ["readings_1m"] for j in arch.jobs)
    op = next(o for a in arch.apis for o in a.operations if "chart metric" in o.use_cases)
    assert op.path.endswith("/series")
    assert {"from", "to"} <= {p.name for p in op.parameters}
