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
from backend_architect.spec.delivery_reach import unreached_recipients
from backend_architect.spec.messages import describe, describe_alternatives, key_of
from backend_architect.spec.model import Spec
from backend_architect.spec.normalize import normalize
from backend_architect.spec.positions import Path, Positions
from backend_architect.spec.reactions import unreacting_notes
from backend_architect.spec.shape import unknown_keys

#: A 1,000-entity spec is about 400 KB; anything past this is not a hand-written spec.
MAX_SPEC_BYTES = 5 * 1024 * 1024
#: What one design handles in seconds (1,000 entities and 3,000 use cases: about 8 s of CPU for the whole job, linear
#: in size; BENCHMARKS.md). A larger system is several bounded contexts: a spec each.
MAX_ENTITIES = 1_000
MAX_USE_CASES = 5_000
#: Nodes visited with aliases expanded: stops "billion laughs" documents early.
MAX_NODES = 500_000
#: Nesting depth; the spec language needs six levels.
MAX_DEPTH = 40

#: Tags a spec may use; anything else (python/object, binary, custom) is refused.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "merge"))

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class SpecWarning:
    """Something the loader read in a way the author may not expect, with where it stands."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message}"


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec with the positions of its source, for later located messages."""

    spec: Spec
    positions: Positions
    warnings: tuple[SpecWarning, ...] = ()


def load_spec(path: str | FsPath) -> LoadedSpec:
    """Load and validate the spec at ``path``; raise ``InputError`` for any problem in it."""
    return load_spec_bytes(read_spec_bytes(path), str(path))


def read_spec_bytes(path: str | FsPath) -> bytes:
    """The bytes of the spec file at ``path``, refused (located) when it is not a readable file within the size limit."""
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
        return file.read_bytes()
    except OSError as exc:
        raise InputError(Location(name), f"cannot read: {exc.strerror or exc}") from None


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
    _check_size(data, positions)
    return validate_document(data, positions)


def _check_size(data: dict[str, Any], positions: Positions) -> None:
    """Refuse, at the key, a spec with more entities or use cases than one design handles in seconds."""
    for key, limit in (("entities", MAX_ENTITIES), ("use_cases", MAX_USE_CASES)):
        value = data.get(key)
        if isinstance(value, dict | list) and len(value) > limit:
            raise InputError(
                positions.locate((key,), key=True),
                f"{len(value):,} {key.replace('_', ' ')}; one spec may have at most {limit:,} (split the system into bounded contexts, a spec each)",
            )


def validate_document(data: dict[str, Any], positions: Positions) -> LoadedSpec:
    """Normalise, validate and check a parsed spec; every problem in it is reported in one error.

    Problems are collected in three passes that each continue past the first problem: the
    natural spellings rewritten into the canonical form, every unknown key, the values
    (each bad value is set aside so the rest can still be checked), and then the references
    between entities, fields and use cases over what was valid.
    """
    context = normalize(data, positions)
    problems = [*context.problems, *unknown_keys(data, Spec, positions)]
    errors = [InputError(positions.locate(p.path, key=p.at_key), p.message) for p in problems]
    spec, invalid = _validate_values(data, positions)
    errors += invalid
    if spec is not None:
        errors += [InputError(positions.locate(p.path, key=p.at_key), p.message) for p in check_references(spec)]
    if errors:
        raise InputErrors(errors)
    assert spec is not None
    # a delivery no reference chain reaches is valid input, but its promise has no path: the author is told where
    # so is a write of the server's that follows nothing: it is designed as a request, and the author is told of after:
    notes = [*context.notes, *unreached_recipients(spec), *unreacting_notes(spec)]
    warnings = tuple(SpecWarning(positions.locate(n.path, key=n.at_key), n.message) for n in notes)
    return LoadedSpec(spec, positions, tuple(sorted(set(warnings), key=lambda w: (w.location, w.message))))


#: Rounds of setting bad values aside; each round removes at least one, so a spec with
#: more bad values than this still gets them all reported, only without reference checks.
_MAX_ROUNDS = 8


