"""IR + findings -> every file of a design, as a path -> text mapping (nothing is written here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_architect.diff.schema import diff_datastore
from backend_architect.ir.model import Architecture, Datastore
from backend_architect.ir.payloads import event_table
from backend_architect.ir.query import events_by_service, held_keys
from backend_architect.render.adr import render_adrs
from backend_architect.render.ascii import render_architecture_ascii
from backend_architect.render.asyncapi import render_asyncapi
from backend_architect.render.asyncapi_realtime import render_realtime_asyncapi
from backend_architect.render.cql import cdc_images, render_cql
from backend_architect.render.ddl import DIALECTS, SchemaCompiler, compile_store, render_ddl
from backend_architect.render.handoff import handoff_json, render_handoff
from backend_architect.render.markdown import render_markdown
from backend_architect.render.mermaid import crossing_flows, render_architecture, render_er
from backend_architect.render.migration import render_initial_migration, render_migration
from backend_architect.render.openapi import render_openapi
from backend_architect.render.sequence import render_sequence
from backend_architect.render.yaml_text import to_yaml
from backend_architect.rules.model import Finding
from backend_architect.spec.model import slug


@dataclass(frozen=True)
class Previous:
    """The design a new one follows: its architecture and the migrations already written for it."""

    architecture: Architecture
    migrations: dict[str, str] = field(default_factory=dict)


def render_files(arch: Architecture, findings: list[Finding], previous: Previous | None = None) -> dict[str, str]:
    """All artefacts of a design, keyed by their path relative to the output folder."""
    files: dict[str, str] = {}
    for api in arch.apis:
        files[f"openapi/{api.service}.yaml"] = to_yaml(render_openapi(api, arch))
    published, consumed = events_by_service(arch)
    # the table of each entity as the payload model reads it (ir.payloads): the first declared
    entities = sorted({e.entity for e in arch.events} | {c.entity for c in arch.channels})
    tables = {entity: table for entity in entities if (table := event_table(arch, entity)) is not None}
    for service in arch.services:
        events = render_asyncapi(arch, service.name, published.get(service.name, []), consumed.get(service.name, []), tables)
        if events is not None:
            files[f"asyncapi/{service.name}.yaml"] = to_yaml(events)
    realtime = render_realtime_asyncapi(arch, tables)
    if realtime is not None:
        files["asyncapi/realtime-gateway.yaml"] = to_yaml(realtime)
    for store in arch.datastores:
        postgres = compile_store(store, "postgresql")
        files.update(_migrations(store, previous, postgres))
        for dialect in DIALECTS:
            files[f"schema/{store.service}.{dialect}.sql"] = render_ddl(store, dialect, postgres if dialect == "postgresql" else None)
        files[f"diagrams/er-{store.service}.mmd"] = render_er(store)
        cql = render_cql(store, held_keys(arch, store.service) if store.service else None, cdc_images(arch))
        if cql is not None:
            files[f"schema/{store.service}.cql"] = cql
    files.update(render_adrs(arch))
    for flow in crossing_flows(arch):
        files[f"diagrams/sequence-{slug(flow.use_case)}.mmd"] = render_sequence(arch, flow)
    files["diagrams/architecture.mmd"] = render_architecture(arch)
    files["diagrams/architecture.txt"] = render_architecture_ascii(arch)
    files["design.md"] = render_markdown(arch, findings)
    files["handoff.json"] = handoff_json(render_handoff(arch, findings, [*files, "handoff.json"]))
    return dict(sorted(files.items()))


def _migrations(store: Datastore, previous: Previous | None, compiled: tuple[SchemaCompiler, list[str]]) -> dict[str, str]:
    """Carry the previous migrations over and add the next one from the schema difference.

    Without a previous design the schema starts at ``0001_initial``. The expand migration
    goes to ``migrations/``; destructive steps go to ``contract/``, to be moved into
    ``migrations/`` by the team once no deployed code needs the old shape.
    """
    base = f"schema/{store.service}/migrations"
    old = next((s for s in previous.architecture.datastores if s.service == store.service), None) if previous else None
    carried = {path: text for path, text in (previous.migrations if previous else {}).items() if path.startswith(base + "/")}
    if old is None:
        return carried or {f"{base}/0001_initial.sql": render_initial_migration(store, compiled)}
    files = carried or {f"{base}/0001_initial.sql": render_initial_migration(old)}
    changes = diff_datastore(old, store, rebuild=True)
    number = 1 + max(int(path.rsplit("/", 1)[1][:4]) for path in files)
    slug = "_".join(dict.fromkeys(f"{c.kind}_{c.table}" for c in changes))[:60].rstrip("_")
    expand = render_migration(old, store, changes, "expand")
    if expand is not None:
        files[f"{base}/{number:04d}_{slug}.sql"] = expand
    contract = render_migration(old, store, changes, "contract")
    if contract is not None:
        files[f"schema/{store.service}/contract/{number + 1:04d}_{slug}_contract.sql"] = contract
    return files
