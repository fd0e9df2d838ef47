"""Stage 4: how services talk for each use case: locally, by a call, by an event, or by a saga.

A use case that only touches its own service's data is local. Reading another
service's data needs a synchronous query when the read must be fresh, and an event-fed
local copy when it may be stale. Writing across services is a saga: each step commits
locally and publishes through a transactional outbox; failures run compensations.
"""

from __future__ import annotations

import re

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.call_chains import plan_flow
from backend_architect.design.call_pages import lookup_calls
from backend_architect.design.deliverers import sender_of
from backend_architect.design.embeds import called_owners
from backend_architect.design.event_fields import merged_event, recorded_event, with_fields, written_row
from backend_architect.design.graph_reads import with_graph_reads
from backend_architect.design.membership import member_flow, table_owners
from backend_architect.design.pushes import push_providers
from backend_architect.design.read_cycles import copied_reads
from backend_architect.design.reference_checks import checked_flow
from backend_architect.design.relay import local_copy_reason
from backend_architect.design.table_feeds import Feed, with_feeds
from backend_architect.design.usecases import applied_values, found_by_search, remote_access, unfed_reads
from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture, Event, Flow, FlowStep, Saga, SagaStep, Service
from backend_architect.spec.model import Spec

_IRREGULAR_PAST = {
    "send": "Sent",
    "pay": "Paid",
    "write": "Written",
    "buy": "Bought",
    "sell": "Sold",
    "make": "Made",
    "set": "Set",
    "put": "Put",
    "run": "Run",
    "begin": "Begun",
    "take": "Taken",
    "give": "Given",
    "hold": "Held",
    "cancel": "Cancelled",
    "log": "Logged",
    "submit": "Submitted",
    "ship": "Shipped",
    "stop": "Stopped",
    "plan": "Planned",
    "leave": "Left",
}


def past_tense(verb: str) -> str:
    """The past participle of a verb, capitalised, for event names.

    >>> [past_tense(v) for v in ["place", "add", "cancel", "apply", "send", "book"]]
    ['Placed', 'Added', 'Cancelled', 'Applied', 'Sent', 'Booked']
    """
    verb = verb.lower()
    if verb in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[verb]
    if verb.endswith("e"):
        word = verb + "d"
    elif re.search(r"[^aeiou]y$", verb):
        word = verb[:-1] + "ied"
    elif re.fullmatch(r"[^aeiou]*[aeiou][bdgmnpt]", verb):
        word = verb + verb[-1] + "ed"
    else:
        word = verb + "ed"
    return word.capitalize()


#: Verbs that say nothing beyond the operation's kind: their events are named by the kind.
_GENERIC_VERBS = frozenset({"create", "add", "new", "update", "edit", "change", "modify", "set", "delete", "remove", "replace"})
_KIND_VERB = {"create": "Created", "update": "Updated", "replace": "Replaced", "delete": "Deleted"}


_PARTICLES = frozenset({"up", "in", "out", "off", "on", "over", "back", "down"})


def event_name(use_case: UseCase) -> str:
    """``<Entity><PastTense>``: 'place order' -> OrderPlaced, 'sign up' -> UserSignedUp."""
    words = use_case.name.split()
    verb = words[0]
    particle = words[1].capitalize() if len(words) > 1 and words[1].lower() in _PARTICLES else ""
    if particle:
        return use_case.entity + past_tense(verb) + particle
    if verb.lower() in _GENERIC_VERBS and use_case.kind in _KIND_VERB:
        return use_case.entity + _KIND_VERB[use_case.kind]
    return use_case.entity + past_tense(verb)


