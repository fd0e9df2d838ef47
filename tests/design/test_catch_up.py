"""What a client is told to fetch after a missed push can be fetched: each gateway delivery names its catch-up read, and the contract has it.

A table of specs of different shapes: receipts pushed to a message's sender with no read of them (a list is added, under
/me, owner only, counted and indexed), a notification pushed to its recipient whose inbox the spec reads (that read is
named, nothing added), a room's messages with no list (one is added, members only), a typing flag kept as a latest
value (ephemeral: no history owed, none added), and offers pushed to the nearby drivers (no column names them: nothing
is promised, the critic says so).
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import spec_of, table

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.catch_up import RECONNECT_EVERY_S
from backend_architect.ir.catch_up import operation_by_id, reconnects
from backend_architect.ir.model import Architecture, Operation
from backend_architect.ir.query import operation_limit
from backend_architect.rules.design.catch_up_agrees import catch_up_read_missing, push_without_catch_up

RECEIPTS = """
system: messenger
scale: {daily_active: 1M}
entities:
  User: {fields: {phone: {type: string(20), unique: true, pii: true}}, rows: 5M}
  Chat: {fields: {title: string(100)?}}
  ChatMember: {part_of: Chat, unique: [[chat, user]], fields: {user: ref(User)}, avg_per_parent: 2}
  Message: {append_only: true, fields: {chat: ref(Chat), sender: ref(User), body: string(500)}}
  Receipt: {part_of: Message, unique: [[message, user]], fields: {user: ref(User), status: "enum[delivered, read]"}}
use_cases:
  - {name: create chat, actor: user, writes: [Chat, ChatMember], rate: 100k/day}
  - {name: get chat messages, actor: user, reads: [Message], filter: [chat], sort: [-created_at], rate: 20M/day}
  - {name: send message, actor: user, writes: [Message], rate: 10M/day, deliver: {mode: realtime, to: ChatMember.user}}
  - {name: mark delivered, actor: user, owner_only: true, writes: [Receipt], rate: 10M/day, deliver: {mode: realtime, to: Message.sender}}
  - {name: mark read, actor: user, owner_only: true, writes: [Receipt.status], rate: 10M/day, deliver: {mode: realtime, to: Message.sender}}
"""

INBOX = """
system: alerts
scale: {daily_active: 200k}
entities:
  Account: {fields: {email: {type: email, unique: true, pii: true}}, rows: 1M}
  Notification: {fields: {recipient: ref(Account), text: string(300), seen: bool}, growth: 2M/day}
use_cases:
  - {name: notify account, actor: system, writes: [Notification], rate: 2M/day, deliver: {mode: realtime, to: Notification.recipient}}
  - {name: list my notifications, actor: account, owner_only: true, reads: [Notification], filter: [recipient], sort: [created_at], rate: 5M/day}
"""

ROOMS = """
system: rooms
scale: {daily_active: 300k}
entities:
  Person: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Room: {fields: {topic: string(100)}, rows: 50k}
  Seat: {part_of: Room, unique: [[room, person]], fields: {person: ref(Person)}, avg_per_parent: 20}
  Post: {append_only: true, fields: {room: ref(Room), author: ref(Person), body: string(1000)}}
use_cases:
  - {name: open room, actor: person, writes: [Room, Seat], rate: 5k/day}
  - {name: post in room, actor: person, writes: [Post], rate: 3M/day, deliver: realtime}
"""

GUILDS = """
system: guilds
scale: {daily_active: 1M, concurrent_users: 200k}
entities:
  User: {fields: {name: {type: string(80), pii: true}}, rows: 5M}
  Guild: {fields: {name: string(100), owner: ref(User)}, rows: 100k}
  Member: {part_of: Guild, unique: [[guild, user]], fields: {user: ref(User)}, avg_per_parent: 50}
  Channel: {part_of: Guild, fields: {name: string(100)}, avg_per_parent: 5}
  Message: {part_of: Channel, fields: {author: ref(User), content: string(2000)}, growth: 10M/day}
