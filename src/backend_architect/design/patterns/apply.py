"""Run the patterns of one stage and merge what they return into the architecture.

Merging is by identity, so patterns compose: a component two patterns need (one Redis
cluster holding timelines and presence) is one component serving both, with their memory
added; a decision, figure, cache plan, job or placement with the id of an earlier one
replaces it (the later pattern saw more of the design).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

from backend_architect.design.analysis import Analysis
from backend_architect.design.event_fields import merged_event
from backend_architect.design.late_tables import with_late_tables_stated
from backend_architect.design.overrides import honoured, matches, override_for, overruled
from backend_architect.design.paths import with_mechanisms
from backend_architect.design.patterns import Applied, Pattern, Skipped
from backend_architect.design.patterns._clouds import PINNED_BY, candidates, named, pinned
from backend_architect.design.patterns._common import REDIS_NODE_BYTES, REDIS_NODE_OPS
from backend_architect.ir.model import NUMBERS_CHOSE, Alternative, Api, ApiSchema, Architecture, Decision, Operation
from backend_architect.ir.runtime import Component, Mechanism, PatternNote, RealtimeChannel
from backend_architect.spec.model import Spec

Stage = Callable[[Spec, Analysis, Architecture], Architecture]


#: Memory one shard of a component holds, by component name: a shared cluster's shards are sized from the memory of all it holds.
SHARD_BYTES = {"redis": REDIS_NODE_BYTES}
#: Operations/s one shard of a component carries, by component name: a shared cluster's shards carry the sum of every part's operations.
SHARD_OPS = {"redis": REDIS_NODE_OPS}


def merge_components(existing: Sequence[Component], added: Sequence[Component]) -> list[Component]:
    """Components by name: one that several patterns add serves all of them, its memory summed and its size the largest asked,
    or, for a sharded store, at least the shards their summed memory needs (``merged_shards``)."""
    by_name = {c.name: c for c in existing}
    for component in added:
        known = by_name.get(component.name)
        if known is None:
            by_name[component.name] = component
            continue
        memory = (known.memory_bytes or 0.0) + (component.memory_bytes or 0.0)
        per_shard = SHARD_BYTES.get(component.name)
        instances = merged_shards(known, component, per_shard) if per_shard is not None else (max(known.instances or 0, component.instances or 0) or None)
        operations = dict(known.operations)
        for term, value in component.operations.items():
            operations[term] = operations.get(term, 0.0) + value
        by_name[component.name] = known.model_copy(
            update={
                "purpose": known.purpose if component.purpose in known.purpose else f"{known.purpose}; {component.purpose}",
                "services": sorted({*known.services, *component.services}),
                "parts": sorted({*known.parts, *component.parts}),
                "pubsub": known.pubsub or component.pubsub,
                "use_cases": list(dict.fromkeys([*known.use_cases, *component.use_cases])),
                "memory_bytes": memory or None,
                "instances": instances,
                "operations": operations,
            }
        )
    return list(by_name.values())


def merged_shards(known: Component, added: Component, per_shard: float) -> int:
    """Shards of one cluster two patterns share: the most either asked, and enough for their summed memory.

    Each pattern sized its part as max(memory shards, operation shards) against the same per-shard
    capacity; held together, their bytes add up, so the cluster never holds more than ``per_shard``
    bytes a shard and every record's share (its bytes at that capacity) fits the one sizing. (The
    redundancy decision restates the part with its copies counted: the most asked keeps that.)
    """
    memory = (known.memory_bytes or 0.0) + (added.memory_bytes or 0.0)
    ops = sum(known.operations.values()) + sum(added.operations.values())
    per_shard_ops = SHARD_OPS.get(known.name)
    carried = math.ceil(ops / per_shard_ops) if per_shard_ops else 0
    return max(1, known.instances or 0, added.instances or 0, math.ceil(memory / per_shard), carried)


def shards_needed(component: Component) -> int:
    """Shards of a shared cluster from its own totals: enough for the sum of every part's operations and of their memory.

    shards = max(1, ceil(ops / per-shard ops), ceil(memory / per-shard memory)); a part that sized itself
    without stating its operations (a session store) keeps the count it asked (``instances``)."""
    per_bytes, per_ops = SHARD_BYTES.get(component.name), SHARD_OPS.get(component.name)
    if per_bytes is None or per_ops is None:
        return component.instances or 1
    ops = sum(component.operations.values())
    return max(1, component.instances or 0, math.ceil((component.memory_bytes or 0.0) / per_bytes), math.ceil(ops / per_ops))


_METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def merge_api(api: Api, operations: Sequence[Operation], schemas: Sequence[ApiSchema]) -> Api:
    """The API with operations replaced by id (or added, in path order) and schemas replaced by name (or added, by name)."""
    ops = {op.operation_id: op for op in api.operations}
    ops.update({op.operation_id: op for op in operations})
    named = {s.name: s for s in api.schemas}
    named.update({s.name: s for s in schemas})
    scopes = dict(api.scopes)
    for op in operations:
        for scope in op.scopes:
            resource, _, access = scope.partition(":")
            scopes.setdefault(scope, f"{'Change' if access == 'write' else 'Read'} {resource.replace('-', ' ')}")
    # a reshaped response (a ranking instead of a page) leaves the old schema unreferenced: keep only what operations reach
    pending = [name for op in ops.values() for name in (op.request_schema, op.response_schema) if name]
    used: set[str] = set()
    while pending:
        name = pending.pop()
        if name in used or name not in named:
            continue
        used.add(name)
        pending += [p.items or p.ref or "" for p in named[name].properties]
    return api.model_copy(
        update={
            "operations": sorted(ops.values(), key=lambda o: (o.path, _METHOD_ORDER[o.method])),
            "schemas": sorted((s for s in named.values() if s.name in used), key=lambda s: s.name),
            "scopes": dict(sorted(scopes.items())),
        }
    )


def _merged_channel(known: RealtimeChannel | None, channel: RealtimeChannel) -> RealtimeChannel:
    """A channel (one address) two use cases deliver on is one channel carrying both: use cases and publishers joined,
    deliveries summed, and each use case's recipients named beside it when they differ (one size per audience)."""
    if known is None:
        return channel
    recipients, per_message = known.recipients, known.recipients_per_message
    if channel.recipients != known.recipients:
        mine = f"{channel.recipients} (for {', '.join(repr(u) for u in channel.use_cases)})"
        theirs = known.recipients if " (for '" in known.recipients else f"{known.recipients} (for {', '.join(repr(u) for u in known.use_cases)})"
        recipients = f"{theirs}; {mine}"
        publishes = known.publishes_per_s + channel.publishes_per_s
        weighted = known.recipients_per_message * known.publishes_per_s + channel.recipients_per_message * channel.publishes_per_s
        per_message = weighted / publishes if publishes else max(known.recipients_per_message, channel.recipients_per_message)
    offline = known.offline
    if channel.offline != known.offline and channel.offline not in known.offline:
        # each use case's recipients not connected do what its own decision says (one fetches, another's offers are gone)
        mine = f"for {', '.join(repr(u) for u in channel.use_cases)}: {channel.offline}"
        theirs = known.offline if known.offline.startswith("for '") else f"for {', '.join(repr(u) for u in known.use_cases)}: {known.offline}"
        offline = f"{theirs}; {mine}"
    # one channel carries one message: personal fields a stranger among any use case's recipients may not see leave it for all
    withheld = list(dict.fromkeys([*known.withheld, *channel.withheld]))
    return known.model_copy(
        update={
            "use_cases": list(dict.fromkeys([*known.use_cases, *channel.use_cases])),
            "publishers": list(dict.fromkeys([*known.publishers, *channel.publishers])),
            "fields": [f for f in dict.fromkeys([*known.fields, *channel.fields]) if f not in withheld],
            "withheld": withheld,
            "events": list(dict.fromkeys([*known.events, *channel.events])),
            "catch_up": list(dict.fromkeys([*known.catch_up, *channel.catch_up])),
            "publishes_per_s": known.publishes_per_s + channel.publishes_per_s,
            "deliveries_per_s": known.deliveries_per_s + channel.deliveries_per_s,
            "recipients": recipients,
            "recipients_per_message": per_message,
            "offline": offline,
        }
    )


