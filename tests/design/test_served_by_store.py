"""Which store serves a path is told one way in every section: the cross-shard list and the per-shard reads, a read's consistency
(caching table, bottlenecks, hand-off flows, critic) and the busiest primary the summary names all read the mechanisms' account."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.read_lag import lagging_server
from backend_architect.ir.query import busiest_read_primary
from backend_architect.spec.load import load_spec_bytes

#: A microblog: home feed from precomputed lists (hybrid merge by author), search over an index, a live firehose; posts sharded by
#: author; the search states strong consistency, which the index cannot give.
MICROBLOG = """
system: chirp
scale: {users: 80M, rates: peak, peak_factor: 2}
entities:
  Member:
    fields: {handle: {type: string(20), unique: true}}
    rows: 80M
  Subscription:
    fields: {reader: ref(Member), writer: ref(Member)}
    unique: [[reader, writer]]
    rows: 30B
  Chirp:
    append_only: true
    fields: {author: ref(Member), body: string(280)}
    growth: 500M/day
use_cases:
  - {name: post chirp, actor: user, writes: [Chirp], rate: 15k/s, avg_fanout: 60}
  - name: read home feed
    actor: user
    owner_only: true
    reads: [Subscription, Chirp]
    filter: [Subscription.reader]
    sort: [-Chirp.created_at]
    page: cursor
    rate: 200k/s
    staleness: 5s
    consistency: eventual
  - {name: read author page, actor: user, reads: [Chirp], filter: [author], sort: [-created_at], page: cursor, rate: 5k/s}
  - {name: search chirps, actor: user, reads: [Chirp], search: [body], page: cursor, rate: 20k/s, consistency: strong}
  - {name: subscribe, actor: user, writes: [Subscription]}
  - {name: watch all chirps, actor: partner, kind: list, reads: [Chirp], deliver: realtime}
"""

#: Telemetry sharded by device with a real scatter-gather: a fleet-wide list of alarming readings filters on no shard key.
TELEMETRY = """
system: fleet
scale: {users: 10k, rates: peak}
entities:
  Device:
    fields: {serial: {type: string(32), unique: true}}
    rows: 5M
  Reading:
    append_only: true
    fields: {device: ref(Device), level: int, alarm: bool}
    growth: 2B/day
use_cases:
  - {name: record reading, actor: device, writes: [Reading], rate: 40k/s}
  - {name: device history, actor: user, reads: [Reading], filter: [device], sort: [-created_at], page: cursor, rate: 300/s}
  - {name: fleet alarms, actor: user, reads: [Reading], filter: [alarm], sort: [-created_at], page: cursor, rate: 40/s}
"""

#: A marketplace: listings sharded by seller, searched through an index (eventual, stated), with a live stream of new listings.
MARKET = """
system: bazaar
scale: {users: 20M, rates: peak}
entities:
  Seller:
    fields: {name: string(80)}
    rows: 2M
  Listing:
    append_only: true
    fields: {seller: ref(Seller), title: string(120), blurb: text}
    growth: 900M/day
use_cases:
  - {name: list item, actor: user, writes: [Listing], rate: 21k/s}
  - {name: seller shelf, actor: user, reads: [Listing], filter: [seller], sort: [-created_at], page: cursor, rate: 2k/s}
  - {name: find listings, actor: user, reads: [Listing], search: [title, blurb], page: cursor, rate: 3k/s, consistency: eventual, staleness: 10s}
  - {name: watch new listings, actor: partner, kind: list, reads: [Listing], deliver: realtime}
