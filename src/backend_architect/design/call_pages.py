"""How many calls one request makes of another service's cursor-paged list: the rows it uses over the largest page.

An internal list answers a page at a time, at most ``page_max`` rows (the house's page bound). A caller that uses every row
the list holds for it (a feed's rebuild: all the reader's followees; the merge picking the authors past the cut-off out of
them) cannot get them in "one call" once there are more than one page: it pages until ``next_cursor`` is empty. So the
design states the form of the call from the rows the caller uses: one call where they fit in a page, else pages until done,
with the calls a request makes counted, never one call that a contract bounded to 100 rows could not answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backend_architect.design.analysis import UseCase
from backend_architect.spec.model import DEFAULT_PAGE_MAX, Spec


@dataclass(frozen=True)
class PageCalls:
    """The calls one request makes of a paged list returning ``rows`` rows on average, ``page_max`` a page."""

    rows: float
    page_max: int = DEFAULT_PAGE_MAX

    @property
    def calls(self) -> int:
        """Calls a request makes on average: one a page, at least one (an empty answer is a call too).

        >>> PageCalls(75).calls, PageCalls(250).calls, PageCalls(0).calls
        (1, 3, 1)
        """
        return max(1, math.ceil(self.rows / self.page_max))

    def said(self) -> str:
        """The form, in the words every section uses.

        >>> PageCalls(75).said()
        'paged until next_cursor is empty, 100 rows a page: ceil(75 / 100) = 1 call a request on average, more for one holding more than 100 rows'
        """
        per = f"ceil({self.rows:,.0f} / {self.page_max:,}) = {self.calls:,} call{'' if self.calls == 1 else 's'} a request on average"
        return f"paged until next_cursor is empty, {self.page_max:,} rows a page: {per}, more for one holding more than {self.page_max:,} rows"


def named_by_rows(spec: Spec, use_case: UseCase, entities: list[str]) -> list[str]:
    """Those of ``entities`` the use case's own rows name by a reference (an Order's product): read by the ids those rows hold."""
    body = spec.entities.get(use_case.entity)
    targets = {f.type.target for f in body.fields.values() if f.type.kind == "ref"} if body is not None else set()
    return [e for e in entities if e in targets]


def lookup_calls(spec: Spec, use_case: UseCase, entities: list[str]) -> tuple[int, list[str]]:
    """The calls one request makes reading ``entities`` of another service by their ids, and the entity whose rows give the ids.

    A row by id is one GET: a get names one row of each, a list's page names up to a page of them (one GET a row, the page's
    ``limit`` calls a request), and the ids come from the request's own rows, read first. Entities the rows do not name, and a
    write's reads (the ids are in its body), are one call, keyed by nothing the request reads."""
    named = named_by_rows(spec, use_case, entities)
    # a write's references come in its request body, not from rows it reads first: one call, before its commit
    if not named or use_case.is_write:
        return 1, []
    per_row = use_case.spec.page.limit if use_case.kind == "list" else 1
    return max(1, per_row * len(named)), [use_case.entity]


__all__ = ["PageCalls", "lookup_calls", "named_by_rows"]
