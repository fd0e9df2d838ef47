"""IR events -> an AsyncAPI 3.0 document per service: what it publishes and what it consumes.

Every event travels in an envelope (``event_id`` for idempotent consumers, ``occurred_at``,
the ordering key) and is published through the producer's transactional outbox, or from the CDC log of
the store holding its table when that is not PostgreSQL (``ir.query.event_source``).
"""

from __future__ import annotations

import re
from typing import Any

from backend_architect.ir.consumers import consumed_how, consumer_labels
from backend_architect.ir.model import Architecture, Column, Event, EventRecipients, Table
from backend_architect.ir.payloads import payload_columns
from backend_architect.ir.query import OUTBOX_SOURCE, delivery_note, direct_note, event_source, published_by
from backend_architect.render.openapi import property_schema

ASYNCAPI_VERSION = "3.0.0"


def channel_address(arch: Architecture, event: Event) -> str:
    """``bookstore.orders.order-placed``: system, producer, event in kebab case."""
    return f"{arch.system}.{event.producer}.{re.sub(r'(?<!^)(?=[A-Z])', '-', event.name).lower()}"


def column_schema(column: Column) -> dict[str, Any]:
    """The JSON Schema of one column's values in a message payload."""
    kind = column.type
    if kind == "uuid":
        schema: dict[str, Any] = {"type": "string", "format": "uuid"}
    elif kind in {"bigint", "integer", "smallint"}:
        schema = {"type": "integer"}
    elif kind == "numeric":
        schema = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "timestamptz":
        schema = {"type": "string", "format": "date-time"}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "jsonb":
        schema = {"type": "object"}
    else:
        schema = {"type": "string"}
        if column.length:
            schema["maxLength"] = column.length
    if column.enum_values:
        # a nullable column's null is one of its allowed values: JSON Schema checks enum besides type
        schema["enum"] = [*column.enum_values, *([None] if column.nullable else [])]
    return {"type": [schema["type"], "null"], **{k: v for k, v in schema.items() if k != "type"}} if column.nullable else schema


#: What a contract property says that a payload has no use for: who may send it, and the PII marker the API reviewers read.
_CONTRACT_ONLY = frozenset({"readOnly", "writeOnly", "x-pii"})


def contract_fields(arch: Architecture, entity: str) -> dict[str, dict[str, Any]]:
    """The schema the entity's read contract gives each of its JSON fields (``{field: schema}``).

    A JSON column says only "an object" to the database, while the contract says what the field holds (a list of country codes,
    a map): an event carrying the field must say the same, or a consumer built from the AsyncAPI document rejects (or
    mis-types) what the REST client was promised. The read shape is the entity's schema named for it (no Create, Update,
    Page or Request suffix); a property that refers to another schema is left out, since that schema lives in the OpenAPI
    document alone.
    """
    out: dict[str, dict[str, Any]] = {}
    for api in arch.apis:
        for schema in api.schemas:
            if schema.entity != entity or schema.name.endswith(("Create", "Update", "Page", "Request")):
                continue
            for prop in schema.properties:
                if prop.ref is None and prop.name not in out:
                    out[prop.name] = {k: v for k, v in property_schema(prop).items() if k not in _CONTRACT_ONLY}
    return out


