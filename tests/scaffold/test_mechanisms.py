"""Which mechanism serves each kind of operation the design engine produces, and the generated service proving each on PostgreSQL.

The table names one operation of each shape, from the bundled examples, the benchmark specs
and ``specs/mechanisms.yaml`` (the shapes no example has). The last test runs the generated
tests of that spec's service (its own checks of every mechanism, the 501 of its gap
included) against a real PostgreSQL, in this process's environment.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from backend_architect.scaffold import from_files, scaffold
from backend_architect.scaffold.plan import plan_project
from backend_architect.scaffold.plan_api import OpPlan
from scaffold_specs import designed_spec


def _plan(spec: str, operation: str) -> OpPlan:
    result = designed_spec(spec)
    project = plan_project(from_files(result.architecture, result.files, spec))
    return next(op for d in project.deployables for m in d.modules for op in m.operations if op.op.operation_id == operation)


@pytest.mark.parametrize(
    ("spec", "operation", "mechanism", "detail"),
    [
        pytest.param("bookstore", "viewBook", "crud.read", None, id="get-by-key"),
        pytest.param("bookstore", "browseBooks", "crud.list_page", None, id="list-with-filters"),
        pytest.param("bookstore", "searchBooks", "crud.list_page", None, id="search-in-a-search-engine"),
        pytest.param("bookstore", "placeOrder", "crud.create", "CreatePlan", id="create-with-parts-and-total"),
        pytest.param("bookstore", "registerCustomer", "crud.create", "CreatePlan", id="register"),
        pytest.param("bookstore", "logIn", "accounts.login", "LoginPlan", id="log-in"),
        pytest.param("bookstore", "logOut", "accounts.logout", None, id="log-out"),
        pytest.param("bookstore", "cancelOrder", "crud.change", "ChangePlan", id="custom-method"),
        pytest.param("helpdesk", "tagTicket", "links.relate", "LinkPlan", id="relate-many-to-many"),
        pytest.param("helpdesk", "untagTicket", "links.unrelate", "LinkPlan", id="unrelate"),
        pytest.param("twitter_timelines", "followUser", "links.relate", "LinkPlan", id="relate-link-entity"),
        pytest.param("chat", "listMyConversations", "crud.list_page", None, id="caller-through-a-join"),
        pytest.param("chat", "suggestContacts", "crud.list_page", "WalkPlan", id="graph-neighbourhood"),
        pytest.param("mechanisms", "degreesOfSeparation", "graph.path", "WalkPlan", id="graph-path"),
        pytest.param("mechanisms", "chartAllReadings", "series.read", "SeriesPlan", id="series-from-a-rollup"),
        pytest.param("iot-telemetry", "chartDeviceMetric", "series.read", "SeriesPlan", id="series-served-by-the-column-store"),
        pytest.param("mechanisms", "chartMyReadings", "series.read", "SeriesPlan", id="series-from-raw-rows"),
        pytest.param("delivery", "listTrendingDishes", "ranking.read", "RankingPlan", id="ranking-snapshot"),
        pytest.param("mechanisms", "listTrendingTopics", "ranking.read", "RankingPlan", id="ranking-in-sorted-sets"),
        pytest.param("delivery", "findNearbyRestaurants", "crud.list_page", "NearPlan", id="proximity-in-a-radius"),
        pytest.param("mechanisms", "findNearestUsers", "crud.list_page", "NearPlan", id="k-nearest"),
        pytest.param("delivery", "updateCourierLocation", "crud.change", "ChangePlan", id="latest-value-in-redis"),
        pytest.param("mechanisms", "updateMyLocation", "crud.change", "ChangePlan", id="latest-value-in-place"),
        pytest.param("whatsapp", "sendHeartbeat", "crud.change", "ChangePlan", id="heartbeat-use-case"),
        pytest.param("mechanisms", "heartbeatUser", "crud.change", "ChangePlan", id="heartbeat-endpoint"),
        pytest.param("delivery", "createRestaurantUpload", "objects.create_upload", "UploadPlan", id="media-upload"),
        pytest.param("mechanisms", "createDocumentUpload", "objects.create_upload", "UploadPlan", id="blob-upload-url"),
        pytest.param("mechanisms", "getDocumentDownloadUrl", "objects.download_url", "DownloadPlan", id="blob-download-url"),
        pytest.param("mechanisms", "getReceiptDownloadUrl", "objects.download_url", "DownloadPlan", id="compressed-file-download-url"),
        pytest.param("mechanisms", "watchClip", "objects.playback", "PlaybackPlan", id="video-playback"),
        pytest.param("mechanisms", "openLinkShortLink", "crud.redirect", "RedirectPlan", id="short-link-redirect"),
        pytest.param("mechanisms", "promoteTeamMember", "crud.change", "ChangePlan", id="custom-method-on-a-link-at-its-pair"),
        pytest.param("delivery", "openTrackingLink", "crud.read", None, id="short-code"),
        pytest.param("mechanisms", "readArticle", "crud.read", None, id="slug"),
        pytest.param("mechanisms", "viewHomeTimeline", "crud.list_page", "FeedPlan", id="precomputed-feed"),
        pytest.param("mechanisms", "updateMyProfile", "crud.change", "ChangePlan", id="me"),
        pytest.param("mechanisms", "changePassword", "accounts.change_password", "PasswordPlan", id="password"),
        pytest.param("stackoverflow", "browseQuestionsByTag", "crud.list_page", None, id="filter-through-a-link-table"),
        pytest.param("whatsapp", "startChat", "crud.create", "CreatePlan", id="create-with-members"),
        pytest.param("netflix", "resumeVideo", "crud.read", None, id="lookup-by-filters"),
        pytest.param("twitter_timelines", "viewHomeTimeline", "unavailable", None, id="join-across-services"),
    ],
)
def test_operation_mechanism_ok(spec: str, operation: str, mechanism: str, detail: str | None) -> None:
    """Each shape of operation is served by its mechanism (the core function its route calls), with the details it needs."""
    planned = _plan(spec, operation)
    assert planned.mechanism == mechanism, planned.gap
    assert (type(planned.detail).__name__ if planned.detail is not None else None) == detail


@pytest.mark.parametrize(
    ("spec", "operation", "check"),
    [
        pytest.param("bookstore", "searchBooks", lambda op: op.listing.engine == "OpenSearch" and op.listing.search is not None, id="engine-search"),
        pytest.param("stackoverflow", "browseQuestionsByTag", lambda op: [h.right_table for h in op.filters[0].at.via] == ["question_tags", "tags"], id="tag"),
        pytest.param("chat", "listMyConversations", lambda op: op.owner is not None and op.owner.table == "memberships", id="owner-join"),
        pytest.param("delivery", "findNearbyCouriers", lambda op: op.detail.geo_key == "courier:location:available", id="geo-set"),
        pytest.param("delivery", "updateCourierLocation", lambda op: op.detail.latest.structure == "geo", id="latest-geo"),
        pytest.param("delivery", "placeOrder", lambda op: op.todo is not None and op.detail.total.price is None, id="total-needs-prices"),
        pytest.param(
            "bookstore", "placeOrder", lambda op: op.todo is None and op.detail.total.price == ("unit_price_amount", "unit_price_currency"), id="total"
        ),
        pytest.param("mechanisms", "shortenLink", lambda op: op.resource.key.method == "ranges", id="key-ranges"),
        pytest.param("delivery", "shareTrackingLink", lambda op: op.resource.key.method == "random", id="random-codes"),
        pytest.param("mechanisms", "chartAllReadings", lambda op: op.detail.rollup == "readings_1h" and op.detail.aggregate == "avg", id="rollup"),
        pytest.param("iot-telemetry", "chartDeviceMetric", lambda op: op.detail.rollup is None and op.detail.aggregate == "avg", id="column-store-series"),
        pytest.param("metrics_ingest", "querySeries", lambda op: any(f.at.via for f in op.path_columns), id="ancestor-in-the-path"),
        pytest.param("mechanisms", "promoteTeamMember", lambda op: op.resource.address == "member_id" and op.key_param.name == "member_id", id="link-pair"),
        pytest.param("mechanisms", "getDocumentDownloadUrl", lambda op: op.detail.column == "scan", id="download-column"),
        pytest.param("mechanisms", "getReceiptDownloadUrl", lambda op: op.detail.status == "file_status", id="download-of-processed-outputs"),
        pytest.param("mechanisms", "watchClip", lambda op: len(op.detail.bandwidth) == 4, id="playback-ladder-from-the-design"),
        pytest.param("mechanisms", "openLinkShortLink", lambda op: op.detail.location == "{target}", id="redirect-to-the-links-target"),
        pytest.param("mechanisms", "readArticle", lambda op: op.countries[1:4] == ("blocked_countries", None, "blocked"), id="refused-by-a-list-on-the-row"),
        pytest.param("mechanisms", "watchClip", lambda op: op.countries[1:4] == ("country", "clip_id", "blocked"), id="refused-by-a-child-table"),
    ],
)
def test_mechanism_details_ok(spec: str, operation: str, check: object) -> None:
    """The details each mechanism carries come from the design: the engine's store, the join, the GEO set, the key method."""
    assert check(_plan(spec, operation))  # type: ignore[operator]


