"""Rows the server makes after another write (``after``): a consumer of that write's event makes them, no client may.

Over specs of different shapes: an alert after each reply (one write followed, rate left out), an invoice after
each order that charges the card through an external (its own rate; the order's promise of a charge kept by the
reaction), and an audit entry after two writes of one entity; and a description promising an external call no
flow makes, which the contract leaves out and the design warns of.
"""

from __future__ import annotations

from functools import cache

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.communication import event_name
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Severity
from backend_architect.rules.registry import review
from backend_architect.spec.check import check_references
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import Spec
from design.helpers import spec_of

#: A forum: a reply to a topic makes an alert for the topic's author; the alert's rate is left to the reply's.
FORUM = """\
system: forum
entities:
  Member: {fields: {name: string(40)}, rows: 1M}
  Topic: {fields: {author: ref(Member), title: string(120)}, rows: 100k}
  Reply: {fields: {topic: ref(Topic), author: ref(Member), body: text}, rows: 5M}
  Alert: {fields: {recipient: ref(Member), reply: ref(Reply), seen: {type: bool, default: false}}}
use_cases:
  - {name: open topic, writes: [Topic], rate: 10k/day}
  - {name: post reply, writes: [Reply], rate: 200k/day}
  - {name: alert topic author, actor: system, writes: [Alert], after: post reply}
  - {name: list alerts, owner_only: true, kind: list, reads: [Alert], filter: [recipient], rate: 1M/day}
team: {size: 4}
"""

#: A shop: each placed order is billed by the server, which charges the card through Stripe; one invoice per order.
SHOP = """\
system: shop
external:
  Stripe: {kind: payment}
entities:
  Customer: {fields: {email: {type: email, unique: true}}, rows: 200k}
  Order: {fields: {customer: ref(Customer), total: decimal(10,2)}, rows: 2M}
  Invoice: {fields: {order: ref(Order), amount: decimal(10,2), status: {type: "enum[pending, paid, failed]", default: pending}}}
use_cases:
  - {name: place order, actor: customer, description: The customer places an order; the card is charged through Stripe.,
     writes: [Order], rate: 50k/day}
  - {name: bill order, actor: billing, writes: [Invoice], calls: [Stripe], after: [place order], rate: 40k/day}
  - {name: list my invoices, actor: customer, kind: list, reads: [Invoice], rate: 20k/day}
team: {size: 6}
"""

#: A clinic: every booking and every cancellation of an appointment leaves an audit entry (two writes followed).
CLINIC = """\
system: clinic
entities:
  Patient: {fields: {name: string(80)}, rows: 500k}
  Appointment:
    fields: {patient: ref(Patient), at: datetime, state: {type: "enum[booked, cancelled]", default: booked}}
    rows: 3M
  AuditEntry: {fields: {appointment: ref(Appointment), note: string(200)}}
use_cases:
  - {name: book appointment, actor: patient, writes: [Appointment], rate: 30k/day}
  - {name: cancel appointment, actor: patient, kind: action, writes: [Appointment.state], rate: 3k/day}
  - {name: record audit entry, actor: system, writes: [AuditEntry], after: [book appointment, cancel appointment]}
  - {name: list audit entries, actor: staff, kind: list, reads: [AuditEntry], filter: [appointment], rate: 1k/day}
team: {size: 3}
"""

#: A taxi: ending a trip promises a charge through the processor, but the charge is a separate request of the driver's app.
TAXI = """\
system: taxi
external:
  PaymentProcessor: {kind: payment}
entities:
  Driver: {fields: {name: string(80)}, rows: 10k}
  Ride: {fields: {driver: ref(Driver), fare: decimal(8,2)?, state: {type: "enum[open, ended]", default: open}}, rows: 1M}
  Charge: {fields: {ride: ref(Ride), amount: decimal(8,2)}}
use_cases:
  - {name: end ride, actor: driver, kind: action, description: The driver ends the ride. The fare is charged through the payment processor.,
     writes: [Ride.state, Ride.fare], rate: 100k/day}
  - {name: charge ride, actor: driver, writes: [Charge], calls: [PaymentProcessor], rate: 100k/day}
team: {size: 4}
"""

#: The same shop with orders and invoices in one service: the reaction consumes an event its own service published.
SHOP_ONE_SERVICE = SHOP.replace("team: {size: 6}", "team: {size: 6}\nservices:\n  customers: {owns: [Customer]}\n  orders: {owns: [Order, Invoice]}")

