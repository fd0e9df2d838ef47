"""IR channels -> the AsyncAPI 3.0 document of the real-time gateway: what it pushes to connected clients, on which channel.

The gateway is a server clients connect to (WebSocket, or server-sent events); each channel is
an address with the id that scopes it (``conversations/{conversation_id}/messages``), and
each operation is a ``send`` from the gateway to the subscribed clients.
"""

from __future__ import annotations

from typing import Any

from backend_architect.ir.model import Architecture, Table
from backend_architect.ir.payloads import pushed_event, row_payload_columns
from backend_architect.ir.pubsub_publishes import publish_basis, pubsub_publishes
from backend_architect.ir.query import delivery_routes
from backend_architect.ir.runtime import RealtimeChannel
from backend_architect.render.asyncapi import ASYNCAPI_VERSION, column_schema, contract_fields, event_payload

#: Where the document says the gateway listens; deployments put their own host here.
GATEWAY_HOST = "realtime.example.com"


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-") if part)


def _payload(channel: RealtimeChannel, table: Table | None, contract: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The row a channel pushes when no domain event carries it (a value the write path publishes to pub/sub itself); a JSON
    field has the shape its contract gives it (``contract_fields``)."""
    properties: dict[str, Any] = {
        "event_id": {"type": "string", "format": "uuid", "description": "Unique per event: a client skips ids it has seen (hops before pub/sub redeliver)."},
        "occurred_at": {"type": "string", "format": "date-time"},
    }
    # the properties the gateway's egress is sized by (ir.payloads): the contract shows the message that is counted
    for field, column in row_payload_columns(channel.fields, channel.withheld, table):
        properties[field] = contract[field] if column.type == "jsonb" and field in contract else column_schema(column)
    return {"type": "object", "required": ["event_id", "occurred_at"], "properties": properties}


def _connecting(public: bool, private: bool) -> str:
    """How a client connects (the gateway decision says the same): anonymously for public channels, with its token for private ones."""
    if not public:
        return "A client connects once, authenticates with its access token"
    if not private:
        return "A client connects once, anonymously (every channel is public: the reads it mirrors need no login),"
    return "A client connects once, anonymously for the public channels and with its access token for the private ones,"


def render_realtime_asyncapi(arch: Architecture, tables: dict[str, Table]) -> dict[str, Any] | None:
    """The gateway's AsyncAPI document (given the tables by entity), or None when the design has no real-time channel."""
    if not arch.channels:
        return None
    websocket = any(c.transport == "websocket" for c in arch.channels)
    public = any(c.access == "public" for c in arch.channels)
    private = any(c.access == "private" for c in arch.channels)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    events = {e.name: e for e in arch.events}
    for channel in arch.channels:
        key = _pascal(channel.name)
        names = [f"{event}On{key}" for event in channel.events]
        for event, message in zip(channel.events, names, strict=True):
            # the message a domain event carries is pushed as it is: one name, one payload, the schema the producer's document defines
            known = events.get(event)
            # ... unless it carries personal fields the channel's recipients may not see: then the gateway pushes it without them
            hidden = known is not None and bool(set(channel.withheld) & set(known.fields))
            schema = f"{event}Payload" if known is not None and not hidden else f"{message}Payload"
            messages[message] = {
                "name": event,
                "title": event,
                "summary": f"A {channel.entity} written by {', '.join(repr(p) for p in channel.publishers) or 'a write'}.",
                "contentType": "application/json",
                "payload": {"$ref": f"#/components/schemas/{schema}"},
            }
            contract = contract_fields(arch, known.entity if known is not None else channel.entity)
            table = tables.get(known.entity if known is not None else channel.entity)
            schemas[schema] = event_payload(pushed_event(known, channel.withheld), table, contract) if known is not None else _payload(channel, table, contract)
            if channel.withheld:
                schemas[schema]["description"] = (
                    f"The {channel.entity} as its recipients, other users, see it: without its personal (pii) fields ({', '.join(channel.withheld)})."
                )
        # whom each message goes to is read from the message itself (design.routing_fields): the description names the property
        named = sorted({r.field for e in channel.events if e in events for r in events[e].recipients if r.parameter in channel.parameters})
        naming = f", named by each message's {' or '.join(named)}" if named else ""
        channels[key] = {
            "address": channel.address,
            "description": f"Recipients: {channel.recipients}{naming}; {channel.deliveries_per_s:,.0f} deliveries/s at peak; "
            f"{pubsub_publishes(arch, channel):,.0f} PUBLISH/s on the gateway's pub/sub ({publish_basis(arch, channel)}). Offline: {channel.offline}.",
            "messages": {message: {"$ref": f"#/components/messages/{message}"} for message in names},
        }
        if channel.parameters:
            channels[key]["parameters"] = {p: {"description": f"Id the channel is scoped by ({p})."} for p in channel.parameters}
        operations[f"push{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"Push {', '.join(channel.events)} to the clients subscribed to {channel.address} "
            f"(for {', '.join(repr(u) for u in channel.use_cases)}).",
            "description": "Public: anyone may subscribe without a token."
            if channel.access == "public"
            else "Private: the subscriber authenticates with its access token.",
            "messages": [{"$ref": f"#/channels/{key}/messages/{message}"} for message in names],
        }
        if channel.access == "private" and public:
            # the server takes anonymous connections for the public channels: the token is asked where a channel is private
            operations[f"push{key}"]["security"] = [{"$ref": "#/components/securitySchemes/accessToken"}]
    gateways = [c.name for c in arch.components if c.kind == "realtime-gateway"]
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": f"{arch.system} real-time gateway",
            "version": "1.0.0",
            "description": f"What the gateway pushes to connected clients. {_connecting(public, private)} and subscribes to the channels it "
            "may read (the gateway checks each like the matching read operation); after a reconnect it does what each channel's "
            "'Offline' says (the REST read that returns what it missed from its last cursor, where the channel names one)."
            # how the events it pushes reach its nodes: the one path the diagrams and the producers' documents state
            + "".join(f" {events[0].upper()}{events[1:]}: {note}." for c in gateways for events, note in delivery_routes(arch, c)),
        },
        "defaultContentType": "application/json",
        "servers": {
            "gateway": {
                "host": GATEWAY_HOST,
                "protocol": "wss" if websocket else "https",
                "pathname": "/v1/realtime",
                "description": ("WebSocket endpoint" if websocket else "server-sent events endpoint (text/event-stream)")
                + ("; anonymous connections are accepted for the public channels" if public else ""),
                **({} if public else {"security": [{"$ref": "#/components/securitySchemes/accessToken"}]}),
            }
        },
        "channels": dict(sorted(channels.items())),
        "operations": dict(sorted(operations.items())),
        "components": {
            "messages": dict(sorted(messages.items())),
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"accessToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "The client's access token."}},
        },
    }
