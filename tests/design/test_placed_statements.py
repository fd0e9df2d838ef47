"""Statements about transactions, joins and loads follow where the sharding decision put the tables (issue 22-n2).

Once a table sits on its shard map and another on the unsharded primary (or on another map), a write of both is no longer one
transaction and a read filtering one through the other is no longer one join: the design records the write across servers
(its outbox relay and applier), counts the read as two reads each on the server holding its table, and every note says so.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.cross_server_keys import placements_today
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: Rooms: posts past one primary shard their room's map now; the rooms follow for their last_post_at writes; members lag on
#: the unsharded primary. Opening a room writes a room and its member; listing my rooms filters rooms through members.
ROOMS = """\
system: rooms
scale: {rates: average, peak_factor: 3, retention_years: 5, daily_active: 10M}
entities:
  User: {fields: {name: string(80)}, rows: 20M}
  Room:
    fields: {title: string(100)?, last_post_at: datetime?, topic: {type: text, avg_bytes: 2000}}
    rows: 2B
  Member:
    part_of: Room
    fields: {user: ref(User), joined_at: datetime}
    unique: [[room, user]]
  Post:
    fields: {room: ref(Room), author: ref(User), body: {type: text, avg_bytes: 300}}
    growth: 1B/day
use_cases:
  - {name: open room, writes: [Room, Member], rate: 5M/day}
  - {name: post in room, writes: [Post, Room.last_post_at], rate: 1B/day}
  - {name: list my rooms, reads: [Member, Room], filter: [user], sort: [-last_post_at], rate: 500M/day}
  - {name: read room, reads: [Post], filter: [room], sort: [-created_at], rate: 500M/day}
"""

#: Boards: cards (a part of their board) shard by board_id now while boards stay on the unsharded primary until their stage;
#: a read of cards filters through the board's name (the other direction: the own table references the joined one).
BOARDS = """\
system: boards
team: {size: 6}
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  User: {fields: {name: string(80)}, rows: 5M}
  Board:
    fields: {owner: ref(User), name: string(80), about: {type: text, avg_bytes: 4000}}
    rows: 300M
  Card:
    part_of: Board
    avg_per_parent: 20
    fields: {text: {type: text, avg_bytes: 1500}}
use_cases:
  - {name: create board, writes: [Board, Card], rate: 30/s}
  - {name: open board, kind: get, reads: [Board], rate: 5k/s}
  - {name: add card, writes: [Card], rate: 2k/s}
  - {name: cards of named boards, reads: [Card, Board], filter: [Board.name], rate: 3k/s}
"""

#: The boards read mostly by owner: boards shard by owner_id, cards by board_id, two maps apart once both are built.
OWNED_BOARDS = BOARDS.replace(
    "  - {name: open board, kind: get, reads: [Board], rate: 5k/s}\n", "  - {name: my boards, reads: [Board], filter: [owner], rate: 20k/s}\n"
)

#: A small team chat: nothing sharded, every table on one server.
SMALL = """\
system: talk
entities:
  User: {fields: {name: string(80)}, rows: 10k}
  Conversation: {fields: {title: string(100)?}}
  Participant:
    part_of: Conversation
    fields: {user: ref(User), muted: bool}
    unique: [[conversation, user]]
use_cases:
  - {name: start a direct conversation, writes: [Conversation, Participant], rate: 1k/day}
  - {name: list my conversations, reads: [Participant, Conversation], filter: [user], rate: 10k/day}
