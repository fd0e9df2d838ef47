"""A batch job reads its input one way, is sized at the peak, and is idempotent by a key its DDL holds."""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, spec_of, table

from backend_architect.design.job_keys import job_keys
from backend_architect.ir.model import Architecture
from backend_architect.render.ddl import render_ddl

#: A shop invoices new orders every five minutes; an invoice refers to the order it bills.
INVOICES = """\
system: shop
scale: {peak_factor: 4}
entities:
  Customer: {fields: {name: string(80)}}
  Order: {fields: {customer: ref(Customer), total: money}, growth: 2M/day}
  Invoice: {fields: {order: ref(Order), amount: money, number: string(30)}, growth: 2M/day}
use_cases:
  - {name: place order, actor: customer, writes: [Order], rate: 2M/day}
  - {name: list my orders, actor: customer, reads: [Order], rate: 10M/day}
  - {name: invoice new orders, kind: job, schedule: "*/5 * * * *", reads: [Order], writes: [Invoice]}
"""

#: A bank writes each account a statement every night; a statement is one per account per day.
STATEMENTS = """\
system: bank
entities:
  Account: {fields: {owner_name: string(120), balance: money}, rows: 5M}
  Statement: {fields: {account: ref(Account), period: date, closing_balance: money}, growth: 5M/day}
use_cases:
  - {name: open account, actor: customer, writes: [Account], rate: 10k/day}
  - {name: write statements, kind: job, schedule: daily, reads: [Account], writes: [Statement]}
"""

#: A fleet's sensor readings are checked hourly and a reading flagged in place: the job inserts no row.
FLAGS = """\
system: fleet
scale: {peak_factor: 2}
entities:
  Reading: {fields: {value: int, flagged: bool}, growth: 48M/day}
use_cases:
  - {name: record reading, actor: device, writes: [Reading], rate: 48M/day}
  - {name: flag readings, kind: job, schedule: hourly, reads: [Reading], writes: [Reading.flagged]}
"""

#: A ride service charges ended rides every minute, through a processor; the charge refers to its ride.
CHARGES = """\
system: rides
external:
  Processor: {kind: payment, latency_ms: 200}
entities:
  Rider: {fields: {name: string(80)}}
  Ride: {fields: {rider: ref(Rider), fare: money, status: "enum[open,ended]"}, growth: 1M/day}
  Charge: {fields: {ride: ref(Ride), amount: money, reference: string(60)?}, growth: 1M/day}
use_cases:
  - {name: book ride, actor: rider, writes: [Ride], rate: 1M/day}
  - {name: end ride, actor: driver, writes: [Ride.status], rate: 1M/day}
  - {name: see my ride, actor: rider, reads: [Ride], rate: 5M/day}
  - {name: charge ended rides, kind: job, schedule: "* * * * *", reads: [Ride], writes: [Charge], calls: [Processor]}
  - {name: see my charge, actor: rider, reads: [Charge], rate: 1M/day}
"""


def _job(arch: Architecture, name: str):  # type: ignore[no-untyped-def]
    return next(j for j in arch.jobs if j.use_case == name)


@pytest.mark.parametrize(
    ("text", "job", "per_day", "peak", "interval"),
    [
        pytest.param(INVOICES, "invoice new orders", 2e6, 4.0, 300, id="five-minutely-at-4x"),
        pytest.param(STATEMENTS, "write statements", 10e3, 1.0, 86_400, id="daily-holds-the-whole-day"),
        pytest.param(FLAGS, "flag readings", 48e6, 2.0, 3_600, id="hourly-at-2x"),
        pytest.param(CHARGES, "charge ended rides", 1e6, 3.0, 60, id="minutely-default-3x"),
    ],
)
def test_run_is_sized_on_the_days_average_ok(text: str, job: str, per_day: float, peak: float, interval: int) -> None:
    """A run holds the day's average share of rows (the worked exercises' sizing; the busiest hour's run, ``peak`` times more,
    is an open finding) and finishes them in half its interval; a daily run holds the day."""
    arch = design_of(text)
    run = _job(arch, job)
    assert run.rows_per_run == pytest.approx(per_day * interval / 86_400)
    assert run.rows_per_s * run.interval_s * 0.5 >= run.rows_per_run


