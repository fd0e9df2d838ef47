"""PAT020: the latest value per key stays in the row up to a fifth of a primary's writes, then moves to Redis."""

from __future__ import annotations

import pytest

from design.helpers import design_of

SPEC = """\
system: fleet
scale: {{rates: peak}}
entities:
  Driver:
    fields: {{name: string(80), location: geo?}}
    rows: 200k
  Ping:
    append_only: true
    part_of: Driver
    fields: {{value: int}}
use_cases:
  - {{name: update driver location, writes: [Driver.location], latest: true, rate: {rate}}}
  - {{name: track driver, kind: get, reads: [Driver.location], rate: 50/s}}
  - {{name: record ping, writes: [Ping], latest: true, rate: {rate}}}
{extra}
"""


@pytest.mark.parametrize(
    ("rate", "in_memory"),
    [
        pytest.param("999/s", False, id="just-below"),
        pytest.param("1000/s", False, id="at-the-threshold"),
        pytest.param("1001/s", True, id="just-above"),
        pytest.param("250k/s", True, id="far-above"),
    ],
)
def test_latest_value_moves_to_memory_above_a_fifth_of_the_primary_ok(rate: str, in_memory: bool) -> None:
    """At most 1,000 overwrites/s stay in the row; above, a Redis GEO set holds the position and the database is not written per update."""
    arch = design_of(SPEC.format(rate=rate, extra=""))
    made = next(d for d in arch.decisions if d.id == "latest.update-driver-location")
    assert made.pattern == "PAT020"
    assert ("Redis GEO set" in made.choice) is in_memory
    assert any(p.data == "drivers.location" and "GEO" in p.store for p in arch.placements) is in_memory
    removed = [f for f in arch.figures if f.key == "latest.db_writes_removed.update-driver-location"]
    assert (removed[0].value if removed else 0.0) == (pytest.approx(float(rate.split("/")[0].replace("k", "000"))) if in_memory else 0.0)


def test_latest_write_is_a_last_writer_wins_sub_resource_ok() -> None:
    """The write replaces the field as a sub-resource (PUT .../location), with no If-Match and no 412."""
    arch = design_of(SPEC.format(rate="20/s", extra=""))
    op = next(o for a in arch.apis for o in a.operations if "update driver location" in o.use_cases)
    assert (op.method, op.path) == ("put", "/drivers/{driver_id}/location")
    assert not op.conditional
    assert 412 not in op.error_statuses


def test_reads_of_the_latest_value_come_from_redis_ok() -> None:
    """A get of the latest field is served from the Redis structure (a read model), never the database."""
    arch = design_of(SPEC.format(rate="5k/s", extra=""))
    plan = next(c for c in arch.caches if c.use_case == "track driver")
    assert plan.strategy == "read-model"
    assert any(c.name == "redis" and "latest location per Driver" in c.purpose for c in arch.components)


@pytest.mark.parametrize(
    ("extra", "history"),
    [
        pytest.param("", "no history is kept", id="history-not-read"),
        pytest.param("  - {name: list pings, reads: [Ping], filter: [Ping.driver], sort: [-created_at], rate: 1/s}", "goes to a stream", id="history-read"),
    ],
)
def test_history_of_an_appended_latest_value_goes_to_a_stream_only_when_read_ok(extra: str, history: str) -> None:
    """The newest child per parent lives in a Redis hash; its history is dropped unless another use case reads it."""
    arch = design_of(SPEC.format(rate="8k/s", extra=extra))
    made = next(d for d in arch.decisions if d.id == "latest.record-ping")
    assert "a Redis hash per Driver" in made.choice
    assert history in made.choice


@pytest.mark.parametrize("rows", ["200k", "2B"])
def test_latest_values_get_the_nodes_their_memory_needs_ok(rows: str) -> None:
    """Redis for latest values is sized by the larger of operations and memory: billions of keys are not a few nodes."""
    import math

    from backend_architect.design.patterns._common import REDIS_NODE_BYTES

    arch = design_of(SPEC.format(rate="5k/s", extra="").replace("rows: 200k", f"rows: {rows}"))
    memory = next(f.value for f in arch.figures if f.key == "latest.bytes.update-driver-location")
    made = next(d for d in arch.decisions if d.id == "latest.update-driver-location")
    nodes = int(made.rationale.split(" shard(s) at ")[0].rsplit(" ", 1)[-1]) if " shard(s) at " in made.rationale else None
    assert nodes is not None, made.rationale
    assert nodes >= math.ceil(memory / REDIS_NODE_BYTES)
