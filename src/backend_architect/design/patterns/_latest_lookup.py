"""A latest value's reads that find their row by other columns than the key the value is kept under.

A Redis key is the key the read looks up by. A value kept per row id (``HSET latest:view:{id}``)
answers a read by id; a read finding the row by other columns (resume a video by user and video)
must learn the id first. When a use case creates the rows, it also sets a lookup key from those
columns to the id (``SET latest:view:{user_id}:{video_id} {id}``), so the read stays in Redis:
two round trips, no database. Without a creating use case the read takes the id from the
database, through the index on those columns, and is counted there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.spec.naming import snake

if TYPE_CHECKING:
    from backend_architect.design.patterns.latest import Latest


def found_by(reader: UseCase, latest: Latest) -> list[str]:
    """The columns a get finds the row by when they are not the row's id its latest value is kept under (empty: it reads by that key)."""
    if latest.appends or latest.geo or latest.key_column != "id" or reader.kind != "get":
        return []
    columns = [r.column for r in reader.filters if not r.join and r.entity == latest.entity and r.constant is None and r.column]
    return [] if set(columns) <= {"id"} else columns


def creators(analysis: Analysis, latest: Latest) -> list[UseCase]:
    """The use cases creating the rows whose latest value is kept: they set each row's lookup keys."""
    return [u for u in analysis.use_cases if u.kind == "create" and u.entity == latest.entity]


def lookups(analysis: Analysis, latest: Latest, readers: Sequence[UseCase]) -> dict[str, list[str]]:
    """Reader -> the columns its lookup key is made of, for the gets found by other columns whose rows a use case creates."""
    if not creators(analysis, latest):
        return {}
    return {u.name: by for u in readers if (by := found_by(u, latest))}


def lookup_key(latest: Latest, columns: Sequence[str]) -> str:
    """``latest:view:{user_id}:{video_id}``: the key a read by those columns finds the row's id under.

    >>> from backend_architect.design.patterns.latest import Latest
    >>> lookup_key(Latest("View", "View", "id", ("offset_seconds",), None, False), ["user_id", "video_id"])
    'latest:view:{user_id}:{video_id}'
    """
    return f"latest:{snake(latest.entity)}:" + ":".join(f"{{{c}}}" for c in columns)


def value_key(latest: Latest) -> str:
    return f"latest:{snake(latest.entity)}:{{{latest.key_column}}}"


def lookup_read(latest: Latest, columns: Sequence[str], what: str) -> str:
    """What a read found by other columns does in Redis: the id from its lookup key, then the value."""
    return f"GET {lookup_key(latest, columns)} gives the {latest.entity}'s id, then HGET {value_key(latest)} its latest {what}"


__all__ = ["creators", "found_by", "lookup_key", "lookup_read", "lookups", "value_key"]
