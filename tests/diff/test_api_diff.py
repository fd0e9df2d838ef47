"""Diffing two versions of an API: each kind of change classified by what it does to existing clients."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend_architect.api import diff_paths
from backend_architect.diff.api import diff_contracts
from backend_architect.diff.model import Impact
from backend_architect.importers.openapi import import_openapi_text

BASE = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0}
servers: [{url: 'https://api.example.com/v1'}]
security: [{oauth: [pets:read]}]
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://a.example/t', scopes: {pets:read: r, pets:write: w}}}}
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: string}
        name: {type: string, maxLength: 100}
        status: {type: string, enum: [available, sold]}
    PetCreate:
      type: object
      required: [name]
      properties:
        name: {type: string, maxLength: 100}
        tag: {type: string}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}}}
    post:
      operationId: createPet
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/PetCreate'}}}
      responses:
        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
        '400': {description: bad}
  /pets/{pet_id}:
    get:
      operationId: getPet
      parameters: [{name: pet_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
"""


def changes(old: str, new: str) -> list[tuple[str, str, Impact]]:
    before = import_openapi_text(textwrap.dedent(old), "old.yaml")
    after = import_openapi_text(textwrap.dedent(new), "new.yaml")
    return [(c.where, c.code, c.impact) for c in diff_contracts(before, after)]


def edited(old: str, new: str, count: int = 1) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, count)


def test_identical_documents_have_no_changes_ok() -> None:
    """A document compared with itself has no changes."""
    assert changes(BASE, BASE) == []


def test_renamed_path_parameter_is_not_a_change_ok() -> None:
    """Renaming a path parameter (with its declaration) changes no client call."""
    renamed = edited("  /pets/{pet_id}:\n    get:", "  /pets/{id}:\n    get:").replace("{name: pet_id, in: path", "{name: id, in: path")
    assert changes(BASE, renamed) == []


@pytest.mark.parametrize(
    ("old", "new", "code", "impact"),
    [
        pytest.param("  /pets/{pet_id}:\n    get:", "  /animals/{pet_id}:\n    get:", "path-removed", Impact.BREAKING, id="path-removed"),
        pytest.param("operationId: getPet", "operationId: fetchPet", "operation-id-changed", Impact.POSSIBLY_BREAKING, id="operation-id"),
        pytest.param(
            "{name: limit, in: query, schema",
            "{name: limit, in: query, required: true, schema",
            "request-parameter-became-required",
            Impact.BREAKING,
            id="param-required",
        ),
        pytest.param("maximum: 100}}", "maximum: 50}}", "request-parameter-maximum-decreased", Impact.BREAKING, id="param-max-lowered"),
        pytest.param("maximum: 100}}", "maximum: 500}}", "request-parameter-maximum-increased", Impact.SAFE, id="param-max-raised"),
        pytest.param(
            "      required: [name]\n      properties:\n        name: {type: string, maxLength: 100}\n        tag",
            "      required: [name, tag]\n      properties:\n        name: {type: string, maxLength: 100}\n        tag",
            "request-property-became-required",
            Impact.BREAKING,
            id="request-property-required",
        ),
        pytest.param(
            "        tag: {type: string}\n",
            "        tag: {type: string}\n        color: {type: string}\n",
            "request-property-added",
            Impact.SAFE,
            id="request-property-added",
        ),
        pytest.param(
            "        tag: {type: string}\n", "        tag: {type: integer}\n", "request-property-type-changed", Impact.BREAKING, id="request-type-changed"
        ),
        pytest.param("      required: [id, name]", "      required: [id]", "response-property-became-optional", Impact.BREAKING, id="response-optional"),
        pytest.param(
            "enum: [available, sold]",
            "enum: [available, sold, pending]",
            "response-property-enum-value-added",
            Impact.POSSIBLY_BREAKING,
            id="response-enum-widened",
        ),
        pytest.param("enum: [available, sold]", "enum: [available]", "response-property-enum-value-removed", Impact.SAFE, id="response-enum-narrowed"),
        pytest.param(
            "        status: {type: string, enum: [available, sold]}\n",
            "",
            "response-property-removed",
            Impact.POSSIBLY_BREAKING,
            id="response-property-removed",
        ),
        pytest.param(
            "      required: [id, name]\n      properties:\n        id: {type: string}\n        name: {type: string, maxLength: 100}\n",
            "      required: [id]\n      properties:\n        id: {type: string}\n",
            "response-property-removed",
            Impact.BREAKING,
            id="required-response-property-removed",
        ),
        pytest.param("        '400': {description: bad}\n", "", "response-non-success-status-removed", Impact.SAFE, id="error-status-removed"),
        pytest.param("'201': {description: ok", "'200': {description: ok", "response-success-status-removed", Impact.BREAKING, id="success-status-changed"),
        pytest.param(
            "security: [{oauth: [pets:read]}]",
            "security: [{oauth: [pets:read, pets:write]}]",
            "security-requirement-tightened",
            Impact.BREAKING,
            id="scope-added",
        ),
        pytest.param("https://api.example.com/v1", "https://api.example.com/v2", "server-url-changed", Impact.BREAKING, id="base-path"),
        pytest.param(
            "content: {application/json: {schema: {$ref: '#/components/schemas/PetCreate'}}}",
            "content: {application/xml: {schema: {$ref: '#/components/schemas/PetCreate'}}}",
            "request-media-type-removed",
            Impact.BREAKING,
            id="media-type",
        ),
    ],
)
def test_change_is_classified_err(old: str, new: str, code: str, impact: Impact) -> None:
    """Each kind of change is found and classified by its effect on existing clients."""
    found = changes(BASE, edited(old, new))
    assert (code, impact) in [(c, i) for _, c, i in found], found


