"""A fan-out bottleneck's next step names the mechanism beyond those the design built for the write's copies, never one it
already runs: a queue where nothing takes the copies off the request path, a cut-off where a worker or the real-time
gateway copies every audience in full, more workers and a lower cut-off where both are built.

Specs of different shapes: a board fed by the members one watches (a fan-out worker and a hybrid cut-off), rooms whose
notes go to their seated people over the real-time gateway, reminders mailed through a provider by a sender worker, and
bulletins addressed to many recipients with nothing built for them.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import spec_of

from backend_architect.design.fanout_steps import built_fanout
from backend_architect.design.pipeline import design_with_analysis

#: A board fed from the members one watches: the feed pattern's worker and its hybrid cut-off.
BOARD = """
system: pinboard
scale: {users: 50M, daily_active: 10M, rates: peak}
entities:
  Member: {fields: {handle: string(30)}, rows: 50M}
  Watch: {fields: {watcher: ref(Member), watched: ref(Member)}, rows: 4B}
  Pin:
    append_only: true
    fields: {owner: ref(Member), caption: string(300)}
use_cases:
  - {name: add pin, actor: member, writes: [Pin], rate: 4k/s, avg_fanout: 80}
  - {name: watch member, actor: member, writes: [Watch], rate: 300/s}
  - {name: stop watching, actor: member, kind: delete, writes: [Watch], rate: 60/s}
  - name: board
    actor: member
    reads: [Pin]
    filter: [Watch.watcher]
    sort: [-Pin.created_at]
    rate: 200k/s
    staleness: 5s
"""

#: Notes pushed to a room's seated people over the real-time gateway.
ROOMS = """
system: huddle
scale: {users: 5M, daily_active: 1M}
entities:
  Person:
    fields: {name: string(60)}
    presence: {offline_after: 60s}
    rows: 5M
  Room: {fields: {title: string(80)}, rows: 500k}
  Seat: {part_of: Room, fields: {person: ref(Person)}, avg_per_parent: 6}
  Note: {part_of: Room, append_only: true, fields: {author: ref(Person), text: string(1000)}}
use_cases:
  - {name: post note, actor: person, writes: [Note], reads: [Seat], deliver: realtime, avg_fanout: 6, rate: 3k/s}
  - {name: room notes, actor: person, reads: [Note], filter: [room], sort: [-created_at], page: cursor, rate: 5k/s}
"""

#: Bulletins addressed to forty recipients each, with no feed, gateway or worker built for them.
BULLETINS = """
system: dispatch
entities:
  Station: {fields: {name: string(60)}, rows: 20k}
  Bulletin: {fields: {station: ref(Station), body: string(500)}}
use_cases:
  - {name: issue bulletin, actor: operator, writes: [Bulletin], rate: 500/s, avg_fanout: 40}
  - {name: station bulletins, actor: operator, reads: [Bulletin], filter: [station], rate: 50/s}
"""

#: Clinic reminders mailed to the patients of an appointment through a provider: a sender worker consumes the events.
REMINDERS = """
system: clinic
external:
  postmark: {kind: email, latency_ms: 300}
entities:
  Patient: {fields: {name: string(80)}, rows: 300k}
  Appointment: {fields: {patient: ref(Patient), at: datetime}, rows: 2M}
use_cases:
  - {name: book appointment, actor: patient, writes: [Appointment], notify: [postmark], avg_fanout: 3, rate: 1k/s}
  - {name: my appointments, actor: patient, reads: [Appointment], filter: [patient], rate: 20/s}
"""

CASES = [
    pytest.param(BOARD, "add pin", ("worker", "cutoff"), "add workers and broker partitions past", id="worker-and-cutoff"),
    pytest.param(ROOMS, "post note", ("gateway",), "next, fan out on read for the largest audiences", id="gateway-only"),
    pytest.param(BULLETINS, "issue bulletin", (), "deliver the copies through a queue", id="nothing-built"),
    pytest.param(REMINDERS, "book appointment", ("senders",), "next, add instances to ", id="provider-senders-only"),
]


@pytest.mark.parametrize(("text", "write", "built", "next_step"), CASES)
def test_next_step_is_beyond_what_is_built_ok(text: str, write: str, built: tuple[str, ...], next_step: str) -> None:
    """The step says what is built for the write's copies and names as next only a mechanism the design does not run."""
    arch, analysis = design_with_analysis(spec_of(text))
    use_case = next(u for u in analysis.use_cases if u.name == write)
    found = built_fanout(arch, use_case)
    assert bool(found.worker) == ("worker" in built)
    assert bool(found.cutoff) == ("cutoff" in built)
    assert bool(found.gateway) == ("gateway" in built)
    assert bool(found.senders) == ("senders" in built)
    step = next(b.scaling_step for b in arch.bottlenecks if b.title == f"Fan-out on write in '{write}'")
    assert next_step in step
    ahead = step.split("next, ", 1)[-1]
    if found.queued:
        assert step.startswith("built: ")
        assert "through a queue" not in ahead
    if found.worker:
        assert found.worker in step
        assert f"{found.instances:,} workers" in step
    for sender, instances in found.senders:
        assert f"{sender} ({instances:,} instances)" in step.split("; next, ")[0]
    if found.cutoff:
        assert "fan out on read for the largest audiences" not in ahead
        assert "fan-out on read for audiences past" in step


def test_worker_capacity_trigger_ok() -> None:
    """Where a worker and a cut-off are built, the next step's trigger is the workers' capacity, with today's share of it."""
    arch, analysis = design_with_analysis(spec_of(BOARD))
    use_case = next(u for u in analysis.use_cases if u.name == "add pin")
    found = built_fanout(arch, use_case)
    step = next(b.scaling_step for b in arch.bottlenecks if b.scope == "add pin")
    capacity = found.instances * found.worker_rate
    assert capacity > 0
    assert f"past {capacity:,.0f} copies/s ({found.instances:,} workers x {found.worker_rate:,.0f}/s; now " in step
