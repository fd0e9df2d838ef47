"""A read fetches a value kept in memory only when its response carries it.

A list returning another entity's rows, found through the rows whose value lives in Redis (a user's chats through their
memberships), returns none of that value: drawing and counting an HMGET of each membership's watermark for it contradicted
the contract (whatsapp, run 22). A list of the kept entity's own rows, or naming one of its fields, reads it from Redis.
Shapes: teams found through memberships with a last-active time, depots through trucks with gauges, boards through
seats with a cursor.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

TEAMS = """\
system: teams
scale: {daily_active: 2M, retention_years: 3}
entities:
  Person: {fields: {name: string(80)}, rows: 5M}
  Team: {fields: {title: string(80)}, rows: 1M}
  Member:
    fields: {team: ref(Team), person: ref(Person), active_at: datetime?}
    unique: [[team, person]]
    avg_per_parent: 5
use_cases:
  - {name: form team, writes: [Team, Member], rate: 100k/day}
  - {name: touch membership, latest: true, owner_only: true, writes: [Member.active_at], rate: 20k/s}
  - {name: list my teams, reads: [Member, Team], filter: [Member.person], owner_only: true, page: cursor, rate: 10M/day}
  - {name: list team members, reads: [Member], filter: [team], page: cursor, rate: 5M/day}
"""

DEPOTS = """\
system: depots
scale: {daily_active: 500k, retention_years: 3}
entities:
  Depot: {fields: {name: string(80)}, rows: 20k}
  Truck:
    fields: {depot: ref(Depot), plate: string(20), fuel: float?}
    rows: 2M
use_cases:
  - {name: add truck, writes: [Truck], rate: 10k/day}
  - {name: report fuel, latest: true, writes: [Truck.fuel], rate: 20k/s}
  - {name: depots of trucks, reads: [Truck, Depot], filter: [Truck.plate], page: cursor, rate: 1M/day}
  - {name: depot fuel, reads: [Truck, Truck.fuel], filter: [depot], page: cursor, rate: 1M/day}
"""

BOARDS = """\
system: boards
scale: {daily_active: 1M, retention_years: 3}
entities:
  Person: {fields: {name: string(80)}, rows: 3M}
  Board: {fields: {title: string(80)}, rows: 500k}
  Seat:
    fields: {board: ref(Board), person: ref(Person), cursor: int?}
    unique: [[board, person]]
    avg_per_parent: 4
use_cases:
  - {name: open board, writes: [Board, Seat], rate: 50k/day}
  - {name: move cursor, latest: true, owner_only: true, writes: [Seat.cursor], rate: 20k/s}
  - {name: my boards, reads: [Seat, Board], filter: [Seat.person], owner_only: true, page: cursor, rate: 5M/day}
  - {name: board seats, reads: [Seat], filter: [board], page: cursor, rate: 5M/day}
"""


@pytest.mark.parametrize(
    ("text", "returns_other", "returns_it"),
    [
        pytest.param(TEAMS, "list my teams", "list team members", id="teams-through-memberships"),
        pytest.param(DEPOTS, "depots of trucks", "depot fuel", id="depots-through-trucks"),
        pytest.param(BOARDS, "my boards", "board seats", id="boards-through-seats"),
    ],
)
def test_only_a_read_returning_the_value_fetches_it_ok(text: str, returns_other: str, returns_it: str) -> None:
    """The list returning another entity's rows has no Redis step of the latest value; the one returning it has."""
    arch = design_of(text)
    fetching = {m.use_case for m in arch.mechanisms if m.pattern == "PAT020" and m.serves == "read"}
    assert returns_it in fetching, fetching
    assert returns_other not in fetching, fetching