@pytest.mark.parametrize(
    ("text", "job", "table_name", "columns"),
    [
        pytest.param(INVOICES, "invoice new orders", "invoices", ["order_id"], id="one-invoice-per-order"),
        pytest.param(STATEMENTS, "write statements", "statements", ["account_id", "period"], id="one-statement-per-account-and-day"),
        pytest.param(CHARGES, "charge ended rides", "charges", ["ride_id"], id="one-charge-per-ride"),
    ],
)
def test_idempotency_is_a_key_the_ddl_holds_ok(text: str, job: str, table_name: str, columns: list[str]) -> None:
    """The row a job writes per input has a unique key in the DDL, and the job's promise of idempotency names that key."""
    arch = design_of(text)
    written = table(arch, table_name)
    unique = next((u for u in written.uniques if u.columns == columns), None)
    assert unique is not None, [u.columns for u in written.uniques]
    said = _job(arch, job).idempotency
    assert unique.name in said
    assert f"ON CONFLICT ({', '.join(columns)})" in said
    assert "(window, row)" not in said
    ddl = "\n".join(render_ddl(store, "postgresql") for store in arch.datastores if any(t.name == table_name for t in store.tables))
    assert f"CONSTRAINT {unique.name} UNIQUE ({', '.join(columns)})" in ddl


def test_a_call_repeated_by_a_rerun_carries_the_key_ok() -> None:
    """A job calling an external system per row hands it the row's key, so the retried call acts once."""
    said = _job(design_of(CHARGES), "charge ended rides").idempotency
    assert "each call to Processor carries the row's key (ride_id)" in said


@pytest.mark.parametrize(
    ("text", "job", "words"),
    [
        pytest.param(FLAGS, "flag readings", "sets the same values again", id="field-writes-only"),
        pytest.param(
            INVOICES.replace("order: ref(Order), ", ""), "invoice new orders", "a rerun starts after the last completed window", id="no-reference-to-the-input"
        ),
    ],
)
def test_no_key_is_promised_where_none_exists_ok(text: str, job: str, words: str) -> None:
    """A job whose rows do not refer to its input gets no key and promises none: it says what does keep a rerun safe."""
    arch = design_of(text)
    assert words in _job(arch, job).idempotency
    assert "ON CONFLICT" not in _job(arch, job).idempotency


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(INVOICES, [("invoice new orders", "Invoice", "Order", ("order_id",))], id="reference"),
        pytest.param(STATEMENTS, [("write statements", "Statement", "Account", ("account_id", "period"))], id="reference-and-date"),
        pytest.param(FLAGS, [], id="field-write"),
        pytest.param(INVOICES.replace("{order: ref(Order), ", "{order: ref(Order), replaces: ref(Order)?, "), [], id="two-references"),
    ],
)
def test_job_keys_table_ok(text: str, expected: list[tuple[str, str, str, tuple[str, ...]]]) -> None:
    """A key is the written row's one reference to the job's input, plus its date fields; no reference or two give none."""
    assert [(k.job, k.entity, k.source, k.columns) for k in job_keys(spec_of(text))] == expected


@pytest.mark.parametrize("text", [INVOICES, STATEMENTS, CHARGES])
def test_job_reads_its_input_one_way_ok(text: str) -> None:
    """A job reading another service's rows draws an event-fed copy, says so in its flow, and never queries the owner per row."""
    arch = design_of(text)
    for job in arch.jobs:
        flow = next(f for f in arch.flows if f.use_case == job.use_case)
        remote = [s for s in flow.steps if s.kind in {"query", "event"} and s.target == job.service and s.source != "scheduler"]
        if not remote:
            assert flow.style in {"local", "event", "saga"}
            continue
        assert not any(s.kind == "query" for s in flow.steps)
        assert flow.style == "event"
        assert "local copy" in flow.rationale
