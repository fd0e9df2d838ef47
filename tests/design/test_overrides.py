"""The spec author's decisions: choose, forbid and force are honoured, re-derived downstream, and shown against the numbers."""

from __future__ import annotations

import textwrap

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.rules.registry import review
from backend_architect.spec.load import load_spec_bytes
from design.test_patterns import FEED, MESSAGING


def design(text: str) -> tuple[Architecture, tuple[str, ...]]:
    result = design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))
    return result.architecture, result.warnings


def _des007(arch: Architecture) -> list[str]:
    return [f.message for f in review(arch) if f.code == "DES007"]


def test_choose_another_transport_ok() -> None:
    """Choosing Kafka at 3,000 events/s builds Kafka (not RabbitMQ), says the author decided, and the critic shows the numbers."""
    arch, _ = design(MESSAGING.replace("RATE", "1k/s") + "decisions:\n  messaging: {choose: Kafka, reason: the platform team runs Kafka}\n")
    messaging = next(d for d in arch.decisions if d.id == "messaging")
    assert messaging.choice.startswith("Apache Kafka")
    assert messaging.decided_by == "spec"
    assert [c.technology.split()[0] for c in arch.components if c.kind == "broker"] == ["Apache"]
    assert any("the numbers chose 'RabbitMQ" in m for m in _des007(arch))


def test_choose_what_the_numbers_chose_is_no_warning_ok() -> None:
    """An override agreeing with the numbers is recorded as both and raises nothing."""
    arch, _ = design(MESSAGING.replace("RATE", "1k/s") + "decisions:\n  messaging: {choose: RabbitMQ, reason: we know it}\n")
    assert next(d for d in arch.decisions if d.id == "messaging").choice.startswith("RabbitMQ")
    assert _des007(arch) == []


def test_forbid_a_pattern_ok() -> None:
    """Forbidding the feed pattern removes its lists and workers; the record and the critic keep the numbers."""
    arch, _ = design(FEED.replace("RATE", "1k/s") + "decisions:\n  PAT001: {forbid: true, reason: keep it simple for the pilot}\n")
    feed = next(d for d in arch.decisions if d.id == "feed.view-home-feed")
    assert feed.choice.startswith("not applied")
    assert not any(c.name == "view-home-feed-fanout" for c in arch.components)
    assert next(c for c in arch.caches if c.use_case == "view home feed").strategy != "read-model"
    assert any("fan-out on write" in m for m in _des007(arch))


def test_force_a_pattern_below_its_threshold_ok() -> None:
    """Forcing the feed pattern where reads are few applies it, and the critic says the numbers did not ask for it."""
    arch, _ = design(FEED.replace("RATE", "10/s") + "decisions:\n  feed.view-home-feed: {force: true, reason: reads will grow}\n")
    assert any(c.name == "view-home-feed-fanout" for c in arch.components)
    assert any("fan-out on read" in m for m in _des007(arch))


def test_choose_the_deployment_shape_ok() -> None:
    """Choosing microservices for a team of three splits the services and records the author's reason."""
    text = MESSAGING.replace("RATE", "1/s").replace("size: 20", "size: 3") + "decisions:\n  deployment-shape: {choose: microservices, reason: two sites}\n"
    arch, _ = design(text)
    assert arch.deployment == "microservices"
    assert next(d for d in arch.decisions if d.id == "deployment-shape").decided_by == "spec"


def test_unknown_override_is_reported_err() -> None:
    """An override naming no decision or pattern changes nothing and says so, with a suggestion."""
    _arch, warnings = design(MESSAGING.replace("RATE", "1/s") + "decisions:\n  mesaging: {choose: Kafka, reason: typo}\n")
    assert any("decisions.mesaging: names no decision of this design or pattern (did you mean 'messaging'?)" in w for w in warnings)


def test_override_needs_one_word_and_a_reason_err() -> None:
    """An override says exactly one of choose, forbid or force, with a reason: located errors otherwise."""
    import pytest

    from backend_architect.errors import InputError

    with pytest.raises(InputError) as info:
        load_spec_bytes((MESSAGING.replace("RATE", "1/s") + "decisions:\n  messaging: {choose: Kafka, forbid: true}\n").encode(), "spec.yaml")
    assert "'messaging': say exactly one of choose, forbid or force (got choose, forbid)" in str(info.value)
    with pytest.raises(InputError, match="missing required key 'reason'"):
        load_spec_bytes((MESSAGING.replace("RATE", "1/s") + "decisions:\n  messaging: {choose: Kafka}\n").encode(), "spec.yaml")
