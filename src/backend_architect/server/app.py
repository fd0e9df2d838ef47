"""The HTTP API and web workspace: a thin shell over the library, following the conventions our API stage writes.

Versioned under ``/v1``; errors are RFC 9457 ``application/problem+json``; lists page by
cursor; a design's ETag is its latest version, ``If-None-Match`` answers 304 and updates
need ``If-Match`` (428 without, 412 when stale); POSTs accept ``Idempotency-Key`` and replay
the first answer; writes need an API key; every response carries RateLimit headers and a
client past its budget gets 429 with Retry-After. Request bodies are size-limited, and no
input ever names a file or a URL: specs, documents and SQL arrive as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request, Response
from fastapi import Path as PathParameter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException

from backend_architect import __version__
from backend_architect.errors import InputError
from backend_architect.server.models import (
    MAX_BODY_BYTES,
    DesignCreate,
    DesignItem,
    DesignOut,
    DesignPage,
    DiffOut,
    Problem,
    ReviewCreate,
    ReviewOut,
    SpecText,
    SpecUpdate,
    Validation,
    VersionItem,
    VersionOut,
    VersionPage,
)
from backend_architect.server.store import Store, Version

PROBLEM = "application/problem+json"
MAX_PAGE = 100


class TokenBucket:
    """Requests per client per minute, with a burst; thread-safe."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = per_minute
        self.rate = per_minute / 60.0
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, client: str) -> tuple[bool, int, float]:
        """Whether the request may pass, the tokens left, and seconds until one is back."""
        with self.lock:
            tokens, last = self.buckets.get(client, (float(self.capacity), time.monotonic()))
            now = time.monotonic()
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            self.buckets[client] = (tokens, now)
            return allowed, int(tokens), (1 - tokens) / self.rate if not allowed else 0.0


def _problem(status: int, title: str, detail: str | None = None, errors: list[str] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, errors=errors).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _etag(design_id: str, version: int) -> str:
    return f'"{design_id}-v{version}"'


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, json.JSONDecodeError):
        raise HTTPException(400, "the cursor is not one this API gave out") from None
    if not isinstance(values, list):
        raise HTTPException(400, "the cursor is not one this API gave out")
    return values


def design_version(spec_text: str) -> Version:
    """Design a spec (raising InputError) into what a stored version keeps."""
    from backend_architect.api import design_spec
    from backend_architect.spec.load import load_spec_bytes

    result = design_spec(load_spec_bytes(spec_text.encode(), "spec.yaml").spec)
    handoff = json.loads(result.files["handoff.json"])
    return Version("", 0, spec_text, handoff["summary"], [f.as_dict() for f in result.findings], result.files, "")


