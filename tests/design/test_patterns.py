"""Design patterns: each decides from its numbers, tested just below, at and above its threshold on small specs."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.api import design_spec
from backend_architect.design.patterns.registry import PATTERNS
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes


def design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec).architecture


def figure(arch: Architecture, key: str) -> float:
    return next(f.value for f in arch.figures if f.key == key)


def decision(arch: Architecture, id: str) -> str:
    return next(d.choice for d in arch.decisions if d.id == id)


def plan(arch: Architecture, use_case: str) -> tuple[str, float | None]:
    found = next(c for c in arch.caches if c.use_case == use_case)
    return found.strategy, found.ttl_seconds


def test_every_pattern_is_documented_ok() -> None:
    """Every registered pattern has a unique code and name and the documentation headings a reader needs."""
    assert len({p.code for p in PATTERNS}) == len(PATTERNS) == len({p.name for p in PATTERNS})
    for pattern in PATTERNS:
        for heading in ("## When it applies", "## What it adds", "## What it costs", "## Alternatives", "## References"):
            assert heading in pattern.doc, (pattern.code, heading)


FEED = """\
system: social
scale: {users: 1M, rates: peak, peak_factor: 2}
entities:
  User: {fields: {handle: string(20)}}
  Follow: {fields: {follower: ref(User), followee: ref(User)}}
  Post:
    append_only: true
    fields: {author: ref(User), text: string(280)}
use_cases:
  - {name: write post, writes: [Post], rate: 1k/s, avg_fanout: 100}
  - name: view home feed
    reads: [Follow, Post]
    filter: [Follow.follower]
    sort: [-Post.created_at]
    rate: RATE
    staleness: 5s
"""


@pytest.mark.parametrize(
    ("rate", "applied"),
    [pytest.param("199/s", False, id="below"), pytest.param("200/s", False, id="at"), pytest.param("201/s", True, id="above")],
)
def test_feed_fan_out_past_one_node_ok(rate: str, applied: bool) -> None:
    """Merging 100 sources per read passes one node's 20,000 lookups/s above 200 reads/s: the feed is then precomputed, with its numbers."""
    arch = design(FEED.replace("RATE", rate))
    feed = [d for d in arch.decisions if d.id == "feed.view-home-feed"]
    assert bool(feed) == applied
    if not applied:
        assert any(n.pattern == "PAT001" and "fan-out on read" in n.reason for n in arch.pattern_notes)
        return
    assert "fan-out on write" in feed[0].choice
    assert "hybrid" in feed[0].choice
    assert figure(arch, "deliveries.peak.write-post") == pytest.approx(1_000 * 100)
    # the worker consumes the post's event: the relay's second comes first (design/relay.py)
    assert figure(arch, "fanout.lag_seconds.write-post") == pytest.approx(1.0 + 100 / 20_000)
    assert plan(arch, "view home feed")[0] == "read-model"
    assert any(c.name == "redis" and c.kind == "cache" for c in arch.components)
    assert any("view-home-feed-fanout" in e.consumers for e in arch.events if e.use_case == "write post")


CACHE = """\
system: shop
entities:
  Product: {fields: {name: string, price: money}}
use_cases:
  - {name: add product, writes: [Product], rate: 10/day}
  - {name: view product, reads: [Product], kind: get, rate: RATE, auth: AUTH EXTRA}
"""


@pytest.mark.parametrize(
    ("rate", "auth", "extra", "expected"),
    [
        pytest.param("10/s", "required", "", ("none", None), id="slow-private-read-goes-to-the-database"),
        pytest.param("10/s", "none", "", ("http", 3600.0), id="slow-public-read-is-http-cached"),
        pytest.param("100/s", "required", "", ("cache-aside", 3600.0), id="never-updated-rows-cached-long"),
        pytest.param("100/s", "none", "", ("cdn", 3600.0), id="hot-public-read-on-a-cdn"),
        pytest.param("100/s", "required", ", cache: false", ("none", None), id="cache-false-honoured"),
        pytest.param("100/s", "required", ", staleness: 20s", ("cache-aside", 20.0), id="stated-staleness-is-the-ttl"),
    ],
)
def test_read_path_cache_from_load_and_changes_ok(rate: str, auth: str, extra: str, expected: tuple[str, float | None]) -> None:
    """The plan follows the read rate, who may read, how the rows change, and the spec's own word."""
    arch = design(CACHE.replace("RATE", rate).replace("AUTH", auth).replace(" EXTRA", extra))
    assert plan(arch, "view product") == expected


