"""Records about one part agree with what the design builds (issue 22-d2).

An alternative a record rejects is never what another record builds (an event log expired rather than
sharded, then sharded for its writes); a growth stage built now names the parts it builds later; the
key record names the tables it covers, those later stages add included; and the operation serving a
use case carries the name made from it (a read moved to playback leaves its name to playback).
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of
from tests.design.test_played_reads import CLIPS, FILMS

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture, Decision, Operation
from backend_architect.ir.query import all_tables
from backend_architect.render.markdown_plans import when_built
from backend_architect.scaffold import from_files
from backend_architect.scaffold.plan import plan_project
from backend_architect.spec.load import load_spec_bytes

#: An event log written past one primary and read only by a windowed count: expired, and sharded for its writes.
PINGS = """
system: pulse
team: {size: 3}
entities:
  Ping: {append_only: true, retention: 1d, fields: {topic: string(40)}}
use_cases:
  - {name: send ping, writes: [Ping], rate: RATE}
  - {name: top topics, reads: [Ping], top: {by: count, field: topic, k: 10, window: 3600s}, rate: 50/s}
"""

#: Notes sharded now for their inserts, follows sharded months later for their size (or now, written faster).
CLUB = """
system: club
team: {size: 6}
scale: {retention_years: 5}
entities:
  Member: {fields: {name: string(60)}, rows: 10M}
  Note: {fields: {author: ref(Member), body: string(280)}}
  Follow: {fields: {follower: ref(Member), followee: ref(Member)}, rows: 1500M, growth: 50M/day}
use_cases:
  - {name: post note, writes: [Note], rate: NOTES}
  - {name: follow member, writes: [Follow], rate: FOLLOWS}
  - {name: get note, reads: [Note], rate: 2k/s}
  - {name: get follow, reads: [Follow], rate: 100/s}
"""


def _record(arch: Architecture, key: str) -> Decision:
    return next(d for d in arch.decisions if d.id == key)


@pytest.mark.parametrize(
    ("rate", "sharded"),
    [pytest.param("30k/s", True, id="sharded-for-its-writes"), pytest.param("200/s", False, id="one-primary")],
)
def test_expired_log_rejects_sharding_only_when_unsharded_ok(rate: str, sharded: bool) -> None:
    """The history record offers "shard the raw rows" as an alternative only when the log stays on one primary."""
    arch = design_of(PINGS.replace("RATE", rate))
    pings = next(t for _, t in all_tables(arch) if t.name == "pings")
    assert (pings.sharding is not None) == sharded
    names = [a.name for a in _record(arch, "storage.pings").alternatives]
    assert ("shard the raw rows" in names) == (not sharded), names
    assert "keep every raw row" in names


@pytest.mark.parametrize(
    ("notes", "follows", "later"),
    [
        pytest.param("15k/s", "50M/day", ["follows"], id="one-now-one-later"),
        pytest.param("15k/s", "8k/s", [], id="both-now"),
    ],
)
def test_sharding_stage_names_the_tables_it_builds_later_ok(notes: str, follows: str, later: list[str]) -> None:
    """A sharding stage built now lists the tables sharded later; the growth record puts them under "later", never "build now"."""
    arch = design_of(CLUB.replace("NOTES", notes).replace("FOLLOWS", follows))
    stage = next(s for s in arch.stages if s.name == "sharding")
    assert stage.now
    assert stage.later == later
    choice = _record(arch, "growth").choice
    now, _, after = choice.partition("; later: ")
    assert "5. sharding of notes" in now or "5. sharding (" in now
    for table in later:
        assert f"{table}: " not in now[now.find("5. sharding") :].split("; 6. ")[0]
        assert f"5. sharding of {table} ({table}: " in after
    assert when_built(stage) == ("now, except follows: later" if later else "now")


def test_key_record_names_the_tables_later_stages_add_ok() -> None:
    """The outbox and idempotency tables the guarantees add are named with their own keys, never covered by another's words."""
    arch = design_of(CLUB.replace("NOTES", "15k/s").replace("FOLLOWS", "50M/day"))
    choice = _record(arch, "keys").choice
    roles = [t for _, t in all_tables(arch) if t.role is not None]
    assert roles
    for table in roles:
        assert re.search(rf"\b{table.name}\b", choice), (table.name, choice)
    composite = [t for t in roles if len(t.primary_key) > 1]
    assert all(f"{t.name} ({', '.join(t.primary_key)})" in choice for t in composite), choice


def _ops(arch: Architecture) -> dict[str, Operation]:
    return {o.operation_id: o for a in arch.apis for o in a.operations}


@pytest.mark.parametrize(
    ("text", "use_case", "played", "item"),
    [
        pytest.param(FILMS.replace("AUTH", "required"), "play film", "playFilm", "getFilm", id="id-keyed-member"),
        pytest.param(FILMS.replace("AUTH", "none"), "play film", "playFilm", "getFilm", id="id-keyed-public"),
        pytest.param(CLIPS, "watch clip", "watchClip", "getClip", id="short-coded-beside-details"),
    ],
)
def test_playback_carries_the_use_cases_name_ok(text: str, use_case: str, played: str, item: str) -> None:
    """The playback operation takes the name made from the use case it serves; the item's read takes the neutral get<Entity>."""
    ops = _ops(design_of(text))
    assert ops[played].path.endswith("/playback")
    assert ops[played].use_cases == [use_case]
    assert use_case not in ops[item].use_cases
    assert not ops[item].path.endswith("/playback")


def test_playback_named_by_its_use_case_is_scaffolded_as_playback_ok() -> None:
    """The scaffold recognises the renamed playback by its answer's shape, not by its name: it plays, the item reads."""
    text = FILMS.replace("AUTH", "required")
    result = design_spec(load_spec_bytes(text.encode(), "films.yaml"))
    project = plan_project(from_files(result.architecture, result.files, "films"))
    plans = {op.op.operation_id: op for d in project.deployables for m in d.modules for op in m.operations}
    assert plans["playFilm"].mechanism == "objects.playback"
    assert plans["getFilm"].mechanism == "crud.read"
    assert "operationId: playFilm" in result.files["openapi/films.yaml"]
