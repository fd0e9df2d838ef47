"""A change refusing a stale version (If-Match, 412) on rows a wide-column store holds is a lightweight transaction there:
drawn in the sequence (``IF version = ?``), timed as one in the latency and counted four times in the store's writes.

Why: with no transaction in the store, a read of the version and then a plain quorum write lets two writers both pass
the comparison, so the 412 the contract promises holds only if the store compares and writes in one Paxos round.
"""

from __future__ import annotations

import functools

import pytest
from tests.design.helpers import design_of

from backend_architect.design.request_steps import LWT_OPERATIONS
from backend_architect.ir.model import Architecture, Operation
from backend_architect.ir.query import version_guarded
from backend_architect.ir.store_steps import store_steps

#: Guestbook entries appended per board, each editable by its author.
GUESTBOOK = """
system: guestbook
entities:
  Board: {fields: {title: string(80)}, rows: 2M, growth: 10k/day}
  Entry:
    fields: {board: ref(Board), author: ref(User), body: {type: text, avg_bytes: 200}}
    growth: 300M/day
  User: {fields: {name: string(40)}, rows: 10M}
use_cases:
  - {name: open board, actor: user, writes: [Board], rate: 10k/day}
  - {name: sign board, actor: user, writes: [Entry], rate: 300M/day}
  - {name: reword entry, actor: user, writes: [Entry.body], owner_only: true, rate: 3M/day}
  - {name: board entries, actor: user, reads: [Entry], filter: [board], sort: [-created_at], consistency: eventual, rate: 50M/day}
"""

#: A sensor's readings, which an operator may retract (a delete) one at a time.
READINGS = """
system: telemetry
entities:
  Sensor: {fields: {label: string(40)}, rows: 1M}
  Reading:
    fields: {sensor: ref(Sensor), value: float, note: {type: string(200), nullable: true}}
    growth: 800M/day
use_cases:
  - {name: register sensor, actor: operator, writes: [Sensor], rate: 1k/day}
  - {name: record reading, actor: device, writes: [Reading], rate: 800M/day}
  - {name: retract reading, actor: operator, kind: delete, writes: [Reading], rate: 2M/day}
  - {name: annotate reading, actor: operator, writes: [Reading.note], rate: 1M/day}
  - {name: sensor readings, actor: operator, reads: [Reading], filter: [sensor], sort: [-created_at], consistency: eventual, rate: 20M/day}
"""

#: Comments appended per article; the author both edits and deletes their own.
COMMENTS = """
system: comments
entities:
  Reader: {fields: {nick: string(30)}, rows: 50M}
  Article: {fields: {headline: string(200)}, rows: 5M, growth: 20k/day}
  Comment:
    fields: {article: ref(Article), reader: ref(Reader), text: {type: text, avg_bytes: 300}}
    growth: 200M/day
use_cases:
  - {name: publish article, actor: editor, writes: [Article], rate: 20k/day}
  - {name: post comment, actor: reader, writes: [Comment], rate: 200M/day}
  - {name: edit comment, actor: reader, writes: [Comment.text], owner_only: true, rate: 4M/day}
  - {name: remove comment, actor: reader, kind: delete, writes: [Comment], owner_only: true, rate: 1M/day}
  - {name: article comments, actor: reader, reads: [Comment], filter: [article], sort: [-created_at], consistency: eventual, rate: 100M/day}
"""


@functools.cache
def _designed(text: str) -> Architecture:
    return design_of(text)


def _operation(arch: Architecture, use_case: str) -> Operation:
    return next(op for api in arch.apis for op in api.operations if use_case in op.use_cases)


CASES = [
    pytest.param(GUESTBOOK, "entries", ["reword entry"], id="guestbook-update"),
    pytest.param(READINGS, "readings", ["retract reading", "annotate reading"], id="readings-delete-and-update"),
    pytest.param(COMMENTS, "comments", ["edit comment", "remove comment"], id="comments-update-and-delete"),
]


@pytest.mark.parametrize(("text", "table", "changes"), CASES)
def test_a_guarded_change_is_a_lightweight_transaction_everywhere_ok(text: str, table: str, changes: list[str]) -> None:
    """Each change taking If-Match on a wide-column table is drawn, timed and counted as a lightweight transaction."""
    arch = _designed(text)
    held = [t for s in arch.datastores for t in s.tables if t.name == table]
    assert held, table
    assert held[0].wide_column is not None, f"{table} is not in a wide-column store"
    writes = next(f for f in arch.figures if f.key == f"wide_column.writes.{table}")
    guarded = 0.0
    for name in changes:
        assert version_guarded(_operation(arch, name)), name
        flow = next(f for f in arch.flows if f.use_case == name)
        # the sequence: the store's step compares the version as it writes
        said = [s.text for s in store_steps(arch, flow) if s.phase == "write"]
        assert any("IF version = ?" in t and "lightweight transaction" in t for t in said), said
        # the latency: a lightweight transaction, never a plain quorum write
        parts = [p.part for p in flow.latency_parts]
        assert any("IF version = ?" in p for p in parts), parts
        assert not any("write (a quorum of copies)" in p for p in parts), parts
        peak = next(f.value for f in arch.figures if f.key.startswith("qps.peak.") and f.key.endswith(name.replace(" ", "-")))
        guarded += peak
    assert guarded > 0
    # the store's writes: each guarded change counted lwt_operations times, none of them among the plain changes
    assert writes.inputs["guarded_changes"] == pytest.approx(guarded)
    assert writes.value == pytest.approx(
        writes.inputs["new_rows"] + writes.inputs["changes"] + (writes.inputs["keyed_inserts"] + writes.inputs["guarded_changes"]) * LWT_OPERATIONS
    )


def test_an_unversioned_write_stays_a_plain_quorum_write_ok() -> None:
    """A create names no version: its row is written at LOCAL_QUORUM, with no version comparison drawn."""
    arch = _designed(READINGS)
    flow = next(f for f in arch.flows if f.use_case == "record reading")
    assert not version_guarded(_operation(arch, "record reading"))
    assert not any("IF version" in s.text for s in store_steps(arch, flow))
    assert any("write (a quorum of copies)" in p.part for p in flow.latency_parts)
