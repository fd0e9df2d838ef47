"""What PostgreSQL does to a table's rows when a column's type changes.

Most type changes rewrite the table and its indexes under an ACCESS EXCLUSIVE lock. A few
only change the catalog because every old value is already a valid new value with the same
bytes: ``varchar(n)`` widened or made unbounded or ``text``, ``varbit`` widened, and
``numeric(p,s)`` given more digits before the point. The migration rules and the schema
diff ask this one question here, so they cannot give two answers.
"""

from __future__ import annotations

import re

_VARCHAR = re.compile(r"^(character varying|varchar)(\((?P<n>\d+)\))?$")
_VARBIT = re.compile(r"^(bit varying|varbit)(\((?P<n>\d+)\))?$")
_NUMERIC = re.compile(r"^(numeric|decimal)(\((?P<p>\d+)(,\s*(?P<s>\d+))?\))?$")


def _length(match: re.Match[str]) -> float:
    return int(match["n"]) if match["n"] else float("inf")


def rewrites_table(old: str, new: str) -> bool:
    """Whether changing a column from type ``old`` to ``new`` (as format_type() spells them) rewrites the table.

    >>> [rewrites_table(a, b) for a, b in [("character varying(50)", "character varying(100)"), ("character varying(50)", "text"),
    ...     ("character varying(100)", "character varying(50)"), ("numeric(12,2)", "numeric(14,2)"), ("integer", "bigint"), ("text", "text")]]
    [False, False, True, False, True, False]
    """
    old, new = old.strip().lower(), new.strip().lower()
    if old == new:
        return False
    for pattern in (_VARCHAR, _VARBIT):
        before, after = pattern.match(old), pattern.match(new)
        if before and after:
            return _length(after) < _length(before)
        if before and pattern is _VARCHAR and new == "text":
            return False
    if old == "text" and _VARCHAR.match(new) and not _VARCHAR.match(new)["n"]:  # type: ignore[index]
        return False
    before, after = _NUMERIC.match(old), _NUMERIC.match(new)
    if before and after:
        if not after["p"]:
            return False  # unconstrained numeric holds every value
        if not before["p"]:
            return True
        return not (int(after["p"]) >= int(before["p"]) and (after["s"] or "0") == (before["s"] or "0"))
    return True
