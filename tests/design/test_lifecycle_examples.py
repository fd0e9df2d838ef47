"""Every example of an entity with a lifecycle is one state of it; a field only a later write sets is unset in the create's.

Specs of different shapes, written as a user would: an order with four states on its main line and a cancellation that
ends it early, each write setting its own fields; a loan application approved or rejected before it is paid out; a note
with no lifecycle, edited after its create; a courier reporting its position while it has presence.
"""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.ir.model import Architecture, Operation
from design.helpers import design_of

ORDERS = """
system: shop
entities:
  Customer: {fields: {name: string(80)}}
  Order:
    fields:
      customer: ref(Customer)
      total: money
      status: enum[placed, paid, shipped, delivered, cancelled]
      payment_reference: {type: "string(60)?", generated: true}
      paid_at: {type: "datetime?", generated: true}
      tracking_code: "string(40)?"
      shipped_at: {type: "datetime?", generated: true}
      delivered_at: {type: "datetime?", generated: true}
      cancel_reason: "string(200)?"
use_cases:
  - {name: place order, actor: customer, kind: create, writes: [Order.total], rate: 20/s}
  - {name: pay order, actor: customer, kind: action, writes: [Order.status, Order.payment_reference, Order.paid_at], rate: 20/s}
  - {name: ship order, actor: clerk, kind: action, writes: [Order.status, Order.tracking_code, Order.shipped_at], rate: 20/s}
  - {name: deliver order, actor: courier, kind: action, writes: [Order.status, Order.delivered_at], rate: 20/s}
  - {name: cancel order, actor: customer, kind: action, writes: [Order.status, Order.cancel_reason], rate: 2/s}
  - {name: correct tracking code, actor: clerk, kind: update, writes: [Order.tracking_code], rate: 1/s}
  - {name: view order, actor: customer, kind: get, reads: [Order], rate: 50/s}
  - {name: list my orders, actor: customer, kind: list, reads: [Order], filter: [customer], rate: 50/s}
"""

#: Per state of the order, the fields its example shows set (the writes up to it); the others are null.
ORDER_SET = {
    "placed": set(),
    "paid": {"payment_reference", "paid_at"},
    "shipped": {"payment_reference", "paid_at", "tracking_code", "shipped_at"},
    "delivered": {"payment_reference", "paid_at", "tracking_code", "shipped_at", "delivered_at"},
    "cancelled": {"cancel_reason"},
}

LOANS = """
system: lending
entities:
  Applicant: {fields: {name: string(80)}}
  Application:
    fields:
      applicant: ref(Applicant)
      amount: money
      state: enum[submitted, approved, rejected, disbursed]
      approver: "string(80)?"
      approved_at: {type: "datetime?", generated: true}
      rejection_reason: "string(300)?"
      disbursed_at: {type: "datetime?", generated: true}
use_cases:
  - {name: submit application, actor: applicant, kind: create, writes: [Application.amount], rate: 5/s}
  - {name: approve application, actor: officer, kind: action, writes: [Application.state, Application.approver, Application.approved_at], rate: 5/s}
  - {name: reject application, actor: officer, kind: action, writes: [Application.state, Application.rejection_reason], rate: 5/s}
  - {name: disburse application, actor: officer, kind: action, writes: [Application.state, Application.disbursed_at], rate: 5/s}
  - {name: view application, actor: applicant, kind: get, reads: [Application], rate: 20/s}
"""

LOAN_SET = {
    "submitted": set(),
    "approved": {"approver", "approved_at"},
    "rejected": {"rejection_reason"},
    "disbursed": {"approver", "approved_at", "disbursed_at"},
}

NOTES = """
system: notes
entities:
  Author: {fields: {name: string(80)}}
  Note:
    fields:
      author: ref(Author)
      body: text
      pinned_reason: "string(100)?"
      edited_at: {type: "datetime?", generated: true}
use_cases:
  - {name: write note, actor: author, kind: create, writes: [Note], rate: 10/s}
  - {name: edit note, actor: author, kind: update, owner_only: true, writes: [Note.body, Note.edited_at], rate: 2/s}
  - {name: pin note, actor: author, kind: action, owner_only: true, writes: [Note.pinned_reason], rate: 1/s}
  - {name: read note, actor: author, kind: get, reads: [Note], rate: 50/s}
"""

COURIERS = """
system: couriers
entities:
  Courier:
    rows: 50k
    presence: {offline_after: 30s}
    fields:
      name: string(80)
      status: {type: "enum[offline, available, delivering]", default: offline}
      position: geo?
use_cases:
  - {name: report position, actor: courier, kind: update, owner_only: true, writes: [Courier.position], latest: true, every: 5s, rate: 10k/s}
  - {name: view courier, actor: dispatcher, kind: get, reads: [Courier], rate: 100/s}
"""


def _ops(arch: Architecture, entity: str) -> list[Operation]:
    return [o for a in arch.apis for o in a.operations if o.entity == entity and o.use_cases]


def _rows(example: Any) -> list[dict[str, Any]]:
    """The rows an example shows: a page's items, or the resource itself."""
    if isinstance(example, dict) and isinstance(example.get("items"), list):
        return [r for r in example["items"] if isinstance(r, dict)]
    return [example] if isinstance(example, dict) else []


