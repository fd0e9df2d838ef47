"""Scaffold: a finished design becomes a runnable service project (FastAPI, SQLAlchemy, PostgreSQL).

``build(design)`` renders every file of the project; ``ownership`` decides which of them a
re-run may write, so a file the user changed is never overwritten.
"""

from __future__ import annotations

from backend_architect.scaffold.files import GeneratedFile, project_files, written_columns
from backend_architect.scaffold.plan import plan_project
from backend_architect.scaffold.source import Design, from_files, load_design

__all__ = ["Design", "GeneratedFile", "build", "from_files", "load_design"]


def build(design: Design) -> dict[str, GeneratedFile]:
    """Every file of the project scaffolded from ``design``, by path relative to the project folder."""
    project = plan_project(design)
    return project_files(project, written_columns(design.architecture, project))
