"""Every denormalized copy a finished design holds in its databases, gathered from the mechanisms that made them.

No stage copies a fact on a whim: each copy is made by one mechanism deciding from its own numbers, and
this module reads what they built, so the normalization record (``design/normalization.py``) names exactly
the copies the DDL holds, each with the rate that justifies it:

- an event-fed local copy of another service's ids, read by the existence checks of the writes referring to
  them (``design/reference_checks.py``, tables ``known_<table>``);
- an event-fed local copy of another service's membership pairs, probed by members-only operations
  (``design/member_copies.py``);
- an event-fed local copy of another service's graph pairs, read by a feed's merge and rebuild
  (``design/graph_reads.py``);
- a by-owner lookup beside a sharded table, kept by the outbox relay from its rows, so a read by the owner visits one
  shard (``design/shard_families.py``, figures ``lookup.reads.<table>``);
- a read model in the database a pattern precomputes (a ranking's snapshot, a series' rollup): the read-model cache plan
  keyed by its table (``patterns/ranking.py``, ``patterns/series.py``);
- a uniqueness table holding a sharded table's unique values across its shards (``design/unique_keys.py``,
  ``Sharding.uniques``): kept by the sharding, not by a read rate, and said so;
- a derived counter or latest time the spec declares, stored beside its row and kept by the create of the rows it
  counts or times (``design/kept_counters.py``);
- any other table the DDL holds that stores no fact of its own (``derived_tables``): a count a feed's fan-out cut-off
  keeps per followed source (``patterns/_large_sources.py``), or whatever table a later mechanism derives from other
  rows, named with the writes keeping it and the reads using it, as the mechanisms' loads count them.

A copy is listed only where its table (or column) is in the datastores: a mechanism that decided a copy the
DDL does not hold announces nothing here. And every table the DDL holds is either the home of its own facts (an
entity's table, a many-to-many link, a media field's renditions, the outbox, inbox and idempotency tables) or listed
here: the list is read from the tables generated, so a mechanism that adds a derived table cannot leave the record
saying every fact is stored once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.data_decisions import derived_counters, normalization_decision
from backend_architect.design.graph_reads import GraphRead, graph_copy_name, graph_reads
from backend_architect.design.maintained_fields import kept_kind
from backend_architect.design.member_copies import MEMBER_COPY
from backend_architect.design.patterns._common import fmt
from backend_architect.design.patterns.media import renditions_name
from backend_architect.design.patterns.short_keys import ranges_name
from backend_architect.design.reference_checks import LOCAL_COPY_FROM, copy_table_name
from backend_architect.design.relay import RELAY_S
from backend_architect.design.usecases import applied_values
from backend_architect.ir.model import Architecture, CachePlan, MembershipCheck, ReferenceCheck
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import join_table, table_name

#: What a check's or read's reason says when the copy replaces a call that would close a cycle between two services.
_CYCLE = "cycle"


@dataclass(frozen=True)
class HeldCopy:
    """One copy the design holds: where, what it copies, how it is written, and each read using it with the rate that kept it."""

    #: The table (``known_follows``) or column (``Thread.reply_count``) holding the copy.
    name: str
    #: The datastore holding it.
    store: str
    #: What it copies, and from whom.
    what: str
    #: Its write path.
    written: str
    #: Each use case reading it, with its rate at peak and the rule that kept the copy for it.
    readers: tuple[tuple[str, str], ...]
    #: Reads/s at peak those use cases make of it.
    rate: float

    def said(self) -> str:
        """The copy in one phrase every record uses.

        >>> HeldCopy("known_users", "orders-db", "a local copy of users's User ids", "fed by its User events",
        ...          (("place order", "2,000 checks/s at peak > 1,000"),), 2000.0).said()
        "known_users in orders-db (a local copy of users's User ids, fed by its User events; read by 'place order' at 2,000 checks/s at peak > 1,000)"
        """
        said = [f"'{name}' at {why}" for name, why in self.readers if name]
        reads = ("; read by " + ", and ".join(said) if said else "") + "".join(f"; {why}" for name, why in self.readers if not name)
        return f"{self.name} in {self.store} ({self.what}, {self.written}{reads})"


def held_copies(spec: Spec, analysis: Analysis, arch: Architecture) -> list[HeldCopy]:
    """The copies ``arch`` holds, in a stable order: local copies of ids, of membership pairs, of graph pairs, by-owner lookups,
    read models, uniqueness tables, then counters."""
    found = [
        *_id_copies(arch),
        *_pair_copies(arch),
        *_graph_copies(spec, analysis, arch),
        *_lookups(analysis, arch),
        *_read_models(analysis, arch),
        *_unique_values(arch),
        *_counters(spec, analysis, arch),
    ]
    return [*found, *derived_tables(spec, analysis, arch, {c.name for c in found})]


def own_fact_tables(spec: Spec, arch: Architecture) -> set[str]:
    """The tables of ``arch`` that hold facts stored nowhere else: each entity's table, each many-to-many link (the link is the
    fact), each media field's renditions (where each processed output is), each short-key allocator (the next counter value),
    and the messaging and retry tables (outbox, inbox, idempotency keys: the delivery state of a write, not a copy of its rows)."""
    tables = [t for s in arch.datastores for t in s.tables]
    own = {t.name for t in tables if t.entity is not None or t.role is not None}
    own |= {join_table(name, relation) for name, entity in spec.entities.items() for relation in entity.many_to_many}
    own |= {renditions_name(t.name, field) for t in tables if t.entity in spec.entities for field in spec.entities[t.entity].fields}
    # a short-key allocator holds the next counter value, state no other row holds
    own |= {ranges_name(t.name) for t in tables if t.entity is not None}
    return own


def derived_tables(spec: Spec, analysis: Analysis, arch: Architecture, named: set[str]) -> list[HeldCopy]:
    """Every table the DDL holds that is neither the home of its own facts (``own_fact_tables``) nor already ``named`` by a
    mechanism's own gatherer: its rows are derived from other rows (a count per followed source a fan-out cut-off reads), so the
    normalization record names it, with the writes keeping it and the reads using it as the mechanisms' loads count them.

    Read from the tables generated rather than from a list of mechanisms, so a table a new mechanism adds is named the day it
    is added, not when someone remembers to teach this module about it."""
    own = own_fact_tables(spec, arch)
    peak = {u.name: u.peak_qps for u in analysis.use_cases}
    found = []
    for store in arch.datastores:
        for table in (t for t in store.tables if t.name not in own and t.name not in named):
            loads = [(m, load) for m in arch.mechanisms for load in m.loads if load.entity == table.name]
            writes = [f"'{m.use_case}' at {fmt(load.writes_per_s)} writes/s at peak" for m, load in loads if load.writes_per_s > 0]
            counted = [
                (m.use_case, f"{fmt(load.reads_per_s)} reads/s at peak" + (f" (by {m.store})" if m.store != store.name and m.serves == "write" else ""))
                for m, load in loads
                if load.reads_per_s > 0
            ]
            # a read joining it in its own query counts no load of its own: its path names the table, and its rate is the read's
            joined = [
                (m.use_case, f"{fmt(peak.get(m.use_case, 0.0))} reads/s at peak, joining it")
                for m in arch.mechanisms
                if m.serves == "read" and re.search(rf"\b{re.escape(table.name)}\b", m.how) and m.use_case not in {u for u, _ in counted}
            ]
            readers = tuple(dict.fromkeys([*counted, *joined]))
            # the comment is the mechanism's own account of what the rows hold and how they move
            said = f"derived from other rows: {table.comment or 'a table no spec entity declares'}"
            kept = f"kept by {', '.join(writes)}" if writes else "kept by the mechanism that made it"
            rate = sum(load.reads_per_s for _, load in loads) + sum(peak.get(u, 0.0) for u, _ in joined)
            found.append(HeldCopy(table.name, store.name, said, kept, readers, rate))
    return found


def _held(arch: Architecture) -> dict[str, set[str]]:
    """Datastore -> the tables it holds."""
    return {s.name: {t.name for t in s.tables} for s in arch.datastores}


def _relational(arch: Architecture) -> dict[str, str]:
    """Service -> its relational datastore, where the copies live."""
    return {s.service: s.name for s in arch.datastores if s.engine in {"postgresql", "sqlite", "mysql"} and s.service}


def _why(rate: float, unit: str, reason: str, of: str = "") -> str:
    """The rate against the copy threshold the reference checks, membership checks and graph reads share; at or below it, what
    else kept the copy (the mechanism's reason says which: a cycle of synchronous calls, or the availability target)."""
    said = f"{fmt(rate)} {unit}/s{of} at peak {'>' if rate > LOCAL_COPY_FROM else '<='} {LOCAL_COPY_FROM:,.0f}"
    if rate > LOCAL_COPY_FROM:
        return said
    if _CYCLE in reason:
        return f"{said}; kept because a call to the owner would close a cycle of synchronous calls"
    return f"{said}; kept because the request with the owner in its path would miss the availability target"


def _id_copies(arch: Architecture) -> list[HeldCopy]:
    """One per (writer's database, referenced entity) whose existence checks read a local copy of the owner's ids: each check is
    decided on its own rate (``reference_checks``)."""
    held = _held(arch)
    home = {t: s for s, tables in held.items() for t in tables}
    grouped: dict[tuple[str, str], list[ReferenceCheck]] = {}
    for check in (c for c in arch.reference_checks if c.check == "local copy" and c.table in home):
        grouped.setdefault((home[check.table], check.entity), []).append(check)
    found = []
    for (store, entity), checks in grouped.items():
        name = copy_table_name(entity)
        if name not in held[store]:
            continue
        readers = {c.use_case: _why(c.peak, "checks", c.reason) for c in checks}
        what = f"an event-fed local copy of {checks[0].owner}'s {entity} ids"
        fed = f"fed by its {entity} events about {RELAY_S:g} s behind it"
        found.append(HeldCopy(name, store, what, fed, tuple(readers.items()), sum(c.peak for c in checks)))
    return found


def _pair_copies(arch: Architecture) -> list[HeldCopy]:
    """One per membership copy table a members-only operation probes, in the database of the service serving it. The copy is
    decided on every check of the same memberships its keeper makes that it can answer (``member_copies``: its pairs are
    written once), which are exactly the checks probing it; the checks still calling the holder (their scope reached
    through another service's parent column) are no part of that total. Each reader's own probes are said beside it."""
    held = _held(arch)
    service_of = {op.operation_id: api.service for api in arch.apis for op in api.operations}
    store_of = _relational(arch)
    checked: dict[tuple[str, str], float] = {}
    for c in arch.membership_checks:
        if c.check == MEMBER_COPY and c.operation in service_of:
            key = (service_of[c.operation], c.members)
            checked[key] = checked.get(key, 0.0) + c.peak
    grouped: dict[tuple[str, str, str, str], list[MembershipCheck]] = {}
    for check in (c for c in arch.membership_checks if c.check == MEMBER_COPY and c.operation in service_of):
        keeper = service_of[check.operation]
        store = store_of.get(keeper, "")
        if check.table in held.get(store, set()):
            grouped.setdefault((store, check.table, keeper, check.members), []).append(check)
    found = []
    for (store, table, keeper, members), checks in grouped.items():
        total = _why(checked[(keeper, members)], "checks", " ".join(c.reason for c in checks), f" of {members} from {keeper}")
        readers = {c.use_case: f"{fmt(c.peak)} probes/s at peak (the copy decided on {total})" for c in checks if c.use_case}
        what = f"an event-fed local copy of {checks[0].service}'s {members} pairs"
        fed = f"fed by its {members} events about {RELAY_S:g} s behind it"
        found.append(HeldCopy(table, store, what, fed, tuple(readers.items()), sum(c.peak for c in checks)))
    return found


def _graph_copies(spec: Spec, analysis: Analysis, arch: Architecture) -> list[HeldCopy]:
    """One per graph another service owns that a feed's merge reads from a local copy (``graph_reads``: decided per read)."""
    held = _held(arch)
    store_of = _relational(arch)
    grouped: dict[tuple[str, str], list[tuple[UseCase, GraphRead]]] = {}
    for use_case, read in graph_reads(spec, analysis, arch):
        store = store_of.get(read.home, "")
        if read.how == "copy" and graph_copy_name(read.entity) in held.get(store, set()):
            grouped.setdefault((store, read.entity), []).append((use_case, read))
    found = []
    for (store, entity), reads in grouped.items():
        readers = {u.name: _why(r.peak, "reads", r.reason) for u, r in reads}
        what = f"an event-fed local copy of {reads[0][1].owner}'s {entity} pairs"
        fed = f"fed by its {entity} events about {RELAY_S:g} s behind it"
        found.append(HeldCopy(graph_copy_name(entity), store, what, fed, tuple(readers.items()), sum(r.peak for _, r in reads)))
    return found


#: The figure a by-owner lookup's reads are counted in, followed by the lookup's table.
_LOOKUP_READS = "lookup.reads."


def _lookups(analysis: Analysis, arch: Architecture) -> list[HeldCopy]:
    """Each by-owner lookup the DDL holds, with the reads it answers on one shard (its figure's inputs, one per read)."""
    store_of = {t.name: (s.name, t) for s in arch.datastores for t in s.tables}
    by_id = {f"peak_{u.id}": u for u in analysis.use_cases}
    found = []
    for figure in (f for f in arch.figures if f.key.startswith(_LOOKUP_READS)):
        name = figure.key.removeprefix(_LOOKUP_READS)
        if name not in store_of:
            continue
        store, table = store_of[name]
        # the lookup's comment starts with the table it indexes ("messages by user_id: one row per messages row ...")
        source = (table.comment or "").split(" by ")[0] or "its table"
        readers = tuple(
            (by_id[k].name, f"{fmt(v)} reads/s at peak, on one shard instead of every shard of {source}") for k, v in figure.inputs.items() if k in by_id
        )
        what = f"a by-owner lookup of {source}'s rows (the owner column, the row's id and shard key)"
        found.append(HeldCopy(name, store, what, f"kept by the outbox relay from {source}'s writes, behind by the relay's lag", readers, figure.value))
    return found


def _read_models(analysis: Analysis, arch: Architecture) -> list[HeldCopy]:
    """Each read model a pattern precomputes into a database table (its read-model cache plan is keyed by that table)."""
    store_of = {t.name: s.name for s in arch.datastores if s.engine in {"postgresql", "sqlite", "mysql"} for t in s.tables}
    peak = {u.name: u.peak_qps for u in analysis.use_cases}
    grouped: dict[str, list[CachePlan]] = {}
    for plan in arch.caches:
        if plan.strategy == "read-model" and plan.key in store_of:
            grouped.setdefault(plan.key, []).append(plan)
    found = []
    for name, plans in grouped.items():
        readers = tuple((p.use_case, f"{fmt(peak.get(p.use_case, 0.0))} reads/s at peak, served from it instead of from the rows") for p in plans)
        written = "; ".join(dict.fromkeys(p.invalidation for p in plans))
        rate = sum(peak.get(p.use_case, 0.0) for p in plans)
        found.append(HeldCopy(name, store_of[name], "a read model precomputed from the rows it summarises", written, readers, rate))
    return found


def _unique_values(arch: Architecture) -> list[HeldCopy]:
    """Each uniqueness table a sharded table's unique key needs: a copy of the values kept because one shard's index cannot hold
    the key, whatever the read rate."""
    store_of = {t.name: s.name for s in arch.datastores for t in s.tables}
    found = []
    for table in (t for s in arch.datastores for t in s.tables if t.sharding is not None):
        assert table.sharding is not None
        for unique in (u for u in table.sharding.uniques if u.table in store_of):
            columns = ", ".join(unique.columns)
            why = f"kept because {table.name} is sharded by {table.sharding.key}, so no one shard's index holds unique ({columns})"
            what = f"the {table.name} ({columns}) values, one row per value"
            written = "reserved by each write of a value before its row (the sharding record says how)"
            found.append(HeldCopy(unique.table, store_of[unique.table], what, written, (("", why),), 0.0))
    return found


def _counters(spec: Spec, analysis: Analysis, arch: Architecture) -> list[HeldCopy]:
    """Each derived counter whose table is in the datastores, with the reads of its row that show it instead of counting."""
    store_of = {t.name: s.name for s in arch.datastores for t in s.tables}
    found = []
    for counter in derived_counters(spec, analysis.use_cases):
        entity, _, field = counter.partition(".")
        store = store_of.get(table_name(entity))
        if store is None:
            continue
        reads = [u for u in analysis.use_cases if not u.is_write and entity in u.reads]
        owner = {e: svc.name for svc in arch.services for e in svc.entities}
        keeping = [u for u in analysis.use_cases if counter in u.spec.writes]
        # a writer in another service moves it through the owner's consumer of its event, not in its own transaction
        applied = [u for u in keeping if counter in {v for vs in applied_values(u, owner).values() for v in vs}]
        writers = ", ".join(f"'{u.name}'" for u in keeping if u not in applied)
        # a latest time is derived from the rows it times as a counter is from the rows it counts: said in its own words
        timed = kept_kind(field, spec.entities[entity].fields[field]) == "latest"
        what, shown = ("a derived latest time", "reading the rows it times") if timed else ("a derived counter", "counting the rows it counts")
        readers = tuple((u.name, f"{fmt(u.peak_qps)} reads/s at peak, shown without {shown}") for u in reads)
        said = [f"changed by {writers} in the transaction creating what it {'times' if timed else 'counts'}"] if writers else []
        if applied:
            said.append(
                f"applied by {owner.get(entity, '')} from the events of {', '.join(repr(u.name) for u in applied)} "
                f"(its consumer, about {RELAY_S:g} s behind the write)"
            )
        written = "; ".join(said)
        found.append(HeldCopy(counter, store, f"{what} stored beside its row", written, readers, sum(u.peak_qps for u in reads)))
    return found


def derive_normalization(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """The normalization record read against the finished design: it names exactly the copies ``held_copies`` finds, and says
    how each hot joining read is served, with the latency the latency stage gave it."""
    copies = held_copies(spec, analysis, arch)
    record = normalization_decision(analysis.use_cases, spec, copies, {f.use_case: f for f in arch.flows})
    return arch.model_copy(update={"decisions": [record if d.id == "normalization" else d for d in arch.decisions]})


__all__ = ["HeldCopy", "derive_normalization", "derived_tables", "held_copies", "own_fact_tables"]
