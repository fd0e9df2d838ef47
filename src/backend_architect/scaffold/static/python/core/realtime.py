"""The real-time gateway: clients subscribe to the design's channels and receive each event as it commits.

``python -m <package> gateway`` serves ``/v1/realtime`` (the AsyncAPI document's endpoint):
a WebSocket client sends ``{"type": "auth", "token": ...}`` first (tokens stay out of URLs
and logs), then ``{"type": "subscribe", "channel": "orders/<id>"}`` per channel; a server-sent
events client asks ``GET /v1/realtime/<channel>`` with its bearer token. A client with no token
(a visitor) skips the ``auth`` message: it may subscribe to the public channels (the design's
``access: public``, whose reads need no login) and is refused the private ones. Each subscription is
checked like the read it mirrors: the scopes, and the row it is scoped by must be one the
caller may read (their own, where that read is owner-only). The gateway's feed consumer
reads the outbox and publishes each event on its channels' addresses, through Redis pub/sub
(``REDIS_URL``) or PostgreSQL NOTIFY; every gateway process delivers to its own clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from sqlalchemy import select, text

from .access import visible
from .auth import Policy, Principal, authenticate, client_address, principal_of
from .problems import Problem
from .refs import Ref
from .resources import Resource
from .services import Context

log = structlog.get_logger(__name__)

#: Subscriptions one connection may hold, and messages queued for a slow client before it is dropped.
MAX_SUBSCRIPTIONS = 100
QUEUE_SIZE = 1_000
NOTIFY_CHANNEL = "realtime"
_PARAM = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class Channel:
    """A designed channel: its address template, the events it carries, who may subscribe, and the row it is scoped by."""

    address: str
    events: tuple[str, ...]
    transport: str
    policy: Policy
    #: The resource the channel's parameter names (checked visible to the subscriber), and the owner column of the read it mirrors.
    scope: Resource | None = None
    owner: Ref | None = None
    #: A parameter that must be the subscriber's own id (a channel ``to:`` a recipient).
    subject_param: str | None = None

    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + _PARAM.sub(r"(?P<\1>[^/]+)", re.escape(self.address).replace(r"\{", "{").replace(r"\}", "}")) + "$")

    def concrete(self, payload: dict[str, Any]) -> str | None:
        """The address an event's payload goes to (its parameters filled from the payload), or None when it lacks one."""
        values = {name: payload.get(name) for name in _PARAM.findall(self.address)}
        if any(v is None for v in values.values()):
            return None
        return self.address.format(**{k: str(v) for k, v in values.items()})