def derive_communication(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """A flow per use case, the events it publishes, and service dependencies."""
    owner = {entity: service.name for service in arch.services for entity in service.entities}
    use_cases = analysis.use_cases
    readers: dict[str, set[str]] = {}
    for use_case in use_cases:
        for entity in use_case.reads:
            readers.setdefault(entity, set()).add(owner[use_case.entity] if use_case.entity else owner[entity])
    for check in arch.reference_checks:  # a local copy of another service's ids is fed by that service's events
        if check.check == "local copy":
            readers.setdefault(check.entity, set()).add(next(s.name for s in arch.services if check.table in _tables_of(arch, s.name)))
    for member in arch.membership_checks:  # so is a local copy of another service's membership pairs
        if member.check == "local copy":
            readers.setdefault(member.members, set()).update(s.name for s in arch.services if member.table in _tables_of(arch, s.name))
    flows: list[Flow] = []
    events: list[Event] = []
    depends: dict[str, set[str]] = {s.name: set(s.depends_on) for s in arch.services}
    externals: dict[str, set[str]] = {s.name: set(s.externals) for s in arch.services}
    # a local copy is fed by its owner's events: only entities some use case writes have any
    fed = {u.entity for u in use_cases if u.is_write} | {e for u in use_cases for e in u.writes}
    copied = copied_reads(use_cases, owner)
    # an external told of a write is reached by the worker delivering to it (design/deliverers.py), never by the relay
    delivered = {name: sender_of(spec, name) for name in spec.external}
    reacting = reaction_steps(use_cases, owner)
    by_name = {u.name: u for u in use_cases}
    for use_case in use_cases:
        home = owner[use_case.entity]
        flow, event = _flow(
            use_case,
            home,
            owner,
            readers,
            set(spec.external),
            fed,
            frozenset(push_providers(spec)),
            copied,
            delivered,
            called_owners(spec, analysis, use_case, owner),
            spec,
            reacting.get(use_case.name, {}),
            [by_name[n] for n in use_case.reacts_to],
        )
        in_process = one_deployable(arch)
        flow = member_flow(
            checked_flow(flow, home, arch.reference_checks, in_process=in_process),
            home,
            arch.membership_checks,
            in_process=in_process,
            table_owner=table_owners(owner),
        )
        flows.append(plan_flow(spec, use_case, flow, in_process=in_process))
        if event is not None:
            # a write's event carries the row it wrote: the copies, indexers and pushes consuming it read that row
            # a read's event carries the rows it records (a search's query), which its consumer inserts
            events.append(with_fields(event, written_row(arch, use_case)) if use_case.is_write else recorded_event(arch, use_case, event))
        for step in flow.steps:
            if step.kind in {"call", "query"} and step.source == home:
                depends[home].add(step.target)
            if step.kind == "external" or (step.kind == "event" and step.target in spec.external):
                externals[home].add(step.target)
    services = [s.model_copy(update={"depends_on": sorted(depends[s.name]), "externals": sorted(externals[s.name])}) for s in arch.services]
    made = arch.model_copy(update={"flows": flows, "events": _unique_events(events), "services": services})
    # the copies' events carry what each copy writes: a leave names its pair, a scope created with its members carries them
    made = with_feeds(made, copy_feeds(spec, made), list(use_cases))
    # a read filtered through another service's rows (a feed by the reader's follows) reads them by a call or a copy, decided once
    return with_graph_reads(spec, analysis, made, event_name)


def reaction_steps(use_cases: tuple[UseCase, ...], owner: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Per write some reaction follows (``after``), the services consuming its event to make them, with what each makes.

    Why: a row the server makes after another write (an inbox notification after each answer) exists only if a consumer
    of that write's event makes it; the write's flow names that consumer, so its event is published and counted.

    >>> from backend_architect.design.analysis import analyse
    >>> s = Spec.model_validate({"system": "s", "entities": {"Post": {}, "Note": {"fields": {"post": "ref(Post)"}}}, "use_cases": [
    ...     {"name": "write post", "writes": ["Post"]}, {"name": "note post", "actor": "system", "writes": ["Note"], "after": "write post"}]})
    >>> reaction_steps(analyse(s).use_cases, {"Post": "posts", "Note": "notes"})
    {'write post': {'notes': ["Note ('note post', once per event)"]}}
    """
    found: dict[str, dict[str, list[str]]] = {}
    for reaction in (u for u in use_cases if u.is_reaction):
        for name in reaction.reacts_to:
            found.setdefault(name, {}).setdefault(owner[reaction.entity], []).append(f"{reaction.entity} ('{reaction.name}', once per event)")
    return found


def reaction_step(event: str, home: str, use_case: UseCase) -> str:
    """The first step of a reaction's flow: its service consuming the followed write's event (never "<event> via the outbox",
    which names the write that publishes it, so the relay's figures count the event once)."""
    return f"{home} consumes {event}: makes {use_case.entity} once per event ({use_case.name})"


def reaction_reason(use_case: UseCase) -> str:
    """Why a reaction's flow is an event: it follows writes, and its consumer makes it once per event however often it is redelivered."""
    called = (
        f"; it calls {', '.join(use_case.spec.calls)} with the event id as the idempotency key, so a redelivery is not a second call"
        if use_case.spec.calls
        else ""
    )
    return (
        f"made by the server after {', '.join(repr(n) for n in use_case.reacts_to)}: a consumer of "
        f"{'each one' if len(use_case.reacts_to) > 1 else 'its'} event makes it once per event (its processed-events row commits with "
        f"the rows), and no client may call it{called}"
    )


def copy_feeds(spec: Spec, arch: Architecture) -> list[Feed]:
    """The event-fed local copies another service keeps: of its ids (``reference_checks``) and of its membership pairs
    (``member_copies``), each with the source table, what it copies of a row and the keeping service."""
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    by_entity = {t.entity: t for t in tables.values() if t.entity}
    keeper = {t.name: s.service or "" for s in arch.datastores for t in s.tables}
    per_parent = {name: e.avg_per_parent or 1.0 for name, e in spec.entities.items()}
    feeds: dict[tuple[str, str], Feed] = {}
    for ref in (c for c in arch.reference_checks if c.check == "local copy" and c.entity in by_entity and c.table in keeper):
        source = by_entity[ref.entity]
        feeds[(source.name, keeper[ref.table])] = Feed(source, ("id",), keeper[ref.table], per_parent.get(ref.entity, 1.0), ref.table)
    for member in (c for c in arch.membership_checks if c.check == "local copy" and c.table in keeper):
        found = tables.get(member.table.removeprefix("known_"))
        if found is not None:
            source = found
            feeds[(source.name, keeper[member.table])] = Feed(
                source, tuple(member.index), keeper[member.table], per_parent.get(member.members, 1.0), member.table
            )
    return list(feeds.values())


def _tables_of(arch: Architecture, service: str) -> set[str]:
    return {t.name for d in arch.datastores if d.service == service for t in d.tables}


def _flow(
    use_case: UseCase,
    home: str,
    owner: dict[str, str],
    readers: dict[str, set[str]],
    externals: set[str],
    fed: set[str],
    providers: frozenset[str] = frozenset(),
    copied: dict[tuple[str, str], str] | None = None,
    delivered: dict[str, str] | None = None,
    called: dict[str, list[str]] | None = None,
    spec: Spec | None = None,
    reactions: dict[str, list[str]] | None = None,
    follows: list[UseCase] | None = None,
) -> tuple[Flow, Event | None]:
    """The use case's flow and event; ``providers``: the spec's push providers (a step to one says it pushes); ``copied``: the
    fresh reads served from an event-fed copy because a call would close a cycle (``design.read_cycles``), each with its reason;
    ``delivered``: the worker delivering to each external (the event's consumer in its place); ``called``: the services its
    contract calls per request for the rows it answers inside its item (``embeds.called_owners``), never a local copy;
    ``reactions``: the services whose consumers of its event make the reactions following it (``after``), with what each makes;
    ``follows``: for a reaction, the writes it follows."""
    reactions = reactions or {}
    copied = copied or {}
    called = called or {}
    delivered = delivered or {}
    actor = use_case.spec.actor
    steps = [FlowStep(source=actor if use_case.kind != "job" else "scheduler", target=home, kind="request", description=use_case.name)]
    if follows:
        # no client asks for a reaction: the event of each write it follows starts it, in the service owning the write
        steps = [FlowStep(source=owner[by.entity], target=home, kind="event", description=reaction_step(event_name(by), home, use_case)) for by in follows]
    fresh, writes = remote_access(use_case, owner, copied)
    # why the reads a call cycle moved to a copy are not queried: said once per reason
    cycle_copies = list(dict.fromkeys(why for (name, _), why in copied.items() if name == use_case.name))
    remote_reads = sorted({owner[e] for e in use_case.reads} - {home})
    # data no use case writes publishes no events: nothing could keep a copy of it current, so it is queried
    # (a batch job keeps its copy by bulk loads instead, never by calls row by row)
    unfed = unfed_reads(use_case, owner, fed)
    # a composed read's contract calls the owners of the rows it embeds: the flow draws those calls, no copy nothing holds
    sync_reads = set(fresh) | unfed | set(called)
    remote_writes = sorted(writes)
    for service in remote_reads:
        entities = ", ".join(e for e in use_case.reads if owner[e] == service)
        if service in sync_reads:
            # a row by id is one GET: a list's page names a page of them, read after the rows naming them (design/call_pages.py)
            gets, keys_from = lookup_calls(spec, use_case, [e for e in use_case.reads if owner[e] == service]) if spec else (1, [])
            steps.append(FlowStep(source=home, target=service, kind="query", description=f"read {entities}", calls=gets, keys_from=keys_from))
        else:
            # stale reads are served from a local copy fed by the owner's events: no runtime dependency
            steps.append(FlowStep(source=service, target=home, kind="event", description=f"{entities} changes keep a local read model current"))
    for service in remote_writes:
        steps.append(FlowStep(source=home, target=service, kind="call", description=f"write {', '.join(writes[service])} (saga step, compensated on failure)"))
    for external in use_case.spec.calls:
        steps.append(FlowStep(source=home, target=external, kind="external", description=f"call {external}"))
    event = None
    side = sorted({owner[e] for e in use_case.writes} - {home}) if not use_case.is_write else []
    if side or (not use_case.is_write and use_case.writes):
        name = event_name(use_case)
        event = Event(name=name, producer=home, consumers=side or [home], entity=use_case.entity, key=f"{use_case.entity.lower()}_id", use_case=use_case.name)
        for consumer in side:
            steps.append(FlowStep(source=home, target=consumer, kind="event", description=f"{name} via the outbox: records {', '.join(use_case.writes)}"))
    if use_case.is_write:
        consumers = sorted((readers.get(use_case.entity, set()) | set(remote_writes)) - {home})
        # notify names external systems (delivered by a consumer that calls them) or audiences (in-app notifications)
        audiences = {"notifications" for n in use_case.spec.notify if n not in externals}
        # the push providers it names; the real-time pattern adds those no use case names where recipients are offline (pushes.py)
        pushes = [p for p in use_case.spec.notify if p in providers]
        told = [n for n in use_case.spec.notify if n in externals]
        by_sender = {delivered.get(n, n): [t for t in told if delivered.get(t, t) == delivered.get(n, n)] for n in told}
        # the owner of a kept value the write moves in another service applies it from this event (``usecases.applied_values``)
        applies: dict[str, list[str]] = {}
        for entity, values in applied_values(use_case, owner).items():
            applies.setdefault(owner[entity], []).extend(values)
        consumers = sorted({*consumers, *audiences, *by_sender, *applies, *reactions})
        if consumers or use_case.spec.notify or use_case.spec.avg_fanout:
            name = event_name(use_case)
            event = Event(
                name=name,
                producer=home,
                consumers=consumers,
                entity=use_case.entity,
                key=f"{use_case.entity.lower()}_id",
                use_case=use_case.name,
                fields=["id", *use_case.written_columns],
            )
            mode = use_case.spec.deliver.mode if use_case.spec.deliver is not None else None
            reach = "every recipient" if mode != "realtime" else "recipients not connected"
            for consumer in consumers:
                calls = by_sender.get(consumer, [])
                tail = f": push notification to {reach}" if set(calls) & set(pushes) else f": deliver to {', '.join(calls)}" if calls else ""
                tail += f": {consumer} applies {', '.join(applies[consumer])} to its rows" if consumer in applies else ""
                tail += "".join(f": {consumer} makes {made}" for made in reactions.get(consumer, ()))
                steps.append(FlowStep(source=home, target=consumer, kind="event", description=f"{name} via the outbox{tail}"))
    saga = None
    if remote_writes:
        style, why = "saga", f"writes span {', '.join([home, *remote_writes])}: each step commits locally, failures run compensations"
        saga = plan_saga(use_case, home, writes, externals)
    elif remote_reads and cycle_copies and not sync_reads:
        style, why = "event", "; ".join(cycle_copies)
    elif remote_reads and use_case.is_job and not sync_reads:
        # a job reads its input one way, the way its steps draw it: the event-fed copy, never a call per row nor a cross-database join
        style, why = "event", job_copy_reason(use_case, remote_reads)
    elif remote_reads and use_case.spec.consistency == "eventual" and not unfed and not called:
        # the copy is fed through the event relay: it trails its owner by the relay's lag (events.relay_seconds)
        style, why = "event", local_copy_reason(remote_reads)
    elif remote_reads and not sync_reads and (searched := found_by_search(use_case)) is not None:
        # what is left is found near a point: no id in the request to call its owner with (``usecases.found_by_search``)
        style, why = (
            "event",
            (
                f"finds {searched} by its proximity query (near: {use_case.spec.near}), not by an id the request holds: it searches "
                f"a local copy fed by {', '.join(remote_reads)}'s events"
            ),
        )
    elif remote_reads and unfed:
        style, why = "sync", f"reads {', '.join(sorted(unfed))} data no use case writes (no events to feed a copy): queried from its owner"
        if set(called) - unfed:
            why += "; " + _called_reason(called, unfed)
    elif remote_reads and called:
        style, why = "sync", _called_reason(called, set())
    elif remote_reads:
        fresh_from = sorted(sync_reads) if cycle_copies else remote_reads
        style, why = "sync", "; ".join([f"needs fresh data from {', '.join(fresh_from)} within the request", *cycle_copies])
    elif use_case.is_reaction:
        style, why = "event", reaction_reason(use_case)
    elif event is not None:
        style, why = "event", "state change others react to: published through the transactional outbox after commit"
    else:
        style, why = "local", f"all data lives in {home}"
    stated = use_case.spec.consistency if "consistency" in use_case.spec.model_fields_set else None
    flow = Flow(use_case=use_case.name, style=style, rationale=why, steps=steps, consistency=use_case.spec.consistency, stated_consistency=stated, saga=saga)
    return flow, event


#: Participants from which a saga gets an orchestrator: with three or more services, choreographed
#: events make the flow implicit and cyclic dependencies between services likely (Richardson, *Microservices Patterns* ch. 4).
ORCHESTRATE_FROM = 3


def _called_reason(called: dict[str, list[str]], said: set[str]) -> str:
    """Why a composed read calls the owners of the rows it answers inside its item: its contract reads them that way."""
    parts = [f"{', '.join(entities)} from {service}" for service, entities in sorted(called.items()) if service not in said]
    return f"answers {'; '.join(parts)} inside its item by one call per list or row within the request (its contract's composed read)"


def plan_saga(use_case: UseCase, home: str, writes: dict[str, list[str]], externals: set[str]) -> Saga:
    """Orchestrated or choreographed, and for each step what it commits and what undoes it.

    The home service's own write comes first; remote writes follow in service order; external
    calls (a payment provider) are the pivot, because they are the hardest to undo, and the last
    remote write becomes the pivot when there is none. Steps after the pivot are retried, never
    compensated.
    """
    created = use_case.kind == "create"
    local = [e for e in use_case.writes if e not in {x for ws in writes.values() for x in ws}]
    steps = [_step(home, local or [use_case.entity], created)]
    steps += [_step(service, entities, False) for service, entities in sorted(writes.items())]
    called = [e for e in use_case.spec.calls if e in externals]
    if called:
        steps += [SagaStep(service=home, action=f"call {name}", kind="pivot") for name in called]
    else:
        last = steps[-1]
        steps[-1] = last.model_copy(update={"kind": "pivot", "compensation": None})
    if use_case.spec.notify:
        steps.append(SagaStep(service=home, action=f"notify {', '.join(use_case.spec.notify)}", kind="retriable"))
    participants = len({s.service for s in steps})
    if participants >= ORCHESTRATE_FROM or called:
        coordination = "orchestration"
        reason = (
            f"{participants} services{' and an external call' if called else ''}: an orchestrator in {home} keeps the order and the compensations in one place"
        )
    else:
        coordination = "choreography"
        reason = f"{participants} services: each reacts to the other's event, no coordinator needed"
    return Saga(coordination=coordination, reason=reason, steps=steps)


def _step(service: str, entities: list[str], created: bool) -> SagaStep:
    names = ", ".join(entities)
    if created:
        return SagaStep(service=service, action=f"create {names}", kind="compensatable", compensation=f"cancel the {names} it created (kept, marked cancelled)")
    return SagaStep(
        service=service, action=f"update {names}", kind="compensatable", compensation=f"restore {names} as they were before the saga (from its log)"
    )


def _unique_events(events: list[Event]) -> list[Event]:
    merged: dict[str, Event] = {}
    for event in events:
        merged[event.name] = merged_event(merged.get(event.name), event)
    return list(merged.values())


__all__ = ["Service", "derive_communication", "event_name", "past_tense", "reaction_reason", "reaction_step", "reaction_steps"]


def job_copy_reason(use_case: UseCase, owners: list[str]) -> str:
    """Why a batch job reads other services' rows from its own copy: a run scans thousands of rows at once.

    A call per row would put the owner's latency in every row and its availability in every run; a join
    across two databases does not exist. The copy trails its owner by the relay's lag, which a job
    run every interval absorbs: a row that lands late is taken by the next run.
    """
    return (
        f"a batch job reads its input ({', '.join(use_case.reads)}) from a local copy fed by {', '.join(owners)}'s events, "
        f"never by a call per row nor a join across databases; a row the copy receives after a run starts is taken by the next run"
    )
