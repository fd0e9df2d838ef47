"""What the HTTP API's requests compute, as plain functions the worker processes run (``backend_architect.jobs``).

Each takes text or plain data and returns plain data, so it crosses the process boundary;
the library's refusals travel as ``JobRefused``.
"""

from __future__ import annotations

import json
from typing import Any

from backend_architect.server.store import Version


def design_version(spec_text: str) -> Version:
    """Design a spec (raising InputError) into what a stored version keeps."""
    from backend_architect.api import design_spec
    from backend_architect.spec.load import load_spec_bytes

    result = design_spec(load_spec_bytes(spec_text.encode(), "spec.yaml").spec)
    handoff = json.loads(result.files["handoff.json"])
    return Version("", 0, spec_text, handoff["summary"], [f.as_dict() for f in result.findings], result.files, "")


def validation_errors(spec_text: str) -> list[str]:
    """The spec's located errors; empty when it is valid."""
    from backend_architect.errors import InputError
    from backend_architect.spec.load import load_spec_bytes

    try:
        load_spec_bytes(spec_text.encode(), "spec.yaml")
    except InputError as exc:
        return str(exc).splitlines()
    return []


def design_html(spec_text: str) -> str:
    """The version's design.html (rendered once per version; the store keeps it)."""
    from backend_architect.api import design_spec
    from backend_architect.render.html import render_html
    from backend_architect.spec.load import load_spec_bytes

    result = design_spec(load_spec_bytes(spec_text.encode(), "spec.yaml").spec)
    return render_html(result.architecture, result.findings)


def review_text(kind: str, content: str) -> list[dict[str, Any]]:
    """Findings of a document given as text, as JSON objects."""
    from backend_architect.api import review_text as review_document

    return [f.as_dict() for f in review_document(kind, content)]


def compare(old: Version, new: Version) -> dict[str, Any]:
    """The library's comparison of two stored versions, as the API answers it."""
    from backend_architect.api import compare_designs

    found = compare_designs(old.files, new.files)
    return {
        "from_version": old.number,
        "to_version": new.number,
        "needs_major_version": found.needs_major_version,
        "api_changes": [{"service": service, **change.as_dict()} for service, change in found.api_changes],
        "schema_changes": [
            {"datastore": store, "kind": c.kind, "table": c.table, "name": c.name, "phase": c.phase, "breaking": c.breaking}
            for store, c in found.schema_changes
        ],
        "services_added": found.services_added,
        "services_removed": found.services_removed,
    }
