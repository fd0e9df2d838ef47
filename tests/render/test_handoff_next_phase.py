"""The hand-off's next steps give the critic's verdict: only what blocks implementation is to be resolved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.render.handoff import DEPENDENCY_KINDS
from backend_architect.spec.load import load_spec_bytes

ROOT = Path(__file__).resolve().parents[2]


def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


def _tasks(result: DesignResult) -> list[str]:
    return [step["task"] for step in json.loads(result.files["handoff.json"])["next_phase"]]


def test_an_override_with_its_reason_is_nothing_to_resolve_ok() -> None:
    """A design whose only warning is the record of the author's override (DES007) asks nobody to resolve findings."""
    chat = (ROOT / "examples" / "chat.yaml").read_text()
    result = _designed(chat + "decisions:\n  cache.list-my-conversations: {forbid: true, reason: the team runs no Redis}\n")
    assert [f.code for f in result.findings if f.severity > 1] == ["DES007"]
    assert not any(t.startswith("resolve ") for t in _tasks(result))


def test_an_error_the_critic_finds_is_to_be_resolved_err() -> None:
    """A design with a finding the critic blocks on (replicas forbidden where reads need them) hands off a step to resolve it."""
    chat = (ROOT / "examples" / "chat.yaml").read_text()
    # the messages stay unsharded and uncached too, so the reads that need replicas pass one primary's ceiling several times over
    overrides = (
        "  read-replicas.messaging-db: {forbid: true, reason: cost}\n  cache.list-messages: {forbid: true, reason: one store}\n"
        "  sharding.messages: {choose: none, reason: one primary}\n"
    )
    result = _designed(chat + "decisions:\n" + overrides)
    assert "TOP007" in {f.code for f in result.findings if f.severity > 2}
    assert any(t.startswith("resolve ") and "review finding" in t for t in _tasks(result))


def test_realtime_gateway_is_a_deployable_fed_by_the_broker_ok() -> None:
    """The gateway runs as a deployable of its own: counted as one (not as a component too), and, fed by a broker, it checks
    and holds the broker's connection."""
    result = _designed((ROOT / "examples" / "chat.yaml").read_text())
    handoff = json.loads(result.files["handoff.json"])
    gateway = next(s for s in handoff["operations"]["services"] if s["name"] == "realtime-gateway")
    [task] = [t for t in _tasks(result) if t.startswith("provision ")]
    deployables = len(handoff["operations"]["services"])
    assert task.startswith(f"provision {deployables} deployable(s) (")
    assert "realtime-gateway" in task.split(" and ")[0]
    assert "realtime-gateway" not in task.split(" component(s) ")[-1]
    broker = any(c["kind"] == "broker" for c in handoff["operations"]["components"])
    assert ("BROKER_URL" in gateway["secrets"]) == ("broker consumer" in gateway["health"]["readiness"])
    if broker:
        assert "BROKER_URL" in gateway["secrets"]


@pytest.mark.parametrize("example", ["chat", "bookstore", "helpdesk", "delivery", "iot-telemetry"])
def test_readiness_gates_only_on_the_database_ok(example: str) -> None:
    """A service's readiness checks its database alone, as the scaffold's /readyz does: every other dependency it uses is named as
    left out, because its loss fails or slows only the paths using it (a gate on it would take every instance out at once)."""
    result = _designed((ROOT / "examples" / f"{example}.yaml").read_text())
    handoff = json.loads(result.files["handoff.json"])
    arch = result.architecture
    # the gateway and a worker delivering events outside (a push sender) have no database: they check what feeds them
    gateways = {c.name for c in arch.components if c.kind == "realtime-gateway" or c.calls}
    for service in handoff["operations"]["services"]:
        if service["name"] in gateways:
            continue
        readiness = service["health"]["readiness"]
        checked, _, left_out = readiness.removeprefix("/readyz (checks ").partition("; not ")
        assert checked.rstrip(")") == "the database"
        names = [n.strip() for n in left_out.partition(":")[0].split(",") if n.strip()]
        used = [c.name for c in arch.components if c.kind in DEPENDENCY_KINDS and (service["name"] in c.services or arch.deployment == "modular-monolith")]
        assert names == used
        assert readiness in result.files["design.md"]
