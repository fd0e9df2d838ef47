"""The scaffold builds the in-process level (L1) the design gives a read path: its operation carries the L1, and the cache serves it from memory."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from backend_architect import design_spec
from backend_architect.scaffold import from_files
from backend_architect.scaffold.plan import plan_project
from backend_architect.spec.load import load_spec_bytes

SPEC = """\
system: shop
scale: {rates: peak}
entities:
  Category: {fields: {name: string(50)}, rows: 200}
use_cases:
  - {name: list categories, actor: shopper, kind: list, reads: Category, rate: 8000/s, staleness: 60s}
  - {name: add category, actor: staff, kind: create, writes: Category, rate: 1/s}
"""

CACHE = Path(__file__).parents[2] / "src/backend_architect/scaffold/static/python/core/cache.py"


def _cache_module() -> Any:
    """The generated project's cache module, loaded beside a stand-in for its resources module."""
    package = types.ModuleType("l1core")
    package.__path__ = []
    resources = types.ModuleType("l1core.resources")
    resources.Operation = object  # type: ignore[attr-defined]
    sys.modules.update({"l1core": package, "l1core.resources": resources})
    spec = importlib.util.spec_from_file_location("l1core.cache", CACHE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_planned_operation_carries_the_designed_l1_ok() -> None:
    """The list the design layers gets ``cache_l1=(ttl, entries)`` from the cache plan, beside its Redis TTL."""
    result = design_spec(load_spec_bytes(SPEC.encode(), "shop.yaml"))
    plan = next(c for c in result.architecture.caches if c.use_case == "list categories")
    assert plan.l1_ttl_seconds is not None
    assert plan.l1_entries is not None
    project = plan_project(from_files(result.architecture, result.files, "shop"))
    op = next(o for d in project.deployables for m in d.modules for o in m.operations if "list categories" in o.op.use_cases)
    assert op.cache_ttl == plan.ttl_seconds
    assert op.cache_l1 == (plan.l1_ttl_seconds, plan.l1_entries)


class _Redis:
    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        self.gets = 0

    async def get(self, key: str) -> bytes | None:
        self.gets += 1
        return self.store.get(key)

    async def set(self, key: str, value: bytes, ex: int) -> None:
        self.store[key] = value


def _op(l1: tuple[float, int] | None) -> Any:
    return types.SimpleNamespace(cache_ttl=60.0, cache_l1=l1, policy=types.SimpleNamespace(operation_id="listCategories"))


def _ctx(path: str) -> Any:
    request = types.SimpleNamespace(url=types.SimpleNamespace(path=path, query=""))
    return types.SimpleNamespace(request=request, principal=types.SimpleNamespace(tenant="t", subject="s"))


@pytest.mark.parametrize(("l1", "redis_gets"), [pytest.param((5.0, 10), 0, id="l1-answers"), pytest.param(None, 2, id="redis-alone")])
def test_reads_after_a_fill_come_from_the_instance_memory_ok(l1: tuple[float, int] | None, redis_gets: int) -> None:
    """With an L1, reads after the fill never reach Redis; without one, every read does."""
    module = _cache_module()
    redis = _Redis()
    cache = module.RedisCache(redis)
    op, ctx = _op(l1), _ctx("/categories")

    async def run() -> list[Any]:
        await cache.put(ctx, op, {"items": [1]})
        return [await cache.get(ctx, op), await cache.get(ctx, op)]

    assert asyncio.run(run()) == [{"items": [1]}, {"items": [1]}]
    assert redis.gets == redis_gets


def test_the_l1_expires_and_evicts_the_least_recently_used_err(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry is gone after its TTL, and the oldest-used entry is evicted past the size."""
    module = _cache_module()
    now = [100.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: now[0])
    local = module.LocalCache(5.0, 2)
    local.put("a", b"1")
    local.put("b", b"2")
    assert local.get("a") == b"1"
    local.put("c", b"3")
    assert local.get("b") is None
    assert local.get("a") == b"1"
    now[0] += 5.0
    assert local.get("a") is None
    assert local.get("c") is None
