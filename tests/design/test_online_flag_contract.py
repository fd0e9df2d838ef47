"""A read about who is online returns every row it selects, each with its presence flag, and its contract says so: the flag is
no filter, whatever the read is named (issue 22-q6, discord C2: 'list online guild members' paged every member with a flag
while its contract, named for online members, never said it filtered nothing).

Specs of different shapes: devices of a site read directly (the present entity's own rows, named 'online'), lobby seats that
refer to present players (``online: true`` stated, a name without the word), and a support desk's agents listed by team with
their presence, named for presence.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import Operation

FLEET = """\
system: fleet
entities:
  Site: {fields: {name: string(80)}, rows: 10k}
  Device:
    fields: {site: ref(Site), serial: {type: string(40), unique: true}}
    presence: true
    rows: 2M
use_cases:
  - {name: register device, writes: Device, rate: 10k/day}
  - {name: list online devices, reads: Device, filter: site, page: cursor, rate: 1M/day}
"""

LOBBY = """\
system: lobby
entities:
  Player: {fields: {handle: string(30)}, presence: true, rows: 3M}
  Lobby: {fields: {title: string(60)}}
  LobbySeat:
    fields: {lobby: ref(Lobby), player: ref(Player)}
    unique: [[lobby, player]]
use_cases:
  - {name: open lobby, actor: player, writes: Lobby, rate: 50k/day}
  - {name: take seat, actor: player, writes: LobbySeat, rate: 500k/day}
  - {name: who is seated, actor: player, kind: list, reads: [LobbySeat, Player], filter: lobby, online: true, rate: 5M/day}
"""

DESK = """\
system: desk
entities:
  Agent: {fields: {name: string(80), team: ref(Team)}, presence: true, rows: 20k}
  Team: {fields: {name: string(60)}, rows: 500}
use_cases:
  - {name: add agent, writes: Agent, rate: 100/day}
  - {name: show team presence, kind: list, reads: Agent, filter: team, rate: 200k/day}
"""


def _operation(text: str, use_case: str) -> Operation:
    arch = design_of(text)
    return next(o for a in arch.apis for o in a.operations if use_case in o.use_cases and not o.internal)


@pytest.mark.parametrize(
    ("text", "use_case", "entity", "flag"),
    [
        pytest.param(FLEET, "list online devices", "Device", "online", id="own-rows-named-online"),
        pytest.param(LOBBY, "who is seated", "LobbySeat", "player_online", id="referring-rows-stated-online"),
        pytest.param(DESK, "show team presence", "Agent", "online", id="own-rows-named-presence"),
    ],
)
def test_an_online_read_says_it_returns_every_row_with_a_flag_ok(text: str, use_case: str, entity: str, flag: str) -> None:
    """The operation's text says every selected row comes back, online or not, each with its flag; no parameter filters by it."""
    op = _operation(text, use_case)
    assert f"It returns every {entity} the read selects, online or not: each carries {flag}" in op.description, op.description
    assert "(a flag on each row, not a filter)" in op.description
    assert not [p for p in op.parameters if "online" in p.name], [p.name for p in op.parameters]
    assert op.response_schema is not None
    assert "Online" in op.response_schema, op.response_schema