def test_updated_rows_need_staleness_to_be_cached_ok() -> None:
    """Rows that are updated are cached only with a staleness to bound them (strong reads go to the database)."""
    text = CACHE.replace("RATE", "500/s").replace("AUTH", "required").replace(" EXTRA", "")
    text += "  - {name: update price, writes: [Product.price], rate: 1/s}\n"
    assert plan(design(text), "view product") == ("none", None)
    assert plan(design(text.replace("kind: get,", "kind: get, staleness: 5s,")), "view product") == ("cache-aside", 5.0)


@pytest.mark.parametrize(
    ("rate", "replicas"),
    [pytest.param("4.6k/s", 0, id="below"), pytest.param("4.7k/s", 1, id="above"), pytest.param("9.4k/s", 2, id="two")],
)
def test_read_replicas_from_reads_reaching_the_database_ok(rate: str, replicas: int) -> None:
    """Uncached reads past 70% of one node's 20,000/s (x3 peak) need ceil(reads / 14,000) - 1 replicas."""
    text = CACHE.replace("RATE", rate).replace("AUTH", "required").replace(" EXTRA", ", cache: false")
    arch = design(text)
    assert figure(arch, "db.read_replicas") == replicas
    assert bool([d for d in arch.decisions if d.id.startswith("read-replicas.")]) == bool(replicas)


SEARCH = """\
system: library
entities:
  Book: {fields: {title: string(200), blurb: text}, rows: ROWS}
use_cases:
  - {name: search books, reads: [Book], search: [title, blurb], rate: 10/s}
"""


@pytest.mark.parametrize(("rows", "engine"), [pytest.param("9M", "PostgreSQL", id="below"), pytest.param("11M", "OpenSearch", id="above")])
def test_search_engine_past_the_corpus_threshold_ok(rows: str, engine: str) -> None:
    """Past 10M rows a search engine fed by change events serves search, and the database drops its full-text index."""
    arch = design(SEARCH.replace("ROWS", rows))
    assert decision(arch, "search").startswith(engine)
    gin = [i for s in arch.datastores for t in s.tables for i in t.indexes if i.method == "gin"]
    assert bool(gin) == (engine == "PostgreSQL")
    if engine == "OpenSearch":
        assert any(c.name == "search-indexer" for c in arch.components)
        assert "scatter-gather" in decision(arch, "search")


MESSAGING = """\
system: pay
team: {size: 20}
entities:
  Order: {fields: {total: money}}
  Shipment: {fields: {order: ref(Order)}}
use_cases:
  - {name: place order, writes: [Order], rate: RATE, notify: [shipping]}
  - {name: view shipment, reads: [Shipment, Order], rate: 1/s}
"""


