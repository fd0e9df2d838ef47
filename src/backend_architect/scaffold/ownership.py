"""Which files a scaffold run may write: its own, unchanged since it wrote them; never a file the user changed.

The project keeps a manifest (``.backend-architect/scaffold.json``) of every file the
scaffold wrote and its SHA-256. On a re-run an owned file is rewritten only when it still
has the recorded hash (the user has not touched it); a changed one is kept and reported.
Seeded files (the domain logic) are written once, when missing, and never again. Files
the design no longer produces are removed only if unchanged. ``--check`` computes the
same plan without writing and reports it as drift.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from backend_architect.errors import InputError, Location
from backend_architect.scaffold.files import GeneratedFile

MANIFEST = ".backend-architect/scaffold.json"


def digest(data: bytes) -> str:
    """
    >>> digest(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


@dataclass
class WritePlan:
    """What a run would do to each file, and the manifest it would leave."""

    create: list[str] = field(default_factory=list)
    update: list[str] = field(default_factory=list)
    seed: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    #: Owned files the user changed: left as they are (the design's version differs).
    kept: list[str] = field(default_factory=list)
    #: Files the design no longer produces but the user changed: left as they are.
    orphaned: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    manifest: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def drift(self) -> bool:
        """The code on disk differs from what the design generates (or the user changed generated files)."""
        return bool(self.create or self.update or self.remove or self.kept or self.orphaned)

    def report(self, checking: bool) -> list[str]:
        verb = "would " if checking else ""
        lines = [f"{verb}create {p}" for p in self.create]
        lines += [f"{verb}update {p} (the design changed)" for p in self.update]
        lines += [f"{verb}remove {p} (the design no longer produces it)" for p in self.remove]
        lines += [f"{verb}seed {p} (yours from now on)" for p in self.seed]
        lines += [f"kept {p}: you changed it; the design's version differs (delete it to take the design's)" for p in self.kept]
        lines += [f"kept {p}: you changed it; the design no longer produces it" for p in self.orphaned]
        return lines


def _read_manifest(root: Path) -> dict[str, dict[str, str]]:
    path = root / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(Location(str(path)), f"unreadable scaffold manifest: {exc}") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise InputError(Location(str(path)), "not a scaffold manifest (no 'files')")
    return {str(k): v for k, v in files.items() if isinstance(v, dict) and isinstance(v.get("sha256"), str)}


def _inside(root: Path, relative: str) -> Path:
    """``root/relative``, refusing paths that leave the project or pass through a symbolic link."""
    if Path(relative).is_absolute() or ".." in Path(relative).parts:
        raise InputError(Location(relative), "refusing a path outside the project")
    target = root / relative
    node = target
    while node != root and node != node.parent:
        if node.is_symlink():
            raise InputError(Location(str(node)), "refusing to write through a symbolic link")
        node = node.parent
    return target


def plan_writes(root: Path, files: dict[str, GeneratedFile]) -> WritePlan:
    """Decide, for every file, whether a run writes it."""
    previous = _read_manifest(root)
    plan = WritePlan()
    for relative, generated in sorted(files.items()):
        target = _inside(root, relative)
        data = generated.text.encode()
        wanted = digest(data)
        record = {"sha256": wanted, "ownership": generated.ownership}
        if not target.exists():
            (plan.seed if generated.ownership == "seeded" else plan.create).append(relative)
            plan.manifest[relative] = record
            continue
        if not target.is_file():
            raise InputError(Location(str(target)), "exists and is not a file")
        current = digest(target.read_bytes())
        if generated.ownership == "seeded":
            plan.unchanged.append(relative)
            plan.manifest[relative] = previous.get(relative, record)
        elif current == wanted:
            plan.unchanged.append(relative)
            plan.manifest[relative] = record
        elif previous.get(relative, {}).get("sha256") == current:
            plan.update.append(relative)
            plan.manifest[relative] = record
        else:
            plan.kept.append(relative)
            if relative in previous:
                plan.manifest[relative] = previous[relative]
    for relative, record in sorted(previous.items()):
        if relative in files or record.get("ownership") == "seeded":
            continue
        target = _inside(root, relative)
        if not target.is_file():
            continue
        if digest(target.read_bytes()) == record["sha256"]:
            plan.remove.append(relative)
        else:
            plan.orphaned.append(relative)
            plan.manifest[relative] = record
    return plan


def apply(root: Path, files: dict[str, GeneratedFile], plan: WritePlan) -> None:
    """Carry out ``plan``: write, seed and remove what it says, then the manifest."""
    for relative in [*plan.create, *plan.update, *plan.seed]:
        target = _inside(root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[relative].text, encoding="utf-8", newline="\n")
        if files[relative].executable:
            target.chmod(target.stat().st_mode | 0o111)
    for relative in plan.remove:
        _inside(root, relative).unlink()
    manifest = _inside(root, MANIFEST)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    body = {"generator": "backend-architect scaffold", "files": dict(sorted(plan.manifest.items()))}
    manifest.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def scaffold_into(root: Path, files: dict[str, GeneratedFile], *, check: bool = False) -> WritePlan:
    """Plan the run and, unless ``check``, carry it out."""
    if root.exists() and not root.is_dir():
        raise InputError(Location(str(root)), "exists and is not a folder")
    if root.is_symlink():
        raise InputError(Location(str(root)), "refusing to write through a symbolic link")
    plan = plan_writes(root, files)
    if not check:
        root.mkdir(parents=True, exist_ok=True)
        apply(root, files, plan)
    return plan


__all__ = ["MANIFEST", "WritePlan", "apply", "digest", "plan_writes", "scaffold_into"]
