"""PAT043-PAT047: search documents, presence, latest values and rate-limit buckets placed by their numbers; every table placed once."""

from __future__ import annotations

import pytest

from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING
from backend_architect.design.patterns.latest_values import LATEST_SHARE
from backend_architect.design.technology import PG_SEARCH_MAX_ROWS
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
scale: {%(scale)s}
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
    ("scale", "constraints", "online", "store"),
    [
        pytest.param("concurrent_users: 200k", "", 200_000, "Redis 7", id="concurrent-users-stated"),
        pytest.param("daily_active: 500k", "", 50_000, "Redis 7", id="tenth-of-daily-actives"),
        pytest.param("", "", 1_000_000, "Redis 7", id="every-row-without-figures"),
        pytest.param("", "avoid: [Redis]", 1_000_000, "Valkey 8", id="redis-avoided"),
        pytest.param("", "cloud: aws", 1_000_000, "Amazon ElastiCache for Redis", id="on-aws"),
    ],
)
def test_presence_is_a_key_with_a_ttl_ok(scale: str, constraints: str, online: float, store: str) -> None:
    """Presence lives in memory with the offline_after TTL; heartbeats/s = online x 2 / 30 s, never a row update."""
    arch = design_of(PRESENCE % {"scale": scale, "constraints": constraints})
    placed = next(p for p in arch.placements if p.data == "users.presence")
    assert (placed.data_class, placed.store) == ("ephemeral", store)
    figures = {f.key: f.value for f in arch.figures}
    assert figures["presence.heartbeats.users"] == pytest.approx(online * 2 / 30)
    made = next(d for d in arch.decisions if d.id == "presence.users")
    assert "30 s TTL" in made.choice
    assert all("Redis" not in a.name or "avoided" in a.why_not for a in made.alternatives)


LATEST = """\
system: fleet
team: {size: 3}
scale: {rates: peak}
entities:
  Driver:
    fields: {name: string(80), lat: float?, lon: float?}
    rows: 100k
use_cases:
  - {name: update position, actor: driver, writes: [Driver.lat, Driver.lon], latest: true, rate: %(rate)s}
"""


@pytest.mark.parametrize("rate", [PRIMARY_WRITE_CEILING * LATEST_SHARE - 1, PRIMARY_WRITE_CEILING * LATEST_SHARE], ids=["just-below", "at-threshold"])
def test_latest_values_in_memory_past_a_fifth_of_the_primary_ok(rate: float) -> None:
    """A latest-value write at 1,000/s or more is held in memory with a snapshot in the row; below, the row is updated."""
    arch = design_of(LATEST % {"rate": f"{rate:g}/s"})
    placed = [p for p in arch.placements if p.data in {"drivers.lat", "drivers.lon"}]
    if rate >= PRIMARY_WRITE_CEILING * LATEST_SHARE:
        assert {p.store for p in placed} == {"Redis 7"}
        assert len(placed) == 2
    else:
        assert not placed
        assert any(n.pattern == "PAT045" for n in arch.pattern_notes)


BUCKETS = """\
system: api
team: {size: %(team)d}
scale: {rates: peak}
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
