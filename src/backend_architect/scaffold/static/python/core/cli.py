"""The deployable's commands (one image, one command per process type): serve, migrate, relay, jobs, and the workers the
design names: gateway (real-time), indexer (search documents), fanout (feeds), media (renditions), reactions (rows made after
other writes), reindex (a full rebuild)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from .config import get_settings


def _serve() -> None:
    import uvicorn

    settings = get_settings()
    package = __package__.rsplit(".", 1)[0]
    uvicorn.run(
        f"{package}.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,
        access_log=False,
        timeout_keep_alive=5,
        limit_concurrency=1000,
        h11_max_incomplete_event_size=16_384,
    )


async def _until_signalled(work: object) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await work(stop)  # type: ignore[operator]


def _worker(name: str) -> None:
    """Run one of the design's workers until SIGINT/SIGTERM: it shares the service's settings and backends."""
    from .. import app
    from . import backends, consumers, logs, media, reactions, search
    from .db import Database
    from .outbox import Relay

    settings = get_settings()
    logs.configure(settings.log_level)

    async def work(stop: asyncio.Event) -> None:
        db = Database(settings)
        built = backends.build(settings, db.engine, app.REGISTRY, app.EXCHANGE)

        async def index(conn: Any, event: dict[str, Any]) -> None:
            for indexed in search.handles(app.REGISTRY.searches, str(event["event_type"])):
                await search.reindex(conn, built.search, indexed, str(event["event_key"]))

        async def fan_out(conn: Any, event: dict[str, Any]) -> None:
            for spec in app.REGISTRY.feeds:
                if event["event_type"] in spec.events:
                    resource = spec.operation.resource
                    query = resource.table.select().where(resource.key == search.key_value(resource.key, str(event["event_key"])))
                    found = (await conn.execute(query)).mappings().first()
                    if found is not None:
                        await built.feeds.deliver(conn, spec, dict(found))

        async def react(conn: Any, event: dict[str, Any]) -> None:
            await reactions.handle(conn, app.REACTIONS, event)

        try:
            if name == "relay":
                await Relay(db.engine, app.OUTBOXES, built.publisher, settings.relay_poll_s).run(stop)
            elif name == "indexer":
                await consumers.run(db.engine, app.FEEDS, "search-indexer", index, stop)
            elif name == "fanout":
                await consumers.run(db.engine, app.FEEDS, "feed-fanout", fan_out, stop)
            elif name == "reactions":
                await consumers.run(db.engine, app.FEEDS, "reactions", react, stop)
            elif name == "media":
                await media.run(db.engine, built.objects, app.MEDIA, stop)
            elif name == "reindex":
                await _reindex(db, built)
            elif name == "rebuild":
                print(f"placed {await built.rebuild(db.engine)} value(s) in Redis")
        finally:
            await built.publisher.close()
            await db.dispose()

    asyncio.run(_until_signalled(work))


async def _reindex(db: Any, built: Any) -> None:
    """Every searched row into the search engine again (a lost or new index), in key order."""
    from .. import app
    from . import search

    for indexed in app.REGISTRY.searches:
        resource = indexed.resource
        async with db.engine.connect() as conn:
            keys = [str(k) for (k,) in (await conn.execute(resource.table.select().with_only_columns(resource.key).order_by(resource.key))).all()]
            for key in keys:
                await search.reindex(conn, built.search, indexed, key)
        print(f"reindexed {len(keys)} {resource.name} row(s)")


def _gateway() -> None:
    """The real-time gateway: the service's app (its channels' endpoints), and the one consumer feeding them from the outbox."""
    import uvicorn

    settings = get_settings()
    package = __package__.rsplit(".", 1)[0]
    uvicorn.run(f"{package}.app:create_gateway", factory=True, host=settings.host, port=settings.port, log_config=None, access_log=False)


def _jobs() -> None:
    from .. import app
    from . import logs
    from .db import Database
    from .jobs import schedule

    settings = get_settings()
    logs.configure(settings.log_level)

    async def work(stop: asyncio.Event) -> None:
        db = Database(settings)
        try:
            await schedule(db.engine, app.JOBS, stop)
        finally:
            await db.dispose()

    asyncio.run(_until_signalled(work))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=__package__.rsplit(".", 1)[0], description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the API (HOST, PORT, WORKERS from the environment)")
    migrate = commands.add_parser("migrate", help="apply pending migrations (MIGRATIONS_DATABASE_URL, else DATABASE_URL)")
    migrate.add_argument("--app-role", help="grant this role what the service needs (it must not own the tables)")
    commands.add_parser("relay", help="publish the outbox to BROKER_URL")
    commands.add_parser("jobs", help="run the designed batch jobs on their schedules")
    commands.add_parser("gateway", help="serve the real-time channels (WebSocket/SSE) and feed them from the outbox")
    commands.add_parser("indexer", help="keep the search engine's documents current from the outbox (SEARCH_URL)")
    commands.add_parser("fanout", help="push new items to the readers' precomputed feeds (REDIS_URL)")
    commands.add_parser("media", help="render the designed renditions of uploaded files")
    commands.add_parser("reactions", help="make the rows the design's reactions (after:) make, once per event of the writes they follow")
    commands.add_parser("reindex", help="put every searched row into the search engine again")
    commands.add_parser("rebuild", help="refill what Redis keeps (GEO sets, rankings) from the database")
    args = parser.parse_args(argv)
    if args.command == "serve":
        _serve()
    elif args.command == "migrate":
        from .migrate import migrate as apply

        url = os.environ.get("MIGRATIONS_DATABASE_URL") or os.environ.get("DATABASE_URL")
        if not url:
            print("set MIGRATIONS_DATABASE_URL or DATABASE_URL", file=sys.stderr)
            return 2
        for name in apply(url, args.app_role, os.environ.get("APP_ROLE_PASSWORD")):
            print(f"applied {name}")
    elif args.command == "jobs":
        _jobs()
    elif args.command == "gateway":
        _gateway()
    else:
        _worker(args.command)
    return 0
