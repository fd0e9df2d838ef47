"""Where the text a document finding points at ends, for reports that mark a range (SARIF, editors, GitHub).

A finding in an API document is located at the key (or list item) of its node; the range
runs to the end of that key as the document spells it: quoted in JSON, bare in YAML, and
the ``-`` of a YAML list item.
"""

from __future__ import annotations

import json
import re

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


def token_end(lines: list[str], line: int, col: int) -> int | None:
    """The column just past the key or scalar that starts at ``line``:``col`` (a quoted one to its closing quote).

    >>> token_end(['  "get": {', "  '200':", "  summary: List pets"], 1, 3), token_end(["  '200':"], 1, 3), token_end(["  summary: x"], 1, 3)
    (8, 8, 10)
    """
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    start = col - 1
    if start >= len(text):
        return None
    if text[start] in {'"', "'"}:
        quote, position = text[start], start + 1
        while position < len(text) and text[position] != quote:
            position += 2 if text[position] == "\\" and quote == '"' else 1
        return min(position + 1, len(text)) + 1
    match = _PLAIN_TOKEN.match(text, start)
    return match.end() + 1 if match and match.end() > start else None


_PLAIN_TOKEN = re.compile(r"[^\s:,{}\[\]]+(?:[ \t]+[^\s:,{}\[\]]+)*")
