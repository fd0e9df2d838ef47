"""CLI scenarios: command, exit status, stdout and stderr, as a user sees them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

BOOKSTORE = ROOT / "examples" / "bookstore.yaml"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend_architect.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_design_writes_every_artefact_ok(tmp_path: Path) -> None:
    """design writes design.md, handoff.json, OpenAPI, DDL and diagrams, and prints a summary."""
    result = run("design", str(BOOKSTORE), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for relative in [
        "design.md",
        "handoff.json",
        "openapi/books.yaml",
        "schema/books.postgresql.sql",
        "schema/books.sqlite.sql",
        "diagrams/architecture.mmd",
        "diagrams/er-books.mmd",
    ]:
        assert (tmp_path / relative).is_file(), relative
    assert result.stdout.startswith("bookstore: modular monolith, 3 modules")
    assert "GET    /v1/books " in result.stdout
    assert "Next phase:" in result.stdout
    assert "database-administration" in result.stdout


def test_design_format_json_prints_handoff_ok(tmp_path: Path) -> None:
    """--format json prints handoff.json, byte for byte."""
    result = run("design", str(BOOKSTORE), "-o", str(tmp_path), "--format", "json")
    assert result.returncode == 0
    assert result.stdout == (tmp_path / "handoff.json").read_text()
    handoff = json.loads(result.stdout)
    assert handoff["schema_version"] == "1.7"
    assert {step["role"] for step in handoff["next_phase"]} >= {"implementers", "security-review", "database-administration", "operations"}


def test_design_unknown_format_err(tmp_path: Path) -> None:
    """An unknown --format is a usage error: exit 2."""
    result = run("design", str(BOOKSTORE), "-o", str(tmp_path), "--format", "xml")
    assert result.returncode == 2
    assert "xml" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            "system: x\nentities:\n  A:\n    fields: {n: strnig}\n", ":4:17: 'n': unknown field type 'strnig' (did you mean 'string'?)", id="unknown-type"
        ),
        pytest.param("system: [", ":2:1: invalid YAML", id="malformed-yaml"),
        pytest.param("system: x\nentities:\n  A:\n    fields: {r: ref(B)}\n", ":4:17: unknown entity 'B'", id="dangling-reference"),
        pytest.param("system: x\nentitys: {}\n", ":2:1: unknown key 'entitys' (did you mean 'entities'?)", id="unknown-key"),
    ],
)
def test_design_bad_spec_err(tmp_path: Path, content: str, message: str) -> None:
    """A bad spec prints file:line:col: message on stderr, exits 2, writes nothing, shows no traceback."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(content)
    result = run("design", str(spec), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{spec}{message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_design_missing_file_err(tmp_path: Path) -> None:
    """A spec path that does not exist exits 2 with a located message."""
    result = run("design", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}:1:1: cannot read: No such file or directory\n"


def test_validate_ok() -> None:
    """validate reports a valid spec with its size."""
    result = run("validate", str(BOOKSTORE))
    assert result.returncode == 0
    assert result.stdout == f"{BOOKSTORE}: ok (6 entities, 13 use cases)\n"


def test_init_writes_a_spec_that_designs_ok(tmp_path: Path) -> None:
    """init writes a starter spec that validates and designs without error; it will not overwrite."""
    assert run("init", cwd=tmp_path).returncode == 0
    assert run("validate", "spec.yaml", cwd=tmp_path).returncode == 0
    designed = run("design", "spec.yaml", "-o", "out", cwd=tmp_path)
    assert designed.returncode == 0, designed.stderr
    again = run("init", cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_schema_prints_json_schema_ok() -> None:
    """schema prints a JSON Schema (2020-12) that accepts every bundled example."""
    import jsonschema
    import yaml

    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for spec in sorted((ROOT / "examples").glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(spec.read_text()), schema)


def test_no_arguments_shows_usage_err() -> None:
    """Without a command the usage is shown and the exit code is 2."""
    result = run()
    assert result.returncode == 2
    assert "design" in result.stdout + result.stderr


def test_version_ok() -> None:
    """--version prints the version."""
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("backend-architect ")


def test_committed_schema_matches_ok() -> None:
    """docs/spec.schema.json (referenced by the examples for editors) is what `schema` prints."""
    assert (ROOT / "docs" / "spec.schema.json").read_text() == run("schema").stdout


def test_handoff_schema_validates_every_handoff_ok() -> None:
    """schema --handoff is the committed docs/handoff.schema.json, and every example's handoff.json validates against it."""
    import jsonschema

    from conftest import EXAMPLE_IDS, designed

    result = run("schema", "--handoff")
    assert result.returncode == 0
    assert (ROOT / "docs" / "handoff.schema.json").read_text() == result.stdout
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for name in EXAMPLE_IDS:
        jsonschema.validate(json.loads(designed(name).files["handoff.json"]), schema)


def test_handoff_schema_rejects_a_broken_handoff_err() -> None:
    """The schema is strict: a hand-off missing a section fails validation."""
    import jsonschema

    from conftest import designed

    schema = json.loads(run("schema", "--handoff").stdout)
    document = json.loads(designed("bookstore").files["handoff.json"])
    del document["operations"]
    with pytest.raises(jsonschema.ValidationError, match="'operations' is a required property"):
        jsonschema.validate(document, schema)


def test_rules_lists_catalogue_ok() -> None:
    """rules lists every rule with its code, severity and name."""
    from backend_architect.rules.registry import RULES

    result = run("rules")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [r.code for r in RULES]


def test_rules_show_prints_docs_ok() -> None:
    """rules show CODE (or name) prints the rule's documentation and fix."""
    for key in ("SQL003", "missing-foreign-key-index"):
        result = run("rules", "show", key)
        assert result.returncode == 0
        assert "## Why is this bad?" in result.stdout
        assert result.stdout.startswith("SQL003 missing-foreign-key-index (warning)")


def test_rules_show_unknown_err() -> None:
    """An unknown rule code is a usage error with a suggestion."""
    result = run("rules", "show", "redundant-indx")
    assert result.returncode == 2
    assert result.stderr == "unknown rule 'redundant-indx' (did you mean 'redundant-index'?)\n"


def test_redesign_removes_only_stale_generated_files_ok(tmp_path: Path) -> None:
    """Designing again into the same folder removes files the earlier design wrote and this one does not; other files stay."""
    out = tmp_path / "out"
    assert run("design", str(BOOKSTORE), "-o", str(out)).returncode == 0
    (out / "notes.txt").write_text("mine")
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(
        BOOKSTORE.read_text()
        .replace("  - name: register customer\n    actor: visitor\n    auth: none\n    writes: [Customer]\n    rate: 3k/day\n", "")
        .replace("  - name: log in\n    actor: visitor\n    auth: none\n    reads: [Customer]\n    rate: 40k/day\n", "")
        .replace("  - name: log out\n    actor: customer\n    reads: [Customer]\n    rate: 5k/day\n", "")
    )
    assert (out / "openapi" / "customers.yaml").exists()
    assert run("design", str(smaller), "-o", str(out)).returncode == 0
    assert not (out / "openapi" / "customers.yaml").exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "openapi" / "books.yaml").exists()
