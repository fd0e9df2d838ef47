"""A read whose join crosses servers is two reads, each counted on the server holding its table.

A list filtered through another table (a user's chats: ``chats`` joined with ``chat_members`` on
``chat_members.user_id``) is one SQL join while both tables live on one server. Once the sharding
decision puts them apart today (one on its shard map, one on the unsharded primary; or on two
shard maps), no server holds both: the service reads the joined table by the filtered column on
the server holding it, then its own table by the ids that read found, on the server (or shards)
holding that. Each read is a load of its own server: counting the request once, on the read's own
table, leaves the first read out of the other server's load (the unsharded primary's reads), and
counting the second read as a scan of every shard overstates it (it asks the shards of its ids).

``split_joins`` says which reads split and returns both reads as ``StoreLoad`` records: the load
ledger (``design/loads.py``) counts them on their servers, the cross-shard list classifies the
second by its ids, and the notes say "two reads" instead of "joins".
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.cross_server_keys import placements_today
from backend_architect.design.row_address import ROW_ID
from backend_architect.ir.model import Architecture, Table
from backend_architect.ir.runtime import StoreLoad
from backend_architect.spec.naming import snake


@dataclass(frozen=True)
class SplitJoin:
    """One read whose join crosses servers today: the joined table read first by its filter, then the own table by the ids."""

    use_case: str
    table: str
    joined: str
    #: The joined table's column the first read selects by (the filter the request names).
    by: str
    #: The own table's column the second read selects by: ``id``, or its reference to the joined table (a card's board_id).
    own_by: str
    #: The own table's ids one request reads (the joined rows of one filter value, at least one).
    ids: float
    first: StoreLoad
    second: StoreLoad

    def said(self, entity: str, joined_entity: str) -> str:
        """The read, for a note: two reads, not a join."""
        return (
            f"'{self.use_case}' reads {joined_entity} and {entity} on different servers: two reads ({self.joined} by {self.by}, then "
            f"{self.table} by {self.own_by}), not a join"
        )


def split_joins(analysis: Analysis, arch: Architecture, built: dict[str, bool], shares: dict[str, float]) -> list[SplitJoin]:
    """The reads whose filter joins a table living on another server today, each as its two reads at peak.

    ``shares``: per use case, the share of its reads reaching the database (behind its caches).
    """
    if not built:
        return []  # nothing sharded: every table of a database on one server
    where = placements_today(arch, built)
    found = (split_of(arch, u, where, shares.get(u.name, 1.0)) for u in analysis.use_cases)
    return [s for s in found if s is not None]


def split_of(arch: Architecture, use_case: UseCase, where: dict[str, tuple[str, str]], share: float = 1.0) -> SplitJoin | None:
    """``use_case``'s two reads when its filter joins a table of its database that ``where`` (a layout: today's) puts on
    another server; None when it reads one server. Only a filter through a join splits a read: a sort or an embed reads the
    own table first, which the ledger already counts.
    """
    tables = {t.entity: t for s in arch.datastores for t in s.tables if t.entity and not t.role}
    own = tables.get(use_case.entity)
    if use_case.is_write or use_case.is_job or own is None:
        return None
    for ref in use_case.filters:
        joined = tables.get(ref.entity)
        # one hop: the joined table names the own rows, or they name it; a longer path reads a table between them as well
        if len(ref.join) != 1 or joined is None or joined is own or not ref.column:
            continue
        if where.get(joined.name, ("", ""))[0] != where.get(own.name, ("", ""))[0] or where.get(joined.name) == where.get(own.name):
            continue  # another service's table is no SQL join (its copy or call is counted where it lands); one server joins
        hop = ref.join[0]
        # the own rows the joined rows name: by their id (a member's chat_id), or by the own table's reference (a card's board_id)
        named = next((fk.columns[0] for fk in own.foreign_keys if fk.ref_table == joined.name), f"{snake(hop.relation)}_id")
        own_by = named if hop.owner == own.entity else ROW_ID
        return _split(arch, use_case, own, joined, (ref.column, own_by), share)
    return None


def _split(arch: Architecture, use_case: UseCase, own: Table, joined: Table, columns: tuple[str, str], share: float) -> SplitJoin:
    """The two reads of ``use_case``: ``joined`` by its filtered column, then ``own`` by the column the found ids match."""
    by, own_by = columns
    rate = use_case.peak_qps * share
    ids = _ids_a_request(arch, use_case, own, joined, by)
    inputs = {"peak": use_case.peak_qps, "database_share": share}
    first = StoreLoad(
        entity=joined.entity or joined.name,
        key=f"peak_{use_case.id}_{joined.name}",
        quantity=f"reads/s of {joined.name} by {by} for {use_case.name} (the first of two reads: {own.name} lives on another server)",
        reads_per_s=rate,
        formula="peak x database_share (one read a request)",
        inputs=inputs,
        by=by,
    )
    second = StoreLoad(
        entity=own.entity or own.name,
        key=f"peak_{use_case.id}",
        quantity=f"reads/s of {own.name} by {own_by} for {use_case.name} (the second of two reads: the ids {joined.name} gave, {_number(ids)} a request)",
        reads_per_s=rate,
        formula="peak x database_share (one read a request)",
        inputs=inputs,
        by=own_by,
        keys_per_read=ids,
    )
    return SplitJoin(use_case.name, own.name, joined.name, by, own_by, ids, first, second)


def _number(value: float) -> str:
    """A count as the cross-shard list states it (``patterns._common.fmt``): 20, 27.60, 1,200."""
    return f"{value:,.0f}" if value >= 100 or float(value).is_integer() else f"{value:,.2f}"


def _ids_a_request(arch: Architecture, use_case: UseCase, own: Table, joined: Table, by: str) -> float:
    """Ids one request reads by: a page of them when the order is not the own table's, else every joined row of the filter
    value (sorting by the own table's column needs them all): the joined table's rows over the rows ``by`` references."""
    limit = float(use_case.spec.page.limit)
    if not any(r.entity == own.entity and not r.join for r in use_case.sorts):
        return limit
    target = next((fk.ref_table for fk in joined.foreign_keys if fk.columns == [by]), None)
    stem = by.removesuffix("_id")
    rows = [t.rows_now for s in arch.datastores for t in s.tables if not t.role and (t.name == target or (t.entity and snake(t.entity) == stem))]
    referenced = rows[0] if rows else 0.0
    return max(1.0, joined.rows_now / referenced) if referenced and joined.rows_now else limit


__all__ = ["SplitJoin", "split_joins", "split_of"]
