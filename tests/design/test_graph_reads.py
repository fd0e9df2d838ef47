"""A feed read whose follow graph another service owns reads it through one decided mechanism, counted, drawn and named.

The hybrid feed's read-time merge needs the authors past the cut-off the reader follows, and a
missing list is rebuilt from the reader's followees: both read the graph. Where another service
owns it, the read is a synchronous call to that service (counted in its requests and its
database's reads, drawn in the sequence and the architecture) or an event-fed local copy in the
serving service's database (its table in the DDL, the owner's events feeding it); only where the
graph is in the same database (a modular monolith) is the read "local".
"""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.design.graph_reads import graph_copy_name
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.design.service_calls import call_requests
from backend_architect.ir.model import Architecture
from backend_architect.render.mermaid import render_architecture
from backend_architect.render.sequence import render_sequence
from backend_architect.spec.load import load_spec_bytes

SOCIAL = """\
system: social
team: {size: %s}
scale: {users: 20M, daily_active: 5M, rates: peak}
entities:
  User: {fields: {handle: string(20)}, rows: 20M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 1G}
  Post:
    append_only: true
    fields: {author: ref(User), text: string(280)}
use_cases:
  - {name: publish post, actor: user, writes: [Post], rate: 5k/s, avg_fanout: 200}
  - {name: follow someone, actor: user, writes: [Follow], rate: %s}
  - {name: unfollow someone, actor: user, kind: delete, writes: [Follow], rate: %s}
  - name: read timeline
    actor: user
    reads: [%s]
    filter: [Follow.follower]
    sort: [-Post.created_at]
    rate: 100k/s
    staleness: 5s
"""

#: (team size, follows/s, unfollows/s, what the read names) -> how the timeline reads the graph.
CASES = [
    # 1,400 follow changes/s -> 2,800 copy writes/s > 1,000: the call stays
    pytest.param((40, "1k/s", "400/s", "Post"), "call", id="graph-elsewhere-busy-graph-is-a-call"),
    # the read names the graph too: the same decision, not the communication stage's stale copy
    pytest.param((40, "1k/s", "400/s", "Follow, Post"), "call", id="graph-named-in-reads-is-a-call"),
    # 300 changes/s -> 600 writes/s <= 1,000, and 100k reads/s > 1,000: an event-fed copy
    pytest.param((40, "200/s", "100/s", "Post"), "copy", id="graph-elsewhere-quiet-graph-is-a-copy"),
    # one deployable, one database: the graph is read where it lies
    pytest.param((6, "1k/s", "400/s", "Post"), "local", id="modular-monolith-is-local"),
]


def _design(shape: tuple[int, str, str, str]) -> Architecture:
    spec = load_spec_bytes(textwrap.dedent(SOCIAL % shape).encode(), "social.yaml").spec
    return design_with_analysis(spec)[0]


@pytest.mark.parametrize(("shape", "how"), CASES)
def test_a_feeds_graph_read_is_drawn_as_decided_ok(shape: tuple[int, str, str, str], how: str) -> None:
    """The timeline's flow carries one graph step by the decision: a query to follows, follows' events, or none (local)."""
    arch = _design(shape)
    flow = next(f for f in arch.flows if f.use_case == "read timeline")
    graph = [s for s in flow.steps if "follows" in {s.source, s.target}]
    expected = {"call": [("posts", "follows", "query")], "copy": [("follows", "posts", "event")], "local": []}[how]
    assert [(s.source, s.target, s.kind) for s in graph] == expected
    assert flow.style == {"call": "sync", "copy": "event", "local": "local"}[how]
    mechanism = next(m for m in arch.mechanisms if m.use_case == "read timeline" and m.serves == "read")
    # Redis serves the Follow rows only where they are read locally: otherwise its record would call the read "local"
    assert ("Follow" in mechanism.entities) is (how == "local")
    said = {
        "call": "from follows by synchronous calls to its list of the reader's Follow rows, paged until next_cursor is empty",
        "copy": "event-fed local copy of follows's Follow pairs",
        "local": "own database",
    }[how]
    assert said in mechanism.how


