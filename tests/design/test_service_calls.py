"""A synchronous call one service makes to another is load on the callee: its request rate, instances and database reads.

Specs of different shapes: services reading another's rows fresh on every request (a read and a write), a write whose
read of the owner also checks the row it names (one call, counted once), the same design run as a modular monolith
(modules calling each other, one database), and a read across services the caller caches.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.service_calls import call_loads, call_requests
from backend_architect.ir.model import Architecture, Figure

#: Posts read their authors' Member rows fresh, both when written (a write) and when listed (a read); the feed is the hot path.
CLUBS = """\
system: clubs
team: {size: TEAM}
entities:
  Club: {fields: {name: string(80)}, rows: 100k}
  Member: {fields: {club: ref(Club), nick: string(40)}, rows: 5M}
  Post: {fields: {club: ref(Club), author: ref(Member), body: text}, growth: 1M/day}
use_cases:
  - {name: create club, actor: user, writes: [Club], rate: 1/s}
  - {name: join club, actor: user, writes: [Member], rate: 10/s}
  - {name: write post, actor: user, writes: [Post], reads: [Member], consistency: strong, rate: 100/s}
  - {name: club feed, actor: user, reads: [Post, Member], filter: [club], consistency: strong, rate: FEED}
"""


def _text(team: int = 30, feed: str = "400/s", extra: str = "") -> str:
    return CLUBS.replace("TEAM", str(team)).replace("FEED", feed + extra)


def _clubs(team: int = 30, feed: str = "400/s", extra: str = "") -> Architecture:
    return design_of(_text(team, feed, extra))


def _figure(arch: Architecture, key: str) -> Figure:
    found = next((f for f in arch.figures if f.key == key), None)
    assert found is not None, f"no figure {key}"
    return found


def _peak(arch: Architecture, use_case: str) -> float:
    return next(f.value for f in arch.figures if f.key == f"qps.peak.{use_case}")


def test_fresh_reads_across_services_are_the_callees_requests_ok() -> None:
    """Every call a request of a use case reading another service's rows fresh makes (one a row its page names) is a request that
    service serves, sized into its instances."""
    arch = _clubs()
    members = _figure(arch, "qps.peak.service.members")
    assert members.inputs["call_writePost"] == pytest.approx(_peak(arch, "write-post"))
    # a page of 20 Posts names up to 20 authors: one GET of a Member a row
    assert members.inputs["call_clubFeed"] == pytest.approx(_peak(arch, "club-feed") * 20)
    assert members.value == pytest.approx(sum(members.inputs.values()))
    assert _figure(arch, "instances.members").inputs["peak"] == pytest.approx(members.value)
    served = _figure(arch, "qps.peak.served")
    assert served.inputs["calls_peak"] == pytest.approx(members.inputs["call_writePost"] + members.inputs["call_clubFeed"])


def test_the_callee_reads_its_store_for_each_call_ok() -> None:
    """The callee's database takes one read of the row asked for per call, beside its own use cases' reads."""
    arch = _clubs()
    reads = _figure(arch, "db.reads.peak.members-db")
    assert reads.inputs["call_clubFeed_members"] == pytest.approx(_peak(arch, "club-feed") * 20)
    assert reads.inputs["call_writePost_members"] == pytest.approx(_peak(arch, "write-post"))
    assert "call_clubFeed_members" not in _figure(arch, "db.reads.peak.posts-db").inputs


def test_a_read_that_also_checks_is_one_call_ok() -> None:
    """A write whose query to the owner also checks the row it names calls the owner once: one check, no second call."""
    arch = _clubs()
    clubs = _figure(arch, "qps.peak.service.clubs")
    assert clubs.inputs["check_writePost"] == pytest.approx(_peak(arch, "write-post"))
    assert not any(k.startswith("call_writePost") for k in clubs.inputs)
    for callee, calls in call_requests(analyse(spec_of(_text())), arch).items():
        operations = [k.split("_", 1)[1] for k in calls]
        assert len(operations) == len(set(operations)), (callee, calls)


def test_modules_calling_each_other_count_in_the_modules_load_ok() -> None:
    """In a modular monolith a module's call on another is that module's load, and the one database reads for it."""
    arch = _clubs(team=3)
    assert arch.deployment == "modular-monolith"
    members = _figure(arch, "qps.peak.service.members")
    assert members.inputs["call_clubFeed"] == pytest.approx(_peak(arch, "club-feed") * 20)
    (database,) = {f.key for f in arch.figures if f.key.startswith("db.reads.peak.") and f.key.count(".") == 3}
    assert _figure(arch, database).inputs["call_clubFeed_members"] == pytest.approx(_peak(arch, "club-feed") * 20)
    deployable = _figure(arch, "instances.deployable.clubs")
    assert deployable.inputs["peak"] == pytest.approx(sum(_figure(arch, f"qps.peak.service.{s.name}").value for s in arch.services))


def test_a_cached_read_across_services_is_counted_on_every_request_ok() -> None:
    """A read the caller caches still calls on every request as its latency says: the callee is sized for a cold or lost cache."""
    arch = _clubs(feed="20k/s", extra=", staleness: 30s, page: {limit: 20}")
    assert any(c.use_case == "club feed" and c.strategy == "cache-aside" for c in arch.caches)
    peak = _peak(arch, "club-feed") * 20
    assert _figure(arch, "qps.peak.service.members").inputs["call_clubFeed"] == pytest.approx(peak)
    assert _figure(arch, "db.reads.peak.members-db").inputs["call_clubFeed_members"] == pytest.approx(peak)
    flow = next(f for f in arch.flows if f.use_case == "club feed")
    assert any(s.kind == "query" and s.target == "members" for s in flow.steps)


@pytest.mark.parametrize(
    ("feed", "page", "calls"), [("400/s", "", 24_000.0), ("2k/s", ", page: {limit: 50}", 300_000.0), ("20k/s", ", page: {limit: 5}", 300_000.0)]
)
def test_the_call_follows_the_callers_rate_ok(feed: str, page: str, calls: float) -> None:
    """The calls on the callee scale with the caller's peak (peak factor 3) and its page: the callee's contract gets one Member
    by id, so a page of Posts naming their authors makes one GET a row (``FlowStep.calls``), each counted."""
    arch = _clubs(feed=feed, extra=page)
    assert _figure(arch, "qps.peak.service.members").inputs["call_clubFeed"] == pytest.approx(calls)
    loads = {load.key: load for load in call_loads(analyse(spec_of(_text(feed=feed, extra=page))), arch)}
    assert loads["call_clubFeed_members"].reads_per_s == pytest.approx(calls)


def test_a_local_read_calls_nobody_err() -> None:
    """A use case reading only its own service's rows, or a stale read fed by events, adds no call to any service."""
    arch = design_of(_text().replace("consistency: strong, rate: 400/s", "consistency: eventual, rate: 400/s"))
    members = _figure(arch, "qps.peak.service.members")
    assert "call_clubFeed" not in members.inputs
    assert "call_clubFeed_members" not in _figure(arch, "db.reads.peak.members-db").inputs


