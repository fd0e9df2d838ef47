"""Who a real-time delivery reaches, and every section saying the same: clients vs watched items, rooms, access, relays, externals."""

from __future__ import annotations

import re
import textwrap
from functools import cache

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.render.ascii import render_architecture_ascii
from backend_architect.spec.load import load_spec_bytes
from render.test_asyncapi import validator

#: Q&A pages: items people author, watched by visitors who subscribe to a question's page; members vote and comment.
QA = """\
system: qa
scale: {daily_active: 200k}
entities:
  User: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Question: {fields: {asker: ref(User), title: string(200)}, rows: 100k}
  Answer: {part_of: Question, fields: {author: ref(User), body: text}, rows: 400k}
  Comment: {fields: {question: ref(Question), author: ref(User), body: string(600)}, rows: 1M}
  QuestionVote: {part_of: Question, fields: {voter: ref(User), direction: "enum[up,down]"}, unique: [[question, voter]]}
  AnswerVote: {part_of: Answer, fields: {voter: ref(User), direction: "enum[up,down]"}, unique: [[answer, voter]]}
use_cases:
  - {name: view question, actor: visitor, auth: none, kind: get, reads: [Question], rate: 500/s, deliver: {mode: realtime, subscribers: 300k}}
  - {name: add comment, actor: user, writes: [Comment], rate: 2/s, deliver: {mode: realtime, to: Comment.question}}
  - {name: vote on question, actor: user, writes: [QuestionVote], rate: 5/s, deliver: realtime}
  - {name: vote on answer, actor: user, writes: [AnswerVote], rate: 10/s, deliver: realtime}
"""

#: Drivers (people, an actor) with their devices (machines reporting): a trip's events go to its driver's connection.
FLEET = """\
system: fleet
scale: {daily_active: 100k}
entities:
  Rider: {fields: {name: {type: string(80), pii: true}}, rows: 1M}
  Driver: {fields: {name: {type: string(80), pii: true}}, rows: 50k}
  Device: {part_of: Driver, fields: {serial: string(40), battery: int?}, rows: 60k}
  Trip: {fields: {rider: ref(Rider), driver: ref(Driver), status: "enum[requested,accepted,done]"}, growth: 100k/day}
use_cases:
  - {name: report battery, actor: device, kind: update, writes: [Device.battery], rate: 1k/s, every: 60s}
  - {name: request trip, actor: rider, writes: [Trip], rate: 100k/day, deliver: {mode: realtime, to: Trip.driver}}
  - {name: accept trip, actor: driver, kind: update, writes: [Trip.status], rate: 100k/day, deliver: {mode: realtime, to: Trip.rider}}
"""

#: Notices to a user (the people), and orders to a restaurant's tablet (a row no person authors: one connection each).
NOTICES = """\
system: notices
scale: {daily_active: 100k}
entities:
  User: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Restaurant: {fields: {name: string(80), open: bool}, rows: 5k}
  Notice: {fields: {user: ref(User), text: string(200)}, growth: 1M/day}
  Order: {fields: {customer: ref(User), restaurant: ref(Restaurant), total: money}, growth: 200k/day}
use_cases:
  - {name: send notice, actor: admin, writes: [Notice], rate: 1M/day, deliver: {mode: realtime, to: Notice.user}}
  - {name: place order, actor: user, writes: [Order], rate: 200k/day, deliver: {mode: realtime, to: Order.restaurant}}
"""

#: A comment on a question nobody subscribes to: an item people author, not a connected machine.
UNWATCHED = QA.replace(", deliver: {mode: realtime, subscribers: 300k}}", "}")
#: The same comment with the watchers stated on the write itself.
STATED = UNWATCHED.replace("to: Comment.question}", "to: Comment.question, subscribers: 50k}")

