"""Scaffold: a finished design becomes a runnable service project (FastAPI, SQLAlchemy, PostgreSQL).

``build(design)`` renders every file of the project; ``scaffold(design, out)`` writes the
ones it owns and may write (see ``ownership``), so a file the user changed is never
overwritten, and ``check=True`` reports the drift instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend_architect.scaffold.files import GeneratedFile, project_files, written_columns
from backend_architect.scaffold.ownership import MANIFEST, WritePlan, scaffold_into
from backend_architect.scaffold.plan import ProjectPlan, plan_project
from backend_architect.scaffold.source import Design, from_files, load_design

__all__ = ["MANIFEST", "Design", "GeneratedFile", "ScaffoldResult", "build", "from_files", "load_design", "scaffold"]


@dataclass(frozen=True)
class ScaffoldResult:
    project: ProjectPlan
    files: dict[str, GeneratedFile]
    plan: WritePlan

    def summary(self, out: str, checking: bool) -> str:
        """What was scaffolded (or, checking, how the code drifted from the design), for people."""
        lines = []
        for deployable in self.project.deployables:
            modules = ", ".join(m.name for m in deployable.modules)
            operations = sum(len(m.operations) for m in deployable.modules)
            commands = "|".join(["serve", "migrate", *deployable.workers])
            lines.append(f"  {deployable.name}/: {operations} operations (modules: {modules}), python -m {deployable.package} {commands}")
        for module, operation, why in self.project.gaps:
            lines.append(f"  not generated: {module} {operation} answers 501: {why}")
        head = f"{self.project.system}: {len(self.project.deployables)} deployable(s)"
        if self.project.runtime and "python" not in self.project.runtime.lower():
            head += f" (the design chose {self.project.runtime}; scaffold generates Python for now)"
        changes = self.plan.report(checking)
        if checking:
            verdict = f"{out}: in step with the design" if not self.plan.drift else f"{out}: drifted from the design ({len(changes)} file(s))"
            return "\n".join([head, *lines, *changes, verdict]) + "\n"
        written = len(self.plan.create) + len(self.plan.update) + len(self.plan.seed)
        tail = f"wrote {written} file(s) to {out}, removed {len(self.plan.remove)}, kept {len(self.plan.kept) + len(self.plan.orphaned)} you changed"
        return "\n".join([head, *lines, *[c for c in changes if c.startswith("kept")], tail, f"next: cd {out} && scripts/test.sh"]) + "\n"


def build(design: Design) -> dict[str, GeneratedFile]:
    """Every file of the project scaffolded from ``design``, by path relative to the project folder."""
    project = plan_project(design)
    return project_files(project, written_columns(design.architecture, project))


def scaffold(design: Design, out: str | Path, *, check: bool = False) -> ScaffoldResult:
    """Scaffold ``design`` into ``out`` (or, with ``check``, only compare): raises ``InputError`` on a design it cannot build."""
    project = plan_project(design)
    files = project_files(project, written_columns(design.architecture, project))
    return ScaffoldResult(project, files, scaffold_into(Path(out), files, check=check))
