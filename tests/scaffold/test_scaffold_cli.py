"""The scaffold command and design --scaffold: exit codes and messages as a user sees them."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend_architect.cli import app
from conftest import ROOT

BOOKSTORE = ROOT / "examples" / "bookstore.yaml"


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str) -> Outcome:
    """The command run in-process (as the console script runs it), its exit status and both streams."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def design_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("design")
    assert run("design", str(BOOKSTORE), "-o", str(out)).returncode == 0
    return out


def test_scaffold_writes_the_project_ok(design_dir: Path, tmp_path: Path) -> None:
    """scaffold DESIGN -o OUT writes the project and says what to run next; --check then finds no drift."""
    result = run("scaffold", str(design_dir), "-o", str(tmp_path / "svc"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("bookstore: 1 deployable(s)")
    # 16 use-case operations, and the upload URL and download URL of books.cover
    assert "bookstore/: 18 operations (modules: books, customers, orders), python -m bookstore serve|migrate|jobs|indexer" in result.stdout
    assert f"next: cd {tmp_path / 'svc'}/ && scripts/test.sh" in result.stdout
    assert (tmp_path / "svc" / "bookstore" / "src" / "bookstore" / "modules" / "orders" / "routes.py").is_file()
    check = run("scaffold", str(design_dir), "-o", str(tmp_path / "svc"), "--check")
    assert check.returncode == 0
    assert "in step with the design" in check.stdout


def test_check_exits_1_on_drift_err(design_dir: Path, tmp_path: Path) -> None:
    """--check exits 1 and names the file when generated code no longer matches the design."""
    assert run("scaffold", str(design_dir), "-o", str(tmp_path)).returncode == 0
    routes = tmp_path / "bookstore" / "src" / "bookstore" / "modules" / "books" / "routes.py"
    routes.write_text(routes.read_text() + "\n# hand edit\n")
    check = run("scaffold", str(design_dir), "-o", str(tmp_path), "--check")
    assert check.returncode == 1
    assert "kept bookstore/src/bookstore/modules/books/routes.py: you changed it" in check.stdout


def test_design_with_scaffold_option_ok(tmp_path: Path) -> None:
    """design --scaffold DIR designs and scaffolds in one run."""
    result = run("design", str(BOOKSTORE), "-o", str(tmp_path / "out"), "--scaffold", str(tmp_path / "svc"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "svc" / "bookstore" / "pyproject.toml").is_file()
    assert "next: cd" in result.stdout


def test_not_a_design_folder_err(tmp_path: Path) -> None:
    """A folder without handoff.json is refused with its path, exit 2."""
    result = run("scaffold", str(tmp_path), "-o", str(tmp_path / "svc"))
    assert result.returncode == 2
    assert f"{tmp_path / 'handoff.json'}:1:1: not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_err(tmp_path: Path) -> None:
    """A design path that does not exist is a usage error, exit 2."""
    result = run("scaffold", str(tmp_path / "nope"), "-o", str(tmp_path / "svc"))
    assert result.returncode == 2
    assert "not a folder" in result.stderr


def test_edited_contract_err(design_dir: Path, tmp_path: Path) -> None:
    """A contract edited after the design no longer matches the IR: refused at the first differing line, exit 2."""
    copy = tmp_path / "design"
    shutil.copytree(design_dir, copy)
    contract = copy / "openapi" / "books.yaml"
    lines = contract.read_text().splitlines()
    lines[2] = "  title: edited by hand"
    contract.write_text("\n".join(lines) + "\n")
    result = run("scaffold", str(copy), "-o", str(tmp_path / "svc"))
    assert result.returncode == 2
    assert f"{contract}:3:1: differs from the contract the hand-off's IR renders" in result.stderr


def test_corrupt_handoff_err(design_dir: Path, tmp_path: Path) -> None:
    """A hand-off that is not JSON is refused at its line and column."""
    copy = tmp_path / "design"
    shutil.copytree(design_dir, copy)
    (copy / "handoff.json").write_text('{"architecture": ')
    result = run("scaffold", str(copy), "-o", str(tmp_path / "svc"))
    assert result.returncode == 2
    assert "handoff.json:1:" in result.stderr
    assert "invalid JSON" in result.stderr


def test_handoff_without_apis_err(design_dir: Path, tmp_path: Path) -> None:
    """A hand-off whose architecture has no APIs has nothing to scaffold: exit 2, said plainly."""
    copy = tmp_path / "design"
    shutil.copytree(design_dir, copy)
    handoff = json.loads((copy / "handoff.json").read_text())
    handoff["architecture"]["apis"] = []
    (copy / "handoff.json").write_text(json.dumps(handoff))
    result = run("scaffold", str(copy), "-o", str(tmp_path / "svc"))
    assert result.returncode == 2
    assert "nothing to scaffold" in result.stderr