use_cases:
  - {name: send message, actor: member, writes: [Message], rate: 10M/day, deliver: realtime}
  - {name: read channel messages, actor: member, reads: [Message], filter: [channel], sort: [-created_at], rate: 50M/day}
"""

TYPING = """
system: typing
scale: {daily_active: 500k}
entities:
  User: {fields: {name: {type: string(80), pii: true}}, rows: 3M}
  Conversation: {fields: {title: string(80)}, rows: 1M}
  Participant: {part_of: Conversation, unique: [[conversation, user]], fields: {user: ref(User)}, avg_per_parent: 3}
  Typing: {part_of: Conversation, fields: {user: ref(User), typing: bool}}
use_cases:
  - {name: start conversation, actor: user, writes: [Conversation, Participant], rate: 50k/day}
  - {name: set typing, actor: user, kind: update, latest: true, writes: [Typing.typing], rate: 500/s, deliver: realtime}
"""

RIDES = """
system: rides
scale: {daily_active: 400k}
entities:
  Rider: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Driver: {fields: {name: {type: string(80), pii: true}, location: geo}, rows: 100k}
  Trip: {fields: {rider: ref(Rider), driver: ref(Driver)?, status: "enum[requested, accepted]"}}
use_cases:
  - {name: report location, actor: driver, kind: update, latest: true, writes: [Driver.location], rate: 20k/s, every: 5s}
  - {name: request trip, actor: rider, writes: [Trip], rate: 500k/day, near: Driver.location, radius: 3km, avg_fanout: 5, deliver: {mode: realtime, to: driver}}
  - {name: view trip, actor: rider, kind: get, reads: [Trip], rate: 1M/day}
"""


def _designed(text: str) -> DesignResult:
    return design_spec(spec_of(text))


def _catch_up_of(arch: Architecture, use_case: str) -> tuple[str, Operation]:
    """The operation the delivery decision of ``use_case`` names for a reconnecting client."""
    decision = next(d for d in arch.decisions if d.id.startswith("realtime.") and d.subject == use_case)
    named = re.search(r"GET \S+ \((\w+)\)", decision.consequences or "")
    assert named is not None, decision.consequences
    found = operation_by_id(arch, named.group(1))
    assert found is not None, f"{named.group(1)} is not in the contract"
    return found


def test_receipts_pushed_to_the_sender_get_a_catch_up_list_ok() -> None:
    """Receipts pushed to a message's sender, with no read of them: a list under /me, owner only, by updated_at, is added and named."""
    result = _designed(RECEIPTS)
    arch = result.architecture
    for use_case in ("mark delivered", "mark read"):
        path, op = _catch_up_of(arch, use_case)
        assert (path, op.kind, op.entity, op.paginated) == ("/v1/me/missed-receipts", "list", "Receipt", True)
        assert op.use_cases == ["list my missed receipts"]
    assert any(a.startswith("'list my missed receipts': added as the catch-up read of 'mark delivered'") for a in arch.assumptions)
    assert not [f for f in result.findings if f.code in {"DES025", "DES026"}]


def test_derived_catch_up_is_counted_like_every_read_ok() -> None:
    """The added read's rate is the recipients' reconnects (clients online / RECONNECT_EVERY_S), and its index is in the DDL."""
    arch = _designed(RECEIPTS).architecture
    clients = next(f.value for f in arch.figures if f.key == "clients.online.user")
    peak = next(f.value for f in arch.figures if f.key == "qps.peak.list-my-missed-receipts")
    assert peak == pytest.approx(clients / RECONNECT_EVERY_S)
    indexed = table(arch, "receipts").indexes
    assert any("list my missed receipts" in " ".join(i.reasons) for i in indexed), [(i.name, i.reasons) for i in indexed]


def test_room_messages_pushed_to_members_name_the_room_read_ok() -> None:
    """A chat's messages pushed to its members are caught up by the spec's list of the chat's messages: named, nothing added."""
    arch = _designed(RECEIPTS).architecture
    path, op = _catch_up_of(arch, "send message")
    assert (path, op.operation_id) == ("/v1/chats/{chat_id}/messages", "getChatMessages")


