"""PAT053: a write whose rows land on different shards commits one row with an outbox event; an applier consuming it applies the rest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.design.api.schemas import ONE_TRANSACTION, PARTS
from backend_architect.design.boundaries import written_together
from backend_architect.design.co_writes import co_writes, placements
from backend_architect.design.communication import event_name
from backend_architect.design.cross_server_keys import placements_today
from backend_architect.design.deliverers import APPLIES_PER_INSTANCE, applier_of, instances_for
from backend_architect.design.event_fields import written_row
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._common import decision, figures, fmt
from backend_architect.design.patterns._shards import sharded_now
from backend_architect.design.patterns._stores import horizon
from backend_architect.design.unique_keys import SHARDING_STAGE, key_writes, placed, two_steps
from backend_architect.ir.model import ApiSchema, Architecture, CoWrite, Event, EventPart, Flow, FlowStep, Operation, Service, Table
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec


@pattern(code="PAT053", name="cross-shard-write", stage="database", title="Replace the transaction of a write whose rows land on different shards")
def cross_shard_write(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A use case writes rows of two tables of one database that live apart: on different shard
    maps (a chat by its id, its members by their user's id), or one sharded and one on the
    unsharded primary. Tables sharded by the same value (a message by ``chat_id``, its chat by
    ``id``) share a shard map and keep their transaction once both are on it; while one of them
    still sits on the unsharded primary (its own shards built at a later stage, beside a map
    running now) they live apart today, and the write is one of these until it moves. A write
    reserving a unique value of a sharded table (its uniqueness table, keyed by the value) is
    one of these: the reservation and the row live apart once either is sharded.

    ## What it adds
    For each such write: its own row and an outbox row commit in one transaction on the own
    row's shard; the relay publishes the event and the service's applier (``<service>-shard-applier``,
    a worker consuming it) applies the other rows on their shards with an idempotent upsert keyed
    by the own row's id, retried until applied; the applier is a component sized by its upserts/s. Recorded on the table (``Sharding.co_writes``),
    in the flow of the use case, in this decision and the hand-off. A reader of the own row sees
    the write at once; a reader of the other rows sees it after the relay's lag (eventual).

    ## What it costs
    The relay's lag on the other rows, and a consumer to run; no locks are held across shards.

    ## Alternatives
    Co-located shard keys (shard the other table by the own row's key) when no hot read filters
    it by another key; a distributed transaction (two-phase commit), which holds locks across
    shards for a network round trip and blocks both when the coordinator fails.

    ## References
    C. Richardson, *Microservices Patterns*, ch. 3-4 (transactional outbox, sagas); Citus documentation, "Co-location".
    """
    known = figures(arch)
    growth, years = spec.scale.growth_per_year or 0.0, horizon(spec)
    tables = {t.name: (s.name, t) for s in arch.datastores for t in s.tables}
    where = placements(arch)
    built = {name: sharded_now(t, known, growth, years, analysis.peak_factor) for name, (_, t) in tables.items() if t.sharding is not None}
    recorded = _with_today(
        [(name, w) for name, (_, t) in tables.items() if t.sharding for w in t.sharding.co_writes],
        co_writes(analysis, arch, placements_today(arch, {name: now for name, (now, _) in built.items()})),
    )
    reserving = _reservations(analysis, tables, where, built)
    if not recorded and not reserving:
        if built:  # with nothing sharded there is nothing to say
            yield Skipped("writes across shards", "no write puts rows of one request on different shards")
        return
    flows = {f.use_case: f for f in arch.flows}
    changed: dict[str, Table] = {}
    lines, alternatives, readers = [], [], []
    applies = _appliers(arch, recorded, tables)
    for name, write in recorded:
        since = _since(name, write, where, built)
        # a write apart now is said where its rows are today; one apart only once a table is sharded, where they will be then
        today = built if since == "now" else {}
        text = _mechanism(name, write, tables, applies[write.use_case], today) + _rejoined(name, write, where)
        table = changed.get(name, tables[name][1])
        assert table.sharding is not None
        stated = write.model_copy(update={"since": since, "mechanism": text})
        kept = [w for w in table.sharding.co_writes if w.use_case != write.use_case]
        # in the table's order, a write apart only today (no record from the partitioning stage) last
        at = next((i for i, w in enumerate(table.sharding.co_writes) if w.use_case == write.use_case), len(kept))
        updated = [*kept[:at], stated, *kept[at:]]
        changed[name] = table.model_copy(update={"sharding": table.sharding.model_copy(update={"co_writes": updated})})
        lines.append(f"'{write.use_case}' ({since}): {text}")
        readers.append(
            f"readers of {', '.join(write.tables)} see '{write.use_case}' after the relay's lag and {applies[write.use_case]}'s upsert; "
            f"readers of {name} at once"
        )
        for other in write.tables:
            alternatives.append((f"co-locate {other} with {name}", _co_location(other, tables)))
        if write.use_case in flows:
            flow = flows[write.use_case]
            flows[write.use_case] = flow.model_copy(update={"rationale": f"{flow.rationale}; rows on other shards ({since}): {text}"})
            if since == "now":
                flows[write.use_case] = _applied_step(flows[write.use_case], write, tables, analysis, applies[write.use_case], arch, built)
    for reservation in reserving:
        # the flow says the reservation as the record does, so the communication table and the diagram draw two steps too
        for use_case in (u for u in reservation.writers if u in flows):
            flow = flows[use_case]
            flows[use_case] = flow.model_copy(update={"rationale": f"{flow.rationale}; {reservation.flow_said}"})
    relayed = (
        "rows on different shards share no transaction: the own row commits with its outbox event in one local transaction, and the "
        "event is applied to the other shards exactly once in effect (idempotent upsert, retried), so nothing is lost or applied twice "
        "and no lock spans shards"
    )
    reserved = (
        "a uniqueness row and its row share no transaction: the uniqueness row commits first, so of two racing writes of one "
        "value the second is refused before it writes anything, and a row whose write fails releases the reservation it made"
    )
    made = decision(
        "cross-shard-writes",
        "Writes across shards",
        "data",
        "; ".join([*lines, *(r.line for r in reserving)]),
        "; ".join(
            [
                *(f"'{w.use_case}' writes {name} and {', '.join(w.tables)} in one request ({w.consistency} consistency asked)" for name, w in recorded),
                *(r.context for r in reserving),
            ]
        ),
        "; ".join([*([relayed] if recorded else []), *([reserved] if reserving else [])]),
        alternatives=[
            *dict.fromkeys(alternatives),
            ("a distributed transaction (two-phase commit)", "locks held across shards for a network round trip; a failed coordinator blocks both"),
        ],
        consequences="; ".join(
            [
                *readers,
                *(["a strongly consistent read of the other rows goes to the own row's shard first"] if recorded else []),
                *(["a value is taken from the moment its reservation commits, a moment before its row is written"] if reserving else []),
            ]
        ),
        subject="writes across shards",
    )
    now = [(name, w) for name, w in recorded if _since(name, w, where, built) == "now"]
    applied = _applied_events(arch, analysis, now, applies, tables, _per_write(spec, tables))
    yield Applied(
        made,
        components=_applier_parts(spec, analysis, now, applies, tables, arch, built),
        events=applied,
        tables=tuple((tables[name][0], table) for name, table in changed.items()),
        flows=tuple(flows[u] for u in dict.fromkeys([*(w.use_case for _, w in recorded), *(u for r in reserving for u in r.writers)]) if u in flows),
        services=_relayed_boundaries(arch, [(name, w.model_copy(update={"since": _since(name, w, where, built)})) for name, w in recorded], tables, applies),
        operations=(unclaimed := _unclaimed(arch, {w.use_case: _since(name, w, where, built) for name, w in recorded})),
        schemas=_parts_unclaimed(arch, unclaimed),
    )
    # the applier is a consuming group of each event: the pipeline sizes again with these events known (pipeline.LAST_ADDING_EVENTS),
    # so the transport decides its record from them, and the outbox rows they commit are counted with the writes' rows


