"""Operations acting in a scope with members answer its members only, and every record says the same (issue 22-c3).

Specs of several shapes: a channel's messages read and sent under its path in the service holding the memberships (a local
probe); a project's tasks added, listed by a filter and completed by their own id in another service than the memberships (a
synchronous call, counted where it lands); an organisation's invoices across services; a public scope opted out; and records
that look like memberships but are not (votes kept beside a score, a view looked up by both keys).
"""

from __future__ import annotations

import json

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import design_spec
from backend_architect.design.membership import membership_of
from backend_architect.ir.model import Architecture, Operation
from backend_architect.spec.load import load_spec_bytes

#: A channel, its members and its messages, all in one service: the probe reads the service's own database.
CHANNELS = """
system: channels
services:
  talk: {owns: [User, Channel, ChannelMember, Message]}
entities:
  User: {fields: {handle: {type: string(30), unique: true}}, rows: 5M}
  Channel: {fields: {name: string(80), created_by: ref(User)}, rows: 1M}
  ChannelMember: {part_of: Channel, fields: {user: ref(User), role: "enum[member, admin]"}, unique: [[channel, user]], avg_per_parent: 20}
  Message: {part_of: Channel, fields: {sender: ref(User), body: text}, growth: 50M/day}
use_cases:
  - {name: create channel, actor: user, writes: [Channel, ChannelMember], rate: 20/s}
  - {name: join channel, actor: user, writes: [ChannelMember], rate: 50/s}
  - {name: read channel, actor: user, reads: [Message], filter: [channel], sort: [-created_at], rate: ACCESS2000/s}
  - {name: post message, actor: user, writes: [Message], rate: 600/s}
"""

#: Projects and their memberships in one service, tasks in another: added (the project in the body), listed by a filter,
#: completed by the task's own id (the project read from the row).
PROJECTS = """
system: projects
services:
  people: {owns: [User, Project, Membership]}
  work: {owns: [Task]}
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Project: {fields: {name: string(100), owner: ref(User)}, rows: 100k}
  Membership: {fields: {project: ref(Project), user: ref(User), role: "enum[viewer, editor]"}, unique: [[project, user]]}
  Task: {fields: {title: string(200), project: ref(Project), done: bool}, growth: 200k/day}
use_cases:
  - {name: create project, actor: user, writes: [Project, Membership], rate: 2/s}
  - {name: my projects, actor: user, owner_only: true, reads: [Membership, Project], filter: [user], rate: 30/s}
  - {name: add task, actor: user, writes: [Task], rate: 40/s}
  - {name: list tasks, actor: user, reads: [Task], filter: [project], rate: 100/s}
  - {name: complete task, actor: user, kind: update, writes: [Task.done], rate: 30/s}
"""

#: An organisation's members held by the accounts service, its invoices by billing: listed by the org filter.
BILLING = """
system: billing
services:
  accounts: {owns: [Person, Org, OrgMembership]}
  billing: {owns: [Invoice]}
entities:
  Person: {fields: {email: {type: email, unique: true}}, rows: 2M}
  Org: {fields: {name: string(100)}, rows: 50k}
  OrgMembership: {fields: {org: ref(Org), person: ref(Person)}, unique: [[person, org]]}
  Invoice: {fields: {org: ref(Org), total: decimal(12,2), issued_at: datetime}, growth: 100k/day}
use_cases:
  - {name: my orgs, actor: person, reads: [OrgMembership, Org], filter: [person], rate: 10/s}
  - {name: issue invoice, actor: system, writes: [Invoice], rate: 2/s}
  - {name: org invoices, actor: person, reads: [Invoice], filter: [org], sort: [-issued_at], rate: 80/s}
"""

