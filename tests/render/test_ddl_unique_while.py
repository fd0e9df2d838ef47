"""Keys unique in some states only (``unique: [{fields: [...], when: {...}}]``): a partial unique index that real
PostgreSQL and SQLite enforce, so two concurrent claims (one driver, two open rides) cannot both commit."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.errors import InputError
from backend_architect.ir.model import Index
from backend_architect.spec.load import load_spec_bytes
from ddl_checks import apply_postgres, run_postgres

RIDES = """
system: rides
entities:
  Driver: {fields: {name: string(80)}}
  Ride:
    fields:
      driver: ref(Driver)?
      status: enum[requested, accepted, started, ended, cancelled]
    unique:
      - fields: driver
        when: {status: [accepted, started]}
use_cases:
  - {name: request ride, writes: [Ride], rate: 10/s}
  - {name: accept ride, actor: Driver, writes: [Ride.driver, Ride.status], rate: 10/s}
"""
PLANS = """
system: billing
tenant: Account
entities:
  Account: {fields: {name: string(80)}}
  Plan:
    tenant_scoped: true
    soft_delete: true
    fields:
      code: string(20)
      active: bool
    unique: [{fields: [code], when: {active: true}}]
use_cases:
  - {name: change plan, writes: [Plan], rate: 1/s}
"""
SEATS = """
system: venue
entities:
  Show: {fields: {title: string(80)}}
  Seat:
    fields:
      show: ref(Show)
      row_label: string(4)
      number: int
      state: enum[free, held, sold, void]
      printed: bool
    unique:
      - [show, row_label, number, printed]
      - {fields: [show, row_label, number], when: {state: [held, sold], printed: [false]}}
use_cases:
  - {name: hold seat, writes: [Seat], rate: 50/s}
