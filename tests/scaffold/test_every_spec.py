"""Every design the engine makes of a bundled example or a benchmark spec scaffolds: no refusal, no dropped operation,
lint-clean code, and a 501 only where the design leaves the scaffold nothing to build on (each listed, with its reason)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backend_architect.ir.part_calls import http_operations
from scaffold_specs import GAPS, SPECS, designed_spec, scaffold_spec


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_operation_is_generated_ok(name: str, tmp_path: Path) -> None:
    """The design scaffolds without refusal; every operation of every API gets its route, and the only 501s are the known gaps."""
    result = scaffold_spec(name, tmp_path / name)
    arch = designed_spec(name).architecture
    # a modular monolith's module interface is called in process, never routed (ir.part_calls)
    designed = sorted(op.operation_id for api in arch.apis for op in http_operations(arch, api))
    planned = sorted(op.op.operation_id for d in result.project.deployables for m in d.modules for op in m.operations)
    assert planned == designed, "no operation is dropped"
    routes = "\n".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("routes.py"))
    for operation in designed:
        assert f'name="{operation}")' in routes, f"{operation} has no route"
    gaps = {operation: why for _module, operation, why in result.project.gaps}
    assert sorted(gaps) == sorted(GAPS.get(name, {})), gaps
    for operation, words in GAPS.get(name, {}).items():
        assert words in gaps[operation], gaps[operation]


@pytest.mark.parametrize("name", sorted(GAPS))
def test_gaps_are_listed_where_users_look_err(name: str, tmp_path: Path) -> None:
    """An operation the scaffold cannot build is named, with why, in the project's README and the scaffold's summary."""
    result = scaffold_spec(name, tmp_path / name)
    readme = (tmp_path / name / "README.md").read_text(encoding="utf-8")
    summary = result.summary(str(tmp_path / name), checking=False)
    for operation in GAPS[name]:
        assert f"`{operation}`" in readme
        assert f"{operation} answers 501" in summary


def test_generated_code_passes_ruff_ok(tmp_path: Path) -> None:
    """Every generated project of every spec is clean by its own ruff settings (pyflakes, isort, bugbear...), in one run."""
    for name in sorted(SPECS):
        scaffold_spec(name, tmp_path / name)
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    result = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "."], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:]
