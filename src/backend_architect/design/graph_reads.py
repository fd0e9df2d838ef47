"""A feed read whose follow graph another service owns: how the serving service gets the graph, decided once from the numbers.

A precomputed feed (``patterns/feed.py``) is served by the service owning the items (tweets), yet two of
its steps read the follow graph: the hybrid's read-time merge needs the authors past the fan-out cut-off
that the reader follows, and a list missing from Redis is rebuilt from the reader's followees. Where the
graph (Follow) lives in another service there is no join and no foreign key across the two databases,
so the read goes through one mechanism, by the rule the reference checks follow
(``design.reference_checks``):

- the same service (or a modular monolith's one database) holds the graph: a local read;
- else an event-fed local copy of the graph's pairs in the serving service's database, where the
  owner publishes the graph's events (a use case writes it), the copy costs less than the calls
  (fewer pairs/s followed and unfollowed than reads/s, their rows at most
  ``reference_checks.COPY_WRITES_MAX`` writes/s) and the reads pass ``reference_checks.LOCAL_COPY_FROM``/s
  or the owner in the path misses the availability target, or whatever the copy costs where a call would close a cycle of
  synchronous calls (the owner already reaches the serving service by the calls decided before: fresh reads, writes, composed
  gets, reference and membership checks, earlier graph reads), which the critic rejects (TOP002);
- else synchronous calls to the owner (its internal list answers the reader's followees a page at a time: one call where they
  fit in a page, else paged until done, ``call_pages``), counted
  in the owner's requests and its database's reads (``design/service_calls.py`` reads the flow's step).

The flow draws it (a query to the owner, or the owner's events feeding the copy), so the communication
table, the sequence diagram, the owner's rate and the request's latency all read the same decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.call_chains import plan_flow
from backend_architect.design.call_pages import PageCalls
from backend_architect.design.event_fields import with_fields
from backend_architect.design.memory_sets import answered_by_set
from backend_architect.design.read_cycles import changes_per_s, copied_reads
from backend_architect.design.reference_checks import COPY_ROWS_PER_EVENT, COPY_WRITES_MAX, LOCAL_COPY_FROM, availabilities, reaches, sync_calls
from backend_architect.design.relay import RELAY_S
from backend_architect.ir.model import Architecture, Datastore, Event, Flow, FlowStep, MembershipCheck, ReferenceCheck, Service, Table
from backend_architect.ir.runtime import StoreLoad
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: What a flow step reading the graph from its owner says first (``paths._remote_read`` keeps it: its entity is not served).
_COPY = " changes keep a local read model current"
#: The key of a feed mechanism's load reading the graph in its own database (``request_steps`` times it as a step of the read).
GRAPH_KEY = "graph_"


@dataclass(frozen=True)
class GraphRead:
    """How one feed read gets the follow graph it merges and rebuilds from."""

    entity: str
    owner: str
    home: str
    how: Literal["local", "call", "copy"]
    #: Reads/s at peak the serving service makes of the graph (one a feed read).
    peak: float
    #: Follows and unfollows/s at peak: what a copy would consume.
    changes: float
    reason: str
    #: The graph rows one read uses (the reader's followees), and so the calls a read makes of the owner's paged list.
    pages: PageCalls
    #: The owner already calls the serving service synchronously (directly or through others): a call would close a cycle.
    cycle: bool = False

    def source(self, pages: PageCalls | None = None) -> str:
        """Where the step reads the graph from, in the words every section uses (``pages``: the rows a read other than the
        step's takes, a rebuild's every followee)."""
        if self.how == "call":
            return (
                f"from {self.owner} by synchronous calls to its list of the reader's {self.entity} rows, {(pages or self.pages).said()} "
                f"({self.entity} lives in {self.owner}'s database, reached through {self.owner} alone)"
            )
        if self.how == "copy":
            return f"from the event-fed local copy of {self.owner}'s {self.entity} pairs in {self.home}'s database, about {RELAY_S:g} s behind {self.owner}"
        return f"from the {self.entity} table in {self.home}'s own database"


def graph_read(
    spec: Spec, analysis: Analysis, use_case: UseCase, entity: str, owner: str, home: str, in_process: bool, rows: float | None = None, *, cycle: bool = False
) -> GraphRead:
    """The mechanism by which ``home`` reads ``entity`` (owned by ``owner``) for ``use_case``, by the rule in the module's docstring.

    ``rows``: the graph rows one read uses (a feed's followees per reader), else the rows per reader the spec's counts give;
    ``cycle``: ``owner`` already reaches ``home`` by synchronous calls (``graph_reads`` decides it), so a call would close a cycle."""
    peak = use_case.peak_qps
    pages = PageCalls(rows if rows is not None else rows_per_reader(analysis, use_case, entity))
    changes = changes_per_s(analysis.use_cases, entity)
    if owner in {"", home} or in_process:
        where = "the same service" if owner in {"", home} else "the modular monolith's one database"
        return GraphRead(entity, owner or home, home, "local", peak, changes, f"{entity} lives in {where}: a local read", pages)
    target, composite = availabilities(spec)
    both = composite * composite
    writes = changes * COPY_ROWS_PER_EVENT
    affordable = changes > 0 and changes < peak and writes <= COPY_WRITES_MAX
    rate = f"{peak:,.0f} reads/s at peak {'>' if peak > LOCAL_COPY_FROM else '<='} {LOCAL_COPY_FROM:,.0f}"
    meets = f"the read with {owner} in its path: {composite:.4%} x {composite:.4%} = {both:.4%} {'>=' if both >= target else '<'} the {target:.2%} target"
    if not changes:
        cost = f"no use case writes {entity}, so no event of {owner}'s could feed a copy"
    else:
        cost = (
            f"a copy would follow {changes:,.0f} {entity} changes/s at peak ({'fewer' if changes < peak else 'no fewer'} than the reads), "
            f"{writes:,.0f} writes/s in {home}'s database {'<=' if writes <= COPY_WRITES_MAX else '>'} {COPY_WRITES_MAX:,.0f}"
        )
    if changes and cycle:
        closes = f"{owner} already calls {home} synchronously, directly or through others: a call would close a cycle"
        return GraphRead(entity, owner, home, "copy", peak, changes, f"an event-fed local copy ({closes}; {cost})", pages, cycle)
    if affordable and (peak > LOCAL_COPY_FROM or both < target):
        return GraphRead(entity, owner, home, "copy", peak, changes, f"an event-fed local copy ({rate}; {meets}; {cost})", pages)
    calls = f"{pages.calls:,} synchronous call{'' if pages.calls == 1 else 's'} to {owner} a read on average, paged"
    # a cycle no copy can break (nothing publishes the graph's changes) stays a call: the critic says so (TOP002)
    return GraphRead(entity, owner, home, "call", peak, changes, f"{calls} ({rate}; {meets}; {cost})", pages, cycle)


def rows_per_reader(analysis: Analysis, use_case: UseCase, entity: str) -> float:
    """The ``entity`` rows one reader holds (the graph's rows over the readers the filter names), else one page of the read.

    A read filtered through another service's rows uses every row its reader holds there, so these are what its calls return."""
    ref = next((f for f in use_case.filters if f.entity == entity and f.join), None)
    reader = ref.join[-1].source if ref is not None else ""
    if reader in analysis.entities and entity in analysis.entities and analysis.rows(reader):
        return analysis.rows(entity) / analysis.rows(reader)
    return float(use_case.spec.page.limit)


def graph_flow(spec: Spec, use_case: UseCase, flow: Flow, read: GraphRead, what: str) -> Flow:
    """The feed read's flow with its graph read drawn once: a query to the owner, or the owner's events feeding the copy.

    Any step the communication stage drew for the graph (a remote read or an event-fed copy of it) is replaced: the decision here
    is the one the read makes. ``what``: what the step reads (the reader's followed authors past the cut-off)."""
    if read.how == "local":
        return flow
    home = flow.steps[0].target
    kept = [s for s in flow.steps if not _graph_step(s, home, read.entity)]
    if read.how == "call":
        step = FlowStep(source=home, target=read.owner, kind="query", description=f"read {read.entity}: {what}", calls=read.pages.calls)
    else:
        step = FlowStep(source=read.owner, target=home, kind="event", description=f"{read.entity}{_COPY}")
    said = f"reads {read.entity} {read.source()}: {read.reason}"
    rationale = said if flow.style == "local" or not flow.rationale else f"{flow.rationale}; {said}"
    style = flow.style if flow.style == "saga" else "sync" if read.how == "call" else "event" if flow.style == "local" else flow.style
    changed = flow.model_copy(update={"steps": [*kept[:1], step, *kept[1:]], "style": style, "rationale": rationale})
    # the hop is planned as the communication stage plans every other: its timeout, and the flow's latency and availability
    return plan_flow(spec, use_case, changed, in_process=False)


def graph_reads(
    spec: Spec, analysis: Analysis, arch: Architecture, checks: Sequence[ReferenceCheck] | None = None, members: Sequence[MembershipCheck] | None = None
) -> list[tuple[UseCase, GraphRead]]:
    """Each read filtered through rows another service owns (a feed by the reader's follows), with the mechanism reading them.

    ``checks`` and ``members``: the reference and membership checks, where the API stage asks before they are the architecture's."""
    # the feed pattern imports this module: what a feed's read asks the graph for is read from it on use
    from backend_architect.design.patterns.feed import graph_rows_per_read

    owner = {e: s.name for s in arch.services for e in s.entities}
    in_process = arch.deployment == "modular-monolith"
    calls = decided_calls(spec, analysis, owner, arch.reference_checks if checks is None else checks, arch.membership_checks if members is None else members)
    found = []
    for use_case in analysis.use_cases:
        if use_case.is_write or use_case.entity not in owner:
            continue
        home = owner[use_case.entity]
        for entity in dict.fromkeys(f.entity for f in use_case.filters if f.join and f.entity != use_case.entity and f.entity in owner):
            # a proximity read whose filters on the points the GEO set kept in memory answers reads no row of theirs (memory_sets)
            if owner[entity] != home and not answered_by_set(spec, analysis, use_case, entity):
                rows = graph_rows_per_read(spec, analysis, use_case)
                cycle = not in_process and reaches(calls, owner[entity], home)
                read = graph_read(spec, analysis, use_case, entity, owner[entity], home, in_process, rows, cycle=cycle)
                if read.how == "call":
                    calls.setdefault(home, set()).add(read.owner)
                found.append((use_case, read))
    return found


def decided_calls(
    spec: Spec, analysis: Analysis, owner: dict[str, str], checks: Sequence[ReferenceCheck], members: Sequence[MembershipCheck]
) -> dict[str, set[str]]:
    """Service -> services it calls synchronously before any graph read is decided: its fresh reads, cross-service writes and
    composed gets (``reference_checks.sync_calls``), and the reference and membership checks the API stage decided as calls.

    Read from the decisions, not from the services' dependencies, so every stage asking (the communication stage, the feed
    pattern, the held copies) sees the same calls whatever the stages after it added."""
    by_name = {u.name: u for u in analysis.use_cases}
    calls = sync_calls(analysis, owner, copied_reads(analysis.use_cases, owner), spec)
    checked = [(c.use_case, c.owner, c.check) for c in checks] + [(c.use_case, c.service, c.check) for c in members]
    for name, holder, check in checked:
        use_case = by_name.get(name)
        if check == "query" and use_case is not None and use_case.entity in owner and owner[use_case.entity] != holder:
            calls.setdefault(owner[use_case.entity], set()).add(holder)
    return calls


def with_graph_reads(spec: Spec, analysis: Analysis, arch: Architecture, name_of: Callable[[UseCase], str]) -> Architecture:
    """The architecture with each read filtered through another service's rows drawn and provisioned by its mechanism: the
    flow's call or copy step, the caller's dependency, the copy's table and the owner's events feeding it (``name_of``: the
    communication stage's name for a write's event)."""
    for use_case, read in graph_reads(spec, analysis, arch):
        if read.how == "local":
            continue
        flows = {f.use_case: f for f in arch.flows}
        flow = flows.get(use_case.name)
        if flow is None or not flow.steps:
            continue
        what = f"the {read.entity} rows {use_case.name} filters by"
        flows[use_case.name] = graph_flow(spec, use_case, flow, read, what)
        events, fed = graph_feed(arch, analysis, read, name_of)
        flows.update({f.use_case: f for f in fed})
        by_name = {e.name: e for e in arch.events} | {e.name: e for e in events}
        replaced = {s.name: s for s in graph_services(arch.services, read)}
        stores = {s.name: s for s in arch.datastores}
        for store, table in graph_copy(arch.datastores, read):
            if all(t.name != table.name for t in stores[store].tables):
                stores[store] = stores[store].model_copy(update={"tables": [*stores[store].tables, table]})
        arch = arch.model_copy(
            update={
                "flows": [flows[f.use_case] for f in arch.flows],
                "events": list(by_name.values()),
                "services": [replaced.get(s.name, s) for s in arch.services],
                "datastores": [stores[s.name] for s in arch.datastores],
            }
        )
    return arch


def graph_services(services: list[Service], read: GraphRead) -> list[Service]:
    """The serving service depending on the graph's owner where it calls it (the architecture and topology draw that edge)."""
    if read.how != "call":
        return []
    return [s.model_copy(update={"depends_on": sorted({*s.depends_on, read.owner})}) for s in services if s.name == read.home]


def graph_feed(arch: Architecture, analysis: Analysis, read: GraphRead, name_of: Callable[[UseCase], str]) -> tuple[list[Event], list[Flow]]:
    """The owner's events feeding the copy, each consumed by the serving service, and the writes' flows drawing them to it.

    A write of the graph publishes its event through the owner's outbox (one the communication stage already publishes gains
    the consumer); without it the copy would have nothing to follow."""
    if read.how != "copy":
        return [], []
    events, flows = [], []
    by_use_case = {f.use_case: f for f in arch.flows}
    for use_case in (u for u in analysis.use_cases if u.is_write and u.entity == read.entity):
        known = next((e for e in arch.events if e.use_case == use_case.name and e.entity == read.entity), None)
        name = known.name if known is not None else name_of(use_case)
        key = f"{read.entity.lower()}_id"
        made = known or Event(name=name, producer=read.owner, consumers=[], entity=read.entity, key=key, use_case=use_case.name, fields=["id"])
        # the copy is keyed by the pair: a follow and an unfollow both carry it, or the copy could not apply the unfollow
        fed = made.model_copy(update={"consumers": sorted({*made.consumers, read.home})})
        events.append(with_fields(fed, ["id", *_pairs(arch.datastores, read)]))
        flow = by_use_case.get(use_case.name)
        drawn = flow is not None and any(s.kind == "event" and s.target == read.home and s.description.startswith(f"{name} via ") for s in flow.steps)
        if flow is not None and not drawn:
            said = f"{name} via the outbox: keeps {read.home}'s copy of {read.entity} current"
            step = FlowStep(source=read.owner, target=read.home, kind="event", description=said)
            # a write nothing consumed now publishes: said as the communication stage says it of every such write
            rationale = flow.rationale.replace(f"all data lives in {read.owner}", _PUBLISHED) if flow.rationale else _PUBLISHED
            style = "event" if flow.style == "local" else flow.style
            flows.append(flow.model_copy(update={"steps": [*flow.steps, step], "style": style, "rationale": rationale}))
    return events, flows


#: What the communication stage says of a write publishing through its outbox.
_PUBLISHED = "state change others react to: published through the transactional outbox after commit"


def _pairs(stores: list[Datastore], read: GraphRead) -> list[str]:
    """The graph table's references naming its two ends (follower_id, followee_id): what a copy of its pairs holds."""
    source = next((t for s in stores for t in s.tables if t.name == table_name(read.entity)), None)
    return [c.name for c in source.columns if c.name.endswith("_id") and c.name not in source.primary_key] if source is not None else []


def _graph_step(step: FlowStep, home: str, entity: str) -> bool:
    """A step the communication stage drew for the graph alone: its remote read, or its event-fed copy."""
    if step.kind == "query" and step.source == home:
        return step.description.removeprefix("read ").split(":")[0].strip() == entity
    return step.kind == "event" and step.target == home and step.description == f"{entity}{_COPY}"


def graph_load(read: GraphRead, use_case: UseCase, by: str, merged: float) -> list[StoreLoad]:
    """The per-read graph read the merge makes in the serving service's own database (a local table, or the copy); none for a
    call (the owner's read is ``service_calls.call_loads``, from the flow's step) nor where nothing is merged."""
    if read.how == "call" or not merged:
        return []
    table = graph_copy_name(read.entity) if read.how == "copy" else table_name(read.entity)
    return [
        StoreLoad(
            entity=read.entity if read.how == "local" else table,
            key=f"{GRAPH_KEY}{use_case.id}",
            quantity=f"reads/s of {table} by {by} finding the authors past the cut-off each read of {use_case.name} merges, at peak",
            reads_per_s=use_case.peak_qps,
            formula="peak_reads (one indexed read a feed read)",
            inputs={"peak_reads": use_case.peak_qps},
            by=by,
        )
    ]


def graph_copy_name(entity: str) -> str:
    """The serving service's table of the graph pairs it copies.

    >>> graph_copy_name("Follow")
    'known_follows'
    """
    return f"known_{table_name(entity)}"


def graph_copy(stores: list[Datastore], read: GraphRead) -> list[tuple[str, Table]]:
    """The copy's table, in the serving service's relational database: the graph's reference columns, keyed as its rows are."""
    if read.how != "copy":
        return []
    source = next((t for s in stores for t in s.tables if t.name == table_name(read.entity)), None)
    store = next((s for s in stores if s.service == read.home and s.engine in {"postgresql", "sqlite", "mysql"}), None)
    if source is None or store is None:
        return []
    # the references naming the graph's two ends (follower_id, followee_id): the pairs the reads select by
    pairs = [c for c in source.columns if c.name in _pairs(stores, read)]
    said = f"copied from {read.owner}'s {source.name}: no foreign key across services"
    columns = [c.model_copy(update={"generated": False, "default": None, "identity": False, "comment": said}) for c in pairs]
    table = Table(
        name=graph_copy_name(read.entity),
        comment=f"local copy of {read.owner}'s {read.entity} pairs, fed by its {read.entity} events about {RELAY_S:g} s behind it "
        f"(the event relay's lag): {read.home}'s feed reads merge and rebuild from it",
        columns=columns,
        primary_key=[c.name for c in columns],
        key_strategy="composite",
        key_reason=f"one row per {read.entity} pair, as {source.name}'s rows",
        rows_now=source.rows_now,
        rows_per_day=source.rows_per_day,
    )
    return [(store.name, table)]


__all__ = [
    "GRAPH_KEY",
    "GraphRead",
    "decided_calls",
    "graph_copy",
    "graph_copy_name",
    "graph_feed",
    "graph_flow",
    "graph_load",
    "graph_read",
    "graph_reads",
    "graph_services",
    "rows_per_reader",
    "with_graph_reads",
]
