"""A sequence diagram draws what the request really does, in order: the Idempotency-Key looked up first, the checks, the write of
the use case's rows in its own store (with the outbox row in the same transaction, or the CDC log where a wide-column store holds
them), the response after the commit, the events after it; a read's query of its own store, a cache-aside read's miss path."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Architecture, Flow
from backend_architect.ir.store_steps import operation_of
from backend_architect.render.sequence import render_sequence
from backend_architect.spec.load import load_spec_bytes

JS = Path(__file__).resolve().parent.parent / "js"

#: A vet clinic: owners book visits for their pets; the reminder service is told of each booking.
CLINIC = """\
system: vet-clinic
external:
  twilio: {kind: sms, latency_ms: 200}
entities:
  Owner: {fields: {name: string(120), phone: string(20)}, rows: 200k}
  Pet: {fields: {owner: ref(Owner), name: string(60), species: enum[dog,cat,other]}, rows: 300k, growth: 100/day}
  Visit: {fields: {pet: ref(Pet), starts_at: datetime, reason: text}, rows: 1M, growth: 2k/day}
use_cases:
  - {name: book visit, actor: owner, kind: create, writes: [Visit], notify: [twilio], rate: 2k/day}
  - {name: reschedule visit, actor: owner, kind: update, writes: [Visit], notify: [twilio], rate: 300/day}
  - {name: list visits of pet, actor: owner, kind: list, reads: [Visit], filter: [pet], sort: [-starts_at], rate: 20k/day}
"""

#: A library: members borrow copies of books; loans live beside the catalogue's books, read by the catalogue's counts.
LIBRARY = """\
system: library
entities:
  Member: {fields: {email: email, name: string(100)}, rows: 50k}
  Book: {fields: {title: string(200), isbn: {type: string(13), unique: true}}, rows: 400k}
  Loan: {fields: {member: ref(Member), book: ref(Book), due_at: datetime}, rows: 2M, growth: 3k/day}
use_cases:
  - {name: borrow book, actor: member, kind: create, writes: [Loan], reads: [Book], rate: 3k/day}
  - {name: return book, actor: member, kind: update, writes: [Loan], rate: 3k/day}
  - {name: list my loans, actor: member, kind: list, reads: [Loan], filter: [member], rate: 50k/day}
  - {name: add book, actor: librarian, kind: create, writes: [Book], rate: 50/day}
"""

#: Sensor readings of a fleet: appended per sensor at a rate PostgreSQL cannot hold on one primary, paged by sensor, fanned out.
SENSORS = """\
system: sensor-fleet
scale: {retention_years: 5}
entities:
  Sensor: {fields: {label: string(80)}, rows: 5M, growth: 2M/day}
  Sample:
    fields:
      sensor: ref(Sensor)
      source: string(40)
      payload: {type: text, avg_bytes: 150}
use_cases:
  - {name: record sample, actor: sensor, kind: create, writes: [Sample], notify: [watchers], rate: 300M/day}
  - {name: replay sensor, actor: operator, kind: list, reads: [Sample], filter: [sensor], sort: [-created_at], consistency: eventual, rate: 50M/day}
  - {name: get sample, actor: operator, kind: get, reads: [Sample], rate: 1M/day}
"""

SPECS = [pytest.param(CLINIC, id="clinic"), pytest.param(LIBRARY, id="library"), pytest.param(SENSORS, id="sensors-wide-column")]


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))


def _writes(arch: Architecture) -> list[Flow]:
    """Flows of writes an operation serves."""
    return [f for f in arch.flows if (op := operation_of(arch, f)) is not None and op.kind in {"create", "update", "replace", "action", "delete"}]


def _at(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("spec", SPECS)
def test_write_draws_its_rows_in_order_ok(spec: str) -> None:
    """Every write draws its own store's write naming the rows it creates, after the key and the checks and before the response."""
    arch = _design(spec).architecture
    assert _writes(arch)
    for flow in _writes(arch):
        lines = render_sequence(arch, flow).splitlines()
        write = next(i for i, line in enumerate(lines) if _is_write(line))
        created = [t.name for s in arch.datastores for t in s.tables if flow.use_case in t.created_by]
        assert all(name in lines[write] for name in created), (flow.use_case, lines[write])
        response = _at(lines, ": response")
        assert write < response
        for i, line in enumerate(lines):
            if "Idempotency-Key" in line and "->>" in line and i != write:
                assert i < write  # the key is looked up before anything is written
            if ": check " in line:
                assert i < write
            if "-)outbox:" in line or "-)cdc:" in line:
                assert i > response  # the relay publishes after the commit


def _is_write(line: str) -> bool:
    return any(f": {verb} " in line or f"one transaction: {verb} " in line for verb in ("insert", "update", "delete", "write"))