def create_app(store: Store, api_keys: set[str] | None = None, rate_per_minute: int = 600) -> FastAPI:
    """The API over ``store``; writes need one of ``api_keys`` (none configured: writes are refused)."""
    app = FastAPI(title="backend-architect", version=__version__, description=__doc__, openapi_url="/v1/openapi.json", docs_url="/v1/docs", redoc_url=None)
    keys = api_keys or set()
    limiter = TokenBucket(rate_per_minute)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return _problem(413, "Payload too large", f"request bodies may be at most {MAX_BODY_BYTES // 2**20} MiB")
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        known = token and any(secrets.compare_digest(token, k) for k in keys)
        # a valid key is its own budget; anything else counts against the address, so made-up tokens cannot buy fresh buckets
        client = f"key:{token}" if known else f"address:{request.client.host if request.client else 'local'}"
        allowed, left, wait = limiter.take(hashlib.sha256(client.encode()).hexdigest())
        limits = {"RateLimit-Limit": str(limiter.capacity), "RateLimit-Remaining": str(left), "RateLimit-Reset": str(int(wait) + 1 if wait else 0)}
        if not allowed:
            return _problem(429, "Too many requests", "slow down; see Retry-After", headers={**limits, "Retry-After": str(int(wait) + 1)})
        if request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.url.path != "/v1/validations" and not known:
            return _problem(401, "Unauthorized", "writes need an API key: Authorization: Bearer <key>", headers={**limits, "WWW-Authenticate": "Bearer"})
        response = await call_next(request)
        for name, value in limits.items():
            response.headers[name] = value
        return response

    @app.exception_handler(_SpecError)
    async def spec_problem(request: Request, exc: _SpecError) -> JSONResponse:
        return _problem(422, "Invalid spec", "the spec has errors; each is file:line:col: message", exc.errors)

    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException) -> JSONResponse:
        title = _TITLES.get(exc.status_code, "Error")
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed(app, request))
        return _problem(exc.status_code, title, str(exc.detail), headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _problem(422, "Invalid request", "the request does not match the API's schema", errors)

    responses: dict[int | str, dict[str, Any]] = {s: {"model": Problem, "content": {PROBLEM: {}}} for s in (400, 401, 404, 409, 412, 413, 422, 428, 429)}

    def located(exc: InputError) -> HTTPException:
        return _SpecError(str(exc).splitlines())

    def design_or_404(design_id: str) -> dict[str, Any]:
        found = store.design(design_id)
        if found is None:
            raise HTTPException(404, f"no design {design_id}")
        return found

    def out(design: dict[str, Any], version: Version) -> DesignOut:
        return DesignOut(
            id=design["id"], name=design["name"], version=version.number, created_at=design["created_at"], updated_at=design["updated_at"],
            summary=version.summary, findings=version.findings,
        )  # fmt: skip

    @app.post("/v1/validations", response_model=Validation, responses=responses, summary="Check a spec without designing it")
    def validate(body: SpecText) -> Validation:
        from backend_architect.spec.load import load_spec_bytes

        try:
            load_spec_bytes(body.spec.encode(), "spec.yaml")
        except InputError as exc:
            return Validation(valid=False, errors=str(exc).splitlines())
        return Validation(valid=True, errors=[])

    @app.post("/v1/designs", status_code=201, response_model=DesignOut, responses=responses, summary="Design a system from a spec")
    def create(body: DesignCreate, response: Response, idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> Any:
        fingerprint = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        if idempotency_key:
            seen = store.remembered(idempotency_key, "POST /v1/designs")
            if seen is not None:
                if seen[0] != fingerprint:
                    raise HTTPException(409, "this Idempotency-Key was used with a different request")
                return JSONResponse(json.loads(seen[2]), status_code=seen[1], headers=seen[3])
        try:
            version = design_version(body.spec)
        except InputError as exc:
            raise located(exc) from None
        design_id = store.create_design(body.name, version)
        design = design_or_404(design_id)
        result = out(design, store.version(design_id, 1) or version)
        headers = {"Location": f"/v1/designs/{design_id}", "ETag": _etag(design_id, 1)}
        if idempotency_key:
            store.remember(idempotency_key, "POST /v1/designs", fingerprint, 201, result.model_dump_json(), headers)
        return JSONResponse(json.loads(result.model_dump_json()), status_code=201, headers=headers)

    @app.get("/v1/designs", response_model=DesignPage, responses=responses, summary="List designs, newest first")
    def list_designs(limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20, cursor: Annotated[str | None, Query(max_length=500)] = None) -> DesignPage:
        after = _uncursor(cursor) if cursor else None
        if after is not None and (len(after) != 2 or not all(isinstance(v, str) for v in after)):
            raise HTTPException(400, "the cursor is not one this API gave out")
        rows = store.designs(limit + 1, (after[0], after[1]) if after else None)
        items = [DesignItem(id=r["id"], name=r["name"], version=r["latest"], updated_at=r["updated_at"]) for r in rows[:limit]]
        following = _cursor([rows[limit - 1]["updated_at"], rows[limit - 1]["id"]]) if len(rows) > limit else None
        return DesignPage(items=items, next_cursor=following)

    @app.get(
        "/v1/designs/{design_id}",
        response_model=DesignOut,
        responses={**responses, 304: {"description": "Not modified"}},
        summary="A design at its latest version",
    )
    def get_design(design_id: str, response: Response, if_none_match: Annotated[str | None, Header()] = None) -> Any:
        design = design_or_404(design_id)
        tag = _etag(design_id, design["latest"])
        if if_none_match == tag:
            return Response(status_code=304, headers={"ETag": tag})
        version = store.version(design_id, design["latest"])
        assert version is not None
        response.headers["ETag"] = tag
        return out(design, version)

    @app.put("/v1/designs/{design_id}", response_model=DesignOut, responses=responses, summary="Save a new version of a design's spec")
    def update(design_id: str, body: SpecUpdate, response: Response, if_match: Annotated[str | None, Header()] = None) -> DesignOut:
        design = design_or_404(design_id)
        if not if_match:
            raise HTTPException(428, "updates need If-Match with the design's ETag")
        if if_match != _etag(design_id, design["latest"]):
            raise HTTPException(412, "the design changed since that ETag: fetch it again")
        try:
            version = design_version(body.spec)
        except InputError as exc:
            raise located(exc) from None
        number = store.add_version(design_id, design["latest"], version)
        if number is None:
            raise HTTPException(412, "the design changed since that ETag: fetch it again")
        response.headers["ETag"] = _etag(design_id, number)
        stored = store.version(design_id, number)
        assert stored is not None
        return out(design_or_404(design_id), stored)

    @app.get("/v1/designs/{design_id}/versions", response_model=VersionPage, responses=responses, summary="A design's versions, newest first")
    def list_versions(
        design_id: str, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20, cursor: Annotated[str | None, Query(max_length=500)] = None
    ) -> VersionPage:
        design_or_404(design_id)
        before = _uncursor(cursor) if cursor else None
        if before is not None and (len(before) != 1 or not isinstance(before[0], int)):
            raise HTTPException(400, "the cursor is not one this API gave out")
        rows = store.versions(design_id, limit + 1, before[0] if before else None)
        following = _cursor([rows[limit - 1]["number"]]) if len(rows) > limit else None
        return VersionPage(items=[VersionItem(**r) for r in rows[:limit]], next_cursor=following)

    def version_or_404(design_id: str, number: int) -> Version:
        design_or_404(design_id)
        version = store.version(design_id, number)
        if version is None:
            raise HTTPException(404, f"design {design_id} has no version {number}")
        return version

    @app.get("/v1/designs/{design_id}/versions/{number}", response_model=VersionOut, responses=responses, summary="One version: spec, summary, findings, files")
    def get_version(design_id: str, number: Annotated[int, PathParameter(ge=1)]) -> VersionOut:
        version = version_or_404(design_id, number)
        return VersionOut(
            number=version.number,
            created_at=version.created_at,
            spec=version.spec,
            summary=version.summary,
            findings=version.findings,
            files=sorted(version.files),
        )

    @app.get("/v1/designs/{design_id}/versions/{number}/html", response_class=HTMLResponse, responses=responses, summary="One version as design.html")
    def version_html(design_id: str, number: Annotated[int, PathParameter(ge=1)]) -> HTMLResponse:
        from backend_architect.api import design_spec
        from backend_architect.render.html import render_html
        from backend_architect.spec.load import load_spec_bytes

        version = version_or_404(design_id, number)
        result = design_spec(load_spec_bytes(version.spec.encode(), "spec.yaml").spec)
        return HTMLResponse(render_html(result.architecture, result.findings))

    @app.get("/v1/designs/{design_id}/diff", response_model=DiffOut, responses=responses, summary="What changed between two versions")
    def diff(design_id: str, from_: Annotated[int, Query(alias="from", ge=1)], to: Annotated[int, Query(ge=1)]) -> DiffOut:
        return compare(version_or_404(design_id, from_), version_or_404(design_id, to))

    @app.post("/v1/reviews", status_code=201, response_model=ReviewOut, responses=responses, summary="Review an OpenAPI document, SQL or a spec")
    def create_review(body: ReviewCreate) -> ReviewOut:
        try:
            findings = review_text(body.kind, body.content)
        except InputError as exc:
            raise located(exc) from None
        return ReviewOut(id=store.save_review(body.kind, findings), kind=body.kind, findings=findings)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def workspace() -> HTMLResponse:
        return HTMLResponse((Path(__file__).parent / "workspace.html").read_text(encoding="utf-8"))

    return app


def _allowed(app: FastAPI, request: Request) -> list[str]:
    """Every method some route of this path answers (Starlette lists only the route it matched)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


class _SpecError(HTTPException):
    """A spec the loader refused: 422 with every located error."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(422, "; ".join(errors[:3]))
        self.errors = errors


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    422: "Invalid spec",
    428: "Precondition required",
}


def review_text(kind: str, content: str) -> list[dict[str, Any]]:
    """Findings of a document given as text, as JSON objects."""
    from backend_architect.api import review_text as review_document

    return [f.as_dict() for f in review_document(kind, content)]


def compare(old: Version, new: Version) -> DiffOut:
    """The library's comparison of two stored versions, as the API answers it."""
    from backend_architect.api import compare_designs

    found = compare_designs(old.files, new.files)
    return DiffOut(
        from_version=old.number,
        to_version=new.number,
        needs_major_version=found.needs_major_version,
        api_changes=[{"service": service, **change.as_dict()} for service, change in found.api_changes],
        schema_changes=[
            {"datastore": store, "kind": c.kind, "table": c.table, "name": c.name, "phase": c.phase, "breaking": c.breaking}
            for store, c in found.schema_changes
        ],
        services_added=found.services_added,
        services_removed=found.services_removed,
    )


__all__ = ["create_app", "review_text"]
