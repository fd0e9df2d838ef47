"""Re-running scaffold: it rewrites only files it owns and nobody changed, never the user's, and --check reports drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_architect.errors import InputError
from backend_architect.scaffold import MANIFEST, GeneratedFile, build, from_files
from backend_architect.scaffold.ownership import scaffold_into
from conftest import designed

CORE = "bookstore/src/bookstore/core/db.py"
ROUTES = "bookstore/src/bookstore/modules/books/routes.py"
DOMAIN = "bookstore/src/bookstore/modules/orders/domain.py"


@pytest.fixture(scope="module")
def files() -> dict[str, GeneratedFile]:
    result = designed("bookstore")
    return build(from_files(result.architecture, result.files, "bookstore"))


def test_first_run_writes_everything_and_a_manifest_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """The first run creates every owned file, seeds the domain files, and records each file's hash."""
    plan = scaffold_into(tmp_path, files)
    assert set(plan.create) | set(plan.seed) == set(files)
    assert DOMAIN in plan.seed
    assert CORE in plan.create
    manifest = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert set(manifest) == set(files)
    assert manifest[DOMAIN]["ownership"] == "seeded"
    assert (tmp_path / "scripts/test.sh").stat().st_mode & 0o111


def test_rerun_on_unchanged_project_changes_nothing_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """Scaffolding the same design again writes nothing and reports no drift."""
    scaffold_into(tmp_path, files)
    again = scaffold_into(tmp_path, files)
    assert (again.create, again.update, again.remove, again.kept) == ([], [], [], [])
    assert not again.drift


def test_owned_file_follows_the_design_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """When the design changes an owned file nobody edited, the re-run rewrites it."""
    scaffold_into(tmp_path, files)
    changed = dict(files, **{ROUTES: GeneratedFile(files[ROUTES].text + "\n# the design changed\n")})
    plan = scaffold_into(tmp_path, changed)
    assert plan.update == [ROUTES]
    assert (tmp_path / ROUTES).read_text().endswith("# the design changed\n")


def test_changed_owned_file_is_kept_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """A generated file the user edited is never overwritten, even when the design's version changes; the run says so."""
    scaffold_into(tmp_path, files)
    (tmp_path / CORE).write_text("# my own database code\n")
    changed = dict(files, **{CORE: GeneratedFile(files[CORE].text + "\n# newer generator\n")})
    plan = scaffold_into(tmp_path, changed)
    assert plan.kept == [CORE]
    assert (tmp_path / CORE).read_text() == "# my own database code\n"
    assert any(line.startswith(f"kept {CORE}") for line in plan.report(False))
    assert scaffold_into(tmp_path, changed).kept == [CORE], "still the user's on the run after"


def test_seeded_file_is_the_users_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """The domain file is written once; afterwards the user's version stands and is not drift."""
    scaffold_into(tmp_path, files)
    (tmp_path / DOMAIN).write_text("def cancel_order(row, body):\n    return {'status': 'cancelled'}\n")
    plan = scaffold_into(tmp_path, files)
    assert DOMAIN in plan.unchanged
    assert not plan.drift
    assert "cancelled" in (tmp_path / DOMAIN).read_text()


def test_file_the_design_drops_is_removed_only_if_unchanged_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """A file the design no longer produces goes away if untouched, and stays (reported) if the user changed it."""
    scaffold_into(tmp_path, files)
    (tmp_path / CORE).write_text("# edited\n")
    fewer = {k: v for k, v in files.items() if k not in {ROUTES, CORE}}
    plan = scaffold_into(tmp_path, fewer)
    assert plan.remove == [ROUTES]
    assert not (tmp_path / ROUTES).exists()
    assert plan.orphaned == [CORE]
    assert (tmp_path / CORE).exists()


def test_check_reports_drift_without_writing_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """--check writes nothing; it reports files the design would change and files the user changed."""
    scaffold_into(tmp_path, files)
    (tmp_path / CORE).write_text("# edited\n")
    changed = dict(files, **{ROUTES: GeneratedFile(files[ROUTES].text + "# v2\n")})
    before = (tmp_path / ROUTES).read_text()
    plan = scaffold_into(tmp_path, changed, check=True)
    assert plan.drift
    assert plan.update == [ROUTES]
    assert plan.kept == [CORE]
    assert (tmp_path / ROUTES).read_text() == before
    assert f"would update {ROUTES} (the design changed)" in plan.report(True)


def test_check_on_empty_folder_is_drift_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """A project that was never scaffolded has drifted: every file is missing, nothing is written."""
    plan = scaffold_into(tmp_path / "none", files, check=True)
    assert plan.drift
    assert not (tmp_path / "none").exists()


def test_file_that_was_never_generated_is_not_overwritten_ok(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """Scaffolding into a folder that already holds a file at a generated path keeps that file."""
    (tmp_path / "README.md").write_text("# our project\n")
    plan = scaffold_into(tmp_path, files)
    assert "README.md" in plan.kept
    assert (tmp_path / "README.md").read_text() == "# our project\n"


def test_symbolic_link_is_refused_err(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """A generated path that passes through a symbolic link is refused, so a run cannot write outside the project."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "scripts").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="symbolic link"):
        scaffold_into(tmp_path / "project", files)
    assert not any((tmp_path / "elsewhere").iterdir())


def test_corrupt_manifest_err(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """An unreadable manifest is an input error naming the file, not a traceback."""
    (tmp_path / ".backend-architect").mkdir()
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(InputError, match=r"scaffold\.json"):
        scaffold_into(tmp_path, files)