#: Declared services: a post's write also updates its author's Member row in members (a saga step), and checks its Club.
SAGA = """\
system: clubs
team: {size: 30}
services:
  clubs: {owns: [Club]}
  members: {owns: [Member]}
  posts: {owns: [Post]}
entities:
  Club: {fields: {name: string(80)}, rows: 100k}
  Member: {fields: {club: ref(Club), nick: string(40), points: int}, rows: 5M}
  Post: {fields: {club: ref(Club), author: ref(Member), body: text}, growth: 1M/day}
use_cases:
  - {name: create club, actor: user, writes: [Club], rate: 1/s}
  - {name: join club, actor: user, writes: [Member], rate: 10/s}
  - {name: write post, actor: user, writes: [Post, Member], rate: 100/s}
  - {name: club feed, actor: user, reads: [Post], filter: [club], rate: 400/s}
"""


def test_a_saga_step_is_a_request_of_the_service_it_writes_ok() -> None:
    """A saga step writing another service's row is one request that service serves; its write, not a read, reaches its database."""
    arch = design_of(SAGA)
    flow = next(f for f in arch.flows if f.use_case == "write post")
    assert flow.style == "saga"
    peak = _peak(arch, "write-post")
    assert _figure(arch, "qps.peak.service.members").inputs["call_writePost"] == pytest.approx(peak)
    assert _figure(arch, "qps.peak.service.clubs").inputs["check_writePost"] == pytest.approx(peak)
    assert not any(k.startswith("call_") for k in _figure(arch, "db.reads.peak.members-db").inputs)
    assert any("write-post" in k and v == pytest.approx(peak) for k, v in _figure(arch, "db.writes.peak.members-db").inputs.items())


def test_the_callees_connections_hold_its_calls_ok() -> None:
    """The callee's PostgreSQL pool is sized on the calls reaching its database as well as its own use cases' requests: the
    reads and writes reaching its database (issue 22-d1), the calls among them."""
    arch = _clubs()
    members = _figure(arch, "qps.peak.service.members")
    calls = members.inputs["call_writePost"] + members.inputs["call_clubFeed"]
    pool = _figure(arch, "connections.members")
    assert pool.inputs["reads"] == pytest.approx(_figure(arch, "db.reads.peak.members-db").value)
    assert pool.inputs["writes"] == pytest.approx(_figure(arch, "db.writes.peak.members-db").value)
    assert pool.inputs["reads"] + pool.inputs["writes"] >= members.inputs["peak_join-club"] + calls
