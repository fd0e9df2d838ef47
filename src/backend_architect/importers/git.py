"""A document (or folder) as it was at a git revision: ``main:openapi.yaml``, ``v1.4.0:db/migrations``.

Nothing is checked out: the files are read with ``git cat-file`` into a temporary folder
that mirrors the repository's layout from the document's folder down, so relative
``$ref``s and migration folders work as they do on disk. Only files of the kinds a diff
reads (YAML, JSON, SQL) are copied, within the same size limits as files on disk, and
``git`` runs with a timeout and without a shell.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from backend_architect.errors import InputError, Location

#: What a diff reads; other files of the revision are left in git.
SUFFIXES = (".yaml", ".yml", ".json", ".sql")
#: Everything copied from one revision together (a document, its references, or a migration folder).
MAX_TOTAL_BYTES = 256 * 2**20
MAX_FILES = 20_000
_TIMEOUT = 60
_REVISION = re.compile(r"^[\w./@{}~^-]+$")


@dataclass(frozen=True)
class Revision:
    """``REV:PATH`` as the user wrote it, with the path from the repository's root."""

    text: str
    revision: str
    path: str


def parse_revision(text: str, cwd: Path | None = None) -> Revision | None:
    """``REV:PATH`` when ``text`` names a file at a git revision (and not a file, URL or drive on disk), else None."""
    if "://" in text or ":" not in text or Path(text).exists() or re.match(r"^[A-Za-z]:[\\/]", text):
        return None
    revision, _, path = text.partition(":")
    if not revision or not path or not _REVISION.match(revision) or revision.startswith("-"):
        return None
    folder = cwd or Path.cwd()
    if _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], folder, check=False) is None:
        return None
    # git reads REV:./path from the current folder and REV:path from the repository's root
    if path.startswith(("./", "../")):
        prefix = (_git(["rev-parse", "--show-prefix"], folder) or "").strip()
        path = str(PurePosixPath(os.path.normpath(PurePosixPath(prefix) / path)))
    return Revision(text, revision, path.strip("/"))


def materialise(revision: Revision, into: Path, cwd: Path | None = None) -> Path:
    """Copy the document (with the files beside and below it) or folder at ``revision`` into ``into``; returns its path there."""
    folder = cwd or Path.cwd()
    kind = _git(["cat-file", "-t", f"{revision.revision}:{revision.path}"], folder, check=False)
    where = Location(revision.text)
    if kind is None:
        raise InputError(where, f"no such file at revision {revision.revision}")
    tree = revision.path if kind.strip() == "tree" else str(PurePosixPath(revision.path).parent)
    listed = _git(["ls-tree", "-r", "-z", "--full-tree", "-l", revision.revision, *(["--", tree] if tree != "." else [])], folder) or ""
    files = []
    total = 0
    for entry in listed.split("\0"):
        if not entry:
            continue
        meta, _, name = entry.partition("\t")
        parts = meta.split()
        if len(parts) < 4 or parts[1] != "blob" or not name.endswith(SUFFIXES):
            continue
        size = int(parts[3]) if parts[3].isdigit() else 0
        total += size
        files.append(name)
        if total > MAX_TOTAL_BYTES or len(files) > MAX_FILES:
            raise InputError(where, f"{tree} at {revision.revision} holds more than {MAX_TOTAL_BYTES // 2**20} MiB of YAML, JSON and SQL")
    base = PurePosixPath(tree) if tree != "." else PurePosixPath()
    for name in files:
        target = into / PurePosixPath(name).relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            process = subprocess.run(
                ["git", "cat-file", "blob", f"{revision.revision}:{name}"], cwd=folder, stdout=out, stderr=subprocess.PIPE, timeout=_TIMEOUT, check=False
            )
        if process.returncode != 0:
            raise InputError(where, f"git cannot read {name} at {revision.revision}: {process.stderr.decode(errors='replace').strip()}")
    return into / PurePosixPath(revision.path).relative_to(base) if kind.strip() != "tree" else into


def _git(arguments: list[str], cwd: Path, *, check: bool = True) -> str | None:
    if shutil.which("git") is None:
        if check:
            raise InputError(Location(str(cwd)), "git is not installed: a REV:PATH input needs it")
        return None
    try:
        process = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        if check:
            raise InputError(Location(str(cwd)), f"git failed: {exc}") from None
        return None
    if process.returncode != 0:
        if check:
            raise InputError(Location(str(cwd)), f"git {arguments[0]} failed: {process.stderr.strip()}")
        return None
    return process.stdout
