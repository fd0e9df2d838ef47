"""Each pattern of the library obeys forbid and force, every choice a decision lists builds, and an override that cannot be honoured says so where it stands."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.patterns.apply import REQUIRED
from backend_architect.design.patterns.registry import PATTERNS
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import DecisionOverride
from conftest import EXAMPLE_IDS, ROOT, designed

#: Patterns the bundled examples never apply; their forbid and force are proven on specs of their own below.
NOT_IN_EXAMPLES = {"PAT001", "PAT041", "PAT043", "PAT051", "PAT053", "PAT055", "PAT060", "PAT056"}


def _errors(arch: Architecture) -> set[tuple[str, str]]:
    from backend_architect.rules.registry import review

    return {(f.code, f.message) for f in review(arch) if f.severity.name == "ERROR"}


def _where_applied(code: str) -> str | None:
    return next((name for name in EXAMPLE_IDS if any(d.pattern == code for d in designed(name).architecture.decisions)), None)


def _with(result: DesignResult, overrides: dict[str, DecisionOverride]) -> Architecture:
    from backend_architect.design.pipeline import design

    return design(result.spec.model_copy(update={"decisions": overrides}))


@pytest.mark.parametrize("code", [p.code for p in PATTERNS if p.code not in NOT_IN_EXAMPLES])
def test_forbidding_each_pattern_ok(code: str) -> None:
    """A forbidden pattern builds nothing and says so with the reason; one a design cannot do without refuses, saying what to choose instead."""
    name = _where_applied(code)
    assert name is not None, f"no example applies {code}: move it to NOT_IN_EXAMPLES and prove it on a spec of its own"
    before = designed(name).architecture
    after = _with(designed(name), {code: DecisionOverride(forbid=True, reason="not for the pilot")})
    records = [d for d in after.decisions if d.pattern == code]
    if code in REQUIRED:
        assert [a for a in after.assumptions if a.startswith(f"decisions.{code}: cannot be forbidden")], after.assumptions
        assert [d.choice for d in records] == [d.choice for d in before.decisions if d.pattern == code]
        return
    assert records
    assert all(d.author_reason == "not for the pilot" for d in records)
    assert not [c.name for c in after.components if c.decision in {d.id for d in records}]
    new_errors = {c for c, _ in _errors(after) - _errors(before)}
    # forbidding read replicas where the reads need them is what the critic must flag
    assert new_errors <= ({"TOP007"} if code == "PAT003" else set()), new_errors


FEED = (ROOT / "tests" / "design" / "test_patterns.py").read_text().split('FEED = """\\\n')[1].split('"""')[0]
BODIES = """\
system: wiki
scale: {users: 1M, retention_years: 5}
entities:
  Page: {fields: {title: string(200), body: {type: text, avg_bytes: 64000}}}
use_cases:
  - {name: write page, writes: [Page], rate: 1k/day}
  - {name: view page, reads: [Page], rate: 100/s}
"""


@pytest.mark.parametrize(
    ("spec", "key", "built"),
    [
        pytest.param(FEED.replace("RATE", "10/s"), "feed.view-home-feed", "view-home-feed-fanout", id="feed-below-its-threshold"),
        pytest.param(BODIES, "storage.pages.body", "object-storage", id="bodies-in-a-small-table"),
    ],
)
def test_forcing_a_pattern_below_its_threshold_ok(spec: str, key: str, built: str) -> None:
    """Forcing a threshold pattern where the numbers say no applies it, on the author's record, and the critic shows the numbers."""
    plain = design_spec(load_spec_bytes(spec.encode(), "spec.yaml")).architecture
    assert built not in {c.name for c in plain.components}
    result = design_spec(load_spec_bytes((spec + f"decisions:\n  {key}: {{force: true, reason: it will grow}}\n").encode(), "spec.yaml"))
    assert built in {c.name for c in result.architecture.components}
    forced = next(d for d in result.architecture.decisions if d.id == key)
    assert forced.author_reason == "it will grow"
    assert any(f.code == "DES007" and forced.title in f.message for f in result.findings)


