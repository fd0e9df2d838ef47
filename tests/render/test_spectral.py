"""Every generated contract lints clean under Spectral's spectral:oas ruleset (no errors, no warnings)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from backend_architect.api import DesignResult

JS = Path(__file__).resolve().parent.parent / "js"
SPECTRAL = JS / "node_modules" / ".bin" / "spectral"


def spectral(paths: list[Path], out: Path) -> list[dict[str, object]]:
    if not SPECTRAL.exists():
        pytest.fail("Spectral is not installed: run the README's test command (it runs npm ci in tests/js)")
    command = [str(SPECTRAL), "lint", "--ruleset", str(JS / ".spectral.yaml"), "--format", "json", "--output", str(out), "--fail-severity", "hint",
               *map(str, paths)]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if not out.exists():
        pytest.fail(f"spectral did not run: {completed.stderr or completed.stdout}")
    return list(json.loads(out.read_text() or "[]"))


def test_contracts_lint_clean_under_spectral_ok(example: DesignResult, tmp_path: Path) -> None:
    """spectral:oas reports no error and no warning on any of the example's contracts."""
    paths = []
    for name, text in example.files.items():
        if name.startswith("openapi/"):
            path = tmp_path / name.replace("/", "_")
            path.write_text(text)
            paths.append(path)
    results = spectral(paths, tmp_path / "spectral.json")
    problems = [f"{r['code']} {'.'.join(map(str, r['path']))}: {r['message']}" for r in results if int(str(r["severity"])) <= 1]
    assert problems == []


def test_spectral_reports_a_broken_contract_ok(tmp_path: Path) -> None:
    """The harness really reports problems, so the test above can fail."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n")
    codes = {r["code"] for r in spectral([bad], tmp_path / "out.json")}
    assert {"operation-operationId", "operation-description"} <= codes