def _distinct_names(channels: list[RealtimeChannel]) -> list[RealtimeChannel]:
    """Channels keyed by address, each under a name of its own: a second address that would take a name gets a numbered one."""
    taken: set[str] = set()
    out = []
    for channel in channels:
        name, n = channel.name, 2
        while name in taken:
            name, n = f"{channel.name}-{n}", n + 1
        taken.add(name)
        out.append(channel if name == channel.name else channel.model_copy(update={"name": name}))
    return out


#: Patterns a design cannot do without: forbidding one would leave what it places nowhere. Each says what to choose instead.
REQUIRED = {
    "PAT005": "a job use case runs as a job; state its schedule, or remove the use case",
    "PAT006": "published events need a transport; choose the transactional outbox for the lightest one",
    "PAT004": "search use cases need an index; choose PostgreSQL full-text search for the lightest one",
    "PAT040": "blob fields need a store; choose another object store (MinIO, Amazon S3, ...)",
    "PAT043": "search documents need a home; choose PostgreSQL full-text search for the search decision",
    "PAT046": "rate limits need their buckets somewhere; choose each instance's memory",
    "PAT047": "every table and piece of state is placed somewhere; steer the placement of one kind of data by its own decision",
    "PAT048": "every design runs somewhere; choose a level (single-zone, 0 standby(s))",
    "PAT052": "the growth stages are a plan over the figures, not a part to leave out",
}


