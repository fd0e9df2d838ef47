"""PAT001's lists are kept for active readers only, and every part of the design says the same: each read renews a list's
expiry, the fan-out worker pushes only into lists that exist (LPUSHX), Redis counts both, and the scaffold is told the expiry."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.design.patterns.feed import ACTIVE_DAYS
from backend_architect.scaffold import from_files, scaffold
from design.helpers import spec_of

PHOTOS = """\
system: snaps
team: {size: 4}
services:
  social: {description: "people, who follows whom and their photos", owns: [User, Follow, Photo]}
scale: {users: 20M, daily_active: 4M, rates: peak}
entities:
  User: {fields: {handle: string(30)}, rows: 20M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 2B}
  Photo: {append_only: true, fields: {owner: ref(User), caption: string(300)}}
use_cases:
  - {name: share photo, actor: user, kind: create, writes: [Photo], rate: 2k/s, avg_fanout: 100}
  - name: view photo feed
    actor: user
    reads: [Follow, Photo]
    filter: [Follow.follower]
    sort: [-Photo.created_at]
    page: {style: cursor, limit: 30}
    rate: 25k/s
"""

PODCASTS = """\
system: casts
team: {size: 3}
services:
  shows: {description: "listeners, subscriptions and episodes", owns: [Listener, Subscription, Episode]}
scale: {users: 8M, rates: peak}
entities:
  Listener: {fields: {name: string(80)}, rows: 8M}
  Subscription: {fields: {listener: ref(Listener), host: ref(Listener)}, rows: 400M}
  Episode: {append_only: true, fields: {host: ref(Listener), title: string(200)}}
use_cases:
  - {name: publish episode, actor: listener, kind: create, writes: [Episode], rate: 300/s, avg_fanout: 50}
  - name: list new episodes
    actor: listener
    reads: [Subscription, Episode]
    filter: [Subscription.listener]
    sort: [-Episode.created_at]
    page: {style: cursor, limit: 20}
    rate: 12k/s
    staleness: 30s
"""

CHIRPS = """\
system: chirps
team: {size: 30}
scale: {users: 100M, rates: peak}
entities:
  Account: {fields: {handle: string(20)}, rows: 100M}
  Follow: {fields: {follower: ref(Account), followee: ref(Account)}, rows: 10B}
  Chirp: {append_only: true, fields: {author: ref(Account), body: {type: text, avg_bytes: 140}}}
use_cases:
  - {name: chirp, actor: account, kind: create, writes: [Chirp], rate: 8k/s, avg_fanout: 100}
  - name: home
    actor: account
    reads: [Follow, Chirp]
    filter: [Follow.follower]
    sort: [-Chirp.created_at]
    page: {style: cursor, limit: 50}
    rate: 150k/s
    staleness: 5s
"""

CASES = [
    pytest.param(PHOTOS, "view photo feed", id="photos"),
    pytest.param(PODCASTS, "list new episodes", id="podcasts"),
    pytest.param(CHIRPS, "home", id="chirps"),
]


@pytest.mark.parametrize(("text", "read"), CASES)
def test_worker_pushes_only_into_lists_that_exist_ok(text: str, read: str) -> None:
    """The fan-out step, the worker and the decision all say LPUSHX; nothing says a plain LPUSH into every follower's list."""
    result = design_spec(spec_of(text))
    arch = result.architecture
    pushes = [s.description for f in arch.flows for s in f.steps if s.description.startswith("pushes the ")]
    assert pushes
    assert all("LPUSHX" in p and "that exists" in p for p in pushes)
    worker = next(c for c in arch.components if c.kind == "worker" and c.name.endswith("-fanout"))
    assert "LPUSHX" in worker.purpose
    document = result.files["design.md"]
    assert "LPUSHX" in document
    assert "LPUSH " not in document
    assert "LPUSH feed" not in document
    plan = next(c for c in arch.caches if c.use_case == read)
    assert f"({ACTIVE_DAYS * 86_400:,} s)" in plan.invalidation


@pytest.mark.parametrize(("text", "read"), CASES)
def test_each_read_renews_its_list_and_redis_counts_it_ok(text: str, read: str) -> None:
    """An EXPIRE a read keeps an active reader's list alive: Redis's operations count one per read, beside the LRANGE."""
    arch = design_spec(spec_of(text)).architecture
    redis = next(c for c in arch.components if c.name == "redis")
    reads = {k: v for k, v in redis.operations.items() if k.startswith("feed_reads_")}
    expires = {k.replace("feed_expires_", "feed_reads_"): v for k, v in redis.operations.items() if k.startswith("feed_expires_")}
    assert reads
    assert expires == reads
    assert sum(v for k, v in redis.operations.items() if k.startswith("feed_")) == 2 * sum(reads.values()) + 2 * sum(
        v for k, v in redis.operations.items() if k.startswith("feed_writes_")
    )


@pytest.mark.parametrize(("text", "read"), CASES[:2])
def test_the_scaffold_gets_the_lists_expiry_ok(text: str, read: str, tmp_path: Path) -> None:
    """The service the scaffold generates keeps its lists for the expiry the design states (Feed(..., ttl_s=...)); where one
    service holds the graph and the items (the feed's join is local; chirps' services leave it a gap the scaffold reports)."""
    result = design_spec(spec_of(text))
    project = scaffold(from_files(result.architecture, result.files, "feeds"), tmp_path).project
    generated = "".join(p.read_text() for d in project.deployables for p in (tmp_path / d.name / "src").rglob("modules/**/*.py"))
    assert f"ttl_s={float(ACTIVE_DAYS * 86_400)!r}" in generated
