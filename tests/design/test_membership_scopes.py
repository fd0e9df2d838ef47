"""Members only, completed: the scope's own row, scopes reached through a parent, and checks at scale (issue 22-d4).

Specs of several shapes: a room read and renamed by its own id (its members' only), locally and across services; a workspace
whose boards, cards and comments are its parts (a comment's card -> board -> workspace), beside an order naming a store's
product (a reference, not a part: no membership reaches through it); a guild's posts kept in the wide-column store, read per
room of the guild; and memberships held by another service, checked below and above the local-copy threshold.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.member_copies import member_copy_table
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: Rooms and their members; a room read and renamed by its id, and the caller's rooms listed through their memberships.
ROOMS = """
system: rooms
services:
  rooms: {owns: [User, Room, ROOMMEMBER]}
  HOLDER
entities:
  User: {fields: {handle: {type: string(30), unique: true}}, rows: 2M}
  Room: {fields: {title: string(100), topic: string(200)?, created_by: ref(User)}, rows: 500k}
  RoomMember: {fields: {room: ref(Room), user: ref(User)}, unique: [[room, user]]}
use_cases:
  - {name: open room, actor: user, writes: [Room, RoomMember], rate: 5/s}
  - {name: my rooms, actor: user, owner_only: true, reads: [RoomMember, Room], filter: [user], rate: 50/s}
  - {name: view room, actor: user, kind: get, reads: [Room], rate: 80/s}
  - {name: rename room, actor: user, kind: update, writes: [Room.title], rate: 2/s}
"""

#: A workspace's boards, cards and comments are parts of it (part_of): a comment's scope is its card's board's workspace.
WORKSPACES = """
system: boards
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Workspace: {fields: {name: string(100), owner: ref(User)}, rows: 50k}
  Seat: {part_of: Workspace, fields: {user: ref(User)}, unique: [[workspace, user]], avg_per_parent: 8}
  Board: {part_of: Workspace, fields: {name: string(100)}, avg_per_parent: 5}
  Card: {part_of: Board, fields: {title: string(200), author: ref(User)}, avg_per_parent: 40}
  Comment: {part_of: Card, fields: {author: ref(User), body: text}, growth: 200k/day}
  Store: {fields: {name: string(100)}, rows: 10k}
  Staff: {part_of: Store, fields: {user: ref(User)}, unique: [[store, user]]}
  Product: {part_of: Store, fields: {title: string(100), price: decimal(10,2)}, rows: 1M}
  Order: {fields: {product: ref(Product), buyer: ref(User), quantity: int}, growth: 50k/day}
use_cases:
  - {name: create workspace, actor: user, writes: [Workspace, Seat], rate: 1/s}
  - {name: list seats, actor: user, reads: [Seat], filter: [workspace], rate: 10/s}
  - {name: add card, actor: user, writes: [Card], rate: 20/s}
  - {name: card comments, actor: user, reads: [Comment], filter: [card], sort: [-created_at], rate: 150/s}
  - {name: comment, actor: user, writes: [Comment], rate: 30/s}
  - {name: list staff, actor: user, reads: [Staff], filter: [store], rate: 5/s}
  - {name: place order, actor: user, writes: [Order], rate: 10/s}
  - {name: browse products, actor: user, reads: [Product], sort: [price], rate: 300/s}
"""

#: A guild's posts (the wide-column store's by their rates) read per room, a room being part of its guild.
GUILDS = """
system: guilds
team: {size: 30}
services:
  guilds: {owns: [User, Guild, GuildMember, Room]}
  posts: {owns: [Post]}
entities:
  User: {fields: {name: string(32)}, rows: 20M}
  Guild: {fields: {name: string(100), owner: ref(User)}, rows: 2M}
  GuildMember: {fields: {guild: ref(Guild), user: ref(User)}, unique: [[guild, user]]}
  Room: {part_of: Guild, fields: {name: string(100)}, avg_per_parent: 6}
  Post: {fields: {room: ref(Room), author: ref(User), body: text}, growth: 500M/day}
use_cases:
  - {name: join guild, actor: user, writes: [GuildMember], rate: 20/s}
  - {name: guild members, actor: user, reads: [GuildMember], filter: [guild], rate: 100/s}
  - {name: open room, actor: user, writes: [Room], rate: 5/s}
  - {name: write post, actor: user, writes: [Post], rate: 500M/day}
  - {name: room posts, actor: user, reads: [Post], filter: [room], sort: [-created_at], page: cursor, consistency: eventual, rate: 500M/day}
"""

#: Teams held by the people service, their documents by another: listed per team at RATE, joined at JOIN.
TEAMS = """
system: teams
team: {size: 30}
services:
  people: {owns: [User, Team, TeamMember]}
  docs: {owns: [Doc]}
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 5M}
  Team: {fields: {name: string(100)}, rows: 200k}
  TeamMember: {fields: {team: ref(Team), user: ref(User)}, unique: [[team, user]]}
  Doc: {fields: {team: ref(Team), title: string(200), body: text}, growth: 1M/day}
use_cases:
  - {name: my teams, actor: user, reads: [TeamMember, Team], filter: [user], rate: 20/s}
  - {name: join team, actor: user, writes: [TeamMember], rate: JOIN}
  - {name: team docs, actor: user, reads: [Doc], filter: [team], sort: [-created_at], rate: RATE}
