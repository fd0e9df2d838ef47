"""Authorization by the row's real container, and writes adding a member that cannot escalate (issue 22, class n8).

Specs of several shapes, written as a stranger would: an organisation's tasks filed under a project and naming the
organisation beside it; a server's replies in a thread of a channel, naming the server three levels up; a team whose
seats carry a role and a size; an event's attendees joined by guests, hosts adding others, and a system invitation; a
club whose memberships carry no role at all.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: A task names its project and its organisation beside it: the project's organisation decides, whichever the path holds.
TASKS = """
system: tasks
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Org: {fields: {name: string(100)}, rows: 20k}
  OrgMember: {fields: {org: ref(Org), user: ref(User)}, unique: [[org, user]]}
  Project: {part_of: Org, fields: {name: string(100)}, avg_per_parent: 12}
  Task: {fields: {project: ref(Project), org: ref(Org), title: string(200), author: ref(User)}, growth: 100k/day}
use_cases:
  - {name: org members, actor: user, reads: [OrgMember], filter: [org], rate: 5/s}
  - {name: start project, actor: user, writes: [Project], rate: 1/s}
  - {name: file task, actor: user, writes: [Task], rate: 20/s}
  - {name: org tasks, actor: user, reads: [Task], filter: [org], rate: 40/s}
  - {name: project tasks, actor: user, reads: [Task], filter: [project, org], rate: 40/s}
"""

#: A reply sits in a thread of a channel of a server, and names the server: two parent columns lead to it.
REPLIES = """
system: forum
entities:
  Person: {fields: {handle: {type: string(30), unique: true}}, rows: 5M}
  Server: {fields: {title: string(100), owner: ref(Person)}, rows: 100k}
  Seat: {fields: {server: ref(Server), person: ref(Person)}, unique: [[server, person]]}
  Channel: {part_of: Server, fields: {title: string(100)}, avg_per_parent: 8}
  Thread: {part_of: Channel, fields: {topic: string(200)}, avg_per_parent: 50}
  Reply: {fields: {thread: ref(Thread), server: ref(Server), author: ref(Person), body: text}, growth: 1M/day}
use_cases:
  - {name: join server, actor: person, writes: [Seat], rate: 10/s}
  - {name: server seats, actor: person, reads: [Seat], filter: [server], rate: 10/s}
  - {name: open thread, actor: person, writes: [Thread], rate: 2/s}
  - {name: post reply, actor: person, writes: [Reply], rate: 200/s}
  - {name: thread replies, actor: person, reads: [Reply], filter: [thread, server], rate: 400/s}
  - {name: server replies, actor: person, reads: [Reply], filter: [server], rate: 30/s}
"""

#: Seats of a team carry a role, owners among them, and a team holds at most 25.
TEAMS = """
system: teams
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Team: {fields: {name: string(100)}, rows: 50k}
  Seat: {part_of: Team, fields: {user: ref(User), level: {type: "enum[viewer,editor,owner]", default: viewer}}, unique: [[team, user]], max_per_parent: 25}
use_cases:
  - {name: create team, actor: user, writes: [Team, Seat], rate: 1/s}
  - {name: take seat, actor: user, writes: [Seat], rate: 5/s}
  - {name: team seats, actor: user, reads: [Seat], filter: [team], rate: 20/s}
"""

#: Guests join events, hosts add others; the system's invitation acts for whoever asked it.
EVENTS = """
system: events
entities:
  Person: {fields: {name: string(100)}, rows: 2M}
  Event: {fields: {title: string(100), starts_at: datetime}, rows: 300k}
  Attendee: {fields: {event: ref(Event), person: ref(Person), kind: "enum[host,guest]"}, unique: [[event, person]], max_per_parent: 500}
use_cases:
  - {name: plan event, actor: person, writes: [Event, Attendee], rate: 1/s}
  - {name: attend event, actor: person, writes: [Attendee], rate: 30/s}
  - {name: seat invitee, actor: system, writes: [Attendee], rate: 3/s}
  - {name: guest list, actor: person, reads: [Attendee], filter: [event], rate: 50/s}
"""

#: A club's memberships carry no role: nobody may add others.
CLUBS = """
system: clubs
entities:
  Reader: {fields: {name: string(100)}, rows: 500k}
  Club: {fields: {name: string(100)}, rows: 10k}
  Membership: {fields: {club: ref(Club), reader: ref(Reader), since: datetime}, unique: [[club, reader]]}
use_cases:
  - {name: enrol, actor: reader, writes: [Membership], rate: 4/s}
  - {name: club roll, actor: reader, reads: [Membership], filter: [club], rate: 8/s}
"""

#: A review, one per book and customer, listed by book for anyone: shaped like a membership, it gates nothing.
REVIEWS = """
system: books
entities:
  Customer: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Book: {fields: {title: string(200)}, rows: 100k}
  Review: {fields: {book: ref(Book), customer: ref(Customer), stars: int, body: text}, unique: [[book, customer]], growth: 5k/day}
use_cases:
  - {name: write review, actor: customer, writes: [Review], rate: 1/s}
  - {name: book reviews, actor: customer, access: public, reads: [Review], filter: [book], rate: 50/s}