REACTIONS = [
    pytest.param(FORUM, "alert topic author", ("post reply",), id="forum-one-write"),
    pytest.param(SHOP, "bill order", ("place order",), id="shop-calls-external"),
    pytest.param(CLINIC, "record audit entry", ("book appointment", "cancel appointment"), id="clinic-two-writes"),
    pytest.param(SHOP_ONE_SERVICE, "bill order", ("place order",), id="shop-one-service"),
]


@cache
def _designed(text: str) -> DesignResult:
    return design_spec(spec_of(text))


def _home(arch: Architecture, entity: str) -> str:
    return next(s.name for s in arch.services if entity in s.entities)


@pytest.mark.parametrize(("text", "reaction", "follows"), REACTIONS)
def test_no_client_may_make_a_reaction_ok(text: str, reaction: str, follows: tuple[str, ...]) -> None:
    """No contract has an operation for a reaction, and no client rate limit covers it."""
    arch = _designed(text).architecture
    assert not [op.operation_id for api in arch.apis for op in api.operations if reaction in op.use_cases]
    assert arch.security is not None
    assert not [r for r in arch.security.rate_limits if reaction in r.use_cases]


@pytest.mark.parametrize(("text", "reaction", "follows"), REACTIONS)
def test_each_followed_event_is_consumed_by_the_reaction_ok(text: str, reaction: str, follows: tuple[str, ...]) -> None:
    """Each followed write's event names the reaction's service among its consumers, and the reaction's flow starts from it."""
    spec = spec_of(text)
    analysis = analyse(spec)
    by_name = {u.name: u for u in analysis.use_cases}
    arch = _designed(text).architecture
    home = _home(arch, by_name[reaction].entity)
    events = {e.name: e for e in arch.events}
    flow = next(f for f in arch.flows if f.use_case == reaction)
    opening = [s for s in flow.steps if s.kind == "event" and s.target == home]
    for name in follows:
        event = events[event_name(by_name[name])]
        assert home in event.consumers, (event.name, event.consumers)
        assert reaction not in event.published_by
        assert any(event.name in s.description and s.source == _home(arch, by_name[name].entity) for s in opening)
    assert flow.steps[0].kind == "event"
    assert flow.style == "event"


@pytest.mark.parametrize(("text", "reaction", "follows"), REACTIONS)
def test_reaction_is_idempotent_and_counted_ok(text: str, reaction: str, follows: tuple[str, ...]) -> None:
    """The reaction's database keeps processed events, its sequence commits that row with its own, and its rate is counted."""
    result = _designed(text)
    analysis = analyse(spec_of(text))
    by_name = {u.name: u for u in analysis.use_cases}
    home = _home(result.architecture, by_name[reaction].entity)
    assert any(t.role == "inbox" for s in result.architecture.datastores if s.service == home for t in s.tables)
    drawn = next(body for path, body in result.files.items() if path.endswith(f"sequence-{reaction.replace(' ', '-')}.mmd"))
    assert "look up the event id in" in drawn
    assert "the processed-events row in" in drawn
    # the event that starts the reaction is consumed, never put back in the outbox by the reaction's own transaction
    assert not [line for line in drawn.splitlines() if "one transaction" in line and "consumes" in line]
    assert "acknowledged" in drawn
    given = by_name[reaction].spec.rate
    expected = given.per_second if given else sum(by_name[n].avg_qps for n in follows)
    assert by_name[reaction].avg_qps == pytest.approx(expected)
    assert by_name[reaction].avg_qps > 0


@pytest.mark.parametrize(("text", "reaction", "follows"), REACTIONS)
def test_reaction_design_is_critic_clean_ok(text: str, reaction: str, follows: tuple[str, ...]) -> None:
    """The design with a reaction carries no finding above info."""
    findings = _designed(text).findings
    assert not [f for f in findings if f.severity not in {Severity.INFO}], findings


def test_promise_kept_by_a_reaction_stays_in_the_contract_ok() -> None:
    """A write promising a charge that a reaction following it makes keeps its description, and no warning is given."""
    result = _designed(SHOP)
    op = next(op for api in result.architecture.apis for op in api.operations if "place order" in op.use_cases)
    assert "charged through Stripe" in op.description
    assert not [w for w in result.warnings if "Stripe" in w]