"""


def _design(text: str) -> tuple[Architecture, dict[str, str]]:
    result = design_spec(load_spec_bytes(text.encode(), "test.yaml"))
    return result.architecture, result.files


@pytest.mark.parametrize(
    ("text", "use_case", "home", "followers"),
    [
        pytest.param(ROOMS, "open room", "rooms", ["members"], id="member-on-primary-beside-sharded-scope"),
        pytest.param(BOARDS, "create board", "boards", ["cards"], id="parent-on-primary-beside-sharded-parts"),
        pytest.param(OWNED_BOARDS, "create board", "boards", ["cards"], id="two-shard-maps"),
    ],
)
def test_a_write_across_servers_claims_no_transaction_err(text: str, use_case: str, home: str, followers: list[str]) -> None:
    """A write whose rows land on different servers today is recorded with its relay, and no note, contract or wide-column
    reason calls it one transaction."""
    arch, _ = _design(text)
    where = placements_today(arch)
    assert len({where[home], *(where[f] for f in followers)}) > 1, where
    records = [w for s in arch.datastores for t in s.tables if t.sharding for w in t.sharding.co_writes if w.use_case == use_case]
    assert records
    assert all(w.since == "now" for w in records), records
    assert all("outbox event" in w.mechanism for w in records), records
    (op,) = [o for a in arch.apis for o in a.operations if use_case in o.use_cases and o.method == "post"]
    assert "not in one transaction" in op.description, op.description
    assert "in one transaction." not in op.description
    for note in (n for n in arch.pattern_notes if n.pattern == "PAT055"):
        assert f"'{use_case}' writes" not in note.reason or "not in one transaction" in note.reason, note.reason
        assert "(created and deleted with it, in its transaction)" not in note.reason or note.subject not in {home, *followers}, note.reason


def test_a_write_on_one_server_keeps_its_transaction_ok() -> None:
    """Where nothing is sharded, the write of a scope and its members is one transaction, recorded as none across servers."""
    arch, _ = _design(SMALL)
    assert not [w for s in arch.datastores for t in s.tables if t.sharding for w in t.sharding.co_writes]
    (op,) = [o for a in arch.apis for o in a.operations if "start a direct conversation" in o.use_cases]
    assert "in one transaction" in op.description
    assert "not in one transaction" not in op.description


@pytest.mark.parametrize(
    ("text", "use_case", "own", "joined", "first_by", "second_by"),
    [
        pytest.param(ROOMS, "list-my-rooms", "rooms", "members", "user_id", "id", id="joined-on-primary-own-sharded"),
        pytest.param(BOARDS, "cards-of-named-boards", "cards", "boards", "name", "board_id", id="own-references-joined"),
        pytest.param(OWNED_BOARDS, "cards-of-named-boards", "cards", "boards", "name", "board_id", id="two-shard-maps"),
    ],
)
def test_a_join_across_servers_is_two_counted_reads_err(text: str, use_case: str, own: str, joined: str, first_by: str, second_by: str) -> None:
    """A read filtering its table through one on another server today is two reads: the joined table's, counted on the server
    holding it (the unsharded primary's reads include it), and the own table's by the ids found; no note calls it a join."""
    arch, _ = _design(text)
    where = placements_today(arch)
    assert where[own] != where[joined]
    known = {f.key: f for f in arch.figures}
    first, second = known[f"db.mechanism.peak_{use_case}_{joined}"], known[f"db.mechanism.peak_{use_case}"]
    assert first.value > 0
    assert first.value == pytest.approx(second.value)
    assert f"reads/s of {joined} by {first_by}" in first.quantity
    assert f"reads/s of {own} by {second_by}" in second.quantity
    if where[joined][1] == "":  # on the unsharded primary: its reads count there
        primary = next(f for k, f in known.items() if k.startswith("db.primary.reads.peak."))
        assert f"peak_{use_case}_{joined}" in primary.inputs
    name = use_case.replace("-", " ")
    assert not any(f"'{name}' joins" in n.reason for n in arch.pattern_notes), [n.reason for n in arch.pattern_notes]
    (flow,) = [f for f in arch.flows if f.use_case == name]
    assert any(f"{joined} by {first_by}, then {own} by {second_by}" in p.part for p in flow.latency_parts), flow.latency_parts


def test_a_join_on_one_server_stays_one_read_ok() -> None:
    """Where both tables live on one server the join is one query: no second read is counted."""
    arch, _ = _design(SMALL)
    assert not any(f.key.startswith("db.mechanism.peak_list-my-conversations") for f in arch.figures)
