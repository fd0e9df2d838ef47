"""The GitHub Action and the pre-commit hooks, run the way GitHub and pre-commit run them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent
MIGRATIONS = {
    "0001_init.sql": "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint);\n",
    "0002_index.sql": "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);\n",
    "0003_bad.sql": "CREATE INDEX ix_orders_customer_2 ON orders (customer_id);\n",
}


def action() -> dict[str, object]:
    loaded = yaml.safe_load((ROOT / "action.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_action_passes_inputs_through_environment_only_ok() -> None:
    """Every input reaches a script through env: nothing a pull request controls is pasted into shell code."""
    for step in action()["runs"]["steps"]:  # type: ignore[index]
        script = step.get("run", "")
        assert "${{" not in script, step.get("name")
    assert set(action()["inputs"]) >= {"command", "targets", "args", "version", "upload-sarif"}  # type: ignore[arg-type]


def run_step(tmp_path: Path, command: str, targets: str, args: str = "") -> tuple[int, Path, str]:
    """The action's run step under bash, as the runner executes it (GITHUB_OUTPUT, RUNNER_TEMP, inputs in env)."""
    step = next(s for s in action()["runs"]["steps"] if s.get("id") == "run")  # type: ignore[index, union-attr]
    outputs = tmp_path / "github-output"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(tmp_path),
        "BA_COMMAND": command,
        "BA_TARGETS": targets,
        "BA_ARGS": args,
        "BA_ANNOTATIONS": "true",
    }
    process = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    sarif = Path(dict(line.split("=", 1) for line in outputs.read_text().splitlines())["sarif"])
    return process.returncode, sarif, process.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run under bash")
def test_action_review_writes_sarif_and_annotations_err(tmp_path: Path) -> None:
    """The review step writes SARIF for upload, prints annotations, and fails the job on findings at --fail-on."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, text in MIGRATIONS.items():
        (folder / name).write_text(text)
    status, sarif, stdout = run_step(tmp_path, "review", "migrations", "--fail-on warning")
    assert status == 1
    assert any(r["ruleId"] == "SQL101" for r in json.loads(sarif.read_text())["runs"][0]["results"])
    assert "::warning file=migrations/0003_bad.sql,line=1" in stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run under bash")
def test_action_diff_and_bad_command_err(tmp_path: Path) -> None:
    """A diff runs the same way; an unknown command stops with exit 2 before anything runs."""
    document = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {get: {responses: {'200': {description: ok}}}}\n"
    (tmp_path / "old.yaml").write_text(document)
    (tmp_path / "new.yaml").write_text(document.replace("/a", "/b"))
    status, sarif, _ = run_step(tmp_path, "diff", "old.yaml new.yaml", "--fail-on breaking")
    assert status == 1
    assert json.loads(sarif.read_text())["runs"][0]["results"][0]["ruleId"] == "path-removed"
    assert run_step(tmp_path, "design; rm -rf /", "x")[0] == 2


def hooks() -> dict[str, dict[str, object]]:
    return {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def run_hook(hook_id: str, staged: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """What pre-commit does: keep the staged files the hook's patterns match, and pass them after its entry."""
    hook = hooks()[hook_id]
    chosen = [f for f in staged if re.search(str(hook["files"]), f) and not (hook.get("exclude") and re.search(str(hook["exclude"]), f))]
    entry = str(hook["entry"]).split()
    assert entry[0] == "backend-architect"
    return subprocess.run([sys.executable, "-m", "backend_architect.cli", *entry[1:], *chosen], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_migrations_hook_reviews_staged_migration_in_its_folder_err(tmp_path: Path) -> None:
    """Staging one migration reviews it against the schema of those before it, and reports only it."""
    folder = tmp_path / "db" / "migrations"
    folder.mkdir(parents=True)
    for name, text in MIGRATIONS.items():
        (folder / name).write_text(text)
    (folder / "0003_bad.down.sql").write_text("DROP INDEX ix_orders_customer_2;\n")
    result = run_hook("backend-architect-migrations", ["db/migrations/0003_bad.sql", "db/migrations/0003_bad.down.sql", "README.md"], tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "warning[SQL101] index-without-concurrently" in result.stdout
    assert "0001_init.sql" not in result.stdout
    assert "0002_index.sql" not in result.stdout
    assert run_hook("backend-architect-migrations", ["db/migrations/0002_index.sql"], tmp_path).returncode == 0
