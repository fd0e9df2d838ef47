"""Read paths, caches and load figures agree with the data and the auth model: a table of spec shapes per rule."""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.patterns._cache_headers import TOKEN_CACHE_CONTROL
from backend_architect.ir.model import Architecture
from backend_architect.render.openapi import render_openapi
from design.helpers import design_of, spec_of, table

FEED = """
system: feed
entities:
  Author: {fields: {name: string(80)}, rows: 1M}
  Post: {fields: {author: ref(Author), body: text}, growth: 1M/day}
use_cases:
  - {name: write post, actor: author, writes: [Post], rate: 1M/day}
  - {name: author posts, actor: reader, auth: AUTH, reads: [Post], filter: [author], rate: 5k/s, consistency: eventual}
"""


def _plan(arch: Architecture, use_case: str) -> str:
    return next(c.strategy for c in arch.caches if c.use_case == use_case)


def _op(arch: Architecture, use_case: str):  # type: ignore[no-untyped-def]
    return next(op for api in arch.apis for op in api.operations if use_case in op.use_cases)


@pytest.mark.parametrize(
    ("auth", "strategy", "header"), [("none", "cdn", "public, max-age=60"), ("optional", "cdn", "public, max-age=60"), ("required", "cache-aside", None)]
)
def test_cdn_only_where_the_response_is_shared_ok(auth: str, strategy: str, header: str | None) -> None:
    """A CDN caches a read only when every caller gets the same response; the contract's Cache-Control says so."""
    arch = design_of(FEED.replace("AUTH", auth))
    assert _plan(arch, "author posts") == strategy
    assert _op(arch, "author posts").cache_control == header
    assert any(c.kind == "cdn" for c in arch.components) is (strategy == "cdn")


def test_optional_auth_cdn_keeps_anonymous_responses_only_ok() -> None:
    """With optional auth the CDN plan and the contract say a request carrying a token gets a private response."""
    arch = design_of(FEED.replace("AUTH", "optional"))
    plan = next(c for c in arch.caches if c.use_case == "author posts")
    assert TOKEN_CACHE_CONTROL in plan.rationale
    api = next(a for a in arch.apis if any("author posts" in op.use_cases for op in a.operations))
    document = render_openapi(api, arch)
    (operation,) = [o for p in document["paths"].values() for o in p.values() if "author posts" in o.get("x-use-cases", [])]
    assert operation["x-cache-control"] == "public, max-age=60"
    assert "Cache-Control" in operation["responses"]["200"]["headers"]
    assert TOKEN_CACHE_CONTROL in document["components"]["headers"]["Cache-Control"]["description"]


def test_cdn_steer_on_a_read_that_needs_a_token_is_refused_ok() -> None:
    """Choosing a CDN for a per-caller read changes nothing and says why."""
    text = FEED.replace("AUTH", "required") + "decisions:\n  cache.author-posts: {choose: CDN, reason: edge}\n"
    arch = design_of(text)
    assert _plan(arch, "author posts") == "cache-aside"
    assert _op(arch, "author posts").cache_control is None


FORUM = """
system: forum
entities:
  Thread: {fields: {title: string(120), COUNTER}, rows: 1M}
  Reply: {part_of: Thread, fields: {body: text}, growth: 100k/day}
use_cases:
  - {name: open thread, actor: user, writes: [Thread], rate: 10k/day}
  - {name: reply, actor: user, writes: [REPLY_WRITES], rate: 100k/day}
  - {name: view thread, actor: visitor, auth: required, kind: get, reads: [Thread], rate: 500/s}
"""


@pytest.mark.parametrize(
    ("counter", "reply_writes", "immutable"),
    [
        ("views: string(10)", "Reply", True),  # only creates: the rows never change
        ("reply_count: int", "Reply, Thread.reply_count", False),  # another use case bumps a counter on the row
        ("score: {type: int, default: 0, generated: true}", "Reply", False),  # a counter the server keeps
    ],
)
def test_ttl_counts_every_writer_of_the_rows_read_ok(counter: str, reply_writes: str, immutable: bool) -> None:
    """A read's TTL claims 'never change' only when no use case, counter or job changes the rows it returns."""
    arch = design_of(FORUM.replace("COUNTER", counter).replace("REPLY_WRITES", reply_writes))
    plan = next(c for c in arch.caches if c.use_case == "view thread")
    assert ("never change" in plan.rationale) is immutable
    assert (plan.ttl_seconds == 3_600) is immutable
    facts = analyse(spec_of(FORUM.replace("COUNTER", counter).replace("REPLY_WRITES", reply_writes))).entities["Thread"]
    assert (facts.mutability == "immutable") is immutable, facts.changes


ORDERS = """
system: orders
entities:
  Customer: {fields: {name: string(80)}, rows: 100k}
  Order: {fields: {customer: ref(Customer), total: money}, growth: 500k/day}
use_cases:
  - {name: place order, actor: customer, writes: [Order], rate: 500k/day}
EXTRA
"""


