"""Read one JSON or YAML file of an API contract into a tree and a way to locate its nodes.

JSON goes through the C decoder (GitHub's 13 MB description parses in 0.1 s) and its
positions are found afterwards, only for the nodes that need one, in one pass that skips
every other value with the C scanner. YAML is composed by libyaml and walked once; the walk
records the line and column of each key and item as it builds the tree.

Both paths bound what a hostile file can cost: its size, its nesting, and for YAML the
size of the tree its aliases expand to.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from backend_architect.errors import InputError, Location
from backend_architect.importers.openapi.yaml_index import YamlIndex
from backend_architect.ir.contract import Pointer, SourceFile

#: GitHub's description, the largest public one we know, is 13 MB.
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Values in the tree once YAML aliases are expanded; GitHub's description has about 1.5M.
MAX_EXPANDED_NODES = 5_000_000
#: JSON Schema nests deep, but not this deep.
MAX_DEPTH = 200

_STR = "tag:yaml.org,2002:str"
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 - the C string scanner; typeshed does not list it
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "binary"))
_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
#: OpenAPI 3.1 documents are YAML 1.2, where these are strings; YAML 1.1 (libyaml's default) made them booleans.
_YAML11_ONLY_BOOLEANS = frozenset({"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"})


class _Loader(_BaseLoader):  # type: ignore[misc]
    """libyaml's loader with a quick answer for the common case: a plain string.

    libyaml calls back into Python to resolve every scalar's implicit tag, and the stock
    resolver tries its regular expressions on each; an API document is mostly prose, and a
    scalar whose first character starts no implicit type (a letter outside y/n/t/f/o/N/T/F/O
    and ``~``) can only be a string. This halves the time to compose Stripe's description.
    """

    _starts = frozenset(key for key in yaml.resolver.Resolver.yaml_implicit_resolvers if key)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if not implicit[0] or (value and value[0] not in self._starts) or value in _YAML11_ONLY_BOOLEANS:
                return _STR
        elif kind is yaml.MappingNode:
            return _MAP
        elif kind is yaml.SequenceNode:
            return _SEQ
        return str(super().resolve(kind, value, implicit))


def read_source(path: Path, name: str) -> SourceFile:
    """Read and parse the file at ``path``; ``name`` is how messages call it."""
    try:
        if not path.is_file():
            raise InputError(Location(name), "not a file" if path.exists() else "no such file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(Location(name), f"file is {size / 2**20:.1f} MiB; an API document may be at most {MAX_FILE_BYTES // 2**20} MiB")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(Location(name), f"cannot read: {exc.strerror or exc}") from None
    return parse_source(raw, name)


def parse_source(raw: bytes, name: str) -> SourceFile:
    """Parse the bytes of one file (JSON or YAML, by its first character)."""
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(Location(name), f"document is {len(raw) / 2**20:.1f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Location(name), f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputError(Location(name), "not a text file (contains NUL bytes)")
    if text.lstrip()[:1] in {"{", "["}:
        return SourceFile(name, _parse_json(text, name), JsonLocator(text), text)
    fast = _parse_yaml_fast(text, name)
    if fast is not None:
        return fast
    tree, locator = _parse_yaml(text, name)
    return SourceFile(name, tree, locator, text)


def _parse_yaml_fast(text: str, name: str) -> SourceFile | None:
    """The tree from rapidyaml (a C++ YAML parser) by way of its JSON emitter, with positions from indentation.

    rapidyaml parses Stripe's 4 MB description and writes it out as JSON in 0.06 s, which the
    C JSON decoder reads in 0.02 s: twenty times libyaml's compose. Its JSON typing of plain
    scalars differs from YAML's in corners (``~``, ``True``, ``inf``, ``007``), aliases and tags
    need resolving, and JSON keeps duplicate keys silently; so a document with any of those
    returns None and goes down the libyaml path, which reads every corner exactly and locates
    every error. (yaml-rs was faster still but crashed the interpreter in the HTTP server's
    worker threads.)
    """
    if _NEEDS_LIBYAML.search(text) or threading.current_thread() is not threading.main_thread():
        # servers (HTTP, MCP) read small documents on worker threads: libyaml is fast enough there, and the
        # silencing of rapidyaml's error printer below swaps the process's stderr, which only the main thread may do
        return None
    try:
        import ryml
    except ImportError:
        return None
    try:
        with _stderr_silenced():
            # rapidyaml's JSON writes the plain string inf as .inf; quoted, it stays the string YAML says it is
            tree = ryml.parse_in_arena(_BARE_INFINITY.sub(r"\1'\2'\3", text).encode())
            emitted = ryml.emit_json_malloc(tree, tree.root_id())
        data = json.loads(emitted, object_pairs_hook=_unique_keys)
    except Exception:  # noqa: BLE001 - any refusal (a parse error, a duplicate key, deep nesting) goes to the path that locates it
        return None
    return SourceFile(name, data, IndexedYamlLocator(text, name), text)


@contextmanager
def _stderr_silenced() -> Iterator[None]:
    """rapidyaml prints its parse errors to the C stderr before raising; the libyaml path reports them properly."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


