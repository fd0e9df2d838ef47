"""The application factory: routers, error handling, logging, the deadline, and the background relay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy import Table

from . import contracts, health, logs, problems
from .auth import TokenVerifier
from .config import Settings, get_settings
from .db import Database
from .limits import RateLimiter
from .outbox import Relay, make_publisher
from .services import Services


def build(routers: Sequence[APIRouter], outboxes: Sequence[Table], *, title: str, settings: Settings | None = None, exchange: str = "events") -> FastAPI:
    """The ASGI application: the modules' routers under the API's base path, health, contracts."""
    settings = settings or get_settings()
    logs.configure(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings)
        app.state.services = Services(settings, db, TokenVerifier(settings), RateLimiter(settings.rate_limit_scale))
        stop = asyncio.Event()
        relay_task = None
        publisher = None
        if settings.relay_in_process and outboxes:
            publisher = make_publisher(settings.broker_url, db.engine, exchange)
            relay_task = asyncio.create_task(Relay(db.engine, outboxes, publisher, settings.relay_poll_s).run(stop))
        try:
            yield
        finally:
            stop.set()
            if relay_task is not None:
                await relay_task
            if publisher is not None:
                await publisher.close()
            await db.dispose()

    app = FastAPI(title=title, openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan, redirect_slashes=False)
    problems.install(app)
    for router in routers:
        app.include_router(router)
    app.state.api_routes = [route for router in routers for route in router.routes]
    app.include_router(health.router)
    app.include_router(contracts.router())
    app.add_middleware(logs.RequestContext, timeout_s=settings.request_timeout_s)
    return app