def test_notification_with_a_spec_inbox_names_it_ok() -> None:
    """A notification pushed to its recipient, whose inbox the spec lists: the inbox operation is named and no list is added."""
    arch = _designed(INBOX).architecture
    path, op = _catch_up_of(arch, "notify account")
    assert op.use_cases == ["list my notifications"]
    assert path == "/v1/me/notifications"
    assert not [a for a in arch.assumptions if "added as the catch-up read" in a]


def test_room_posts_with_no_list_get_a_members_only_list_ok() -> None:
    """A room's posts pushed to its members with no read of them: a list of a room's posts is added, members of the room only."""
    arch = _designed(ROOMS).architecture
    assert any(a.startswith("'list missed posts of a room': added as the catch-up read of 'post in room'") for a in arch.assumptions)
    path, op = _catch_up_of(arch, "post in room")
    assert (op.kind, op.entity) == ("list", "Post")
    assert "{room_id}" in path or any(p.name == "room_id" and p.required for p in op.parameters)
    assert op.members_of == "Room", "a room's catch-up is for its members only"


@pytest.mark.parametrize(("spec", "operation", "added"), [(GUILDS, "readChannelMessages", False), (GUILDS.split("  - {name: read channel")[0], None, True)])
def test_a_room_two_hops_away_is_caught_up_part_by_part_ok(spec: str, operation: str | None, added: bool) -> None:
    """A guild's messages (through their channel): a list of one channel's messages catches up; with none, one is added by the
    message's own reference (the channel), so the id it takes is one a response gives out (no DES014)."""
    result = _designed(spec)
    _path, op = _catch_up_of(result.architecture, "send message")
    assert op.operation_id == (operation or "listMissedMessagesOfAChannel")
    assert ("list missed messages of a channel" in op.use_cases) is added
    assert not [f for f in result.findings if f.code in {"DES014", "DES025"}]


def test_ephemeral_typing_needs_no_catch_up_ok() -> None:
    """A typing flag kept as a latest value: what was missed is replaced, so nothing is added and no fetch is promised."""
    arch = _designed(TYPING).architecture
    assert not [a for a in arch.assumptions if "added as the catch-up read" in a]
    parts = [p for p in reconnects(arch) if "set typing" in p.use_cases]
    assert parts
    assert all(not p.promised and "replaced, not kept" in p.text for p in parts)


def test_recipients_chosen_per_message_are_not_promised_a_fetch_ok() -> None:
    """Offers pushed to the nearby drivers: no column names them, so no list is added, none promised, and DES026 says so."""
    result = _designed(RIDES)
    parts = [p for p in reconnects(result.architecture) if "request trip" in p.use_cases]
    assert parts
    assert all(p.gap and not p.promised and p.operation is None for p in parts)
    assert [f.code for f in result.findings if f.code in {"DES025", "DES026"}] == ["DES026"]


@pytest.mark.parametrize(
    "spec",
    [RECEIPTS, INBOX, ROOMS, GUILDS, GUILDS.split("  - {name: read channel")[0], TYPING, RIDES],
    ids=["receipts", "inbox", "rooms", "guilds", "guilds-unread", "typing", "rides"],
)
def test_every_named_catch_up_is_in_the_contract_ok(spec: str) -> None:
    """Every operation a channel names for a reconnecting client is a list or get of the channel's rows in the contract."""
    arch = _designed(spec).architecture
    assert not list(catch_up_read_missing.check(arch))
    for part in reconnects(arch):
        if part.promised:
            assert part.operation is not None, part
            assert operation_by_id(arch, part.operation) is not None, part


def test_catch_up_named_but_missing_err() -> None:
    """DES025 reports a channel naming an operation the contract lacks, and a promise naming none."""
    arch = _designed(RECEIPTS).architecture
    broken = [
        c.model_copy(update={"offline": c.offline.replace("listMyMissedReceipts", "listNothing")})
        if "listMyMissedReceipts" in c.offline
        else c.model_copy(update={"offline": "recipients not connected fetch what they missed when they reconnect"})
        for c in arch.channels
    ]
    found = [f.message for f in catch_up_read_missing.check(arch.model_copy(update={"channels": broken}))]
    assert any("listNothing is not an operation" in m for m in found), found
    assert any("no operation is named" in m for m in found), found
    assert not list(push_without_catch_up.check(arch))