#: Servers whose members join on their own and are listed per server (nobody writes a member with its server): creating a
#: channel in a server and listing its members are for members; joining is not gated.
SERVERS = """
system: servers
services:
  guilds: {owns: [User, Server, Member, Channel]}
entities:
  User: {fields: {name: string(32)}, rows: 10M}
  Server: {fields: {name: string(100), owner: ref(User)}, rows: 1M}
  Member: {part_of: Server, fields: {user: ref(User), nickname: string(32)?}, unique: [[server, user]]}
  Channel: {part_of: Server, fields: {name: string(100)}}
use_cases:
  - {name: create server, actor: user, writes: [Server], rate: 5/s}
  - {name: join server, actor: user, writes: [Member], rate: 50/s}
  - {name: list server members, actor: user, reads: [Member], filter: [server], rate: 100/s}
  - {name: create channel, actor: user, writes: [Channel], rate: 10/s}
"""

#: Votes kept beside a question's score and a view looked up by both keys: per-user records about a row, not memberships.
NOT_MEMBERS = """
system: votes
entities:
  User: {fields: {handle: {type: string(30), unique: true}}, rows: 1M}
  Question: {fields: {title: string(200), author: ref(User), score: int}, rows: 5M}
  Vote: {fields: {question: ref(Question), user: ref(User), up: bool}, unique: [[question, user]]}
  Answer: {fields: {question: ref(Question), author: ref(User), body: text}}
use_cases:
  - {name: vote, actor: user, writes: [Vote, Question.score], rate: 50/s}
  - {name: my vote, actor: user, kind: get, reads: [Vote], filter: [user, question], rate: 20/s}
  - {name: answer question, actor: user, writes: [Answer], rate: 10/s}
  - {name: list answers, actor: user, reads: [Answer], filter: [question], rate: 300/s}
"""


def _designed(text: str) -> tuple[Architecture, dict[str, str]]:
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    return result.architecture, result.files


def _operation(arch: Architecture, operation_id: str) -> Operation:
    return next(op for api in arch.apis for op in api.operations if op.operation_id == operation_id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            CHANNELS.replace("ACCESS", ""),
            {
                "readChannel": ("path", "local", 404),
                "postMessage": ("path", "local", 404),
                "getMessage": ("path", "local", 404),
                "getChannel": ("path", "local", 404),
            },
        ),
        (
            PROJECTS,
            {
                "getProject": ("path", "local", 404),
                "addTask": ("body", "query", 422),
                "listTasks": ("query", "query", 404),
                "completeTask": ("row", "query", 404),
                "getTask": ("row", "query", 404),
            },
        ),
        (BILLING, {"orgInvoices": ("path", "query", 404)}),
        (
            SERVERS,
            {
                "listServerMembers": ("path", "local", 404),
                "createChannel": ("path", "local", 404),
                "getChannel": ("path", "local", 404),
                "getMember": ("path", "local", 404),
            },
        ),
        # a public channel's history: read by anyone signed in, so only the writes check membership
        (
            CHANNELS.replace("rate: ACCESS", "access: public, rate: "),
            {"postMessage": ("path", "local", 404), "getMessage": ("path", "local", 404), "getChannel": ("path", "local", 404)},
        ),
        (NOT_MEMBERS, {}),
    ],
    ids=["channels", "projects", "billing", "servers", "public-channel", "votes-and-views"],
)
def test_operations_in_a_scope_with_members_check_membership_ok(text: str, expected: dict[str, tuple[str, str, int]]) -> None:
    """Each operation acting in a scope with members checks the caller's membership where it is named, locally or by a call
    to the service holding it, and refuses others with 404 (422 for the body); nothing else is checked."""
    arch, _ = _designed(text)
    assert {c.operation: (c.where, c.check, c.status) for c in arch.membership_checks} == expected


