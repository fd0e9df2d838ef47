"""A create of a scope with its membership rows takes the members list its assumption and checklist say: none where only the
creator is written, a bounded list with the caller among them where the scope is made with its members (issue 22-q6,
discord C1: 'writes 1 Member row, its creator's' beside a required list of 1-100 arbitrary user ids).

Specs of different shapes: clubs whose founder is their only first member (a ``part_of`` membership with a join time), workspaces
whose creator holds a seat with an admin role (a membership by reference), direct threads between two people, teams made with
a stated average of members, and guilds whose members carry a nickname only the client can give.
"""

from __future__ import annotations

from functools import cache

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import ApiProperty, ApiSchema, Architecture, Operation

CLUBS = """\
system: clubs
entities:
  User: {fields: {name: string(80)}, rows: 1M}
  Club: {fields: {name: string(100), founder: ref(User)}}
  ClubMember:
    part_of: Club
    fields: {user: ref(User), joined_at: datetime}
    unique: [[club, user]]
  Post:
    part_of: Club
    fields: {author: ref(User), body: text}
use_cases:
  - {name: found club, writes: [Club, ClubMember], rate: 10k/day}
  - {name: join club, writes: ClubMember, rate: 200k/day}
  - {name: post in club, writes: Post, rate: 1M/day}
  - {name: list club posts, reads: Post, filter: club, page: cursor, rate: 5M/day}
"""

WORKSPACES = """\
system: work
entities:
  Account: {fields: {email: {type: email, unique: true}}, rows: 200k}
  Workspace: {fields: {title: string(60)}}
  Seat:
    fields: {workspace: ref(Workspace), account: ref(Account), role: "enum[member,admin]"}
    unique: [[workspace, account]]
  Doc:
    fields: {workspace: ref(Workspace), text: text}
use_cases:
  - {name: create workspace, actor: account, writes: [Workspace, Seat], rate: 2k/day}
  - {name: add seat, actor: account, writes: Seat, rate: 20k/day}
  - {name: write doc, actor: account, writes: Doc, rate: 100k/day}
  - {name: list docs, actor: account, reads: Doc, filter: workspace, rate: 1M/day}
"""

THREADS = """\
system: threads
entities:
  Person: {fields: {handle: string(30)}, rows: 5M}
  Thread: {fields: {topic: string(120)?}}
  ThreadMember:
    part_of: Thread
    fields: {person: ref(Person), muted: bool}
    unique: [[thread, person]]
  Note:
    part_of: Thread
    fields: {sender: ref(Person), body: text}
use_cases:
  - {name: open a direct thread, actor: person, writes: [Thread, ThreadMember], rate: 300k/day}
  - {name: send note, actor: person, writes: Note, rate: 20M/day}
  - {name: read thread, actor: person, reads: Note, filter: thread, page: cursor, rate: 40M/day}
"""

TEAMS = """\
system: teams
entities:
  User: {fields: {name: string(80)}, rows: 500k}
  Team: {fields: {name: string(80)}}
  TeamMember:
    part_of: Team
    avg_per_parent: 5
    max_per_parent: 50
    fields: {user: ref(User), title: string(40)?}
    unique: [[team, user]]
  Task:
    part_of: Team
    fields: {title: string(200)}
use_cases:
  - {name: create team, writes: [Team, TeamMember], rate: 5k/day}
  - {name: add task, writes: Task, rate: 200k/day}
  - {name: list tasks, reads: Task, filter: team, page: cursor, rate: 2M/day}
"""

GUILDS = """\
system: guilds
entities:
  Gamer: {fields: {tag: string(30)}, rows: 2M}
  Guild: {fields: {name: string(60)}}
  GuildMember:
    part_of: Guild
    fields: {gamer: ref(Gamer), nickname: string(30)}
    unique: [[guild, gamer]]
  Raid:
    part_of: Guild
    fields: {boss: string(60)}
use_cases:
  - {name: form guild, actor: gamer, writes: [Guild, GuildMember], rate: 20k/day}
  - {name: plan raid, actor: gamer, writes: Raid, rate: 100k/day}
  - {name: list raids, actor: gamer, reads: Raid, filter: guild, rate: 1M/day}
"""

SPECS = {"clubs": CLUBS, "workspaces": WORKSPACES, "threads": THREADS, "teams": TEAMS, "guilds": GUILDS}


@cache
def _designed(name: str) -> Architecture:
    return design_of(SPECS[name])


def _create(arch: Architecture, scope: str) -> tuple[Operation, ApiSchema]:
    for api in arch.apis:
        for op in api.operations:
            if op.kind == "create" and op.entity == scope and not op.internal and op.request_schema:
                return op, next(s for s in api.schemas if s.name == op.request_schema)
    raise AssertionError(f"no create of {scope}")


def _list(body: ApiSchema, member: str) -> ApiProperty | None:
    return next((p for p in body.properties if p.type == "array" and p.items == f"{member}Create"), None)


@pytest.mark.parametrize(
    ("name", "scope", "member", "stored"),
    [
        pytest.param("clubs", "Club", "ClubMember", "user_id the token's subject, joined_at the time of the request", id="part-of-with-join-time"),
        pytest.param("workspaces", "Workspace", "Seat", "account_id the token's subject, role 'admin'", id="reference-with-admin-role"),
    ],
)
def test_a_creator_only_scope_takes_no_members_list_ok(name: str, scope: str, member: str, stored: str) -> None:
    """Where the one row sized is the creator's, the body lists no members and the contract, assumption and checklist say the server writes it."""
    arch = _designed(name)
    op, body = _create(arch, scope)
    assert _list(body, member) is None, [p.name for p in body.properties]
    assert f"The server writes the creator's {member} row in that transaction ({stored})" in op.description, op.description
    assumed = [a for a in arch.assumptions if f"1 {member} row a {scope}, its creator's" in a]
    assert assumed, arch.assumptions
    assert "its body lists no members" in assumed[0]
    items = [i for i in arch.security.review_items if i.startswith("Member writes:") and f"to the new {scope}" in i]
    assert items, arch.security.review_items
    assert "adds only its creator" in items[0]


@pytest.mark.parametrize(
    ("name", "scope", "member", "bounds", "rows"),
    [
        pytest.param("threads", "Thread", "ThreadMember", (2, 2), "2 ThreadMember rows", id="pair-lists-both"),
        pytest.param("teams", "Team", "TeamMember", (1, 50), "5 TeamMember rows", id="stated-average-bounded-by-max"),
        pytest.param("guilds", "Guild", "GuildMember", (1, 100), "1 GuildMember row", id="client-only-field-keeps-list"),
    ],
)
def test_a_listed_scope_bounds_its_list_by_the_rule_err(name: str, scope: str, member: str, bounds: tuple[int, int], rows: str) -> None:
    """Where the body lists the members, the list holds the sized count, names the caller among them (422) and the checklist says so."""
    arch = _designed(name)
    op, body = _create(arch, scope)
    listed = _list(body, member)
    assert listed is not None, [p.name for p in body.properties]
    assert (listed.min_items, listed.max_items) == bounds
    said = listed.description or ""
    assert "the caller among them" in said, said
    assert "422" in said
    assert "The server writes the creator's" not in op.description
    assumed = [a for a in arch.assumptions if f"writes {rows}" in a or rows in a]
    assert assumed, arch.assumptions
    assert "the caller among them" in assumed[0]
    items = [i for i in arch.security.review_items if i.startswith("Member writes:") and f"makes a {scope}" in i]
    assert items, arch.security.review_items
    assert "the caller among them (422 otherwise)" in items[0]
