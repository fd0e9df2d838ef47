"""A write whose value a mechanism keeps in memory changes no row: no churn verdict counts it.

A latest value moved to Redis (PAT020: ``database_share`` 0) overwrites a key; the table it names takes no update per
write. Counting those writes among a table's "updates a day" kept a chat's members whole for "4,000,000,000 updates a
day (mark delivered, mark read)" the design says it never writes (whatsapp, run 22). Specs of several shapes: a truck's
gauges, a player's score, an editor's cursor; each also written slowly enough to stay in the row (the control: there the
write does update the row, and the verdict counts it).
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.churn import churn, kept_out_of_database
from backend_architect.ir.query import all_tables

FLEET = """\
system: fleet
scale: {daily_active: 1M, retention_years: 5}
entities:
  Depot: {fields: {name: string(80)}, rows: 10k}
  Truck:
    fields: {depot: ref(Depot), plate: string(20), fuel: float?, odometer: float?}
    rows: 2M
use_cases:
  - {name: add truck, writes: [Truck], rate: 50k/day}
  - {name: report gauges, latest: true, writes: [Truck.fuel, Truck.odometer], rate: RATE}
  - {name: list depot trucks, reads: [Truck], filter: [depot], page: cursor, rate: 1M/day}
"""

ARENA = """\
system: arena
scale: {daily_active: 3M, retention_years: 3}
entities:
  Gamer: {fields: {handle: string(40)}, rows: 20M}
  Match: {fields: {map: string(40)}, growth: 2M/day}
  Player:
    part_of: Match
    fields: {gamer: ref(Gamer), score: int?}
    avg_per_parent: 10
use_cases:
  - {name: start match, writes: [Match, Player], rate: 2M/day}
  - {name: post score, latest: true, writes: [Player.score], rate: RATE}
  - {name: view match, kind: get, reads: [Match, Player], rate: 5M/day}
"""

EDITOR = """\
system: editor
scale: {daily_active: 500k, retention_years: 2}
entities:
  Author: {fields: {name: string(80)}, rows: 1M}
  Document: {fields: {title: string(200), owner: ref(Author)}, growth: 100k/day}
  Session:
    fields: {document: ref(Document), author: ref(Author), caret: int?, selection: string(80)?}
    growth: 3M/day
use_cases:
  - {name: open session, writes: [Session], rate: 3M/day}
  - {name: move caret, latest: true, writes: [Session.caret, Session.selection], rate: RATE}
  - {name: list sessions, reads: [Session], filter: [document], page: cursor, rate: 2M/day}
"""

_STATED = re.compile(r"(?:updates|deletes) a day \(([^)]*)\)")

SHAPES = [
    pytest.param(FLEET, "report gauges", "trucks", id="truck-gauges"),
    pytest.param(ARENA, "post score", "players", id="player-score-a-part"),
    pytest.param(EDITOR, "move caret", "sessions", id="editor-caret"),
]


@pytest.mark.parametrize(("text", "writer", "name"), SHAPES)
def test_a_value_kept_in_memory_is_no_update_ok(text: str, writer: str, name: str) -> None:
    """Past the in-memory threshold the writer is kept out of the database, and no table's churn, nor any record, counts it."""
    source = text.replace("RATE", "20k/s")
    arch = design_of(source)
    analysis = analyse(spec_of(source))
    kept = kept_out_of_database(arch)
    assert writer in kept
    for _, found in all_tables(arch):
        assert writer not in dict(churn(analysis, found, kept).changers), found.name
    for names in _STATED.findall(arch.model_dump_json()):
        assert writer not in names, names


@pytest.mark.parametrize(("text", "writer", "name"), SHAPES)
def test_a_value_kept_in_the_row_is_an_update_ok(text: str, writer: str, name: str) -> None:
    """Below it the value stays in its row: each write updates it, and the churn counts it (the rule is the mechanism, not the flag)."""
    source = text.replace("RATE", "5/s")
    arch = design_of(source)
    kept = kept_out_of_database(arch)
    assert writer not in kept
    found = next(t for _, t in all_tables(arch) if t.name == name)
    assert writer in dict(churn(analyse(spec_of(source)), found, kept).changers)


@pytest.mark.parametrize(
    ("text", "writer", "name", "columns"),
    [
        pytest.param(FLEET, "report gauges", "trucks", ["fuel", "odometer"], id="truck-gauges"),
        pytest.param(ARENA, "post score", "players", ["score"], id="player-score-a-part"),
        pytest.param(EDITOR, "move caret", "sessions", ["caret", "selection"], id="editor-caret"),
    ],
)
def test_the_column_it_no_longer_writes_says_so_ok(text: str, writer: str, name: str, columns: list[str]) -> None:
    """The DDL column whose value lives in Redis says it is not the latest value; kept in the row, it says nothing of the kind."""
    for rate, kept in (("20k/s", True), ("5/s", False)):
        arch = design_of(text.replace("RATE", rate))
        found = next(t for _, t in all_tables(arch) if t.name == name)
        comments = {c.name: c.comment or "" for c in found.columns}
        for column in columns:
            said = f"not the latest value: {writer} keeps it in Redis" in comments[column]
            assert said is kept, (rate, column, comments[column])