@pytest.mark.parametrize(
    ("rate", "transport"),
    [
        pytest.param("3k/s", "RabbitMQ", id="queue-broker-under-10k-events"),
        pytest.param("4k/s", "Apache Kafka", id="partitioned-log-past-10k-events"),
    ],
)
def test_event_transport_by_rate_ok(rate: str, transport: str) -> None:
    """Between services, events go through a queue broker up to 10,000/s at peak (x3) and a partitioned log beyond, with partitions from the rate."""
    arch = design(MESSAGING.replace("RATE", rate))
    assert decision(arch, "messaging").startswith(transport)
    if transport == "Apache Kafka":
        assert figure(arch, "events.partitions") == max(3, -(-12_000 // 10_000) * 2)


def test_edge_is_a_gateway_for_services_ok() -> None:
    """Several services get an API gateway behind the load balancer; one deployable a load balancer alone."""
    services = design(MESSAGING.replace("RATE", "1/s"))
    assert {c.kind for c in services.components} >= {"load-balancer", "api-gateway"}
    monolith = design(MESSAGING.replace("RATE", "1/s").replace("size: 20", "size: 3"))
    assert "api-gateway" not in {c.kind for c in monolith.components}
    assert "load balancer" in decision(monolith, "edge")


def test_batch_job_sized_to_its_window_ok() -> None:
    """A scheduled use case is a job: rows a run from the input's growth, workers from the rows/s its half-interval window needs."""
    arch = design(
        """\
        system: metrics
        entities:
          Reading: {append_only: true, fields: {value: int}, growth: 864M/day}
          Total: {fields: {value: bigint}}
        use_cases:
          - {name: roll up readings, reads: [Reading], writes: [Total], schedule: hourly}
        """
    )
    job = next(j for j in arch.jobs if j.use_case == "roll up readings")
    assert job.rows_per_run == pytest.approx(36_000_000)
    assert job.rows_per_s == 20_000
    assert job.workers == 4
    assert "scheduler" in job.trigger
    assert not any(o.use_cases == ["roll up readings"] for a in arch.apis for o in a.operations)


#: A job that submits each new charge to a payment processor; SCHEDULE, LATENCY and the peak factor vary per case.
CHARGES = """\
system: billing
scale: {peak_factor: PEAK}
external:
  processor: {kind: payment LATENCY}
entities:
  Charge: {fields: {amount: money, reference: string(60)?}, growth: 6M/day}
use_cases:
  - {name: take charge, writes: [Charge], rate: 6M/day}
  - {name: submit charges, actor: system, kind: job, reads: [Charge], writes: [Charge.reference], calls: [processor], schedule: "SCHEDULE"}
"""


@pytest.mark.parametrize(
    ("schedule", "latency", "peak", "per_run", "per_worker"),
    [
        pytest.param("* * * * *", ", latency_ms: 800", 3, 6e6 / 1_440, 125.0, id="minutely-slow-callee"),
        pytest.param("hourly", ", latency_ms: 50", 2, 6e6 / 24, 2_000.0, id="hourly-fast-callee"),
        pytest.param("*/5 * * * *", "", 4, 6e6 / 288, 100 / 0.3, id="five-minutely-callee-latency-assumed"),
        pytest.param("daily", ", latency_ms: 800", 3, 6e6, 125.0, id="daily-slow-callee-many-workers"),
    ],
)
def test_job_calls_at_its_own_throughput_ok(schedule: str, latency: str, peak: int, per_run: float, per_worker: float) -> None:
    """A job's rows a run, rows/s, workers and its external calls are one computation: it calls at the rate it processes rows."""
    arch = design(CHARGES.replace("SCHEDULE", schedule).replace(" LATENCY", latency).replace("PEAK", str(peak)))
    job = next(j for j in arch.jobs if j.use_case == "submit charges")
    assert job.rows_per_run == pytest.approx(per_run)
    assert job.rows_per_s * job.interval_s * 0.5 >= job.rows_per_run
    calls = next(f for f in arch.figures if f.key == "qps.peak.external.processor")
    assert calls.value == job.rows_per_s
    assert calls.inputs == {"job_submit-charges": job.rows_per_s}
    assert figure(arch, "job.workers.submit-charges") == job.workers == max(1, -(-job.rows_per_s // per_worker))
    assert f"at {job.rows_per_s:,.0f} calls/s" in decision(arch, "job.submit-charges")


def test_downloaded_blobs_behind_a_cdn_ok() -> None:
    """Blobs go to object storage; read ones get a CDN with signed URLs."""
    arch = design(
        """\
        system: photos
        entities:
          Photo: {fields: {image: {type: blob, avg_bytes: 2MB}}, growth: 1M/day}
        use_cases:
          - {name: upload photo, writes: [Photo], rate: 1M/day}
          - {name: view photo, reads: [Photo], kind: get, rate: 100/s}
        """
    )
    assert "CDN" in decision(arch, "object-storage")
    assert {c.kind for c in arch.components} >= {"object-store", "cdn"}
    assert figure(arch, "bandwidth.ingress") > 2e6 * 1e6 / 86_400


@pytest.mark.parametrize(("staleness", "cutoff"), [pytest.param("5s", 80_000, id="five-seconds"), pytest.param("30s", 580_000, id="half-a-minute")])
def test_an_author_at_the_cut_off_reaches_every_follower_within_the_staleness_ok(staleness: str, cutoff: int) -> None:
    """The cut-off leaves the relay's lag out of the staleness: an author with the cut-off's followers reaches the last of them
    within it (1 s relay + followers / 20,000/s), so a 5 s feed fans out to 80,000 followers, not 100,000 (6 s)."""
    arch = design(FEED.replace("RATE", "1k/s").replace("staleness: 5s", f"staleness: {staleness}"))
    record = next(d for d in arch.decisions if d.id == "feed.view-home-feed")
    assert record.inputs["cutoff_followers"] == cutoff
    assert f"more than {cutoff:,} followers" in record.choice
    assert record.inputs["relay_s"] + cutoff / record.inputs["worker_rate"] == pytest.approx(record.inputs["staleness_s"])
    # the rationale's working is the same: the staleness less the relay's second, times the workers' rate (the fourteenth
    # trial run's agent read "5 s x 20,000/s" beside an 80,000 cut-off)
    seconds = int(staleness.removesuffix("s"))
    assert f"({seconds} s - 1 s through the event relay) x 20,000/s = {cutoff:,})" in record.rationale
