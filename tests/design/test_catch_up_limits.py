"""A catch-up read's rate limit lets a client keep up: paging through a stream at its page size, faster than it produces.

Shapes: a partner stream subscribed by a list read (its own catch-up) at a high and at a low
production rate; a write delivered to partners caught up by the partner's own list read; a
room's lines caught up by the list filtered by room (each client's share of the deliveries).
Each states ``rate_limit.catch_up.<read>``, its formula evaluates to its value, and the actor's
read limit, in the security model and in the contract's ``x-rate-limit``, covers it.
"""

from __future__ import annotations

import math

import pytest
from tests.design.formulas import recompute
from tests.design.helpers import design_of

from backend_architect.design.catch_up_limits import CATCH_UP_HEADROOM
from backend_architect.ir.model import Architecture, Figure, RateLimit
from backend_architect.render.openapi import render_openapi

STREAM = """\
system: quotes
scale: {{users: 1M, rates: peak}}
entities:
  Trader: {{fields: {{handle: string(20)}}, rows: 1M}}
  Quote: {{fields: {{trader: ref(Trader), price: decimal(12,4)}}, append_only: true}}
use_cases:
  - {{name: publish quote, actor: trader, kind: create, writes: [Quote], rate: {rate}}}
  - name: stream quotes
    actor: partner
    reads: [Quote]
    page: {{style: cursor, limit: 20, max: {page_max}}}
    rate: 2/s
    consistency: eventual
    deliver: {{mode: realtime, subscribers: 8}}
"""

#: A write pushed to partners: the partner's own list of the entity is how it catches up.
PUSHED = """\
system: listings
scale: {users: 2M, rates: peak}
entities:
  Seller: {fields: {name: string(40)}, rows: 2M}
  Listing: {fields: {seller: ref(Seller), title: string(120)}, append_only: true}
use_cases:
  - {name: create listing, actor: seller, kind: create, writes: [Listing], rate: 3k/s, deliver: {mode: realtime, to: partner, subscribers: 4}}
  - {name: list new listings, actor: partner, reads: [Listing], page: {style: cursor, limit: 50, max: 200}, rate: 1/s}
"""

#: A room's lines: each client receives its rooms' share of the deliveries, far below the whole stream.
ROOMS = """\
system: rooms
team: {size: 20}
scale: {users: 5M, daily_active: 2M, rates: peak, concurrent_connections: 1.5M}
entities:
  Player: {fields: {handle: string(30)}, rows: 5M}
  Room: {fields: {title: string(80)}, rows: 200k}
  Line: {fields: {room: ref(Room), author: ref(Player), text: string(500)}, growth: 50M/day}
use_cases:
  - {name: say line, actor: player, writes: [Line], rate: 3k/s, avg_fanout: 40, deliver: {mode: realtime, to: Line.room, subscribers: 1.5M}}
  - {name: list room lines, actor: player, reads: [Line], filter: [room], page: cursor, rate: 6k/s}
"""

SHAPES = {
    "stream-high-production": (STREAM.format(rate="12k/s", page_max=100), "stream quotes", "partner"),
    "stream-low-production": (STREAM.format(rate="2/s", page_max=100), "stream quotes", "partner"),
    "stream-large-page": (STREAM.format(rate="12k/s", page_max=1000), "stream quotes", "partner"),
    "write-pushed-to-partners": (PUSHED, "list new listings", "partner"),
    "room-lines": (ROOMS, "list room lines", "player"),
}
DESIGNED = {name: design_of(text) for name, (text, _, _) in SHAPES.items()}


def _need(arch: Architecture, read: str) -> Figure:
    return next(f for f in arch.figures if f.key.startswith("rate_limit.catch_up.") and f.scope == f"use case '{read}'")


def _limit(arch: Architecture, actor: str) -> RateLimit:
    assert arch.security is not None
    return next(r for r in arch.security.rate_limits if r.actor == actor and r.operation_class == "read")