@pytest.mark.parametrize("name", ["bookstore", "delivery"])
def test_every_listed_choice_builds_ok(name: str) -> None:
    """Whatever a decision lists as a choice, choosing it is honoured (recorded as the author's) and breaks no consistency rule."""
    base = designed(name)
    before = _errors(base.architecture)
    tried = 0
    for decision in base.architecture.decisions:
        for choice in decision.choices:
            if "<" in choice or choice == decision.choice:
                continue
            after = _with(base, {decision.id: DecisionOverride(choose=choice, reason="trying it")})
            record = next(d for d in after.decisions if d.id == decision.id)
            assert record.author_reason == "trying it", (decision.id, choice, [a for a in after.assumptions if a.startswith("decisions.")])
            new = {code for code, _ in _errors(after) - before}
            assert new <= {"TOP007"}, (decision.id, choice, new)
            tried += 1
    assert tried >= 20


def _warnings(text: str) -> tuple[str, ...]:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")).warnings


SMALL = """\
system: shop
entities:
  Order: {fields: {total: money}}
use_cases:
  - {name: list orders, reads: [Order], rate: 5/s}
decisions:
"""


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(
            "  keys: {choose: natural keys, reason: legacy}",
            "spec.yaml:7:3: warning: decisions.keys: choose 'natural keys' is not something this decision can do; choose one of: UUIDv7 everywhere,",
            id="a-choice-the-engine-cannot-build",
        ),
        pytest.param(
            "  deployment-shape: {forbid: true, reason: one database}",
            "spec.yaml:7:3: warning: decisions.deployment-shape: forbid is not something this decision can do; choose one of: modular monolith, microservices",
            id="forbidding-what-every-design-has",
        ),
        pytest.param(
            "  cache.list-order: {choose: none, reason: typo}",
            "spec.yaml:7:3: warning: decisions.cache.list-order: names no decision of this design or pattern (did you mean 'cache.list-orders'?)",
            id="a-misspelt-id",
        ),
        pytest.param(
            "  sharding.orders: {choose: colour, reason: region}",
            "spec.yaml:7:3: warning: decisions.sharding.orders: choose a column of orders (",
            id="a-shard-key-that-is-no-column",
        ),
        pytest.param(
            "  PAT006: {forbid: true, reason: fewer parts}",
            "spec.yaml:7:3: warning: decisions.PAT006: cannot be forbidden: published events need a transport",
            id="forbidding-a-required-pattern",
        ),
    ],
)
def test_an_override_not_honoured_is_located_err(entry: str, expected: str) -> None:
    """An override the engine cannot honour changes nothing and says why at its line in the spec, naming what would work."""
    warnings = _warnings(SMALL.replace("rate: 5/s}", "rate: 5/s, notify: [billing]}") + entry + "\n")
    assert any(w.startswith(expected) for w in warnings), warnings


def test_forbidding_managed_services_names_open_source_parts_ok() -> None:
    """On a named cloud, forbidding the managed services (PAT051) names every part open source, on the author's record."""
    text = (ROOT / "examples" / "bookstore.yaml").read_text() + "\ndecisions:\n  PAT051: {forbid: true, reason: we run Kubernetes ourselves}\n"
    text = text.replace("constraints:\n", "constraints:\n  cloud: aws\n", 1)
    managed = design_spec(load_spec_bytes(text.split("\ndecisions:")[0].encode(), "bookstore.yaml")).architecture
    result = design_spec(load_spec_bytes(text.encode(), "bookstore.yaml")).architecture
    assert "Amazon ElastiCache for Redis" in {c.technology for c in managed.components}
    assert not any(c.technology.startswith(("Amazon", "AWS")) for c in result.components)
    cloud = next(d for d in result.decisions if d.id == "cloud")
    assert cloud.author_reason == "we run Kubernetes ourselves"
    assert cloud.choice.startswith("not applied")


def test_forbidding_the_feed_fan_out_ok() -> None:
    """The feed pattern (applied in no example) forbidden leaves no fan-out workers, on the author's record."""
    result = design_spec(load_spec_bytes((FEED.replace("RATE", "1k/s") + "decisions:\n  PAT001: {forbid: true, reason: pilot}\n").encode(), "spec.yaml"))
    feed = next(d for d in result.architecture.decisions if d.pattern == "PAT001")
    assert feed.author_reason == "pilot"
    assert not any(c.decision == feed.id for c in result.architecture.components)