#: Rides offered to nearby drivers through offer rows no use case creates; and the same with a use case creating them.
OFFERS = """\
system: offers
scale: {daily_active: 100k}
entities:
  Rider: {fields: {name: {type: string(80), pii: true}}, rows: 1M}
  Driver: {fields: {name: {type: string(80), pii: true}}, rows: 50k, presence: true}
  Cab: {fields: {driver: ref(Driver), spot: geo?}, rows: 50k}
  Ride: {fields: {rider: ref(Rider), status: "enum[requested,accepted]"}, growth: 100k/day}
  Offer: {fields: {ride: ref(Ride), driver: ref(Driver), answer: "enum[pending,accepted]"}, avg_per_parent: 5}
use_cases:
  - {name: move cab, actor: driver, kind: update, writes: [Cab.spot], latest: true, rate: 10k/s}
  - {name: request ride, actor: rider, writes: [Ride], near: Cab.spot, radius: 3km, avg_fanout: 5, rate: 100k/day, deliver: {mode: realtime, to: Offer.driver}}
  - {name: accept offer, actor: driver, kind: update, writes: [Offer.answer], rate: 100k/day}
"""
CREATED = OFFERS + "  - {name: make offer, actor: dispatcher, writes: [Offer], rate: 500k/day}\n"

SPECS = {"qa": QA, "fleet": FLEET, "notices": NOTICES, "unwatched": UNWATCHED, "stated": STATED, "offers": OFFERS, "created": CREATED}


@cache
def designed(name: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(SPECS[name]).encode(), f"{name}.yaml"))


def _channel(result: DesignResult, use_case: str):  # type: ignore[no-untyped-def]
    return next(c for c in result.architecture.channels if use_case in c.use_cases)


def _connected(result: DesignResult) -> dict[str, float]:
    found = next(f for f in result.architecture.figures if f.key == "connections.realtime")
    return {k.removeprefix("clients_"): v for k, v in found.inputs.items()}


@pytest.mark.parametrize(
    ("name", "use_case", "recipients", "connected", "not_connected"),
    [
        pytest.param("notices", "send notice", 1.0, "user", "notice", id="ref-to-user-is-one-connection"),
        pytest.param("notices", "place order", 1.0, "restaurant", "order", id="ref-to-an-unauthored-row-is-its-connection"),
        pytest.param("fleet", "request trip", 1.0, "driver", "trip", id="ref-to-driver-with-devices-is-the-driver"),
        pytest.param("qa", "add comment", 3.0, "visitor", "question", id="ref-to-watched-question-reaches-its-viewers"),
        pytest.param("stated", "add comment", 1.0, "user", "question", id="ref-to-question-with-stated-subscribers"),
        pytest.param("unwatched", "add comment", 1.0, "user", "question", id="ref-to-unwatched-question-is-no-machine"),
    ],
)
def test_to_field_reaches_a_client_or_an_items_watchers_ok(name: str, use_case: str, recipients: float, connected: str, not_connected: str) -> None:
    """A to: target that connects (people, an actor, an unauthored row) is one connection; an item reaches its watchers and holds none."""
    result = designed(name)
    channel = _channel(result, use_case)
    assert channel.recipients_per_message == pytest.approx(recipients), channel.recipients
    clients = _connected(result)
    assert connected in clients, clients
    assert not_connected not in clients
    assert f"clients.online.{not_connected}" not in {f.key for f in result.architecture.figures}


def test_stated_subscribers_spread_over_the_items_rows_ok() -> None:
    """Subscribers stated on the write are the item's watchers: 50,000 over 100,000 questions is at least one a message."""
    channel = _channel(designed("stated"), "add comment")
    assert "50,000 subscribers (deliver.subscribers) over 100,000 Question rows" in channel.recipients


@pytest.mark.parametrize(
    ("use_case", "address", "basis"),
    [
        pytest.param("vote on question", "questions/{question_id}/question-votes", "watchers of the Question (", id="vote-on-the-item"),
        pytest.param("vote on answer", "answers/{answer_id}/answer-votes", "watchers of the Question the Answer belongs to", id="vote-on-a-part"),
    ],
)
def test_an_event_about_an_item_reaches_its_watchers_not_its_writers_ok(use_case: str, address: str, basis: str) -> None:
    """A vote (a link from a voter to the item) goes to the watched question's viewers, counted as the page's read counts them."""
    result = designed("qa")
    channel = _channel(result, use_case)
    assert channel.address == address
    assert channel.recipients.startswith(basis), channel.recipients
    assert "members of" not in channel.recipients
    assert "Vote rows" not in channel.recipients
    assert channel.recipients_per_message == pytest.approx(_channel(result, "view question").recipients_per_message)


