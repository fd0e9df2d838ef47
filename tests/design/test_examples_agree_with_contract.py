"""Examples and sized bodies agree with the contract and the ids (issue 22, class o1).

- Every example UUIDv7 carries the instant its row shows: decoding an example's id gives its created_at (uber run 20 C9).
- The bytes a request body is sized at come from its operation's request schema: none, 0 bytes (uber run 20 C4).
- A use case that names no writes is drawn reading its row, never updating it, as capacity counts it (uber run 20 C3).

Run over three small specs of different shapes: a lending library (a renewal that names no writes beside a return that
does), a clinic (a doctor's decline and a signed lab callback), a forum (a flag beside an edit, a post with a part).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.examples import EXAMPLE_TIME, example_uuid, uuid7_time
from backend_architect.ir.store_steps import store_steps
from backend_architect.spec.load import load_spec_bytes

LIBRARY = """
system: library
entities:
  Member: {rows: 200k, fields: {name: string(80), email: {type: email, unique: true, pii: true}}}
  Book: {rows: 1M, fields: {title: string(200), isbn: {type: string(20), unique: true}}}
  Loan:
    growth: 50k/day
    fields: {member: ref(Member), book: ref(Book), status: "enum[open, returned]", due_at: datetime, returned_at: datetime?}
use_cases:
  - {name: borrow book, kind: create, actor: member, writes: Loan, rate: 50k/day}
  - {name: see loan, kind: get, actor: member, reads: Loan, owner_only: true, rate: 500k/day}
  - {name: renew loan, kind: action, actor: member, reads: Loan, owner_only: true, rate: 20k/day}
  - {name: return book, kind: action, actor: librarian, writes: [Loan.status, Loan.returned_at], rate: 45k/day}
