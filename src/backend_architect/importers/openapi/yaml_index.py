"""Positions in a block-style YAML document from its indentation, without composing it.

Composing a 4 MB document with libyaml costs a second, most of it building a Node and two
Mark objects per value; API documents are written in block style, where a key's position
follows from indentation alone. This index reads each line once: keys (plain or quoted),
sequence items, indentless sequences, and skips the insides of block scalars, multi-line
quoted scalars and multi-line flow collections. A pointer it cannot follow (into a flow
collection, or through an unusual layout) is reported as unresolved, and the caller asks
libyaml for that file instead, so a position is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from backend_architect.ir.contract import Pointer

_KEY = re.compile(r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{\[\]&*!|>%@`,?:-][^#]*?|[-?:][^\s#][^#]*?))\s*:(?:\s+|$)(.*)$""")
_SPECIAL_STARTS = frozenset("|>{['\"&*!# ")
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")


@dataclass(slots=True)
class _Entry:
    """A key or a sequence item: where it starts, and the collection it holds (if block style)."""

    line: int
    col: int
    value: _Collection | None = None


@dataclass(slots=True)
class _Collection:
    indent: int
    keys: dict[str, _Entry] = field(default_factory=dict)
    items: list[_Entry] = field(default_factory=list)
    is_list: bool = False
    last: _Entry | None = None


class YamlIndex:
    """Positions of the keys and items of a block-style YAML text."""

    def __init__(self, text: str) -> None:
        self.document = _Entry(0, 0)
        self._build(text.split("\n"))

    def locate(self, pointer: Pointer) -> tuple[int, int] | None:
        """Line and column (from 1) of the key or item ``pointer`` names; None when the index cannot follow it."""
        collection = self.document.value
        position = (1, 1)
        for part in pointer:
            if collection is None:
                return None
            entry = collection.items[int(part)] if collection.is_list and str(part).isdigit() and int(part) < len(collection.items) else None
            if not collection.is_list:
                entry = collection.keys.get(str(part))
            if entry is None:
                return None
            position = (entry.line + 1, entry.col + 1)
            collection = entry.value
        return position

    def locate_many(self, pointers: Iterable[Pointer]) -> dict[Pointer, tuple[int, int] | None]:
        return {tuple(p): self.locate(p) for p in pointers}

    def _build(self, lines: list[str]) -> None:
        sentinel = _Collection(indent=-1, last=self.document)
        stack = [sentinel]
        skip_deeper_than: int | None = None
        closing: str | None = None
        depth = 0
        for number, raw in enumerate(lines):
            stripped = raw.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                continue
            indent = len(raw) - len(stripped)
            if closing is not None:
                if closing in {'"', "'"}:
                    closing = None if _quotes(stripped, closing) % 2 else closing
                else:
                    depth += _balance(stripped, closing)
                    closing = None if depth <= 0 else closing
                continue
            if skip_deeper_than is not None:
                if indent > skip_deeper_than:
                    continue
                skip_deeper_than = None
            if stripped.startswith(("---", "...")) and indent == 0:
                continue
            column = indent
            while stripped.startswith("- ") or stripped == "-":
                top = self._open(stack, column, is_list=True)
                rest = stripped[2:] if stripped != "-" else ""
                offset = len(stripped) - len(rest.lstrip(" ")) if rest else 2
                # libyaml places an item at its content, after the dash; so do we, to agree with it.
                entry = _Entry(number, column + offset if rest.strip() else column)
                top.items.append(entry)
                top.last = entry
                column += offset
                stripped = rest.lstrip(" ")
                if not stripped:
                    break
            if not stripped or stripped.startswith("#"):
                continue
            match = _KEY.match(stripped)
            if match is None:
                if stack[-1].last is not None and column > stack[-1].indent:
                    value = stripped
                    closing, depth, skip_deeper_than = self._value_shape(value, column - 1, closing, depth, skip_deeper_than)
                continue
            key = match.group(1) if match.group(1) is not None else (match.group(2).replace("''", "'") if match.group(2) is not None else match.group(3))
            if match.group(1) is not None:
                key = key.encode("utf-8").decode("unicode_escape") if "\\" in key else key
            top = stack[-1]
            if top.indent != column or top.is_list:
                top = self._open(stack, column, is_list=False)
            entry = _Entry(number, column)
            top.keys.setdefault(key, entry)
            top.last = entry
            value = match.group(4)
            if not value:
                continue  # a nested block follows: the common case, nothing to skip
            first = value[0]
            if first not in _SPECIAL_STARTS:
                skip_deeper_than = column  # a plain scalar: deeper lines continue it
                continue
            closing, depth, skip_deeper_than = self._value_shape(value.strip(), column, closing, depth, skip_deeper_than)

    @staticmethod
    def _value_shape(value: str, indent: int, closing: str | None, depth: int, skip: int | None) -> tuple[str | None, int, int | None]:
        """What the value of a key makes of the following lines: a block scalar, or an open flow or quoted scalar."""
        if _BLOCK_SCALAR.match(value):
            return None, 0, indent
        if value[:1] in {"{", "["}:
            opened = _balance(value, "}" if value[0] == "{" else "]")
            if opened > 0:
                return ("}" if value[0] == "{" else "]"), opened, skip
        if value[:1] in {'"', "'"} and not _closed_quote(value):
            return value[0], 1, skip
        if value and value[:1] not in {"&", "*", "!", "#"}:
            # A plain multi-line scalar continues on deeper lines, which never hold keys.
            return None, 0, indent
        return None, 0, skip

    @staticmethod
    def _open(stack: list[_Collection], column: int, *, is_list: bool) -> _Collection:
        """The collection a key or item at ``column`` belongs to, opening or closing collections on the way."""
        while len(stack) > 1 and (stack[-1].indent > column or (stack[-1].indent == column and stack[-1].is_list and not is_list)):
            stack.pop()
        top = stack[-1]
        if top.indent == column and top.is_list == is_list:
            return top
        holder = top.last
        if holder is None:
            holder = _Entry(0, 0)
            top.last = holder
        fresh = _Collection(indent=column, is_list=is_list)
        holder.value = fresh
        stack.append(fresh)
        return fresh


def _quotes(text: str, quote: str) -> int:
    """Quote characters on a line that open or close a scalar (not escaped, not doubled)."""
    if quote == "'":
        return text.replace("''", "").count("'")
    return len(re.findall(r'(?<!\\)"', text))


def _balance(text: str, closing: str) -> int:
    """Opened minus closed brackets of one kind on a line, outside quotes (approximate, for skipping)."""
    opening = "{" if closing == "}" else "["
    plain = re.sub(r""""(?:[^"\\]|\\.)*"|'(?:[^']|'')*'""", "", text)
    return plain.count(opening) - plain.count(closing)


def _closed_quote(value: str) -> bool:
    quote = value[0]
    body = value[1:]
    if quote == "'":
        return bool(re.match(r"^(?:[^']|'')*'", body))
    return bool(re.match(r'^(?:[^"\\]|\\.)*"', body))
