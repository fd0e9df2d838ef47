"""The spec author's word on a decision (``decisions:`` in the spec): choose, forbid or force, with the reason.

An override names a decision by its id (as ``handoff.json`` lists them: ``messaging``,
``feed.view-home-timeline``, ``cache.browse-books``, ``partitioning.orders``) or a pattern
by its code or name (``PAT001``, ``feed-fan-out-on-write``). The engine honours it and
re-derives what follows; the decision then says "decided by the spec author" with the
reason (``author_reason``), and keeps what the numbers chose as an alternative, so the
critic can show where the author overruled the figures. An override the engine could not
honour is reported, never dropped silently: ``report`` names what the decision builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import NUMBERS_CHOSE, Alternative, Architecture, Decision
from backend_architect.spec.model import DecisionOverride, Spec

#: Every override message starts with this, then the key: the caller locates it in the spec.
PREFIX = "decisions."


def override_for(spec: Spec, decision_id: str | None, pattern: tuple[str, str] | None = None) -> DecisionOverride | None:
    """The override for a decision id, else for its pattern (by code, then name), else None."""
    if decision_id is not None and decision_id in spec.decisions:
        return spec.decisions[decision_id]
    if pattern is not None:
        for key in pattern:
            if key in spec.decisions:
                return spec.decisions[key]
    return None


def matches(choice: str, candidate: str) -> bool:
    """Whether an author's ``choose`` names a candidate: case-insensitive, either contained in the other.

    >>> matches("kafka", "Apache Kafka (managed)"), matches("RabbitMQ", "Apache Kafka")
    (True, False)
    """
    a, b = choice.strip().lower(), candidate.strip().lower()
    return bool(a) and (a in b or b in a)


@dataclass(frozen=True)
class Steer:
    """Which variant of a decision to build: the author's choice where one matches, else what the numbers chose."""

    build: str
    by_numbers: str
    override: DecisionOverride | None

    @property
    def overruled(self) -> bool:
        return self.override is not None and self.build != self.by_numbers


def steer(spec: Spec, decision_id: str, by_numbers: str, variants: Mapping[str, Iterable[str]], pattern: tuple[str, str] | None = None) -> Steer:
    """The variant to build: ``variants`` maps each variant's key to the names an author may choose it by.

    ``forbid`` and ``force`` are left to the caller (a pattern, or the generic rule in ``patterns.apply``);
    a ``choose`` naming no variant builds what the numbers chose, and ``report`` says so.

    >>> from backend_architect.spec.model import Spec
    >>> spec = Spec.model_validate({"system": "s", "entities": {"A": {}}, "decisions": {"x": {"choose": "Kafka", "reason": "ops"}}})
    >>> steer(spec, "x", "outbox", {"outbox": ["outbox"], "kafka": ["Apache Kafka"]}).build
    'kafka'
    """
    override = override_for(spec, decision_id, pattern)
    if override is None or override.choose is None:
        # force keeps what the numbers chose, on the author's record; forbid is the caller's (or patterns.apply's) to honour
        return Steer(by_numbers, by_numbers, override if override is not None and override.force else None)
    wanted = steer_variant(override.choose, variants)
    return Steer(wanted, by_numbers, override) if wanted is not None else Steer(by_numbers, by_numbers, None)


def steer_variant(choose: str, variants: Mapping[str, Iterable[str]]) -> str | None:
    """The variant an author's ``choose`` names: its key exactly, else a name containing (or contained in) it; None when none does.

    >>> steer_variant("redis", {"none": ["no cache"], "cache-aside": ["cache-aside in Redis"]})
    'cache-aside'
    """
    for key in variants:
        if choose.strip().lower() == key.lower():
            return key
    for key, names in variants.items():
        if any(matches(choose, name) for name in [key, *names]):
            return key
    return None


def settled(steered: Steer, numbers: Decision, built: Decision) -> Decision:
    """The record of a steered decision: as built when the numbers chose it, else overruled with both on the record."""
    if steered.override is None:
        return built
    if not steered.overruled or built.choice == numbers.choice:
        return honoured(built, steered.override)
    # the record describes what is built: its title and consequences, never the numbers' option's
    return overruled(numbers, steered.override, built.choice, consequences=built.consequences).model_copy(
        update={"title": built.title, "choices": built.choices or numbers.choices}
    )


def overruled(decision: Decision, override: DecisionOverride, new_choice: str, rationale: str | None = None, consequences: str = "") -> Decision:
    """``decision`` as the author decided it: the new choice, the reason, and what the numbers chose kept as an alternative.

    The record describes the option built, never the one overruled: ``consequences`` are the built
    option's (the caller's to give; the numbers' option's are dropped, since they describe what is not
    built), and no alternative names the chosen option (by the choice or by the author's words for it),
    so an ADR never lists what it chose among what it turned down.
    """
    kept = [a for a in decision.alternatives if not names_choice(a.name, new_choice, override)]
    numbers = Alternative(
        name=f"{NUMBERS_CHOSE}: {decision.choice}", why_not=f"overruled by the spec author ({override.reason}); the numbers: {decision.rationale}"
    )
    return decision.model_copy(
        update={
            "choice": new_choice,
            "rationale": rationale or f"decided by the spec author: {override.reason}",
            "alternatives": [numbers, *kept],
            "consequences": consequences,
            "decided_by": "spec",
            "author_reason": override.reason,
        }
    )


