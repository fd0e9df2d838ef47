"""Start-up hygiene: each command loads only what it runs (the times are measured in benchmarks/startup.py, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import io, json, sys, contextlib
sys.argv = ["backend-architect", *json.loads(sys.argv[1])]
from backend_architect.launch import run
with contextlib.redirect_stdout(io.StringIO()):
    try:
        run()
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded(*args: str) -> set[str]:
    """The modules a command leaves loaded, run the way the console script runs it."""
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args))], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_version_loads_nothing_else_ok() -> None:
    """--version answers without the command line, pydantic or any rule."""
    modules = loaded("--version")
    assert not {"typer", "pydantic", "backend_architect.cli", "backend_architect.rules.registry"} & modules


@pytest.mark.parametrize(
    ("name", "text", "absent"),
    [
        pytest.param("schema.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n", {"sqlglot", "jsonschema", "networkx", "sqlalchemy"}, id="postgresql-file"),
        pytest.param(
            "api.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
            {"sqlglot", "pglast", "jsonschema", "networkx", "sqlalchemy", "backend_architect.rules.config"},
            id="openapi-without-examples",
        ),
    ],
)
def test_review_loads_only_its_importer_ok(tmp_path: Path, name: str, text: str, absent: set[str]) -> None:
    """A review without a config file loads neither the other kinds' parsers nor what its document does not need."""
    target = tmp_path / name
    target.write_text(text)
    assert not absent & loaded("review", str(target))
