"""Partitioning and sharding: triggered by the numbers, with their consequences on keys."""

from __future__ import annotations

import pytest

from backend_architect.ir.query import all_tables
from backend_architect.rules.design.data_agrees import aggregate_split_across_shards
from backend_architect.rules.registry import review
from design.helpers import design_of, table

TELEMETRY = """\
system: telemetry
team: {size: 4}
scale: {retention_years: 2, rates: peak, peak_factor: 2}
entities:
  Device: {fields: {serial: string(40)}, rows: 10k}
  Reading:
    append_only: true
    part_of: Device
    retention: 180d
    fields: {value: "decimal(12,4)", recorded_at: datetime}
  Note:
    part_of: Device
    fields: {reading: ref(Reading), text: text}
use_cases:
  - {name: ingest readings, writes: [Reading], rate: %s}
  - {name: list readings, reads: [Reading], filter: [Reading.device], sort: [-recorded_at], rate: 20/s}
  - {name: latest readings, reads: [Reading], sort: [-recorded_at], rate: 1/s}
  - {name: add note, writes: [Note], rate: 1/min}
"""


def test_small_system_needs_neither_ok() -> None:
    """At 10 readings/s nothing is partitioned or sharded, and the decision says why with numbers."""
    arch = design_of(TELEMETRY % "10/s")
    readings = table(arch, "readings")
    assert readings.partitioning is None
    assert readings.sharding is None
    decision = next(d for d in arch.decisions if d.id == "partitioning")
    assert decision.choice == "not needed"
    assert "GB" in decision.rationale


def test_large_append_only_table_partitioned_by_time_ok() -> None:
    """A large append-only table is range-partitioned by created_at; its key includes it; retention drops partitions."""
    readings = table(design_of(TELEMETRY % "4k/s"), "readings")
    assert readings.partitioning is not None
    assert (readings.partitioning.column, readings.partitioning.interval) == ("created_at", "day")
    assert readings.primary_key == ["id", "created_at"]
    assert "older than 180 days" in (readings.partitioning.retention_job or "")


def test_foreign_keys_to_partitioned_table_become_plain_ids_ok() -> None:
    """A reference to a partitioned table keeps its column and index but loses the foreign key."""
    arch = design_of(TELEMETRY % "4k/s")
    notes = table(arch, "notes")
    assert [fk.ref_table for fk in notes.foreign_keys] == ["devices"]
    assert "partitioned" in (next(c for c in notes.columns if c.name == "reading_id").comment or "")


def test_write_rate_past_one_primary_is_sharded_by_parent_ok() -> None:
    """Past one primary's insert ceiling, the table is sharded by its parent; unfiltered reads are cross-shard."""
    readings = table(design_of(TELEMETRY % "20k/s"), "readings")
    assert readings.sharding is not None
    assert readings.sharding.key == "device_id"
    assert "rows/s at peak > 5,000" in readings.sharding.reason or "rows/s inserted at peak (" in readings.sharding.reason
    # each entry names the read, then the rate reaching the database and how it crosses the shards
    assert readings.sharding.cross_shard == ["latest readings (1/s at peak reaching the database, each asking every shard)"]


def test_unique_key_across_partitions_keeps_the_table_whole_ok() -> None:
    """A large append-only table with a unique key (plain or among live rows) is not partitioned, and an assumption says why."""
    for unique in ("    unique: [[device, recorded_at]]\n", "    soft_delete: true\n    unique: [[device, recorded_at]]\n"):
        arch = design_of((TELEMETRY % "4k/s").replace("    retention: 180d\n", "    retention: 180d\n" + unique))
        assert table(arch, "readings").partitioning is None
        assert any(a.startswith("readings (") and "stays whole: its unique key (device_id, recorded_at)" in a for a in arch.assumptions)


#: Orders sharded past one primary's inserts (20k/s), with parts, links and a grandchild of every shape.
AGGREGATE = """\
system: shop
team: {size: 4}
tenant: %(tenant)s
entities:
  Store: {fields: {name: string(40)}}
  Customer: {fields: {name: string(40)}}
  Order:
    tenant_scoped: %(scoped)s
    fields: {customer: ref(Customer), total: money}
    many_to_many: [Customer]
  OrderLine:
    part_of: Order
    tenant_scoped: %(scoped)s
    avg_per_parent: 2
    fields: {quantity: int}
    growth: %(lines)s
  LineNote:
    part_of: OrderLine
    fields: {text: text}
use_cases:
  - {name: place order, writes: [Order], rate: 20k/s}
  - {name: update order, writes: [Order], rate: 20k/s}
  - {name: add line, writes: [OrderLine], rate: 1/s}
  - {name: update line, writes: [OrderLine], rate: 1/s}
  - {name: list lines, reads: [OrderLine], filter: [quantity], rate: 1/s}
"""


@pytest.mark.parametrize(
    ("values", "keys"),
    [
        # orders hash by customer_id, which no part holds: each part large enough is sharded in a map of its own, the
        # join table stays on the unsharded primary, and none keeps a foreign key to orders (test_shard_maps.py)
        pytest.param(
            {"tenant": "Store", "scoped": "false", "lines": "1k/day"},
            {"orders": "customer_id", "order_lines": "order_id", "line_notes": "order_line_id"},
            id="parts, grandchild, join table under a parent sharded by another column",
        ),
        pytest.param(
            {"tenant": "Store", "scoped": "true", "lines": "1k/day"},
            {"orders": "tenant_id", "order_lines": "tenant_id", "line_notes": "order_line_id"},
            id="tenant key carried by the part",
        ),
        # the lines outweigh their orders and every path reaches an order by its id: the family's key is the order's id
        # (shard_families.py), so the parts and the join table share the orders' map (issue 22-v2)
        pytest.param(
            {"tenant": "Store", "scoped": "false", "lines": "3B/day"},
            {"orders": "id", "order_lines": "order_id", "line_notes": "order_line_id", "order_customers": "order_id"},
            id="a part big enough to shard on its own",
        ),
    ],
)
def test_parts_and_links_of_a_sharded_row_are_sharded_with_it_ok(values: dict[str, str], keys: dict[str, str]) -> None:
    """A table whose shard key holds its sharded parent's lives on the parent's shard; the others live apart, without a foreign key."""
    arch = design_of(AGGREGATE % values)
    found = {t.name: t.sharding.key for _, t in all_tables(arch) if t.sharding is not None}
    assert found == keys
    assert [f.message for f in review(arch, (aggregate_split_across_shards,))] == []
    decision = next(d for d in arch.decisions if d.id == "partitioning")
    assert "order_lines: shard by order_id" in decision.choice or "order_lines: shard by tenant_id" in decision.choice


def test_part_of_a_partitioned_parent_is_not_co_located_ok() -> None:
    """A partitioned parent keeps no foreign keys to it, so its parts are sharded only by their own numbers."""
    arch = design_of(TELEMETRY % "20k/s")
    assert table(arch, "readings").partitioning is not None
    assert table(arch, "notes").sharding is None
    assert [f.message for f in review(arch, (aggregate_split_across_shards,))] == []
