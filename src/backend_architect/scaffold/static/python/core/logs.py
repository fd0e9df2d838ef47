"""Structured logging: one JSON object per line, a request id on every line, no bodies, tokens or personal data."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import time
import uuid
from typing import Any

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, TITLES

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class _JsonLines(logging.Formatter):
    """Standard-library records (uvicorn's, third parties') as the same JSON lines."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


def configure(level: str) -> None:
    """structlog renders straight to stdout (a request's line costs microseconds); the standard library's records too."""
    number = logging.getLevelName(level.upper())
    number = number if isinstance(number, int) else logging.INFO
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=lambda obj, **_: orjson.dumps(obj, default=str)),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(number),
        logger_factory=structlog.BytesLoggerFactory(sys.stdout.buffer),
        cache_logger_on_first_use=True,
    )
    formatter = _JsonLines()
    formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(number)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # the middleware below logs every request once


class RequestContext:
    """Pure ASGI middleware: a request id, one log line per request, a deadline on every request, and bugs answered as 500 problems.

    The deadline keeps a slow database or a stuck client from holding a worker: past it the
    client gets a problem response (the closest status its operation declares) and the work
    is cancelled.
    """

    def __init__(self, app: ASGIApp, timeout_s: float, streams: tuple[str, ...] = ()) -> None:
        self.app = app
        self.timeout_s = timeout_s
        #: Path prefixes of long-lived streams (server-sent events): no deadline, they last as long as the client listens.
        self.streams = streams
        self.log = structlog.get_logger("request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        deadline = None if self.streams and str(scope.get("path", "")).startswith(self.streams) else self.timeout_s
        try:
            async with asyncio.timeout(deadline):
                await self.app(scope, receive, send_with_id)
        except TimeoutError:
            if not response_started:
                status = await _failed(scope, send_with_id, 503, "The request took too long; retry later.")
        except Exception:
            self.log.exception("unhandled error")
            if not response_started:
                status = await _failed(scope, send_with_id, 500, "Unexpected error; it has been logged. Idempotent requests are safe to retry.")
        finally:
            route = scope.get("route")
            self.log.info(
                "request",
                method=scope["method"],
                route=getattr(route, "path", None),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


async def _failed(scope: Scope, send: Send, status: int, detail: str) -> int:
    """A problem response sent from outside the app (after a timeout or a bug), with a status the operation declares."""
    declared = scope.get("state", {}).get("declared_statuses")
    if declared is not None and status not in declared:
        status = 500
    slug, title = TITLES[status]
    body = orjson.dumps({"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail})
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]})
    await send({"type": "http.response.body", "body": body})
    return status
