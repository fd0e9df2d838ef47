"""A catch-up read selects the rows a channel delivered to the caller, by the recipient column, never the rows the caller wrote.

A write that makes its row and a recipient row beside it (``writes: [Comment, Alert]``, ``to: Alert.recipient``) pushes to
the people the recipient row names: the rows they missed are theirs through that row. Specs of different shapes, written as
a user would: comments on a blog post alerting the post's author; bids on an auction notifying its seller; chat messages
mentioning a teammate; and, as the contrast, one whose spec already lists its recipient rows (that read is named).
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.catch_up import delivered
from backend_architect.ir.catch_up import operation_by_id
from backend_architect.ir.model import Architecture, Operation

BLOG = """
system: blog
scale: {daily_active: 200k}
entities:
  Writer: {fields: {name: {type: string(80), pii: true}}, rows: 1M}
  Post: {fields: {author: ref(Writer), title: string(200)}, rows: 2M}
  Comment: {part_of: Post, fields: {author: ref(Writer), body: string(600)}, growth: 100k/day}
  Alert: {fields: {recipient: ref(Writer), comment: ref(Comment), seen: {type: bool, default: false}}, growth: 100k/day}
use_cases:
  - {name: comment on post, actor: writer, writes: [Comment, Alert], rate: 100k/day, deliver: {mode: realtime, to: Alert.recipient}}
  - {name: view post, actor: writer, kind: get, reads: [Post], rate: 5M/day}
"""

AUCTIONS = """
system: auctions
scale: {daily_active: 500k}
entities:
  Trader: {fields: {handle: string(40)}, rows: 3M}
  Lot: {fields: {seller: ref(Trader), title: string(200)}, rows: 1M}
  Bid: {fields: {lot: ref(Lot), bidder: ref(Trader), amount: money}, growth: 1M/day}
  BidNotice: {fields: {seller: ref(Trader), bid: ref(Bid)}, growth: 1M/day}
use_cases:
  - {name: place bid, actor: trader, writes: [Bid, BidNotice], rate: 1M/day, deliver: {mode: realtime, to: BidNotice.seller}}
  - {name: view lot, actor: trader, kind: get, reads: [Lot], rate: 10M/day}
"""

TEAMS = """
system: teams
scale: {daily_active: 100k}
entities:
  Member: {fields: {name: {type: string(80), pii: true}}, rows: 400k}
  Channel: {fields: {name: string(80)}, rows: 20k}
  Note: {append_only: true, fields: {channel: ref(Channel), writer: ref(Member), body: string(2000)}, growth: 2M/day}
  Mention: {fields: {member: ref(Member), note: ref(Note)}, growth: 300k/day}
use_cases:
  - {name: post note, actor: member, writes: [Note, Mention], rate: 300k/day, deliver: {mode: realtime, to: Mention.member}}
  - {name: list channel notes, actor: member, reads: [Note], filter: [channel], rate: 3M/day}
"""

INBOX = """
system: bids-inbox
scale: {daily_active: 500k}
entities:
  Trader: {fields: {handle: string(40)}, rows: 3M}
  Bid: {fields: {bidder: ref(Trader), amount: money}, growth: 1M/day}
  BidNotice: {fields: {seller: ref(Trader), bid: ref(Bid)}, growth: 1M/day}
use_cases:
  - {name: place bid, actor: trader, writes: [Bid, BidNotice], rate: 1M/day, deliver: {mode: realtime, to: BidNotice.seller}}
  - {name: list my bid notices, actor: trader, owner_only: true, reads: [BidNotice], filter: [seller], sort: [created_at], page: cursor, rate: 2M/day}
"""


def _catch_up_of(arch: Architecture, use_case: str) -> Operation:
    decision = next(d for d in arch.decisions if d.id.startswith("realtime.") and d.subject == use_case)
    named = re.search(r"GET \S+ \((\w+)\)", decision.consequences or "")
    assert named is not None, decision.consequences
    found = operation_by_id(arch, named.group(1))
    assert found is not None, named.group(1)
    return found[1]


CASES = [
    pytest.param(BLOG, "comment on post", "Alert", "recipient", "author", id="comment-alerts-the-recipient"),
    pytest.param(AUCTIONS, "place bid", "BidNotice", "seller", "bidder", id="bid-notifies-the-seller"),
    pytest.param(TEAMS, "post note", "Mention", "member", "writer", id="note-mentions-a-member"),
]


@pytest.mark.parametrize(("text", "use_case", "rows", "recipient", "writer"), CASES)
def test_delivered_rows_are_the_recipient_rows_ok(text: str, use_case: str, rows: str, recipient: str, writer: str) -> None:
    """The rows a channel hands its recipients are the recipient row's entity when the write makes one naming its row."""
    spec = spec_of(text)
    found = next(u for u in analyse(spec).use_cases if u.name == use_case)
    assert delivered(spec, found) == rows


@pytest.mark.parametrize(("text", "use_case", "rows", "recipient", "writer"), CASES)
def test_catch_up_selects_by_the_recipient_column_ok(text: str, use_case: str, rows: str, recipient: str, writer: str) -> None:
    """The catch-up read named for the channel lists the recipient rows, filtered by the recipient from the token, and its index
    leads with the recipient column, never the writer's."""
    arch = design_spec(spec_of(text)).architecture
    op = _catch_up_of(arch, use_case)
    assert op.entity == rows, (op.operation_id, op.entity)
    added = op.use_cases[0]
    indexes = [i for s in arch.datastores for t in s.tables for i in t.indexes if any(added in r for r in i.reasons)]
    assert indexes, f"no index for '{added}'"
    columns = [[c.name for c in i.columns] for i in indexes]
    assert all(c[0] == f"{recipient}_id" for c in columns), columns
    assert not any(f"{writer}_id" in c for c in columns), columns


def test_a_spec_list_of_the_recipient_rows_is_named_ok() -> None:
    """Where the spec lists the recipient rows by their recipient, that read is the catch-up, and none is added."""
    arch = design_spec(spec_of(INBOX)).architecture
    op = _catch_up_of(arch, "place bid")
    assert op.use_cases == ["list my bid notices"]
    assert not [a for a in arch.assumptions if "added as the catch-up read" in a]
