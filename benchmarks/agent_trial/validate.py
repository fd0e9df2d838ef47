"""Run every artefact of a trial answer through its real consumer and print one JSON report.

    .venv/bin/python benchmarks/agent_trial/validate.py ANSWER_DIR [ANSWER_DIR ...]

Consumers: the engine's own loader for a backend-architect spec, openapi-spec-validator for OpenAPI documents, AsyncAPI 3.0's JSON Schema (npm
@asyncapi/specs, installed by scripts/test.sh) for AsyncAPI documents, a throwaway PostgreSQL
(tests/pg_server.py) for PostgreSQL DDL (a `migrations/` folder applied in order into one
database, every other file into a database of its own), SQLite for `*.sqlite.sql`, Mermaid's
own parser (tests/js/parse_mermaid.mjs) for `*.mmd` files and the mermaid blocks of Markdown
files, and the JSON parser for `*.json`. Exit 1 when any artefact fails.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from openapi_spec_validator import validate as validate_openapi

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from pg_server import PgServer, start_server  # noqa: E402

ASYNCAPI = REPO / "tests" / "js" / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0-without-$id.json"
MERMAID = REPO / "tests" / "js" / "parse_mermaid.mjs"
FENCE = re.compile(r"^```mermaid[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _yaml_document(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        return None


def check_contract(path: Path) -> dict[str, Any] | None:
    """An OpenAPI or AsyncAPI document (by its top-level key); None for other YAML/JSON."""
    if path.suffix in (".yaml", ".yml") and is_spec(path):
        return check_spec(path)
    try:
        document = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        return {"path": str(path), "kind": "yaml/json", "ok": False, "error": str(error)[:300]}
    if not isinstance(document, dict):
        return None
    if "openapi" in document:
        try:
            validate_openapi(document)
            return {"path": str(path), "kind": "openapi", "ok": True}
        except Exception as error:  # noqa: BLE001 - the validator raises several types; any of them is a failing document
            return {"path": str(path), "kind": "openapi", "ok": False, "error": str(error)[:300]}
    if "asyncapi" in document and str(document["asyncapi"]).startswith("3."):
        validator = jsonschema.Draft7Validator(json.loads(ASYNCAPI.read_text()))
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]
        return {"path": str(path), "kind": "asyncapi", "ok": not errors, **({"error": errors[0][:300]} if errors else {})}
    if path.suffix == ".json":
        return {"path": str(path), "kind": "json", "ok": True}
    return None


def is_spec(path: Path) -> bool:
    """A backend-architect spec (top-level ``entities:`` and ``use_cases:``): its consumer is the engine's own loader, whose
    type expressions (``ref(User)?``) plain YAML does not read inside flow mappings."""
    text = path.read_text()
    return re.search(r"^entities:", text, re.MULTILINE) is not None and re.search(r"^use_cases:", text, re.MULTILINE) is not None


def check_spec(path: Path) -> dict[str, Any]:
    from backend_architect.errors import InputError
    from backend_architect.spec.load import load_spec_bytes

    try:
        load_spec_bytes(path.read_bytes(), str(path))
        return {"path": str(path), "kind": "spec", "ok": True}
    except InputError as error:
        return {"path": str(path), "kind": "spec", "ok": False, "error": str(error)[:300]}


def check_sqlite(path: Path) -> dict[str, Any]:
    try:
        sqlite3.connect(":memory:").executescript(path.read_text())
        return {"path": str(path), "kind": "sqlite", "ok": True}
    except sqlite3.Error as error:
        return {"path": str(path), "kind": "sqlite", "ok": False, "error": str(error)[:300]}


def check_postgresql(server: PgServer, files: list[Path], number: int) -> dict[str, Any]:
    """Apply the files in order into one fresh database."""
    database = f"trial_{number}"
    server.psql(f"CREATE DATABASE {database}")
    for path in files:
        try:
            server.psql(path.read_text(), dbname=database)
        except subprocess.CalledProcessError as error:
            return {"path": str(path), "kind": "postgresql", "ok": False, "error": error.stderr.strip()[:300]}
    return {"path": str(files[-1].parent if len(files) > 1 else files[0]), "kind": "postgresql", "ok": True}


def check_mermaid(diagrams: list[tuple[str, str]]) -> list[dict[str, Any]]:
    if not diagrams:
        return []
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for number, (name, text) in enumerate(diagrams):
            file = Path(folder) / f"{number}.mmd"
            file.write_text(text)
            paths[str(file)] = name
        done = subprocess.run(["node", str(MERMAID), *paths], capture_output=True, text=True, timeout=600, cwd=MERMAID.parent)
    results = []
    for line in done.stdout.splitlines():
        row = json.loads(line)
        results.append({"path": paths[row["file"]], "kind": "mermaid", "ok": row["ok"], **({"error": row["error"][:300]} if not row["ok"] else {})})
    return results


def validate(root: Path, server: PgServer, counter: list[int]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    diagrams: list[tuple[str, str]] = []
    migrations: dict[Path, list[Path]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix in (".yaml", ".yml", ".json"):
            result = check_contract(path)
            if result:
                results.append(result)
        elif path.suffix == ".mmd":
            diagrams.append((str(path), path.read_text()))
        elif path.suffix == ".md":
            diagrams += [(f"{path}#mermaid-{n + 1}", block) for n, block in enumerate(FENCE.findall(path.read_text()))]
        elif path.name.endswith(".sqlite.sql"):
            results.append(check_sqlite(path))
        elif path.suffix == ".sql" and "down" not in path.stem.split("."):
            if path.parent.name == "migrations":
                migrations.setdefault(path.parent, []).append(path)
            else:
                counter[0] += 1
                results.append(check_postgresql(server, [path], counter[0]))
    for files in migrations.values():
        counter[0] += 1
        results.append(check_postgresql(server, files, counter[0]))
    # a diagram an answer quotes from its own .mmd file (or twice) is one artefact
    unique = list({text.strip(): (name, text) for name, text in reversed(diagrams)}.values())
    return results + check_mermaid(sorted(unique))


def main(argv: list[str]) -> int:
    server = start_server()
    report: dict[str, Any] = {}
    try:
        counter = [0]
        for folder in argv:
            results = validate(Path(folder), server, counter)
            report[folder] = {"artefacts": len(results), "failing": sum(not r["ok"] for r in results), "results": results}
    finally:
        server.stop()
    print(json.dumps(report, indent=1))
    return 1 if any(r["failing"] for r in report.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
