"""One shard map, one layout: the tables sharing a shard map are sized together and state one count, and a table is on its
parent's shard map only when its shard key holds the value the parent's rows are sharded by."""

from __future__ import annotations

import math

import pytest

from backend_architect.design.co_writes import placements
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture, Table
from backend_architect.ir.query import busiest_write_primary
from backend_architect.spec.load import load_spec_bytes

#: A parent sharded by its own id, a part (by its parent's id) and a part of the part (by the part's parent's id, which is
#: not the id its grandparent is sharded by).
ALBUMS = """\
system: albums
team: {size: 6}
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  Album:
    fields: {title: string(80), notes: {type: text, avg_bytes: 4000}}
    rows: 400M
  Photo:
    part_of: Album
    avg_per_parent: 5
    fields: {caption: {type: text, avg_bytes: 30000}}
  Comment:
    part_of: Photo
    avg_per_parent: 2
    fields: {body: {type: text, avg_bytes: 2000}}
use_cases:
  - {name: create album, writes: [Album], rate: 200/s}
  - {name: get album, reads: [Album], rate: 3k/s}
  - {name: add photo, writes: [Photo], rate: 900/s}
  - {name: add comment, writes: [Comment], rate: 1500/s}
"""

#: A parent sharded by its owner's reference (the dominant filter), and a part keyed by the parent's id: not its layout.
CLIPS = """\
system: clips
team: {size: 6}
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  User: {fields: {name: string(80)}, rows: 1M}
  Clip:
    fields: {owner: ref(User), title: string(80), notes: {type: text, avg_bytes: 4000}}
    rows: 400M
  Label:
    part_of: Clip
    avg_per_parent: 5
    fields: {text: {type: text, avg_bytes: 1500}}
use_cases:
  - {name: create clip, writes: [Clip], rate: 200/s}
  - {name: list my clips, reads: [Clip], filter: [owner], rate: 3k/s}
  - {name: add label, writes: [Label], rate: 900/s}
"""

#: Inserts, not bytes, fill the map: a ledger sharded by account, its lines beside their entry.
LEDGER = """\
system: ledger
team: {size: 6}
scale: {rates: peak, peak_factor: 2, retention_years: 2}
entities:
  Entry:
    append_only: true
    fields: {memo: string(60)}
  Line:
    part_of: Entry
    avg_per_parent: 2
    append_only: true
    fields: {amount: "decimal(14,2)"}
use_cases:
  - {name: post entry, writes: [Entry], rate: 4k/s}
  - {name: post line, writes: [Line], rate: 4k/s}
  - {name: get entry, reads: [Entry], rate: 1k/s}
"""


#: A table sharded by size whose shards take few writes, beside an unsharded table updated often: the unsharded primary is busiest.
FOLDERS = """\
system: folders
team: {size: 2}
scale: {rates: peak, peak_factor: 2, retention_years: 5}
entities:
  Folder: {fields: {name: string(80), opened: int}, rows: 2M}
  Document:
    fields: {folder: ref(Folder), body: {type: text, avg_bytes: 40000}}
    rows: 12B
use_cases:
  - {name: touch folder, writes: [Folder], kind: update, rate: 2500/s}
  - {name: file document, writes: [Document], rate: 300/s}
  - {name: read document, reads: [Document], rate: 2k/s}
decisions:
  boundaries: {choose: Folder in documents, reason: one team owns folders and their documents}
"""


def _design(text: str) -> Architecture:
    return design_with_analysis(load_spec_bytes(text.encode(), "test.yaml").spec)[0]


def _sharded(arch: Architecture) -> dict[str, Table]:
    return {t.name: t for s in arch.datastores for t in s.tables if t.sharding is not None}


def _maps(arch: Architecture) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    for name, (_, head) in placements(arch).items():
        if head:
            members.setdefault(head, []).append(name)
    return members


@pytest.mark.parametrize(("text", "years"), [pytest.param(ALBUMS, 5, id="sharded-by-id-with-parts"), pytest.param(LEDGER, 2, id="inserts-fill-the-map")])
def test_tables_of_one_shard_map_are_sized_together_ok(text: str, years: int) -> None:
    """A map holding several tables needs shards for their sum (bytes and inserts), and every member states that one count."""
    arch = _design(text)
    known = {f.key: f for f in arch.figures}
    shared = [sorted(names) for names in _maps(arch).values() if len(names) > 1]
    assert shared
    for names in shared:
        figures = [known[f"db.shards.{n}"] for n in names]
        assert len({f.value for f in figures}) == 1
        inputs = figures[0].inputs
        # the map's bytes are its members' bytes summed, never the largest member's alone
        assert inputs["map_bytes_at_horizon"] == pytest.approx(sum(known[f"bytes.{years}y.{n}"].value for n in names))
        expected = max(
            2,
            math.ceil(inputs["map_bytes_at_horizon"] / inputs["hot_store"]),
            math.ceil(inputs["map_peak_inserts"] / (inputs["write_ceiling"] * inputs["write_headroom"])),
        )
        assert figures[0].value == expected
        assert all(
            f.formula.endswith(f"(the shard map's tables together: {', '.join(sorted(names))})")
            or set(names) == set(f.formula.split("together: ")[1].rstrip(")").split(", "))
            for f in figures
        )
        for name in names:
            when = _sharded(arch)[name].sharding.when or ""  # type: ignore[union-attr]
            assert f"{expected:,} shards at the horizon" in when