@dataclass(frozen=True)
class Reservation:
    """The writes reserving or releasing one unique value of a sharded table: its uniqueness row and its row live apart."""

    line: str
    context: str
    #: The use cases writing the uniqueness table, and what each one's flow says of its two steps (the communication table).
    writers: tuple[str, ...] = ()
    flow_said: str = ""


def _reservations(
    analysis: Analysis, tables: dict[str, tuple[str, Table]], where: dict[str, tuple[str, str]], built: dict[str, tuple[bool, str]]
) -> list[Reservation]:
    """Each sharded table's unique key a uniqueness table holds (``unique_keys.py``), with the use cases writing it: the
    uniqueness row (keyed by the value) and the row (on its own shard) are written in one request on different servers once
    either is sharded, so this record counts them and says how they stay right, placed as the guard's sentence places them."""
    found = []
    for name, (_, table) in tables.items():
        for guard in table.sharding.uniques if table.sharding else []:
            writers = key_writes(analysis.use_cases, table, guard.columns)
            if not writers:
                continue
            said = ", ".join(f"'{u}'" for u in writers)
            since = _since(name, CoWrite(use_case=next(iter(writers)), tables=[guard.table]), where, built)
            keys_now = built.get(guard.table, (None, ""))[0] if guard.table in built else None
            keys_at, row_at = placed(name, built.get(name, (None, ""))[0], guard.table in built, keys_now, SHARDING_STAGE)
            cols = ", ".join(guard.columns)
            found.append(
                Reservation(
                    f"{said} ({since}): each writes {guard.table} ({keys_at}) and its {name} row ({row_at}): {two_steps(table, guard.table)}",
                    f"{said} reserve or release {cols} in {guard.table} and write {name} in one request",
                    tuple(writers),
                    f"reserves or releases {cols} in {guard.table} ({keys_at}) first, in a commit of its own, then writes its {name} row "
                    f"({row_at}): two steps, not one transaction (see Writes across shards)",
                )
            )
    return found


