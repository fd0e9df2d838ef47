"""Every synchronous step between services calls an operation the callee's contract has, internal where no client uses it,
naming its caller, and the step, the contract, design.md, handoff.json and the critic all name the same one."""

from __future__ import annotations

import json
from functools import cache

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Api, Architecture, Flow, FlowStep, Operation, Service
from backend_architect.rules.design.calls_agree import sync_call_without_operation
from backend_architect.rules.registry import review
from design.helpers import spec_of
from rules.test_sql_rules import assert_clean, assert_findings

#: A newsletter site: readers' feeds merged over subscriptions another service keeps, read by one call a feed read.
FEED = """\
system: letters
team: {size: 30}
scale: {users: 5M}
services:
  people: {owns: [Reader]}
  subscriptions: {owns: [Subscription]}
  letters: {owns: [Letter]}
entities:
  Reader: {fields: {handle: {type: string(30), unique: true}}}
  Subscription:
    fields: {subscriber: ref(Reader), writer: ref(Reader)}
    unique: [[subscriber, writer]]
  Letter:
    append_only: true
    fields: {writer: ref(Reader), body: text}
use_cases:
  - {name: write letter, actor: reader, writes: [Letter], rate: 50/s, avg_fanout: 40}
  - {name: subscribe to writer, actor: reader, writes: [Subscription]}
  - {name: read my inbox, actor: reader, owner_only: true, reads: [Subscription, Letter], filter: [Subscription.subscriber],
     sort: [-Letter.created_at], rate: 4k/s, consistency: eventual}
"""

#: A clinic: booking a slot needs the doctor's rows fresh from another service, which no client reads on its own.
FRESH = """\
system: clinic
team: {size: 30}
services:
  staff: {owns: [Doctor]}
  bookings: {owns: [Appointment]}
entities:
  Doctor: {fields: {name: string(80), speciality: string(40)}}
  Appointment: {fields: {doctor: ref(Doctor), starts_at: datetime, patient_name: string(80)}}
use_cases:
  - {name: rename doctor, actor: admin, writes: [Doctor.name]}
  - {name: book appointment, actor: patient, writes: [Appointment], reads: [Doctor], rate: 20/s}
"""

#: A warehouse: shipping an order writes a parcel that another service owns, a saga step calling it.
SAGA = """\
system: depot
team: {size: 30}
services:
  sales: {owns: [Sale]}
  parcels: {owns: [Parcel]}
entities:
  Sale: {fields: {total: money, status: "enum[open,shipped]"}}
  Parcel: {fields: {sale: ref(Sale), weight_g: int}}
use_cases:
  - {name: open sale, actor: clerk, writes: [Sale], rate: 5/s}
  - {name: ship sale, actor: clerk, writes: [Sale.status, Parcel], rate: 5/s}
"""

CASES = [
    pytest.param(FEED, "read my inbox", "letters", "subscriptions", ("get", "list"), id="feed-over-another-services-graph"),
    pytest.param(FRESH, "book appointment", "bookings", "staff", ("get", "get"), id="fresh-read-of-another-services-rows"),
    pytest.param(SAGA, "ship sale", "sales", "parcels", ("post", "create"), id="saga-step-on-another-service"),
]


@cache
def designed(text: str) -> DesignResult:
    return design_spec(spec_of(text))


def _step(arch: Architecture, use_case: str, caller: str, callee: str) -> FlowStep:
    flow = next(f for f in arch.flows if f.use_case == use_case)
    found = [s for s in flow.steps if s.kind in {"query", "call"} and s.source == caller and s.target == callee]
    assert len(found) == 1, [s.description for s in flow.steps]
    return found[0]


@pytest.mark.parametrize(("text", "use_case", "caller", "callee", "shape"), CASES)
def test_step_names_an_internal_operation_of_the_callee_ok(text: str, use_case: str, caller: str, callee: str, shape: tuple[str, str]) -> None:
    """The step names one operation; the callee's OpenAPI has it, valid, x-internal, its caller in x-consumers, of the step's shape."""
    result = designed(text)
    step = _step(result.architecture, use_case, caller, callee)
    assert len(step.operations) == 1
    api = next(a for a in result.architecture.apis if a.service == callee)
    op = next(o for o in api.operations if o.operation_id == step.operations[0])
    assert (op.method, op.kind) == shape
    document = yaml.safe_load(result.files[f"openapi/{callee}.yaml"])
    validate(document)
    rendered = document["paths"][op.path][op.method]
    assert rendered["operationId"] == op.operation_id
    assert rendered["x-internal"] is True
    assert rendered["x-consumers"] == [caller]


