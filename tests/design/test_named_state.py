"""A write named for a state sets that state: the contract says the server sets it, its example shows it, whatever the shape."""

from __future__ import annotations

from functools import cache

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Operation
from design.helpers import spec_of

#: An append-only receipt created per recipient (no unique pair): POST, the state out of the body.
RECEIPTS = """\
system: receipts
entities:
  User: {fields: {phone: {type: string(20), unique: true}}}
  Message: {append_only: true, fields: {sender: ref(User), body: string(500)}}
  Receipt:
    append_only: true
    fields: {message: ref(Message), user: ref(User), status: "enum[delivered, read]", at: datetime}
use_cases:
  - {name: mark message delivered, actor: user, writes: [Receipt], rate: 1M/day}
  - {name: mark message read, actor: user, writes: [Receipt], rate: 1M/day}
  - {name: list receipts, actor: user, reads: [Receipt], filter: [message], rate: 1M/day}
"""

#: A link unique per pair with a state of its own: made by PUT on the pair, no body.
LINKS = """\
system: links
entities:
  User: {fields: {handle: {type: string(30), unique: true}}}
  Post: {fields: {author: ref(User), body: string(280)}}
  Seen:
    fields: {post: ref(Post), user: ref(User), state: "enum[delivered, opened, read]"}
    unique: [[post, user]]
use_cases:
  - {name: mark post read, actor: user, writes: [Seen], rate: 1M/day}
  - {name: follow post, actor: user, writes: [Seen], rate: 1M/day}
"""

#: A custom method on a resource whose state enum lists the target last; and an update that sends the state.
ACTIONS = """\
system: invites
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Invitation:
    fields: {inviter: ref(User), invitee_email: email, status: "enum[pending, declined, accepted]"}
  Ticket:
    fields: {title: string(120), status: "enum[new, open, closed]"}
  Order:
    fields: {buyer: ref(User), note: string(200), status: "enum[draft, placed, shipped]"}
  Page:
    fields: {title: string(120), body: text, status: "enum[draft, published, retired]"}
use_cases:
  - {name: send invitation, actor: user, writes: [Invitation], rate: 10k/day}
  - {name: accept invitation, actor: user, kind: action, writes: [Invitation], rate: 5k/day}
  - {name: decline invitation, actor: user, kind: action, writes: [Invitation], rate: 1k/day}
  - {name: open ticket, actor: user, writes: [Ticket], rate: 1k/day}
  - {name: close ticket, actor: user, kind: update, writes: [Ticket.status], rate: 1k/day}
  - {name: place order, actor: user, writes: [Order], rate: 1k/day}
  - {name: write page, actor: user, writes: [Page], rate: 1k/day}
  - {name: publish page, actor: user, kind: replace, writes: [Page], rate: 1k/day}
"""

SPECS = {"receipts": RECEIPTS, "links": LINKS, "actions": ACTIONS}


@cache
def _designed(name: str) -> DesignResult:
    return design_spec(spec_of(SPECS[name]))


def _op(name: str, use_case: str) -> Operation:
    result = _designed(name)
    found = [o for api in result.architecture.apis for o in api.operations if use_case in o.use_cases]
    assert found, f"no operation for {use_case!r}"
    return found[0]


@pytest.mark.parametrize(
    ("spec", "use_case", "method", "field", "value"),
    [
        pytest.param("receipts", "mark message read", "post", "status", "read", id="create-named-for-a-later-value"),
        pytest.param("receipts", "mark message delivered", "post", "status", "delivered", id="create-named-for-the-first-value"),
        pytest.param("links", "mark post read", "put", "state", "read", id="link-made-at-its-pair"),
        pytest.param("actions", "accept invitation", "post", "status", "accepted", id="custom-method-past-tense"),
        pytest.param("actions", "decline invitation", "post", "status", "declined", id="custom-method-middle-value"),
        pytest.param("actions", "place order", "post", "status", "placed", id="create-by-its-verbs-past-tense"),
        pytest.param("actions", "publish page", "put", "status", "published", id="whole-replacement"),
    ],
)
def test_named_state_is_set_by_the_server_ok(spec: str, use_case: str, method: str, field: str, value: str) -> None:
    """The operation records the state it is named for, says the server sets it, keeps it out of the body, and its example answers it."""
    op = _op(spec, use_case)
    assert op.method == method
    assert op.sets == {field: value}
    assert f"{field} to '{value}'" in op.description
    schemas = {s.name: s for api in _designed(spec).architecture.apis for s in api.schemas}
    if op.request_schema:
        assert field not in {p.name for p in schemas[op.request_schema].properties}
    if op.success_status != 204:
        assert isinstance(op.example_response, dict)
        assert op.example_response[field] == value


@pytest.mark.parametrize(
    ("spec", "use_case"),
    [
        pytest.param("links", "follow post", id="link-named-for-no-value"),
        pytest.param("actions", "send invitation", id="create-named-for-no-value"),
        pytest.param("actions", "open ticket", id="create-whose-bare-verb-is-a-value"),
        pytest.param("actions", "close ticket", id="update-sends-the-state-in-its-body"),
    ],
)
def test_unnamed_state_is_not_set_err(spec: str, use_case: str) -> None:
    """A write whose name says no value of the state, or whose body sends it, records no state the server sets by name."""
    assert _op(spec, use_case).sets == {}


def test_update_named_for_a_state_sends_it_ok() -> None:
    """A merge patch of the state field named for a value sends that value in its example (the client chooses it)."""
    op = _op("actions", "close ticket")
    assert op.example_request == {"status": "closed"}


@pytest.mark.parametrize(
    ("use_case", "initial"),
    [pytest.param("send invitation", "pending", id="no-value-named"), pytest.param("open ticket", "new", id="the-verb-only-says-it-is-made")],
)
def test_created_row_starts_in_the_initial_state_err(use_case: str, initial: str) -> None:
    """A create named for no value answers the enum's first value: the row starts where the DDL default puts it."""
    op = _op("actions", use_case)
    assert op.example_response["status"] == initial
    assert "to '" not in op.description


def test_named_state_contract_is_valid_ok() -> None:
    """The designs carry no finding above info and their OpenAPI validates with the named values in the examples."""
    for name in SPECS:
        result = _designed(name)
        assert not [f for f in result.findings if f.severity.value not in {"info"}], name
        for path, text in result.files.items():
            if path.startswith("openapi/") and path.endswith(".yaml"):
                validate(yaml.safe_load(text))
