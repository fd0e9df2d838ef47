"""How much of a table changes after it is written: the churn every "append-mostly" verdict reads, with its numbers.

Time partitions (``partition_rule``) and the wide-column store (``_wide_column_plan``) are for rows that are appended and
seldom changed. Both ask one question, "are its updates and deletes a day at most a tenth of its inserts a day?", and
answer it here, from the figures the design prints: the inserts are the table's ``rows_per_day`` (the "new rows a day"
figure, its creating use cases' rows with the parts and links they write), the changes are the use cases that update or
delete rows already there. A verdict read from other numbers than those printed beside it contradicts them (whatsapp,
run 21: "updates and deletes past 10% of its inserts" beside 1,000,000 deletes against 13,000,000 inserts a day, 7.7%,
because the inserts counted only the table's own creates, not the chats that write its rows with them).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.ir.model import Architecture, Table
from backend_architect.spec.naming import join_table, table_name
from backend_architect.spec.units import SECONDS_PER_DAY

#: A table whose updates and deletes a day are at most this share of its inserts a day is appended to.
APPEND_MOSTLY_SHARE = 0.1

#: Use case kinds that change a row already there (an action moves its state).
_CHANGING = {"update", "replace", "action"}


@dataclass(frozen=True)
class Churn:
    """A table's inserts and changes a day, and the use cases making the changes (``name: rows a day``)."""

    inserts_per_day: float
    updates_per_day: float
    deletes_per_day: float
    changers: tuple[tuple[str, float], ...] = ()

    @property
    def changes_per_day(self) -> float:
        return self.updates_per_day + self.deletes_per_day

    @property
    def share(self) -> float:
        """Changes a day over inserts a day (infinite when rows change but none are inserted)."""
        if self.inserts_per_day > 0:
            return self.changes_per_day / self.inserts_per_day
        return float("inf") if self.changes_per_day > 0 else 0.0

    @property
    def appended(self) -> bool:
        """Rows arrive and seldom change: some inserts, and changes at most ``APPEND_MOSTLY_SHARE`` of them."""
        return self.inserts_per_day > 0 and self.changes_per_day <= APPEND_MOSTLY_SHARE * self.inserts_per_day

    def said(self) -> str:
        """The verdict's numbers, as the records state them beside the rule.

        >>> Churn(13e6, 0.0, 1e6, (("leave group", 1e6),)).said()
        '1,000,000 deletes a day (leave group) against 13,000,000 inserts a day: 7.7%'
        >>> Churn(2e6, 2e6, 0.0, (("mark read", 2e6),)).said()
        '2,000,000 updates a day (mark read) against 2,000,000 inserts a day: 100.0%'
        >>> Churn(5.5e6, 2e9, 0.0, (("send message", 2e9),)).said()
        '2,000,000,000 updates a day (send message) against 5,500,000 inserts a day: 364 times as many'
        >>> Churn(0.0, 0.0, 0.0).said()
        'no updates or deletes, and no inserts'
        """
        kinds = [f"{n:,.0f} {k} a day" for n, k in ((self.updates_per_day, "updates"), (self.deletes_per_day, "deletes")) if n > 0]
        changes = " and ".join(kinds) or "no updates or deletes"
        who = f" ({', '.join(name for name, _ in self.changers)})" if self.changers else ""
        if self.inserts_per_day <= 0:
            return f"{changes}{who}, and no inserts"
        # past ten times its inserts a percentage stops reading as one (36363.6%): say the multiple
        share = f"{self.share:.1%}" if self.share < 10 else f"{self.share:,.0f} times as many"
        return f"{changes}{who} against {self.inserts_per_day:,.0f} inserts a day: {share}"


def kept_out_of_database(arch: Architecture) -> frozenset[str]:
    """The use cases whose write a mechanism keeps out of the database (a latest value in memory: ``database_share`` 0).

    Such a write overwrites a key in memory and changes no row: counting it among a table's updates kept a chat's
    members whole for "4,000,000,000 updates a day (mark delivered, mark read)" the design says it never writes
    (whatsapp, run 22), so every churn verdict leaves them out.
    """
    return frozenset(m.use_case for m in arch.mechanisms if m.serves == "write" and m.database_share == 0.0)


