"""No section handles updates or deletes no operation makes, and a copy is a copy in every record (issue 22, class i3).

The sixteenth trial's timelines design said an append-only Tweet's cache entries were deleted "on each update or delete",
its indexer reindexed "updated or deleted" rows and its feed removed deleted ids lazily, with no such operation in the spec;
a users table no operation writes was kept whole because "its rows change"; and the event-fed copy of the follow pairs
(7.9 TB) stayed on one primary while the same rule sharded its 15 TB source. One account (``row_fates``,
``partition_rule.stored_entity``) now feeds every record. Specs of several shapes: append-only, updated and deleted,
deleted only, never written, and a graph copied into another service.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, spec_of, table

from backend_architect.design.analysis import analyse
from backend_architect.design.partition_rule import ROWS_CHANGE, ROWS_STILL, stored_entity, time_verdict, unwritten
from backend_architect.design.row_fates import RowFates, row_fates
from backend_architect.ir.model import Architecture, Column, Table

NOTES = """\
system: notes
scale: {users: 10M, retention_years: 5}
entities:
  Note: {append_only: true, growth: 5M/day, fields: {author: string(40), body: text}}
use_cases:
  - {name: write note, actor: user, writes: [Note], rate: 200/s}
  - {name: search notes, actor: user, reads: [Note], search: [body], page: cursor, rate: 2k/s}
"""

WIKI = """\
system: wiki
scale: {users: 10M, retention_years: 5}
entities:
  Page: {growth: 5M/day, fields: {title: string(200), body: text}}
use_cases:
  - {name: create page, actor: user, writes: [Page], rate: 200/s}
  - {name: edit page, actor: user, kind: update, writes: [Page], rate: 50/s}
  - {name: remove page, actor: user, kind: delete, writes: [Page], rate: 5/s}
  - {name: search pages, actor: user, reads: [Page], search: [body], page: cursor, rate: 2k/s}
"""

ADS = """\
system: classifieds
scale: {users: 10M, retention_years: 5}
entities:
  Ad: {growth: 5M/day, fields: {seller: string(40), text: string(500)}}
use_cases:
  - {name: post ad, actor: user, writes: [Ad], rate: 200/s}
  - {name: withdraw ad, actor: user, kind: delete, writes: [Ad], rate: 20/s}
  - {name: search ads, actor: user, reads: [Ad], search: [text], page: cursor, rate: 2k/s}
"""


@pytest.mark.parametrize(
    ("text", "entity", "fates", "purpose"),
    [
        (NOTES, "Note", RowFates(False, False), "indexes each created Note row"),
        (WIKI, "Page", RowFates(True, True), "reindexes each created, updated or deleted Page row"),
        (ADS, "Ad", RowFates(False, True), "reindexes each created or deleted Ad row"),
    ],
)
def test_the_indexer_follows_only_the_changes_some_operation_makes(text: str, entity: str, fates: RowFates, purpose: str) -> None:
    assert row_fates(analyse(spec_of(text)), entity) == fates
    arch = design_of(text)
    indexer = next(c for c in arch.components if c.name == "search-indexer")
    assert indexer.purpose == purpose


FEED = """\
system: chirps
scale: {users: 50M, retention_years: 2, rates: peak}
entities:
  Member: {fields: {handle: {type: string(15), unique: true}}}
  Chirp: {append_only: true, growth: 100M/day, fields: {author: ref(Member), text: string(140)}}
  Subscription:
    fields: {reader: ref(Member), writer: ref(Member)}
    unique: [[reader, writer]]
    avg_per_parent: 60
use_cases:
  - {name: chirp, actor: member, writes: [Chirp], rate: 5k/s, avg_fanout: 60}
  - {name: subscribe, actor: member, owner_only: true, writes: [Subscription], rate: 300/s}
  - name: read home
    actor: member
    owner_only: true
    reads: [Chirp, Subscription]
    filter: [Subscription.reader]
    sort: [-created_at]
    page: cursor
    rate: 100k/s
    consistency: eventual
    staleness: 5s
"""


def _said(arch: Architecture) -> str:
    plans = " ".join(p.invalidation for p in arch.caches)
    return plans + " ".join(d.consequences + d.rationale for d in arch.decisions)


def test_an_append_only_feed_item_is_never_said_updated_or_deleted() -> None:
    arch = design_of(FEED)
    said = _said(arch)
    assert "update or delete of the Chirp" not in said
    assert "Deletes remove the id lazily" not in said
    removal = "  - {name: delete chirp, actor: member, kind: delete, writes: [Chirp], rate: 10/s}\n"
    deletable = design_of(FEED.replace("append_only: true, growth", "growth") + removal)
    assert "Deletes remove the id lazily" in _said(deletable)


def test_a_table_no_operation_writes_is_not_said_to_change() -> None:
    """Member has no use case creating, updating or deleting it: its verdict names that, never 'its rows change'."""
    analysis = analyse(spec_of(FEED))
    columns = [Column(name="id", type="bigint"), Column(name="created_at", type="timestamptz")]
    members = Table(name="members", entity="Member", columns=columns, primary_key=["id"])
    assert unwritten(analysis, members)
    chirps = members.model_copy(update={"name": "chirps", "entity": "Chirp"})
    assert not unwritten(analysis, chirps)
    still = time_verdict(analysis, members, 1e14, 5.0, {})
    assert still.reason == ROWS_STILL
    assert "its rows change" not in still.threshold_said
    assert time_verdict(analysis, members.model_copy(update={"entity": "Subscription"}), 1e14, 5.0, {}).reason != ROWS_CHANGE


@pytest.mark.parametrize(
    ("name", "entity"),
    [("known_subscriptions", "Subscription"), ("known_members", "Member"), ("known_nothing", None), ("audit_log", None)],
)
def test_a_copy_stores_its_sources_entity(name: str, entity: str | None) -> None:
    assert stored_entity(analyse(spec_of(FEED)), Table(name=name, columns=[], primary_key=[])) == entity


def test_a_copy_past_the_shard_threshold_is_sharded_like_its_source() -> None:
    """Wherever the design copies the graph's pairs into another service, the copy is sharded by the same key once it passes
    2 TB per primary, exactly as its source, and never partitioned by a created_at it does not hold."""
    arch = design_of(FEED.replace("users: 50M", "users: 400M"))
    copies = [t for _, t in ((s, t) for s in arch.datastores for t in s.tables) if t.name == "known_subscriptions"]
    assert copies, "the design reads the graph through an event-fed copy at these numbers"
    copy, source = copies[0], table(arch, "subscriptions")
    assert copy.partitioning is None
    assert source.sharding is not None
    assert copy.sharding is not None
    assert copy.sharding.key == source.sharding.key == "reader_id"
