"""Diagnostic only: a refused spec with what the loader refused taken out, to see the rest of the engine.

The score never uses this. ``score.py --strip-refused`` designs each refused spec a second time
after removing, round by round, exactly what the loader pointed at:

- ``unknown field type 'T'``: the type becomes ``json`` (``json?`` if it was nullable), so the
  field and everything that names it stay;
- any other located error: the smallest piece of the document at that line and column goes —
  the key/value pair whose key or value starts there, or the list item that starts there.

Rounds repeat (at most eight) until the spec loads or an error has no location. Nothing here
knows about particular keys or cases; the committed specs are never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_ROUNDS = 8


@dataclass
class Stripped:
    """The loadable text, and what was removed to get it (the loader's messages, round by round)."""

    text: str | None
    removed: list[str] = field(default_factory=list)
    reason: str | None = None


def _at(node: Node, line: int, col: int) -> bool:
    return node.start_mark.line + 1 == line and node.start_mark.column + 1 == col


def _edit(node: Node, line: int, col: int, message: str) -> bool:
    """Apply one error's edit inside ``node``; True when something changed."""
    if isinstance(node, MappingNode):
        for i, (key, value) in enumerate(node.value):
            if isinstance(value, ScalarNode) and _at(value, line, col) and message.startswith("unknown field type"):
                nullable = value.value.rstrip().endswith("?")
                node.value[i] = (key, ScalarNode(value.tag, "json?" if nullable else "json", value.start_mark, value.end_mark))
                return True
            if _at(key, line, col) or (isinstance(value, ScalarNode) and _at(value, line, col)):
                del node.value[i]
                return True
            if _edit(value, line, col, message):
                return True
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            if _at(item, line, col) and isinstance(item, ScalarNode):
                del node.value[i]
                return True
            if _edit(item, line, col, message):
                return True
    return False


_LOCATED = re.compile(r"^.*?:(\d+):(\d+): (.*)$")


def strip_refused(text: str, name: str) -> Stripped:
    """Remove what the loader refuses, round by round, until the spec loads."""
    from backend_architect.errors import InputError
    from backend_architect.spec.load import load_spec_bytes

    result = Stripped(None)
    for round_number in range(1, MAX_ROUNDS + 1):
        try:
            load_spec_bytes(text.encode(), name)
        except InputError as exc:
            root = yaml.compose(text)
            changed = False
            for message in str(exc).splitlines():
                located = _LOCATED.match(message)
                if located is None:
                    result.reason = f"unlocated error: {message}"
                    return result
                line, col, what = int(located[1]), int(located[2]), located[3]
                if _edit(root, line, col, what):
                    result.removed.append(f"round {round_number}: {what}")
                    changed = True
            if not changed:
                result.reason = "the loader's errors point at nothing removable"
                return result
            text = yaml.serialize(root)
        else:
            result.text = text
            return result
    result.reason = f"still refused after {MAX_ROUNDS} rounds"
    return result
