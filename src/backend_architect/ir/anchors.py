"""Where the text a document finding points at ends, for reports that mark a range (SARIF, editors).

A finding in an API document is located at the key (or list item) of its node; the range
runs to the end of that key as the document spells it: quoted in JSON, bare in YAML, and
the ``-`` of a YAML list item.
"""

from __future__ import annotations

import json

from backend_architect.errors import Location


def located(file: str, pointer: tuple[str | int, ...], line: int, col: int) -> Location:
    """The location of a node at ``line``/``col`` with its end after the key that names it.

    >>> located("api.yaml", ("paths", "/pets"), 3, 3).end_col, located("api.json", ("paths", "/pets"), 3, 5).end_col
    (8, 12)
    """
    if not pointer:
        return Location(file, line, col)
    last = pointer[-1]
    if isinstance(last, int):
        width = 1
    elif file.endswith(".json"):
        width = len(json.dumps(last, ensure_ascii=False))
    else:
        width = len(str(last))
    return Location(file, line, col, line, col + width)
