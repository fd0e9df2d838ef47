"""A baseline: the findings a team accepted when it adopted the reviewer, so only new ones fail CI.

A finding is remembered by what it is (rule, file, subject, message), not by its line:
editing the file above it moves the line, not the problem. Matching counts, so a second
identical problem in the same place is new.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from backend_architect.errors import InputError, Location
from backend_architect.rules.model import Finding

BASELINE_VERSION = 1


def fingerprint(finding: Finding) -> str:
    """A stable identity of a finding that does not depend on its line.

    >>> from backend_architect.rules.model import Severity
    >>> fingerprint(Finding("GET /pets", "API014", "no 4xx", Severity.WARNING, "missing-error-responses"))[:12]
    '361db826aa58'
    """
    file = finding.location.file if finding.location else ""
    text = "\x1f".join((finding.code, file, finding.where, finding.message))
    return hashlib.sha256(text.encode()).hexdigest()


def render_baseline(findings: list[Finding]) -> str:
    """The baseline file for ``findings``: sorted, so it diffs well in review."""
    entries = sorted(
        ({"fingerprint": fingerprint(f), "code": f.code, "where": f.where, "message": f.message} for f in findings),
        key=lambda e: (e["code"], e["where"], e["fingerprint"]),
    )
    return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"


def read_baseline(path: Path) -> Counter[str]:
    """The fingerprints a baseline file accepts, with how many times each."""
    name = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(Location(name), f"cannot read: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(Location(name, getattr(exc, "lineno", 1), getattr(exc, "colno", 1)), f"not a baseline file: {exc}") from None
    entries = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
        raise InputError(Location(name), "not a baseline file: expected {'version': 1, 'findings': [{'fingerprint': ...}]} (write one with --write-baseline)")
    return Counter(e["fingerprint"] for e in entries)


def new_findings(findings: list[Finding], accepted: Counter[str]) -> list[Finding]:
    """The findings the baseline does not account for."""
    left = Counter(accepted)
    fresh = []
    for finding in findings:
        key = fingerprint(finding)
        if left[key] > 0:
            left[key] -= 1
        else:
            fresh.append(finding)
    return fresh