@pytest.mark.parametrize("text", [CHANNELS.replace("ACCESS", ""), PROJECTS, BILLING, SERVERS], ids=["channels", "projects", "billing", "servers"])
def test_every_record_states_the_members_rule_ok(text: str) -> None:
    """The contract's description and refusal, the hand-off, design.md's table and the security checklist say the same, and the
    probes are in the reads of the database holding the memberships (a call also in that service's requests and the flow)."""
    arch, files = _designed(text)
    document = files["design.md"]
    handoff = {op["operation_id"]: op for api in json.loads(files["handoff.json"])["implementers"]["api"] for op in api["operations"]}
    databases = {f.key.removeprefix("db.reads.peak."): f.inputs for f in arch.figures if f.key.startswith("db.reads.peak.")}
    holder_db = {t.name: s.name.partition(".")[0] for s in arch.datastores for t in s.tables}  # one database, a schema per service
    assert arch.security is not None
    for check in arch.membership_checks:
        op = _operation(arch, check.operation)
        assert op.members_of == check.scope, op
        assert check.status in op.error_statuses, op
        assert f"Only members of the {check.scope} may call it" in op.description
        assert handoff[check.operation]["members_of"] == check.scope
        assert any(check.table in item and (check.use_case or check.operation) in item for item in arch.security.review_items)
        through = f", through {' -> '.join(check.via)}" if check.via else ""
        assert f"| {check.use_case or check.operation} | {check.scope} ({check.column} in the {check.where}{through}) |" in document
        if not check.use_case:
            continue  # a get the design adds states no rate
        assert databases[holder_db[check.table]][f"check_{check.operation}_member"] == pytest.approx(check.peak), databases
        flow = next(f for f in arch.flows if f.use_case == check.use_case)
        if check.check == "query":
            assert check.service in op.upstreams
            assert 503 in op.error_statuses
            assert any(s.kind == "query" and s.target == check.service for s in flow.steps), flow
            served = next(f for f in arch.figures if f.key == f"qps.peak.service.{check.service}")
            assert served.inputs[f"check_{check.operation}"] == pytest.approx(check.peak)
        else:
            assert any(p.part.startswith(f"database: membership probe of {check.table}") for p in flow.latency_parts), flow.latency_parts


def test_a_membership_probe_replaces_the_scopes_existence_check_ok() -> None:
    """The scope's reference in a members-only operation is checked by the membership probe (it finds the scope too), so no
    read answers an empty page for an unknown scope and no second call is made for it."""
    arch, _ = _designed(PROJECTS)
    by_operation = {(c.operation, c.column): c for c in arch.reference_checks}
    for check in arch.membership_checks:
        found = by_operation.get((check.operation, check.column))
        if found is not None:
            assert (found.check, found.peak) == ("member", 0), found
    assert not any("empty page" in op.description for api in arch.apis for op in api.operations if op.members_of)


def test_a_public_scope_answers_anyone_signed_in_ok() -> None:
    """access: public leaves a read unchecked: no members rule, no 404 for the scope, nothing probed."""
    arch, _ = _designed(CHANNELS.replace("rate: ACCESS", "access: public, rate: "))
    read = _operation(arch, "readChannel")
    assert read.members_of is None
    assert "Only members" not in read.description
    assert not any(c.use_case == "read channel" for c in arch.membership_checks)


@pytest.mark.parametrize(
    ("scope", "members"),
    [("Channel", "ChannelMember"), ("Project", "Membership"), ("Org", "OrgMembership"), ("Server", "Member"), ("Question", None), ("User", None)],
)
def test_membership_is_found_only_where_callers_join_ok(scope: str, members: str | None) -> None:
    """A scope's membership is the entity unique per (scope, caller) that callers join through (created with the scope, listing
    the caller's scopes, or listing a scope's members); a vote kept beside a score is none."""
    text = {"Channel": CHANNELS.replace("ACCESS", ""), "Project": PROJECTS, "Org": BILLING, "Server": SERVERS}.get(scope, NOT_MEMBERS)
    caller = {"Org": "Person"}.get(scope, "User")
    found = membership_of(spec_of(text), scope, caller)
    assert (found.entity if found else None) == members


