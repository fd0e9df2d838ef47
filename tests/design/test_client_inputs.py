"""Who supplies a row: the contract asks the client only for what the client decides, over specs of different shapes.

Rows the server picks by its proximity query are not in the body; fields another actor decides later are not
either; a write the system makes for a user carries no "you may only create what you own" 403; a read of another
service's rows found near a point is that search, never a call for one row by an id the request does not hold.
"""

from __future__ import annotations

from functools import cache

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.client_inputs import acts_for_others, decided_by_others, server_picked_parts
from backend_architect.ir.model import ApiSchema, Operation
from backend_architect.ir.refusals import OWNER
from backend_architect.render.openapi import render_openapi
from backend_architect.scaffold import from_files
from backend_architect.scaffold.plan import plan_project
from design.helpers import spec_of

#: A dog-walking market: an owner asks for a walk, the walkers within 2 km are each offered it, one accepts.
WALKS = """\
system: walks
scale: {daily_active: 200k, requests: 4M/day}
entities:
  Owner: {fields: {name: string(80)}}
  Walker:
    rows: 50k
    fields: {name: string(80), location: geo?}
  Walk:
    fields:
      owner: ref(Owner)
      walker: ref(Walker)?
      pickup: geo
      minutes: int
      status: {type: "enum[asked, taken, done]", default: asked}
      rating: int?
  WalkOffer:
    fields: {walk: ref(Walk), walker: ref(Walker), answer: {type: "enum[open, yes, no]", default: open}}
    avg_per_parent: 4
use_cases:
  - {name: ask for walk, actor: owner, writes: [Walk, WalkOffer], near: Walker.location, radius: 2km, avg_fanout: 4,
     deliver: {mode: realtime, to: walker}, rate: 100k/day}
  - {name: take walk, actor: walker, kind: action, writes: [WalkOffer.answer, Walk.walker, Walk.status], rate: 100k/day}
  - {name: rate walk, actor: owner, kind: update, writes: [Walk.rating], rate: 50k/day}
  - {name: report position, actor: walker, kind: update, writes: [Walker.location], latest: true, every: 10s, rate: 2k/s}
"""

#: A help desk: a customer opens a ticket, an agent assigns it; the system files a notice for the customer.
DESK = """\
system: desk
scale: {daily_active: 20k, requests: 1M/day}
entities:
  Customer: {fields: {email: {type: email, unique: true}}}
  Agent: {fields: {name: string(80)}}
  Ticket:
    fields:
      customer: ref(Customer)
      subject: string(200)
      assignee: ref(Agent)?
      priority: {type: "enum[low, high]", default: low}
  Notice:
    fields:
      customer: ref(Customer)
      ticket: ref(Ticket)
      text: string(300)
      seen: {type: bool, default: false}
use_cases:
  - {name: open ticket, actor: customer, writes: [Ticket], rate: 20k/day}
  - {name: assign ticket, actor: agent, kind: action, writes: [Ticket.assignee, Ticket.priority], rate: 20k/day}
  - {name: file notice, actor: system, kind: create, writes: [Notice], rate: 40k/day}
  - {name: list my notices, actor: customer, owner_only: true, kind: list, reads: [Notice], filter: [customer], rate: 200k/day}
  - {name: mark notice seen, actor: customer, owner_only: true, kind: update, writes: [Notice.seen], rate: 40k/day}
  - {name: list my tickets, actor: customer, owner_only: true, kind: list, reads: [Ticket], filter: [customer], rate: 100k/day}
"""

#: Scooters in one service, quotes in another: a quote reads the scooters near the rider, whose positions stream in.
SCOOTERS = """\
system: scooters
scale: {daily_active: 1M, requests: 30M/day}
entities:
  Rider: {fields: {name: string(80)}}
  Scooter:
    rows: 200k
    fields: {serial: {type: string(20), unique: true}, battery: int, location: geo?}
  Quote:
    retention: 1d
    fields: {rider: ref(Rider), from_point: geo, price: {type: money, generated: true}}
services:
  fleet: {owns: [Scooter]}
  pricing: {owns: [Quote, Rider]}
use_cases:
  - {name: report scooter position, actor: scooter, kind: update, writes: [Scooter.location], latest: true, every: 5s, rate: 20k/s}
  - {name: quote ride, actor: rider, kind: create, writes: [Quote], reads: [Scooter], near: Scooter.location, radius: 500m, rate: 5M/day}
  - {name: register scooter, actor: operator, kind: create, writes: [Scooter], rate: 1k/day}
"""


@cache
def _design(text: str) -> DesignResult:
    return design_spec(spec_of(text))


def _op(result: DesignResult, use_case: str) -> tuple[str, Operation]:
    found = next(((a.service, o) for a in result.architecture.apis for o in a.operations if use_case in o.use_cases), None)
    assert found is not None, f"no operation for {use_case}"
    return found


def _body(result: DesignResult, use_case: str) -> ApiSchema:
    service, op = _op(result, use_case)
    api = next(a for a in result.architecture.apis if a.service == service)
    schema = next((s for s in api.schemas if s.name == op.request_schema), None)
    assert schema is not None, f"{use_case} has no request body"
    return schema


