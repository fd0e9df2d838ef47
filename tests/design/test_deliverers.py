"""Every mechanism moving data after a commit is one drawn, sized component: the same in topology, ADRs, secrets and AsyncAPI.

A push to recipients not connected, a webhook a write notifies and the rows a cross-shard write applies on other shards are
each done by a worker consuming the write's event (design/deliverers.py): it is the event's consumer in AsyncAPI and the
hand-off, it is drawn once between the broker (or the relay) and what it calls, it is sized, and it alone holds the
credentials of the external it calls. The relay only publishes. (The seventeenth trial's whatsapp drew the broker calling
APNs while the chats service held the push keys and the Debezium relay "handed" the event to them; its uber promised "a
relay applies the ride_offers rows" with no consumer doing it.)
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from tests.design.helpers import spec_of

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.deliverers import sender_of
from backend_architect.design.patterns._common import fmt
from backend_architect.ir.consumers import delivering
from backend_architect.ir.store_steps import store_steps
from backend_architect.render.mermaid import node_id

#: Mobile push to riders not connected: a live delivery whose offline recipients get APNs or FCM (neither named by the write).
ALERTS = """
system: dispatch
scale: {daily_active: 2M}
external:
  apns: {kind: push, share: 40%}
  fcm: {kind: push}
entities:
  Rider: {fields: {name: string(80)}}
  Alert:
    append_only: true
    fields: {rider: ref(Rider), text: string(200)}
use_cases:
  - {name: raise alert, writes: [Alert], rate: 300/s, deliver: {mode: realtime, to: Alert.rider}}
  - {name: list alerts, reads: [Alert], filter: [rider], page: cursor, rate: 1000/s}
"""

#: Two services, a push-only delivery naming its provider, at a rate that needs a broker and several senders.
REMINDERS = """
system: clinic-reminders
external:
  fcm: {kind: notification}
entities:
  Patient: {fields: {name: {type: string(80), pii: true}}, rows: 5M}
  Appointment:
    fields: {patient: ref(Patient), at: datetime, note: string(200)}
use_cases:
  - {name: book appointment, writes: [Appointment], rate: 3000/s, notify: [fcm], deliver: {mode: push, to: Appointment.patient}}
  - {name: view patient, reads: [Patient], rate: 500/s}
  - {name: rename patient, writes: [Patient.name], rate: 10/s}
  - {name: list appointments, reads: [Appointment], filter: [patient], page: cursor, rate: 800/s}
"""

#: An outbound webhook a payment notifies, beside a payment provider called within the request (a monolith: no broker).
INVOICES = """
system: invoicing
external:
  partner_hooks: {kind: webhook}
  stripe: {kind: payment}
entities:
  Customer: {fields: {email: {type: string(120), pii: true}}}
  Invoice:
    fields: {customer: ref(Customer), amount: decimal, status: "enum[draft, sent, paid]"}
use_cases:
  - {name: create invoice, writes: [Invoice], rate: 50/s}
  - {name: pay invoice, writes: [Invoice.status], calls: [stripe], notify: [partner_hooks], rate: 20/s}
  - {name: list invoices, reads: [Invoice], filter: [customer], page: cursor, rate: 300/s}
"""

#: A cross-shard co-write: a course opened with its enrollments, courses sharded by id and enrollments by student.
COURSES = """
system: classrooms
scale: {rates: peak, retention_years: 5}
entities:
  Student: {fields: {email: {type: string(120), pii: true}}, rows: 80M}
  Course: {fields: {teacher: ref(Student), title: string(120)}}
  Enrollment:
    fields: {course: ref(Course), student: ref(Student), grade: "enum[a, b, c, none]"}
use_cases:
  - {name: open course, writes: [Course, Enrollment], rate: 7k/s, consistency: strong}
  - {name: my courses, reads: [Enrollment], filter: [student], page: cursor, rate: 25k/s}
