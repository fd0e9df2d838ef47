"""A lost in-memory store decides each read's fate from where its data lives, with one rule and the same words for every read.

A value written only to memory (a position, a latest reading) fails with its store and is refilled by its writes: the
database never held it, so no "misses go to the database" and no storm of reads it could not answer (uber, run 20, C7).
A read whose rows the database holds (cache-aside, the origin cache behind a CDN, a read model with a miss path) falls
back to the database, or is shed past what its nodes serve, stated with the same storm for every such read of that
database (stackoverflow, run 20, C2: the CDN's origin reads said to "pause until the store is back").
"""

from __future__ import annotations

import pytest

from backend_architect.ir.model import Architecture
from design.helpers import design_of

#: Courier positions kept in a GEO set, searched and tracked, beside a cached delivery page.
COURIERS = """
system: couriers
scale: {users: 2M, rates: peak}
entities:
  Courier: {rows: 300k, fields: {location: geo, name: string(80), vehicle: enum(bike|car)}}
  Delivery: {fields: {courier: ref(Courier), address: string(200), status: enum(open|done)}, growth: 2M/day}
use_cases:
  - {name: report courier position, kind: update, writes: [Courier.location], latest: true, rate: 40k/s}
  - {name: couriers near a pickup, kind: list, reads: [Courier], near: Courier.location, radius: 2km, staleness: 5s, rate: 8k/s}
  - {name: track courier, kind: get, reads: [Courier], rate: 6k/s, staleness: 5s}
  - {name: view delivery, kind: get, reads: [Delivery], rate: 9k/s, staleness: 30s}
  - {name: create delivery, kind: create, writes: [Delivery], rate: 100/s}
"""

#: A sensor's latest reading kept in a hash (no point), and a cached list of alerts.
SENSORS = """
system: greenhouse
scale: {users: 50k, rates: peak}
entities:
  Sensor: {rows: 2M, fields: {temperature: decimal, humidity: int, label: string(40)}}
  Alert: {fields: {sensor: ref(Sensor), message: string(200)}, growth: 500k/day}
use_cases:
  - {name: push reading, kind: update, writes: [Sensor.temperature, Sensor.humidity], latest: true, rate: 30k/s}
  - {name: current reading, kind: get, reads: [Sensor], rate: 4k/s, staleness: 10s}
  - {name: list alerts, kind: list, reads: [Alert], filter: [sensor], sort: [-created_at], page: cursor, staleness: 30s, rate: 3k/s}
  - {name: raise alert, kind: create, writes: [Alert], rate: 50/s}
"""

#: Public pages behind a CDN with an origin cache, within what the database serves, beside a signed-in cache-aside read.
WIKI = """
system: wiki
scale: {users: 20M, rates: peak}
entities:
  Page: {rows: 5M, fields: {title: string(200), body: {type: text, avg_bytes: 8KB}}}
  Edit: {fields: {page: ref(Page), summary: string(200)}, growth: 300k/day}
use_cases:
  - {name: read page, kind: get, actor: visitor, auth: optional, reads: [Page, Edit], staleness: 10s, consistency: eventual, rate: 6k/s}
  - {name: page history, kind: list, actor: visitor, auth: optional, reads: [Edit], filter: [page], sort: [-created_at], page: cursor,
     staleness: 10s, consistency: eventual, rate: 3k/s}
  - {name: my edits, kind: list, actor: user, owner_only: true, reads: [Edit], page: cursor, staleness: 30s, rate: 2k/s}
  - {name: edit page, kind: create, writes: [Edit], rate: 20/s}
"""

#: Photo feeds kept in lists with a miss path, past what the database serves, beside a cache-aside list of one member's photos.
FEED = """
system: photos
scale: {rates: peak}
entities:
  Member: {rows: 5M, fields: {name: string(60)}}
  Follow: {fields: {follower: ref(Member), followee: ref(Member)}, growth: 1M/day}
  Photo: {growth: 2M/day, fields: {owner: ref(Member), caption: string(200)}}
use_cases:
  - {name: post photo, kind: create, writes: [Photo], rate: 200/s, avg_fanout: 150}
  - {name: follow member, kind: create, writes: [Follow], rate: 50/s}
  - {name: my feed, kind: list, reads: [Follow, Photo], filter: [Follow.follower], sort: [-Photo.created_at], page: {style: cursor, limit: 20}, rate: 60k/s}
  - {name: member photos, kind: list, reads: [Photo], filter: [owner], sort: [-created_at], staleness: 30s, rate: 30k/s}
"""

