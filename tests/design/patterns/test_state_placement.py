"""PAT043, PAT046, PAT022: search documents, rate-limit buckets and presence placed by their numbers; every table placed once."""

from __future__ import annotations

import pytest

from backend_architect.design.patterns.search import PG_SEARCH_MAX_ROWS
from design.helpers import design_of, table

ARTICLES = """\
system: news
team: {size: 3}
entities:
  Article:
    fields: {title: string(200), body: text}
    rows: %(rows)d
use_cases:
  - {name: search articles, actor: visitor, auth: none, reads: [Article], search: [title, body], page: cursor, rate: 1/s}
"""


@pytest.mark.parametrize("rows", [PG_SEARCH_MAX_ROWS, PG_SEARCH_MAX_ROWS + 1], ids=["at-postgres-limit", "past-it"])
def test_search_documents_follow_the_search_decision_ok(rows: int) -> None:
    """Up to 10M rows the documents stay in PostgreSQL's GIN index; past it they live in the engine and the GIN copy leaves the DDL."""
    arch = design_of(ARTICLES % {"rows": rows})
    placed = next(p for p in arch.placements if p.data == "articles.search")
    gin = [i for i in table(arch, "articles").indexes if i.method == "gin"]
    if rows > PG_SEARCH_MAX_ROWS:
        assert placed.store == "OpenSearch"
        assert not gin
        assert any(c.kind == "search-engine" for c in arch.components)
    else:
        assert placed.store.startswith("postgresql")
        assert gin


PRESENCE = """\
system: chat
team: {size: 3}
scale: {concurrent_users: 200k}
constraints: {%(constraints)s}
entities:
  User:
    fields: {name: string(80)}
    presence: {offline_after: 30s}
    rows: 1M
use_cases:
  - {name: view user, actor: user, kind: get, reads: [User]}
"""


@pytest.mark.parametrize(
    ("constraints", "store"),
    [
        pytest.param("", "Redis 7", id="open-source"),
        pytest.param("avoid: [Redis]", "Valkey 8", id="redis-avoided"),
        pytest.param("cloud: aws", "Amazon ElastiCache for Redis", id="on-aws"),
    ],
)
def test_presence_store_follows_cloud_and_avoid_ok(constraints: str, store: str) -> None:
    """Presence keys live in the in-memory store the cloud and the constraints name: a managed service, or the next candidate when Redis is avoided."""
    arch = design_of(PRESENCE % {"constraints": constraints})
    placed = next(p for p in arch.placements if p.data == "users.presence")
    assert (placed.data_class, placed.store) == ("ephemeral", store)
    assert all(store in c.technology for c in arch.components if c.name == "redis")


BUCKETS = """\
system: api
team: {size: %(team)d}
scale: {rates: peak}
constraints: {instance_rps: 500}
entities:
  Item: {fields: {name: string(80)}}
use_cases:
  - {name: list items, actor: user, reads: [Item], page: cursor, rate: %(rate)s}
"""


@pytest.mark.parametrize(
    ("team", "rate", "where"),
    [
        pytest.param(3, "1500/s", "each instance's memory (limit / 4)", id="four-instances-local"),
        pytest.param(3, "2000/s", "Redis 7", id="five-instances-shared"),
        pytest.param(20, "2000/s", "the API gateway's per-client limiter", id="services-behind-a-gateway"),
    ],
)
def test_rate_limit_buckets_by_instances_ok(team: int, rate: str, where: str) -> None:
    """Buckets stay in each instance up to 4 instances, go to Redis past that, and to the gateway in front of services."""
    arch = design_of(BUCKETS % {"team": team, "rate": rate})
    placed = next(p for p in arch.placements if p.data == "rate-limit buckets")
    assert placed.store == where


def test_every_table_and_read_model_placed_once_ok() -> None:
    """Each table has exactly one placement, and the storage decision lists every store."""
    arch = design_of(ARTICLES % {"rows": 100} + "  - {name: write article, actor: editor, writes: [Article], rate: 2M/day}\n")
    data = [p.data for p in arch.placements]
    assert len(data) == len(set(data))
    assert {t.name for s in arch.datastores for t in s.tables} <= set(data)
    assert next(d for d in arch.decisions if d.id == "storage").choice.startswith("postgresql")
