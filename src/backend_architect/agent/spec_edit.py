"""A spec with entries merged into its ``decisions:`` section, the rest of the text untouched.

Only the lines of the top-level ``decisions:`` block are rewritten (or a block is appended), so the
author's comments, layout and spelling elsewhere stay as they were. The entries are written as
given; the spec loader then checks them like any other part of the spec, so a bad entry comes back
as a located error, not a traceback. A JSON spec is rewritten as JSON.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from backend_architect.errors import InputError, Location


class ArgumentError(ValueError):
    """A call's argument that names nothing or is malformed (an unknown design id or decision id, an override that is no entry),
    as ``argument: message``."""


#: Words an entry may hold; anything else is refused here, before the loader would report it at a line the caller never wrote.
ENTRY_KEYS = ("choose", "forbid", "force", "reason")
_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def with_decisions(text: str, overrides: dict[str, dict[str, Any]], clear: list[str] | None = None, file: str = "spec.yaml") -> str:
    """``text`` with each override written under ``decisions:`` (replacing an entry of the same id) and the ``clear`` ids removed.

    >>> print(with_decisions("system: s  # mine\\nentities: {A: {}}\\n", {"messaging": {"choose": "Kafka", "reason": "ops"}}), end="")
    system: s  # mine
    entities: {A: {}}
    decisions:
      messaging: {choose: Kafka, reason: ops}
    """
    entries = {key: _entry(key, entry) for key, entry in overrides.items()}
    if text.lstrip().startswith("{"):
        return _json(text, entries, clear or [], file)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(file, mark.line + 1, mark.column + 1) if mark is not None else Location(file)
        raise InputError(where, f"not YAML: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise InputError(Location(file), "a spec is a mapping (system:, entities:, ...)")
    lines = text.splitlines(keepends=True)
    starts = [key.start_mark.line for key, _ in root.value]
    span = next(((k.start_mark.line, _next_start(starts, k.start_mark.line, len(lines))) for k, _ in root.value if k.value == "decisions"), None)
    current: dict[str, Any] = {}
    if span is not None:
        loaded = yaml.load("".join(lines[span[0] : span[1]]), Loader=_Loader) or {}
        current = dict(loaded.get("decisions") or {}) if isinstance(loaded, dict) else {}
    for key in clear or []:
        current.pop(key, None)
    current.update(entries)
    block = yaml.safe_dump({"decisions": current}, sort_keys=False, default_flow_style=None, width=4096, allow_unicode=True) if current else ""
    if span is None:
        body = "".join(lines)
        return body + ("" if not body or body.endswith("\n") else "\n") + block
    return "".join(lines[: span[0]]) + block + "".join(lines[span[1] :])


def _next_start(starts: list[int], line: int, end: int) -> int:
    return min((s for s in starts if s > line), default=end)


def _entry(key: str, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict) or not entry:
        raise ArgumentError(f"overrides: '{key}': an entry is a mapping such as {{choose: Apache Kafka, reason: ...}}")
    unknown = [str(k) for k in entry if k not in ENTRY_KEYS]
    if unknown:
        raise ArgumentError(f"overrides: '{key}': unknown word(s) {', '.join(unknown)}; an entry says {', '.join(ENTRY_KEYS)}")
    return {k: entry[k] for k in ENTRY_KEYS if k in entry}


def _json(text: str, entries: dict[str, dict[str, Any]], clear: list[str], file: str) -> str:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Location(file, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise InputError(Location(file), "a spec is an object (system, entities, ...)")
    current = {k: v for k, v in dict(data.get("decisions") or {}).items() if k not in clear}
    current.update(entries)
    data["decisions"] = current
    if not current:
        del data["decisions"]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