#: What the API stage says of a write that creates an aggregate's parts or links with it (before any table is sharded).
PARTS_IN_ONE_TRANSACTION = PARTS


def _unclaimed(arch: Architecture, apart: dict[str, str]) -> tuple[tuple[str, Operation], ...]:
    """The operations of writes whose rows land on different shards, no longer claiming one transaction: they say when the
    rows part and that the cross-shard write mechanism (this decision) keeps them in step."""
    found = []
    for api in arch.apis:
        for op in api.operations:
            since = next((apart[u] for u in op.use_cases if u in apart), None)
            if since is not None and ONE_TRANSACTION in op.description:
                said = f"rows in one request; not in one transaction ({since}): the rows live on different servers (see Writes across shards)."
                found.append((api.service, op.model_copy(update={"description": op.description.replace(ONE_TRANSACTION, said)})))
    return tuple(found)


def _parts_unclaimed(arch: Architecture, operations: tuple[tuple[str, Operation], ...]) -> tuple[tuple[str, ApiSchema], ...]:
    """The request bodies of those operations, their parts no longer said to be written in one transaction."""
    bodies = {(service, op.request_schema) for service, op in operations if op.request_schema}
    found = []
    for api in arch.apis:
        for schema in api.schemas:
            if (api.service, schema.name) not in bodies or not any((p.description or "").endswith(PARTS_IN_ONE_TRANSACTION) for p in schema.properties):
                continue
            apart = "written with it in one request, not one transaction (other shards)."
            properties = [
                p.model_copy(update={"description": p.description.replace(PARTS_IN_ONE_TRANSACTION, apart)}) if p.description else p for p in schema.properties
            ]
            found.append((api.service, schema.model_copy(update={"properties": properties})))
    return tuple(found)


