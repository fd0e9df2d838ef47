"""During a primary's failover, a read that tolerates lag continues on the standbys and a strong read waits for the failover.

A strong read served by a copy goes through a read index: it first takes the primary's WAL position and is answered once a
standby has replayed it (``design/replica_reads.py``). With the primary down there is no position to take, so the failure
table cannot say such a read "continues on the standbys" while the caching table says it needs the primary's position
(netflix's resume playback said both).
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: A catalogue browsed with lag allowed, and a basket read that must see the last write.
SHOP = """\
system: shop
scale: {users: 2M, availability: 99.99%, rates: peak}
entities:
  Product: {fields: {title: string(200), price_cents: int}, rows: 1M}
  BasketItem: {fields: {product: ref(Product), quantity: int}, growth: 300k/day}
use_cases:
  - {name: browse products, reads: [Product], page: cursor, rate: 30/s, consistency: eventual}
  - {name: add to basket, writes: [BasketItem], rate: 50/s}
  - {name: view basket, owner_only: true, reads: [BasketItem], page: cursor, rate: 300/s}
"""

#: Playback positions read strongly, and a watch history that may trail by a minute.
PLAYER = """\
system: player
scale: {users: 10M, availability: 99.95%, rates: peak}
entities:
  Position: {fields: {title_id: int, seconds: int}, growth: 2M/day}
use_cases:
  - {name: save position, writes: [Position], rate: 400/s}
  - {name: resume, kind: get, owner_only: true, reads: [Position], filter: [title_id], rate: 20/s}
  - {name: watch history, owner_only: true, reads: [Position], page: cursor, rate: 15/s, staleness: 60s}
"""

#: Every read strong: an account ledger.
LEDGER = """\
system: ledger
scale: {users: 500k, availability: 99.99%, rates: peak}
entities:
  Entry: {fields: {amount_cents: int, memo: string(100)}, growth: 1M/day}
use_cases:
  - {name: post entry, writes: [Entry], rate: 200/s}
  - {name: list entries, owner_only: true, reads: [Entry], page: cursor, rate: 600/s}
"""


def _plan(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


@pytest.mark.parametrize(
    ("text", "lagging", "strong"),
    [
        pytest.param(SHOP, {"browse products"}, {"view basket"}, id="eventual-beside-strong"),
        pytest.param(PLAYER, {"watch history"}, {"resume"}, id="staleness-beside-strong"),
        pytest.param(LEDGER, set(), {"list entries"}, id="all-strong"),
    ],
)
def test_strong_reads_wait_for_the_failover_lagging_ones_continue_ok(text: str, lagging: set[str], strong: set[str]) -> None:
    """Each read of a database with readable standbys that no cache or other store answers is in exactly one primary-failure row: continuing (lag allowed)
    or waiting for the failover (strong), never both and never a strong read said to continue."""
    arch = _plan(text)
    assert arch.availability is not None
    rows = [i for i in arch.availability.impacts if i.dependency == "database primary"]
    continuing = {u for i in rows if i.effect == "degrade" for u in i.use_cases}
    waiting = {u for i in rows if i.effect == "fail" and i.detail.startswith("strong reads wait") for u in i.use_cases}
    assert lagging <= continuing
    assert strong <= waiting
    assert not continuing & waiting
    for impact in rows:
        if impact.detail.startswith("strong reads wait"):
            assert "WAL position" in impact.detail
