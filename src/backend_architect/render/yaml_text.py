"""Deterministic YAML for JSON-shaped data (dicts, lists, str, int, float, bool, None).

PyYAML's representer walks every node in Python and dominated design time on large
systems; our documents are plain JSON data, so a direct block-style emitter does. A
string is written plain only when no YAML 1.1 reader could take it for anything but
that string; otherwise it is double-quoted with JSON escapes, which YAML accepts.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

#: Plain scalars start with a letter, '/' or '_' (never a digit, sign or indicator) and use
#: characters that have no meaning inside a block-context plain scalar.
_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./ ()+@,;=&?%{}~:*'!$<>^|\[\]`-]*")
#: Words YAML 1.1 reads as booleans or null.
_RESERVED = frozenset("y yes n no true false on off null".split())
_LINE_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


@lru_cache(maxsize=131_072)
def _string(text: str) -> str:
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and not text.endswith((" ", ":")) and ": " not in text and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False).translate(_LINE_SEPARATORS)


def _float(value: float) -> str:
    if not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    text = repr(value)
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _inline(value: Any) -> str:
    """A scalar, or an empty collection, on one line."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if kind is float:
        return _float(value)
    if kind is dict:
        return "{}"
    if kind is list:
        return "[]"
    raise TypeError(f"cannot write {kind.__name__} as YAML")


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if type(value) is dict:
        for key, item in value.items():
            name = _string(key if type(key) is str else str(key))
            if type(item) in _CONTAINERS and item:
                out.append(f"{pad}{name}:")
                _emit(item, indent + 2, out)
            else:
                out.append(f"{pad}{name}: {_inline(item)}")
        return
    for item in value:
        kind = type(item)
        if kind is dict and item:
            first = len(out)
            _emit(item, indent + 2, out)
            out[first] = f"{pad}- {out[first][indent + 2 :]}"
        elif kind is list and item:
            out.append(f"{pad}-")
            _emit(item, indent + 2, out)
        else:
            out.append(f"{pad}- {_inline(item)}")


_CONTAINERS = (dict, list)


def to_yaml(document: Any) -> str:
    """Block-style YAML with keys in insertion order.

    >>> print(to_yaml({"a": [1, {"b": "yes", "c": []}], "d": "x: y"}), end="")
    a:
      - 1
      - b: "yes"
        c: []
    d: "x: y"
    """
    if type(document) not in _CONTAINERS or not document:
        return _inline(document) + "\n"
    out: list[str] = []
    _emit(document, 0, out)
    return "\n".join(out) + "\n"
