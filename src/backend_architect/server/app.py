"""The HTTP API and web workspace: a thin shell over the library, following the conventions our API stage writes.

Versioned under ``/v1``; errors are RFC 9457 ``application/problem+json``; lists page by
cursor; a design's ETag is its latest version, ``If-None-Match`` answers 304 and updates need
``If-Match`` (428 without, 412 when stale), compared as RFC 9110 says; POSTs accept
``Idempotency-Key`` (per key, exactly once); every route is authorized by scoped API keys
(``auth.py``) and rate limited (``throttle.py``); bodies are bounded on the stream and in time
(``bounds.py``); designs, reviews and diffs run in worker processes under a deadline
(``backend_architect.jobs``). No input names a file or a URL: specs, documents and SQL arrive as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response, Security
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException

from backend_architect import __version__
from backend_architect.jobs import Jobs, shared_jobs
from backend_architect.server import etags, work
from backend_architect.server.auth import Authorizer, Principal
from backend_architect.server.bounds import BodyLimit
from backend_architect.server.models import (
    MAX_BODY_BYTES,
    DesignCreate,
    DesignItem,
    DesignOut,
    DesignPage,
    DiffOut,
    ReviewCreate,
    ReviewOut,
    Sharing,
    SpecText,
    SpecUpdate,
    Validation,
    VersionItem,
    VersionOut,
    VersionPage,
)
from backend_architect.server.problems import documented, install, problem
from backend_architect.server.store import MAX_NUMBER, Idempotent, Remembered, Store, Version
from backend_architect.server.throttle import Limiter, bucket_of, client_address

MAX_PAGE = 100
Number = Annotated[int, PathParameter(ge=1, le=MAX_NUMBER)]
Cursor = Annotated[str | None, Query(max_length=500)]
#: For routes answered without a key too (shared designs, validation): FastAPI appends this empty requirement to the route's own.
ANONYMOUS_READ: dict[str, Any] = {"security": [{}]}


def _etag(design_id: str, version: int) -> str:
    return f'"{design_id}-v{version}"'


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _uncursor(cursor: str, shape: tuple[type, ...]) -> list[Any]:
    """The values of a cursor this API gave out, of the types in ``shape``; 400 for anything else."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        values = None
    fits = isinstance(values, list) and len(values) == len(shape) and all(type(v) is t for v, t in zip(values, shape, strict=True))
    if not fits or any(isinstance(v, int) and not 1 <= v <= MAX_NUMBER for v in values):
        raise HTTPException(400, "the cursor is not one this API gave out")
    return values  # type: ignore[no-any-return]


