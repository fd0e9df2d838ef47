"""The deployable's commands: serve, migrate, relay, jobs (one image, one command per process type)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence

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


def _relay() -> None:
    from .. import app
    from . import logs
    from .db import Database
    from .outbox import Relay, make_publisher

    settings = get_settings()
    logs.configure(settings.log_level)

    async def work(stop: asyncio.Event) -> None:
        db = Database(settings)
        publisher = make_publisher(settings.broker_url, db.engine, app.EXCHANGE)
        try:
            await Relay(db.engine, app.OUTBOXES, publisher, settings.relay_poll_s).run(stop)
        finally:
            await publisher.close()
            await db.dispose()

    asyncio.run(_until_signalled(work))


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
    elif args.command == "relay":
        _relay()
    else:
        _jobs()
    return 0