"""


def _design(text: str) -> tuple[Architecture, dict[str, str]]:
    result = design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))
    return result.architecture, result.files


def _operation(arch: Architecture, use_case: str) -> Any:
    return next(op for api in arch.apis for op in api.operations if use_case in op.use_cases)


def _contracts_valid(files: dict[str, str]) -> None:
    for path, text in files.items():
        if path.startswith("openapi/"):
            validate(yaml.safe_load(text))


@pytest.mark.parametrize(
    ("spec", "use_case", "scope", "via", "agrees", "status"),
    [
        pytest.param(TASKS, "file task", "Org", ["projects.org_id"], ["org_id"], 404, id="task-in-org-path-names-project"),
        pytest.param(REPLIES, "post reply", "Server", ["threads.channel_id", "channels.server_id"], ["server_id"], 422, id="reply-three-levels"),
    ],
)
def test_write_is_checked_against_its_real_container_ok(spec: str, use_case: str, scope: str, via: list[str], agrees: list[str], status: int) -> None:
    """A write naming a container and its ancestor checks the membership of the container's own ancestor; the ancestor it sends must agree."""
    arch, files = _design(spec)
    (check,) = [c for c in arch.membership_checks if c.use_case == use_case]
    assert (check.scope, check.via, check.agrees) == (scope, via, agrees)
    assert "never taken from the request" in check.reason
    op = _operation(arch, use_case)
    assert f"a request whose {agrees[0]} names another gets {status}" in op.description
    assert status in op.error_statuses
    flow = next(f for f in arch.flows if f.use_case == use_case)
    assert f"refuses a request whose {agrees[0]} differs ({status})" in flow.rationale
    assert any(f"a request {agrees[0]} naming another gets {status}" in line for line in files["design.md"].splitlines())
    _contracts_valid(files)


@pytest.mark.parametrize(
    ("spec", "use_case"),
    [
        pytest.param(TASKS, "org tasks", id="filter-by-ancestor-alone"),
        pytest.param(REPLIES, "thread replies", id="filter-naming-both-narrows"),
        pytest.param(REPLIES, "server replies", id="server-filter"),
    ],
)
def test_reads_keep_their_named_scope_ok(spec: str, use_case: str) -> None:
    """A read's filters only narrow what a member sees: no body ancestor is there to agree, so the check says none."""
    arch, _files = _design(spec)
    checks = [c for c in arch.membership_checks if c.use_case == use_case]
    assert checks
    assert all(not c.agrees for c in checks)


@pytest.mark.parametrize(
    ("spec", "use_case", "member_column", "role", "default", "admins", "most"),
    [
        pytest.param(TEAMS, "take seat", "user_id", "level", "viewer", ["owner"], 25, id="team-seat-role-and-size"),
        pytest.param(EVENTS, "attend event", "person_id", "kind", "guest", ["host"], 500, id="event-guest-host"),
        pytest.param(CLUBS, "enrol", "reader_id", None, None, [], None, id="club-no-roles"),
        pytest.param(REPLIES, "join server", "person_id", None, None, [], None, id="server-seat-no-roles"),
    ],
)
def test_member_write_is_authorized_ok(
    spec: str, use_case: str, member_column: str, role: str | None, default: str | None, admins: list[str], most: int | None
) -> None:
    """A person's write adding a member joins the caller or is an admin's; its role is the server's; a stated size holds (409)."""
    arch, files = _design(spec)
    (rule,) = [w for w in arch.member_writes if w.use_case == use_case]
    assert (rule.member_column, rule.role, rule.role_default, rule.admin_roles, rule.max_members) == (member_column, role, default, admins, most)
    op = _operation(arch, use_case)
    assert f"Joins the caller ({member_column} is the token's subject)" in op.description
    assert 403 in op.error_statuses
    assert (409 in op.error_statuses) == bool(most)
    if role:
        assert op.sets[role] == default
        body = next(s for api in arch.apis for s in api.schemas if s.name == op.request_schema) if op.request_schema else None
        assert body is None or role not in {p.name for p in body.properties}, "no client names its own role"
    document = next(yaml.safe_load(text) for path, text in files.items() if path.startswith("openapi/") and op.operation_id in text)
    forbidden = document["paths"][op.path][op.method]["responses"]["403"]
    assert "the member it adds is not the caller" in forbidden["description"]
    assert any(line.startswith(f"- [ ] Member writes: {use_case} adds") for line in files["design.md"].splitlines())
    _contracts_valid(files)


@pytest.mark.parametrize(
    ("spec", "use_case"),
    [
        pytest.param(TEAMS, "create team", id="scope-created-with-members"),
        pytest.param(EVENTS, "seat invitee", id="system-acts-for-others"),
        pytest.param(EVENTS, "plan event", id="event-planned-with-host"),
        pytest.param(REVIEWS, "write review", id="review-gates-nothing"),
    ],
)
def test_other_writes_are_no_joins_ok(spec: str, use_case: str) -> None:
    """A scope made with its first members, a system write for others, or a row no members-only check relies on is no join."""
    arch, _files = _design(spec)
    assert not [w for w in arch.member_writes if w.use_case == use_case]