def _with_override(spec: Spec | None, pattern: Pattern, outcome: Applied | Skipped, assumptions: list[str]) -> Applied | Skipped:
    """An outcome as the spec author's ``decisions:`` entry has it: forbidden ones become a record of what was not built.

    A pattern honours ``choose`` and ``force`` itself (it knows what each choice builds); a
    ``choose`` naming what the numbers chose anyway is recorded as both. What it did not honour
    is reported by ``overrides.report`` after the design, never silently dropped.
    """
    if spec is None or not spec.decisions:
        return outcome
    if isinstance(outcome, Skipped):
        key = next((k for k in (outcome.subject, pattern.code, pattern.name) if k in spec.decisions), None)
        if key is not None and spec.decisions[key].force and not any(a.startswith(f"decisions.{key}:") for a in assumptions):
            assumptions.append(f"decisions.{key}: forced, but {pattern.name} has nothing to apply to {outcome.subject} ({outcome.reason})")
        return outcome
    decision = outcome.decision
    override = override_for(spec, decision.id if decision else None, (pattern.code, pattern.name))
    if override is None or decision is None or decision.author_reason is not None:
        return outcome
    if override.forbid and pattern.code in REQUIRED:
        key = next(k for k in (decision.id, pattern.code, pattern.name) if k in spec.decisions)
        if not any(a.startswith(f"decisions.{key}:") for a in assumptions):
            assumptions.append(f"decisions.{key}: cannot be forbidden: {REQUIRED[pattern.code]}; it changed nothing")
        return outcome
    if override.forbid:
        return Applied(overruled(decision, override, f"not applied: {pattern.title.lower()} is forbidden by the spec author"))
    pin = _pinned_in(spec, decision)
    if pin is not None:
        return dataclasses.replace(outcome, decision=pin)
    if (override.choose is not None and matches(override.choose, decision.choice)) or override.force:
        return dataclasses.replace(outcome, decision=honoured(decision, override))
    return outcome


def _pinned_in(spec: Spec, decision: Decision) -> Decision | None:
    """A pattern's decision naming the technology the author pinned for its part (``object-storage: {choose: MinIO}``): on the record as theirs."""
    part = next((p for p, key in PINNED_BY.items() if key == decision.id), None)
    override = spec.decisions.get(decision.id)
    name = pinned(spec, part) if part is not None else None
    if part is None or override is None or name is None or name not in decision.choice:
        return None
    numbers = named(spec.model_copy(update={"decisions": {}}), part)
    if numbers == name:
        return honoured(decision, override)
    kept = Alternative(name=f"{NUMBERS_CHOSE}: {numbers}", why_not=f"overruled by the spec author ({override.reason}); the numbers chose it for this part")
    return decision.model_copy(
        update={
            "rationale": f"{decision.rationale}; {name} decided by the spec author: {override.reason}",
            "alternatives": [kept, *(a for a in decision.alternatives if not matches(name, a.name))],
            "decided_by": "spec",
            "author_reason": override.reason,
            "choices": candidates(part, spec),
        }
    )


