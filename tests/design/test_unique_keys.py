"""A sharded table's unique key that leaves out the shard key is held across the shards by a uniqueness table keyed by the value."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from backend_architect.api import design_spec
from backend_architect.spec.load import load_spec_bytes

#: Handles and emails on a table sharded by id (past one primary's inserts), and a pair that includes its shard key.
PEOPLE = """\
system: people
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Club: {rows: 10k, fields: {name: string(80)}}
  Person:
    fields: {handle: {type: string(30), unique: true}, email: {type: email, unique: true}, bio: string(400)}
  Seat:
    part_of: Club
    unique: [[club, holder]]
    fields: {holder: ref(Person), row: string(4)}
use_cases:
  - {name: sign up, kind: create, writes: [Person], rate: 8k/s}
  - {name: show person, kind: get, reads: [Person], rate: 2k/s}
  - {name: take seat, kind: create, writes: [Seat], rate: 7k/s}
  - {name: club seats, kind: list, reads: [Seat], filter: [club], rate: 500/s}
"""


def _result() -> Any:
    return design_spec(load_spec_bytes(PEOPLE.encode(), "people.yaml"))


@pytest.mark.parametrize(
    ("table", "guards"),
    [
        pytest.param("people", {("handle",): "people_handle_keys", ("email",): "people_email_keys"}, id="sharded by id: each unique value guarded"),
        pytest.param("seats", {}, id="unique key holds the shard key: one shard holds it"),
    ],
)
def test_unique_keys_of_a_sharded_table_are_held_across_shards_ok(table: str, guards: dict[tuple[str, ...], str]) -> None:
    """Each unique key without the shard key gets a uniqueness table keyed by the value; one including the shard key needs none."""
    arch = _result().architecture
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    sharding = tables[table].sharding
    assert sharding is not None
    assert {tuple(g.columns): g.table for g in sharding.uniques} == guards
    for columns, name in guards.items():
        assert tables[name].primary_key == list(columns)
        assert tables[name].rows_per_day == tables[table].rows_per_day
        # the reservations are writes of the create: the database's ledger counts one per new row and value
        writes = next(f for f in arch.figures if f.key.startswith("db.writes.peak.") and f"peak_sign-up_{name}" in f.inputs)
        assert writes.inputs[f"peak_sign-up_{name}"] == writes.inputs["peak_sign-up"]


def test_uniqueness_table_refuses_a_taken_value_in_postgres_ok(postgres: Any) -> None:
    """The generated DDL applies to PostgreSQL and SQLite, and the uniqueness table refuses a second row with a taken value."""
    from ddl_checks import apply_postgres, apply_sqlite, postgres_rows_insert

    result = _result()
    scripts = [text for path, text in sorted(result.files.items()) if path.endswith(".postgresql.sql")]
    apply_postgres(postgres, "unique_keys", scripts)
    postgres_rows_insert(postgres, "unique_keys", result.architecture.datastores)
    apply_sqlite(result)
    row = "INSERT INTO people_handle_keys (handle, person_id) VALUES ('ada', '01950f6b-8a3c-74a9-a7f4-1208ddf6b11b');"
    postgres.psql(row, "unique_keys")  # type: ignore[attr-defined]
    with pytest.raises(subprocess.CalledProcessError) as refused:
        postgres.psql(row.replace("74a9", "74aa"), "unique_keys")  # type: ignore[attr-defined]
    assert "pk_people_handle_keys" in str(refused.value.stderr)


@pytest.mark.parametrize(
    ("strip", "expected"), [pytest.param(False, [], id="held across shards"), pytest.param(True, ["email", "handle"], id="per shard only")]
)
def test_critic_refuses_a_unique_key_held_per_shard_only_err(strip: bool, expected: list[str]) -> None:
    """DES011: a sharded table's unique key without the shard key and without a uniqueness table is a warning, never silent."""
    from backend_architect.rules.design.data_agrees import unique_key_per_shard_only
    from backend_architect.rules.registry import review

    arch = _result().architecture
    if strip:
        stores = [
            s.model_copy(
                update={"tables": [t.model_copy(update={"sharding": t.sharding.model_copy(update={"uniques": []})}) if t.sharding else t for t in s.tables]}
            )
            for s in arch.datastores
        ]
        arch = arch.model_copy(update={"datastores": stores})
    found = sorted(f.message.split("(")[1].split(")")[0] for f in review(arch, (unique_key_per_shard_only,)) if "people" in f.message)
    assert found == expected