"""
CLINIC = """
system: clinic
external:
  lab: {kind: webhook, description: The lab reports a test's result back by webhook.}
entities:
  Patient: {rows: 5M, fields: {name: string(100), phone: {type: string(20), pii: true}}}
  Doctor: {rows: 20k, fields: {name: string(100)}}
  Appointment:
    growth: 300k/day
    fields: {patient: ref(Patient), doctor: ref(Doctor), starts_at: datetime, status: "enum[booked, declined, done]"}
  LabTest:
    growth: 100k/day
    fields: {appointment: ref(Appointment), kind: "enum[blood, urine]", result: string(2000)?, status: "enum[pending, ready]"}
use_cases:
  - {name: book appointment, kind: create, actor: patient, writes: Appointment, rate: 300k/day}
  - {name: view appointment, kind: get, actor: patient, reads: Appointment, owner_only: true, rate: 2M/day}
  - {name: acknowledge appointment, kind: action, actor: doctor, reads: Appointment, rate: 250k/day}
  - {name: decline appointment, kind: action, actor: doctor, writes: [Appointment.status], rate: 20k/day}
  - {name: order lab test, kind: create, actor: doctor, writes: LabTest, rate: 100k/day}
  - {name: report lab result, kind: action, actor: lab, writes: [LabTest.result, LabTest.status], rate: 100k/day}
"""
FORUM = """
system: forum
entities:
  User: {rows: 2M, fields: {handle: {type: string(30), unique: true}, email: {type: email, pii: true}}}
  Thread: {growth: 20k/day, fields: {author: ref(User), title: string(200)}}
  Post:
    growth: 400k/day
    fields: {thread: ref(Thread), author: ref(User), body: string(4000), edited_at: datetime?}
  Attachment:
    part_of: Post
    avg_per_parent: 1
    max_per_parent: 3
    fields: {file_name: string(200), size: int}
use_cases:
  - {name: start thread, kind: create, actor: user, writes: Thread, rate: 20k/day}
  - {name: write post, kind: create, actor: user, writes: [Post, Attachment], rate: 400k/day}
  - {name: read thread, kind: list, actor: user, reads: Post, filter: [thread], rate: 20M/day}
  - {name: edit post, kind: update, actor: user, writes: [Post.body, Post.edited_at], owner_only: true, rate: 20k/day}
  - {name: flag post, kind: action, actor: user, reads: Post, rate: 5k/day}
"""
SPECS = [pytest.param(LIBRARY, id="library"), pytest.param(CLINIC, id="clinic"), pytest.param(FORUM, id="forum")]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@functools.cache
def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


def _examples(result: DesignResult) -> Iterator[Any]:
    for api in result.architecture.apis:
        for op in api.operations:
            yield from (op.example_request, op.example_response, op.example_error)
            yield from (p.example for p in op.parameters)


def _walk(value: Any) -> Iterator[Any]:
    yield value
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        yield from _walk(child)


def test_example_uuid_carries_its_instant_ok() -> None:
    """An example id decodes to the instant it is made at, the example rows' by default."""
    assert uuid7_time(example_uuid("Loan")) == EXAMPLE_TIME
    assert uuid7_time(example_uuid("Loan", "2027-01-02T03:04:05Z")) == "2027-01-02T03:04:05Z"
    assert example_uuid("Loan", "2027-01-02T03:04:05Z") > example_uuid("Loan")


@pytest.mark.parametrize("text", SPECS)
def test_example_ids_decode_to_their_rows_time_ok(text: str) -> None:
    """Every UUIDv7 in the contract's examples decodes to the row's created_at (or the one example instant where it shows none)."""
    ids = 0
    for example in _examples(_designed(text)):
        for value in _walk(example):
            if isinstance(value, dict) and isinstance(value.get("id"), str) and _UUID.match(value["id"]):
                assert uuid7_time(value["id"]) == value.get("created_at", EXAMPLE_TIME), value
            if isinstance(value, str) and _UUID.match(value):
                ids += 1
                assert uuid7_time(value) == EXAMPLE_TIME, value
    assert ids > 3


@pytest.mark.parametrize("text", SPECS)
def test_body_bytes_follow_the_request_schema_ok(text: str) -> None:
    """A write whose operation takes no body is sized at 0 body bytes; one that takes a body at more."""
    result = _designed(text)
    figures = {f.key: f for f in result.architecture.figures}
    seen = {True: 0, False: 0}
    for api in result.architecture.apis:
        for op in api.operations:
            for name in op.use_cases:
                figure = next((f for k, f in figures.items() if k.startswith("bandwidth.in.") and f.scope == f"use case '{name}'"), None)
                if figure is None:
                    continue
                takes = op.request_schema is not None
                seen[takes] += 1
                assert (figure.inputs["body_bytes"] > 0) == takes, (name, figure.inputs)
    assert seen[True]
    assert seen[False]


@pytest.mark.parametrize("text", SPECS)
def test_unwritten_row_is_read_not_updated_ok(text: str) -> None:
    """A use case naming no writes is drawn reading its row (committing nothing where it tells no one) and counted changing
    none; one naming writes updates it."""
    result = _designed(text)
    analysis = analyse(result.spec)
    tables = {t.entity: t.name for s in result.architecture.datastores for t in s.tables if t.entity and t.role is None}
    checked = 0
    for use_case in analysis.use_cases:
        flow = next((f for f in result.architecture.flows if f.use_case == use_case.name), None)
        if use_case.kind not in {"action", "update"} or flow is None:
            continue
        table = tables[use_case.entity]
        drawn = " | ".join(s.text for s in store_steps(result.architecture, flow) if s.phase in {"write", "read"})
        assert (re.search(rf"update [^:+]*\b{table}\b", drawn) is not None) == bool(use_case.writes), (use_case.name, drawn)
        assert (re.search(rf"read the (\w+\.)?{table} row", drawn) is not None) == (not use_case.writes), (use_case.name, drawn)
        writes = next((f for f in result.architecture.figures if f.key == f"qps.peak.write.table.{table}"), None)
        assert writes is not None
        assert (f"peak_{use_case.id}" in writes.inputs) == bool(use_case.writes), (use_case.name, writes.inputs)
        said = [f.quantity for f in result.architecture.figures if f" row {use_case.name} " in f.quantity]
        assert said
        assert all((f" row {use_case.name} changes" in q) == bool(use_case.writes) for q in said), said
        checked += 1
    assert checked >= 2
