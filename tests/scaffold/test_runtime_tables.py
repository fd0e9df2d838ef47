"""The scaffold's outbox, processed events and idempotency keys are the design's: one definition, in ir/runtime_tables.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa

from backend_architect.ir.model import Datastore
from backend_architect.ir.runtime_tables import BUILDERS
from backend_architect.render.ddl import SchemaCompiler

STATIC = Path(__file__).resolve().parents[2] / "src" / "backend_architect" / "scaffold" / "static" / "python" / "core" / "runtime_tables.py"


def _static() -> object:
    spec = importlib.util.spec_from_file_location("scaffold_runtime_tables", STATIC)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("role", "function"), [("outbox", "outbox_table"), ("inbox", "deliveries_table"), ("idempotency", "idempotency_table")])
def test_runtime_queries_the_designed_columns_ok(role: str, function: str) -> None:
    """The runtime's SQLAlchemy table has the designed table's columns, key, types and nullability, compiled alike."""
    designed = BUILDERS[role]("t")  # type: ignore[index]
    compiled = SchemaCompiler(Datastore(name="d", tables=[designed]), "postgresql").sa_tables["t"]
    runtime: sa.Table = getattr(_static(), function)(sa.MetaData(), "t", None)
    dialect = sa.dialects.postgresql.dialect()  # type: ignore[attr-defined]
    assert [c.name for c in runtime.columns] == [c.name for c in compiled.columns]
    assert [c.name for c in runtime.primary_key] == [c.name for c in compiled.primary_key]
    for ours, theirs in zip(runtime.columns, compiled.columns, strict=True):
        assert ours.nullable == theirs.nullable, ours.name
        assert ours.type.compile(dialect) == theirs.type.compile(dialect), ours.name
