"""The deprecation lifecycle: ``deprecated``, its ``x-sunset`` date, and ``x-stability-level``.

Removing something is not breaking when clients were told in time: it was deprecated, and
its sunset date (when it announced one) has passed. Removing it earlier is breaking, and so
is withdrawing or advancing a sunset date clients planned around, or announcing one that
is not a date. Operations marked ``x-stability-level: draft`` or ``alpha`` are outside the
compatibility promise: their changes are listed, never breaking; lowering an operation's
stability is itself breaking.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator
from typing import Any

from backend_architect.diff.model import Impact

SUNSET = "x-sunset"
STABILITY = "x-stability-level"
#: From least to most stable; operations below "beta" make no compatibility promise.
LEVELS = ("draft", "alpha", "beta", "stable")
PROMISED = "beta"

Event = tuple[str, str, Impact]


def parse_sunset(value: Any) -> dt.date | None:
    """The date an ``x-sunset`` value names (RFC 3339 date or date-time, or an HTTP date as the Sunset header has it).

    >>> parse_sunset("2025-06-30"), parse_sunset("2025-06-30T12:00:00Z"), parse_sunset("Mon, 30 Jun 2025 00:00:00 GMT")
    (datetime.date(2025, 6, 30), datetime.date(2025, 6, 30), datetime.date(2025, 6, 30))
    >>> parse_sunset("soon") is None
    True
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) == 10 else dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def removal_allowed(sunset: Any, today: dt.date | None) -> tuple[bool, str]:
    """Whether something deprecated may be removed now, and the words that say why.

    >>> removal_allowed(None, dt.date(2026, 1, 1))
    (True, ' (it was deprecated)')
    >>> removal_allowed("2026-06-30", dt.date(2026, 1, 1))
    (False, ' before its sunset date 2026-06-30')
    """
    if sunset is None:
        return True, " (it was deprecated)"
    date = parse_sunset(sunset)
    if date is None:
        return False, f" while its x-sunset {sunset!r} is not a date"
    if date > (today or dt.date.today()):
        return False, f" before its sunset date {date.isoformat()}"
    return True, f" (deprecated, sunset {date.isoformat()} passed)"


def deprecation_events(old: dict[str, Any], new: dict[str, Any], what: str) -> Iterator[Event]:
    """Changes of ``deprecated`` and ``x-sunset`` between two versions of one operation or parameter."""
    was, now = old.get("deprecated") is True, new.get("deprecated") is True
    before, after = old.get(SUNSET), new.get(SUNSET)
    if now and not was:
        yield "deprecated", f"{what} is now deprecated" + (f" (sunset {after})" if after is not None else ""), Impact.SAFE
    elif was and not now:
        yield "reactivated", f"{what} is no longer deprecated", Impact.SAFE
    if not now:
        return
    if after is not None and parse_sunset(after) is None and after != before:
        yield "sunset-invalid", f"x-sunset {after!r} of {what} is not a date: clients cannot plan the removal", Impact.BREAKING
        return
    if was and before is not None and after is None:
        yield "sunset-removed", f"the sunset date {before} of {what} was removed: clients no longer know when it goes", Impact.BREAKING
    elif was and before is not None and after is not None:
        old_date, new_date = parse_sunset(before), parse_sunset(after)
        if old_date and new_date and new_date < old_date:
            yield "sunset-moved-earlier", f"the sunset of {what} moved earlier, from {old_date} to {new_date}", Impact.BREAKING
        elif old_date and new_date and new_date > old_date:
            yield "sunset-postponed", f"the sunset of {what} moved from {old_date} to {new_date}", Impact.SAFE


def stability(node: dict[str, Any]) -> str | None:
    value = node.get(STABILITY)
    return value if isinstance(value, str) else None


def stability_events(old: dict[str, Any], new: dict[str, Any], what: str) -> Iterator[Event]:
    """A stability level that is not one of draft/alpha/beta/stable, or that went down."""
    before, after = stability(old), stability(new)
    if old.get(STABILITY) is not None and before not in LEVELS:
        yield "stability-invalid", f"x-stability-level {old.get(STABILITY)!r} of {what} (old version) is not one of {', '.join(LEVELS)}", Impact.BREAKING
        return
    if new.get(STABILITY) is not None and after not in LEVELS:
        yield "stability-invalid", f"x-stability-level {new.get(STABILITY)!r} of {what} is not one of {', '.join(LEVELS)}", Impact.BREAKING
        return
    rank_before = LEVELS.index(before) if before else len(LEVELS) - 1
    rank_after = LEVELS.index(after) if after else len(LEVELS) - 1
    if rank_after < rank_before:
        yield "stability-decreased", f"stability of {what} went down from {before or 'stable'} to {after}", Impact.BREAKING
    elif rank_after > rank_before:
        yield "stability-increased", f"stability of {what} went up from {before} to {after or 'stable'}", Impact.SAFE


def unpromised(node: dict[str, Any]) -> str | None:
    """The stability level when it is below the compatibility promise (draft or alpha), else None."""
    level = stability(node)
    return level if level in LEVELS and LEVELS.index(level) < LEVELS.index(PROMISED) else None
