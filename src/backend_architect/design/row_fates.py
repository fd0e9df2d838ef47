"""What happens to an entity's rows after they are written: the one account every section naming updates or deletes reads.

A cache says what deletes its entries, an indexer what it reindexes, a read model what it does
with deleted items. Each used to name "updates and deletes" whatever the spec holds, so an
append-only entity with no update or delete operation (and no event for one) was said to be
updated and deleted in the caching table, the components and the feed's record. The fates here
come from the analysis (``EntityFacts.changes``, the delete use cases), so every record says
the same and names only changes some operation or engine worker makes.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis


@dataclass(frozen=True)
class RowFates:
    """Whether an entity's rows are updated and deleted after they are written, as the analysis finds them."""

    updated: bool
    deleted: bool

    @property
    def changed(self) -> bool:
        """Some write changes or removes a row once written."""
        return self.updated or self.deleted

    def said(self, entity: str) -> str:
        """The changes each cached copy of a row is deleted on, in words ('' when none is made).

        >>> RowFates(True, True).said("Tweet")
        'each update or delete of the Tweet'
        >>> RowFates(False, True).said("Tweet")
        'each delete of the Tweet'
        >>> RowFates(False, False).said("Tweet")
        ''
        """
        kinds = [k for k, on in (("update", self.updated), ("delete", self.deleted)) if on]
        return f"each {' or '.join(kinds)} of the {entity}" if kinds else ""

    def verbs(self) -> str:
        """The row events an indexer or copy follows: created, then updated and deleted where some write makes them.

        >>> RowFates(False, False).verbs()
        'created'
        >>> RowFates(True, True).verbs()
        'created, updated or deleted'
        """
        said = ["created", *(v for v, on in (("updated", self.updated), ("deleted", self.deleted)) if on)]
        return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} or {said[-1]}"


def row_fates(analysis: Analysis, entity: str) -> RowFates:
    """The fates of ``entity``'s rows: deleted where a delete use case names it, updated where any other change is recorded.

    ``EntityFacts.changes`` lists every write after the create (update use cases, other entities' use
    cases writing its fields, server-kept counters, the media workers); a delete use case is listed
    there too, so it is counted as a delete and not as an update. An entity the analysis does not
    know is taken as changing both ways, the cautious reading.
    """
    facts = analysis.entities.get(entity)
    if facts is None:
        return RowFates(updated=True, deleted=True)
    deletes = {u.name for u in analysis.use_cases if u.kind == "delete" and (u.entity == entity or entity in u.spec.writes)}
    updates = [c for c in facts.changes if not any(c.startswith(f"'{name}' ") for name in deletes)]
    return RowFates(updated=bool(updates), deleted=bool(deletes))


__all__ = ["RowFates", "row_fates"]