def test_promise_no_flow_keeps_leaves_the_contract_err() -> None:
    """A description naming an external its flow never calls is left out of the contract, and the design warns."""
    result = _designed(TAXI)
    op = next(op for api in result.architecture.apis for op in api.operations if "end ride" in op.use_cases)
    assert op.description.startswith("The driver ends the ride.")
    assert "payment processor" not in op.description
    assert [w for w in result.warnings if "'end ride'" in w and "PaymentProcessor" in w]


@pytest.mark.parametrize(
    ("after", "message"),
    [
        pytest.param("[no such thing]", "unknown use case 'no such thing'", id="unknown"),
        pytest.param("[record]", "cannot follow itself", id="itself"),
        pytest.param("[list notes]", "writes nothing, so no event follows it", id="a-read"),
        pytest.param("[tidy notes]", "is a scheduled job", id="a-job"),
    ],
)
def test_after_names_another_write_err(after: str, message: str) -> None:
    """``after`` names another use case of the spec that writes."""
    spec = Spec.model_validate(
        {
            "system": "s",
            "entities": {"Note": {"fields": {"text": "string"}}, "Log": {"fields": {"note": "ref(Note)"}}},
            "use_cases": [
                {"name": "write note", "writes": ["Note"]},
                {"name": "list notes", "kind": "list", "reads": ["Note"]},
                {"name": "tidy notes", "writes": ["Note"], "schedule": "daily"},
                {"name": "record", "actor": "system", "writes": ["Log"], "after": after.strip("[]")},
            ],
        }
    )
    assert any(message in p.message for p in check_references(spec))


def test_reactions_that_come_back_err() -> None:
    """Two reactions following each other would make each other forever."""
    spec = Spec.model_validate(
        {
            "system": "s",
            "entities": {"A": {"fields": {"n": "int"}}, "B": {"fields": {"n": "int"}}},
            "use_cases": [
                {"name": "make a", "actor": "system", "writes": ["A"], "after": "make b"},
                {"name": "make b", "actor": "system", "writes": ["B"], "after": "make a"},
            ],
        }
    )
    assert [p for p in check_references(spec) if "come back" in p.message]


@pytest.mark.parametrize(
    ("line", "warned"),
    [
        pytest.param("{name: log it, actor: system, writes: [Log]}", True, id="follows-nothing"),
        pytest.param("{name: log it, actor: system, writes: [Log], after: [write note]}", False, id="after"),
        pytest.param("{name: log it, actor: system, writes: [Log], schedule: hourly}", False, id="scheduled"),
    ],
)
def test_server_write_following_nothing_is_warned_ok(line: str, warned: bool) -> None:
    """A write of the server's with neither ``after`` nor a schedule loads with a warning pointing at ``after``."""
    text = f"""\
system: s
entities:
  Note: {{fields: {{text: string}}}}
  Log: {{fields: {{note: ref(Note)}}}}
use_cases:
  - {{name: write note, writes: [Note]}}
  - {line}
"""
    loaded = load_spec_bytes(text.encode(), "spec.yaml")
    said = [w.message for w in loaded.warnings if "follows no write" in w.message]
    assert bool(said) == warned
    assert all("after: [write note]" in s for s in said)


def _description_findings(arch: Architecture) -> list[str]:
    return [f.message for f in review(arch) if f.code == "DES029"]


def test_description_naming_an_uncalled_external_is_reported_err() -> None:
    """DES029 reports an operation whose description names an external no flow of its use case reaches."""
    arch = _designed(TAXI).architecture
    promised = "The driver ends the ride. The fare is charged through the payment processor."
    apis = [
        api.model_copy(update={"operations": [op.model_copy(update={"description": promised}) if "end ride" in op.use_cases else op for op in api.operations]})
        for api in arch.apis
    ]
    found = _description_findings(arch.model_copy(update={"apis": apis}))
    assert found == ["the description names PaymentProcessor, which no flow of end ride calls"]


@pytest.mark.parametrize("text", [SHOP, TAXI], ids=["kept-by-a-reaction", "left-out-by-the-design"])
def test_description_kept_or_left_out_is_clean_ok(text: str) -> None:
    """DES029 is silent where a reaction keeps the promise, and where the design left the unkept sentence out."""
    assert _description_findings(_designed(text).architecture) == []