@pytest.mark.parametrize(
    ("text", "use_case", "absent", "present"),
    [
        pytest.param(WALKS, "ask for walk", {"walker_id", "walk_offers", "offers"}, {"pickup", "minutes", "rating"}, id="offers-picked-by-proximity"),
        pytest.param(DESK, "open ticket", {"assignee_id", "priority"}, {"subject"}, id="assignee-decided-by-agent"),
        pytest.param(DESK, "file notice", {"seen"}, {"customer_id", "ticket_id", "text"}, id="seen-decided-by-recipient"),
    ],
)
def test_create_body_holds_only_what_the_client_decides_ok(text: str, use_case: str, absent: set[str], present: set[str]) -> None:
    """A create's body leaves out the parts its proximity query picks and the fields another actor decides, and keeps the rest."""
    names = {p.name for p in _body(_design(text), use_case).properties}
    assert not names & absent, f"{use_case} asks the client for {sorted(names & absent)}"
    assert present <= names, f"{use_case} lost {sorted(present - names)}"


def test_the_deciding_write_keeps_its_fields_ok() -> None:
    """What the create leaves to another actor is in that actor's own body: the agent assigning a ticket names the assignee."""
    names = {p.name for p in _body(_design(DESK), "assign ticket").properties}
    assert "assignee_id" in names


def test_create_says_who_supplies_what_ok() -> None:
    """The create's description says the server makes the picked rows and who decides the fields left out."""
    _, op = _op(_design(WALKS), "ask for walk")
    assert "The server makes the WalkOffer rows, one for each row its proximity query finds (near: Walker.location)" in op.description
    assert "walker (decided by 'take walk')" in op.description
    assert "rating (decided by 'rate walk')" not in op.description


@pytest.mark.parametrize(
    ("text", "use_case", "refused"),
    [
        pytest.param(DESK, "file notice", False, id="system-writes-for-a-customer"),
        pytest.param(DESK, "open ticket", True, id="customer-creates-own-ticket"),
    ],
)
def test_owner_refusal_only_for_a_persons_own_rows_ok(text: str, use_case: str, refused: bool) -> None:
    """A create of owned rows the system makes for a user states no 'only what you own' 403; a person's create does."""
    result = _design(text)
    service, op = _op(result, use_case)
    assert op.for_others is not refused
    api = next(a for a in result.architecture.apis if a.service == service)
    doc = render_openapi(api, result.architecture)
    item = next(i for p in doc["paths"].values() for i in p.values() if isinstance(i, dict) and i.get("operationId") == op.operation_id)
    forbidden = item["responses"].get("403", {})
    assert (OWNER in forbidden.get("description", "")) is refused


def test_scaffold_claims_no_owner_for_a_system_write_ok() -> None:
    """The scaffolded create the system makes stores the customer it names; the customer's own create claims the caller."""
    result = _design(DESK)
    design = from_files(result.architecture, result.files, "desk")
    owners = {op.op.operation_id: op.owner for d in plan_project(design).deployables for m in d.modules for op in m.operations}
    assert owners[_op(result, "file notice")[1].operation_id] is None
    assert owners[_op(result, "open ticket")[1].operation_id] is not None


def test_keyless_read_of_another_service_is_its_search_ok() -> None:
    """A quote reading the scooters near the rider calls no GET of one scooter (it holds no id): its flow searches their positions."""
    result = _design(SCOOTERS)
    arch = result.architecture
    flow = next(f for f in arch.flows if f.use_case == "quote ride")
    assert not [s for s in flow.steps if s.target == "fleet" and s.kind in {"query", "call"}], flow.steps
    assert any("GEOSEARCH" in s.description for s in flow.steps), flow.steps
    _, op = _op(result, "quote ride")
    assert "fleet" not in op.upstreams
    fleet = next(a for a in arch.apis if a.service == "fleet")
    assert not [o for o in fleet.operations if "pricing" in o.consumers], "fleet serves pricing an operation no step calls"


def test_keyless_search_in_the_database_claims_no_fresh_call_ok() -> None:
    """Positions kept in the owner's rows (no latest-value stream) are still found by the search: no call, no 'needs fresh data'."""
    still = SCOOTERS.replace("latest: true, every: 5s, rate: 20k/s", "rate: 1k/day").replace("rate: 5M/day", "rate: 500k/day")
    flow = next(f for f in _design(still).architecture.flows if f.use_case == "quote ride")
    assert not [s for s in flow.steps if s.target == "fleet" and s.kind in {"query", "call"}], flow.steps
    assert "needs fresh data" not in flow.rationale
    assert "proximity query (near: Scooter.location)" in flow.rationale


def test_keyed_read_of_another_service_still_calls_ok() -> None:
    """Without a proximity query the same read stays a call to its owner: only the key-less search changes."""
    keyed = SCOOTERS.replace(", near: Scooter.location, radius: 500m", "")
    flow = next(f for f in _design(keyed).architecture.flows if f.use_case == "quote ride")
    assert any(s.target == "fleet" and s.kind == "query" for s in flow.steps), flow.steps


@pytest.mark.parametrize(
    ("text", "use_case", "others", "picked", "for_others"),
    [
        pytest.param(WALKS, "ask for walk", ("walker",), ("WalkOffer",), False, id="walks"),
        pytest.param(DESK, "open ticket", ("assignee", "priority"), (), False, id="desk-ticket"),
        pytest.param(DESK, "file notice", ("seen",), (), True, id="desk-notice"),
        pytest.param(SCOOTERS, "register scooter", (), (), False, id="scooters"),
    ],
)
def test_rules_over_the_spec_ok(text: str, use_case: str, others: tuple[str, ...], picked: tuple[str, ...], for_others: bool) -> None:
    """The three rules read the spec alone: who writes each field by name, what the proximity query finds, who the actor is."""
    spec = spec_of(text)
    found = next(u for u in analyse(spec).use_cases if u.name == use_case)
    assert tuple(decided_by_others(spec, analyse(spec), found)) == others
    assert server_picked_parts(spec, found) == picked
    assert acts_for_others(spec, found) is for_others