def merge(arch: Architecture, outcomes: Sequence[tuple[Pattern, Applied | Skipped]], spec: Spec | None = None) -> Architecture:
    """The architecture with every applied outcome merged in, and every skipped one noted (``decisions:`` overrides applied)."""
    decisions = {d.id: d for d in arch.decisions}
    figures = {f.key: f for f in arch.figures}
    caches = {c.use_case: c for c in arch.caches}
    jobs = {j.use_case: j for j in arch.jobs}
    placements = {p.data: p for p in arch.placements}
    components = list(arch.components)
    assumptions = list(arch.assumptions)
    notes = list(arch.pattern_notes)
    stores = {s.name: s for s in arch.datastores}
    events = {e.name: e for e in arch.events}
    availability = arch.availability
    stages = {s.name: s for s in arch.stages}
    channels = {c.address: c for c in arch.channels}
    flows = {f.use_case: f for f in arch.flows}
    services = {s.name: s for s in arch.services}
    api_changes: dict[str, tuple[list[Operation], list[ApiSchema]]] = {}
    mechanisms: list[Mechanism] = []
    for pattern, given in outcomes:
        outcome = _with_override(spec, pattern, given, assumptions)
        if isinstance(outcome, Skipped):
            notes.append(PatternNote(pattern=pattern.code, subject=outcome.subject, reason=outcome.reason))
            continue
        decision = outcome.decision
        if decision is not None:
            decisions[decision.id] = decision.model_copy(update={"pattern": decision.pattern or pattern.code})
        figures.update({f.key: f for f in outcome.figures})
        caches.update({c.use_case: c for c in outcome.caches})
        jobs.update({j.use_case: j for j in outcome.jobs})
        placements.update({p.data: p for p in outcome.placements})
        for event in outcome.events:
            # two outcomes adding a consumer to one event each keep theirs: consumers and fields are joined, not replaced
            events[event.name] = merged_event(events.get(event.name), event)
        components = merge_components(components, outcome.components)
        availability = outcome.availability or availability
        stages.update({s.name: s for s in outcome.stages})
        assumptions += [a for a in outcome.assumptions if a not in assumptions]
        flows.update({f.use_case: f for f in outcome.flows})
        services.update({s.name: s for s in outcome.services})
        mechanisms += [m if m.pattern else m.model_copy(update={"pattern": pattern.code}) for m in outcome.mechanisms]
        for channel in outcome.channels:
            channels[channel.address] = _merged_channel(channels.get(channel.address), channel)
        for service, operation in outcome.operations:
            api_changes.setdefault(service, ([], []))[0].append(operation)
        for service, schema in outcome.schemas:
            api_changes.setdefault(service, ([], []))[1].append(schema)
        for store_name, table in outcome.tables:
            store = stores[store_name]
            # a changed table keeps its place (DDL and diagrams stay in order); a new one goes last
            names = [t.name for t in store.tables]
            tables = [table if t.name == table.name else t for t in store.tables] if table.name in names else [*store.tables, table]
            stores[store_name] = store.model_copy(update={"tables": tables})
    # cache plans keep the order they had (a position map: a list's index() per plan is quadratic on large designs)
    cache_order = {c.use_case: i for i, c in enumerate(arch.caches)}
    merged = arch.model_copy(
        update={
            "decisions": list(decisions.values()),
            "figures": list(figures.values()),
            "caches": sorted(caches.values(), key=lambda c: (c.use_case not in cache_order, cache_order.get(c.use_case, 0))),
            "jobs": list(jobs.values()),
            "placements": list(placements.values()),
            "components": components,
            "assumptions": assumptions,
            "pattern_notes": notes,
            "datastores": [stores[s.name] for s in arch.datastores],
            "events": list(events.values()),
            "availability": availability,
            "stages": sorted(stages.values(), key=lambda s: s.order),
            "channels": _distinct_names(list(channels.values())),
            "flows": list(flows.values()),
            "services": [services[s.name] for s in arch.services],
            "apis": [merge_api(api, *api_changes[api.service]) if api.service in api_changes else api for api in arch.apis],
        }
    )
    return with_mechanisms(merged, mechanisms)


def stage_of(name: str, patterns: Sequence[Pattern]) -> Stage:
    """A pipeline stage running, in order, the patterns registered for stage ``name``; each sees what the earlier ones merged."""
    mine = tuple(p for p in patterns if p.stage == name)

    def run(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
        for pattern in mine:
            before = arch
            arch = merge(arch, [(pattern, outcome) for outcome in pattern(spec, analysis, arch)], spec)
            # a table added after the partitioning record was written is stated in it, as every table is (design/late_tables.py)
            arch = with_late_tables_stated(spec, analysis, before, arch)
        return arch

    run.__name__ = f"derive_{name}"
    run.__doc__ = f"Apply the {name.replace('_', ' ')} patterns: {', '.join(p.name for p in mine)}."
    return run
