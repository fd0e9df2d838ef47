"""A constraint or index redefined under its own name migrates: the old one goes, in the same step, before the new one.

A link that gains a field stops cascading deletes; a unique key over a field that becomes
optional (or soft-deleted rows) turns into a partial unique index of the same name, and back.
Each pair of specs: the old DDL, then the expand and contract migrations, reach exactly the
new DDL's schema on PostgreSQL.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from backend_architect.api import design_spec
from backend_architect.render.files import Previous
from backend_architect.spec.load import load_spec_bytes
from ddl_checks import apply_postgres, migration_sections, postgres_catalog

LINK = """
system: social
entities:
  User: {fields: {name: string(40)}}
  Follow: {fields: {follower: ref(User), followee: ref(User)%s}}
use_cases:
  - {name: follow, writes: [Follow], rate: 100/day}
"""
ACCOUNT = """
system: accounts
entities:
  Account:
    soft_delete: %s
    fields: {email: {type: email%s, unique: true}, name: string(40)}
use_cases:
  - {name: list accounts, reads: [Account], rate: 5/s}
"""
PAIRS = {
    "link gains a field: its foreign keys stop cascading": (LINK % "", LINK % ", note: text"),
    "field becomes optional: unique constraint to partial index": (ACCOUNT % ("false", ""), ACCOUNT % ("false", "?")),
    "field becomes required: partial index to unique constraint": (ACCOUNT % ("false", "?"), ACCOUNT % ("false", "")),
    "soft delete turned on": (ACCOUNT % ("false", ""), ACCOUNT % ("true", "")),
}


@pytest.mark.postgres
@pytest.mark.parametrize("pair", [pytest.param(p, id=n) for n, p in PAIRS.items()])
def test_redefinitions_migrate_to_the_new_schema_ok(pair: tuple[str, str], postgres: Any) -> None:
    """Old DDL + expand + contract migrations give exactly the new DDL's schema."""
    old = design_spec(load_spec_bytes(textwrap.dedent(pair[0]).encode(), "old.yaml").spec)
    migrations = {p: t for p, t in old.files.items() if "/migrations/" in p}
    new = design_spec(load_spec_bytes(textwrap.dedent(pair[1]).encode(), "new.yaml").spec, Previous(old.architecture, migrations))
    fresh = [t for p, t in sorted(new.files.items()) if p.endswith(".postgresql.sql")]
    apply_postgres(postgres, "redefined_fresh", fresh)
    steps = sorted((p for p in new.files if "/migrations/" in p), key=lambda p: (p.rsplit("/", 1)[1], p))
    steps += sorted(p for p in new.files if "/contract/" in p)
    assert len(steps) > len(migrations), "the change makes a migration"
    apply_postgres(postgres, "redefined_migrated", [migration_sections(new.files[p])[0] for p in steps])
    assert postgres_catalog(postgres, "redefined_migrated") == postgres_catalog(postgres, "redefined_fresh")
