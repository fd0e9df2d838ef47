"""A problem or a note about a spec, at the path of the value it concerns.

The loader turns paths into ``file:line:col`` through the document's positions, so the
checks that find problems never need to know where the text was.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.spec.positions import Path


@dataclass(frozen=True)
class Problem:
    """Something the spec must change: reported as an error."""

    path: Path
    message: str
    at_key: bool = False


@dataclass(frozen=True)
class Note:
    """Something the engine read in a way the author may not expect: reported as a warning."""

    path: Path
    message: str
    at_key: bool = False