def test_map_count_exceeds_its_largest_table_ok() -> None:
    """Parts as large as their parent add shards: the count is the map's total, larger than any one member would need."""
    arch = _design(ALBUMS)
    known = {f.key: f.value for f in arch.figures}
    members = _maps(arch)["albums"]
    largest = max(math.ceil(known[f"bytes.5y.{n}"] / 2e12) for n in members)
    assert known["db.shards.albums"] > largest


@pytest.mark.parametrize(
    ("text", "child", "parent"),
    [pytest.param(CLIPS, "labels", "clips", id="parent-sharded-by-owner"), pytest.param(ALBUMS, "comments", "photos", id="grandchild-of-id-sharded-map")],
)
def test_child_not_keyed_by_parents_shard_key_is_not_colocated_err(text: str, child: str, parent: str) -> None:
    """A part keyed by its parent's id, under a parent sharded by another column, keeps a map of its own: no foreign key, no same-shard claim."""
    arch = _design(text)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    where = placements(arch)
    assert where[child] != where[parent]
    # the DDL declares no constraint to the parent (a reference the database does not enforce, if any)
    assert all(fk.checked_by for fk in tables[child].foreign_keys if fk.ref_table == parent)
    sharding = tables[child].sharding
    assert sharding is None or "goes with" not in sharding.reason


def test_child_keyed_by_parents_shard_key_shares_its_map_ok() -> None:
    """A part whose shard key holds the value its parent is sharded by (the parent's id) lives on the parent's shards, with its
    foreign key where both are sharded from the same stage (the albums large enough to be sharded now, as their photos are)."""
    arch = _design(ALBUMS.replace("    rows: 400M\n", "    rows: 900M\n", 1))
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    assert placements(arch)["photos"] == placements(arch)["albums"]
    reference = next(fk for fk in tables["photos"].foreign_keys if fk.ref_table == "albums")
    assert not reference.checked_by
    assert tables["albums"].sharding is not None
    assert tables["albums"].sharding.key in reference.ref_columns


@pytest.mark.parametrize("text", [pytest.param(t, id=n) for n, t in (("albums", ALBUMS), ("clips", CLIPS), ("ledger", LEDGER), ("folders", FOLDERS))])
def test_busiest_primary_names_which_primary_it_is_ok(text: str) -> None:
    """The busiest primary's writes are the figure of the primary it names: a database's unsharded primary or one shard of a map."""
    arch = _design(text)
    known = {f.key: f for f in arch.figures}
    busiest = known["db.write_utilisation"]
    which = busiest_write_primary(busiest.quantity)
    db = which.split("'s ")[0] if "'s " in which else which.rsplit("(", 1)[1].rstrip(")")
    if which.startswith("one shard of "):
        head = which.removeprefix("one shard of ").split(" ")[0]
        stated = known[f"db.shard.writes.{head}"].value
    elif f"db.primary.writes.peak.{db}" in known:
        stated = known[f"db.primary.writes.peak.{db}"].value
    else:
        stated = known[f"db.writes.peak.{db}"].value
    assert busiest.inputs["peak_write"] == pytest.approx(stated)
    # and no primary of any database carries more
    others = [f.value for k, f in known.items() if k.startswith(("db.shard.writes.", "db.primary.writes.peak."))]
    assert all(v <= busiest.inputs["peak_write"] + 1e-6 for v in others)
    stage = next(s for s in arch.stages if s.order == 1)
    assert f"busiest primary ({which})" in stage.trigger


def test_unsharded_primary_busier_than_a_shard_is_named_err() -> None:
    """Writes on the unsharded primary above one shard's are not called a shard's (the trial's '130/s per shard but 1,200/s')."""
    arch = _design(FOLDERS)
    known = {f.key: f for f in arch.figures}
    assert known["db.shards.documents"].value >= 2
    assert "unsharded primary" in busiest_write_primary(known["db.write_utilisation"].quantity)