#: Bookings holding a room while held or confirmed: a partial unique rule without the shard key (guest_id) when sharded.
BOOKINGS = """\
system: bookings
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Guest: {rows: 1M, fields: {name: string(80)}}
  Room: {rows: 200k, fields: {label: string(40)}}
  Booking:
    fields: {guest: ref(Guest), room: ref(Room), status: "enum[held, confirmed, released]", note: string(400)}
    unique:
      - {fields: [room], when: {status: [held, confirmed]}}
use_cases:
  - {name: hold room, actor: guest, kind: create, writes: [Booking.room, Booking.note], rate: RATE}
  - {name: confirm booking, actor: guest, kind: action, writes: [Booking.status], rate: 100/s}
  - {name: my bookings, actor: guest, kind: list, reads: [Booking], filter: [guest], rate: 2k/s}
"""


@pytest.mark.parametrize(
    ("rate", "names", "refused_by"),
    [
        pytest.param("8k/s", ["bookings_room_id_keys"], "fails to reserve its value in bookings_room_id_keys", id="sharded now"),
        pytest.param(
            "300/s",
            ["bookings_room_id_keys", "within one shard (all of it until stage 5 (sharding) builds the shards)"],
            "fails to reserve its value in bookings_room_id_keys",
            id="sharded later",
        ),
        pytest.param("20/s", [], "fails on this index", id="unsharded"),
    ],
)
def test_unique_rule_names_the_one_mechanism_that_holds_it_ok(rate: str, names: list[str], refused_by: str) -> None:
    """Every sentence about a partial unique rule (design.md's schema notes, the DDL comments of both dialects) names what
    refuses the second of two racing writes: the uniqueness table on a table sharded by another key, reserved from the first
    day, the index holding the rule within one shard (all of it until the stage that builds the shards, said with it); the
    index alone on a table that is never sharded."""
    result = design_spec(load_spec_bytes(BOOKINGS.replace("RATE", rate).encode(), "bookings.yaml"))
    texts = [result.files["design.md"], *(t for p, t in result.files.items() if p.endswith(".sql"))]
    said = [line for text in texts for line in text.splitlines() if "uq_bookings_room_id" in line and "409" in line]
    assert len(said) >= 3, said
    for line in said:
        assert refused_by in line, line
        assert all(name in line for name in names), line
        if not names:
            assert "across shards" not in line, line
    tables = {t.name for s in result.architecture.datastores for t in s.tables}
    assert ("bookings_room_id_keys" in tables) == bool(names)


#: Short codes the server makes (``key: short_code``, PAT024) on a table sharded past one primary's inserts, beside a stated unique.
MADE_VALUES = """\
system: made
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Link:
    key: short_code
    fields: {target: string(500), owner_email: {type: email, unique: true}}
use_cases:
  - {name: shorten, kind: create, writes: [Link], rate: 9k/s}
  - {name: open link, kind: get, reads: [Link], rate: 20k/s}
"""


def test_a_uniqueness_table_copies_the_value_never_makes_it_ok() -> None:
    """A uniqueness table's value columns are copies the writer reserves: not generated, no identity, no default, whatever
    the row's own column is (the property test's derandomized spec had a generated key column: DES008)."""
    result = design_spec(load_spec_bytes(MADE_VALUES.encode(), "made.yaml"))
    keys = [t for s in result.architecture.datastores for t in s.tables if t.name.endswith("_keys") and t.role is None]
    assert keys, "the spec must shard its table so its unique values get uniqueness tables"
    for table in keys:
        for column in table.columns:
            if column.name in table.primary_key:
                assert not column.generated, (table.name, column.name)
                assert not column.identity, (table.name, column.name)
                assert column.default is None, (table.name, column.name)
    assert not [f for f in result.findings if f.code == "DES008"]
