"""How many rows a table holds once its retention is applied, and how that retention is said: one rule for every section.

A table's rows now, rows a day and retention are read once from the spec (``analysis``) and, where a storage decision sets
a retention of its own (raw rows expired after their aggregates, history moved to a warehouse), narrowed here again, so the
data model, the figures, the placements and the bottlenecks never state a count the retention makes impossible.
"""

from __future__ import annotations

from backend_architect.ir.model import Table
from backend_architect.spec.units import DAYS_PER_YEAR


def kept_rows(rows_now: float, rows_per_day: float, retention_days: float | None) -> float:
    """Rows a table holds today: what it holds, but never more than its retention's days of new rows, since older ones are
    already deleted (a table kept 1 day with 200M rows a day holds 200M rows, not the 30 days' 6B a month of growth gives).

    >>> kept_rows(6e9, 2e8, 1.0), kept_rows(6e9, 2e8, None), kept_rows(5.0, 0.0, 1.0)
    (200000000.0, 6000000000.0, 5.0)
    """
    if retention_days is None or not rows_per_day:
        return rows_now
    return min(rows_now, rows_per_day * retention_days)


def stated_rows_conflict(entity: str, stated: float, rows_per_day: float, retention_days: float) -> str | None:
    """The spec warning when stated rows exceed what the stated growth and retention can hold: both numbers are said, and
    which one sizes the table, so a figure the author gave is never replaced silently.

    >>> stated_rows_conflict("Note", 40e6, 42e3, 365.0)[:60]
    'entities.Note.rows: 40,000,000 stated, but 42,000 rows a day'
    >>> stated_rows_conflict("Note", 10e6, 42e3, 365.0) is None
    True
    """
    cap = kept_rows(stated, rows_per_day, retention_days)
    if cap >= stated:
        return None
    return (
        f"entities.{entity}.rows: {stated:,.0f} stated, but {rows_per_day:,.0f} rows a day kept {retention_days:,.0f} days "
        f"(its retention) hold at most {cap:,.0f}; the table is sized at {cap:,.0f} rows now, the older rows being deleted "
        f"(correct rows, growth or retention if the stated count is meant)"
    )


def with_retention(table: Table, retention_days: float) -> Table:
    """The table with a retention a storage decision sets, its rows now narrowed to what that retention keeps: a decision that
    expires rows after a day cannot leave the data model counting a month of them.

    >>> t = Table(name="q", columns=[], primary_key=["id"], rows_now=6e9, rows_per_day=2e8)
    >>> with_retention(t, 1.0).rows_now
    200000000.0
    """
    kept = kept_rows(table.rows_now, table.rows_per_day, retention_days)
    return table.model_copy(update={"retention_days": retention_days, "rows_now": kept})


def retention_said(retention_days: float | None, years: float) -> str:
    """The retention a storage table states: the stated days when there are any, even when they reach past the sizing
    horizon (a 3,650-day retention over 10 years deletes nothing within it but is still stated), "no retention stated" only
    when there is none.

    >>> retention_said(30.0, 10.0), retention_said(3650.0, 10.0), retention_said(None, 10.0)
    ('30 days', '3,650 days (stated; nothing expires within the 10-year horizon)', 'kept (no retention stated; sized over 10 years)')
    """
    if retention_days is None:
        return f"kept (no retention stated; sized over {years:g} years)"
    if retention_days < years * DAYS_PER_YEAR:
        return f"{retention_days:,.0f} days"
    return f"{retention_days:,.0f} days (stated; nothing expires within the {years:g}-year horizon)"


def narrowed(before: Table, after: Table, why: str) -> tuple[str, ...]:
    """The assumption saying a storage decision narrowed a table's rows now, with both counts, so the month of growth the spec
    reading assumed and the retention the decision set are read as one story, not two figures that disagree.

    >>> t = Table(name="q", columns=[], primary_key=["id"], rows_now=6e9, rows_per_day=2e8)
    >>> narrowed(t, with_retention(t, 1.0), "raw rows expire")[0][:57]
    'q: 200,000,000 rows now (200,000,000 a day kept 1 day), n'
    >>> narrowed(t, t, "nothing")
    ()
    """
    if after.rows_now >= before.rows_now or after.retention_days is None:
        return ()
    return (
        f"{after.name}: {after.rows_now:,.0f} rows now ({after.rows_per_day:,.0f} a day kept {days_said(after.retention_days)}), "
        f"not the {before.rows_now:,.0f} the spec's figures give: {why}",
    )


def days_said(days: float) -> str:
    """A count of days as a sentence says it, so "kept 1 day" reads as English beside "kept 30 days".

    >>> days_said(1.0), days_said(30.0)
    ('1 day', '30 days')
    """
    return f"{days:,.0f} day" + ("" if days == 1 else "s")
