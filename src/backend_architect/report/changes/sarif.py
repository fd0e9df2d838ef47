"""Changes as SARIF 2.1.0: each change a result on the new document's line (the old one's when it was removed).

Breaking changes are errors, possibly breaking ones warnings and safe ones notes, so code
scanning shows a pull request's breaking changes on the lines that make them. Each change
code is a rule, documented by the README's diff section.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from backend_architect import __version__
from backend_architect.diff.model import Change, DiffResult, Impact
from backend_architect.errors import Location
from backend_architect.report.sarif import REPOSITORY, fingerprint, log, physical

_LEVEL = {Impact.BREAKING: "error", Impact.POSSIBLY_BREAKING: "warning", Impact.SAFE: "note"}
HELP = f"{REPOSITORY}#diffing-two-versions-of-an-api"
_REVISION = re.compile(r"^[\w./@{}~^-]+:(?!//)")


def render(result: DiffResult, *, color: bool = False, view: str = "changelog", quiet: bool = False, root: str | None = None) -> str:
    base = Path(root or os.getcwd()).resolve()
    changes = result.shown(view)
    codes = sorted({c.code for c in changes})
    index = {code: i for i, code in enumerate(codes)}
    results = [_result(c, index[c.code], result, base) for c in changes]
    driver = {
        "name": "backend-architect",
        "version": __version__,
        "informationUri": REPOSITORY,
        "rules": [
            {
                "id": code,
                "name": code,
                "shortDescription": {"text": code.replace("-", " ")},
                "helpUri": HELP,
                "help": {"text": _help(code), "markdown": _help(code)},
            }
            for code in codes
        ],
    }
    return log(driver, results, base)


def _result(change: Change, index: int, diff: DiffResult, base: Path) -> dict[str, Any]:
    location = change.new_location or change.old_location
    found: dict[str, Any] = {
        "ruleId": change.code,
        "ruleIndex": index,
        "level": _LEVEL[change.impact],
        "message": {"text": f"{change.where}: {change.message} ({change.impact})"},
        "locations": [{"physicalLocation": physical(_in_checkout(location), diff.new, base), "logicalLocations": [{"fullyQualifiedName": change.where}]}],
        "partialFingerprints": {"backendArchitectChange/v1": fingerprint(change.code, change.where, change.message)},
        "properties": {"impact": str(change.impact)},
    }
    if change.old_location is not None and change.new_location is not None:
        found["relatedLocations"] = [{"id": 1, "physicalLocation": physical(_in_checkout(change.old_location), diff.old, base), "message": {"text": "before"}}]
    return found


def _in_checkout(location: Location | None) -> Location | None:
    """A location in ``REV:path`` (a git revision) as the checkout's ``path``, where the same file lives."""
    if location is None or not _REVISION.match(location.file) or Path(location.file).exists():
        return location
    return Location(location.file.split(":", 1)[1], location.line, location.col, location.end_line, location.end_col)


def _help(code: str) -> str:
    side = "requests" if code.startswith("request-") else "responses" if code.startswith("response-") else "the API"
    return f"`{code}`: a change to {side}. Breaking when it narrows what clients send or widens what they read; see the diff section of the README."
