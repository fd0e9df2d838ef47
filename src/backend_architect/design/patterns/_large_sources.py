"""Who is past a hybrid feed's fan-out cut-off, kept where the graph lives: a count of the graph's rows per followed source.

The hybrid feed fans out every author's items but those of authors with more followers than the cut-off; those are merged
at read time for the readers following them. So the read asks the graph for the reader's followees *past the cut-off*, and
the fan-out worker skips the same authors. Neither can tell who they are from the graph's rows alone: counting an author's
followers on every read or every item would page the graph by the author, the cost the feed exists to avoid. So the graph's
owner keeps one row per followed source holding its count (``follows_per_followee``), moved by one in the transaction of each
write of the graph (a follow adds one, an unfollow takes one away); the fan-out worker, run by the owner, reads it there. The
list the feed calls takes a ``past_cutoff`` filter answered by joining that count: the merge's whole answer (the few followees
past the cut-off) comes back in one page, while a missing list's rebuild pages the full followee list until done. Where the
feed reads an event-fed copy of the graph instead, the copy's consumer keeps the same count beside it
(``known_follows_per_followee``), as it applies each event, so the read joins in its own database.

Where the graph is sharded by another column than the followed source (follows by follower_id), one source's rows sit on
every shard while its count is one row, on the database's unsharded primary: no write of the graph can move it in its own
transaction, and no query can join the two (``counted_apart``). So the count is then moved by the owner's relay as it
applies each graph write's outbox event (behind by the relay's lag), and the filtered list reads the page's followees on
their shard, then their counts on the primary by key in one query, a read the capacity counts on the primary at the read's
rate (``count_reads``).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.call_pages import PageCalls
from backend_architect.design.graph_reads import GraphRead
from backend_architect.ir.model import Architecture, Column, Figure, Operation, Parameter, Table
from backend_architect.ir.runtime import Mechanism, StoreLoad
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: The query parameter of the graph's internal list asking only for the sources past the fan-out cut-off.
PAST_CUTOFF = "past_cutoff"


@dataclass(frozen=True)
class LargeSources:
    """The count kept per followed source (the owner's, and a copy's beside an event-fed copy), and how the read asks for them."""

    #: The owner's count: (its database, the table), moved in each graph write's transaction, read by the fan-out worker.
    owned: tuple[str, Table]
    #: The count beside an event-fed copy of the graph in the serving service's database, kept by the copy's consumer.
    copied: tuple[str, Table] | None
    #: The internal list the serving service calls, with its ``past_cutoff`` filter (None where no call crosses services).
    operation: Operation | None
    rebuild: PageCalls
    #: The graph's shard key where it is not the followed source's column (``counted_apart``): the count is moved by the relay.
    apart: str = ""

    @property
    def tables(self) -> list[tuple[str, Table]]:
        """Each count table with the database holding it."""
        return [self.owned, *([self.copied] if self.copied else [])]

    @property
    def read(self) -> Table:
        """The count the feed's read joins: beside the copy where it reads one, else the owner's."""
        return (self.copied or self.owned)[1]

    def sized(self, spec: Spec, analysis: Analysis, arch: Architecture) -> list[Figure]:
        """Their rows and bytes, and their databases' totals with them, as the capacity stage sizes every table."""
        # the capacity stage imports the feed (to read what it chose), so the sizing it shares is imported on use
        from backend_architect.design.patterns._stores import storage_figures

        added = dict(self.tables)
        stores = [d.model_copy(update={"tables": [*d.tables, added[d.name]]}) if d.name in added else d for d in arch.datastores]
        return storage_figures(spec, arch.model_copy(update={"datastores": stores}), [t for _, t in self.tables], analysis)

    def said(self, cutoff: str) -> str:
        """How the read learns which followed sources are past the cut-off, in the words every section uses."""
        asked = f", asked with {PAST_CUTOFF}=true" if self.operation is not None else ""
        return (
            f"those past the cut-off told by the count {self.read.name} keeps per followed source (more than {cutoff}{asked}); "
            f"a rebuild takes every followee, {self.rebuild.said()}"
        )