#: Three shapes where the spec searches the pushed rows: the whole stream beside a plain list of it, a room's rows searched
#: within the room (no plain list), and a person's inbox searched by its recipient (no plain list).
SEARCHED_STREAM = """
system: wire
scale: {daily_active: 100k}
entities:
  Reader: {fields: {email: {type: email, unique: true, pii: true}}, rows: 500k}
  Story: {append_only: true, fields: {headline: string(200), body: text}, growth: 50k/day}
use_cases:
  - {name: file story, actor: editor, writes: [Story], rate: 50k/day, deliver: {mode: realtime, to: reader}}
  - {name: search stories, actor: reader, reads: [Story], search: [headline], sort: [-created_at], page: cursor, rate: 2M/day}
  - {name: list stories, actor: reader, reads: [Story], sort: [created_at], page: cursor, rate: 1M/day}
"""

SEARCHED_ROOM = """
system: forum
scale: {daily_active: 300k}
entities:
  Person: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Board: {fields: {topic: string(100)}, rows: 50k}
  Seat: {part_of: Board, unique: [[board, person]], fields: {person: ref(Person)}, avg_per_parent: 20}
  Note: {append_only: true, fields: {board: ref(Board), author: ref(Person), body: string(1000)}}
use_cases:
  - {name: open board, actor: person, writes: [Board, Seat], rate: 5k/day}
  - {name: post note, actor: person, writes: [Note], rate: 3M/day, deliver: realtime}
  - {name: search board notes, actor: person, reads: [Note], filter: [board], search: [body], rate: 1M/day}
"""

SEARCHED_INBOX = """
system: alerts
scale: {daily_active: 200k}
entities:
  Account: {fields: {email: {type: email, unique: true, pii: true}}, rows: 1M}
  Alert: {fields: {recipient: ref(Account), text: string(300)}, growth: 2M/day}
use_cases:
  - {name: raise alert, actor: system, writes: [Alert], rate: 2M/day, deliver: {mode: realtime, to: Alert.recipient}}
  - {name: search my alerts, actor: account, owner_only: true, reads: [Alert], filter: [recipient], search: [text], rate: 1M/day}
"""


@pytest.mark.parametrize(
    ("spec", "writer", "expected", "added"),
    [
        (SEARCHED_STREAM, "file story", "list stories", False),
        (SEARCHED_ROOM, "post note", "list missed notes of a board", True),
        (SEARCHED_INBOX, "raise alert", "list my missed alerts", True),
    ],
    ids=["stream-with-list", "room-searched", "inbox-searched"],
)
def test_a_search_is_never_the_catch_up_ok(spec: str, writer: str, expected: str, added: bool) -> None:
    """A full-text search selects by words and its cursor only continues its own results: the channel names a list (the spec's,
    else one added), and no channel, rate limit or contract offers the search as the catch-up."""
    result = _designed(spec)
    arch = result.architecture
    _path, op = _catch_up_of(arch, writer)
    assert op.use_cases == [expected]
    assert any(a.startswith(f"'{expected}': added as the catch-up read") for a in arch.assumptions) is added
    searches = {u.name for u in spec_of(spec).use_cases if u.search}
    assert all(not (searches & set(c.catch_up)) for c in arch.channels), [c.catch_up for c in arch.channels]
    assert not [f for f in arch.figures if f.key.startswith("rate_limit.catch_up.") and any(s.replace(" ", "-") in f.key for s in searches)]
    assert not [f for f in result.findings if f.code in {"DES025", "DES026"}]


