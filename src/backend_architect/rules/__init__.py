"""Review rules: one small module per family; ``registry.py`` lists them all.

This package's own module holds only what the command line needs before deciding to load
anything: the name of the configuration file and where to find it.
"""

from __future__ import annotations

from pathlib import Path

#: The review configuration's file name, looked for in the current folder and its parents.
CONFIG_FILE = ".backend-architect.yaml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "tool.backend-architect"


def find_config(start: Path) -> Path | None:
    """The config that applies in ``start``: ``.backend-architect.yaml`` or a ``pyproject.toml`` with a
    ``[tool.backend-architect]`` table, in ``start`` or the nearest parent folder that has one."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        project = folder / PYPROJECT
        if project.is_file() and _has_tool_table(project):
            return project
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return f"[{TOOL_TABLE}" in text or '[tool."backend-architect"' in text