@pytest.mark.parametrize(("shape", "how"), CASES)
def test_a_feeds_graph_read_is_counted_where_it_lands_ok(shape: tuple[int, str, str, str], how: str) -> None:
    """A call counts in follows' requests and in its database's reads; a copy is a table in posts' database, read there."""
    spec = load_spec_bytes(textwrap.dedent(SOCIAL % shape).encode(), "social.yaml").spec
    arch, analysis = design_with_analysis(spec)
    calls = call_requests(analysis, arch).get("follows", {})
    # the merge asks only for the 5 followees past the cut-off (past_cutoff): one page, one call a read
    assert any(k.startswith("call_") and v == 100_000 for k, v in calls.items()) is (how == "call")
    tables = {d.service: [t.name for t in d.tables] for d in arch.datastores}
    assert (graph_copy_name("Follow") in tables.get("posts", [])) is (how == "copy")
    loads = {load.key: load for m in arch.mechanisms for load in m.loads}
    assert ("graph_read-timeline" in loads) is (how != "call")
    if how == "copy":
        # a follow and an unfollow both reach the copy, carrying the pair it is keyed by
        for write in ("follow someone", "unfollow someone"):
            event = next(e for e in arch.events if e.producer == "follows" and e.use_case == write)
            assert "posts" in event.consumers
            assert {"follower_id", "followee_id"} <= set(event.fields)


def test_a_called_graph_owner_is_an_edge_of_the_architecture_ok() -> None:
    """The call is drawn: posts -> follows in the component diagram, and follows a participant of the timeline's sequence."""
    arch = _design((40, "1k/s", "400/s", "Post"))
    assert "follows" in next(s for s in arch.services if s.name == "posts").depends_on
    assert "svc_posts -->|sync| svc_follows" in render_architecture(arch)
    flow = next(f for f in arch.flows if f.use_case == "read timeline")
    assert "participant p_follows as follows" in render_sequence(arch, flow)


def test_a_feeds_rebuild_names_how_it_reads_the_graph_ok() -> None:
    """The feed decision's rebuild says where it reads the followees: never a join kept "for rebuilds" across two databases."""
    arch = _design((40, "1k/s", "400/s", "Post"))
    feed = next(d for d in arch.decisions if d.id.startswith("feed."))
    assert "read from follows by synchronous calls to its list of the reader's Follow rows, paged until next_cursor is empty" in feed.consequences
    assert "ceil(200 / 100) = 2 calls a request on average" in feed.consequences
    assert "stays indexed for rebuilds" in feed.consequences
    assert "no join or foreign key crosses the two databases" in feed.consequences


@pytest.mark.parametrize(("shape", "how"), CASES)
def test_a_fan_out_workers_writes_are_drawn_where_it_writes_ok(shape: tuple[int, str, str, str], how: str) -> None:
    """The write the worker fans out shows it: the event reaching it, its read of the followers, its pushes into Redis; never
    timed with the request (no synchronous hop), and the component diagram draws the worker's edge to Redis."""
    arch = _design(shape)
    flow = next(f for f in arch.flows if f.use_case == "publish post")
    worker = "read-timeline-fanout"
    steps = [(s.source, s.target, s.kind) for s in flow.steps]
    assert ("posts", worker, "event") in steps
    assert (worker, "redis", "event") in steps
    # the worker runs in the service owning the graph and reads it there (in a monolith, the one database)
    graph_db = next(x.datastore for x in arch.services if "Follow" in x.entities)
    assert (worker, graph_db, "event") in steps, how
    assert flow.depth == 0
    assert f"participant p_{worker.replace('-', '_')} as {worker}" in render_sequence(arch, flow)
    assert f"cmp_{worker.replace('-', '_')} -->|writes| cmp_redis" in render_architecture(arch)


def test_a_hot_cross_shard_read_is_named_with_its_rate_ok() -> None:
    """The fan-out's audience read crosses the follows shards (sharded by follower, read by followee): the data section names it
    with its rate, and the sharding record no longer says cross-shard reads stay off hot paths."""
    arch = _design((40, "1k/s", "400/s", "Post"))
    follows = next(t for d in arch.datastores for t in d.tables if t.name == "follows")
    assert follows.sharding is not None
    assert follows.sharding.key == "follower_id"
    assert any("by followee_id: 5,000/s at peak, each asking every shard" in c for c in follows.sharding.cross_shard)
    record = next(d for d in arch.decisions if d.id == "partitioning")
    assert "keep them off hot paths" not in record.consequences
    assert "named with its rate" in record.consequences
