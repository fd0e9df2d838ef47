"""IR + findings -> every file of a design, as a path -> text mapping (nothing is written here)."""

from __future__ import annotations

from backend_architect.ir.model import Architecture
from backend_architect.render.ascii import render_architecture_ascii
from backend_architect.render.ddl import DIALECTS, render_ddl
from backend_architect.render.handoff import handoff_json, render_handoff
from backend_architect.render.markdown import render_markdown
from backend_architect.render.mermaid import render_architecture, render_er
from backend_architect.render.openapi import render_openapi
from backend_architect.render.yaml_text import to_yaml
from backend_architect.rules.model import Finding


def render_files(arch: Architecture, findings: list[Finding]) -> dict[str, str]:
    """All artefacts of a design, keyed by their path relative to the output folder."""
    files: dict[str, str] = {}
    for api in arch.apis:
        files[f"openapi/{api.service}.yaml"] = to_yaml(render_openapi(api, arch))
    for store in arch.datastores:
        for dialect in DIALECTS:
            files[f"schema/{store.service}.{dialect}.sql"] = render_ddl(store, dialect)
        files[f"diagrams/er-{store.service}.mmd"] = render_er(store)
    files["diagrams/architecture.mmd"] = render_architecture(arch)
    files["diagrams/architecture.txt"] = render_architecture_ascii(arch)
    files["design.md"] = render_markdown(arch, findings)
    files["handoff.json"] = handoff_json(render_handoff(arch, findings, [*files, "handoff.json"]))
    return dict(sorted(files.items()))
