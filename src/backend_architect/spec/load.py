"""Read a spec file (YAML or JSON) into a validated ``Spec``, with every error located.

The file is parsed by libyaml into nodes, which we walk ourselves: that keeps the line
and column of every key and value, catches duplicate keys (which YAML loaders silently
overwrite), and bounds what a hostile file can cost (size, depth, alias expansion).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from backend_architect.errors import InputError, InputErrors, Location
from backend_architect.spec.check import check_references
from backend_architect.spec.model import Spec
from backend_architect.spec.positions import Path, Positions

#: A 1,000-entity spec is about 400 KB; anything past this is not a hand-written spec.
MAX_SPEC_BYTES = 5 * 1024 * 1024
#: Nodes visited with aliases expanded: stops "billion laughs" documents early.
MAX_NODES = 500_000
#: Nesting depth; the spec language needs six levels.
MAX_DEPTH = 40

#: Tags a spec may use; anything else (python/object, binary, custom) is refused.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "merge"))

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec with the positions of its source, for later located messages."""

    spec: Spec
    positions: Positions


def load_spec(path: str | FsPath) -> LoadedSpec:
    """Load and validate the spec at ``path``; raise ``InputError`` for any problem in it."""
    name = str(path)
    file = FsPath(path)
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise InputError(Location(name), "not a file")
    except OSError as exc:
        raise InputError(Location(name), f"cannot read: {exc.strerror or exc}") from None
    if size > MAX_SPEC_BYTES:
        raise InputError(Location(name), f"file is {size / 2**20:.1f} MiB; a spec may be at most {MAX_SPEC_BYTES // 2**20} MiB")
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(Location(name), f"cannot read: {exc.strerror or exc}") from None
    return load_spec_bytes(raw, name)


def load_spec_bytes(raw: bytes, name: str = "<spec>") -> LoadedSpec:
    """Load and validate a spec from its bytes; ``name`` is used in messages."""
    if len(raw) > MAX_SPEC_BYTES:
        raise InputError(Location(name), f"spec is {len(raw) / 2**20:.1f} MiB; the limit is {MAX_SPEC_BYTES // 2**20} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Location(name), f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputError(Location(name), "not a text file (contains NUL bytes)")
    data, positions = parse_document(text, name)
    if not isinstance(data, dict):
        raise InputError(Location(name), "a spec is a mapping with at least 'system' and 'entities'")
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        raise InputErrors([_located(error, positions) for error in exc.errors()]) from None
    problems = check_references(spec)
    if problems:
        raise InputErrors([InputError(positions.locate(p.path, key=p.at_key), p.message) for p in problems])
    return LoadedSpec(spec, positions)


def parse_document(text: str, name: str) -> tuple[Any, Positions]:
    """Parse one YAML/JSON document into plain data and the positions of its parts."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise InputError(Location(name, line, col), f"invalid YAML: {exc.problem or exc.context}{_flow_hint(text, line)}") from None
    except yaml.YAMLError as exc:
        raise InputError(Location(name), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(Location(name), f"document nests deeper than {MAX_DEPTH} levels") from None
    positions = Positions(name)
    if root is None:
        raise InputError(Location(name), "the file is empty")
    walker = _Walker(name, positions)
    return walker.walk(root, (), 0), positions


def _flow_hint(text: str, line: int) -> str:
    """Inside ``{...}`` a comma ends a value, which splits ``enum[a,b]`` and ``decimal(12,2)``: say so."""
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "{" in source and re.search(r"[\[(][^\])]*,", source):
        return '; inside {...} quote values that contain commas, as in {type: "enum[a,b]"}'
    return ""


class _Walker:
    def __init__(self, name: str, positions: Positions) -> None:
        self.name = name
        self.positions = positions
        self.visited = 0
        self.scalars = yaml.SafeLoader("")

    def _error(self, node: yaml.Node, message: str) -> InputError:
        return InputError(Location(self.name, node.start_mark.line + 1, node.start_mark.column + 1), message)

    def walk(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise self._error(node, f"document expands to more than {MAX_NODES:,} values (YAML aliases?)")
        if depth > MAX_DEPTH:
            raise self._error(node, f"document nests deeper than {MAX_DEPTH} levels")
        self.positions.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _PLAIN_TAGS:
            raise self._error(node, f"cannot read value: unsupported YAML tag {node.tag!r}")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._merge(result, value_node, path, depth)
                continue
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int | float | bool) or key is None:
                raise self._error(key_node, "a key must be a plain string")
            key = str(key)
            if key in result:
                raise self._error(key_node, f"duplicate key '{key}'")
            self.positions.keys[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.walk(value_node, (*path, key), depth + 1)
        return result

    def _merge(self, result: dict[str, Any], node: yaml.Node, path: Path, depth: int) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            merged = self.walk(source, path, depth + 1)
            if not isinstance(merged, dict):
                raise self._error(source, "'<<' merges mappings only")
            for key, value in merged.items():
                result.setdefault(key, value)

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.scalars.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self._error(node, f"cannot read value: {exc}") from None
        except ValueError:  # an integer past Python's 4,300-digit conversion limit
            raise self._error(node, f"cannot read value: a number of {len(str(node.value)):,} characters is not a quantity") from None
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        if isinstance(value, bytes):
            raise self._error(node, "binary values are not allowed in a spec")
        return value


def _located(error: Any, positions: Positions) -> InputError:
    at_key = "[key]" in error["loc"]  # pydantic marks errors in a mapping's keys; point at the key, not its value
    loc = tuple(part for part in error["loc"] if isinstance(part, str | int) and not _internal(part))
    if error["type"] == "unknown_key":
        loc = (*loc, error["ctx"]["key"])
        return InputError(positions.locate(loc, key=True), error["msg"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = f"missing required key '{loc[-1]}'" if loc else message
        loc = loc[:-1]
    elif error["type"] == "literal_error":
        message = f"expected {error['ctx']['expected']}, got {error['input']!r}"
    elif error["type"] == "string_pattern_mismatch":
        message = f"{error['input']!r} is not a valid name here (it must match {error['ctx']['pattern']})"
    return InputError(positions.locate(loc, key=at_key), message)


def _internal(part: str | int) -> bool:
    return isinstance(part, str) and (part.startswith(("function-", "json-or-python")) or part == "[key]")