@pytest.mark.parametrize("spec", SPECS)
def test_keyed_write_looks_up_and_stores_its_key_ok(spec: str) -> None:
    """A write taking Idempotency-Key looks the key up first and stores it with the row (in the transaction, or in the wide-column
    store by a conditional insert where no transaction spans it and PostgreSQL)."""
    arch = _design(spec).architecture
    keyed = [f for f in _writes(arch) if (op := operation_of(arch, f)) is not None and op.idempotency_key]
    assert keyed
    for flow in keyed:
        lines = render_sequence(arch, flow).splitlines()
        request = _at(lines, f": {flow.use_case}")
        assert "Idempotency-Key" in lines[request + 1], lines[request + 1]
        write = next(i for i, line in enumerate(lines) if _is_write(line))
        assert "Idempotency-Key" in lines[write]


@pytest.mark.parametrize("spec", SPECS)
def test_events_say_how_they_leave_the_write_ok(spec: str) -> None:
    """A write publishing through the outbox commits the outbox row in the same transaction; one a wide-column store holds says its
    events leave from the CDC log, with no outbox row."""
    arch = _design(spec).architecture
    published = [f for f in _writes(arch) if any(s.kind == "event" and s.source == f.steps[0].target and s.via in {"outbox", "cdc"} for s in f.steps)]
    assert published
    for flow in published:
        lines = render_sequence(arch, flow).splitlines()
        write = lines[next(i for i, line in enumerate(lines) if _is_write(line))]
        if any(s.via == "cdc" for s in flow.steps):
            assert "no outbox row" in write
            assert "CDC log" in write
        else:
            assert "one transaction:" in write
            assert "the outbox row" in write
            assert "outbox_events" in write


@pytest.mark.parametrize("spec", SPECS)
def test_own_store_is_named_with_its_technology_ok(spec: str) -> None:
    """The service's own store is a participant named with its technology, and it never becomes a dependency on another service."""
    arch = _design(spec).architecture
    services = {s.name for s in arch.services}
    for flow in arch.flows:
        text = render_sequence(arch, flow)
        assert "(PostgreSQL)" in text or "(ScyllaDB)" in text or "(Apache Cassandra)" in text or "redis" in text, text
    assert all(set(s.depends_on) <= services for s in arch.services)


def test_read_queries_its_own_store_by_its_index_ok() -> None:
    """A read no mechanism serves queries its own table by the index the index stage made for it."""
    arch = _design(CLINIC).architecture
    flow = next(f for f in arch.flows if f.use_case == "list visits of pet")
    text = render_sequence(arch, flow)
    assert "SELECT a page of visits.visits by index ix_visits_pet_id_starts_at_id (pet_id, starts_at, id)" in text, text


def test_cache_aside_read_draws_its_miss_path_ok() -> None:
    """A cache-aside read asks the cache first; on a miss the store answers (here the wide-column page) and the cache is filled."""
    arch = _design(SENSORS).architecture
    assert any(c.use_case == "replay sensor" and c.strategy == "cache-aside" for c in arch.caches)
    lines = render_sequence(arch, next(f for f in arch.flows if f.use_case == "replay sensor")).splitlines()
    hit, miss, end = _at(lines, "alt cache hit"), _at(lines, "else cache miss"), _at(lines, "    end")
    query = _at(lines, "CQL on samples")
    fill = _at(lines, ": SET ")
    assert _at(lines, ": GET ") < hit < miss < query < fill < end < _at(lines, ": response")


def test_read_without_cache_draws_no_alt_err() -> None:
    """A read with no cache-aside plan draws no cache branch: the query is drawn once, unconditionally."""
    arch = _design(CLINIC).architecture
    text = render_sequence(arch, next(f for f in arch.flows if f.use_case == "list visits of pet"))
    assert "alt " not in text
    assert "GET " not in text
    assert "SELECT " in text


@pytest.mark.parametrize("spec", SPECS)
def test_sequences_parse_ok(spec: str, tmp_path: Path) -> None:
    """Every flow's sequence, with its own-store steps and cache branches, parses with Mermaid's parser."""
    if shutil.which("node") is None or not (JS / "node_modules" / "mermaid").is_dir():
        pytest.fail("Mermaid's parser is not installed: run the README's test command (it runs npm ci in tests/js)")
    arch = _design(spec).architecture
    paths = []
    for i, flow in enumerate(arch.flows):
        path = tmp_path / f"{i}.mmd"
        path.write_text(render_sequence(arch, flow))
        paths.append(str(path))
    completed = subprocess.run(["node", str(JS / "parse_mermaid.mjs"), *paths], capture_output=True, text=True, timeout=120)
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(results) == len(paths), completed.stderr
    assert all(r["ok"] for r in results), [r for r in results if not r["ok"]]
