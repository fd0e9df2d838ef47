"""A read-back's membership probes are counted at the read-back rate and said on that rate's basis.

The GET the API adds for a created row is called as often as the row is read back (``readback_rate``): once a create for
a row that changes, never for an appended row (its create answered its final state). Its membership check probes at that
rate, and the reason beside the figure is the one that produced it: "0 probes/s (each created Message read back once)"
gave a reader the basis of another figure, recomputed as 69,444/s (whatsapp, run 22). Shapes: a room's posts and tasks,
a ward's observations and care plans, a league's match reports and fixtures; each scope has members, each has one
appended and one changing entity.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.readback_rate import readback_rate

ROOMS = """\
system: rooms
scale: {daily_active: 5M, retention_years: 10}
entities:
  Person: {fields: {name: string(80)}, rows: 20M}
  Room: {fields: {title: string(120), owner: ref(Person)}, rows: 1M}
  Seat:
    fields: {room: ref(Room), person: ref(Person), role: "enum[host, guest]"}
    unique: [[room, person]]
    avg_per_parent: 8
  Post:
    append_only: true
    fields: {room: ref(Room), author: ref(Person), body: string(1000)}
    growth: 200k/day
  Task:
    fields: {room: ref(Room), title: string(200), done: bool}
    growth: 1M/day
use_cases:
  - {name: open room, writes: [Room, Seat], rate: 500k/day}
  - {name: take seat, writes: [Seat], rate: 1M/day}
  - {name: post, writes: [Post], rate: 200k/day}
  - {name: add task, writes: [Task], rate: 1M/day}
  - {name: read room posts, reads: [Post], filter: [room], page: cursor, rate: 2M/day}
"""

WARDS = """\
system: wards
scale: {daily_active: 200k, retention_years: 10}
entities:
  User: {fields: {name: string(80)}, rows: 300k}
  Ward: {fields: {name: string(80), head: ref(User)}, rows: 20k}
  Shift:
    fields: {ward: ref(Ward), user: ref(User)}
    unique: [[ward, user]]
    avg_per_parent: 30
  Observation:
    append_only: true
    fields: {ward: ref(Ward), recorded_by: ref(User), pulse: int, note: string(500)}
    growth: 5M/day
  CarePlan:
    fields: {ward: ref(Ward), goal: string(300), status: "enum[open, met]"}
    growth: 50k/day
use_cases:
  - {name: open ward, writes: [Ward, Shift], rate: 1k/day}
  - {name: staff ward, writes: [Shift], rate: 10k/day}
  - {name: record observation, writes: [Observation], rate: 5M/day}
  - {name: draft care plan, writes: [CarePlan], rate: 50k/day}
  - {name: ward observations, reads: [Observation], filter: [ward], page: cursor, rate: 2M/day}
"""

LEAGUE = """\
system: league
scale: {daily_active: 1M, retention_years: 5}
entities:
  Person: {fields: {name: string(80)}, rows: 2M}
  Club: {fields: {name: string(80), founder: ref(Person)}, rows: 50k}
  Roster:
    fields: {club: ref(Club), person: ref(Person)}
    unique: [[club, person]]
    avg_per_parent: 25
  Report:
    append_only: true
    fields: {club: ref(Club), writer: ref(Person), text: string(2000)}
    growth: 200k/day
  Fixture:
    fields: {club: ref(Club), opponent: string(80), kickoff: datetime}
    growth: 20k/day
use_cases:
  - {name: found club, writes: [Club, Roster], rate: 2k/day}
  - {name: sign player, writes: [Roster], rate: 5k/day}
  - {name: file report, writes: [Report], rate: 200k/day}
  - {name: schedule fixture, writes: [Fixture], rate: 20k/day}
  - {name: club reports, reads: [Report], filter: [club], page: cursor, rate: 1M/day}
"""


@pytest.mark.parametrize(
    ("text", "appended", "changing"),
    [
        pytest.param(ROOMS, "Post", "Task", id="room-posts-and-tasks"),
        pytest.param(WARDS, "Observation", "CarePlan", id="ward-observations-and-care-plans"),
        pytest.param(LEAGUE, "Report", "Fixture", id="league-reports-and-fixtures"),
    ],
)
def test_readback_probes_follow_the_readback_rate_ok(text: str, appended: str, changing: str) -> None:
    """Each added GET's probes are its read-back rate, and the reason states the basis that rate was computed on."""
    analysis = analyse(spec_of(text))
    arch = design_of(text)
    derived = {c.operation: c for c in arch.membership_checks if not c.use_case}
    by_entity = {op.entity: op.operation_id for api in arch.apis for op in api.operations if op.operation_id in derived}
    assert {appended, changing} <= set(by_entity), by_entity
    for entity, operation in by_entity.items():
        check = derived[operation]
        rate = readback_rate(analysis, entity)
        assert check.peak == pytest.approx(rate)
        if rate:
            assert f"{rate:,.0f} probes/s at peak (each created {entity} read back once)" in check.reason
        else:
            assert "read back once" not in check.reason
            assert f"0 probes/s at peak (an appended {entity} is never read back" in check.reason
    assert readback_rate(analysis, appended) == 0
    assert readback_rate(analysis, changing) > 0