@pytest.mark.parametrize(
    ("extra", "readback"),
    [
        ("", True),  # no read use case: the created order's GET still reads the database
        ("  - {name: list orders, actor: customer, reads: [Order], filter: [customer], rate: 20/s}", True),
        ("  - {name: show order, actor: customer, kind: get, reads: [Order], rate: 20/s}", False),  # the use case rates the GET itself
    ],
)
def test_every_read_endpoint_reaches_its_store_ok(extra: str, readback: bool) -> None:
    """The GET the API adds for a created resource counts in the database's reads unless a use case already rates it."""
    arch = design_of(ORDERS.replace("EXTRA", extra))
    reads = next(f for f in arch.figures if f.key.startswith("db.reads.peak."))
    assert reads.value > 0
    assert any(k.startswith("readback_") for k in reads.inputs) is readback


def test_a_wide_column_rows_read_back_is_not_the_databases_ok() -> None:
    """A created row a wide-column store keeps is read back from its by-id table there: no read-back on the relational database."""
    from design.test_document_consistency import THREADS

    threads = "  - {name: start thread, actor: member, kind: create, writes: [Thread], rate: 1M/day}\n"
    arch = design_of(THREADS.replace("  - {name: get post, actor: member, kind: get, reads: [Post], rate: 10M/day}\n", threads))
    assert [t.name for s in arch.datastores for t in s.tables if t.wide_column is not None] == ["posts"]
    readbacks = {k for f in arch.figures if f.key.startswith("db.reads.peak.") for k in f.inputs if k.startswith("readback_")}
    assert readbacks == {"readback_getThread"}  # the thread read back from PostgreSQL counts; the post is ScyllaDB's
    assert any(o.path == "/posts/{post_id}" and not o.use_cases for a in arch.apis for o in a.operations)


COUNTERS = """
system: counters
entities:
  Event: {fields: {name: string(80), sold: int}, rows: ROWS}
  Ticket: {fields: {event: ref(Event), seat: string(8)}, growth: 1M/day}
use_cases:
  - {name: sell ticket, actor: buyer, writes: [Ticket, Event.sold], rate: 300/s}
  - {name: rename event, actor: organiser, writes: [Event.name], rate: 300/s}
"""


@pytest.mark.parametrize(("rows", "hot"), [("3", True), ("5", True), ("1M", False)])
def test_hot_rows_are_many_updates_to_the_same_row_ok(rows: str, hot: bool) -> None:
    """A counter is hot when updates per row per second pass the threshold: 300/s over 3 events is, over a million is not."""
    arch = design_of(COUNTERS.replace("ROWS", rows))
    found = [b for b in arch.bottlenecks if b.title.startswith("Hot rows")]
    assert bool(found) is hot
    if hot:
        assert found[0].title == "Hot rows: Event.sold in 'sell ticket'"
        assert "split the counter" in found[0].scaling_step


def test_a_value_written_once_per_row_is_no_hot_row_ok() -> None:
    """Many rows updated once each (a trip's fare at its end) spread over every row: no hot row."""
    arch = design_of(
        """
        system: rides
        entities:
          Ride: {fields: {fare: money?, status: enum[open,done]}, growth: 10M/day}
        use_cases:
          - {name: request ride, writes: [Ride], rate: 10M/day}
          - {name: end ride, writes: [Ride.fare, Ride.status], rate: 10M/day}
        """
    )
    assert not [b for b in arch.bottlenecks if b.title.startswith("Hot rows")]


NEARBY = """
system: nearby
entities:
  Van: {fields: {kind: enum[small,large], location: geo?}, rows: ROWS}
use_cases:
  - {name: report position, actor: van, writes: [Van.location], latest: LATEST, rate: RATE}
  - {name: vans near me, actor: user, reads: [Van], near: Van.location, radius: 2km, filter: [kind], rate: SEARCHES}
"""


@pytest.mark.parametrize(
    ("rows", "latest", "rate", "searches", "indexed"),
    [("100k", "true", "20k/s", "5k/s", False), ("2k", "false", "1/s", "20/s", True)],
)
def test_no_database_index_for_a_search_another_store_answers_ok(rows: str, latest: str, rate: str, searches: str, indexed: bool) -> None:
    """Positions kept in a Redis GEO set get no geohash index in the database; points searched in the database do."""
    arch = design_of(NEARBY.replace("ROWS", rows).replace("LATEST", latest).replace("RATE", rate).replace("SEARCHES", searches))
    vans = table(arch, "vans")
    served = any(m.use_case == "vans near me" and m.database_share == 0 for m in arch.mechanisms)
    assert served is not indexed
    assert any("vans near me" in r for i in vans.indexes for r in i.reasons) is indexed