def _relayed_boundaries(
    arch: Architecture, recorded: list[tuple[str, CoWrite]], tables: dict[str, tuple[str, Table]], applies: dict[str, str]
) -> tuple[Service, ...]:
    """Services whose boundary says two entities are written together under strong consistency where a relay applies one side.

    The sentence is restated (boundaries.written_together) with the relay's eventual consistency, so the boundary, this
    decision and the flow say the same; a pair the relay parts only later keeps "strong" until then and says when.
    """
    entity = {name: t.entity for name, (_, t) in tables.items() if t.entity}
    restated: dict[str, str] = {}
    for name, write in recorded:
        home = entity.get(name)
        relayed = [entity[t] for t in write.tables if t in entity]
        for a in filter(None, [home, *relayed]):
            for b in relayed:
                if a == b:
                    continue
                parted = "now" if write.since == "now" else write.since
                how = (
                    f"in one request, but not in one transaction: their rows live on different servers, so the {b} rows follow "
                    f"through the outbox relay and {applies[write.use_case]} (eventual consistency, behind by the relay's lag)"
                    if parted == "now"
                    else f"under strong consistency until their rows part ({parted}); from then the {b} rows follow through the outbox "
                    f"relay and {applies[write.use_case]} (eventual consistency, behind by the relay's lag)"
                )
                for first, other in ((a, b), (b, a)):
                    restated[written_together(first, other, write.use_case)] = written_together(first, other, write.use_case, how)
    changed = []
    for service in arch.services:
        rationale = [restated.get(r, r) for r in service.rationale]
        if rationale != service.rationale:
            changed.append(service.model_copy(update={"rationale": rationale}))
    return tuple(changed)


def _since(name: str, write: CoWrite, where: dict[str, tuple[str, str]], built: dict[str, tuple[bool, str]]) -> str:
    """When the rows part: now if today's layout already puts them apart, else once the later table is sharded (its growth stage)."""

    def today(table: str) -> str:
        # a table of a running map whose own numbers shard it later stays on the unsharded primary until then (ShardTiming)
        return where[table][1] if built.get(table, (False, ""))[0] else ""

    if any(today(other) != today(name) for other in write.tables):
        return "now"
    later = [t for t in (name, *write.tables) if t in built and not built[t][0]]
    return "; ".join(f"once {t} is sharded, {built[t][1]}" for t in later) or "now"


def _with_today(recorded: list[tuple[str, CoWrite]], today: dict[str, list[CoWrite]]) -> list[tuple[str, CoWrite]]:
    """``recorded`` (the rows apart once sharded) with the rows apart today: a table still on the unsharded primary while its
    map's other tables run on shards (a chat's members beside chats sharded now) shares no transaction with them either."""
    found = list(recorded)
    for name, writes in today.items():
        for write in writes:
            at = next((i for i, (n, w) in enumerate(found) if n == name and w.use_case == write.use_case), None)
            if at is None:
                found.append((name, write))
            else:
                kept = found[at][1]
                found[at] = (name, kept.model_copy(update={"tables": list(dict.fromkeys([*kept.tables, *write.tables]))}))
    return found


def _rejoined(name: str, write: CoWrite, where: dict[str, tuple[str, str]]) -> str:
    """When the rows meet again: tables one shard map holds once every one of them is on it (a table still on the unsharded
    primary moves onto its map at its growth stage), from when their rows commit in one transaction again."""
    together = [t for t in write.tables if where.get(t) == where.get(name)]
    if not together or len(together) < len(write.tables):
        return ""
    head = where[name][1]
    return f"; once {', '.join(sorted({name, *together}))} are all on {head}'s shards (see growth) they commit in one transaction again"