"""

#: The same co-write also mailing its teacher: the event exists before the transport is chosen, and gains the applier after.
COURSES_MAILED = COURSES.replace("system: classrooms\n", "system: classrooms\nexternal: {mailer: {kind: email}}\n").replace(
    "consistency: strong}", "consistency: strong, notify: [mailer]}"
)

SPECS = [
    pytest.param(ALERTS, id="push-offline"),
    pytest.param(REMINDERS, id="push-only"),
    pytest.param(INVOICES, id="webhook"),
    pytest.param(COURSES, id="cross-shard"),
    pytest.param(COURSES_MAILED, id="cross-shard-mailed"),
]
_DONE: dict[str, DesignResult] = {}


def _design(text: str) -> DesignResult:
    if text not in _DONE:
        _DONE[text] = design_spec(spec_of(text))
    return _DONE[text]


def _told(result: DesignResult) -> list[str]:
    """The externals a write's event must reach (pushed or notified), from the spec."""
    spec = result.spec
    return [name for name in spec.external if any(name in u.notify for u in spec.use_cases) or (spec.external[name].kind or "") in {"push", "notification"}]


@pytest.mark.parametrize("text", SPECS)
def test_no_event_is_consumed_by_an_external_ok(text: str) -> None:
    """An event's consumers are services and components: an external is called by the worker consuming the event, never by the broker."""
    result = _design(text)
    arch = result.architecture
    externals = {x.name for x in arch.externals}
    for event in arch.events:
        assert not set(event.consumers) & externals, (event.name, event.consumers)
    relay = next((c for c in arch.components if c.decision == "messaging" and c.kind == "worker"), None)
    assert relay is None or not any(x in relay.purpose for x in externals), relay.purpose


@pytest.mark.parametrize("text", SPECS)
def test_each_told_external_has_one_sized_deliverer_ok(text: str) -> None:
    """Every external a write's event reaches is called by exactly one worker, which consumes that event, is sized and has a decision."""
    result = _design(text)
    arch = result.architecture
    for name in _told(result):
        found = delivering(arch, name)
        assert found == [sender_of(result.spec, name)], (name, found)
        worker = next(c for c in arch.components if c.name == found[0])
        assert worker.kind == "worker"
        assert (worker.instances or 0) >= 2, worker
        assert any(worker.name in e.consumers for e in arch.events), worker.name
        assert any(d.id == worker.decision for d in arch.decisions), worker.decision
        assert f"delivery.instances.{worker.name}" in {f.key for f in arch.figures}


@pytest.mark.parametrize("text", SPECS)
def test_only_the_deliverer_holds_the_external_key_ok(text: str) -> None:
    """An external reached after the commit has its key in its deliverer's deployable only; a service holds only what it calls itself."""
    result = _design(text)
    arch = result.architecture
    operations = json.loads(result.files["handoff.json"])["operations"]["services"]
    called = {s.target for f in arch.flows for s in f.steps if s.kind == "external"}
    for name in _told(result):
        key = f"{name.upper()}_API_KEY"
        holders = [d["name"] for d in operations if key in d["secrets"]]
        expected = sorted(delivering(arch, name)) if name not in called else holders
        assert sorted(holders) == expected, (name, holders)
    for name in called:
        assert any(f"{name.upper()}_API_KEY" in d["secrets"] for d in operations if d["name"] not in {c.name for c in arch.components}), name


@pytest.mark.parametrize("text", SPECS)
def test_the_topology_draws_each_deliverer_once_between_broker_and_external_ok(text: str) -> None:
    """The architecture diagram draws each worker once, fed by the broker or the relay, calling its external; no event edge reaches an external."""
    result = _design(text)
    arch = result.architecture
    drawn = result.files["diagrams/architecture.mmd"]
    for worker in (c for c in arch.components if c.kind == "worker" and c.decision != "messaging" and any(c.name in e.consumers for e in arch.events)):
        node = node_id("cmp", worker.name)
        assert len(re.findall(rf"^\s+{node}[\[({{>]", drawn, re.MULTILINE)) == 1, worker.name
        assert re.search(rf"-\.->(\|consume\|)? {node}$", drawn, re.MULTILINE), worker.name
        for name in worker.calls or []:
            assert f"{node} -->|call| {node_id('ext', name)}" in drawn
    for external in arch.externals:
        assert not re.search(rf"-\.->\S* {node_id('ext', external.name)}$", drawn, re.MULTILINE), external.name


