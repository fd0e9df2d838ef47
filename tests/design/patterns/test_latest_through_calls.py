"""A get answering another service's row whose latest value lives in that service's Redis (PAT020) calls the owner for it.

The contract promises one call to the owner; the flow, the sequence diagram, the owner's request rate and its database
reads, and the decision all say that same call, and the owner's operation says it answers the latest value from Redis.
"""

from __future__ import annotations

import pytest

from backend_architect.design.callee_operations import Need, answering
from design.helpers import design_of

COURIER = """
system: parcels
scale: {rates: peak}
entities:
  Courier: {fields: {name: string(80), location: geo?}, rows: 300k}
  Parcel: {fields: {courier: ref(Courier)?, address: string(200), weight_g: int}}
use_cases:
  - {name: move courier, actor: courier, writes: [Courier.location], latest: true, rate: 40k/s}
  - {name: send parcel, actor: customer, writes: [Parcel], rate: 50/s}
  - {name: view parcel, actor: customer, reads: [Parcel, Courier], rate: 900/s}
"""

THERMOSTAT = """
system: homes
scale: {rates: peak}
entities:
  Thermostat: {fields: {label: string(40), celsius: float}, rows: 5M}
  Room: {fields: {name: string(60), thermostat: ref(Thermostat)}}
use_cases:
  - {name: report temperature, actor: device, writes: [Thermostat.celsius], latest: true, rate: 30k/s}
  - {name: add room, actor: owner, writes: [Room], rate: 5/s}
  - {name: show room, actor: owner, kind: get, reads: [Room, Thermostat], rate: 400/s}
"""

ARENA = """
system: arena
scale: {rates: peak}
entities:
  Player: {fields: {handle: string(30), score: int, spot: geo?}, rows: 2M}
  Match: {fields: {host: ref(Player), title: string(80)}}
use_cases:
  - {name: post score, actor: player, writes: [Player.score], latest: true, rate: 20k/s}
  - {name: open match, actor: player, writes: [Match], rate: 20/s}
  - {name: see match, actor: player, kind: get, reads: [Match, Player], rate: 700/s}
"""

CASES = [
    pytest.param(COURIER, "view parcel", "Courier", "couriers", "location", id="geo-position-of-an-optional-reference"),
    pytest.param(THERMOSTAT, "show room", "Thermostat", "thermostats", "celsius", id="hash-reading-of-a-required-reference"),
    pytest.param(ARENA, "see match", "Player", "players", "score", id="hash-score-of-a-host"),
]


@pytest.mark.parametrize(("spec", "reader", "entity", "owner", "field"), CASES)
def test_flow_calls_the_owner_its_contract_promises_ok(spec: str, reader: str, entity: str, owner: str, field: str) -> None:
    """The reader's flow keeps its call to the owner and never reads the owner's Redis itself."""
    arch = design_of(spec)
    flow = next(f for f in arch.flows if f.use_case == reader)
    home = flow.steps[0].target
    assert any(s.kind == "query" and s.source == home and s.target == owner and entity in s.description for s in flow.steps)
    assert not any(s.target == "redis" for s in flow.steps)
    assert not any(m.use_case == reader and m.serves == "read" and m.pattern == "PAT020" for m in arch.mechanisms)
    op = next(o for a in arch.apis for o in a.operations if reader in o.use_cases and not o.internal)
    assert f"one call to {owner}" in op.description


@pytest.mark.parametrize(("spec", "reader", "entity", "owner", "field"), CASES)
def test_owner_counts_and_answers_the_call_ok(spec: str, reader: str, entity: str, owner: str, field: str) -> None:
    """The owner's request rate and database reads count the reader's calls; its operation says the value comes from Redis."""
    arch = design_of(spec)
    public = next(o for a in arch.apis for o in a.operations if reader in o.use_cases and not o.internal)
    rate = next(f for f in arch.figures if f.key == f"qps.peak.service.{owner}")
    assert f"call_{public.operation_id}" in rate.inputs
    home = next(s.name for s in arch.services if s.name != owner)
    api = next(a for a in arch.apis if a.service == owner)
    callee = answering(api, Need(reader, home, owner, entity, "read"))
    assert callee is not None
    assert f"latest {field} from Redis" in callee.description
    made = next(d for d in arch.decisions if d.pattern == "PAT020")
    assert f"'{reader}' gets each {entity} from {owner} ({callee.operation_id})" in made.consequences
    assert f"'{reader}' reads the latest" not in made.consequences


@pytest.mark.parametrize(("spec", "reader", "entity", "owner", "field"), CASES)
def test_reader_in_the_owner_still_reads_redis_ok(spec: str, reader: str, entity: str, owner: str, field: str) -> None:
    """A get of the row in its own service is still served from Redis: only a call across services goes through the owner."""
    extra = f"  - {{name: peek value, actor: ops, kind: get, reads: [{entity}.{field}], rate: 300/s}}\n"
    arch = design_of(spec + extra)
    flow = next(f for f in arch.flows if f.use_case == "peek value")
    assert [s.target for s in flow.steps[1:]] == ["redis"]