@pytest.mark.parametrize(("text", "use_case", "caller", "callee", "shape"), CASES)
def test_every_document_names_the_same_operation_ok(text: str, use_case: str, caller: str, callee: str, shape: tuple[str, str]) -> None:
    """design.md's 'Called by other services' and sequence diagram, and handoff.json's calls, name the step's operation; DES027 is silent."""
    result = designed(text)
    step = _step(result.architecture, use_case, caller, callee)
    api = next(a for a in result.architecture.apis if a.service == callee)
    op = next(o for o in api.operations if o.operation_id == step.operations[0])
    shown = f"{op.method.upper()} {api.base_path}{op.path}"
    assert f"- {caller} → {shown} (internal)" in result.files["design.md"]
    assert f"-> {op.operation_id} ({shown})" in result.files["design.md"]
    handoff = json.loads(result.files["handoff.json"])
    calls = [c for s in handoff["integration"] if s["service"] == caller for c in s["calls"] if c["target"] == callee]
    assert {tuple(c["operations"]) for c in calls if c["use_case"] == use_case} == {(f"{op.operation_id} ({shown})",)}
    assert [f.message for f in review(result.architecture) if f.code == "DES027"] == []


def test_feed_list_is_the_readers_followees_by_path_ok() -> None:
    """The feed's list takes the reader in the path (the caller has no reader token), pages by cursor, and answers an
    unknown reader with an empty page, not 404 (another service owns readers)."""
    result = designed(FEED)
    step = _step(result.architecture, "read my inbox", "letters", "subscriptions")
    op = next(o for a in result.architecture.apis for o in a.operations if o.operation_id == step.operations[0])
    assert op.path == "/readers/{reader_id}/subscriptions"
    assert op.paginated
    # the merge asks for the followees past the fan-out cut-off alone (patterns/_large_sources.py)
    assert {p.name for p in op.parameters} == {"reader_id", "limit", "cursor", "past_cutoff"}
    assert op.caller_filters == []
    assert 404 not in op.error_statuses
    assert not op.use_cases


def test_client_list_of_the_same_rows_gains_the_caller_ok() -> None:
    """Where a client list already answers the step (the same rows by the same filters, named in the path), it gains the
    caller in x-consumers and stays public: no second, internal copy."""
    text = FEED.replace(
        "  - {name: subscribe to writer,",
        "  - {name: list subscriptions of reader, actor: reader, reads: [Subscription], filter: [subscriber]}\n  - {name: subscribe to writer,",
    )
    result = designed(text)
    step = _step(result.architecture, "read my inbox", "letters", "subscriptions")
    op = next(o for a in result.architecture.apis for o in a.operations if o.operation_id == step.operations[0])
    assert op.use_cases == ["list subscriptions of reader"]
    assert not op.internal
    assert op.consumers == ["letters"]
    assert not [o for a in result.architecture.apis for o in a.operations if o.internal and o.kind == "list"]


# --- the critic ---------------------------------------------------------------------------------------------------


def _arch(operations: list[str], consumers: list[str]) -> Architecture:
    op = Operation(operation_id="getUser", method="get", path="/users/{user_id}", summary="s", entity="User", kind="get", tag="users",
                   internal=True, consumers=consumers)  # fmt: skip
    step = FlowStep(source="follows", target="users", kind="query", description="check the User exists", operations=operations)
    request = FlowStep(source="user", target="follows", kind="request", description="follow user")
    return Architecture(
        system="t",
        services=[Service(name="users", entities=["User"]), Service(name="follows", entities=["Follow"])],
        apis=[Api(service="users", title="t", operations=[op])],
        flows=[Flow(use_case="follow user", style="sync", rationale="r", steps=[request, step])],
    )


@pytest.mark.parametrize(
    ("operations", "consumers", "said"),
    [
        pytest.param([], ["follows"], "names no operation of users's contract", id="none-named"),
        pytest.param(["listFollowers"], ["follows"], "calls listFollowers, which users's contract does not have", id="not-in-contract"),
        pytest.param(["getUser"], [], "calls getUser, whose x-consumers leaves follows out", id="caller-not-a-consumer"),
    ],
)
def test_sync_call_without_operation_err(operations: list[str], consumers: list[str], said: str) -> None:
    """A step between services naming nothing, naming what the callee lacks, or not listed by it is an error."""
    assert said in assert_findings(_arch(operations, consumers), sync_call_without_operation)


def test_consumer_no_step_calls_err() -> None:
    """An operation listing a consumer that no step of the flows calls is an error: its 'Called by other services' is untrue."""
    arch = _arch(["getUser"], ["follows", "likes"])
    assert "x-consumers names likes, but no step of likes's calls it" in assert_findings(arch, sync_call_without_operation)


def test_sync_call_with_its_operation_ok() -> None:
    """A step naming the callee's operation that lists the caller is clean."""
    assert_clean(_arch(["getUser"], ["follows"]), sync_call_without_operation)
