"""Reviewed folders are read inside themselves: a link that leaves the folder is refused at the link, never followed and quoted."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.api import diff_paths, review_path
from backend_architect.errors import InputError

SECRET = "root:x:0:0:secret-line-of-a-file-outside\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "passwd"
    target.parent.mkdir()
    target.write_text(SECRET)
    return target


@pytest.mark.parametrize(
    ("first", "link"),
    [
        pytest.param("0001_init.sql", "0002_x.sql", id="migration-folder"),
        pytest.param("schema.sql", "more.sql", id="sql-folder"),
        pytest.param("a.yaml", "b.yaml", id="openapi-folder"),
    ],
)
def test_link_out_of_the_folder_is_refused_err(tmp_path: Path, outside: Path, first: str, link: str) -> None:
    """A file link to a path outside the reviewed folder stops the review at the link; the target's text appears nowhere."""
    folder = tmp_path / "reviewed"
    folder.mkdir()
    body = "CREATE TABLE a (id int PRIMARY KEY);\n" if first.endswith(".sql") else "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
    (folder / first).write_text(body)
    (folder / link).symlink_to(outside)
    with pytest.raises(InputError) as info:
        review_path(folder)
    assert str(info.value) == f"{folder / link}:1:1: a link to a file outside {folder}: not followed"
    assert "secret-line" not in str(info.value)


def test_link_out_of_a_diffed_folder_is_refused_err(tmp_path: Path, outside: Path) -> None:
    """diff reads migration folders with the same rule."""
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        folder.mkdir()
        (folder / "0001_init.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);\n")
    (new / "0002_x.sql").symlink_to(outside)
    with pytest.raises(InputError, match="not followed"):
        diff_paths(old, new)


def test_link_inside_the_folder_is_read_ok(tmp_path: Path) -> None:
    """A link to another file of the same folder is an ordinary file of it."""
    folder = tmp_path / "reviewed"
    (folder / "shared").mkdir(parents=True)
    (folder / "shared" / "base.sql").write_text("CREATE TABLE a (id int);\n")
    (folder / "schema.sql").symlink_to(folder / "shared" / "base.sql")
    findings = review_path(folder).findings
    assert any(f.code == "SQL001" for f in findings)
