"""Changes as JSON, for scripts and CI."""

from __future__ import annotations

import json

from backend_architect.diff.model import DiffResult, Impact


def render(result: DiffResult, *, color: bool = False, view: str = "changelog", quiet: bool = False) -> str:
    document = {
        "subject": result.subject,
        "old": result.old,
        "new": result.new,
        "needs_major_version": result.needs_major_version,
        "bump": result.bump,
        "counts": {str(i): result.count(i) for i in (Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE)},
        "view": view,
        "changes": [c.as_dict() for c in result.shown(view)],
        "accepted": [a.as_dict() for a in result.accepted],
        "stale_acceptances": result.stale,
    }
    if result.version is not None and result.subject == "api":
        document["version"] = result.version.as_dict()
    return json.dumps(document, indent=2) + "\n"
