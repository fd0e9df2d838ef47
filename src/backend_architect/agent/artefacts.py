"""The artefacts of a design an agent hands off, selected by kind or path, each checked by a real consumer here.

OpenAPI documents go to openapi-spec-validator (when installed: ``pip install
'backend-architect[mcp]'``), PostgreSQL DDL to PostgreSQL's own parser (pglast), SQLite DDL to
SQLite (applied to an in-memory database), ``handoff.json`` to its JSON Schema. Mermaid and
AsyncAPI are checked by the test suite's consumers (Node), not here: their verdict says so.
"""

from __future__ import annotations

import fnmatch
import json
import sqlite3
from typing import Any

#: Kinds an agent may ask for, and the paths each selects.
KINDS: dict[str, tuple[str, ...]] = {
    "openapi": ("openapi/*.yaml",),
    "asyncapi": ("asyncapi/*.yaml",),
    "ddl": ("schema/*.postgresql.sql", "schema/*.sqlite.sql", "schema/*.cql"),
    "migrations": ("schema/*/migrations/*.sql", "schema/*/contract/*.sql"),
    "diagrams": ("diagrams/*",),
    "adr": ("adr/*.md",),
    "design.md": ("design.md",),
    "handoff.json": ("handoff.json",),
}
DEFAULT_KINDS = ("openapi", "ddl", "diagrams", "design.md", "handoff.json")
#: Bytes of file text one answer carries by default, and at most when asked for more; what does not fit is listed, not sent.
MAX_BYTES = 400_000
LIMIT_BYTES = 2_000_000


def select(files: dict[str, str], wanted: list[str] | None) -> list[str]:
    """Paths of ``files`` the kinds, paths or globs in ``wanted`` name (the default kinds when none), in a stable order.

    >>> select({"design.md": "", "openapi/a.yaml": "", "adr/0001-x.md": ""}, ["openapi", "adr/*"])
    ['adr/0001-x.md', 'openapi/a.yaml']
    """
    patterns = [p for w in (wanted or list(DEFAULT_KINDS)) for p in KINDS.get(w, (w,))]
    return sorted(path for path in files if any(fnmatch.fnmatchcase(path, p) for p in patterns))


def unknown(files: dict[str, str], wanted: list[str]) -> list[str]:
    """Names in ``wanted`` that are no kind and match no file."""
    return [w for w in wanted if w not in KINDS and not any(fnmatch.fnmatchcase(path, w) for path in files)]


def verdict(path: str, text: str) -> str:
    """``ok (by what)`` or ``invalid: `` and the consumer's first complaint, for one artefact."""
    if path.startswith("openapi/"):
        return _openapi(text)
    if path.endswith(".postgresql.sql") or (path.startswith("schema/") and "/migrations/" in path):
        return _postgres(text)
    if path.endswith(".sqlite.sql"):
        return _sqlite(text)
    if path == "handoff.json":
        return _handoff(text)
    return "not checked here"


def _invalid(error: Exception) -> str:
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"invalid: {first[:300]}"


def _openapi(text: str) -> str:
    import yaml
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(yaml.safe_load(text))
    except (OpenAPIValidationError, yaml.YAMLError) as exc:
        return _invalid(exc)
    return "ok (openapi-spec-validator)"


def _postgres(text: str) -> str:
    import pglast

    sql = "\n".join(line for line in text.splitlines() if not line.startswith("-- migrate:"))
    try:
        pglast.parse_sql(sql)
    except pglast.parser.ParseError as exc:
        return _invalid(exc)
    return "ok (PostgreSQL's parser, pglast)"


def _sqlite(text: str) -> str:
    try:
        with sqlite3.connect(":memory:") as database:
            database.executescript(text)
    except sqlite3.Error as exc:
        return _invalid(exc)
    return "ok (applied to SQLite)"


def _handoff(text: str) -> str:
    import jsonschema

    from backend_architect.render.handoff_model import handoff_json_schema_text

    try:
        jsonschema.validate(json.loads(text), json.loads(handoff_json_schema_text()))
    except (jsonschema.ValidationError, json.JSONDecodeError) as exc:
        return _invalid(exc)
    return "ok (its JSON Schema)"


def artefacts(files: dict[str, str], wanted: list[str] | None, max_bytes: int = MAX_BYTES, check: bool = True) -> dict[str, Any]:
    """The selected files' text (within ``max_bytes``), every selected file's consumer verdict, and what did not fit."""
    chosen = select(files, wanted)
    max_bytes = max(0, min(max_bytes, LIMIT_BYTES))
    sent: dict[str, str] = {}
    left: list[str] = []
    used = 0
    for path in chosen:
        size = len(files[path].encode())
        if used + size > max_bytes:
            left.append(path)
            continue
        sent[path] = files[path]
        used += size
    checked = {path: verdict(path, files[path]) for path in chosen} if check else {}
    # one verdict for the hand-off, the same for the MCP tool and the CLI
    all_valid = not any(v.startswith("invalid") for v in checked.values())
    return {"files": sent, "not_sent": left, "checked": checked, "all_valid": all_valid, "bytes": used, "unknown": unknown(files, wanted or [])}