#: An item's watchers with no read subscribing: the write's rows pushed to those watching the item (``to: Row.item``).
WATCHED = """
system: watch
scale: {daily_active: 200k, concurrent_users: 50k}
entities:
  User: {fields: {email: {type: email, unique: true, pii: true}}, rows: 1M}
  Lot: {fields: {title: string(200), seller: ref(User)}, rows: 2M}
  Bid: {append_only: true, fields: {lot: ref(Lot), bidder: ref(User), amount: "decimal(12,2)"}, growth: 1M/day}
use_cases:
  - {name: place bid, actor: user, writes: [Bid], rate: 1M/day, deliver: {mode: realtime, to: Bid.lot, subscribers: 40k}}
  - {name: view lot, actor: visitor, kind: get, reads: [Lot], auth: none, rate: 5M/day}
"""


@pytest.mark.parametrize(
    ("spec", "access", "read_auth"),
    [
        # the rows' own list needs no login: watched and caught up anonymously
        (WATCHED + "  - {name: list lot bids, actor: visitor, reads: [Bid], filter: [lot], sort: [created_at], auth: none, rate: 2M/day}\n", "public", "none"),
        # no list of the rows: the item's page anyone opens decides, and the added catch-up needs no token either
        (WATCHED, "public", "none"),
        # the rows' list needs a login: so does watching them
        (
            WATCHED + "  - {name: list lot bids, actor: user, reads: [Bid], filter: [lot], sort: [created_at], auth: required, rate: 2M/day}\n",
            "private",
            "required",
        ),
        # people's own rows (a recipient) are theirs alone, whoever may open a page
        (INBOX, "private", "required"),
    ],
    ids=["public-list", "public-item-page", "signed-in-list", "own-rows"],
)
def test_who_may_catch_up_may_watch_ok(spec: str, access: str, read_auth: str) -> None:
    """A channel's subscribers and its catch-up's callers are the same people: the gateway admits anonymous clients exactly where
    the catch-up read needs no token, so no rate limit counts a catch-up for clients the gateway refuses."""
    result = _designed(spec)
    arch = result.architecture
    channel = next(c for c in arch.channels if c.publishers)
    assert channel.access == access
    _path, op = _catch_up_of(arch, channel.publishers[0])
    assert op.auth == read_auth, op.auth
    assert not [f for f in result.findings if f.code in {"DES025", "DES026"}]


#: Lots watched live by the visitors who open them (VIEW: the watching read), bids written by signed-in users.
WATCHERS = """
system: auction
scale: {concurrent_users: 60k}
entities:
  User: {fields: {email: {type: email, unique: true, pii: true}}, rows: 1M}
  Lot: {fields: {title: string(200), seller: ref(User)}, rows: 200k}
  Bid: {append_only: true, fields: {lot: ref(Lot), bidder: ref(User), amount: "decimal(12,2)"}, growth: 1M/day}
use_cases:
  - {name: place bid, actor: user, writes: [Bid], rate: 1M/day, deliver: {mode: realtime, to: Bid.lot}}
  - VIEW
"""


@pytest.mark.parametrize(
    ("view", "watcher"),
    [
        ("{name: view lot, actor: visitor, kind: get, reads: [Lot], auth: optional, rate: 5M/day, deliver: realtime}", "visitor"),
        ("{name: view lot, actor: bidder, kind: get, reads: [Lot], rate: 5M/day, deliver: {mode: realtime, subscribers: 30k}}", "bidder"),
        ("{name: watch lot bids, actor: fan, reads: [Bid], filter: [lot], rate: 1M/day, deliver: realtime}", "fan"),
    ],
    ids=["visitors-open-the-item", "stated-subscribers", "a-list-subscribes"],
)
def test_an_items_watchers_catch_up_as_their_own_actor_ok(view: str, watcher: str) -> None:
    """The catch-up of a watched item is read by its watchers (the subscribing read's actor), whose reconnects make its rate,
    so its rate limit is theirs: never the writer's actor, whose few clients would be said to make the watchers' requests."""
    arch = _designed(WATCHERS.replace("VIEW", view)).architecture
    _path, op = _catch_up_of(arch, "place bid")
    limit = operation_limit(arch, op)
    assert limit is not None
    assert limit.actor == watcher, (op.operation_id, limit)