"""


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml").spec)


def _partial(result: DesignResult, table: str) -> Index:
    tables = [t for s in result.architecture.datastores for t in s.tables if t.name == table]
    return next(i for i in tables[0].indexes if i.unique and i.where)


@pytest.mark.parametrize(
    ("spec", "table", "columns", "where", "reason"),
    [
        (
            RIDES,
            "rides",
            ["driver_id"],
            "status IN ('accepted', 'started') AND driver_id IS NOT NULL",
            "at most one Ride per driver while status is accepted or started",
        ),
        (PLANS, "plans", ["tenant_id", "code"], "deleted_at IS NULL AND active = TRUE", "at most one Plan per code while active is true"),
        (
            SEATS,
            "seats",
            ["show_id", "row_label", "number"],
            "state IN ('held', 'sold') AND printed = FALSE",
            "at most one Seat per show and row_label and number while state is held or sold and printed is false",
        ),
    ],
    ids=["enum state, optional holder", "bool state, tenant and soft delete", "two state fields, beside a plain key"],
)
def test_key_unique_in_states_is_a_partial_unique_index_ok(spec: str, table: str, columns: list[str], where: str, reason: str) -> None:
    """The key becomes one partial unique index named as the key, its predicate the states (and live, set rows), its
    reason the invariant and the 409 that enforces it; no plain constraint is left beside it."""
    result = _design(spec)
    index = _partial(result, table)
    assert [c.name for c in index.columns] == columns
    assert index.where == where
    assert index.name.startswith(f"uq_{table}_")
    assert index.reasons[0].startswith(reason)
    assert "409 Conflict" in index.reasons[0]
    tables = [t for s in result.architecture.datastores for t in s.tables if t.name == table]
    assert all(u.columns != columns for u in tables[0].uniques)
    ddl = "\n".join(text for path, text in result.files.items() if path.endswith(".postgresql.sql"))
    assert f"CREATE UNIQUE INDEX {index.name} ON" in ddl
    assert f"WHERE {where};" in ddl


_CLAIMS = [
    ("INSERT INTO drivers (id, name) VALUES ('{d}', 'ann');", True),
    ("INSERT INTO rides (id, driver_id, status) VALUES ('{r1}', '{d}', 'accepted');", True),
    # the same driver's second open ride is refused, whatever state it opens in
    ("INSERT INTO rides (id, driver_id, status) VALUES ('{r2}', '{d}', 'started');", False),
    # closed rides and unassigned requests are free
    ("INSERT INTO rides (id, driver_id, status) VALUES ('{r3}', '{d}', 'ended');", True),
    ("INSERT INTO rides (id, driver_id, status) VALUES ('{r4}', NULL, 'requested');", True),
    ("INSERT INTO rides (id, driver_id, status) VALUES ('{r5}', NULL, 'requested');", True),
    # claiming a request while holding an open ride is refused; after the open ride ends it succeeds
    ("UPDATE rides SET driver_id = '{d}', status = 'accepted' WHERE id = '{r4}';", False),
    ("UPDATE rides SET status = 'ended' WHERE id = '{r1}';", True),
    ("UPDATE rides SET driver_id = '{d}', status = 'accepted' WHERE id = '{r4}';", True),
]
_IDS = {"d": "0190d5a8-7b8e-7c1d-9f00-000000000001", **{f"r{n}": f"0190d5a8-7b8e-7c1d-9f00-00000000010{n}" for n in range(1, 6)}}


def test_sqlite_refuses_a_second_open_claim_ok() -> None:
    """Applied to SQLite, the index refuses exactly the writes that break the invariant."""
    ddl = next(text for path, text in _design(RIDES).files.items() if path.endswith(".sqlite.sql"))
    db = sqlite3.connect(":memory:")
    db.executescript(ddl)
    for statement, accepted in _CLAIMS:
        if accepted:
            db.execute(statement.format(**_IDS))
        else:
            with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed"):
                db.execute(statement.format(**_IDS))


@pytest.mark.postgres
def test_postgres_refuses_a_second_open_claim_ok(postgres: Any) -> None:
    """Applied to PostgreSQL, the same writes meet the same answers (23505 on the refused ones)."""
    result = _design(RIDES)
    database = "unique_while"
    apply_postgres(postgres, database, [text for path, text in sorted(result.files.items()) if path.endswith(".postgresql.sql")])
    schema = result.architecture.datastores[0].schema_name
    for statement, accepted in _CLAIMS:
        sql = f"SET search_path TO {schema}, public; " + statement.format(**_IDS)
        if accepted:
            run_postgres(postgres, database, sql)
        else:
            with pytest.raises(AssertionError, match="duplicate key value violates unique constraint"):
                run_postgres(postgres, database, sql)


@pytest.mark.parametrize(
    ("unique", "message"),
    [
        ("[{fields: driver, when: {stat: [accepted]}}]", "'stat' is not an enum or bool field of 'Ride' (expected one of Ride's state fields: status)"),
        ("[{fields: driver, when: {driver: [accepted]}}]", "'driver' is not an enum or bool field of 'Ride'"),
        ("[{fields: driver, when: {status: [acepted]}}]", "'acepted' is not a value of Ride.status"),
        ("[{fields: drver, when: {status: [accepted]}}]", "'Ride' has no field or relation 'drver'"),
        ("[{fields: driver, when: {}}]", "when"),
        ("[{fields: [], when: {status: [accepted]}}]", "fields"),
    ],
    ids=["unknown state field", "not a state field", "not a value", "unknown key field", "no states", "no fields"],
)
def test_bad_key_in_states_is_a_located_error_err(unique: str, message: str) -> None:
    """Every mistake in a state-scoped key is an error at its line and column, naming what would be right."""
    text = RIDES.replace("    unique:\n      - fields: driver\n        when: {status: [accepted, started]}\n", f"    unique: {unique}\n")
    with pytest.raises(InputError) as raised:
        load_spec_bytes(text.encode(), "spec.yaml")
    rendered = str(raised.value)
    assert message in rendered
    assert "spec.yaml:9:" in rendered, rendered


SHARDED_RIDES = """
system: rides
scale: {retention_years: 5}
entities:
  Rider: {fields: {name: string(80)}, rows: 50M}
  Driver: {fields: {name: string(80)}, rows: 1M}
  Ride:
    fields: {rider: ref(Rider), driver: ref(Driver)?, status: "enum[requested, accepted, started, ended, cancelled]"}
    rows: 20B
    growth: 20M/day
    unique: [{fields: driver, when: {status: [accepted, started]}}]
use_cases:
  - {name: request ride, actor: rider, writes: [Ride], rate: 20M/day}
  - {name: list my rides, actor: rider, reads: [Ride], filter: [rider], rate: 1k/s}
  - {name: accept ride, actor: driver, writes: [Ride.driver, Ride.status], rate: 20M/day}
"""


def test_a_state_key_across_shards_reserves_while_in_the_states_ok() -> None:
    """Rides sharded by rider keep 'one open ride per driver' in a uniqueness table that holds a driver's reservation only
    while its ride is open: sized by the drivers (one row each at most), not by every ride ever made, and said so."""
    result = _design(SHARDED_RIDES)
    tables = {t.name: t for s in result.architecture.datastores for t in s.tables}
    assert tables["rides"].sharding is not None
    assert tables["rides"].sharding.key == "rider_id"
    guard = next(g for g in tables["rides"].sharding.uniques if g.columns == ["driver_id"])
    keys = tables[guard.table]
    assert keys.rows_now == 1_000_000  # the drivers, not the 20B rides
    assert keys.rows_per_day == 0
    assert "while its row is in those states" in keys.comment
    assert "the write taking the row out of those states deletes the reservation" in guard.how
    sizes = {f.key: f.value for f in result.architecture.figures}
    assert sizes[f"rows.5y.{guard.table}"] == 1_000_000
