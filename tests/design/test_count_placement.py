"""A count the feed keeps per followed source follows the graph rows it commits with, or says it does not.

Where the follow graph is sharded by the follower, one followed source's rows sit on every shard and its count is one row on
the database's unsharded primary: no graph write can move it in its own transaction and no query can join the two. The count
is then moved by the outbox relay (said so in its table, its write loads and the list's contract) and the read of the
followees past the cut-off reads their counts in a second query, counted on the primary at the read's rate. Where the graph
is on one primary the count moves in the write's transaction and the list joins it. Specs of different shapes: a large social
graph read by a call across services, a video site's subscriptions read in a modular monolith's one database, and a small
graph on one primary, read from an event-fed copy with its own count beside it (same transaction, joined).
"""

from __future__ import annotations

from functools import cache

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Architecture, Table

#: 60G follows sharded by follower_id; the feed's service calls follows for the authors past the cut-off.
CHIRP = """\
system: chirp
team: {size: 40}
scale: {users: 400M, daily_active: 100M, rates: peak, retention_years: 5}
entities:
  User: {fields: {handle: string(20)}, rows: 400M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 60G}
  Chirp:
    append_only: true
    fields: {author: ref(User), text: string(280)}
use_cases:
  - {name: post chirp, actor: user, writes: [Chirp], rate: 8k/s, avg_fanout: 150}
  - {name: follow user, actor: user, writes: [Follow], rate: 2k/s}
  - {name: unfollow user, actor: user, kind: delete, writes: [Follow], rate: 500/s}
  - name: home feed
    actor: user
    reads: [Chirp]
    filter: [Follow.follower]
    sort: [-Chirp.created_at]
    rate: 150k/s
    staleness: 5s
"""

#: 40G subscriptions sharded by subscriber_id in a modular monolith: the feed reads the graph in the one database.
TUBES = """\
system: tubes
team: {size: 6}
scale: {users: 300M, daily_active: 80M, rates: average, peak_factor: 3, retention_years: 4}
entities:
  Channel: {fields: {title: string(80)}, rows: 30M}
  Subscription: {fields: {subscriber: ref(Channel), channel: ref(Channel)}, rows: 40G}
  Upload:
    append_only: true
    fields: {channel: ref(Channel), title: string(120)}
use_cases:
  - {name: upload video, actor: user, writes: [Upload], rate: 200M/day, avg_fanout: 300}
  - {name: subscribe, actor: user, writes: [Subscription], rate: 100M/day}
  - {name: unsubscribe, actor: user, kind: delete, writes: [Subscription], rate: 20M/day}
  - name: subscriptions feed
    actor: user
    reads: [Upload]
    filter: [Subscription.subscriber]
    sort: [-Upload.created_at]
    rate: 5G/day
    staleness: 10s
"""

#: 100M follows on one primary, few changes: the count commits with each follow; the feed reads a copy and joins the copy's count.
SOCIAL = """\
system: social
team: {size: 40}
scale: {users: 20M, daily_active: 5M, rates: peak}
entities:
  User: {fields: {handle: string(20)}, rows: 20M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 100M}
  Post:
    append_only: true
    fields: {author: ref(User), text: string(280)}
use_cases:
  - {name: publish post, actor: user, writes: [Post], rate: 5k/s, avg_fanout: 200}
  - {name: follow someone, actor: user, writes: [Follow], rate: 20/s}
  - {name: unfollow someone, actor: user, kind: delete, writes: [Follow], rate: 5/s}
  - {name: read timeline, actor: user, reads: [Post], filter: [Follow.follower], sort: [-Post.created_at], rate: 100k/s, staleness: 5s}
"""

SPECS = {"chirp": CHIRP, "tubes": TUBES, "social": SOCIAL}

#: (spec, graph table, count table, the feed read, the graph's shard key or '' where it stays on one primary)
CASES = [
    pytest.param("chirp", "follows", "follows_per_followee", "home-feed", "follower_id", id="sharded-graph-called"),
    pytest.param("tubes", "subscriptions", "subscriptions_per_channel", "subscriptions-feed", "subscriber_id", id="sharded-graph-local"),
    pytest.param("social", "follows", "follows_per_followee", "read-timeline", "", id="one-primary-joined"),
]


@cache
def _designed(name: str) -> DesignResult:
    return design_spec(spec_of(SPECS[name]))


def _table(arch: Architecture, name: str) -> Table:
    return next(t for s in arch.datastores for t in s.tables if t.name == name)


@pytest.mark.parametrize(("name", "graph", "count", "feed", "key"), CASES)
def test_the_count_moves_with_its_graph_or_says_it_does_not_ok(name: str, graph: str, count: str, feed: str, key: str) -> None:
    """A count apart from its sharded graph is moved by the relay, never claimed in the write's transaction; beside an unsharded
    graph it moves in that transaction."""
    arch = _designed(name).architecture
    sharding = _table(arch, graph).sharding
    assert (sharding.key if sharding is not None else "") == key
    said = _table(arch, count).comment or ""
    owned = [load for m in arch.mechanisms if m.serves == "write" for load in m.loads if load.key.startswith("count_")]
    writes = [load.quantity for load in owned if load.key.endswith(f"_{count}") and not load.key.endswith(f"known_{count}")]
    assert writes
    if key:
        assert "outbox relay" in said, said
        assert f"sharded by {key}" in said, said
        assert "in its transaction" not in said, said
        assert all("outbox relay" in w and "same transaction" not in w for w in writes), writes
    else:
        assert "in its transaction" in said, said
        assert "relay" not in said, said
        assert all("same transaction" in w for w in writes), writes


@pytest.mark.parametrize(("name", "graph", "count", "feed", "key"), CASES)
def test_the_feeds_count_reads_land_where_the_count_lives_ok(name: str, graph: str, count: str, feed: str, key: str) -> None:
    """Each feed read reads the counts of its followees on the primary holding them when they sit apart from the graph (one query
    by key, at the read's rate, in that database's primary figures); a join beside the graph adds no read."""
    arch = _designed(name).architecture
    peak = next(f.value for f in arch.figures if f.key == f"qps.peak.{feed}")
    reads = {k: v for f in arch.figures if f.key.startswith("db.reads.peak.") for k, v in f.inputs.items()}
    counted = reads.get(f"count_reads_{feed}_{count}")
    assert counted == (pytest.approx(peak) if key else None), sorted(reads)
    primary = [f for f in arch.figures if f.key.startswith("db.primary.reads.peak.")]
    assert any(f"count_reads_{feed}_{count}" in f.inputs for f in primary) == bool(key), [f.key for f in primary]


def test_the_list_says_how_it_finds_the_counts_err() -> None:
    """The followees list's contract says it reads the counts in a second query where they sit apart, never that it joins them."""
    files = _designed("chirp").files
    contract = next(text for path, text in files.items() if path.startswith("openapi/") and "past_cutoff" in text)
    assert "then their counts from follows_per_followee on the unsharded primary" in contract
    assert "joined to follows_per_followee" not in contract


def test_a_service_never_reads_another_services_database_in_its_sequence_err() -> None:
    """The feed's sequence draws the count read by the graph's owner behind its call, not as the feed's service reading that
    owner's database."""
    arch = _designed("chirp").architecture
    text = _designed("chirp").files["design.md"]
    home = next(f for f in arch.flows if f.use_case == "home feed").steps[0].target
    owner_db = next(s.name for s in arch.datastores for t in s.tables if t.name == "follows_per_followee")
    section = text.split("### home feed", 1)[1].split("###", 1)[0]
    assert f"p_{home}->>db_{owner_db.replace('-', '_')}" not in section, section
