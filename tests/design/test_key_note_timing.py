"""A note replacing a foreign key across servers states each side's place as the staged growth times it: today and later.

The horizon's pass marks a key across servers before the staged-growth decision times each table's shards, so its note once
called a table "sharded" that the data section, the diagrams and the capacity keep on the unsharded primary until its stage
(uber run 20 C5: payments). The notes are said again once the timing is known: a side sharded later "stays on the unsharded
primary until its shards are built". Specs of different shapes: rides whose payments shard later than their trips, rooms
and boards (issue 22-n2's shapes), each checked against the placement the design states.
"""

from __future__ import annotations

import re

import pytest
from tests.design.test_placed_statements import BOARDS, ROOMS

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

RIDES = """\
system: rides
scale: {rates: average, peak_factor: 3, retention_years: 10, daily_active: 5M}
entities:
  Rider: {fields: {name: string(80)}, rows: 50M}
  Trip:
    fields: {rider: ref(Rider), pickup: string(200), dropoff: string(200), notes: {type: text, avg_bytes: 1500}}
  Payment:
    fields: {trip: ref(Trip), amount: money, method: enum[card,cash,wallet]}
use_cases:
  - {name: request ride, actor: rider, writes: [Trip, Payment], rate: 30M/day}
  - {name: my trips, actor: rider, reads: [Trip], filter: [Trip.rider], sort: [-created_at], page: cursor, rate: 20M/day}
  - {name: trip payments, actor: rider, reads: [Payment], filter: [Payment.trip], rate: 5M/day}
"""

_SIDE = re.compile(r"(\w+) is sharded by (\w+)")


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "test.yaml")).architecture


def _contradictions(arch: Architecture) -> tuple[list[str], int]:
    """Notes calling a table sharded that is on the unsharded primary today, and how many notes name a later stage."""
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    wrong, later = [], 0
    for table in tables.values():
        for fk in table.foreign_keys:
            if not fk.checked_by.startswith("references "):
                continue
            later += "until its shards are built" in fk.checked_by
            for name, _ in _SIDE.findall(fk.checked_by.split("):", 1)[0]):
                sharding = tables[name].sharding if name in tables else None
                if sharding is not None and sharding.now is False:
                    wrong.append(f"{table.name}.{fk.columns[0]}: {fk.checked_by}")
    return wrong, later


@pytest.mark.parametrize(
    ("text", "later"),
    [pytest.param(RIDES, True, id="rides-payments-later"), pytest.param(ROOMS, None, id="rooms"), pytest.param(BOARDS, None, id="boards")],
)
def test_a_key_note_states_each_sides_place_today_ok(text: str, later: bool | None) -> None:
    """No note calls a table sharded while it stays on the unsharded primary today; a side sharded later is said to be so."""
    arch = _design(text)
    wrong, stated = _contradictions(arch)
    assert wrong == []
    if later:
        assert stated > 0


def _applied_words(arch: Architecture) -> list[tuple[str, list[str]]]:
    """Each applier's words and the tables whose rows it applies (its co-writes' other tables)."""
    tables = [w for s in arch.datastores for t in s.tables if t.sharding for w in t.sharding.co_writes]
    found = []
    for part in arch.components:
        if part.kind == "worker" and part.name.endswith("-shard-applier"):
            found.append((part.purpose, [n for w in tables if w.use_case in part.use_cases for n in w.tables]))
    return found


@pytest.mark.parametrize("text", [pytest.param(RIDES, id="rides"), pytest.param(ROOMS, id="rooms"), pytest.param(BOARDS, id="boards")])
def test_an_applier_writes_where_the_rows_are_today_ok(text: str) -> None:
    """An applier says it applies rows "on their shards" only where their shards are built now; rows of a table sharded later are
    applied on the unsharded primary, as the writes-across-shards decision says."""
    arch = _design(text)
    sharded_now = {t.name for s in arch.datastores for t in s.tables if t.sharding is not None and t.sharding.now is not False}
    for purpose, applied in _applied_words(arch):
        if "on their shards" in purpose:
            assert set(applied) <= sharded_now, (purpose, applied)
        if "on the unsharded primary" in purpose:
            assert not set(applied) & sharded_now, (purpose, applied)


@pytest.mark.parametrize("text", [pytest.param(RIDES, id="rides"), pytest.param(ROOMS, id="rooms"), pytest.param(BOARDS, id="boards")])
def test_the_storage_record_places_a_table_where_it_is_today_ok(text: str) -> None:
    """The storage record calls a table sharded only where its shards are built now; one sharded at a later stage is placed on
    the unsharded primary now, with its shard key for then."""
    arch = _design(text)
    sharded = {t.name: t.sharding for s in arch.datastores for t in s.tables if t.sharding is not None}
    # a store naming the shard key (a placement of another pattern may name only its tiers)
    stores = {p.data: p.store for p in arch.placements if p.data in sharded and "sharded by" in p.store}
    assert stores
    for name, sharding in sharded.items():
        if name not in stores:
            continue
        later = f"on the unsharded primary now, sharded by {sharding.key} from its growth stage"
        assert (later in stores[name]) == (sharding.now is False), (name, sharding.now, stores[name])
