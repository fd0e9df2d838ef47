"""A write reserving a unique value in a uniqueness table is told as two steps everywhere (issue 22, class q2; uber run 21 C1).

Where a sharded table's unique key is held across its shards by a uniqueness table (``design/unique_keys.py``), the
guard's sentence (DDL comment, data section, Writes across shards) says the uniqueness row commits first, alone, then
the row. The steps the diagrams draw (``ir.store_steps``) and the flow's wording in the communication table say the same:
a reservation step of its own before the row's transaction, and the row's transaction releasing it on failure. A write
that does not touch the key draws no such step.

Run over three small specs of different shapes: parking sessions holding one active session per spot (a create reserves,
an action releases), coupon redemptions with a code unique for ever (a create only), and team seats with a handle unique
across teams, renamed by an update (a reservation moved).
"""

from __future__ import annotations

import functools
import re

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.store_steps import RESERVED, store_steps
from backend_architect.spec.load import load_spec_bytes

PARKING = """\
system: parking
scale: {daily_active: 20M, retention_years: 5}
entities:
  Driver: {rows: 20M, fields: {name: string(80)}}
  Spot: {rows: 5M, fields: {label: string(20)}}
  Session:
    growth: 30M/day
    fields:
      driver: ref(Driver)
      spot: ref(Spot)
      state: enum[active,ended]
      plate: string(12)
    unique:
      - {fields: [spot], when: {state: [active]}}
use_cases:
  - {name: start parking, kind: create, actor: driver, writes: [Session], rate: 30M/day}
  - {name: end parking, kind: action, actor: driver, writes: [Session.state], rate: 30M/day}
  - {name: my sessions, kind: list, actor: driver, reads: [Session], filter: [driver], rate: 60M/day}
"""
COUPONS = """\
system: coupons
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Shopper: {rows: 50M, fields: {name: string(80)}}
  Redemption:
    fields:
      shopper: ref(Shopper)
      code: {type: string(32), unique: true}
      amount: decimal
use_cases:
  - {name: redeem coupon, kind: create, actor: shopper, writes: [Redemption], rate: 8k/s}
  - {name: my redemptions, kind: list, actor: shopper, reads: [Redemption], filter: [shopper], rate: 2k/s}
"""
HANDLES = """\
system: handles
scale: {daily_active: 300M, retention_years: 10}
entities:
  Team: {rows: 10M, fields: {name: string(80)}}
  Seat:
    part_of: Team
    growth: 40M/day
    fields:
      member_email: {type: email, pii: true}
      handle: string(30)
    unique:
      - [handle]
use_cases:
  - {name: add seat, kind: create, actor: admin, writes: [Seat], rate: 40M/day}
  - {name: rename seat, kind: update, actor: admin, writes: [Seat.handle], rate: 5M/day}
  - {name: team seats, kind: list, actor: admin, reads: [Seat], filter: [team], rate: 80M/day}
"""
CASES = [
    pytest.param(PARKING, {"start parking", "end parking"}, id="parking"),
    pytest.param(COUPONS, {"redeem coupon"}, id="coupons"),
    pytest.param(HANDLES, {"add seat", "rename seat"}, id="handles"),
]


@functools.cache
def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


def _guards(result: DesignResult) -> dict[str, list[str]]:
    """Each uniqueness table with the use cases its guard names as writers."""
    return {g.table: g.writers for s in result.architecture.datastores for t in s.tables if t.sharding for g in t.sharding.uniques}


@pytest.mark.parametrize(("text", "writers"), CASES)
def test_guard_names_its_writers_ok(text: str, writers: set[str]) -> None:
    """The guard names exactly the use cases reserving or releasing a value, as the Writes across shards record lists them."""
    result = _designed(text)
    guards = _guards(result)
    assert len(guards) == 1, guards
    ((table, named),) = guards.items()
    assert set(named) == writers
    record = next(d for d in result.architecture.decisions if d.id == "cross-shard-writes")
    assert all(f"'{u}'" in record.choice for u in named), record.choice
    assert table in record.choice


@pytest.mark.parametrize(("text", "writers"), CASES)
def test_reservation_drawn_before_the_row_ok(text: str, writers: set[str]) -> None:
    """Each writer's steps reserve in the uniqueness table first, in a commit of its own, then write the row, releasing the
    reservation if that fails; its flow's wording says two steps; no other use case draws a reservation."""
    result = _designed(text)
    arch = result.architecture
    (table,) = _guards(result)
    for flow in arch.flows:
        steps = [s for s in store_steps(arch, flow) if s.phase == "write"]
        reserving = [i for i, s in enumerate(steps) if s.reply == RESERVED]
        if flow.use_case not in writers:
            assert not reserving, flow.use_case
            continue
        assert reserving == [0], (flow.use_case, [s.text for s in steps])
        assert table in steps[0].text
        assert "not one transaction" in steps[0].text
        assert len(steps) > 1, [s.text for s in steps]
        assert re.search(rf"delete the reservation step 1 made in (\w+\.)?{table}$", steps[1].text), steps[1].text
        assert f"in {table}" in flow.rationale, flow.rationale
        assert "two steps, not one transaction" in flow.rationale, flow.rationale
