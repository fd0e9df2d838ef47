"""IR -> Mermaid diagrams: the service architecture (flowchart) and one ER diagram per datastore."""

from __future__ import annotations

import re

from backend_architect.ir.database_nodes import database_nodes
from backend_architect.ir.model import Architecture, Column, Datastore, Event, Flow
from backend_architect.ir.query import DIRECT_SOURCE, OUTBOX_SOURCE, all_tables, delivery_hops, event_source, external_calls
from backend_architect.ir.runtime import Component


def node_id(prefix: str, name: str) -> str:
    """A Mermaid-safe node id.

    >>> node_id("svc", "order-lines")
    'svc_order_lines'
    """
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"


def _label(text: str) -> str:
    return text.replace('"', "'")


def _message(text: str) -> str:
    """A sequence diagram's message text: there a ``;`` ends the statement and ``#`` starts an entity code, so both are written as codes."""
    return _label(text).replace("#", "#35;").replace(";", "#59;")


def _shared_database(arch: Architecture) -> bool:
    """A modular monolith keeps every module's schema in one database: draw it once."""
    return arch.deployment == "modular-monolith"


def _db_node(arch: Architecture, datastore: str) -> str:
    return node_id("db", datastore.split(".")[0] if _shared_database(arch) else datastore)


def _db_label(arch: Architecture, datastore: str) -> str:
    if _shared_database(arch):
        schemas = ", ".join(s.schema_name or s.name for s in arch.datastores)
        db = datastore.split(".")[0]
        return f"{db} (PostgreSQL{_nodes(arch, db)}; schemas {schemas}{_stand_ins(arch, None)})"
    return f"{datastore} (PostgreSQL{_nodes(arch, datastore)}{_stand_ins(arch, datastore)})"


def _nodes(arch: Architecture, db: str) -> str:
    """The database's primary, standbys and read replicas, counted as every other section counts them."""
    nodes = database_nodes(arch, db)
    return f": {nodes}" if nodes else ""


def _stand_ins(arch: Architecture, datastore: str | None) -> str:
    """The tables the database keeps only as a development stand-in for a wide-column store, said where the database is drawn."""
    held = [
        (f"{s.schema_name}.{t.name}" if datastore is None and s.schema_name else t.name, t.wide_column.technology)
        for s in arch.datastores
        if datastore is None or s.name == datastore
        for t in s.tables
        if t.wide_column is not None
    ]
    return "".join(f"; {name}: a stand-in, {technology} holds it" for name, technology in held)


def _component_shape(kind: str, label: str) -> str:
    """Stores as cylinders, workers as subroutines, gateways and edges as hexagons."""
    if kind in {"cache", "key-value", "object-store", "search-engine", "wide-column", "warehouse"}:
        return f'[("{label}")]'
    if kind in {"worker", "scheduler"}:
        return f'[["{label}"]]'
    if kind in {"broker", "queue"}:
        return f'>"{label}"]'
    return f'{{{{"{label}"}}}}'