def names_choice(alternative: str, choice: str, override: DecisionOverride) -> bool:
    """Whether an alternative's name names the chosen option: by the choice, or by the author's ``choose`` (``one-tier`` names "one tier on fast storage").

    >>> from backend_architect.spec.model import DecisionOverride
    >>> names_choice("one tier on fast storage", "one tier: the table stays whole", DecisionOverride(choose="one-tier", reason="r"))
    True
    >>> names_choice("hot/cold tiers", "one tier: the table stays whole", DecisionOverride(choose="one-tier", reason="r"))
    False
    """
    if matches(choice, alternative):
        return True
    if not override.choose:
        return False
    # whole words only, so choosing "0" replicas does not name every alternative holding a digit 0
    said, name = f" {_plain(override.choose)} ", f" {_plain(alternative)} "
    return bool(said.strip()) and (said in name or name in said)


def _plain(text: str) -> str:
    """Lower case with punctuation as spaces, so "one-tier" and "one tier" read alike."""
    return " ".join(re.sub(r"[^a-z0-9/]+", " ", text.lower()).split())


def forced(decision: Decision, override: DecisionOverride, numbers_choice: str, numbers_reason: str) -> Decision:
    """A decision the author forced where the numbers said it was not needed: both are on the record."""
    numbers = Alternative(name=f"{NUMBERS_CHOSE}: {numbers_choice}", why_not=f"overruled by the spec author ({override.reason}); the numbers: {numbers_reason}")
    return decision.model_copy(
        update={
            "rationale": f"forced by the spec author: {override.reason}",
            "alternatives": [numbers, *decision.alternatives],
            "decided_by": "spec",
            "author_reason": override.reason,
        }
    )


def honoured(decision: Decision, override: DecisionOverride) -> Decision:
    """A decision the author forced or chose that the numbers also support: it says both."""
    return decision.model_copy(
        update={
            "rationale": f"{decision.rationale}; the spec author also asked for it: {override.reason}",
            "decided_by": "spec",
            "author_reason": override.reason,
        }
    )


def steerable_subjects(spec: Spec, analysis: Analysis, arch: Architecture) -> list[str]:
    """Ids an override may name before any decision carries them: each read path's cache, each table's partitioning and sharding.

    Also the subjects themselves (use case ids, entities, tables): ``feed.view-home-feed`` names a
    subject a pattern may decide about, even where the numbers made no decision for it yet.
    """
    from backend_architect.spec.naming import table_name

    reads = [f"cache{level}.{u.id}" for u in analysis.use_cases if not u.is_write and not u.is_job for level in ("", ".l1")]
    tables = [table_name(entity) for entity in spec.entities]
    subjects = [*(u.id for u in analysis.use_cases), *(e.lower() for e in spec.entities), *tables]
    from backend_architect.design.patterns.database_load import databases as physical

    databases = [f"read-replicas.{name}" for name in physical(arch)]
    parts = [f"technology.{part}" for part in ("load-balancer", "cdn", "warehouse")]
    return [*reads, *(f"{kind}.{t}" for t in tables for kind in ("partitioning", "sharding")), *databases, *parts, *subjects]


def _what(override: DecisionOverride) -> str:
    if override.choose is not None:
        return f"choose '{override.choose}'"
    return "forbid" if override.forbid else "force"


def report(spec: Spec, arch: Architecture, patterns: Mapping[str, str], subjects: Iterable[str]) -> list[str]:
    """What the engine did not honour in ``decisions:``, one message each, so an override never fails silently.

    ``patterns`` maps every pattern code and name to its code; ``subjects`` are the ids an override may
    name although no decision carries them yet (a read path to cache, a table to partition). An entry
    already reported by the stage that read it (its key starts a message in the assumptions) is not
    reported twice.
    """
    from backend_architect.spec.field_types import suggest

    said = {a.split(":", 1)[0] for a in arch.assumptions if a.startswith(PREFIX)}
    known_subjects = set(subjects)
    messages = []
    for key, override in spec.decisions.items():
        if f"{PREFIX}{key}" in said:
            continue
        code = patterns.get(key)
        targets = [d for d in arch.decisions if d.id == key or (code is not None and d.pattern == code)]
        if any(d.author_reason is not None for d in targets):
            continue
        _, dot, tail = key.partition(".")
        about_a_subject = key in known_subjects or (bool(dot) and tail.split(".")[0] in known_subjects)
        if not targets and code is None and not about_a_subject:
            ids = sorted({d.id for d in arch.decisions} | {k for k in known_subjects if "." in k} | set(patterns))
            messages.append(f"{PREFIX}{key}: names no decision of this design or pattern{suggest(key, ids)}; it changed nothing")
        elif not targets:
            messages.append(
                f"{PREFIX}{key}: {_what(override)}: nothing in this design to apply it to"
                + (" (the pattern does not apply to any subject of this spec)" if code else "")
                + "; it changed nothing"
            )
        else:
            messages.append(f"{PREFIX}{key}: {_what(override)} is not something this decision can do; {_can(targets)}; it changed nothing")
    return messages


def _can(targets: list[Decision]) -> str:
    """What the decisions named can be told: their choices, and forbid/force for patterns."""
    choices = list(dict.fromkeys(c for d in targets for c in d.choices))
    verbs = ["forbid", "force"] if any(d.pattern for d in targets) else []
    parts = [f"choose one of: {', '.join(choices)}" if choices else "", " or ".join(verbs)]
    said = "; ".join(p for p in parts if p)
    kept = targets[0].choice
    return f"{said or 'the engine builds it one way only'} (kept: {kept})"
