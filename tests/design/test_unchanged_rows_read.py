"""An action that changes no field is a read everywhere (issue 22, class q2; uber run 21 C2).

A use case of kind action (or update) naming nothing in ``writes`` only reads the row it acts on. Where it also tells no
one and calls nothing, a replay repeats nothing, so it takes no Idempotency-Key, stores no key row and commits no
transaction; in every case it counts no write: not in the peak write rate, not among the writes reaching its database,
not in the share of rows changing a day. One that tells someone keeps its key and commits its outbox row.

Run over three small specs of different shapes: a support desk (an agent's "seen" on a ticket beside a real close), a
marketplace (a seller ignoring an offer, and a buyer's nudge that notifies the seller yet changes no field), and a large
sensor fleet whose readings' table is weighed for a wide-column store (an operator's glance at a reading).
"""

from __future__ import annotations

import functools

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.ir.store_steps import store_steps
from backend_architect.spec.load import load_spec_bytes

DESK = """
system: support-desk
entities:
  Agent: {rows: 5k, fields: {name: string(80)}}
  Ticket:
    growth: 40k/day
    fields: {subject: string(200), status: "enum[open, closed]", closed_at: datetime?}
use_cases:
  - {name: open ticket, kind: create, actor: customer, writes: Ticket, rate: 40k/day}
  - {name: view ticket, kind: get, actor: agent, reads: Ticket, rate: 400k/day}
  - {name: mark ticket seen, kind: action, actor: agent, reads: Ticket, rate: 300k/day}
  - {name: close ticket, kind: action, actor: agent, writes: [Ticket.status, Ticket.closed_at], rate: 35k/day}
"""
MARKET = """
system: marketplace
entities:
  Seller: {rows: 100k, fields: {name: string(100)}}
  Buyer: {rows: 2M, fields: {name: string(100), email: {type: email, pii: true}}}
  Offer:
    growth: 200k/day
    fields: {seller: ref(Seller), buyer: ref(Buyer), amount: decimal, status: "enum[open, accepted]"}
use_cases:
  - {name: make offer, kind: create, actor: buyer, writes: Offer, rate: 200k/day}
  - {name: accept offer, kind: action, actor: seller, writes: [Offer.status], rate: 50k/day}
  - {name: ignore offer, kind: action, actor: seller, reads: Offer, rate: 120k/day}
  - {name: nudge seller, kind: action, actor: buyer, reads: Offer, notify: [seller], rate: 30k/day}
"""
FLEET = """
system: sensor-fleet
scale: {retention_years: 5}
entities:
  Sensor: {rows: 2M, fields: {site: string(80)}}
  Reading:
    growth: 2B/day
    fields: {sensor: ref(Sensor), value: float, taken_at: datetime, flagged: bool}
use_cases:
  - {name: record reading, kind: create, actor: sensor, writes: Reading, rate: 2B/day}
  - {name: flag reading, kind: action, actor: operator, writes: [Reading.flagged], rate: 1M/day}
  - {name: glance at reading, kind: action, actor: operator, reads: Reading, rate: 500M/day}
  - {name: list sensor readings, kind: list, actor: operator, reads: Reading, filter: [sensor], sort: [-taken_at], rate: 10M/day}
"""
SPECS = [pytest.param(DESK, id="desk"), pytest.param(MARKET, id="market"), pytest.param(FLEET, id="fleet")]


@functools.cache
def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


def _unchanging(result: DesignResult) -> list[tuple[str, str, bool]]:
    """(use case name, id, whether it tells someone) of each action naming no writes."""
    return [(u.name, u.id, u.has_effect) for u in analyse(result.spec).use_cases if u.is_write and not u.changes_rows]


@pytest.mark.parametrize("text", SPECS)
def test_unchanging_action_counts_no_write_ok(text: str) -> None:
    """An action naming no writes is among the peak reads, never among the peak writes nor the writes reaching a database."""
    result = _designed(text)
    figures = {f.key: f for f in result.architecture.figures}
    found = _unchanging(result)
    assert found
    for name, uid, effect in found:
        assert f"peak_{uid}" in figures["qps.peak.read"].inputs, name
        assert f"peak_{uid}" not in figures["qps.peak.write"].inputs, name
        for key, figure in figures.items():
            if key.startswith("db.writes.peak."):
                assert f"peak_{uid}" not in figure.inputs, (name, key)
                # the key row is stored only where a replay would repeat something (a notification)
                assert bool([k for k in figure.inputs if k.startswith(f"idempotency_{uid}_")]) <= effect, (name, key)


@pytest.mark.parametrize("text", SPECS)
def test_replay_repeating_nothing_takes_no_key_err(text: str) -> None:
    """An action changing nothing and telling no one takes no Idempotency-Key and commits nothing; one that notifies keeps both."""
    result = _designed(text)
    arch = result.architecture
    ops = {u: op for api in arch.apis for op in api.operations for u in op.use_cases}
    for name, _, effect in _unchanging(result):
        assert ops[name].idempotency_key is effect, name
        flow = next(f for f in arch.flows if f.use_case == name)
        committed = [s.text for s in store_steps(arch, flow) if "commit" in s.text]
        assert bool(committed) is effect, (name, committed)
        timed = [p.part for p in flow.latency_parts if p.part.startswith("commit")]
        assert bool(timed) is effect, (name, timed)


def test_notifying_action_keeps_its_key_ok() -> None:
    """The marketplace's nudge changes no field but tells the seller: it keeps its key, so the table is exercised both ways."""
    effects = {name: effect for name, _, effect in _unchanging(_designed(MARKET))}
    assert effects == {"ignore offer": False, "nudge seller": True}


def test_churn_leaves_unchanging_action_out_ok() -> None:
    """The share of a table's rows changing a day counts the writes that change them, not a glance that reads one."""
    result = _designed(FLEET)
    notes = [n.reason for n in result.architecture.pattern_notes if n.subject == "readings"]
    assert notes
    # 1M flags over 2B new rows a day is under the append-mostly 10%; counting the 500M glances would say 25%
    assert "change a day" not in notes[0], notes[0]
