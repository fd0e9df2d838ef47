"""The Cache-Control a read path's contract answers with, from its cache plan and who may call it.

A shared cache (a CDN) may keep a response only when it is the same for every caller. A read
without auth is; a read with optional auth is only for anonymous callers, so its contract says
``public`` for a request without a token and ``private, no-store`` for one carrying a token (the
scaffold sends exactly that). A read that needs a token is never shared: the caching stage
never puts a CDN in front of it, and its contract sets no public caching.
"""

from __future__ import annotations

from backend_architect.design.patterns._api import operation_of
from backend_architect.ir.model import Architecture, CachePlan, Operation

#: What a response to a request carrying a token says where anonymous responses are shared: never kept by a shared cache.
TOKEN_CACHE_CONTROL = "private, no-store"


def cache_control(plan: CachePlan) -> str | None:
    """The Cache-Control of an anonymous caller's response under ``plan``: public at a CDN, private (the browser's) for HTTP caching."""
    ttl = int(plan.ttl_seconds or 0)
    if plan.strategy == "cdn" and ttl:
        return f"public, max-age={ttl}"
    if plan.strategy == "http" and ttl:
        return f"private, max-age={ttl}"
    return None


def shared_for(auth: str) -> str:
    """Which callers' responses a shared cache may keep, in words: everyone's without auth, anonymous ones with optional auth."""
    if auth == "none":
        return "the same response for every caller (no token)"
    return f"anonymous responses only: Cache-Control {TOKEN_CACHE_CONTROL} to a request carrying a token, which reaches the service"


def with_cache_control(arch: Architecture, plan: CachePlan) -> tuple[tuple[str, Operation], ...]:
    """The operation serving ``plan``'s use case with the Cache-Control the plan implies, when it serves that use case alone."""
    value = cache_control(plan)
    found = operation_of(arch, plan.use_case)
    if value is None or found is None:
        return ()
    service, op = found
    if op.use_cases != [plan.use_case] or op.method != "get" or op.cache_control:
        return ()
    return ((service, op.model_copy(update={"cache_control": value})),)