def test_new_required_parameter_is_breaking_and_optional_is_safe_err() -> None:
    """Adding a required query parameter breaks callers; adding an optional one does not."""
    required = edited("        - {name: limit", "        - {name: owner, in: query, required: true, schema: {type: string}}\n        - {name: limit")
    optional = edited("        - {name: limit", "        - {name: owner, in: query, schema: {type: string}}\n        - {name: limit")
    assert ("GET /pets", "request-required-parameter-added", Impact.BREAKING) in changes(BASE, required)
    assert changes(BASE, optional) == [("GET /pets", "request-optional-parameter-added", Impact.SAFE)]


def test_shared_component_change_is_reported_per_operation_err() -> None:
    """A property removed from a shared response schema breaks every operation that returns it."""
    found = changes(BASE, edited("        status: {type: string, enum: [available, sold]}\n", ""))
    assert sorted(w for w, c, _ in found if c == "response-property-removed") == ["GET /pets", "GET /pets/{pet_id}", "POST /pets"]


def test_recursive_schemas_terminate_ok() -> None:
    """A schema that contains itself is compared without looping."""
    tree = BASE.replace("        status: {type: string, enum: [available, sold]}\n", "        parent: {$ref: '#/components/schemas/Pet'}\n")
    assert changes(tree, tree.replace("name: {type: string, maxLength: 100}\n        parent", "name: {type: string, maxLength: 10}\n        parent")) != []


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_diff_locates_changes_in_both_documents_ok(tmp_path: Path) -> None:
    """Each change carries its line in the old and in the new document."""
    old = _write(tmp_path, "old.yaml", BASE)
    new = _write(tmp_path, "new.yaml", edited("maximum: 100}}", "maximum: 50}}"))
    [change] = diff_paths(old, new).changes
    assert (str(change.old_location), str(change.new_location)) == (f"{old}:27:36", f"{new}:27:36")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend_architect.cli", "diff", *args], capture_output=True, text=True, timeout=300)


def test_cli_fail_on_breaking_err(tmp_path: Path) -> None:
    """--fail-on breaking exits 1 on a breaking change and says a major version is needed."""
    old = _write(tmp_path, "old.yaml", BASE)
    new = _write(
        tmp_path,
        "new.yaml",
        edited("operationId: getPet", "operationId: getPet\n      deprecated: true").replace("'201': {description: ok", "'200': {description: ok"),
    )
    result = run(str(old), str(new), "--fail-on", "breaking")
    assert result.returncode == 1
    assert "POST /pets: response 201 was removed [response-success-status-removed]" in result.stdout
    assert result.stdout.rstrip().endswith("needs a new major version")
    assert run(str(old), str(new)).returncode == 0


def test_cli_compatible_change_passes_and_names_bump_ok(tmp_path: Path) -> None:
    """Only additions: exit 0 under --fail-on breaking, and a minor version is enough."""
    old = _write(tmp_path, "old.yaml", BASE)
    new = _write(tmp_path, "new.yaml", BASE + "  /owners:\n    get:\n      responses: {'200': {description: ok}}\n")
    result = run(str(old), str(new), "--fail-on", "breaking", "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert (report["needs_major_version"], report["bump"], report["counts"]["safe"]) == (False, "minor", 1)


def test_cli_markdown_report_ok(tmp_path: Path) -> None:
    """The Markdown report is a verdict and a table, breaking first."""
    old = _write(tmp_path, "old.yaml", BASE)
    new = _write(tmp_path, "new.yaml", edited("maximum: 100}}", "maximum: 50}}"))
    report = run(str(old), str(new), "--format", "markdown").stdout
    assert "**Needs a new major version.**" in report
    assert "| breaking | GET /pets | query parameter 'limit': maximum 100 became 50 (`request-parameter-maximum-decreased`)" in report


def test_cli_bad_input_err(tmp_path: Path) -> None:
    """A missing or malformed document is exit 2 with a located message."""
    old = _write(tmp_path, "old.yaml", BASE)
    broken = _write(tmp_path, "broken.yaml", "openapi: 3.1.0\npaths: [\n")
    result = run(str(old), str(broken))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{broken}:3:1: invalid YAML")


GITHUB = Path(__file__).resolve().parents[1] / "js" / "node_modules"


@pytest.mark.skipif(not (GITHUB / "octokit-openapi-23").is_dir(), reason="the test command installs the published GitHub descriptions")
def test_real_github_release_pair_err() -> None:
    """Two published releases of GitHub's description (22.0.0 → 23.0.2, a major bump) diff as breaking, with the removed team discussions found."""
    old = GITHUB / "octokit-openapi-22" / "generated" / "api.github.com.json"
    new = GITHUB / "octokit-openapi-23" / "generated" / "api.github.com.json"
    result = diff_paths(old, new)
    assert result.needs_major_version
    removed = [c for c in result.changes if c.code == "path-removed"]
    assert any("/teams/{team_slug}/discussions" in c.where for c in removed)
    assert all(c.old_location is not None and c.old_location.line > 1 for c in removed)
    assert result.count(Impact.SAFE) > result.count(Impact.BREAKING) > 0
    assert diff_paths(new, new).changes == []