def _own_tests(root: Path, postgres: object, **env: str) -> subprocess.CompletedProcess[str]:
    """The generated deployable's own tests, in this environment (its runtime's dependencies are test dependencies here)."""
    url = f"postgresql://postgres@127.0.0.1:{postgres.port}/postgres"  # type: ignore[attr-defined]
    environment = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(root / "src"), **env}
    command = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600, env=environment)


@pytest.fixture(scope="module")
def mechanisms_service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = designed_spec("mechanisms")
    out = tmp_path_factory.mktemp("mechanisms")
    (deployable,) = scaffold(from_files(result.architecture, result.files, "mechanisms"), out).project.deployables
    return out / deployable.name


@pytest.mark.postgres
def test_generated_service_proves_every_mechanism_ok(postgres: object, mechanisms_service: Path) -> None:
    """The service scaffolded from specs/mechanisms.yaml passes its own tests on PostgreSQL alone (the local adapters):
    sessions, /me, links (changed at their pair), a feed, graph walks, the k nearest, series, a ranking, slugs and key ranges,
    heartbeats, latest values, files by signed URLs (a compressed one by its copy), a video's playback, a short link's redirect, items
    refused per country (451 from a blocked country, by a list on the row and by a child table), the state a create, a link's PUT
    and a custom method are named for stored by the server, and its gap answering 501."""
    run = _own_tests(mechanisms_service, postgres)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    for named in ("send_read_ack", "mark_post_read", "archive_team"):
        assert f"PASSED tests/test_social_use_cases.py::test_{named}_ok" in run.stdout, f"the state {named} is named for is checked"
    assert "PASSED tests/test_content_use_cases.py::test_list_articles_of_people_i_follow_ok" in run.stdout, "the gap's 501 is checked"
    assert "PASSED tests/test_social_use_cases.py::test_view_home_timeline_ok" in run.stdout, run.stdout[-3000:]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway Redis on loopback (Debian's redis-server), for the production adapters."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.postgres
def test_redis_adapters_give_the_same_answers_ok(postgres: object, mechanisms_service: Path, redis_url: str) -> None:
    """The same generated tests pass with REDIS_URL set: the feed from Redis lists (filled by the fan-out path), the ranking from
    sorted sets, presence keys with a TTL, shared rate-limit buckets and cache-aside answer what PostgreSQL alone answers."""
    run = _own_tests(mechanisms_service, postgres, REDIS_URL=redis_url)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "PASSED tests/test_social_use_cases.py::test_list_trending_topics_ok" in run.stdout


#: Positions kept per view, views kept 90 days: the latest hash of a view dies with it.
VIEWS = """\
system: streaming
scale: {daily_active: 10M}
entities:
  User: {fields: {name: string(80)}}
  View: {fields: {user: ref(User), position_s: int}, retention: 90d}
use_cases:
  - {name: watch video, actor: user, writes: [View], rate: 100M/day}
  - {name: save progress, actor: user, writes: [View.position_s], rate: 1B/day, latest: true}
  - {name: resume video, actor: user, kind: get, reads: [View], rate: 100M/day}
"""
EXPIRY_SCENARIO = """
import asyncio, sys
from types import SimpleNamespace
import redis.asyncio
from {package}.core.latest import RedisLatest
from {package}.core.resources import Latest

async def main():
    client = redis.asyncio.from_url(sys.argv[1])
    store = RedisLatest(client)
    resource = SimpleNamespace(table=SimpleNamespace(name="views"), key=SimpleNamespace(name="id"))
    kept = Latest((), "hash", "latest:views", ttl_s=7776000.0)
    await store.write(kept, resource, {{"id": "v1"}}, {{"position_s": 10}})
    await client.expire("latest:views:v1", 1000)  # as if most of the retention had passed
    await store.write(kept, resource, {{"id": "v1"}}, {{"position_s": 20}})
    await store.write(Latest((), "hash", "latest:views"), resource, {{"id": "v2"}}, {{"position_s": 5}})
    print(await client.ttl("latest:views:v1"), await client.ttl("latest:views:v2"), int(await client.hget("latest:views:v1", "position_s")))
    await client.aclose()

asyncio.run(main())
"""


def test_redis_latest_hash_expires_with_its_row_ok(redis_url: str, tmp_path: Path) -> None:
    """The generated service writes the view's TTL into its latest write, and on a real Redis its runtime sets it once (EXPIRE
    NX): a later write does not push it back, so the hash dies a retention after the row was first written; without a TTL the
    hash never expires."""
    from backend_architect.api import design_spec
    from backend_architect.spec.load import load_spec_bytes

    result = design_spec(load_spec_bytes(VIEWS.encode(), "streaming.yaml").spec)
    (deployable,) = scaffold(from_files(result.architecture, result.files, "streaming"), tmp_path).project.deployables
    root = tmp_path / deployable.name
    (package,) = [p.parent.parent.name for p in (root / "src").glob("*/core/latest.py")]
    generated = "".join(p.read_text() for p in (root / "src" / package / "modules").rglob("*.py"))
    assert "ttl_s=7776000.0" in generated
    script = EXPIRY_SCENARIO.format(package=package)
    run = subprocess.run(
        [sys.executable, "-c", script, redis_url], capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(root / "src")}
    )
    assert run.returncode == 0, run.stderr[-3000:]
    first_ttl, no_ttl, value = (int(v) for v in run.stdout.split())
    assert 0 < first_ttl <= 1_000
    assert no_ttl == -1
    assert value == 20