#: (spec, reads whose values live only in memory, the writes that refill them)
KEPT = [
    pytest.param(COURIERS, {"couriers near a pickup", "track courier"}, "report courier position", id="courier-positions"),
    pytest.param(SENSORS, {"current reading"}, "push reading", id="sensor-readings"),
]

ALL = [pytest.param(COURIERS, id="couriers"), pytest.param(SENSORS, id="sensors"), pytest.param(WIKI, id="wiki"), pytest.param(FEED, id="feed")]


def _store_rows(arch: Architecture) -> dict[str, tuple[str, str]]:
    """Each use case's (effect, detail) on the loss of the in-memory store."""
    assert arch.availability is not None
    stores = {c.name for c in arch.components if c.kind in {"cache", "key-value"}}
    return {n: (i.effect, i.detail) for i in arch.availability.impacts if i.dependency in stores for n in i.use_cases}


@pytest.mark.parametrize(("text", "kept", "writer"), KEPT)
def test_a_value_kept_only_in_memory_fails_with_its_store_ok(text: str, kept: set[str], writer: str) -> None:
    """A read of values written only to memory fails with the store, refilled by the writes that keep them, and is in no storm."""
    arch = design_of(text)
    rows = _store_rows(arch)
    for name in kept:
        effect, detail = rows[name]
        assert effect == "fail", (name, detail)
        assert "nothing falls back" in detail, detail
        assert f"'{writer}' writes refill" in detail, detail
        assert "misses go to" not in detail, detail
        assert "losing it sends" not in detail, detail
    # no storm counts a read the database cannot answer, and no record says it is rebuilt from the database
    for impact in arch.availability.impacts if arch.availability else []:
        if "losing it sends" in impact.detail:
            assert not kept & set(impact.use_cases), impact
    for d in arch.decisions:
        for name in kept:
            assert f"({name}) are rebuilt from the database" not in d.choice, d.choice


@pytest.mark.parametrize("text", ALL)
def test_every_read_the_database_holds_falls_back_with_one_rule_ok(text: str) -> None:
    """Every cache-aside read, CDN origin read and read model with a miss path on one database gets the same effect and words,
    states that database's storm, and never "pauses until the store is back"."""
    arch = design_of(text)
    rows = _store_rows(arch)
    by_db: dict[str, set[tuple[str, str]]] = {}
    plans = [
        c for c in arch.caches if c.strategy == "cache-aside" or (c.strategy == "cdn" and c.origin_ttl_seconds) or (c.strategy == "read-model" and c.protection)
    ]
    assert plans, "a read the database holds"
    for plan in plans:
        if plan.use_case not in rows or "search" in rows[plan.use_case][1]:
            continue
        effect, detail = rows[plan.use_case]
        assert "pauses until" not in detail, (plan.use_case, detail)
        assert "losing it sends" in detail, (plan.use_case, detail)
        assert ("misses go to the database" in detail) == (effect == "degrade"), detail
        assert ("shed load" in detail) == (effect == "fail"), detail
        by_db.setdefault(detail.split("losing it sends ", 1)[1].split(" ", 1)[0], set()).add((effect, detail.split("; ", 1)[0]))
    assert by_db
    for database, said in by_db.items():
        assert len(said) == 1, (database, said)


def test_cdn_origin_reads_fall_back_like_cache_aside_ok() -> None:
    """Reads behind a CDN whose misses are answered from the shared cache fall back to the database with the cache-aside reads."""
    arch = design_of(WIKI)
    rows = _store_rows(arch)
    behind = [c.use_case for c in arch.caches if c.strategy == "cdn" and c.origin_ttl_seconds]
    aside = [c.use_case for c in arch.caches if c.strategy == "cache-aside"]
    assert behind
    assert aside
    assert {rows[n][0] for n in [*behind, *aside]} == {"degrade"}
    assert len({rows[n][1].split("; ", 1)[0] for n in [*behind, *aside]}) == 1
