"""Findings as one standalone HTML page, for a browser or a CI artefact."""

from __future__ import annotations

from backend_architect.render.html import render_findings_page
from backend_architect.rules.model import Finding, Rule


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False) -> str:
    return render_findings_page(findings, target)
