"""A unique key a uniqueness table holds across a sharded table's shards is told one way: the write reserving it counts as
a write across shards, the uniqueness table has one placement per stage in the text, the DDL and the load model, and only
the writes that reserve or release a value are counted on it; a link's unique pair says what its contract's create answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.design.test_unique_keys import PEOPLE

from backend_architect.api import design_spec
from backend_architect.design.unique_keys import SHARDED_KEYS_AT, UNSHARDED_KEYS_AT, key_writes
from backend_architect.spec.load import load_spec_bytes

#: Trips sharded by customer later (its shards not built today), a driver holding one open ride, and a decline link made by POST.
DISPATCH = """\
system: dispatch
scale: {daily_active: 100M, rates: average}
entities:
  Customer: {fields: {name: string(100)}}
  Driver: {fields: {name: string(100)}, rows: 1M}
  Trip:
    fields:
      customer: ref(Customer)
      driver: ref(Driver)?
      status: enum[requested,accepted,started,completed,cancelled]
    unique:
      - {fields: [driver], when: {status: [accepted, started]}}
    growth: 10M/day
  Decline:
    fields: {trip: ref(Trip), driver: ref(Driver)}
    append_only: true
use_cases:
  - {name: request ride, actor: customer, writes: [Trip], rate: 10M/day}
  - {name: accept ride, actor: driver, writes: [Trip.driver, Trip.status], rate: 10M/day}
  - {name: end trip, actor: driver, writes: [Trip.status], rate: 10M/day}
  - {name: deny ride, actor: driver, writes: [Decline], rate: 20M/day}
  - {name: my trips, actor: customer, reads: [Trip], filter: [customer], rate: 100M/day}
"""

#: Tickets sharded with their show now (past one primary's inserts); one held ticket per fan (its uniqueness table bounded by
#: the fans, on the unsharded primary) and a barcode unique for ever.
TICKETS = """\
system: tickets
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Show: {rows: 50k, fields: {title: string(80)}}
  Fan: {rows: 2M, fields: {name: string(80)}}
  Ticket:
    part_of: Show
    fields:
      holder: ref(Fan)
      barcode: {type: string(40), unique: true}
      state: enum[issued,held,void]
    unique:
      - {fields: [holder], when: {state: [held]}}
use_cases:
  - {name: issue ticket, kind: create, writes: [Ticket], rate: 7k/s}
  - {name: hold ticket, writes: [Ticket.state], rate: 300/s}
  - {name: rename show, writes: [Show.title], rate: 1/s}
  - {name: show tickets, kind: list, reads: [Ticket], filter: [show], rate: 500/s}
"""

#: A follow made by PUT on the relationship, and a club joining no use case makes.
LINKS = """\
system: social
scale: {daily_active: 1M}
entities:
  Member: {fields: {name: string(80)}}
  Club: {fields: {title: string(80)}}
  Follow: {fields: {follower: ref(Member), followee: ref(Member)}}
  Joining: {fields: {club: ref(Club), member: ref(Member)}}
use_cases:
  - {name: follow member, actor: member, writes: [Follow], rate: 100/s}
  - {name: list joinings, actor: member, reads: [Joining], filter: [club], rate: 10/s}