def _mechanism(name: str, write: CoWrite, tables: dict[str, tuple[str, Table]], applier: str, built: dict[str, tuple[bool, str]]) -> str:
    """What replaces the transaction, each table named where its rows are (on shards, or on the unsharded primary): by ``built``
    where given (today's layout), else as sharded."""

    def on_shards(table: str) -> bool:
        return tables[table][1].sharding is not None and built.get(table, (True, ""))[0]

    others = ", ".join(write.tables)
    where = " and ".join(f"{t} rows on their shards" if on_shards(t) else f"{t} rows on the unsharded primary" for t in write.tables)
    home = f"{name}'s shard" if on_shards(name) else "the unsharded primary"
    return (
        f"'{write.use_case}' commits its {name} row and an outbox event in one transaction on {home}; the relay publishes the "
        f"event and {applier} (a worker consuming it) applies the {where} "
        f"(idempotent upsert keyed by the {name} row's id, retried until applied): eventual for readers of {others}"
    )


def _appliers(arch: Architecture, recorded: list[tuple[str, CoWrite]], tables: dict[str, tuple[str, Table]]) -> dict[str, str]:
    """The worker applying each co-write's other rows: the applier of the service owning the database they live in."""
    owner = {s.name: s.service or s.name for s in arch.datastores}
    return {w.use_case: applier_of(owner[tables[name][0]]) for name, w in recorded}


def _per_write(spec: Spec, tables: dict[str, tuple[str, Table]]) -> dict[str, float]:
    """Rows of each table one write applies: its entity's rows per parent (a ride's offers), else one."""
    return {name: float(spec.entities[t.entity].avg_per_parent or 1.0) if t.entity in spec.entities else 1.0 for name, (_, t) in tables.items()}


def _placed(names: list[str], tables: dict[str, tuple[str, Table]], built: dict[str, tuple[bool, str]]) -> str:
    """Where an applier writes the rows of ``names`` today (``built``: each sharded table's shards built now or not): on their
    shards, on the unsharded primary, or each where it is. Why: a table whose shards come at a later stage is on the primary
    until then, and the applier's words must say the place the data section and diagrams state.

    >>> from backend_architect.ir.model import Sharding
    >>> pay = Table(name="payments", columns=[], primary_key=["id"], sharding=Sharding(key="trip_id", reason="r"))
    >>> _placed(["payments"], {"payments": ("db", pay)}, {"payments": (False, "stage 5")})
    'on the unsharded primary'
    >>> _placed(["payments"], {"payments": ("db", pay)}, {"payments": (True, "now")})
    'on their shards'
    """
    on = [t for t in names if tables[t][1].sharding is not None and built.get(t, (True, ""))[0]]
    if len(on) == len(names):
        return "on their shards"
    if not on:
        return "on the unsharded primary"
    return "where each lives (" + ", ".join(f"{t} on its shards" if t in on else f"{t} on the unsharded primary" for t in names) + ")"


def _applier_parts(
    spec: Spec,
    analysis: Analysis,
    now: list[tuple[str, CoWrite]],
    applies: dict[str, str],
    tables: dict[str, tuple[str, Table]],
    arch: Architecture,
    built: dict[str, tuple[bool, str]],
) -> tuple[Component, ...]:
    """Each applier whose rows part today, run by the service owning them and sized by the upserts/s it makes at peak (every
    co-write's peak x the rows it applies)."""
    rate = {u.name: u.peak_qps for u in analysis.use_cases}
    per_parent = _per_write(spec, tables)
    found: dict[str, list[tuple[str, CoWrite]]] = {}
    for name, write in now:
        found.setdefault(applies[write.use_case], []).append((name, write))
    parts = []
    for applier, writes in found.items():
        upserts = sum(rate.get(w.use_case, 0.0) * sum(per_parent.get(t, 1.0) for t in w.tables) for _, w in writes)
        told = ", ".join(dict.fromkeys(_event_of(arch, analysis, w.use_case) for _, w in writes))
        said = "; ".join(f"the {', '.join(w.tables)} rows of '{w.use_case}'" for _, w in writes)
        instances = instances_for(upserts, APPLIES_PER_INSTANCE)
        placed = _placed(list(dict.fromkeys(t for _, w in writes for t in w.tables)), tables, built)
        parts.append(
            Component(
                name=applier,
                kind="worker",
                technology=f"an event consumer of idempotent upserts ({instances} instances)",
                purpose=f"consumes {told} and applies {said} {placed} (idempotent upsert, retried until applied): {fmt(upserts)} upserts/s "
                f"at peak, {instances} instance(s) = max(2, ceil(upserts / {fmt(APPLIES_PER_INSTANCE)} per instance))",
                services=[applier.removesuffix("-shard-applier")],
                use_cases=[w.use_case for _, w in writes],
                instances=instances,
                decision="cross-shard-writes",
            )
        )
    return tuple(parts)


