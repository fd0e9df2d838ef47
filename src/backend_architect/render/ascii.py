"""IR -> plain-text diagrams, for terminals and readers without Mermaid."""

from __future__ import annotations

from backend_architect.ir.consumers import consumer_label
from backend_architect.ir.model import Architecture, Datastore
from backend_architect.ir.query import OUTBOX_SOURCE, all_tables, delivery_hops, event_source, external_calls


def _box(title: str, rows: list[str]) -> list[str]:
    width = max(len(title), *(len(r) for r in rows)) + 2 if rows else len(title) + 2
    top = "+" + "-" * width + "+"
    out = [top, f"| {title.ljust(width - 2)} |", top if rows else ""]
    out += [f"| {r.ljust(width - 2)} |" for r in rows]
    if rows:
        out.append(top)
    return [line for line in out if line]


def render_architecture_ascii(arch: Architecture) -> str:
    """Clients, the services with what they own, and every arrow between parts."""
    shape = "modular monolith" if arch.deployment == "modular-monolith" else "microservices"
    rows = [f"[{s.name}] owns {', '.join(s.entities)} -> {_stores(arch, s.name, s.datastore)}" for s in arch.services]
    lines = ["[clients]", "    |", "    v", *_box(f"{arch.system} ({shape})", rows)]
    arrows = []
    for service in arch.services:
        arrows += [f"  {service.name} --sync--> {callee}" for callee in service.depends_on]
        # an external reached only through the outbox (a push provider) is drawn by its event arrow below, never as a call
        arrows += [f"  {service.name} --call--> {ext} (external)" for ext in external_calls(arch, service.name)[0]]
    logs = sorted({event_source(arch, e) for e in arch.events} - {OUTBOX_SOURCE})
    parts = {c.name: c for c in arch.components}
    for event in arch.events:
        source = "" if event_source(arch, event) == OUTBOX_SOURCE else f"from {event_source(arch, event)}"
        for consumer in event.consumers:
            # one path per event and consumer (the broker, then a pub/sub to the gateway's nodes), as the text says it runs
            through = _through(arch, delivery_hops(arch, event, consumer)[:-1])
            arrows.append(f"  {event.producer} ~~{event.name}~~> {consumer_label(arch, consumer)}" + (f" ({source})" if source else "") + through)
    # a worker delivering events outside calls the external itself (a push sender, a webhook sender)
    arrows += [f"  {c.name} --call--> {ext} (external)" for c in arch.components for ext in c.calls or []]
    for flow in arch.flows:
        for step in flow.steps:
            if step.kind == "event" and step.source in parts and parts[step.source].kind == "worker" and step.target in parts:
                # a worker's writes, drawn where it writes (a fan-out worker's pushes into the lists' store)
                arrows.append(f"  {step.source} --writes--> {step.target}")
            if step.kind == "event" and step.via == "pubsub" and step.target in parts:
                # a write kept in memory publishes itself (no outbox, no domain event): its arrow says so
                carrier = parts[step.target].pubsub
                through = f", through {carrier} pub/sub" if carrier in parts else ""
                arrows.append(f"  {step.source} ~~{step.description.split(' via ')[0]}~~> {step.target} (published by the write path){through}")
    if arrows:
        through = "the outbox" + "".join(f", or {log} where marked" for log in logs)
        lines += ["", f"Arrows (--> synchronous, ~~> event through {through}):", *arrows]
    if arch.components:
        used = {c.name: [p for p in c.parts if p in parts] for c in arch.components}
        lines += [
            "",
            "Components:",
            *(f"  [{c.name}] {c.kind}: {c.technology}" + (f" (used by {', '.join(used[c.name])})" if used[c.name] else "") for c in arch.components),
        ]
    return "\n".join(lines) + "\n"


def _through(arch: Architecture, hops: list[str]) -> str:
    """The parts an event crosses before its consumer, in words: ``, through broker, then realtime-gateway's consumer and redis pub/sub``."""
    if not hops:
        return ""
    brokers = {c.name for c in arch.components if c.kind == "broker"}
    said = [hops[0] if hops[0] in brokers else f"{hops[0]} pub/sub"]
    if len(hops) == 3:
        said.append(f"then {hops[1]}'s consumer and {hops[2]} pub/sub")
    return ", through " + ", ".join(said)


def _stores(arch: Architecture, service: str, datastore: str | None) -> str:
    """Where the service's tables live: its database, and the component holding any table a store other than PostgreSQL keeps."""
    owned = next((s.entities for s in arch.services if s.name == service), [])
    elsewhere = [
        f"{c.name} ({c.technology}).{t.name}"
        for _, t in all_tables(arch)
        if t.wide_column is not None and t.entity in owned
        for c in arch.components
        if c.kind == "wide-column" and c.technology == t.wide_column.technology
    ]
    if not elsewhere:
        return str(datastore)
    return f"{', '.join(elsewhere)}; the rest (and the scaffold's stand-in) in {datastore}" if datastore else ", ".join(elsewhere)


def render_tables_ascii(store: Datastore) -> str:
    """Each table with its columns and the tables it references."""
    lines = [f"{store.name}" + (f" (schema {store.schema_name})" if store.schema_name else "")]
    for table in store.tables:
        refs = ", ".join(f"{','.join(fk.columns)} -> {fk.ref_table}" for fk in table.foreign_keys)
        lines.append(f"  {table.name} ({len(table.columns)} columns, {len(table.indexes)} indexes)" + (f"  refs: {refs}" if refs else ""))
    return "\n".join(lines) + "\n"