def test_a_written_link_is_never_its_own_rooms_membership_ok() -> None:
    """A like on a post with no watchers is about the post: its channel is not counted from the likers (the rows that wrote it)."""
    text = """\
system: posts
entities:
  User: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Post: {fields: {author: ref(User), body: text}, rows: 1M}
  Like: {part_of: Post, fields: {liker: ref(User)}, unique: [[post, liker]], rows: 50M}
use_cases:
  - {name: like post, actor: user, writes: [Like], rate: 50/s, deliver: realtime}
"""
    channel = designed_text(text).architecture.channels[0]
    assert "members of" not in channel.recipients, channel.recipients
    assert channel.recipients_per_message == 1.0


def test_a_rooms_members_still_receive_its_messages_ok() -> None:
    """A message in a room with a membership link goes to the room's members (the membership is not the written row)."""
    text = """\
system: rooms
entities:
  User: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Room: {fields: {title: string(80)}, rows: 10k}
  Member: {part_of: Room, fields: {user: ref(User)}, avg_per_parent: 12}
  Message: {part_of: Room, fields: {sender: ref(User), body: text}, growth: 1M/day}
use_cases:
  - {name: send message, actor: user, writes: [Message], rate: 1M/day, deliver: realtime}
"""
    channel = designed_text(text).architecture.channels[0]
    assert channel.recipients.startswith("members of the Room")
    assert channel.recipients_per_message == 12.0


@cache
def designed_text(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "inline.yaml"))


@pytest.mark.parametrize(
    ("name", "basis"),
    [
        pytest.param("offers", "nearby Drivers: the Driver of each Cab (Cab.driver) the proximity query finds", id="rows-nobody-creates-from-the-query"),
        pytest.param("created", "to: Offer.driver", id="rows-a-use-case-creates"),
    ],
)
def test_recipients_read_from_rows_need_a_flow_creating_them_ok(name: str, basis: str) -> None:
    """A to: read from rows no use case creates is derived from what exists (the proximity query); rows someone creates are read."""
    channel = _channel(designed(name), "request ride")
    assert channel.recipients.startswith(basis), channel.recipients
    assert ("no use case creates Offer rows" in channel.recipients) == (name == "offers")
    assert channel.recipients_per_message == 5.0


@pytest.mark.parametrize(
    ("name", "public", "private"),
    [
        pytest.param("qa", {"view question", "add comment", "vote on question", "vote on answer"}, set(), id="visitors-only"),
        pytest.param("notices", set(), {"send notice", "place order"}, id="signed-in-only"),
        pytest.param(
            "mixed",
            {"view question"},
            {"send notice"},
            id="visitors-and-signed-in",
        ),
    ],
)
def test_gateway_access_follows_the_audiences_everywhere_ok(name: str, public: set[str], private: set[str]) -> None:
    """Channels whose reads need no login take anonymous clients: the ADR, the AsyncAPI security and the scaffold's policies agree."""
    result = designed_text(MIXED) if name == "mixed" else designed(name)
    access = {u: c.access for c in result.architecture.channels for u in c.use_cases}
    assert {u for u, a in access.items() if a == "public"} >= public
    assert {u for u, a in access.items() if a == "private"} >= private
    gateway = next(d for d in result.architecture.decisions if d.id == "realtime.gateway")
    document = yaml.safe_load(result.files["asyncapi/realtime-gateway.yaml"])
    assert [f"{e.path}: {e.message}" for e in validator().iter_errors(document)] == []
    server = document["servers"]["gateway"]
    secured = {op["channel"]["$ref"].rsplit("/", 1)[1] for op in document["operations"].values() if "security" in op}
    if public:
        assert "anonymously, no token needed" in gateway.choice
        assert "security" not in server
        assert "authenticates with its access token and subscribes" not in gateway.choice
    else:
        assert "authenticates with its access token" in gateway.choice
        assert server["security"]
    if private and public:
        assert "access token" in gateway.choice
        assert secured, document["operations"]
    keys = {c.name: c for c in result.architecture.channels}
    for key in secured:
        assert any(c.access == "private" and key.lower() == c.name.replace("-", "") for c in keys.values()), key


#: Visitors watching questions beside signed-in users receiving their notices.
MIXED = (
    QA.replace("use_cases:\n", "  Notice: {fields: {user: ref(User), text: string(200)}, growth: 1M/day}\nuse_cases:\n")
    + "  - {name: send notice, actor: admin, writes: [Notice], rate: 1M/day, deliver: {mode: realtime, to: Notice.user}}\n"
)