@pytest.mark.parametrize("name", SHAPES)
def test_catch_up_need_is_stated_and_evaluates_ok(name: str) -> None:
    """Every catch-up read states the requests/min one client needs, and its formula gives its value."""
    arch = DESIGNED[name]
    need = _need(arch, SHAPES[name][1])
    assert need.value > 0
    assert recompute(need) == pytest.approx(need.value)


@pytest.mark.parametrize("name", SHAPES)
def test_read_limit_lets_a_client_catch_up_ok(name: str) -> None:
    """The actor's read limit pages through what one client receives at peak, x the headroom, at the largest page."""
    arch = DESIGNED[name]
    _, read, actor = SHAPES[name]
    need, limit = _need(arch, read), _limit(arch, actor)
    items = min(need.inputs["publishes"], need.inputs["deliveries"] / need.inputs["clients"])
    assert limit.limit_per_minute >= math.ceil(need.value)
    assert limit.limit_per_minute / 60 * need.inputs["page_max"] >= items * CATCH_UP_HEADROOM * (1 - 1e-9)
    assert read in limit.use_cases


@pytest.mark.parametrize("name", SHAPES)
def test_the_contract_carries_the_same_limit_ok(name: str) -> None:
    """The catch-up read's operation states in x-rate-limit the limit the security model decided."""
    arch = DESIGNED[name]
    _, read, actor = SHAPES[name]
    limit = _limit(arch, actor)
    api, op = next((a, o) for a in arch.apis for o in a.operations if read in o.use_cases)
    stated = render_openapi(api, arch)["paths"][op.path][op.method]["x-rate-limit"]
    assert (stated["actor"], stated["per_minute"], stated["burst"]) == (actor, limit.limit_per_minute, limit.burst)


def test_high_production_raises_the_limit_and_says_why_ok() -> None:
    """12,000 quotes/s in pages of 100: 120 req/s to keep up, 240 to catch up: 14,400/min, well past the share-based 60."""
    limit = _limit(DESIGNED["stream-high-production"], "partner")
    assert limit.limit_per_minute == 14_400
    assert limit.burst == 14_400 * 10 // 60
    assert "raised to what a client catching up needs" in limit.rationale
    assert "floor" not in limit.rationale


def test_a_larger_page_needs_fewer_requests_ok() -> None:
    """The same stream in pages of 1,000 needs a tenth of the requests."""
    small, large = (_need(DESIGNED[n], "stream quotes").value for n in ("stream-high-production", "stream-large-page"))
    assert large == pytest.approx(small / 10)
    assert _limit(DESIGNED["stream-large-page"], "partner").limit_per_minute == 1_440


def test_low_production_keeps_the_share_based_limit_ok() -> None:
    """2 quotes/s fit any limit: the limit stays what the clients' share gives (2 req/s over 8 clients x 5 = 75/min), and says
    catching up fits."""
    limit = _limit(DESIGNED["stream-low-production"], "partner")
    assert limit.limit_per_minute == math.ceil(2 * 60 / 8 * 5)
    assert "enough for catching up" in limit.rationale


def test_a_scoped_channel_counts_one_clients_share_ok() -> None:
    """A room's subscriber receives its share of the deliveries, not every line: the need stays below the whole stream's."""
    need = _need(DESIGNED["room-lines"], "list room lines")
    assert need.inputs["deliveries"] / need.inputs["clients"] < need.inputs["publishes"]
    assert need.value < need.inputs["publishes"] / need.inputs["page_max"] * 60 * CATCH_UP_HEADROOM


def test_no_stream_no_catch_up_figure_ok() -> None:
    """A list read no channel streams states no catch-up need and keeps its limit."""
    arch = design_of(
        "system: notes\nscale: {users: 10k, rates: peak}\nentities:\n  Note: {fields: {body: string(200)}, rows: 1M}\n"
        "use_cases:\n  - {name: list notes, actor: user, reads: [Note], page: cursor, rate: 50/s}\n"
    )
    assert not any(f.key.startswith("rate_limit.catch_up.") for f in arch.figures)
    assert arch.channels == []