def _event_of(arch: Architecture, analysis: Analysis, use_case: str) -> str:
    """The event ``use_case`` commits to its outbox: the one it already publishes, else the one named for it."""
    known = next((e.name for e in arch.events if e.use_case == use_case), None)
    found = next((u for u in analysis.use_cases if u.name == use_case), None)
    return known or (event_name(found) if found is not None else use_case)


def _applied_events(
    arch: Architecture,
    analysis: Analysis,
    now: list[tuple[str, CoWrite]],
    applies: dict[str, str],
    tables: dict[str, tuple[str, Table]],
    per_write: dict[str, float],
) -> tuple[Event, ...]:
    """Each co-write's event with its applier among the consumers, carrying the rows it applies; made when the write had none."""
    by_name = {u.name: u for u in analysis.use_cases}
    owner = {s.name: s.service or s.name for s in arch.datastores}
    events = []
    for name, write in now:
        use_case = by_name.get(write.use_case)
        if use_case is None:
            continue
        parts = [EventPart(table=t, columns=[c for c in tables[t][1].columns if not c.secret], rows=per_write.get(t, 1.0)) for t in write.tables if t in tables]
        known = next((e for e in arch.events if e.use_case == write.use_case), None)
        base = known or Event(
            name=event_name(use_case),
            producer=owner[tables[name][0]],
            entity=use_case.entity,
            key=f"{use_case.entity.lower()}_id",
            use_case=use_case.name,
            fields=written_row(arch, use_case),
        )
        had = {p.table for p in base.parts}
        events.append(
            base.model_copy(
                update={"consumers": sorted({*base.consumers, applies[write.use_case]}), "parts": [*base.parts, *(p for p in parts if p.table not in had)]}
            )
        )
    return tuple(events)


def _applied_step(
    flow: Flow, write: CoWrite, tables: dict[str, tuple[str, Table]], analysis: Analysis, applier: str, arch: Architecture, built: dict[str, tuple[bool, str]]
) -> Flow:
    """The co-write's flow with the step taking its event to the applier, after the commit (once)."""
    if any(s.target == applier for s in flow.steps):
        return flow
    home = flow.steps[0].target
    step = FlowStep(
        source=home,
        target=applier,
        kind="event",
        description=f"{_event_of(arch, analysis, write.use_case)} via the outbox: apply the {', '.join(write.tables)} rows "
        + _placed(write.tables, tables, built),
    )
    return flow.model_copy(update={"steps": [*flow.steps, step]})


def _co_location(other: str, tables: dict[str, tuple[str, Table]]) -> str:
    """Why the other table keeps its own shard key: the reads its key serves would visit every shard."""
    table = tables[other][1]
    if table.sharding is None:
        return f"{other} is not sharded: its rows stay on the unsharded primary until its sharding stage"
    return f"{other} is sharded by {table.sharding.key} for the reads that filter by it; another key would make them visit every shard"


__all__ = ["cross_shard_write"]