@pytest.mark.parametrize("text", SPECS)
def test_asyncapi_and_handoff_list_the_worker_as_consumer_ok(text: str) -> None:
    """The producer's AsyncAPI channel and the hand-off's integration name each event's worker among its consumers."""
    result = _design(text)
    arch = result.architecture
    handoff = json.loads(result.files["handoff.json"])
    published = {p["event"]: p["consumers"] for s in handoff["integration"] for p in s["publishes"]}
    workers = {c.name for c in arch.components if c.kind == "worker" and c.decision != "messaging"}
    checked = 0
    for event in arch.events:
        for consumer in set(event.consumers) & workers:
            assert consumer in published[event.name], (event.name, published[event.name])
            document = result.files.get(f"asyncapi/{event.producer}.yaml")
            if document is not None:
                channels = yaml.safe_load(document)["channels"].values()
                assert any(consumer in (c.get("description") or "") for c in channels), (event.name, consumer)
            checked += 1
    assert checked, "no event reaches a worker"


@pytest.mark.parametrize("text", [COURSES, COURSES_MAILED])
def test_a_cross_shard_write_is_applied_by_its_named_applier_ok(text: str) -> None:
    """A co-write whose rows part now is applied by the service's applier: named in the decision and the flow's store steps, consuming the event."""
    result = _design(text)
    arch = result.architecture
    writes = [w for s in arch.datastores for t in s.tables if t.sharding for w in t.sharding.co_writes if w.since == "now"]
    assert writes, "the spec puts no co-write on different shards"
    flows = {f.use_case: f for f in arch.flows}
    for write in writes:
        (applier,) = [c for c in arch.components if c.decision == "cross-shard-writes" and write.use_case in c.use_cases]
        assert applier.kind == "worker"
        assert (applier.instances or 0) >= 2
        assert applier.services, applier
        assert "a relay applies" not in write.mechanism
        assert applier.name in write.mechanism, write.mechanism
        (event,) = [e for e in arch.events if e.use_case == write.use_case]
        assert applier.name in event.consumers
        assert {p.table for p in event.parts} >= set(write.tables), event.parts
        steps = " ".join(s.text for s in store_steps(arch, flows[write.use_case]))
        assert f"by {applier.name} after the commit" in steps, steps


def test_a_write_on_one_shard_map_has_no_applier_ok() -> None:
    """Nothing parts a write's rows where nothing is sharded: no applier is made."""
    arch = _design(INVOICES).architecture
    assert not [c for c in arch.components if c.decision == "cross-shard-writes"]


def test_no_push_provider_no_sender_ok() -> None:
    """A design with no external told of a write runs no sender."""
    arch = _design(COURSES).architecture
    assert not [c for c in arch.components if c.calls]


def test_the_transport_counts_the_applier_as_a_consuming_group_ok() -> None:
    """The event deliveries figure and the broker record count the applier among each event's consuming groups, as the events table lists it."""
    result = _design(COURSES_MAILED)
    arch = result.architecture
    peak = {u.name: u.peak_qps for u in analyse(result.spec).use_cases}
    deliveries = next(f for f in arch.figures if f.key == "events.deliveries.peak")
    (event,) = [e for e in arch.events if e.use_case == "open course"]
    assert len(event.consumers) == 2, event.consumers
    assert deliveries.inputs[event.name] == pytest.approx(peak["open course"] * len(event.consumers))
    record = next(d for d in arch.decisions if d.id == "messaging")
    assert f"{fmt(deliveries.value)} deliveries/s" in record.context, record.context
