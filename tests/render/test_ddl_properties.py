"""Property test: any spec is refused with located errors, or its design holds together and every DDL file and migration applies.

Specs come from tests/generated_specs.py: hostile names and text, odd defaults, every
relation shape, use cases of every kind, and scale that triggers sharding, partitioning,
caches and the pattern library. Each design's self-review (the DES critic and every other
rule the design runs over itself) must find nothing above info; each design goes to SQLite
and to the tests' PostgreSQL: DDL, initial migrations up/down/up, and the expand and
contract migrations towards a mutated spec, which must reach exactly the new DDL's schema; then a
row per table and the catalog checks of tests/ddl_checks.py.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backend_architect.api import DesignResult, design_spec
from backend_architect.errors import InputError
from backend_architect.render.files import Previous
from backend_architect.rules.model import Severity
from backend_architect.spec.load import load_spec_bytes
from ddl_checks import (
    apply_postgres,
    apply_sqlite,
    design_names,
    migration_sections,
    postgres_catalog,
    postgres_misreadings,
    postgres_names,
    postgres_rows_insert,
)
from generated_specs import DEFAULTS, fields, join_fits, specs

#: 30 in the suite (about 15 s); a longer soak: BA_SOAK_EXAMPLES=500 pytest tests/render/test_ddl_properties.py
SOAK_EXAMPLES = int(os.environ.get("BA_SOAK_EXAMPLES", "30"))


@st.composite
def evolutions(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A spec and the next version of it: fields added, dropped, widened or made required, defaults changed, an entity added."""
    old = draw(specs())
    new = yaml.safe_load(yaml.safe_dump(old, allow_unicode=True))
    for entity in new["entities"].values():
        used = {c for u in new["use_cases"] for c in [*u.get("filter", []), *u.get("sort", []), *u.get("search", []), *u.get("writes", [])]}
        used |= {p for key in entity.get("unique", []) for p in key}
        change = draw(st.sampled_from(["add", "drop", "widen", "require", "default", "keep"]))
        plain = [f for f, v in entity["fields"].items() if isinstance(v, dict) and v["type"].rstrip("?") in DEFAULTS and not any(f in u for u in used)]
        if change == "add":
            field_name, field = draw(fields(True))
            entity["fields"].setdefault(field_name, field)
        elif change == "drop" and len(plain) > 1:
            del entity["fields"][plain[0]]
        elif change == "widen":
            for value in entity["fields"].values():
                if isinstance(value, dict) and value["type"].startswith("string(12)"):
                    value["type"] = value["type"].replace("string(12)", "string(40)")
        elif change == "require" and plain:
            entity["fields"][plain[0]]["type"] = entity["fields"][plain[0]]["type"].rstrip("?")
        elif change == "default" and plain:
            kind = entity["fields"][plain[0]]["type"].rstrip("?")
            if DEFAULTS[kind]:
                entity["fields"][plain[0]]["default"] = draw(st.sampled_from(DEFAULTS[kind]))
    if draw(st.booleans()):
        partner = next(iter(new["entities"]))
        new["entities"]["Added"] = {"fields": dict([draw(fields(True))]), **({"many_to_many": [partner]} if join_fits("Added", partner) else {})}
        new["use_cases"].append({"name": "list added", "reads": ["Added"], "rate": "1/s"})
    return old, new


def _critic_clean(result: DesignResult) -> None:
    """The design's self-review (the DES critic and every other rule it runs) finds nothing above info."""
    # generated specs draw use cases per entity at random (an update without a create): rows nothing creates (DES010) are theirs;
    # so are 90k updates or deletes a second on one table: the sharding rule counts inserts, and the critic says such a primary
    # is past its ceiling (DES013, proven on its own in tests/design/test_bounds_hold.py)
    above = [f"{f.code} {f.where}: {f.message}" for f in result.findings if f.severity > Severity.INFO and f.code not in {"DES010", "DES013"}]
    assert above == [], above


def _load(raw: dict[str, Any], name: str) -> Any:
    """The loaded spec, or None when the checker refuses it, with every message located."""
    try:
        return load_spec_bytes(yaml.safe_dump(raw, allow_unicode=True).encode(), name).spec
    except InputError as exc:
        for line in str(exc).splitlines():
            assert re.match(rf"{re.escape(name)}:\d+:\d+: \S", line), line
        return None


@pytest.mark.postgres
@settings(max_examples=SOAK_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pair=evolutions())
def test_generated_specs_design_ddl_that_applies_ok(pair: tuple[dict[str, Any], dict[str, Any]], postgres: Any) -> None:
    """Refused with located errors, or: DDL and migrations apply to SQLite and PostgreSQL, keep their names, take a row per table."""
    old_raw, new_raw = pair
    spec = _load(old_raw, "generated.yaml")
    event("refused" if spec is None else "designed")
    if spec is None:
        return
    old = design_spec(spec)
    _critic_clean(old)
    apply_sqlite(old)
    stores = old.architecture.datastores
    database = "property"
    apply_postgres(postgres, database, [old.files[f"schema/{s.service}.postgresql.sql"] for s in stores])
    assert design_names(stores) <= postgres_names(postgres, database)
    postgres_rows_insert(postgres, database, stores)
    assert postgres_misreadings(postgres, database) == []
    initial = sorted(p for p in old.files if "/migrations/" in p)
    ups = [migration_sections(old.files[p])[0] for p in initial]
    apply_postgres(postgres, database, [*ups, *(migration_sections(old.files[p])[1] for p in reversed(initial)), *ups])

    next_spec = _load(new_raw, "next.yaml")
    event("next version refused" if next_spec is None else "next version migrated")
    if next_spec is None:
        return
    new = design_spec(next_spec, Previous(old.architecture, {p: t for p, t in old.files.items() if "/migrations/" in p}))
    _critic_clean(new)
    ordered = sorted((p for p in new.files if "/migrations/" in p), key=lambda p: (p.rsplit("/", 1)[1], p))
    contract = sorted(p for p in new.files if "/contract/" in p)
    apply_postgres(postgres, database, [migration_sections(new.files[p])[0] for p in [*ordered, *contract]])
    apply_postgres(postgres, "property_fresh", [new.files[f"schema/{s.service}.postgresql.sql"] for s in new.architecture.datastores])
    assert postgres_catalog(postgres, database) == postgres_catalog(postgres, "property_fresh"), "the migrations reach the new DDL's schema"
    assert design_names(new.architecture.datastores) <= postgres_names(postgres, database)
    postgres_rows_insert(postgres, database, new.architecture.datastores)
    assert postgres_misreadings(postgres, database) == []