def render_architecture(arch: Architecture) -> str:
    """A flowchart: clients, services (inside the deployable when a monolith), datastores, externals and flows."""
    lines = ["flowchart LR", '    clients(["Clients"])']
    shape = "modular monolith" if arch.deployment == "modular-monolith" else "services"
    lines.append(f'    subgraph system["{_label(arch.system)} ({shape})"]')
    for service in arch.services:
        owned = ", ".join(service.entities)
        lines.append(f'        {node_id("svc", service.name)}["{_label(service.name)}<br/>{_label(owned)}"]')
    lines.append("    end")
    for store in arch.datastores:
        lines.append(f'    {_db_node(arch, store.name)}[("{_label(_db_label(arch, store.name))}")]')
    for external in arch.externals:
        lines.append(f'    {node_id("ext", external.name)}{{{{"{_label(external.name)} ({_label(external.kind)})"}}}}')
    relay_part = _relay_part(arch)
    for component in arch.components:
        if component is relay_part:
            continue  # drawn as the relay of each source of events below
        lines.append(f"    {node_id('cmp', component.name)}{_component_shape(component.kind, _label(f'{component.name} ({component.technology})'))}")
    relays = _relays(arch)
    for relay, label in relays.items():
        lines.append(f'    {relay}[["{_label(label)}"]]')
    requested = {step.target for flow in arch.flows for step in flow.steps if step.kind == "request"}
    # requests reach the services through the edge the design decided: the load balancer, then the API gateway
    edge = [c for c in arch.components if c.decision == "edge" and c.kind in {"load-balancer", "api-gateway"}]
    edge.sort(key=lambda c: c.kind != "load-balancer")
    entry = "clients"
    for component in edge:
        lines.append(f"    {entry} --> {node_id('cmp', component.name)}")
        entry = node_id("cmp", component.name)
    for service in arch.services:
        sid = node_id("svc", service.name)
        if service.name in requested:
            lines.append(f"    {entry} --> {sid}")
        if service.datastore:
            lines.append(f"    {sid} --> {_db_node(arch, service.datastore)}")
        for holder, tables in _held_elsewhere(arch, service.name).items():
            lines.append(f"    {sid} -->|{_label(', '.join(tables))}| {node_id('cmp', holder)}")
        for callee in service.depends_on:
            lines.append(f"    {sid} -->|sync| {node_id('svc', callee)}")
        for external_name in external_calls(arch, service.name)[0]:
            lines.append(f"    {sid} -->|call| {node_id('ext', external_name)}")
    for component in arch.components:
        if component.kind in {"realtime-gateway", "cdn"}:
            # clients reach these directly: live connections, and media from the edge
            lines.append(f"    clients --> {node_id('cmp', component.name)}")
        if component in edge or component is relay_part:
            continue  # drawn as the path of every request above, or as the relays of events
        for user in component.services:
            if component.name in _held_elsewhere(arch, user):
                continue  # drawn as the service's store above
            if any(s.name == user for s in arch.services):
                lines.append(f"    {node_id('svc', user)} --- {node_id('cmp', component.name)}")
        for part in component.parts:
            if any(c.name == part for c in arch.components):
                lines.append(f"    {node_id('cmp', part)} --- {node_id('cmp', component.name)}")
        for external_name in component.calls or []:
            # a worker delivering events outside calls the external itself: drawn from it, never from the broker or the relay
            lines.append(f"    {node_id('cmp', component.name)} -->|call| {node_id('ext', external_name)}")
    for event in arch.events:
        relay = _relay_of(arch, event)
        lines.append(f"    {node_id('svc', event.producer)} -.->|{_label(event.name)}| {relay}")
        for consumer in event.consumers:
            # one path per event and consumer (ir.query.delivery_hops), the one the text states: the broker, then a pub/sub
            *hops, _ = delivery_hops(arch, event, consumer)
            if any(s.name == consumer for s in arch.services):
                target = node_id("svc", consumer)
            elif any(e.name == consumer for e in arch.externals):
                target = node_id("ext", consumer)
            elif any(c.name == consumer for c in arch.components):
                target = node_id("cmp", consumer)
            else:
                target = node_id("sink", consumer)
            if target.startswith("sink_") and f'    {target}(["{consumer}"])' not in lines:
                lines.append(f'    {target}(["{_label(consumer)}"])')
            source = relay
            for hop in hops:
                node = node_id("cmp", hop)
                label = "consume" if _is_broker(arch, source) else "publish"
                lines.append(f"    {source} -.->|{label}| {node}")
                source = node
            said = ("|consume|" if _is_broker(arch, source) else "|pub/sub|") if hops else ""
            lines.append(f"    {source} -.->{said} {target}")
    workers = {c.name for c in arch.components if c.kind == "worker"}
    parts = {c.name for c in arch.components}
    for flow in arch.flows:
        for step in flow.steps:
            if step.kind == "event" and step.source in workers and step.target in parts:
                # a worker's writes are drawn where it writes (a fan-out worker's pushes into the lists' Redis)
                lines.append(f"    {node_id('cmp', step.source)} -->|writes| {node_id('cmp', step.target)}")
            if step.kind == "event" and step.via == "pubsub" and (carrier := _pubsub_of(arch, step.target)) is not None:
                # a write kept in memory publishes to the pub/sub itself (no outbox, no domain event): drawn as it runs
                name = _label(step.description.split(" via ")[0])
                lines.append(f"    {node_id('svc', step.source)} -.->|{name}| {node_id('cmp', carrier)}")
                lines.append(f"    {node_id('cmp', carrier)} -.->|pub/sub| {node_id('cmp', step.target)}")
    return "\n".join(dict.fromkeys(lines)) + "\n"


def _is_broker(arch: Architecture, node: str) -> bool:
    """Whether the diagram node ``node`` is the broker component."""
    return any(node == node_id("cmp", c.name) and c.kind == "broker" for c in arch.components)


