"""Every error the API answers is RFC 9457 ``application/problem+json``: refusals, validation errors, timeouts and 500s alike."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from backend_architect.jobs import JobBusy, JobRefused, JobTimeout
from backend_architect.server.models import Problem
from backend_architect.server.store import QuotaExceeded

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    422: "Invalid input",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}
#: The statuses every route may answer with, for the OpenAPI document.
DOCUMENTED = (400, 401, 403, 404, 408, 409, 412, 413, 422, 428, 429, 500, 503)


def problem(
    status: int, detail: str | None = None, errors: list[str] | None = None, headers: dict[str, str] | None = None, title: str | None = None
) -> JSONResponse:
    body = Problem(title=title or TITLES.get(status, "Error"), status=status, detail=detail, errors=errors).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    """Exception handlers turning every failure into a problem document."""

    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed(app, request))
        return problem(exc.status_code, str(exc.detail), headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return problem(422, "the request does not match the API's schema", errors, title="Invalid request")

    @app.exception_handler(JobRefused)
    async def refused(request: Request, exc: JobRefused) -> JSONResponse:
        return problem(422, "the input has errors; each is file:line:col: message", exc.lines)

    @app.exception_handler(JobTimeout)
    async def too_costly(request: Request, exc: JobTimeout) -> JSONResponse:
        return problem(422, str(exc), title="Processing limit exceeded")

    @app.exception_handler(JobBusy)
    async def busy(request: Request, exc: JobBusy) -> JSONResponse:
        return problem(503, "every worker is busy; try again shortly", headers={"Retry-After": "5"})

    @app.exception_handler(QuotaExceeded)
    async def quota(request: Request, exc: QuotaExceeded) -> JSONResponse:
        return problem(403, str(exc), title="Quota exceeded")

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        logging.getLogger("backend_architect.server").error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem(500, "an internal error; it was logged")


def _allowed(app: FastAPI, request: Request) -> list[str]:
    """Every method some route of this path answers (Starlette lists only the route it matched)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def documented(*extra: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: every problem status, as problem+json."""
    return {status: {"model": Problem, "content": {PROBLEM: {}}, "description": TITLES.get(status, "Error")} for status in (*DOCUMENTED, *extra)}