def count_writes(large: LargeSources, writers: list[UseCase], code: str, decision: str, column: str) -> list[Mechanism]:
    """Each write of the graph moves its followed source's count by one in its own transaction, and the copy's as its consumer
    applies the event: one row written a write in each database keeping a count (the mechanism's loads)."""
    source = column.removesuffix("_id")
    own = f"as the outbox relay applies its event ({_apart(large.apart)})" if large.apart else "in the same transaction"
    kept = [(large.owned[1].name, own), *([(large.copied[1].name, "as the copy's consumer applies its event")] if large.copied else [])]
    return [
        Mechanism(
            use_case=w.name,
            pattern=code,
            decision=decision,
            serves="write",
            store=large.owned[0],
            entities=[w.entity],
            how="; ".join(f"moves {table}'s count for the {source} it names by one, {when}" for table, when in kept),
            loads=[
                StoreLoad(
                    entity=table,
                    key=f"count_{w.id}_{table}",
                    quantity=f"rows of {table} updated/s by {w.name} at peak (one a write, {when})",
                    writes_per_s=w.peak_qps,
                    formula="peak (one count row a write)",
                    inputs={"peak": w.peak_qps},
                )
                for table, when in kept
            ],
        )
        for w in writers
    ]


def count_reads(large: LargeSources, use_case: UseCase) -> list[StoreLoad]:
    """The read of the owner's count where it sits apart from the graph's rows (``counted_apart``): one query by key a read of
    ``use_case`` (the followees list's call with ``past_cutoff=true``, or the local read), on the database's unsharded primary.
    None where the read joins a count beside its rows (unsharded, or the copy's)."""
    if not large.apart or large.copied is not None:
        return []
    table = large.owned[1].name
    asked = f"{use_case.name}'s calls with {PAST_CUTOFF}=true" if large.operation is not None else f"each read of {use_case.name}"
    return [
        StoreLoad(
            entity=table,
            key=f"count_reads_{use_case.id}_{table}",
            quantity=f"reads/s of {table} for {asked} at peak (the followees' counts, one query by key a read)",
            reads_per_s=use_case.peak_qps,
            formula="peak (one query a read)",
            inputs={"peak": use_case.peak_qps},
        )
    ]


def counted_apart(source: Table, column: str) -> str:
    """The graph's shard key when it is sharded by another column than ``column`` (the followed source the count is keyed by),
    else '': one source's rows then sit on every shard, so its count can share no transaction and no join with them.

    >>> from backend_architect.ir.model import Sharding
    >>> follows = Table(name="follows", columns=[], primary_key=["id"], sharding=Sharding(key="follower_id", reason="r"))
    >>> counted_apart(follows, "followee_id"), counted_apart(follows, "follower_id")
    ('follower_id', '')
    """
    return source.sharding.key if source.sharding is not None and source.sharding.key != column else ""


def _apart(key: str) -> str:
    """Why the count is not moved in the write's transaction, in the words every section uses."""
    return f"not in the write's transaction: the graph is sharded by {key}, the count is one row on the unsharded primary; behind by the relay's lag"


def count_table_name(graph: str, column: str) -> str:
    """The table of the graph's rows counted per followed source.

    >>> count_table_name("Follow", "followee_id"), count_table_name("Membership", "team_id")
    ('follows_per_followee', 'memberships_per_team')
    """
    return f"{table_name(graph)}_per_{column.removesuffix('_id')}"