def event_payload(event: Event, table: Table | None, contract: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON Schema of ``event``'s payload (``ir.payloads``): every document naming the event carries this one schema.

    A JSON field takes the shape its contract gives it (``contract_fields``): the same field has one type in every document.
    """
    properties: dict[str, Any] = {
        "event_id": {"type": "string", "format": "uuid", "description": "Unique per event: consumers skip ids they have processed."},
        "occurred_at": {"type": "string", "format": "date-time"},
    }
    parts = {p.table: p for p in event.parts}
    routing = {r.field: r for r in event.recipients}
    required = ["event_id", "occurred_at", event.key]
    for name, column in payload_columns(event, table):
        schema = column_schema(column) if column is not None else {"type": "string", "format": "uuid"}
        if column is not None and column.type == "jsonb" and name in (contract or {}):
            schema = (contract or {})[name]
        if name in routing:
            schema, needed = _recipients_schema(routing[name], schema)
            required += [name] if needed and name not in required else []
        if name in parts:
            rows = {c.name: column_schema(c) for c in parts[name].columns}
            item = {"type": "object", "required": list(rows), "properties": rows}
            schema = {"type": "array", "items": item, "description": f"The {name} rows written with the {event.entity}."}
        if name == event.key:
            what = f"Id of the {event.entity}" if column is None or column.name == "id" else f"{column.name} of the {event.entity}"
            routed = f" {schema['description']}" if name in routing else ""
            schema = {**schema, "description": f"{what}; the ordering (partition) key.{routed}"}
        properties[name] = schema
    return {"type": "object", "required": required, "properties": properties}


def _recipients_schema(routing: EventRecipients, schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema of the property the gateway routes by, saying so, and whether every message carries it (a list always does)."""
    channel = f"the gateway publishes the message on the channel whose {routing.parameter} is"
    if routing.many:
        item = column_schema(routing.column)
        return {"type": "array", "items": item, "description": f"Recipients ({routing.reached}); {channel} each of these ids."}, True
    return {**schema, "description": f"Recipient ({routing.reached}); {channel} this id."}, not routing.column.nullable


def _either(names: list[str]) -> str:
    """The writes publishing an event, quoted, for a summary: 'a' or 'b'.

    >>> _either(["mark delivered"]), _either(["mark delivered", "mark read"])
    ("'mark delivered'", "'mark delivered' or 'mark read'")
    """
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _publish(arch: Architecture, event: Event) -> str:
    """How the producer publishes ``event``: through its outbox, or from the source that takes the write instead (no outbox row)."""
    source = event_source(arch, event)
    said = "Publish through the transactional outbox" if source == OUTBOX_SOURCE else f"Publish from {source} (no outbox row)"
    return f"{said} when '{event.use_case}' commits" if direct_note(arch, event.name) else said


def _consume(arch: Architecture, event: Event, service: str) -> str:
    """The receive operation's promise: idempotent, and how (``ir.consumers.consumed_how``)."""
    return f"Consume idempotently ({consumed_how(arch, event, service)})"


def _sources(arch: Architecture, published: list[Event]) -> str:
    """How the service's events reach the relay: an outbox row committed with the change, or a store's CDC log, each named once."""
    logs = sorted({event_source(arch, e) for e in published} - {OUTBOX_SOURCE})
    outbox = any(event_source(arch, e) == OUTBOX_SOURCE for e in published) or not published
    said = ["Producers write to an outbox table in the same transaction as the change"] if outbox else []
    said += [f"{', '.join(e.name for e in published if event_source(arch, e) == log)}: published from {log} (no outbox row)" for log in logs]
    said += [note for e in published if (note := direct_note(arch, e.name))]
    return "; ".join(said) + "; "


def render_asyncapi(arch: Architecture, service: str, published: list[Event], consumed: list[Event], tables: dict[str, Table]) -> dict[str, Any] | None:
    """The AsyncAPI document of ``service`` (given its events and the tables by entity), or None without events."""
    # a service consuming its own event (through a worker it runs: the indexer of its rows) receives it as any consumer does,
    # on the channel it sends to (ir.consumers)
    if not published and not consumed:
        return None
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for event, action in [*((e, "send") for e in published), *((e, "receive") for e in consumed)]:
        messages[event.name] = {
            "name": event.name,
            "title": event.name,
            "summary": f"Published by {event.producer} when {_either(published_by(event))} "
            + ("commits." if event_source(arch, event) == OUTBOX_SOURCE else f"is written, from {event_source(arch, event)} (no outbox row).")
            + (f" Also: {direct}." if (direct := direct_note(arch, event.name)) else ""),
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{event.name}Payload"},
        }
        schemas[f"{event.name}Payload"] = event_payload(event, tables.get(event.entity), contract_fields(arch, event.entity))
        channels[event.name] = {
            "address": channel_address(arch, event),
            "description": f"Consumers: {', '.join(consumer_labels(arch, event)) or 'none yet'}. Ordered per {event.key}; delivered at least once."
            # the path a pub/sub-fed consumer's messages take past the broker: the one the diagrams draw (ir.query.delivery_hops)
            + "".join(f" {note[0].upper()}{note[1:]}." for c in event.consumers if (note := delivery_note(arch, event, c)))
            # the same message a write kept in memory publishes itself reaches its consumers another way: said beside
            + (f" Besides, {direct}." if (direct := direct_note(arch, event.name)) else ""),
            "messages": {event.name: {"$ref": f"#/components/messages/{event.name}"}},
        }
        verb = "publish" if action == "send" else "consume"
        operations[f"{verb}{event.name}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{event.name}"},
            "summary": f"{_publish(arch, event) if action == 'send' else _consume(arch, event, service)}: {event.name}."
            + (f" Besides, {direct}." if action == "send" and (direct := direct_note(arch, event.name)) else ""),
            "messages": [{"$ref": f"#/channels/{event.name}/messages/{event.name}"}],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": f"{arch.system} {service} events",
            "version": "1.0.0",
            "description": f"Events {service} publishes and consumes. {_sources(arch, published)}"
            "a relay publishes; consumers are idempotent and process one key in order.",
        },
        "defaultContentType": "application/json",
        "channels": dict(sorted(channels.items())),
        "operations": dict(sorted(operations.items())),
        "components": {"messages": dict(sorted(messages.items())), "schemas": dict(sorted(schemas.items()))},
    }
