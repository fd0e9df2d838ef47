"""Who watches a public item: the readers of its page, anonymously; the same clients hold the gateway's connections.

A write delivered to an item (``to: Row.item``) with no read subscribing and no ``deliver.subscribers`` reaches the clients
with the item's page open, where that page needs no login: the channel is public, its watchers are the page readers' clients
online spread over the item's rows, and those clients are counted among the connections. A page behind a login (or whose
rows are listed behind one) keeps one watcher a message and a private channel.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.runtime import RealtimeChannel

#: Live football scores: fans open a match page without logging in; reporters post goals; the connections are stated.
SCORES = """
system: scores
scale: {users: 1M, concurrent_connections: 100k}
entities:
  User: {fields: {email: {type: email, unique: true, pii: true}}, rows: 1M}
  Match: {fields: {home: string(60), away: string(60), reporter: ref(User)}, rows: 2k}
  Goal: {append_only: true, fields: {match: ref(Match), scorer: string(60), author: ref(User)}, growth: 2k/day}
use_cases:
  - {name: view match, actor: fan, kind: get, reads: [Match], auth: none, rate: 20M/day}
  - {name: post goal, actor: reporter, writes: [Goal], rate: 2k/day, deliver: {mode: realtime, to: Goal.match}}
"""

#: An auction site: visitors may open a lot page signed in or not; bids are pushed to the lot's page.
AUCTION = """
system: auction
scale: {daily_active: 200k}
entities:
  User: {fields: {email: {type: email, unique: true, pii: true}}, rows: 1M}
  Lot: {fields: {title: string(200), seller: ref(User)}, rows: 20k}
  Bid: {append_only: true, fields: {lot: ref(Lot), bidder: ref(User), amount: "decimal(12,2)"}, growth: 1M/day}
use_cases:
  - {name: open lot, actor: visitor, kind: get, reads: [Lot], auth: optional, rate: 5M/day}
  - {name: place bid, actor: user, writes: [Bid], rate: 1M/day, deliver: {mode: realtime, to: Bid.lot}}
"""

#: A recipe site: a recipe's comments pushed to its page, which anyone may open; the comment list is public too.
RECIPES = """
system: recipes
scale: {users: 3M}
entities:
  User: {fields: {name: {type: string(80), pii: true}}, rows: 3M}
  Recipe: {fields: {title: string(120), author: ref(User)}, rows: 500k}
  Remark: {append_only: true, fields: {recipe: ref(Recipe), author: ref(User), body: string(500)}, growth: 50k/day}
use_cases:
  - {name: read recipe, actor: guest, kind: get, reads: [Recipe], auth: none, rate: 30M/day}
  - {name: list remarks, actor: guest, reads: [Remark], filter: [recipe], sort: [-created_at], auth: none, rate: 10M/day}
  - {name: add remark, actor: user, writes: [Remark], rate: 50k/day, deliver: {mode: realtime, to: Remark.recipe}}
"""

#: A team tracker: a project's page needs a login, so nobody watches it anonymously.
PRIVATE_PAGE = """
system: tracker
scale: {daily_active: 50k}
entities:
  User: {fields: {email: {type: email, unique: true, pii: true}}, rows: 200k}
  Project: {fields: {name: string(80), owner: ref(User)}, rows: 40k}
  Task: {fields: {project: ref(Project), title: string(200), author: ref(User)}, growth: 100k/day}
use_cases:
  - {name: open project, actor: member, kind: get, reads: [Project], rate: 1M/day}
  - {name: add task, actor: member, writes: [Task], rate: 100k/day, deliver: {mode: realtime, to: Task.project}}
"""

#: The auction again, but the bids under a lot are listed to signed-in users only: the lot's channel is not public.
LISTED_BEHIND_LOGIN = AUCTION + "  - {name: list bids, actor: user, reads: [Bid], filter: [lot], sort: [-created_at], rate: 1M/day}\n"


def _designed(text: str) -> DesignResult:
    return design_spec(spec_of(text))


def _channel(result: DesignResult, publisher: str) -> RealtimeChannel:
    return next(c for c in result.architecture.channels if publisher in c.publishers)


def _connections(result: DesignResult) -> dict[str, float]:
    figure = next(f for f in result.architecture.figures if f.key == "connections.realtime")
    return dict(figure.inputs)


@pytest.mark.parametrize(
    ("text", "publisher", "actor", "item"),
    [
        pytest.param(SCORES, "post goal", "fan", "Match", id="stated-connections"),
        pytest.param(AUCTION, "place bid", "visitor", "Lot", id="optional-login"),
        pytest.param(RECIPES, "add remark", "guest", "Recipe", id="public-list-too"),
    ],
)
def test_public_page_readers_watch_the_item_ok(text: str, publisher: str, actor: str, item: str) -> None:
    """The item's anonymous page readers are its watchers: named in the channel, counted per message from their clients online
    over the item's rows, and holding connections on the gateway that accepts them anonymously."""
    result = _designed(text)
    channel = _channel(result, publisher)
    assert channel.access == "public"
    assert "one watcher" not in channel.recipients
    assert "watching anonymously through the public page" in channel.recipients, channel.recipients
    clients = next(f for f in result.architecture.figures if f.key == f"clients.online.{actor}").value
    rows = float(spec_of(text).entities[item].rows or 0)
    assert channel.recipients_per_message == pytest.approx(max(1.0, clients / rows))
    # the deliveries follow that one figure
    assert channel.deliveries_per_s == pytest.approx(channel.publishes_per_s * channel.recipients_per_message)
    held = _connections(result)
    assert f"clients_{actor}" in held, held
    gateway = next(d for d in result.architecture.decisions if d.id == "realtime.gateway")
    assert "anonymously" in gateway.choice
    assert f"{actor} " in gateway.context, gateway.context


def test_stated_connections_count_the_anonymous_watchers_ok() -> None:
    """A stated concurrent_connections is shared between the signed-in users and the anonymous fans, never all given to users."""
    held = _connections(_designed(SCORES))
    assert held["clients_fan"] > 0
    assert sum(held.values()) == pytest.approx(100_000)


@pytest.mark.parametrize(
    ("text", "publisher"),
    [
        pytest.param(PRIVATE_PAGE, "add task", id="page-needs-login"),
        pytest.param(LISTED_BEHIND_LOGIN, "place bid", id="rows-listed-behind-login"),
    ],
)
def test_private_page_keeps_one_watcher_err(text: str, publisher: str) -> None:
    """An item whose page (or the list of its rows) needs a login has no anonymous watchers: one a message, a private channel."""
    result = _designed(text)
    channel = _channel(result, publisher)
    assert channel.access == "private"
    assert "watching anonymously" not in channel.recipients
    assert not any("visitor" in k for k in _connections(result))


def test_stated_subscribers_win_over_page_readers_ok() -> None:
    """A delivery stating its subscribers is counted from them, not from the page's readers."""
    text = AUCTION.replace("to: Bid.lot}", "to: Bid.lot, subscribers: 100k}")
    channel = _channel(_designed(text), "place bid")
    assert "deliver.subscribers" in channel.recipients
    assert channel.recipients_per_message == pytest.approx(100_000 / 20_000)
