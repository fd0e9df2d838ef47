"""What is fed by events is fed by events that exist (issue 22-e6): every table the design keeps from another table's rows
through the relay (a by-member lookup beside a part sharded by its parent, an event-fed copy of another service's pairs) names
published events, each carrying what the keeper writes; and a foreign key is declared only between rows on one server, now
and once sharded."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from tests.design.test_membership_scopes import TEAMS
from tests.design.test_shard_maps import ALBUMS

from backend_architect.api import design_spec
from backend_architect.design.co_writes import placements
from backend_architect.design.cross_server_keys import placements_today
from backend_architect.ir.model import Architecture, Event
from backend_architect.ir.payloads import event_table, payload_fields
from backend_architect.spec.load import load_spec_bytes

#: Clubs with members (parts created with the club, joined and left one by one) and a heavy stream of posts by club: the
#: family is sharded by the club's id now, and "my clubs" selects memberships by member.
CLUBS = """\
system: clubs
team: {size: 6}
scale: {rates: average, peak_factor: 3, retention_years: 5}
services:
  clubs: {owns: [User, Club, Membership, Post]}
entities:
  User: {fields: {name: string(80)}, rows: 20M}
  Club:
    fields: {name: string(80), about: {type: text, avg_bytes: 2000}}
    growth: 2M/day
  Membership:
    part_of: Club
    avg_per_parent: 4
    unique: [[club, user]]
    fields: {user: ref(User), role: "enum[member, owner]"}
  Post:
    fields: {club: ref(Club), author: ref(User), body: {type: text, avg_bytes: 400}}
    growth: 600M/day
use_cases:
  - {name: my clubs, reads: [Membership, Club], filter: [Membership.user], rate: 300M/day}
  - {name: create club, writes: [Club, Membership], rate: 2M/day}
  - {name: join club, writes: [Membership], rate: 3M/day}
  - {name: leave club, kind: delete, writes: [Membership], rate: 1M/day}
  - {name: post to club, writes: [Post], rate: 600M/day}
  - {name: club posts, reads: [Post], filter: [club], sort: [-created_at], page: cursor, rate: 900M/day}
"""

#: The teams of another service checked against a local copy of their pairs, joined, left and created with their members.
TEAMS_COPIED = TEAMS.replace("RATE", "2000/s").replace("JOIN", "2/s") + (
    "  - {name: leave team, actor: user, kind: delete, writes: [TeamMember], rate: 1/s}\n"
    "  - {name: create team, actor: user, writes: [Team, TeamMember], rate: 1/s}\n"
)

#: The albums whose own rows pass one primary today: the parent is sharded now with its parts, one family on one map.
ALBUMS_NOW = ALBUMS.replace("    rows: 400M\n", "    rows: 900M\n", 1)


def _design(text: str) -> tuple[Architecture, dict[str, str]]:
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    return result.architecture, result.files


def _event(arch: Architecture, use_case: str) -> Event:
    return next(e for e in arch.events if e.use_case == use_case)


def _payload(arch: Architecture, event: Event) -> list[str]:
    return payload_fields(event, event_table(arch, event.entity))


def test_a_lookup_beside_a_part_sharded_by_its_parent_is_fed_by_published_events_ok() -> None:
    """The memberships' lookup by member is fed by the events of every write adding or removing memberships (a join, a leave, a
    club created with its members), each published (events list, AsyncAPI, hand-off, events figure) and carrying the member, the
    row and its shard key; the lookup's reason names them."""
    arch, files = _design(CLUBS)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    assert "memberships_by_user_id" in tables, sorted(tables)
    joined, left, created = (_event(arch, u) for u in ("join club", "leave club", "create club"))
    for event in (joined, left):
        assert "clubs" in event.consumers, event
        assert {"user_id", "club_id"} <= set(_payload(arch, event)), _payload(arch, event)
    (part,) = created.parts
    assert part.table == "memberships"
    assert [c.name for c in part.columns] == ["id", "user_id", "club_id"]
    assert part.rows == 4
    assert "memberships" in _payload(arch, created)
    reason = next(p.reason for p in arch.placements if p.data == "memberships_by_user_id")
    assert f"({created.name}, {joined.name}, {left.name})" in reason, reason
    asyncapi = yaml.safe_load(files["asyncapi/clubs.yaml"])
    schemas = asyncapi["components"]["schemas"]
    members = next(s["properties"]["memberships"] for s in schemas.values() if "memberships" in s.get("properties", {}))
    assert members["type"] == "array"
    assert members["items"]["required"] == ["id", "user_id", "club_id"]
    for event in (joined, left, created):
        assert f"| {event.name} | clubs |" in files["design.md"]
    published = {f.key: f for f in arch.figures}["events.peak"].inputs
    assert {joined.name, left.name, created.name} <= set(published), published
    # each write's flow draws its event through the outbox to the keeper, and none of them says it publishes nothing
    for event in (joined, left, created):
        flow = next(f for f in arch.flows if f.use_case == event.use_case)
        assert any(s.kind == "event" and s.description.startswith(f"{event.name} via the outbox") for s in flow.steps), flow.steps
        assert flow.style != "local", flow
    # their outbox rows commit beside the memberships: the inserts figure the sharding rule reads counts them
    guarantee = {f.key: f for f in arch.figures}["qps.peak.guarantee.table.memberships"].inputs
    assert any(k.startswith("outbox_join-club") for k in guarantee), guarantee


