"""Liveness and readiness, outside the versioned API: orchestrators probe them, clients never see them."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
async def healthz() -> Response:
    """The process is up (restart it if this stops answering)."""
    return Response(b'{"status":"ok"}', media_type="application/json")


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> Response:
    """The process can serve: its database answers within a second (take it out of rotation if not)."""
    try:
        async with asyncio.timeout(1.0):
            await request.app.state.services.db.ping()
    except Exception:
        return Response(b'{"status":"unavailable","database":"unreachable"}', status_code=503, media_type="application/json")
    return Response(b'{"status":"ok","database":"ok"}', media_type="application/json")