def _validate_values(data: dict[str, Any], positions: Positions) -> tuple[Spec | None, list[InputError]]:
    """The validated spec (None when the document cannot make one) and every value error found."""
    errors: list[InputError] = []
    seen: set[str] = set()
    for _ in range(_MAX_ROUNDS):
        try:
            return Spec.model_validate(data), errors
        except ValidationError as exc:
            found = exc.errors()
        for group in _by_location(found):
            located = _located(group, positions)
            if str(located) not in seen:
                seen.add(str(located))
                errors.append(located)
        # one place per error, once: several alternatives of a union fail at the same place
        locs = list(dict.fromkeys(tuple(part for part in error["loc"] if isinstance(part, str | int) and not _internal(part)) for error in found))
        unusable = {loc[1] for loc in locs if len(loc) >= 3 and loc[0] == "use_cases" and isinstance(loc[1], int) and _required(loc[:3])}
        progressed = False
        for loc in locs:
            if not (len(loc) >= 2 and loc[0] == "use_cases" and loc[1] in unusable):
                progressed |= _set_aside(data, loc)
        cases = data.get("use_cases")
        for index in sorted(unusable, reverse=True):  # later ones first: removing one never shifts another
            if isinstance(cases, list) and isinstance(index, int) and index < len(cases):
                _drop_use_case(cases, index, positions)
                progressed = True
        if not progressed:
            break
    return None, errors


def _drop_use_case(cases: list[Any], index: int, positions: Positions) -> None:
    """Leave out a use case without a usable name; later ones keep pointing at their own lines."""
    for j in range(index, len(cases) - 1):
        positions.move(("use_cases", j), ("use_cases", j + 1))
    del cases[index]


def _set_aside(data: dict[str, Any], loc: tuple[str | int, ...]) -> bool:
    """Remove the value an error is about so the rest validates; a broken field becomes a placeholder.

    Returns False when nothing could be removed (a required key is missing at the top).
    """
    if len(loc) >= 4 and loc[0] == "entities" and loc[2] == "fields":
        fields = data.get("entities", {}).get(loc[1], {}).get("fields")
        if isinstance(fields, dict) and loc[3] in fields:
            # keep the name so references to the field resolve; its real error is already reported
            if fields[loc[3]] == "string":
                del fields[loc[3]]
            else:
                fields[loc[3]] = "string"
            return True
    for cut in range(len(loc), 0, -1):
        parent: Any = data
        for part in loc[: cut - 1]:
            parent = (
                parent.get(part)
                if isinstance(parent, dict)
                else parent[part]
                if isinstance(parent, list) and isinstance(part, int) and part < len(parent)
                else None
            )
            if parent is None:
                break
        last = loc[cut - 1]
        if isinstance(parent, dict) and last in parent and not _required(loc[:cut]):
            del parent[last]
            return True
    return False


_REQUIRED = {("system",), ("entities",), ("team", "size")}


def _required(loc: tuple[str | int, ...]) -> bool:
    """Keys whose absence makes a part of the spec unusable: there is nothing to set aside."""
    if loc in _REQUIRED:
        return True
    return len(loc) == 3 and loc[0] == "use_cases" and loc[2] == "name"