def churn(analysis: Analysis, table: Table, kept: Collection[str] = ()) -> Churn:
    """``table``'s churn: its printed new rows a day, and the updates and deletes its rows receive a day.

    A row changes when a use case updates, replaces or acts on its entity; when a write of another entity names it
    (``send message`` writes ``Chat.last_message_at``: an update of the chat, not an insert); or when a delete removes it.
    A join table's rows change when a replace swaps its links, an unlink removes one or a delete of their owner takes them
    (``_link_churn``). An event-fed copy (``known_<table>``) churns as its source does. A write ``kept`` in memory
    (``kept_out_of_database``) changes no row.
    """
    stored = table.name.removeprefix("known_")
    if table.entity is None and table.name == stored:
        return _link_churn(analysis, table)
    entity = table.entity or next((e for e in analysis.entities if table_name(e) == stored), None)
    if entity is None:
        return Churn(table.rows_per_day, 0.0, 0.0)
    updates = deletes = 0.0
    changers: list[tuple[str, float]] = []
    for use_case in analysis.use_cases:
        rows = _changed_rows(use_case, entity) * SECONDS_PER_DAY
        if rows <= 0 or use_case.name in kept:
            continue
        changers.append((use_case.name, rows))
        if use_case.kind == "delete" and use_case.entity == entity:
            deletes += rows
        else:
            updates += rows
    inserts = table.rows_per_day or sum(u.avg_qps * SECONDS_PER_DAY * u.rows_per_request(entity) for u in analysis.of_entity(entity) if u.kind == "create")
    return Churn(inserts, updates, deletes, tuple(changers))


def _changed_rows(use_case: UseCase, entity: str) -> float:
    """Rows of ``entity`` one second of ``use_case`` changes on average, none where it inserts them.

    Its own row when it updates, replaces, acts on or deletes it, unless it only links or unlinks rows through a relation
    (the join table's rows change, ``_link_churn``); another entity's row when the write names one of its fields
    (``Chat.last_message_at``), or names it whole in an update, replace, action or delete. A create naming another entity
    whole inserts it (the analysis counts those rows in its new rows a day), so it is no change here. An update or action
    naming nothing it writes (``UseCase.changes_rows``) only reads its row: no change.
    """
    if not use_case.changes_rows:
        return 0.0
    if use_case.entity == entity:
        return use_case.avg_qps if use_case.kind in _CHANGING | {"delete"} and use_case.relation is None else 0.0
    if entity in use_case.children or any(e == entity for e, _ in use_case.part_rows):
        return 0.0
    written = use_case.spec.writes
    fields = any(w.startswith(f"{entity}.") for w in written)
    whole = entity in written and use_case.kind in _CHANGING | {"delete"}
    return use_case.avg_qps if fields or whole else 0.0


def _link_churn(analysis: Analysis, table: Table) -> Churn:
    """A join table's inserts and deletes a day: the links a create or a link use case makes (``link_rows``: a recipe's tags
    with the recipe, ``relation``: a follow), and those a replace swaps, an unlink removes or a delete of the owning row
    takes with it. A join table is written by its owner's use cases, not an entity's, so reading its entity's writes
    would find none and call it changed."""
    join = table.name
    owners = {u.entity for u in analysis.use_cases for t, _ in u.link_rows if t == join}
    inserts = 0.0
    changers: list[tuple[str, float]] = []
    for use_case in analysis.use_cases:
        rows = sum(n for t, n in use_case.link_rows if t == join)
        linked = use_case.relation is not None and join_table(use_case.entity, use_case.relation) == join
        if linked:
            owners.add(use_case.entity)
        if use_case.kind == "create":
            inserts += use_case.avg_qps * SECONDS_PER_DAY * (rows + (1.0 if linked else 0.0))
        elif use_case.kind == "replace" and rows:
            changers.append((use_case.name, use_case.avg_qps * SECONDS_PER_DAY * rows))
        elif use_case.kind == "delete" and linked:
            changers.append((use_case.name, use_case.avg_qps * SECONDS_PER_DAY))
    changers += [(u.name, u.avg_qps * SECONDS_PER_DAY) for u in analysis.use_cases if u.kind == "delete" and u.relation is None and u.entity in owners]
    deletes = sum(n for name, n in changers if any(u.name == name and u.kind == "delete" for u in analysis.use_cases))
    updates = sum(n for _, n in changers) - deletes
    return Churn(table.rows_per_day or inserts, updates, deletes, tuple(changers))