FEED_SCENARIO = """
import asyncio, sys
import redis.asyncio
from {package}.core.feeds import push, replace_list
from {package}.core.resources import Feed

async def main():
    client = redis.asyncio.from_url(sys.argv[1])
    feed = Feed("feed:{{reader_id}}", 3, ttl_s=1000.0)
    await client.delete("feed:a", "feed:b")
    before = await push(client, feed, ["feed:a", "feed:b"], "t1")
    print(before, await client.exists("feed:a", "feed:b"))
    await replace_list(client, feed, "feed:a", ["t0", "s9"])
    written = await push(client, feed, ["feed:a", "feed:b"], "t1")
    for key in ("t2", "t2", "t3"):  # t2's event delivered twice
        await push(client, feed, ["feed:a"], key)
    members = [m.decode() for m in await client.lrange("feed:a", 0, -1)]
    print(written, await client.exists("feed:b"), ",".join(members), await client.ttl("feed:a"))
    await client.aclose()

asyncio.run(main())
"""


def test_redis_feed_pushes_only_into_lists_readers_keep_ok(redis_url: str, tmp_path: Path) -> None:
    """On a real Redis the generated fan-out writes no list for a reader who has none (LPUSHX), so lists exist only for readers
    who read (a read rebuilds one, with its expiry); a kept list gets each new key first, once, trimmed to its length."""
    from backend_architect.api import design_spec
    from backend_architect.spec.load import load_spec_bytes

    result = design_spec(load_spec_bytes(VIEWS.encode(), "streaming.yaml").spec)
    (deployable,) = scaffold(from_files(result.architecture, result.files, "streaming"), tmp_path).project.deployables
    root = tmp_path / deployable.name
    (package,) = [p.parent.parent.name for p in (root / "src").glob("*/core/feeds.py")]
    run = subprocess.run(
        [sys.executable, "-c", FEED_SCENARIO.format(package=package), redis_url],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(root / "src")},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    first, second = run.stdout.splitlines()
    assert first == "0 0"
    written, other, members, ttl = second.split()
    assert (written, other, members) == ("1", "0", "t3,t2,t1")
    assert 0 < int(ttl) <= 1_000
