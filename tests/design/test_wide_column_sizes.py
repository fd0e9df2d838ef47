"""A table a wide-column store holds is sized by that store's rows in every figure, and every total is the sum of its parts (issue 22, l1).

The wide-column store (PAT055) keeps a PostgreSQL table only as the scaffold's stand-in. Sized by the
stand-in (its tuple header, indexes, page fill) the table read 747 B a message in the bytes a day
beside 512 B a row in the store's own figure (discord: 89.6 GB a day on disk, 61.4 GB a copy in
ScyllaDB). Three specs of different shapes: a team chat's posts and a sensor fleet's readings held by
the store, and a small library with no wide-column table, whose sizes stay PostgreSQL's.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from backend_architect.api import design_spec
from backend_architect.design.patterns._common import horizon, size
from backend_architect.design.patterns._stores import per_row_bytes
from backend_architect.design.payload import DISK_PER_DAY
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.render.files import render_files
from backend_architect.render.numbers import human
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import Spec

#: A team chat: posts appended to a room, paged newest first by room.
CHAT = """\
system: team-chat
scale: {retention_years: 3}
entities:
  Workspace: {fields: {name: string(80)}, rows: 2M}
  Room: {fields: {workspace: ref(Workspace), title: string(80)}, rows: 10M, growth: 100k/day}
  Post:
    fields:
      room: ref(Room)
      body: {type: text, avg_bytes: 300}
use_cases:
  - {name: post message, actor: member, kind: create, writes: [Post], rate: 400M/day}
  - {name: read room, actor: member, kind: list, reads: [Post], filter: [room], sort: [-created_at], consistency: eventual, rate: 200M/day}
  - {name: create room, actor: member, kind: create, writes: [Room], rate: 100k/day}
"""

#: A sensor fleet: readings logged per device, paged by the time they were taken.
IOT = """\
system: fleet-sensors
scale: {retention_years: 2}
entities:
  Device: {fields: {serial: {type: string(40), unique: true}}, rows: 5M}
  Reading:
    fields:
      device: ref(Device)
      temperature: decimal(6,2)
      humidity: decimal(5,2)
      recorded_at: datetime
use_cases:
  - {name: ingest reading, actor: device, kind: create, writes: [Reading], rate: 2000M/day}
  - {name: device history, actor: operator, kind: list, reads: [Reading], filter: [device], sort: [-recorded_at], consistency: eventual, rate: 5M/day}
  - {name: register device, actor: operator, kind: create, writes: [Device], rate: 10k/day}
"""

#: A village library: a few thousand loans a day, all in PostgreSQL.
LIBRARY = """\
system: village-library
entities:
  Book: {fields: {title: string(200), author: string(120)}, rows: 50k}
  Loan:
    fields:
      book: ref(Book)
      borrower: string(80)
      due_on: date
use_cases:
  - {name: lend book, actor: librarian, kind: create, writes: [Loan], rate: 2k/day}
  - {name: loans of a book, actor: librarian, kind: list, reads: [Loan], filter: [book], sort: [-created_at], rate: 500/day}
  - {name: add book, actor: librarian, kind: create, writes: [Book], rate: 100/day}
