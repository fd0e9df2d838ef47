"""Tables sharded together by one shard map get one build date: the earliest need among them, stated everywhere.

A part living on its parent's shard (an order's lines on the order's shard) cannot be sharded without the map its parent
is sharded by, so the map is built when the first of its tables needs it and every table of it says that date: the
table's layout, the growth stage's trigger and the per-shard figures "once sharded (...)". Dating each table by its own
size gave a chat's members "in about 14.4 months" beside their chats "in about 5.4 years" on the same shards (whatsapp,
run 22). Shapes: the part needs the map first (crew hands; order lines with yearly growth), the parent does (a library's
catalogue before its shelves).
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.patterns._shards import shard_timings
from backend_architect.ir.query import all_tables

CREWS = """\
system: crews
scale: {daily_active: 20M, retention_years: 10}
entities:
  Person: {fields: {name: string(80)}, rows: 50M}
  Crew:
    fields: {title: string(120), captain: ref(Person), charter: {type: text, avg_bytes: 3000}}
  Hand:
    part_of: Crew
    fields: {person: ref(Person), role: "enum[captain, hand]", bio: {type: text, avg_bytes: 1500}}
    avg_per_parent: 4
use_cases:
  - {name: form crew, writes: [Crew, Hand], rate: 3M/day}
  - {name: sign on, writes: [Hand], rate: 2M/day}
  - {name: view crew, kind: get, reads: [Crew, Hand], rate: 20M/day}
"""

LIBRARIES = """\
system: libraries
scale: {daily_active: 5M, retention_years: 10}
entities:
  Member: {fields: {name: string(80)}, rows: 10M}
  Library:
    fields: {name: string(120), keeper: ref(Member), catalogue: {type: text, avg_bytes: 8000}}
  Shelf:
    part_of: Library
    fields: {label: string(40)}
    avg_per_parent: 2
use_cases:
  - {name: open library, writes: [Library, Shelf], rate: 2M/day}
  - {name: browse library, kind: get, reads: [Library, Shelf], rate: 10M/day}
"""

SHOP = """\
system: shop
scale: {daily_active: 2M, retention_years: 10, growth_per_year: 30%}
entities:
  Customer: {fields: {name: string(80)}, rows: 5M}
  Order:
    fields: {customer: ref(Customer), status: "enum[open, paid, shipped]", address: {type: text, avg_bytes: 400}}
    growth: 1M/day
  Line:
    part_of: Order
    fields: {sku: string(40), quantity: int, gift_note: {type: text, avg_bytes: 1200}}
    avg_per_parent: 3
use_cases:
  - {name: place order, writes: [Order, Line], rate: 1M/day}
  - {name: view order, kind: get, reads: [Order, Line], rate: 5M/day}
"""

_DATE = re.compile(r"\((in about [\d.]+ (?:days?|months|years)|within a day)\)")


@pytest.mark.parametrize(
    ("text", "head", "part", "leader"),
    [
        pytest.param(CREWS, "crews", "hands", "hands", id="hands-need-it-first"),
        pytest.param(LIBRARIES, "libraries", "shelves", "libraries", id="catalogues-need-it-first"),
        pytest.param(SHOP, "orders", "lines", "lines", id="lines-need-it-first-with-growth"),
    ],
)
def test_one_map_one_date_ok(text: str, head: str, part: str, leader: str) -> None:
    """Both tables of the map state the same date, the earliest, and name the table whose need sets it."""
    spec = spec_of(text)
    arch = design_of(text)
    timings = shard_timings(arch, spec, spec.scale.peak_factor or 3.0)
    assert timings[part].head == head
    assert not timings[head].map_now, "the map is built later, for both tables"
    follower = part if leader == head else head
    assert timings[follower].led_by == leader
    assert timings[leader].led_by == ""
    tables = {t.name: t for _, t in all_tables(arch)}
    dates = {name: _DATE.findall((tables[name].sharding.when or "") if tables[name].sharding else "") for name in (head, part)}
    assert all(dates.values()), dates
    assert {d for found in dates.values() for d in found} == {timings[leader].eta}
    follows = tables[follower].sharding
    assert follows is not None
    assert f"built for {leader}" in (follows.when or "")
    stage = next(s for s in arch.stages if s.name == "sharding")
    lines = {line.split(": ", 1)[0]: line for line in stage.trigger.split("; ")}
    assert _DATE.findall(lines[head]) == _DATE.findall(lines[part]) == [timings[leader].eta]
    for figure in arch.figures:
        if f"shard of {head} " in figure.quantity and "once sharded" in figure.quantity:
            assert f"once sharded ({timings[leader].eta})" in figure.quantity