"""

SPECS = [pytest.param(MICROBLOG, id="microblog"), pytest.param(TELEMETRY, id="telemetry"), pytest.param(MARKET, id="market")]

_RATE = re.compile(r"([\d,]+(?:\.\d+)?)/s at peak")


def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "s.yaml"))


@pytest.fixture(scope="module", params=SPECS)
def result(request: pytest.FixtureRequest) -> DesignResult:
    return _designed(request.param)


def _rate(entry: str) -> float:
    found = _RATE.search(entry)
    return float(found.group(1).replace(",", "")) if found else 0.0


def test_cross_shard_lists_hold_only_reads_reaching_the_shards_ok(result: DesignResult) -> None:
    """No read a mechanism serves off the database is listed as cross-shard, and the per-shard figure counts exactly the listed
    reads that ask every shard, at the rate each states; design.md prints the same list."""
    arch = result.architecture
    figures = {f.key: f for f in arch.figures}
    elsewhere = {m.use_case for m in arch.mechanisms if m.serves == "read" and m.database_share == 0}
    sharded = [t for s in arch.datastores for t in s.tables if t.sharding is not None]
    assert sharded
    for table in sharded:
        assert table.sharding is not None
        for entry in table.sharding.cross_shard:
            assert not any(entry.startswith(f"{name} (") for name in elsewhere), entry
        every = [e for e in table.sharding.cross_shard if "each asking every shard" in e]
        per_shard = figures.get(f"db.shard.reads.{table.name}")
        if per_shard is not None and per_shard.scope == table.name:
            assert per_shard.inputs["reads_cross_shard"] == pytest.approx(sum(_rate(e) for e in every), rel=1e-3, abs=1)
        if table.sharding.cross_shard:
            assert f"cross-shard: {', '.join(table.sharding.cross_shard)}" in result.files["design.md"]


def test_the_table_holds_each_kind_of_cross_shard_read_ok() -> None:
    """The table holds a scatter-gather read counted on every shard, a merge over several shard keys, and a search never listed."""
    entries = [e for param in SPECS for s in _designed(param.values[0]).architecture.datastores for t in s.tables if t.sharding for e in t.sharding.cross_shard]
    assert any(e == "fleet alarms (40/s at peak reaching the database, each asking every shard)" for e in entries)
    assert any("values a request" in e and "counted with the keyed reads" in e for e in entries)
    assert not any(e.startswith(("search chirps", "find listings", "read home feed")) for e in entries)
    late = [f.use_case for param in SPECS for arch in [_designed(param.values[0]).architecture] for f in arch.flows if lagging_server(arch, f.use_case)]
    assert {"read home feed", "search chirps", "find listings"} <= set(late)


def test_a_read_served_late_is_eventual_in_every_record_ok(result: DesignResult) -> None:
    """A read a store fed from change events serves is eventual with that store's lag in the flows, the hand-off, the caching
    table and the bottlenecks; none calls it current."""
    arch = result.architecture
    handoff = {f["use_case"]: f for f in json.loads(result.files["handoff.json"])["architecture"]["flows"]}
    document = result.files["design.md"]
    lagging = [(f, m) for f in arch.flows if (m := lagging_server(arch, f.use_case)) is not None]
    for flow, mechanism in lagging:
        assert flow.consistency == "eventual"
        assert flow.lag_seconds == mechanism.lag_seconds
        assert handoff[flow.use_case]["consistency"] == "eventual"
        plan = next((c for c in arch.caches if c.use_case == flow.use_case), None)
        if plan is not None:
            assert "must be current" not in plan.rationale, plan.rationale
        for row in (line for line in document.splitlines() if line.startswith(f"| {flow.use_case} |")):
            assert "strong consistency" not in row, row
        for bottleneck in arch.bottlenecks:
            if flow.use_case in bottleneck.title:
                assert "must read current" not in bottleneck.scaling_step, bottleneck.scaling_step


def test_a_strong_read_served_late_is_reported_err() -> None:
    """The spec asking strong consistency of a search the index serves 2 s late gets the critic's finding, with the lag."""
    found = [f for f in _designed(MICROBLOG).findings if f.code == "DES028"]
    assert [f.where for f in found] == ["use case 'search chirps'"]
    assert "about 2 s" in found[0].message


def test_an_eventual_read_served_late_is_not_reported_ok() -> None:
    """A search the spec states eventual (or states nothing for) carries no conflict."""
    assert not [f for f in _designed(MARKET).findings if f.code == "DES028"]
    assert not [f for f in _designed(MICROBLOG.replace(", consistency: strong}", "}")).findings if f.code == "DES028"]


def test_the_summary_names_the_primary_each_figure_is_on_ok(result: DesignResult) -> None:
    """The summary's busiest-primary reads are on the primary the read figure names, whose own figure carries that number."""
    arch = result.architecture
    figures = {f.key: f for f in arch.figures}
    read = figures["db.read_utilisation"]
    where = busiest_read_primary(read.quantity)
    reads = read.inputs["peak_reads"]
    shard = re.fullmatch(r"one shard of (\S+) \((\S+)\)", where)
    if shard:
        assert figures[f"db.shard.reads.{shard.group(1)}"].value == pytest.approx(reads)
    else:
        db, _, kind = where.partition("'s ")
        key = f"db.primary.reads.peak.{db}" if kind.startswith("unsharded") else f"db.reads.peak.{db}"
        assert figures[key].value == pytest.approx(reads)
    summary = next(line for line in result.files["design.md"].splitlines() if line.startswith("| reaching the busiest primary"))
    assert f"reads (on {where})" in summary
