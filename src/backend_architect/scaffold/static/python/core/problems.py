"""RFC 9457 problem details: every error leaves as ``application/problem+json`` with a status the contract declares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://problems.example.com/"

#: status -> (type slug, title), the vocabulary the design's contracts use.
TITLES: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("content-too-large", "Content too large"),
    422: ("validation-failed", "Validation failed"),
    429: ("too-many-requests", "Too many requests"),
    451: ("unavailable-in-country", "Unavailable in your country"),
    500: ("internal-error", "Internal server error"),
    501: ("not-implemented", "Not implemented"),
    503: ("unavailable", "Service unavailable"),
}


class Problem(Exception):
    """An error answered to the client; ``errors`` point at the offending fields (RFC 6901)."""

    def __init__(self, status: int, detail: str, *, errors: Iterable[tuple[str, str]] = (), headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


def json_pointer(parts: Iterable[object]) -> str:
    """``("price", "amount")`` -> ``/price/amount``, escaped as RFC 6901 says.

    >>> json_pointer(["a/b", "c~d", 0])
    '/a~1b/c~0d/0'
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def declared_status(request: Request, status: int) -> int:
    """``status`` if the route's contract declares it, else the closest it does (400 or 500): clients only see documented answers."""
    declared: frozenset[int] | None = getattr(request.state, "declared_statuses", None)
    if declared is None or status in declared or status in {404, 405, 501}:
        return status
    fallback = 500 if status >= 500 else 400
    return fallback if fallback in declared else status


def problem_response(request: Request, problem: Problem) -> Response:
    """The problem as an HTTP response, with the rate-limit headers the request earned."""
    status = declared_status(request, problem.status)
    slug, title = TITLES.get(status, ("error", "Error"))
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": problem.detail[:2000],
        "instance": quote(request.url.path, safe="/:@!$&'()*+,;=-._~"),
    }
    if problem.errors:
        body["errors"] = [{"pointer": pointer[:500], "detail": detail[:500]} for pointer, detail in problem.errors[:100]]
    headers = {**getattr(request.state, "response_headers", {}), **problem.headers}
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's 405 names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.state.api_routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods - {"HEAD", "OPTIONS"})


def install(app: FastAPI) -> None:
    """Answer every failure as a problem: ours, FastAPI's parameter checks, Starlette's 404/405 (bugs: see logs.RequestContext)."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(request, exc)

    async def on_invalid_parameters(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = []
        for error in exc.errors()[:100]:
            location = [str(part) for part in error.get("loc", ())]
            where = f"{location[0]} parameter {location[-1]}" if len(location) > 1 else "request"
            errors.append((json_pointer(location[1:]), f"{where}: {error.get('msg', 'invalid')}"))
        detail = errors[0][1] if errors else "The request has invalid parameters."
        return problem_response(request, Problem(400, detail, errors=errors))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = {404: "No such resource.", 405: "This method is not allowed on this resource."}.get(exc.status_code, str(exc.detail))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(request, Problem(exc.status_code, detail, headers=headers))

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_invalid_parameters)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
