"""Importers: existing artefacts -> the Architecture IR."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def is_database_url(target: str) -> bool:
    """Whether ``target`` names a live database rather than a file (kept here, away from the importers' heavy imports).

    >>> is_database_url("postgresql://localhost/shop"), is_database_url("sqlite:///tmp/app.db"), is_database_url("schema.sql")
    (True, True, False)
    """
    return target.startswith(("postgresql://", "postgres://", "sqlite://"))


def files_inside(folder: Path, found: Iterable[Path]) -> list[Path]:
    """``found`` (files under ``folder``), refusing any that a link takes out of the folder, as ``$ref``s are refused.

    A reviewed folder may come from someone else: ``0002_x.sql -> /etc/passwd`` must not make
    the reviewer read and quote a file it was not given.
    """
    from backend_architect.errors import InputError, Location

    root = folder.resolve()
    files = []
    for path in found:
        if not path.resolve().is_relative_to(root):
            raise InputError(Location(str(path)), f"a link to {'a file' if path.is_symlink() else 'a folder'} outside {folder}: not followed")
        files.append(path)
    return files