def _declared_query_only(request: Request) -> None:
    """Every query parameter is one the route declares: an unknown one (a misspelt ``limt``, an empty name) is a 400,
    not silently ignored, as the published contract (a closed set of parameters) says."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    declared: set[str] = set()
    pending = [dependant]
    while pending:  # the route's own parameters and its dependencies'
        current = pending.pop()
        declared |= {p.alias for p in current.query_params}
        pending += current.dependencies
    unknown = sorted(set(request.query_params.keys()) - declared)
    if unknown:
        named = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise HTTPException(400, f"unknown query parameter(s) {named}; this operation takes {', '.join(sorted(declared)) or 'none'}")


def create_app(
    store: Store,
    keys: dict[str, Principal],
    rate_per_minute: int = 600,
    trusted_proxies: tuple[Any, ...] = (),
    jobs: Jobs | None = None,
    body_idle_timeout_s: float = 10.0,
) -> FastAPI:
    """The API over ``store``, for callers holding one of ``keys`` (``auth.parse_keys``)."""
    app = FastAPI(
        title="backend-architect",
        version=__version__,
        description=__doc__,
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        dependencies=[Depends(_declared_query_only)],
    )
    authorizer = Authorizer(keys)
    limiter = Limiter(rate_per_minute)
    run = (jobs or shared_jobs()).run
    install(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES, idle_timeout_s=body_idle_timeout_s)
    # the caller each route needs: a key with read or write, a key with read or none (shared designs), any valid key or none
    reader = Security(authorizer.required(), scopes=["read"])
    writer = Security(authorizer.required(), scopes=["write"])
    anyone = Security(authorizer.optional(), scopes=["read"])
    checked = Security(authorizer.optional())

    @app.middleware("http")
    async def throttle(request: Request, call_next: Any) -> Any:
        known = authorizer.peek(request.headers.get("authorization"))
        peer = client_address(request.client.host if request.client else None, request.headers.get("x-forwarded-for"), trusted_proxies)
        verdict = limiter.take(f"key:{known.key_id}" if known else f"address:{bucket_of(peer)}")
        limits = {"RateLimit-Limit": str(verdict.limit), "RateLimit-Remaining": str(verdict.remaining), "RateLimit-Reset": str(verdict.reset_s)}
        if not verdict.allowed:
            return problem(429, "slow down; see Retry-After", headers={**limits, "Retry-After": str(verdict.reset_s)})
        response = await call_next(request)
        response.headers.update(limits)
        return response

    def readable(design_id: str, caller: Principal | None) -> dict[str, Any]:
        """The design, when the caller may read it; 404 otherwise (a design one may not read is not there)."""
        found = store.design(design_id) if len(design_id) <= 64 else None
        if found is None or not (found["shared"] or (caller is not None and caller.may_read(found))):
            raise HTTPException(404, f"no design {design_id[:64]}")
        return found

    def writable(design_id: str, caller: Principal) -> dict[str, Any]:
        found = readable(design_id, caller)
        if not caller.may_write(found):
            raise HTTPException(403, f"key {caller.key_id} may read design {design_id} but not change it")
        return found

    def version_of(design_id: str, number: int, caller: Principal | None) -> Version:
        readable(design_id, caller)
        version = store.version(design_id, number)
        if version is None:
            raise HTTPException(404, f"design {design_id} has no version {number}")
        return version

    def out(design: dict[str, Any], version: Version) -> DesignOut:
        return DesignOut(
            id=design["id"], name=design["name"], owner=design["owner"], shared=design["shared"], version=version.number,
            created_at=design["created_at"], updated_at=design["updated_at"], summary=version.summary, findings=version.findings,
        )  # fmt: skip

    @app.post(
        "/v1/validations",
        response_model=Validation,
        responses=documented(),
        summary="Check a spec without designing it (no key needed)",
        openapi_extra=ANONYMOUS_READ,
    )
    def validate(body: SpecText, caller: Principal | None = checked) -> Validation:
        errors = run(work.validation_errors, body.spec)
        return Validation(valid=not errors, errors=errors)

    @app.post("/v1/designs", status_code=201, response_model=DesignOut, responses=documented(), summary="Design a system from a spec")
    def create(body: DesignCreate, caller: Principal = writer, idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None) -> Any:
        once = None
        if idempotency_key is not None:
            once = Idempotent(caller.owner, idempotency_key, "POST /v1/designs", hashlib.sha256(body.model_dump_json().encode()).hexdigest())
            seen = store.remembered(once.owner, once.key, once.route)
            if seen is not None:
                return _replay(seen, once)
        version = run(work.design_version, body.spec)

        def respond(design: dict[str, Any]) -> Remembered:
            stored = Version(design["id"], 1, version.spec, version.summary, version.findings, version.files, design["created_at"])
            headers = {"Location": f"/v1/designs/{design['id']}", "ETag": _etag(design["id"], 1)}
            return Remembered(once.fingerprint if once else "", 201, out(design, stored).model_dump_json(), headers)

        design, seen = store.create_design(caller.owner, body.name, version, shared=body.shared, once=once, respond=respond)
        if seen is not None and once is not None:
            return _replay(seen, once)
        answer = respond(design)
        return JSONResponse(json.loads(answer.body), status_code=201, headers=answer.headers)

    @app.get("/v1/designs", response_model=DesignPage, responses=documented(), summary="The caller's designs (every design for admin keys), newest first")
    def list_designs(caller: Principal = reader, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20, cursor: Cursor = None) -> DesignPage:
        after = _uncursor(cursor, (str, str)) if cursor else None
        rows = store.designs(None if caller.admin else caller.owner, limit + 1, (after[0], after[1]) if after else None)
        items = [
            DesignItem(id=r["id"], name=r["name"], owner=r["owner"], shared=r["shared"], version=r["latest"], updated_at=r["updated_at"]) for r in rows[:limit]
        ]
        following = _cursor([rows[limit - 1]["updated_at"], rows[limit - 1]["id"]]) if len(rows) > limit else None
        return DesignPage(items=items, next_cursor=following)

    @app.get(
        "/v1/designs/{design_id}",
        response_model=DesignOut,
        responses={**documented(), 304: {"description": "Not modified"}},
        summary="A design at its latest version",
        openapi_extra=ANONYMOUS_READ,
    )
    def get_design(design_id: str, response: Response, caller: Principal | None = anyone, if_none_match: Annotated[str | None, Header()] = None) -> Any:
        design = readable(design_id, caller)
        tag = _etag(design_id, design["latest"])
        if if_none_match is not None and _condition(etags.if_none_match, if_none_match, tag):
            return Response(status_code=304, headers={"ETag": tag})
        response.headers["ETag"] = tag
        return out(design, version_of(design_id, design["latest"], caller))

    @app.put("/v1/designs/{design_id}", response_model=DesignOut, responses=documented(), summary="Save a new version of a design's spec")
    def update(design_id: str, body: SpecUpdate, response: Response, caller: Principal = writer, if_match: Annotated[str | None, Header()] = None) -> DesignOut:
        design = writable(design_id, caller)
        if not if_match:
            raise HTTPException(428, "updates need If-Match with the design's ETag")
        if not _condition(etags.if_match, if_match, _etag(design_id, design["latest"])):
            raise HTTPException(412, "the design changed since that ETag: fetch it again")
        number = store.add_version(design_id, design["latest"], run(work.design_version, body.spec))
        if number is None:
            raise HTTPException(412, "the design changed since that ETag: fetch it again")
        response.headers["ETag"] = _etag(design_id, number)
        return out(writable(design_id, caller), version_of(design_id, number, caller))

    @app.put("/v1/designs/{design_id}/sharing", response_model=Sharing, responses=documented(), summary="Share a design with anyone, or stop sharing it")
    def share(design_id: str, body: Sharing, caller: Principal = writer) -> Sharing:
        writable(design_id, caller)
        store.set_shared(design_id, body.shared)
        return body

    @app.delete("/v1/designs/{design_id}", status_code=204, responses=documented(), summary="Delete a design and its versions")
    def delete(design_id: str, caller: Principal = writer) -> Response:
        writable(design_id, caller)
        store.delete_design(design_id)
        return Response(status_code=204)

    @app.get(
        "/v1/designs/{design_id}/versions",
        response_model=VersionPage,
        responses=documented(),
        summary="A design's versions, newest first",
        openapi_extra=ANONYMOUS_READ,
    )
    def list_versions(
        design_id: str, caller: Principal | None = anyone, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20, cursor: Cursor = None
    ) -> VersionPage:
        readable(design_id, caller)
        before = _uncursor(cursor, (int,)) if cursor else None
        rows = store.versions(design_id, limit + 1, before[0] if before else None)
        following = _cursor([rows[limit - 1]["number"]]) if len(rows) > limit else None
        return VersionPage(items=[VersionItem(**r) for r in rows[:limit]], next_cursor=following)

    @app.get(
        "/v1/designs/{design_id}/versions/{number}",
        response_model=VersionOut,
        responses=documented(),
        summary="One version: spec, summary, findings, files",
        openapi_extra=ANONYMOUS_READ,
    )
    def get_version(design_id: str, number: Number, caller: Principal | None = anyone) -> VersionOut:
        version = version_of(design_id, number, caller)
        return VersionOut(
            number=version.number,
            created_at=version.created_at,
            spec=version.spec,
            summary=version.summary,
            findings=version.findings,
            files=sorted(version.files),
        )

    @app.get(
        "/v1/designs/{design_id}/versions/{number}/html",
        response_class=HTMLResponse,
        responses=documented(),
        summary="One version as design.html",
        openapi_extra=ANONYMOUS_READ,
    )
    def version_html(design_id: str, number: Number, caller: Principal | None = anyone) -> HTMLResponse:
        version = version_of(design_id, number, caller)
        page = store.html(design_id, number)
        if page is None:
            page = run(work.design_html, version.spec)
            store.save_html(design_id, number, page)
        return HTMLResponse(page)

    @app.get(
        "/v1/designs/{design_id}/diff",
        response_model=DiffOut,
        responses=documented(),
        summary="What changed between two versions",
        openapi_extra=ANONYMOUS_READ,
    )
    def diff(
        design_id: str,
        from_: Annotated[int, Query(alias="from", ge=1, le=MAX_NUMBER)],
        to: Annotated[int, Query(ge=1, le=MAX_NUMBER)],
        caller: Principal | None = anyone,
    ) -> DiffOut:
        return DiffOut(**run(work.compare, version_of(design_id, from_, caller), version_of(design_id, to, caller)))

    @app.post("/v1/reviews", status_code=201, response_model=ReviewOut, responses=documented(), summary="Review an OpenAPI document, SQL or a spec")
    def create_review(body: ReviewCreate, caller: Principal = writer) -> ReviewOut:
        findings = run(work.review_text, body.kind, body.content)
        return ReviewOut(id=store.save_review(caller.owner, body.kind, findings), kind=body.kind, findings=findings)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def workspace() -> HTMLResponse:
        return HTMLResponse((Path(__file__).parent / "workspace.html").read_text(encoding="utf-8"))

    return app


def _condition(compare: Any, header: str, tag: str) -> bool:
    try:
        return bool(compare(header, tag))
    except etags.BadConditional as exc:
        raise HTTPException(400, str(exc)) from None


def _replay(seen: Remembered, once: Idempotent) -> JSONResponse:
    """The first answer again, or 409 when the key came with another request."""
    if seen.fingerprint != once.fingerprint:
        raise HTTPException(409, "this Idempotency-Key was used with a different request")
    return JSONResponse(json.loads(seen.body), status_code=seen.status, headers=seen.headers)


__all__ = ["create_app"]