"""


def _designed(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


def _checks(arch: Architecture) -> dict[str, tuple[str, str, str, list[str]]]:
    return {c.operation: (c.scope, c.where, c.check, c.via) for c in arch.membership_checks}


@pytest.mark.parametrize(
    ("holder", "check"),
    [pytest.param("", "local", id="memberships-beside-the-room"), pytest.param("members: {owns: [RoomMember]}", "query", id="memberships-elsewhere")],
)
def test_a_scopes_own_row_is_read_and_changed_by_its_members_only_ok(holder: str, check: str) -> None:
    """A room read or renamed by its own id is its members' (a stranger gets 404, as for an unknown room); opening a room and
    listing the caller's own rooms (through their memberships) are not gated."""
    arch = _designed(ROOMS.replace("HOLDER", holder).replace(", ROOMMEMBER", "" if holder else ", RoomMember"))
    checks = _checks(arch)
    assert checks["viewRoom"] == ("Room", "path", check, [])
    assert checks["renameRoom"] == ("Room", "path", check, [])
    assert not {"openRoom", "myRooms"} & set(checks)
    view = next(op for api in arch.apis for op in api.operations if op.operation_id == "viewRoom")
    assert (view.members_of, 404 in view.error_statuses) == ("Room", True)


def test_a_part_is_checked_against_its_nearest_ancestor_with_members_ok() -> None:
    """A comment of a card of a board is its workspace's members' (card -> board -> workspace, one probe of the seats); an order
    naming a store's product is not the store staff's (products are browsed across stores: a public part)."""
    checks = _checks(_designed(WORKSPACES))
    assert checks["cardComments"] == ("Workspace", "path", "local", ["cards.board_id", "boards.workspace_id"])
    assert checks["comment"] == ("Workspace", "path", "local", ["cards.board_id", "boards.workspace_id"])
    assert checks["addCard"][0::3] == ("Workspace", ["boards.workspace_id"])
    assert "placeOrder" not in checks


def test_a_membership_probe_leaves_the_wide_column_store_in_place_ok() -> None:
    """Room posts, read per room and checked against the room's guild (through rooms.guild_id), stay in the wide-column store:
    the probe reads the membership pairs, not the posts' table, so it adds no second key to the posts' read."""
    arch = _designed(GUILDS)
    scope, where, _, via = _checks(arch)["roomPosts"]
    assert (scope, where, via) == ("Guild", "path", ["rooms.guild_id"])
    assert any(d.id == "wide-column" and "for posts" in d.choice for d in arch.decisions), [d.id for d in arch.decisions]
    probe = next(c for c in arch.membership_checks if c.operation == "roomPosts")
    reads = {f.key.removeprefix("db.reads.peak."): f.inputs for f in arch.figures if f.key.startswith("db.reads.peak.")}
    assert any("check_roomPosts_member" in inputs for inputs in reads.values()), reads
    assert probe.table in {t.name for s in arch.datastores if s.engine == "postgresql" for t in s.tables}
    # the room's guild is read in guilds: a copy of the pairs in posts could not resolve it, so the call stays
    assert (probe.check, probe.service) == ("query", "guilds"), probe.reason


@pytest.mark.parametrize(
    ("rate", "join", "check"),
    [
        pytest.param("100/s", "2/s", "query", id="below-the-threshold-a-call"),
        pytest.param("2000/s", "2/s", "local copy", id="above-the-threshold-a-copy"),
        pytest.param("2000/s", "3000/s", "query", id="above-but-joins-outpace-checks-a-call"),
    ],
)
def test_memberships_in_another_service_are_checked_by_call_or_copy_from_the_numbers_ok(rate: str, join: str, check: str) -> None:
    """Memberships another service holds are checked by a call below the local-copy threshold, against an event-fed copy of
    the (scope, member) pairs in the checker's database above it (its probes counted there, no call made, the holder's events
    feeding it), and by the call again where the copy would write more than the checks it saves."""
    arch = _designed(TEAMS.replace("RATE", rate).replace("JOIN", join))
    member = next(c for c in arch.membership_checks if c.operation == "teamDocs")
    assert (member.service, member.check) == ("people", check), member.reason
    served = next(f for f in arch.figures if f.key == "qps.peak.service.people")
    reads = {f.key.removeprefix("db.reads.peak."): f.inputs for f in arch.figures if f.key.startswith("db.reads.peak.")}
    flow = next(f for f in arch.flows if f.use_case == "team docs")
    if check == "query":
        assert served.inputs["check_teamDocs"] == pytest.approx(member.peak)
        assert "1,000" in member.reason
        return
    assert member.table == member_copy_table("team_members")
    docs_db = next(s for s in arch.datastores if s.service == "docs" and s.engine == "postgresql")
    assert member.table in {t.name for t in docs_db.tables}
    assert "check_teamDocs" not in served.inputs
    assert reads[docs_db.name.partition(".")[0]]["check_teamDocs_member"] == pytest.approx(member.peak)
    assert any(s.kind == "event" and s.source == "people" and s.target == "docs" for s in flow.steps), flow.steps
    assert "people" not in next(op.upstreams for api in arch.apis for op in api.operations if op.operation_id == "teamDocs")
    assert any(e.entity == "TeamMember" and "docs" in e.consumers for e in arch.events), arch.events


def test_memberships_written_only_beside_their_scope_feed_no_copy_err() -> None:
    """A membership written only with its scope (a team created with its members) has no event of its own a copy could follow:
    past the threshold the call stays, and its reason says why."""
    text = TEAMS.replace("RATE", "2000/s").replace("  - {name: join team, actor: user, writes: [TeamMember], rate: JOIN}\n", "")
    arch = _designed(text.replace("  - {name: my teams,", "  - {name: create team, actor: user, writes: [Team, TeamMember], rate: 2/s}\n  - {name: my teams,"))
    member = next(c for c in arch.membership_checks if c.operation == "teamDocs")
    assert member.check == "query"
    assert "no use case writes TeamMember as its own row" in member.reason
    assert not any(t.name == member_copy_table("team_members") for s in arch.datastores for t in s.tables)
