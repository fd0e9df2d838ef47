"""Build small specs inline for stage tests."""

from __future__ import annotations

import textwrap

from backend_architect.design.pipeline import design
from backend_architect.ir.model import Architecture, Table
from backend_architect.ir.query import all_tables
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import Spec


def spec_of(text: str) -> Spec:
    return load_spec_bytes(textwrap.dedent(text).encode(), "test.yaml").spec


def design_of(text: str) -> Architecture:
    return design(spec_of(text))


def table(arch: Architecture, name: str) -> Table:
    found = next((t for _, t in all_tables(arch) if t.name == name), None)
    assert found is not None, f"no table {name}: {[t.name for _, t in all_tables(arch)]}"
    return found


def index_columns(t: Table) -> list[list[str]]:
    return [[c.name + (" desc" if c.descending else "") for c in i.columns] for i in t.indexes]