@pytest.mark.parametrize(
    ("spec", "entity", "state", "expected"),
    [
        pytest.param(ORDERS, "Order", "status", ORDER_SET, id="four-states-and-an-early-end"),
        pytest.param(LOANS, "Application", "state", LOAN_SET, id="approved-or-rejected-then-paid-out"),
    ],
)
def test_every_example_is_one_state_of_the_lifecycle_ok(spec: str, entity: str, state: str, expected: dict[str, set[str]]) -> None:
    """Each example of the entity (the create's answer, each transition's, a read's, a list's items) shows set exactly the
    fields the writes up to its state set: a placed order has no payment, a rejected application no approver."""
    staged = set().union(*expected.values())
    seen = set()
    for op in _ops(design_of(spec), entity):
        for row in _rows(op.example_response):
            if state not in row:
                continue
            seen.add(row[state])
            shown = {name for name in staged if row.get(name) is not None}
            assert shown == expected[row[state]], (op.operation_id, row[state], shown)
    assert len(seen) >= 4, seen


@pytest.mark.parametrize(
    ("spec", "use_case", "state", "value"),
    [
        pytest.param(ORDERS, "place order", "status", "placed", id="create-initial-state"),
        pytest.param(ORDERS, "ship order", "status", "shipped", id="mid-line-transition"),
        pytest.param(ORDERS, "cancel order", "status", "cancelled", id="early-end"),
        pytest.param(LOANS, "disburse application", "state", "disbursed", id="last-state"),
        pytest.param(ORDERS, "correct tracking code", "status", "shipped", id="update-of-a-later-field-shows-a-state-having-it"),
    ],
)
def test_create_and_transition_show_the_state_they_lead_to_ok(spec: str, use_case: str, state: str, value: str) -> None:
    """A create's example shows the initial state, a transition's the state it moves to."""
    op = next(o for a in design_of(spec).apis for o in a.operations if use_case in o.use_cases)
    assert isinstance(op.example_response, dict)
    assert op.example_response[state] == value, op.example_response


def test_create_neither_sends_nor_shows_what_only_later_writes_set_ok() -> None:
    """A note's create sends no pin reason and answers no edit time (later writes set them); the edit answers its edit time,
    and a read of a note, which may have been edited, may show it."""
    arch = design_of(NOTES)
    ops = {o.use_cases[0]: o for o in _ops(arch, "Note")}
    create = ops["write note"]
    assert "pinned_reason" not in (create.example_request or {}), create.example_request
    assert isinstance(create.example_response, dict)
    assert create.example_response["edited_at"] is None
    assert create.example_response["pinned_reason"] is None
    edit = ops["edit note"]
    assert isinstance(edit.example_response, dict)
    assert edit.example_response["edited_at"] is not None


PAYMENTS = """
system: payments
entities:
  Payment:
    fields:
      amount: money
      status: enum[pending, succeeded, failed]
      failure_reason: "string(200)?"
use_cases:
  - {name: start payment, actor: customer, kind: create, writes: [Payment.amount], rate: 5/s}
  - {name: payment result webhook, actor: processor, kind: update, writes: [Payment.status, Payment.failure_reason], rate: 5/s}
"""


def test_write_named_for_no_state_is_not_placed_on_the_line_err() -> None:
    """A webhook sending the state in its body is no transition: its answer echoes what it sent (a failure reason), in
    whatever state it shows, while the create still answers the reason unset."""
    ops = {o.use_cases[0]: o for o in _ops(design_of(PAYMENTS), "Payment")}
    hook = ops["payment result webhook"]
    sent = hook.example_request or {}
    assert isinstance(hook.example_response, dict)
    assert all(hook.example_response[k] == v for k, v in sent.items() if k in hook.example_response), (sent, hook.example_response)
    create = ops["start payment"]
    assert isinstance(create.example_response, dict)
    assert create.example_response["failure_reason"] is None


def test_reporting_entity_is_not_shown_away_ok() -> None:
    """A courier reporting its position answers a state other than offline, and the position it sent."""
    op = next(o for a in design_of(COURIERS).apis for o in a.operations if "report position" in o.use_cases)
    assert isinstance(op.example_response, dict)
    assert op.example_response["status"] == "available", op.example_response
    assert op.example_response["position"] == (op.example_request or {})["position"]


@pytest.mark.parametrize(
    ("spec", "use_case", "said", "unsaid"),
    [
        pytest.param(ORDERS, "place order", "It leaves payment_reference, paid_at, shipped_at, delivered_at null", "sets payment_reference", id="lifecycle"),
        pytest.param(NOTES, "write note", "It leaves edited_at null: a later write sets it.", "sets edited_at", id="no-lifecycle"),
    ],
)
def test_create_says_which_fields_later_writes_set_ok(spec: str, use_case: str, said: str, unsaid: str) -> None:
    """A create's contract never says the server sets a field only a later write sets: it says the field starts null."""
    op = next(o for a in design_of(spec).apis for o in a.operations if use_case in o.use_cases)
    assert said in op.description, op.description
    assert unsaid not in op.description, op.description
