"""The library's front door: one call per job, no printing, no exiting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend_architect.design.pipeline import design
from backend_architect.ir.model import Architecture
from backend_architect.render.files import render_files
from backend_architect.rules.model import Finding
from backend_architect.rules.registry import review
from backend_architect.spec.load import load_spec
from backend_architect.spec.model import Spec


@dataclass(frozen=True)
class DesignResult:
    """A finished design: the IR, the self-review findings and every rendered file."""

    spec: Spec
    architecture: Architecture
    findings: list[Finding]
    files: dict[str, str]


def design_spec(spec: Spec) -> DesignResult:
    """Design ``spec``, review the result, render every artefact."""
    arch = design(spec)
    findings = review(arch)
    return DesignResult(spec, arch, findings, render_files(arch, findings))


def design_file(path: str | Path) -> DesignResult:
    """Load the spec at ``path`` (raising ``InputError`` on any problem in it) and design it."""
    return design_spec(load_spec(path).spec)


def write_files(files: dict[str, str], out_dir: str | Path) -> list[Path]:
    """Write rendered files under ``out_dir``; returns the paths written."""
    root = Path(out_dir)
    written = []
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        written.append(target)
    return written
