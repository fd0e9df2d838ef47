"""A table whose layout changes between versions (partitioned or not, its key's columns) is rebuilt by the expand migration.

Each pair of specs: rows go into the old schema, then the expand and contract migrations
reach exactly the new DDL's schema with the rows kept and new rows taking fresh ids; the
expand migration's down section returns to the old schema.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Column
from backend_architect.render.files import Previous
from backend_architect.spec.load import load_spec_bytes
from ddl_checks import apply_postgres, insert_row, migration_sections, postgres_catalog, qualified, run_postgres, sample

EVENTS = """
system: telemetry
entities:
  Device: {{fields: {{name: string(40)}}}}
  Event:
    append_only: true
    growth: {growth}
    fields: {{device: ref(Device), value: int{extra}}}
{more}use_cases:
  - {{name: list devices, reads: [Device], rate: 1/s}}
"""
SMALL, LARGE = "1k/day", "50M/day"
PAIRS = {
    "becomes partitioned": (EVENTS.format(growth=SMALL, extra="", more=""), EVENTS.format(growth=LARGE, extra="", more="")),
    "stops being partitioned": (EVENTS.format(growth=LARGE, extra="", more=""), EVENTS.format(growth=SMALL, extra="", more="")),
    "partitioned, with a new table referencing it": (
        EVENTS.format(growth=LARGE, extra="", more=""),
        EVENTS.format(growth=SMALL, extra="", more="  Flag: {fields: {event: ref(Event), reason: text}}\n"),
    ),
    "partitioned, referencing a new table, a field dropped and one required": (
        EVENTS.format(growth=SMALL, extra=", note: text?", more=""),
        EVENTS.format(growth=LARGE, extra=", kind: ref(Kind)?, level: int", more="  Kind: {fields: {name: string(20)}}\n"),
    ),
}


def _design(text: str, previous: DesignResult | None = None) -> DesignResult:
    spec = load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec
    if previous is None:
        return design_spec(spec)
    return design_spec(spec, Previous(previous.architecture, {p: t for p, t in previous.files.items() if "/migrations/" in p}))


def _ddl(result: DesignResult) -> list[str]:
    return [t for p, t in sorted(result.files.items()) if p.endswith(".postgresql.sql")]


@pytest.mark.postgres
@pytest.mark.parametrize("pair", [pytest.param(p, id=n) for n, p in PAIRS.items()])
def test_rebuilt_table_reaches_the_new_layout_with_its_rows_ok(pair: tuple[str, str], postgres: Any) -> None:
    """Old DDL and rows, then expand and contract: the new DDL's schema, the rows kept, fresh ids for new rows; expand's down undoes it."""
    old = _design(pair[0])
    new = _design(pair[1], old)
    assert any("rebuild_table" in t for p, t in new.files.items() if "/migrations/0002_" in p)
    apply_postgres(postgres, "rebuild_fresh", _ddl(new))
    apply_postgres(postgres, "rebuild_old", _ddl(old))
    stores = old.architecture.datastores
    (store,) = [s for s in stores if any(t.name == "events" for t in s.tables)]
    events = next(t for t in store.tables if t.name == "events")
    device = f"INSERT INTO {qualified(store, 'devices', 'postgresql')} (id, name) VALUES ({sample(Column(name='id', type='uuid'), 'postgresql')}, 'x');"
    rows = device + "\n" + insert_row(store, events, "postgresql") * 2
    counts = f"SELECT count(*) FROM {qualified(store, 'events', 'postgresql')};"
    steps = sorted((p for p in new.files if "/migrations/0002_" in p), key=lambda p: (p.rsplit("/", 1)[1], p))
    contract = sorted(p for p in new.files if "/contract/" in p)
    expand_sql = [migration_sections(new.files[p])[0] for p in steps]
    migrated = [*_ddl(old), rows, *expand_sql]
    backfill = f"UPDATE {qualified(store, 'events', 'postgresql')} SET level = 0;" if "level" in pair[1] else ""  # the code's job, before contract
    apply_postgres(postgres, "rebuild_migrated", [*migrated, backfill, *(migration_sections(new.files[p])[0] for p in contract)])
    assert postgres_catalog(postgres, "rebuild_migrated") == postgres_catalog(postgres, "rebuild_fresh")
    assert run_postgres(postgres, "rebuild_migrated", counts).strip() == "2"
    (after,) = [t for s in new.architecture.datastores for t in s.tables if t.name == "events"]
    run_postgres(postgres, "rebuild_migrated", "SET session_replication_role = replica;\n" + insert_row(store, after, "postgresql"))  # fresh ids
    apply_postgres(postgres, "rebuild_rolled_back", [*migrated, *(migration_sections(new.files[p])[1] for p in reversed(steps))])
    assert postgres_catalog(postgres, "rebuild_rolled_back") == postgres_catalog(postgres, "rebuild_old")
