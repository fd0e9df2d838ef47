"""Bounded requests: body size on the stream itself, read timeouts for headers and bodies.

``BodyLimit`` is ASGI middleware: a declared ``Content-Length`` past the limit is 413 before
a byte is read, and a body streamed without one (chunked) is counted as it arrives and cut off
at the limit, so neither way can make the server hold more than the limit in memory. Each
chunk must arrive within the idle timeout and the whole body within the body timeout (408);
the application is called with the whole body, so no worker thread waits on a slow client.

``HeaderTimeoutProtocol`` is uvicorn's HTTP/1.1 protocol with a deadline on the request head:
a client that trickles its headers (slowloris) is disconnected when it passes, on the first
request of a connection and on every later one.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

PROBLEM = "application/problem+json"


class BodyLimit:
    """ASGI middleware bounding every request body by size and time before the application sees it."""

    def __init__(self, app: Any, max_bytes: int, idle_timeout_s: float = 10.0, body_timeout_s: float = 60.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.idle_timeout_s = idle_timeout_s
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _problem(send, 413 if declared.isdigit() else 400, "Payload too large" if declared.isdigit() else "Bad request", self._limit_text())
            return
        # the body is read here, within the limits, and handed on whole: the application never waits on a slow client
        chunks: list[bytes] = []
        received = 0
        started = time.monotonic()
        while True:
            left = self.body_timeout_s - (time.monotonic() - started)
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, min(self.idle_timeout_s, left)))
            except TimeoutError:
                detail = f"the body must arrive within {self.body_timeout_s:g} s, each part within {self.idle_timeout_s:g} s"
                await _problem(send, 408, "Request timeout", detail)
                return
            if message["type"] == "http.disconnect":
                return
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await _problem(send, 413, "Payload too large", self._limit_text())
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        handed = False

        async def replay() -> dict[str, Any]:
            nonlocal handed
            if not handed:
                handed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # type: ignore[no-any-return]

        await self.app(scope, replay, send)

    def _limit_text(self) -> str:
        return f"request bodies may be at most {self.max_bytes // 2**20} MiB"


async def _problem(send: Any, status: int, title: str, detail: str) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    headers = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


#: How long a client has to send a request's line and headers.
HEADER_TIMEOUT_S = 10.0


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request head does not arrive in time."""

    header_timeout_s = HEADER_TIMEOUT_S

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        waiting_for_head = self.cycle is None or self.cycle.response_complete
        if waiting_for_head and self._head_timer is None:
            self._arm()
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # the head is complete: the body has its own timeouts

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.header_timeout_s, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()