def _pubsub_of(arch: Architecture, consumer: str) -> str | None:
    """The component whose pub/sub carries events to ``consumer`` (the real-time gateway's Redis), when the design runs both."""
    part = next((c for c in arch.components if c.name == consumer), None)
    if part is None or part.pubsub is None or not any(c.name == part.pubsub for c in arch.components):
        return None
    return part.pubsub


def _relay_of(arch: Architecture, event: Event) -> str:
    """The node an event leaves through: the outbox relay, the relay reading its table's CDC log, or its write path publishing itself."""
    source = event_source(arch, event)
    if source == OUTBOX_SOURCE:
        return "outbox"
    return node_id("direct", event.producer) if source == DIRECT_SOURCE else node_id("cdc", event.entity)


def _relay_part(arch: Architecture) -> Component | None:
    """The relay process the broker decision provisions (a worker of the messaging decision), if the design runs one."""
    return next((c for c in arch.components if c.kind == "worker" and c.decision == "messaging"), None)


def _relays(arch: Architecture) -> dict[str, str]:
    """One relay node per source of events: the outbox, each CDC log a store other than PostgreSQL publishes from, each write path
    publishing itself; labelled with the provisioned relay's name where the design runs one (the same part, drawn per source)."""
    part = _relay_part(arch)
    # no relay part: the outbox is relayed in process by the deployable (no broker to feed)
    relay = f"{part.name} ({part.technology})" if part is not None else "event relay (in process)"
    said = {OUTBOX_SOURCE: f"outbox / {relay}", DIRECT_SOURCE: "published by the write path itself (no outbox)"}
    return {_relay_of(arch, e): said.get(event_source(arch, e), f"{event_source(arch, e)} / {relay}") for e in arch.events}


def _held_elsewhere(arch: Architecture, service: str) -> dict[str, list[str]]:
    """The tables of ``service`` a component other than PostgreSQL holds (a wide-column store), by that component: drawn as its store."""
    held: dict[str, list[str]] = {}
    owned = next((s.entities for s in arch.services if s.name == service), [])
    for _, table in all_tables(arch):
        if table.wide_column is not None and table.entity in owned:
            component = next((c.name for c in arch.components if c.kind == "wide-column" and c.technology == table.wide_column.technology), None)
            if component is not None:
                held.setdefault(component, []).append(table.name)
    return held


def _attribute_type(column: Column) -> str:
    return {"timestamptz": "timestamptz", "varchar": "varchar", "char": "char", "numeric": "numeric"}.get(column.type, column.type)


def render_er(store: Datastore) -> str:
    """An ``erDiagram`` of one datastore, with keys and cardinalities.

    A reference between rows on different servers (``ForeignKey.checked_by``) is drawn as the relation it is, labelled as
    checked by the application, and its column is not marked FK: the DDL declares no constraint for it.
    """
    lines = ["erDiagram"]
    for table in store.tables:
        fk_columns = {c for fk in table.foreign_keys if not fk.checked_by for c in fk.columns}
        unique_columns = {u.columns[0] for u in table.uniques if len(u.columns) == 1}
        lines.append(f"    {table.name} {{")
        for column in table.columns:
            keys = [k for k, on in (("PK", column.name in table.primary_key), ("FK", column.name in fk_columns), ("UK", column.name in unique_columns)) if on]
            comment = f' "{_label(column.comment)}"' if column.comment else ""
            lines.append(f"        {_attribute_type(column)} {column.name}{' ' + ', '.join(keys) if keys else ''}{comment}")
        lines.append("    }")
    names = {t.name for t in store.tables}
    for table in store.tables:
        for fk in table.foreign_keys:
            if fk.ref_table not in names:
                continue
            nullable = any(c.nullable for c in table.columns if c.name in fk.columns)
            left = "|o" if nullable else "||"
            label = f"{fk.relation} (no foreign key: checked by the application)" if fk.checked_by else fk.relation
            lines.append(f'    {fk.ref_table} {left}--o{{ {table.name} : "{_label(label)}"')
    return "\n".join(lines) + "\n"


def crossing_flows(arch: Architecture) -> list[Flow]:
    """Use cases that involve more than their own service (calls, queries, sagas, events), a reaction to another's event included."""
    return [f for f in arch.flows if len(f.steps) > 1 or (f.steps and f.steps[0].kind == "event")]
