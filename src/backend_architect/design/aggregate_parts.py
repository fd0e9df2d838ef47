"""Whether a part (``part_of``) belongs to its parent's aggregate: read once from the use cases that create its rows.

``part_of`` says a row lives and dies with its parent (its foreign key cascades). Being part of the
parent's *aggregate* says more: the part's rows are written with the parent's, in the request and the
transaction that write the parent. That holds only where every request creating the part's rows
writes the parent too (an order's lines created with the order). A part some request creates alone
(a message's receipt, acknowledged later by its recipient; a chat's member, added by a join) is an
aggregate of its own: it commits in its own transaction, and no sentence may say it is created with
its parent (whatsapp run 21 C1).
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase


def writes_both(use_case: UseCase, entity: str, parent: str) -> bool:
    """Whether ``use_case`` writes ``entity``'s rows and its ``parent``'s in one request."""
    written = {use_case.entity, *use_case.writes, *use_case.children} if use_case.changes_rows else set()
    return entity in written and parent in written


def own_creators(analysis: Analysis, entity: str, parent: str) -> tuple[str, ...]:
    """The use cases creating ``entity``'s rows without writing its ``parent``'s: each makes the part an aggregate of its own."""
    facts = analysis.entities.get(entity)
    by_name = {u.name: u for u in analysis.use_cases}
    creators = [by_name[n] for n in (facts.creators if facts is not None else ()) if n in by_name]
    return tuple(u.name for u in creators if not writes_both(u, entity, parent))


def in_parent_aggregate(analysis: Analysis, entity: str, parent: str) -> bool:
    """Whether ``entity`` is part of ``parent``'s aggregate: some request writes the two together and none creates ``entity``
    alone. Why: only then are the part's rows created with the parent's, in its transaction, as "part of the aggregate" says.
    """
    together = any(writes_both(u, entity, parent) for u in analysis.use_cases)
    return together and not own_creators(analysis, entity, parent)


def own_aggregate_said(parent: str, creators: tuple[str, ...]) -> str:
    """What a part created alone is: an aggregate of its own, with the requests that create it.

    >>> own_aggregate_said("Message", ("acknowledge delivery",))
    "an aggregate of its own: 'acknowledge delivery' creates its rows in a request and a transaction of their own, not with its Message"
    """
    named = ", ".join(f"'{c}'" for c in creators)
    verb = "creates" if len(creators) == 1 else "create"
    return f"an aggregate of its own: {named} {verb} its rows in a request and a transaction of their own, not with its {parent}"


__all__ = ["in_parent_aggregate", "own_aggregate_said", "own_creators", "writes_both"]