def test_a_non_member_refusal_is_declared_by_the_contract_err() -> None:
    """A members-only operation without its refusal would contradict its description: the contract declares it."""
    arch, files = _designed(CHANNELS.replace("ACCESS", ""))
    contract = files["openapi/talk.yaml"]
    assert "Only members of the Channel may call it" in contract
    read = _operation(arch, "readChannel")
    assert 404 in read.error_statuses, "a channel read by members only answers 404 to others"


#: Guild memberships kept by their own service: joining checks the server (members -> guilds), and a channel is created only
#: by the server's members (guilds -> members), so the two checks would call each other.
SPLIT_GUILDS = """
system: split-guilds
team: {size: 30}
services:
  guilds: {owns: [User, Server, Channel]}
  members: {owns: [Member]}
entities:
  User: {fields: {name: string(32)}, rows: 10M}
  Server: {fields: {name: string(100), owner: ref(User)}, rows: 1M}
  Member: {fields: {server: ref(Server), user: ref(User), nickname: string(32)?}, unique: [[server, user]]}
  Channel: {part_of: Server, fields: {name: string(100)}}
use_cases:
  - {name: create server, actor: user, writes: [Server], rate: 5/s}
  - {name: join server, actor: user, writes: [Member], rate: JOIN}
  - {name: list server members, actor: user, reads: [Member], filter: [server], rate: 100/s}
  - {name: create channel, actor: user, writes: [Channel], rate: 10/s}
"""


@pytest.mark.parametrize("join", [pytest.param("50/s", id="copy-cheaper-than-checks"), pytest.param("2/s", id="copy-dearer-than-checks")])
def test_a_membership_call_never_closes_a_cycle_with_an_existence_check_ok(join: str) -> None:
    """A members-only write calls the service holding the memberships; that service's existence check of the scope would call
    back, so it yields by the reference-check rule (an event-fed copy, or unchecked), and the critic finds no cycle."""
    result = design_spec(load_spec_bytes(SPLIT_GUILDS.replace("JOIN", join).encode(), "split-guilds.yaml"))
    arch = result.architecture
    member = next(c for c in arch.membership_checks if c.use_case == "create channel")
    assert (member.check, member.service) == ("query", "members")
    back = next(c for c in arch.reference_checks if c.use_case == "join server" and c.column == "server_id")
    assert back.check in {"local copy", "none"}
    assert "close a cycle" in back.reason
    assert not any(f.code == "TOP002" for f in result.findings)


@pytest.mark.parametrize(
    ("message", "owner_only"),
    [
        pytest.param("Message: {fields: {chat: ref(Chat), sender: ref(User), body: {type: text, pii: true}}, growth: 1M/day}", False, id="in-a-chat"),
        pytest.param("Message: {fields: {sender: ref(User), body: {type: text, pii: true}}, growth: 1M/day}", True, id="no-scope-author-only"),
    ],
)
def test_personal_data_in_a_scope_with_members_is_the_members_to_read_ok(message: str, owner_only: bool) -> None:
    """A row holding personal data is its author's alone to read, unless it lives in a scope with members (a message's text in
    its chat): then the read the design adds for it is its members', checked as members only (the eleventh run's whatsapp
    agent found that marking message text pii left recipients unable to read a message)."""
    text = f"""
system: chats
entities:
  User: {{fields: {{handle: {{type: string(30), unique: true}}}}, rows: 1M}}
  Chat: {{fields: {{title: string(80)}}, rows: 100k}}
  ChatMember: {{part_of: Chat, fields: {{user: ref(User)}}, unique: [[chat, user]], avg_per_parent: 5}}
  {message}
use_cases:
  - {{name: create chat, actor: user, writes: [Chat, ChatMember], rate: 5/s}}
  - {{name: send message, actor: user, writes: [Message], rate: 50/s}}
"""
    arch = design_spec(load_spec_bytes(text.encode(), "chats.yaml")).architecture
    get = next(op for api in arch.apis for op in api.operations if op.entity == "Message" and op.kind == "get")
    assert get.owner_only is owner_only
    assert any(c.operation == get.operation_id for c in arch.membership_checks) is (not owner_only)