@pytest.mark.parametrize(
    ("since", "eventual"),
    [pytest.param("6k/s", True, id="relayed-now"), pytest.param("20/s", False, id="one-primary-keeps-the-transaction")],
)
def test_a_relayed_co_write_is_eventual_in_every_sentence_ok(since: str, eventual: bool) -> None:
    """Where the cross-shard write relays a co-write, the boundary states eventual consistency with the relay's lag, as the decision does."""
    text = f"""\
system: workspaces
team: {{size: 10}}
scale: {{rates: peak, retention_years: 5}}
entities:
  User: {{fields: {{email: {{type: string(120), pii: true}}}}, rows: 50M}}
  Workspace: {{fields: {{owner: ref(User), name: string(80)}}}}
  Seat:
    fields: {{workspace: ref(Workspace), user: ref(User), role: "enum[admin, member]"}}
use_cases:
  - {{name: create workspace, writes: [Workspace, Seat], rate: {since}, consistency: strong}}
  - {{name: my workspaces, reads: [Seat], filter: [user], page: cursor, rate: 20k/s}}
"""
    result = designed_text(text)
    relayed = next((d for d in result.architecture.decisions if d.id == "cross-shard-writes"), None)
    sentences = [r for s in result.architecture.services for r in s.rationale if "written together by 'create workspace'" in r]
    boundaries = result.files["design.md"].split("### Boundaries", 1)[1].split("\n## ", 1)[0]
    assert sentences
    assert all(s in boundaries for s in sentences)
    assert (relayed is not None) == eventual
    if eventual:
        assert relayed is not None
        assert "'create workspace' (now)" in relayed.choice
        assert "eventual" in relayed.choice
        assert all("eventual consistency, behind by the relay's lag" in s and "under strong consistency" not in s for s in sentences), sentences
    else:
        assert all(s.endswith("under strong consistency") for s in sentences), sentences


def test_queued_externals_are_drawn_asynchronous_ok() -> None:
    """A push provider reached through the outbox is called by the push sender consuming the event, in both diagrams; a provider called
    in the request stays the service's call."""
    text = """\
system: pushes
external: {fcm: {kind: push}, stripe: {kind: payment}}
entities:
  User: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Order: {fields: {buyer: ref(User), total: money}, growth: 100k/day}
  Note: {fields: {user: ref(User), text: string(200)}, growth: 1M/day}
use_cases:
  - {name: pay order, actor: user, writes: [Order], calls: [stripe], rate: 100k/day}
  - {name: send note, actor: admin, writes: [Note], notify: [fcm], rate: 1M/day, deliver: {mode: realtime, to: Note.user}}
"""
    result = designed_text(text)
    arch = result.architecture
    plain = render_architecture_ascii(arch)
    mermaid = result.files["diagrams/architecture.mmd"]
    assert re.search(r"--call--> stripe \(external\)", plain), plain
    assert "push-sender --call--> fcm (external)" in plain, plain
    assert re.search(r"~~\w+~~> push-sender", plain)
    assert not re.search(r"~~\w+~~> fcm", plain)
    assert "-->|call| ext_stripe" in mermaid
    assert "cmp_push_sender -->|call| ext_fcm" in mermaid
    assert "outbox -.-> cmp_push_sender" in mermaid
    assert "-.-> ext_fcm" not in mermaid


def test_recipients_of_a_row_the_write_refers_to_are_read_from_it_ok() -> None:
    """A message refers to its channel, which exists before it: to: Channel.server is read from that row, created or not."""
    text = """\
system: guilds
entities:
  User: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Server: {fields: {name: string(80)}, rows: 10k}
  Channel: {fields: {server: ref(Server), name: string(80)}, rows: 100k}
  Message: {fields: {channel: ref(Channel), author: ref(User), body: text}, growth: 1M/day}
use_cases:
  - {name: send message, actor: user, writes: [Message], rate: 1M/day, avg_fanout: 40, deliver: {mode: realtime, to: Channel.server}}
"""
    channel = designed_text(text).architecture.channels[0]
    assert channel.recipients.startswith("to: Channel.server"), channel.recipients
    assert "no use case creates" not in channel.recipients