def parse_document(text: str, name: str) -> tuple[Any, Positions]:
    """Parse one YAML/JSON document into plain data and the positions of its parts.

    Inside a ``{...}`` flow mapping a comma ends a value, so ``{price: decimal(10,2)}`` is two
    keys to YAML and ``{status: enum[new,paid]}`` is not YAML at all. Such compact types are
    quoted before parsing (a type is the only thing the language writes as ``word(...)`` or
    ``word[...]``); positions are mapped back to the text as written.
    """
    quoted, shifts = quote_flow_types(text)
    try:
        root = yaml.compose(quoted, Loader=_Loader)
    except yaml.MarkedYAMLError:
        shifts = {}
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
    except yaml.YAMLError as exc:
        raise InputError(Location(name), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(Location(name), f"document nests deeper than {MAX_DEPTH} levels") from None
    positions = Positions(name)
    if root is None:
        raise InputError(Location(name), "the file is empty")
    walker = _Walker(name, positions, shifts)
    return walker.walk(root, (), 0), positions


#: A compact type holding a comma or brackets: ``enum[a,b]``, ``decimal(12,2)``, ``ref(Tag)[]``, ``String[]``.
_FLOW_TYPE = re.compile(r"(?<=[\s{,:])([A-Za-z_]\w*(?:\[[^\]\n\"'{}]*\]|\([^)\n\"'{}]*\))?(?:\s*\[\s*\])?\??)")


def quote_flow_types(text: str) -> tuple[str, dict[int, list[int]]]:
    """Quote comma-holding types on lines with a flow mapping; the columns (0-based, in the new text) of each inserted quote by line."""
    shifts: dict[int, list[int]] = {}
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if "{" not in line or not _FLOW_TYPE.search(line):
            continue
        inserted: list[int] = []
        pieces: list[str] = []
        last = 0
        for match in _FLOW_TYPE.finditer(line):
            if not any(c in match.group(1) for c in ",[") or match.group(1).endswith(":"):
                continue
            pieces.append(line[last : match.start()])
            offset = len(inserted)
            inserted += [match.start() + offset, match.end() + offset + 1]
            pieces.append('"' + match.group(1) + '"')
            last = match.end()
        pieces.append(line[last:])
        lines[number] = "".join(pieces)
        shifts[number] = inserted
    return "\n".join(lines), shifts


def _flow_hint(text: str, line: int) -> str:
    """Inside ``{...}`` a comma ends a value, which splits ``enum[a,b]`` and ``decimal(12,2)``: say so."""
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "{" in source and re.search(r"[\[(][^\])]*,", source):
        return '; inside {...} quote values that contain commas, as in {type: "enum[a,b]"}'
    return ""


class _Walker:
    def __init__(self, name: str, positions: Positions, shifts: dict[int, list[int]] | None = None) -> None:
        self.name = name
        self.positions = positions
        self.visited = 0
        self.scalars = yaml.SafeLoader("")
        self.shifts = shifts or {}

    def _at(self, mark: Any) -> tuple[int, int]:
        """Line and column (from 1) of a mark in the text as written, before any quoting."""
        inserted = self.shifts.get(mark.line, ())
        return mark.line + 1, mark.column + 1 - sum(1 for col in inserted if col < mark.column)

    def _error(self, node: yaml.Node, message: str) -> InputError:
        return InputError(Location(self.name, *self._at(node.start_mark)), message)

    def walk(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise self._error(node, f"document expands to more than {MAX_NODES:,} values (YAML aliases?)")
        if depth > MAX_DEPTH:
            raise self._error(node, f"document nests deeper than {MAX_DEPTH} levels")
        self.positions.values.setdefault(path, self._at(node.start_mark))
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
            # a key is the text as written: 'null', 'on' or '1.10' are names here, not values
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise self._error(key_node, "a key must be a plain string")
            if key in result:
                raise self._error(key_node, f"duplicate key '{key}'")
            self.positions.keys[(*path, key)] = self._at(key_node.start_mark)
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


def _by_location(errors: list[Any]) -> list[list[Any]]:
    """pydantic reports a value that fits none of a union once per alternative: one group per place."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for error in errors:
        where = tuple(part for part in error["loc"] if not (isinstance(part, str) and _internal(part) and part != "[key]"))
        groups.setdefault(where, []).append(error)
    return list(groups.values())


def _located(group: list[Any], positions: Positions) -> InputError:
    error = group[0]
    at_key = "[key]" in error["loc"]  # pydantic marks errors in a mapping's keys; point at the key, not its value
    loc = tuple(part for part in error["loc"] if isinstance(part, str | int) and not _internal(part))
    if error["type"] == "unknown_key":
        loc = (*loc, error["ctx"]["key"])
        return InputError(positions.locate(loc, key=True), error["msg"])
    if error["type"] in {"missing", "extra_forbidden"}:
        key = key_of(loc)
        where = loc[:-1] if error["type"] == "missing" else loc
        message = describe(error, loc, key) if error["type"] == "missing" else f"unknown key '{key}'"
        return InputError(positions.locate(where, key=error["type"] == "extra_forbidden"), message)
    if at_key:
        return InputError(positions.locate(loc, key=True), _name_message(loc, error))
    return InputError(positions.locate(loc), describe_alternatives(group, loc, key_of(loc)))


def _name_message(loc: tuple[str | int, ...], error: Any) -> str:
    """A mapping key that is not a valid name: say what kind of name it is."""
    name = error.get("input")
    container = key_of(loc[:-1]) if loc else "spec"
    kinds = {
        "entities": ("an entity name", "Book or OrderLine"),
        "fields": ("a field name", "title or published_at (snake_case)"),
        "external": ("an external system's name", "stripe"),
        "services": ("a service name", "catalog or order-service (kebab-case)"),
        "many_to_many": ("a relation name", "tags (snake_case)"),
    }
    what, example = kinds.get(container, ("a name", "a_name"))
    return f"{name!r} is not {what}: use letters, digits and '_' starting with a letter, e.g. {example}"


#: Names pydantic puts in an error's path for the alternative of a union it tried, not keys of the spec.
_UNION_TAGS = frozenset({"str", "int", "float", "bool", "none", "list", "dict"})


def _internal(part: str | int) -> bool:
    return isinstance(part, str) and (part.startswith(("function-", "json-or-python")) or part == "[key]" or part in _UNION_TAGS or "[" in part)