"""

SPECS = {"dispatch": DISPATCH, "tickets": TICKETS, "people": PEOPLE}
_DESIGNED: dict[str, Any] = {}


def _designed(name: str, text: str) -> Any:
    if name not in _DESIGNED:
        _DESIGNED[name] = design_spec(load_spec_bytes(text.encode(), f"{name}.yaml"))
    return _DESIGNED[name]


def _guarded(arch: Any) -> list[tuple[Any, Any, Any]]:
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    return [(t, g, tables[g.table]) for t in tables.values() if t.sharding for g in t.sharding.uniques]


@pytest.mark.parametrize("name", list(SPECS))
def test_a_reservation_counts_as_a_write_across_shards_ok(name: str) -> None:
    """The writes reserving a value are named by the cross-shard write record with how they stay right; none says no write spans shards."""
    result = _designed(name, SPECS[name])
    document = result.files["design.md"]
    record = next(d for d in result.architecture.decisions if d.title == "Writes across shards")
    guarded = _guarded(result.architecture)
    assert guarded
    assert "no write puts rows of one request on different shards" not in document
    for _, guard, _ in guarded:
        assert f"the {guard.table} row first, then the" in record.choice
        assert f"the {guard.table} row first, then the" in guard.how


@pytest.mark.parametrize("name", list(SPECS))
def test_a_uniqueness_table_has_one_placement_per_stage_ok(name: str) -> None:
    """The guard's sentence (in the data section and the DDL) and the load model place the uniqueness table alike: on the value's
    shard where its shards are built now, else on the unsharded primary, whose write figure then counts its writes."""
    result = _designed(name, SPECS[name])
    arch = result.architecture
    figures = {f.key: f for f in arch.figures}
    ddl = "\n".join(text for path, text in result.files.items() if path.endswith(".postgresql.sql"))
    for table, guard, keys in _guarded(arch):
        assert guard.how in result.files["design.md"]
        assert guard.how in ddl
        primary = next((f for k, f in figures.items() if k.startswith("db.primary.writes.peak.") and any(table.name in i for i in f.inputs)), None)
        counted = [i for i in (primary.inputs if primary else {}) if i.endswith(f"_{guard.table}")]
        if keys.sharding is not None and keys.sharding.now:
            assert f"one row per value, {SHARDED_KEYS_AT}" in guard.how
            assert not counted
        else:
            assert f"one row per value, {UNSHARDED_KEYS_AT}" in guard.how
            assert "on the value's shard" not in guard.how.split("then writes")[0] or keys.sharding is not None
            assert primary is None or counted


def test_the_placement_table_holds_both_placements_ok() -> None:
    """The specs above place a uniqueness table on its own shards and one on the unsharded primary, so neither branch is empty."""
    built = {bool(k.sharding and k.sharding.now) for name, text in SPECS.items() for _, _, k in _guarded(_designed(name, text).architecture)}
    assert built == {True, False}


@pytest.mark.parametrize(
    ("name", "table", "columns", "expected"),
    [
        pytest.param("dispatch", "trips", ["driver_id"], {"accept ride": 1.0, "end trip": 1.0}, id="scoped: a create outside the states reserves nothing"),
        pytest.param("tickets", "tickets", ["holder_id"], {"hold ticket": 1.0}, id="state-scoped: the state change reserves or releases"),
        pytest.param("tickets", "tickets", ["barcode"], {"issue ticket": 1.0}, id="unscoped: the create reserves"),
        pytest.param("people", "people", ["handle"], {"sign up": 1.0}, id="unscoped on a table sharded by id"),
    ],
)
def test_only_reserving_writes_touch_the_uniqueness_table_ok(name: str, table: str, columns: list[str], expected: dict[str, float]) -> None:
    """Writes per request on a uniqueness table come from the writes that reserve or release a value, and the load model counts those alone."""
    result = _designed(name, SPECS[name])
    arch = result.architecture
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    guard = next(g for g in tables[table].sharding.uniques if g.columns == columns)  # type: ignore[union-attr]
    from backend_architect.design.analysis import analyse

    found = key_writes(analyse(load_spec_bytes(SPECS[name].encode(), f"{name}.yaml").spec).use_cases, tables[table], columns)
    assert found == expected
    ledger = next(f for f in arch.figures if f.key.startswith("db.writes.peak.") and any(i.endswith(f"_{guard.table}") for i in f.inputs))
    assert {i for i in ledger.inputs if i.endswith(f"_{guard.table}")} == {f"peak_{u.replace(' ', '-')}_{guard.table}" for u in expected}


@pytest.mark.parametrize(
    ("spec", "table", "said", "unsaid"),
    [
        pytest.param(
            LINKS,
            "follows",
            "making it again (PUT /v1/members/{member_id}/following/{followee_id}, idempotent) finds this row",
            "409",
            id="PUT on the relationship",
        ),
        pytest.param(LINKS, "joinings", "a second insert of the pair fails on this constraint", "PUT", id="no operation makes it"),
        pytest.param(
            DISPATCH,
            "declines",
            "making it again (POST /v1/declines) is refused 409 Conflict on this constraint; a retry with the same Idempotency-Key",
            "PUT",
            id="POST creating the link",
        ),
    ],
)
def test_a_link_pair_says_what_its_create_answers_when_repeated_ok(spec: str, table: str, said: str, unsaid: str) -> None:
    """A link's unique pair reads the operation its contract has: a PUT finds the row, a POST answers 409 or replays its key."""
    result = design_spec(load_spec_bytes(spec.encode(), "links.yaml"))
    tables = {t.name: t for s in result.architecture.datastores for t in s.tables}
    reason = next(u.reason for u in tables[table].uniques if "a link exists once" in u.reason)
    assert said in reason
    assert unsaid not in reason
    assert reason in result.files["design.md"]