#: Aliases, anchors and tags at the start of a value, and plain scalars rapidyaml's JSON types differently from YAML.
_NEEDS_LIBYAML = re.compile(
    r"""(?m)(?:^\s*-\s+|:\s+|[\[{,]\s*)(?:[&*!][^\s,\[\]{}]"""
    r"""|(?:~|Null|NULL|True|TRUE|False|FALSE|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|[-+]?0[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\s*(?:$|[,\]}#]))"""
)


_BARE_INFINITY = re.compile(r"(?m)(^\s*-\s+|:\s+)([-+]?(?:inf|Inf|INF|nan|NaN|NAN))(\s*(?:#.*)?)$")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise ValueError("duplicate key")
    return mapping


class IndexedYamlLocator:
    """Positions from the indentation index; what it cannot follow, from libyaml (composed once, on demand)."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self._index: YamlIndex | None = None
        self._exact: YamlLocator | None = None

    def locate_many(self, pointers: Iterable[Pointer]) -> dict[Pointer, tuple[int, int]]:
        if self._index is None:
            self._index = YamlIndex(self.text)
        found = self._index.locate_many(pointers)
        missing = [p for p, at in found.items() if at is None]
        if missing:
            if self._exact is None:
                _, self._exact = _parse_yaml(self.text, self.name)
            found.update(self._exact.locate_many(missing))
        return {p: at for p, at in found.items() if at is not None}


def _parse_json(text: str, name: str) -> Any:
    """The JSON tree; a duplicate key (which the JSON decoder would let overwrite its twin) is refused, as YAML refuses it."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError(Location(name, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(Location(name), "document nests too deep") from None
    except ValueError:
        # a duplicate key, or an integer past Python's 4,300-digit conversion limit: JSON is YAML, and
        # the YAML reader refuses either at its line and column
        tree, _ = _parse_yaml(text, name)
        return tree


