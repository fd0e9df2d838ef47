"""A membership check needing a parent column another service holds reads it by a call that is drawn and counted.

A post in a room belongs to the room's club; the club's members are held by one service, the rooms by another. The
probe needs ``rooms.club_id`` first: a synchronous call to the rooms' owner on every request, drawn in the flow before
the probe, named by an operation of that owner's contract, counted in its requests, its database's reads and the caller's
latency, never left "to the implementer", where no figure would carry it (``membership.parent_calls``).
"""

from __future__ import annotations

import functools

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import Architecture

#: Clubs whose rooms hold posts: posts, rooms and memberships each in their own service.
CLUBS = """
system: clubs
entities:
  Fan: {fields: {nick: string(30)}, rows: 10M}
  Club: {fields: {name: string(80)}, rows: 1M, growth: 5k/day}
  Membership:
    fields: {club: ref(Club), fan: ref(Fan)}
    unique: [[club, fan]]
    rows: 30M
  Room: {fields: {club: ref(Club), topic: string(80)}, rows: 4M, growth: 20k/day}
  Post: {fields: {room: ref(Room), fan: ref(Fan), body: text}, growth: 30M/day}
use_cases:
  - {name: found club, actor: fan, writes: [Club], rate: 5k/day}
  - {name: join club, actor: fan, writes: [Membership], access: public, rate: 500k/day}
  - {name: club members, actor: fan, reads: [Membership], filter: [club], rate: 2M/day}
  - {name: open room, actor: fan, writes: [Room], rate: 20k/day}
  - {name: post in room, actor: fan, writes: [Post], rate: 30M/day}
  - {name: room posts, actor: fan, reads: [Post], filter: [room], sort: [-created_at], page: cursor, rate: 30M/day}
"""

#: Companies whose teams post standups: a team names its company, a standup its team.
STANDUPS = """
system: standups
entities:
  Employee: {fields: {name: string(40)}, rows: 1M}
  Company: {fields: {name: string(80)}, rows: 50k, growth: 100/day}
  Staff:
    fields: {company: ref(Company), employee: ref(Employee)}
    unique: [[company, employee]]
    rows: 1M
  Team: {fields: {company: ref(Company), name: string(60)}, rows: 200k, growth: 2k/day}
  Standup: {fields: {team: ref(Team), employee: ref(Employee), yesterday: text, today: text}, growth: 800k/day}
use_cases:
  - {name: register company, actor: employee, writes: [Company], rate: 100/day}
  - {name: hire, actor: employee, writes: [Staff], access: public, rate: 10k/day}
  - {name: company staff, actor: employee, reads: [Staff], filter: [company], rate: 200k/day}
  - {name: form team, actor: employee, writes: [Team], rate: 2k/day}
  - {name: post standup, actor: employee, writes: [Standup], rate: 800k/day}
  - {name: team standups, actor: employee, reads: [Standup], filter: [team], sort: [-created_at], page: cursor, rate: 3M/day}
"""

#: Forums of boards of topics of replies: two parent columns, each held by another service, climbed to the forum.
THREADS = """
system: threads
entities:
  Member: {fields: {nick: string(30)}, rows: 20M}
  Forum: {fields: {title: string(80)}, rows: 500k, growth: 1k/day}
  Subscription:
    fields: {forum: ref(Forum), member: ref(Member)}
    unique: [[forum, member]]
    rows: 40M
  Board: {fields: {forum: ref(Forum), title: string(80)}, rows: 3M, growth: 10k/day}
  Topic: {fields: {board: ref(Board), title: string(200)}, rows: 50M, growth: 500k/day}
  Reply: {fields: {topic: ref(Topic), member: ref(Member), body: text}, growth: 20M/day}
use_cases:
  - {name: create forum, actor: member, writes: [Forum], rate: 1k/day}
  - {name: subscribe, actor: member, writes: [Subscription], access: public, rate: 1M/day}
  - {name: forum subscribers, actor: member, reads: [Subscription], filter: [forum], rate: 1M/day}
  - {name: add board, actor: member, writes: [Board], rate: 10k/day}
  - {name: start topic, actor: member, writes: [Topic], rate: 500k/day}
  - {name: reply, actor: member, writes: [Reply], rate: 20M/day}
  - {name: topic replies, actor: member, reads: [Reply], filter: [topic], sort: [-created_at], page: cursor, rate: 40M/day}
"""


