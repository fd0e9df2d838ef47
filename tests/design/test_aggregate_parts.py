"""A part is called part of its parent's aggregate only where it is written with the parent (issue 22, class q2; whatsapp
run 21 C1).

A ``part_of`` entity some request creates alone (a receipt acknowledged after its message, a card added to a board that
exists) commits in its own transaction: it is an aggregate of its own, and neither the boundary's reasons nor the
wide-column store's "not needed" note may say it is created with its parent, in its transaction. A part every create
writes with its parent (an order's lines) stays part of the parent's aggregate, and the note says so.

Run over three small specs of different shapes: a shop (lines created with their order only; reviews of a product
written alone), a messenger (receipts acknowledged alone, at a size the wide-column store weighs), and a board (cards
made with their board and also added alone).
"""

from __future__ import annotations

import functools

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.aggregate_parts import in_parent_aggregate, own_creators
from backend_architect.design.analysis import analyse
from backend_architect.spec.load import load_spec_bytes

SHOP = """
system: shop
scale: {retention_years: 10}
entities:
  Product: {rows: 1M, fields: {title: string(200)}}
  Order:
    growth: 50M/day
    fields: {customer_name: string(100), total: decimal}
  OrderLine:
    part_of: Order
    avg_per_parent: 3
    fields: {product: ref(Product), quantity: int, price: decimal}
  Review:
    part_of: Product
    growth: 100k/day
    fields: {stars: int, body: string(2000)}
use_cases:
  - {name: place order, kind: create, actor: customer, writes: [Order, OrderLine], rate: 50M/day}
  - {name: see order, kind: get, actor: customer, reads: [Order], rate: 100M/day}
  - {name: write review, kind: create, actor: customer, writes: [Review], rate: 100k/day}
"""
MESSENGER = """
system: messenger
scale: {retention_years: 5}
entities:
  Room: {rows: 10M, fields: {title: string(100)}}
  Message:
    growth: 1B/day
    append_only: true
    fields: {room: ref(Room), body: {type: text, avg_bytes: 100}, sent_at: datetime}
  Receipt:
    part_of: Message
    avg_per_parent: 1
    fields: {reader: string(40), read_at: datetime}
use_cases:
  - {name: post message, kind: create, actor: user, writes: [Message], rate: 1B/day}
  - {name: read receipt, kind: create, actor: user, writes: [Receipt], rate: 1B/day}
  - {name: list room messages, kind: list, actor: user, reads: [Message], filter: [room], sort: [-sent_at], rate: 2B/day}
"""
BOARD = """
system: boards
entities:
  Board: {growth: 10k/day, fields: {title: string(100)}}
  Card:
    part_of: Board
    avg_per_parent: 5
    fields: {title: string(200), done: bool}
use_cases:
  - {name: create board, kind: create, actor: user, writes: [Board, Card], rate: 10k/day}
  - {name: add card, kind: create, actor: user, writes: [Card], rate: 200k/day}
  - {name: tick card, kind: update, actor: user, writes: [Card.done], rate: 300k/day}
"""
CASES = [
    pytest.param(SHOP, {"OrderLine": True, "Review": False}, id="shop"),
    pytest.param(MESSENGER, {"Receipt": False}, id="messenger"),
    pytest.param(BOARD, {"Card": False}, id="board"),
]


@functools.cache
def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_part_in_aggregate_only_when_written_with_parent_ok(text: str, expected: dict[str, bool]) -> None:
    """A part is in its parent's aggregate exactly when no request creates it alone."""
    result = _designed(text)
    analysis = analyse(result.spec)
    for entity, inside in expected.items():
        parent = result.spec.entities[entity].part_of or ""
        assert in_parent_aggregate(analysis, entity, parent) is inside, entity
        assert bool(own_creators(analysis, entity, parent)) is not inside, entity


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_own_aggregate_never_said_created_with_parent_err(text: str, expected: dict[str, bool]) -> None:
    """No sentence calls a part created alone part of its parent's aggregate; its service's reasons say it is its own."""
    result = _designed(text)
    arch = result.architecture
    tables = {t.entity: t.name for s in arch.datastores for t in s.tables if t.entity and not t.role}
    rationale = [r for s in arch.services for r in s.rationale]
    for entity, inside in expected.items():
        parent = result.spec.entities[entity].part_of
        claimed = f"part of the {parent} aggregate"
        notes = [n.reason for n in arch.pattern_notes if n.subject == tables[entity]]
        assert all(claimed not in n for n in notes) or inside, (entity, notes)
        own = [r for r in rationale if r.startswith(f"{entity} is part of {parent}") and "an aggregate of its own" in r]
        assert bool(own) is not inside, (entity, rationale)


def test_part_written_with_parent_keeps_the_claim_ok() -> None:
    """The shop's order lines, created only with their order, are still said to be part of its aggregate where weighed."""
    arch = _designed(SHOP).architecture
    notes = [n.reason for n in arch.pattern_notes if n.subject == "order_lines" and n.pattern == "PAT055"]
    assert notes
    assert "part of the Order aggregate" in notes[0]


def test_receipts_weighed_without_the_claim_ok() -> None:
    """The messenger's receipts are weighed for the wide-column store, and the note does not tie them to their message."""
    notes = [n.reason for n in _designed(MESSENGER).architecture.pattern_notes if n.subject == "receipts" and n.pattern == "PAT055"]
    assert notes
    assert "aggregate" not in notes[0]