class JsonLocator:
    """Positions in a JSON text, found on demand for a batch of pointers in one pass."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._newlines: list[int] | None = None
        self._scan: Any = json.scanner.make_scanner(json.decoder.JSONDecoder())  # type: ignore[arg-type]  # the stub types the context loosely

    def locate_many(self, pointers: Iterable[Pointer]) -> dict[Pointer, tuple[int, int]]:
        trie: dict[Any, Any] = {}
        wanted = list(pointers)
        for pointer in wanted:
            level = trie
            for part in pointer:
                level = level.setdefault(str(part), {})
        offsets: dict[Pointer, int] = {}
        self._visit(_skip_ws(self.text, 0), (), trie, offsets)
        found: dict[Pointer, tuple[int, int]] = {}
        for pointer in wanted:
            probe = tuple(str(part) for part in pointer)  # the pass records list indexes as text, like keys
            while probe not in offsets and probe:
                probe = probe[:-1]
            found[pointer] = self._line_col(offsets.get(probe, 0))
        return found

    def _visit(self, pos: int, pointer: Pointer, trie: dict[Any, Any], offsets: dict[Pointer, int]) -> int:
        """Record ``pos`` for ``pointer``; descend into wanted children; return the end of the value."""
        text = self.text
        offsets[tuple(str(p) for p in pointer)] = pos
        opener = text[pos : pos + 1]
        if not trie or opener not in {"{", "["}:
            return self._skip(pos)
        if opener == "{":
            pos = _skip_ws(text, pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                key_start = pos
                key, pos = _scanstring(text, pos + 1)
                pos = _skip_ws(text, _skip_ws(text, pos) + 1)
                if key in trie:
                    end = self._visit(pos, (*pointer, key), trie[key], offsets)
                    # Point at the key, which is where an editor should put the cursor.
                    offsets[(*(str(p) for p in pointer), key)] = key_start
                else:
                    end = self._skip(pos)
                pos = _skip_ws(text, end)
                if text[pos] == "}":
                    return pos + 1
                pos = _skip_ws(text, pos + 1)
        index = 0
        pos = _skip_ws(text, pos + 1)
        if text[pos] == "]":
            return pos + 1
        while True:
            key = str(index)
            end = self._visit(pos, (*pointer, key), trie[key], offsets) if key in trie else self._skip(pos)
            pos = _skip_ws(text, end)
            if text[pos] == "]":
                return pos + 1
            pos = _skip_ws(text, pos + 1)
            index += 1

    def _skip(self, pos: int) -> int:
        _, end = self._scan(self.text, pos)
        return int(end)

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            newlines, at = [], self.text.find("\n")
            while at != -1:
                newlines.append(at)
                at = self.text.find("\n", at + 1)
            self._newlines = newlines
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1


def _skip_ws(text: str, pos: int) -> int:
    while text[pos : pos + 1] in {" ", "\n", "\r", "\t"} and pos < len(text):
        pos += 1
    return pos


class YamlLocator:
    """Positions recorded while walking a YAML document, by container identity."""

    def __init__(self, tree: Any, marks: dict[int, Any], root_mark: tuple[int, int]) -> None:
        self.tree = tree
        self.marks = marks
        self.root_mark = root_mark

    def locate_many(self, pointers: Iterable[Pointer]) -> dict[Pointer, tuple[int, int]]:
        return {tuple(p): self._locate(p) for p in pointers}

    def _locate(self, pointer: Pointer) -> tuple[int, int]:
        value, found = self.tree, self.root_mark
        for part in pointer:
            marks = self.marks.get(id(value))
            if isinstance(value, dict) and str(part) in value and marks is not None:
                found, value = marks[str(part)], value[str(part)]
            elif isinstance(value, list) and str(part).isdigit() and int(part) < len(value) and marks is not None:
                found, value = marks[int(part)], value[int(part)]
            else:
                break
        return found


def _parse_yaml(text: str, name: str) -> tuple[Any, YamlLocator]:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise InputError(Location(name, line, col), f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError(Location(name), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(Location(name), "document nests too deep") from None
    if root is None:
        raise InputError(Location(name), "the file is empty")
    walker = _YamlWalker(name)
    tree = walker.walk(root, 0)
    return tree, YamlLocator(tree, walker.marks, (root.start_mark.line + 1, root.start_mark.column + 1))


class _YamlWalker:
    """Builds plain data from libyaml nodes, sharing aliased subtrees and counting their expansion."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.marks: dict[int, Any] = {}
        self.built: dict[int, tuple[Any, int]] = {}
        self.open: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def _error(self, node: yaml.Node, message: str) -> InputError:
        return InputError(Location(self.name, node.start_mark.line + 1, node.start_mark.column + 1), message)

    def walk(self, node: yaml.Node, depth: int) -> Any:
        value, _ = self._walk(node, depth)
        return value

    def _walk(self, node: yaml.Node, depth: int) -> tuple[Any, int]:
        """The value of ``node`` and how many values it holds once aliases are expanded."""
        if type(node) is yaml.ScalarNode:
            if node.tag == _STR:
                return node.value, 1
            return self._scalar(node), 1
        key = id(node)
        if key in self.built:
            return self.built[key]
        if key in self.open:
            raise self._error(node, "a YAML alias refers to the node that contains it (a cycle)")
        if depth > MAX_DEPTH:
            raise self._error(node, f"document nests deeper than {MAX_DEPTH} levels")
        if node.tag not in _PLAIN_TAGS:
            raise self._error(node, f"unsupported YAML tag {node.tag!r}")
        self.open.add(key)
        size = 1
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Any] = {}
            marks: dict[str, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self._error(key_node, "a key must be a plain scalar")
                name = key_node.value
                if name in mapping:
                    raise self._error(key_node, f"duplicate key '{name}'")
                mapping[name], count = self._walk(value_node, depth + 1)
                marks[name] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                size += count
            value: Any = mapping
            self.marks[id(mapping)] = marks
        else:
            items = []
            for item in node.value:
                built, count = self._walk(item, depth + 1)
                items.append(built)
                size += count
            value = items
            self.marks[id(items)] = [(item.start_mark.line + 1, item.start_mark.column + 1) for item in node.value]
        if size > MAX_EXPANDED_NODES:
            raise self._error(node, f"document expands to more than {MAX_EXPANDED_NODES:,} values (YAML aliases?)")
        self.open.discard(key)
        self.built[key] = (value, size)
        return value, size

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _PLAIN_TAGS:
            raise self._error(node, f"unsupported YAML tag {node.tag!r}")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self._error(node, f"cannot read value: {exc}") from None
        except ValueError:  # an integer past Python's 4,300-digit conversion limit
            raise self._error(node, f"cannot read value: a number of {len(node.value):,} characters is too long to read") from None
        if hasattr(value, "isoformat"):
            return node.value  # YAML 1.2, which OpenAPI 3.1 prescribes, has no timestamps: keep the text as written
        if isinstance(value, bytes):
            return node.value
        return value
