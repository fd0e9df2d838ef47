"""The application factory: routers, error handling, logging, the deadline, the backends, and the background workers.

In one process (``RELAY_IN_PROCESS``, the default where the design polls its outbox) the
service also runs the relay and the real-time feed; deployed as the design plans, each runs
as its own command (``relay``, ``gateway``, ``indexer``, ``fanout``, ``media``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy import Table

from . import accounts, backends, consumers, contracts, health, keys, logs, objects, problems, realtime
from .auth import TokenVerifier
from .config import Settings, get_settings
from .db import Database
from .limits import RateLimiter, RedisRateLimiter
from .outbox import Relay
from .services import Services


def limiter_for(settings: Settings, built: backends.Backends) -> RateLimiter | RedisRateLimiter:
    """Buckets in Redis when it is configured (shared by every instance), else in this process."""
    client = getattr(built.latest, "client", None)
    return RedisRateLimiter(client, settings.rate_limit_scale) if client is not None else RateLimiter(settings.rate_limit_scale)


def gateway_feed(services: Services, channels: Sequence[realtime.Channel]) -> consumers.Handler:
    """The real-time gateway's outbox consumer: each event, published on the addresses of its channels."""

    async def handle(conn: object, event: dict[str, object]) -> None:
        for message in realtime.messages(channels, event):
            await realtime.publish(services, message)

    return handle


def build(
    routers: Sequence[APIRouter],
    outboxes: Sequence[Table],
    *,
    title: str,
    settings: Settings | None = None,
    exchange: str = "events",
    registry: backends.Registry | None = None,
    channels: Sequence[realtime.Channel] = (),
    feeds: Sequence[consumers.Feed] = (),
    base_path: str = "/v1",
    gateway: bool = False,
) -> FastAPI:
    """The ASGI application: the modules' routers under the API's base path, health, contracts, uploads and the real-time gateway."""
    settings = settings or get_settings()
    logs.configure(settings.log_level)
    keys.BASE["url"] = (settings.public_base_url or f"http://{settings.host}:{settings.port}").rstrip("/") + base_path

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings)
        built = backends.build(settings, db.engine, registry or backends.Registry(), exchange)
        services = Services(settings, db, TokenVerifier(settings), limiter_for(settings, built), built)
        app.state.services = services
        app.state.hub = realtime.Hub()
        stop = asyncio.Event()
        tasks = []
        if settings.relay_in_process and outboxes:
            tasks.append(asyncio.create_task(Relay(db.engine, outboxes, built.publisher, settings.relay_poll_s).run(stop)))
        if channels:
            tasks.append(asyncio.create_task(realtime.listen(app, stop)))
            if settings.relay_in_process or gateway:
                tasks.append(asyncio.create_task(consumers.run(db.engine, feeds, "realtime-gateway", gateway_feed(services, channels), stop)))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                await task
            await built.publisher.close()
            await db.dispose()

    app = FastAPI(title=title, openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan, redirect_slashes=False)
    problems.install(app)
    for router in routers:
        app.include_router(router)
    app.state.api_routes = [route for router in routers for route in router.routes]
    app.include_router(health.router)
    app.include_router(contracts.router())
    app.include_router(objects.router())
    app.include_router(accounts.jwks_router())
    if channels:
        app.include_router(realtime.router(channels, base_path))
    app.add_middleware(logs.RequestContext, timeout_s=settings.request_timeout_s, streams=(f"{base_path}/realtime/",) if channels else ())
    return app