def test_no_lookup_publishes_no_feeding_event_err() -> None:
    """Where the family is not sharded now (no lookup), a join nobody else reads publishes nothing on the lookup's account."""
    small = CLUBS.replace("growth: 600M/day", "growth: 1M/day").replace("rate: 600M/day", "rate: 1M/day")
    arch, _ = _design(small)
    assert not any(t.name.endswith("_by_user_id") for s in arch.datastores for t in s.tables)
    assert not any(e.use_case in {"join club", "leave club"} for e in arch.events), arch.events


def test_an_event_fed_copy_of_another_services_pairs_carries_every_pair_ok() -> None:
    """A local copy of another service's membership pairs is fed by a join, a leave (its event names the pair it removes) and
    a scope created with its members (its event carries their pairs), each consumed by the keeper."""
    arch, _ = _design(TEAMS_COPIED)
    member = next(c for c in arch.membership_checks if c.operation == "teamDocs")
    assert member.check == "local copy", member.reason
    for use_case in ("join team", "leave team"):
        event = _event(arch, use_case)
        assert "docs" in event.consumers, event
        assert set(member.index) <= set(_payload(arch, event)), (use_case, _payload(arch, event))
    created = _event(arch, "create team")
    assert "docs" in created.consumers
    (part,) = created.parts
    assert set(member.index) <= {c.name for c in part.columns}


def test_a_part_sharded_before_its_parent_declares_no_key_today_err(postgres: Any) -> None:
    """Photos sharded now by their album's id, albums on the unsharded primary until their stage: one shard map once sharded,
    two servers today, so no foreign key; the column says how the reference is checked, and the DDL applies."""
    from ddl_checks import apply_postgres

    result = design_spec(load_spec_bytes(ALBUMS.encode(), "albums.yaml"))
    arch, files = result.architecture, result.files
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    assert placements(arch)["photos"] == placements(arch)["albums"]
    assert placements_today(arch)["photos"] != placements_today(arch)["albums"]
    reference = next(fk for fk in tables["photos"].foreign_keys if fk.ref_table == "albums")
    assert reference.checked_by
    assert "albums stays on the unsharded primary until its shards are built" in reference.checked_by
    # no use case deletes albums and none expire: the note claims no deleted event that nothing publishes
    assert "no use case deletes albums rows" in reference.checked_by
    assert "deleted event" not in reference.checked_by
    ddl = next(text for path, text in files.items() if path.endswith(".postgresql.sql") and "CREATE TABLE" in text and "photos" in text)
    assert f"CONSTRAINT {reference.name} " not in ddl
    assert "- reference `album_id` → `albums` on another server" in files["design.md"]
    apply_postgres(postgres, "albums_today", [t for p, t in sorted(files.items()) if p.endswith(".postgresql.sql")])


@pytest.mark.parametrize(("text", "child", "parent"), [pytest.param(ALBUMS_NOW, "photos", "albums", id="family-sharded-now")])
def test_a_family_sharded_together_keeps_its_key_ok(text: str, child: str, parent: str) -> None:
    """A part and its parent on one shard map from the same stage keep the foreign key, declared in the DDL."""
    arch, files = _design(text)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    assert placements_today(arch)[child] == placements_today(arch)[parent] != (placements_today(arch)[parent][0], "")
    reference = next(fk for fk in tables[child].foreign_keys if fk.ref_table == parent)
    assert not reference.checked_by
    ddl = next(text for path, text in files.items() if path.endswith(".postgresql.sql") and f"CONSTRAINT {reference.name} " in text)
    assert "REFERENCES" in ddl


@pytest.mark.parametrize(("rows", "valid"), [pytest.param(2, True, id="rows-with-their-columns"), pytest.param(0, False, id="a-row-without-its-member")])
def test_a_parents_event_payload_holds_its_part_rows_ok(rows: int, valid: bool) -> None:
    """A parent's event carrying its part rows validates as an array of objects with every copied column, and refuses a row
    missing one; its bytes count the rows the parent has on average."""
    from jsonschema import Draft202012Validator

    from backend_architect.ir.payloads import event_payload_bytes
    from backend_architect.render.asyncapi import event_payload

    arch, _ = _design(CLUBS)
    created = _event(arch, "create club")
    ids = [f"0190a1a2-0000-7000-8000-00000000000{i}" for i in range(6)]
    members = [{"id": ids[2 + i], "user_id": ids[4], "club_id": ids[1]} for i in range(rows)] or [{"id": ids[2], "club_id": ids[1]}]
    body = {"event_id": ids[0], "occurred_at": "2026-03-01T12:00:00Z", "club_id": ids[1], "memberships": members}
    errors = [e.message for e in Draft202012Validator(event_payload(created, event_table(arch, "Club"))).iter_errors(body)]
    assert (not errors) is valid, errors
    without = created.model_copy(update={"parts": []})
    row = 2 + sum(len(name) + 4 + 38 for name in ("id", "user_id", "club_id"))
    assert event_payload_bytes(arch, created) - event_payload_bytes(arch, without) == len("memberships") + 4 + 2 + 4 * row + 3


def test_a_parents_delete_reaching_a_part_sharded_before_it_is_published_and_counted_ok() -> None:
    """Albums deleted by a use case while their photos are sharded now and the albums later: the photos' note says the delete
    reaches them through its deleted event, and that event is published, consumed, and counted in the events figure."""
    arch, _ = _design(ALBUMS + "  - {name: delete album, kind: delete, writes: [Album], rate: 5/s}\n")
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    reference = next(fk for fk in tables["photos"].foreign_keys if fk.ref_table == "albums")
    assert reference.checked_by
    assert "through its deleted event" in reference.checked_by
    deleted = _event(arch, "delete album")
    assert "albums" in deleted.consumers
    assert deleted.name in {f.key: f for f in arch.figures}["events.peak"].inputs