class Hub:
    """The subscribers of this process, by concrete address; messages from pub/sub are handed to their queues."""

    def __init__(self) -> None:
        self.subscribers: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)

    def add(self, address: str, queue: asyncio.Queue[str]) -> None:
        self.subscribers[address].add(queue)

    def remove(self, queue: asyncio.Queue[str]) -> None:
        for queues in self.subscribers.values():
            queues.discard(queue)

    def deliver(self, message: str) -> None:
        address = json.loads(message).get("channel", "")
        for queue in list(self.subscribers.get(address, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                log.warning("slow subscriber dropped", channel=address)
                self.remove(queue)


def match(channels: Sequence[Channel], address: str) -> tuple[Channel, dict[str, str]] | None:
    for channel in channels:
        found = channel.pattern().match(address)
        if found:
            return channel, found.groupdict()
    return None


async def authorize(ctx: Context, channel: Channel, params: dict[str, str]) -> None:
    """Subscribe only where the mirrored read would answer: the subject's own channel, a row the caller may read."""
    if channel.subject_param is not None and params.get(channel.subject_param) != ctx.principal.subject:
        raise Problem(403, "This channel carries another caller's messages.")
    if channel.scope is None or not params:
        return
    resource = channel.scope
    value = next(iter(params.values()))
    try:
        key = resource.lookup.type.python_type(value) if resource.key_kind == "int" else value
    except (TypeError, ValueError):
        raise Problem(404, f"No {resource.name} with this id exists, or you may not see it.") from None
    query = select(resource.key).where(resource.lookup == key, *visible(ctx, resource, channel.owner))
    async with ctx.services.db.reading(ctx.principal.tenant, tenant_scoped=resource.tenant is not None) as conn:
        if (await conn.execute(query)).first() is None:
            raise Problem(404, f"No {resource.name} with this id exists, or you may not see it.")


async def _context(request: Any, policy: Policy, token: str | None = None, socket: bool = False) -> Context:
    services = request.app.state.services
    if token is None and socket and policy.auth != "required":
        return Context(request, Principal(None, frozenset(), None, client_address(request)), services, {})
    if token is None and socket:
        raise Problem(401, "This channel is private: send {\"type\": \"auth\", \"token\": ...} first.")
    if token is not None:
        principal = await principal_of(token, policy, services.verifier, services.settings.auth_tenant_claim, client_address(request))
    else:
        principal = await authenticate(request, policy, services.verifier, services.settings.auth_tenant_claim)
    return Context(request, principal, services, {})


def router(channels: Sequence[Channel], base_path: str) -> APIRouter:
    routes = APIRouter()

    @routes.websocket(f"{base_path}/realtime")
    async def websocket(socket: WebSocket) -> None:
        await socket.accept()
        hub: Hub = socket.app.state.hub
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        sender = asyncio.create_task(_send(socket, queue))
        try:
            first = json.loads(await asyncio.wait_for(socket.receive_text(), timeout=10))
            token = first.get("token") if first.get("type") == "auth" else None
            if first.get("type") == "auth" and not isinstance(token, str):
                await socket.close(code=4401)
                return
            # a visitor sends no auth message: its first message is already a subscription (public channels only)
            pending: dict[str, Any] | None = None if token is not None else first
            held = 0
            while True:
                message, pending = (pending, None) if pending is not None else (json.loads(await socket.receive_text()), None)
                address = str(message.get("channel", ""))
                found = match(channels, address) if message.get("type") == "subscribe" else None
                if found is None or held >= MAX_SUBSCRIPTIONS:
                    await queue.put(json.dumps({"type": "error", "channel": address, "detail": "unknown channel or too many subscriptions"}))
                    continue
                channel, params = found
                try:
                    ctx = await _context(socket, channel.policy, token, socket=True)
                    await authorize(ctx, channel, params)
                except Problem as refused:
                    await queue.put(json.dumps({"type": "error", "channel": address, "status": refused.status, "detail": refused.detail}))
                    continue
                hub.add(address, queue)
                held += 1
                await queue.put(json.dumps({"type": "subscribed", "channel": address}))
        except (WebSocketDisconnect, TimeoutError, json.JSONDecodeError, AttributeError):
            pass
        finally:
            hub.remove(queue)
            sender.cancel()

    @routes.get(f"{base_path}/realtime/{{address:path}}", include_in_schema=False)
    async def events(request: Request, address: str) -> StreamingResponse:
        found = match(channels, address)
        if found is None:
            raise Problem(404, "No such channel.")
        channel, params = found
        ctx = await _context(request, channel.policy)
        await authorize(ctx, channel, params)
        hub: Hub = request.app.state.hub
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        hub.add(address, queue)

        async def stream() -> AsyncIterator[bytes]:
            try:
                yield b": subscribed\n\n"
                while True:
                    try:
                        message = await asyncio.wait_for(queue.get(), timeout=15)
                    except TimeoutError:
                        yield b": keep-alive\n\n"
                        continue
                    yield f"data: {message}\n\n".encode()
            finally:
                hub.remove(queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    return routes


async def _send(socket: WebSocket, queue: asyncio.Queue[str]) -> None:
    with contextlib.suppress(Exception):
        while True:
            await socket.send_text(await queue.get())


def messages(channels: Sequence[Channel], event: dict[str, Any]) -> list[str]:
    """The messages an outbox event becomes: one per channel carrying its type, at the address its payload names."""
    out = []
    for channel in channels:
        if event["event_type"] not in channel.events:
            continue
        address = channel.concrete(event["payload"])
        if address is not None:
            out.append(json.dumps({"channel": address, "event": event["event_type"], "data": event["payload"]}, default=str))
    return out


async def listen(app: Any, stop: asyncio.Event) -> None:
    """Hand every published message to this process's subscribers: Redis pub/sub, or PostgreSQL LISTEN."""
    hub: Hub = app.state.hub
    services = app.state.services
    client = getattr(services.backends.latest, "client", None)
    while not stop.is_set():
        try:
            if client is not None:
                pubsub = client.pubsub()
                await pubsub.subscribe(NOTIFY_CHANNEL)
                while not stop.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None:
                        data = message["data"]
                        hub.deliver(data.decode() if isinstance(data, bytes) else str(data))
            else:
                import psycopg

                from .db import async_url

                url = async_url(services.settings.database_url).replace("postgresql+psycopg://", "postgresql://", 1)
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as listener:
                    await listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    while not stop.is_set():
                        async for notice in listener.notifies(timeout=1.0):
                            hub.deliver(notice.payload)
        except Exception:
            log.exception("real-time feed interrupted; reconnecting")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)


async def publish(services: Any, message: str) -> None:
    """Publish one message to every gateway process."""
    client = getattr(services.backends.latest, "client", None)
    if client is not None:
        await client.publish(NOTIFY_CHANNEL, message)
        return
    async with services.db.engine.begin() as conn:
        await conn.execute(text("SELECT pg_notify(:channel, :message)"), {"channel": NOTIFY_CHANNEL, "message": message})