def large_sources(arch: Architecture, graph: GraphRead, column: str, readers: float, fan_in: float) -> LargeSources | None:
    """The count tables and the ``past_cutoff`` filter on the list the feed calls (``column``: the graph's column naming the
    followed source, followee_id; ``readers``: the sources there can be)."""
    source = next((t for d in arch.datastores for t in d.tables if t.name == table_name(graph.entity)), None)
    key = next((c for c in source.columns if c.name == column), None) if source is not None else None
    owned = _store_of(arch, graph.owner)
    if source is None or key is None or owned is None:
        return None
    counted = table_name(graph.entity)
    name = count_table_name(graph.entity, column)

    def count(table: str, how: str) -> Table:
        return Table(
            name=table,
            comment=f"{counted} rows per {column.removesuffix('_id')}, moved by one with each write of {source.name} ({how}): who is past "
            "the feed's fan-out cut-off",
            columns=[
                key.model_copy(update={"generated": False, "default": None, "identity": False, "nullable": False, "comment": None}),
                Column(name=counted, type="bigint", default="0", avg_bytes=8, comment=f"{source.name} rows naming this {column.removesuffix('_id')}"),
            ],
            primary_key=[column],
            key_strategy="composite",
            key_reason=f"one row per {column.removesuffix('_id')}, as {source.name} names it",
            rows_now=readers,
        )

    home = _store_of(arch, graph.home) if graph.how == "copy" else None
    apart = counted_apart(source, column)
    moved = f"as the outbox relay applies its event, {_apart(apart)}" if apart else "in its transaction"
    owner_table = count(name, f"{moved}; the fan-out worker reads it")
    copied = (home, count(f"known_{name}", f"as {graph.home} applies {graph.owner}'s events to its copy; the feed's read joins it")) if home else None
    return LargeSources((owned, owner_table), copied, _filtered(arch, graph, owner_table, apart), PageCalls(fan_in), apart)


def followed_rows(spec: Spec, analysis: Analysis, graph: str, column: str, fallback: float) -> float:
    """The rows of the entity the graph's ``column`` names (a Follow's followee: Users; a Membership's team: Teams): one count
    row each, at most. ``fallback`` where the spec does not say."""
    field = spec.entities[graph].fields.get(column.removesuffix("_id")) if graph in spec.entities else None
    target = field.type.target if field is not None else None
    return analysis.rows(target) if target and target in analysis.entities and analysis.rows(target) else fallback


def _store_of(arch: Architecture, service: str) -> str | None:
    """The relational database ``service`` keeps its rows in."""
    name = next((s.datastore for s in arch.services if s.name == service and s.datastore), None)
    return next((d.name for d in arch.datastores if d.name == name and d.engine in {"postgresql", "sqlite", "mysql"}), None)


def _filtered(arch: Architecture, graph: GraphRead, table: Table, apart: str = "") -> Operation | None:
    """The internal list the serving service calls, taking ``past_cutoff`` (a call across services only); ``apart``: the graph's
    shard key where the count sits on the primary, so the list reads the counts in a second query instead of a join."""
    if graph.how != "call":
        return None
    api = next((a for a in arch.apis if a.service == graph.owner), None)
    op = (
        next(
            (o for o in api.operations if o.internal and o.kind == "list" and o.entity == graph.entity and graph.home in o.consumers),
            None,
        )
        if api is not None
        else None
    )
    if op is None or any(p.name == PAST_CUTOFF for p in op.parameters):
        return op
    param = Parameter(
        name=PAST_CUTOFF,
        location="query",
        type="boolean",
        default=False,
        description=f"Only the rows whose followed source is past the feed's fan-out cut-off, by the count {table.name} keeps.",
    )
    how = (
        f"the page's followees read on their shard, then their counts from {table.name} on the unsharded primary in one query by key"
        if apart
        else f"joined to {table.name}"
    )
    said = f" With {PAST_CUTOFF}=true, only those past the feed's fan-out cut-off ({how}): the read-time merge's few authors, one page."
    return op.model_copy(update={"parameters": [*op.parameters, param], "description": op.description + said})


__all__ = ["PAST_CUTOFF", "LargeSources", "count_reads", "count_table_name", "count_writes", "counted_apart", "followed_rows", "large_sources"]