@functools.cache
def _designed(text: str) -> Architecture:
    return design_of(text)


CASES = [
    pytest.param(CLUBS, "post in room", {"rooms": "rooms.club_id"}, id="clubs-write"),
    pytest.param(CLUBS, "room posts", {"rooms": "rooms.club_id"}, id="clubs-read"),
    pytest.param(STANDUPS, "team standups", {"teams": "teams.company_id"}, id="standups-read"),
    pytest.param(THREADS, "reply", {"topics": "topics.board_id", "boards": "boards.forum_id"}, id="threads-two-levels"),
]


@pytest.mark.parametrize(("text", "use_case", "parents"), CASES)
def test_a_parent_column_elsewhere_is_called_and_counted_ok(text: str, use_case: str, parents: dict[str, str]) -> None:
    """Each parent column another service holds is a drawn call (before the probe), in its owner's requests and reads."""
    arch = _designed(text)
    (check,) = [c for c in arch.membership_checks if c.use_case == use_case]
    assert check.via == list(parents.values())
    assert "not counted" not in check.reason, check.reason
    assert "implementer" not in check.reason, check.reason
    flow = next(f for f in arch.flows if f.use_case == use_case)
    targets = [s.target for s in flow.steps]
    probe = targets.index(check.service)
    for callee, column in parents.items():
        (step,) = [s for s in flow.steps if s.target == callee and s.kind == "query"]
        assert column in step.description, step
        assert step.operations, step
        # the scope's id comes from the parent column: it is looked up before the probe
        assert targets.index(callee) < probe, targets
        operation = next(op.operation_id for api in arch.apis for op in api.operations if use_case in op.use_cases)
        requests = [f for f in arch.figures if f.key.startswith("qps.peak.service.") and f"call_{operation}" in f.inputs]
        assert any(f.key.endswith(callee) for f in requests), [f.key for f in requests]
        reads = [f for f in arch.figures if f.key.startswith("db.reads.peak.") and f"call_{operation}_{callee}" in f.inputs]
        assert reads, f"no database counts {callee}'s reads for {operation}"
        assert any(callee in p.part for p in flow.latency_parts), [p.part for p in flow.latency_parts]


def test_a_parent_column_of_the_checking_service_is_read_locally_ok() -> None:
    """A parent the checking service holds itself (a project's workspace, where tasks and projects live together) adds no call."""
    arch = _designed(PROJECTS)
    (check,) = [c for c in arch.membership_checks if c.use_case == "project tasks"]
    assert check.via == ["projects.workspace_id"]
    flow = next(f for f in arch.flows if f.use_case == "project tasks")
    assert not any(s.kind == "query" and "look up" in s.description for s in flow.steps), flow.steps
    assert "read from its own database" in check.reason


#: Projects of tasks, kept together in one service; the workspaces' seats in another.
PROJECTS = """
system: projects
entities:
  Person: {fields: {name: string(40)}, rows: 2M}
  Workspace: {fields: {name: string(80)}, rows: 200k, growth: 1k/day}
  Seat:
    fields: {workspace: ref(Workspace), person: ref(Person)}
    unique: [[workspace, person]]
    rows: 2M
  Project: {fields: {workspace: ref(Workspace), title: string(80)}, rows: 1M, growth: 5k/day}
  Task: {part_of: Project, fields: {title: string(200), done: boolean}, growth: 2M/day}
use_cases:
  - {name: create workspace, actor: person, writes: [Workspace, Seat], rate: 1k/day}
  - {name: add seat, actor: person, writes: [Seat], rate: 20k/day}
  - {name: workspace seats, actor: person, reads: [Seat], filter: [workspace], rate: 1M/day}
  - {name: create project, actor: person, writes: [Project], rate: 5k/day}
  - {name: add task, actor: person, writes: [Task], rate: 2M/day}
  - {name: project tasks, actor: person, reads: [Task], filter: [project], page: cursor, rate: 50M/day}
"""