"""

SPECS = [
    pytest.param(CHAT, ("posts",), id="chat-posts"),
    pytest.param(IOT, ("readings",), id="iot-readings"),
    pytest.param(LIBRARY, (), id="no-wide-column-table"),
]

_CACHE: dict[str, tuple[Spec, Architecture, dict[str, str]]] = {}


def _designed(text: str) -> tuple[Spec, Architecture, dict[str, str]]:
    if text not in _CACHE:
        loaded = load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")
        result = design_spec(loaded)
        _CACHE[text] = (loaded.spec, result.architecture, render_files(result.architecture, result.findings))
    return _CACHE[text]


def _tables(arch: Architecture) -> dict[str, Table]:
    return {t.name: t for s in arch.datastores for t in s.tables}


def _sizes_of(arch: Architecture, table: str) -> list[Figure]:
    """The figures sizing ``table`` itself: its bytes after N years and its bytes a day."""
    own = {f"{DISK_PER_DAY}.{table}"}
    return [f for f in arch.figures if f.key in own or (f.key.startswith("bytes.") and f.key.endswith(f".{table}") and f.key.count(".") == 2)]


@pytest.mark.parametrize(("text", "held"), SPECS)
def test_a_held_table_is_sized_by_its_store_ok(text: str, held: tuple[str, ...]) -> None:
    """Every size of a held table (after 1 year, at the horizon, a day) is its rows x the store's row bytes, one copy; the store's
    bytes with copies is the horizon's size x the replication factor; nothing is sized at the stand-in's row."""
    spec, arch, _ = _designed(text)
    tables = _tables(arch)
    assert {name for name, t in tables.items() if t.wide_column is not None} == set(held)
    known = {f.key: f for f in arch.figures}
    for name in held:
        layout = tables[name].wide_column
        assert layout is not None
        assert layout.row_bytes > 0
        sizes = _sizes_of(arch, name)
        assert len(sizes) == 3, [f.key for f in sizes]
        for found in sizes:
            assert found.inputs["row_bytes"] == layout.row_bytes, found.key
            assert not {"index_bytes_per_row", "page_fill"} & set(found.inputs), found.key
            rows = found.inputs.get("rows", found.inputs.get("rows_per_day"))
            assert found.value == pytest.approx(rows * layout.row_bytes), found.key
            assert f"in {layout.technology} (CQL rows, one of its {layout.replication_factor} copies)" in found.quantity
        at_horizon = known[f"bytes.{horizon(spec):g}y.{name}"].value
        assert known[f"wide_column.bytes.{name}"].value == pytest.approx(at_horizon * layout.replication_factor)


@pytest.mark.parametrize(("text", "held"), SPECS)
def test_the_stand_in_size_is_stated_nowhere_and_the_comparison_once_labelled_ok(text: str, held: tuple[str, ...]) -> None:
    """The stand-in's size of a held table appears in no file; the PostgreSQL size the decision weighed is one figure,
    ``wide_column.postgres_bytes``, and every line stating it says it is PostgreSQL's."""
    spec, arch, files = _designed(text)
    tables = _tables(arch)
    known = {f.key: f for f in arch.figures}
    documents = {path: body for path, body in files.items() if path.endswith((".md", ".json"))}
    for name in held:
        rows = known[f"rows.{horizon(spec):g}y.{name}"].value
        stand_in = rows * per_row_bytes(tables[name].model_copy(update={"wide_column": None}))
        for path, body in documents.items():
            assert human(stand_in, "bytes") not in body, path
        weighed = known[f"wide_column.postgres_bytes.{name}"]
        assert "as a PostgreSQL table" in weighed.quantity
        assert weighed.value != pytest.approx(known[f"bytes.{horizon(spec):g}y.{name}"].value)
        said = [line for line in files["design.md"].splitlines() if size(weighed.value) in line or human(weighed.value, "bytes") in line]
        assert said
        assert all("PostgreSQL" in line for line in said), said


@pytest.mark.parametrize(("text", "held"), SPECS)
def test_totals_are_the_sums_of_their_parts_ok(text: str, held: tuple[str, ...]) -> None:
    """The bytes a day of all tables is the sum of each table's figure (a held table's at the store's row), the summary states
    that sum, and each database's size sums its own tables' sizes with no held table among them."""
    _, arch, files = _designed(text)
    known = {f.key: f for f in arch.figures}
    parts = {str(f.scope): f.value for key, f in known.items() if key.startswith(DISK_PER_DAY + ".")}
    total = known[DISK_PER_DAY]
    assert total.inputs == pytest.approx(parts)
    assert total.value == pytest.approx(sum(parts.values()))
    assert all(name in total.inputs for name in held)
    summary = next(line for line in files["design.md"].splitlines() if "`storage.disk_bytes_per_day`" in line)
    assert human(total.value, "bytes") in summary
    for name in held:
        assert name in summary
        assert name in total.quantity
    stores = [f for key, f in known.items() if key.startswith("bytes.") and ".datastore." in key]
    assert stores
    for store in stores:
        assert store.value == pytest.approx(sum(store.inputs.values())), store.key
        label = store.key.split(".")[1]
        for name, value in store.inputs.items():
            assert name not in held, store.key
            assert value == pytest.approx(known[f"bytes.{label}.{name}"].value), (store.key, name)


@pytest.mark.parametrize(("text", "held"), SPECS)
def test_the_handoff_states_the_one_size_ok(text: str, held: tuple[str, ...]) -> None:
    """handoff.json gives a held table the bytes the figures state and its row bytes on the layout; its copies are that x the factor."""
    spec, arch, files = _designed(text)
    handoff = json.loads(files["handoff.json"])
    stated = {t["name"]: t for s in handoff["database"]["datastores"] for t in s["tables"]}
    known = {f.key: f.value for f in arch.figures}
    label = f"{horizon(spec):g}y"
    for name in held:
        entry = stated[name]
        assert entry["bytes"][label] == pytest.approx(known[f"bytes.{label}.{name}"])
        layout = entry["wide_column"]
        assert layout["bytes_with_copies"] == pytest.approx(entry["bytes"][label] * layout["replication_factor"])
        assert entry["bytes"][label] == pytest.approx(entry["rows"][label] * layout["row_bytes"])


def test_no_wide_column_table_keeps_postgresql_sizes_ok() -> None:
    """With no wide-column table every size is PostgreSQL's (rows with their header and indexes over the page fill), and no
    sentence speaks of CQL rows."""
    _, arch, files = _designed(LIBRARY)
    sizes = [f for name in _tables(arch) for f in _sizes_of(arch, name)]
    assert sizes
    assert all("page_fill" in f.inputs for f in sizes)
    assert "CQL rows" not in files["design.md"]
    assert not any(f.key.startswith("wide_column.") for f in arch.figures)
