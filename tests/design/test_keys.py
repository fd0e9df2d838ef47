"""Primary keys: UUIDv7 where ids leave the database, made by what the target PostgreSQL has; the decision says the same."""

from __future__ import annotations

import re

import pytest

from backend_architect.design.keys import postgres_version
from backend_architect.ir.model import Architecture
from backend_architect.spec.naming import snake
from design.helpers import design_of, spec_of, table

#: One entity exposed by a use case, one internal, one exposed but keyed by identity, one internal but keyed by uuid.
ENTITIES = """
entities:
  Customer:
    fields: {email: email}
  Audit:
    fields: {note: text}
  Tag:
    key: identity
    fields: {name: string(40)}
  Token:
    key: uuid
    fields: {value: string(40)}
use_cases:
  - {name: register customer, writes: [Customer], rate: 1/s}
  - {name: list tags, reads: [Tag], rate: 5/s}
"""


def _design(constraints: str = "", extra: str = "", team: int = 3) -> Architecture:
    return design_of(f"system: shop\nteam: {team}\n{constraints}{ENTITIES}{extra}")


def _keys(arch: Architecture) -> dict[str, tuple[str, str, str | None, bool]]:
    tables = (t for s in arch.datastores for t in s.tables if t.role is None)  # the outbox and idempotency keys have their own
    return {t.name: (t.key_strategy, t.columns[0].type, t.columns[0].default, t.columns[0].identity) for t in tables}


@pytest.mark.parametrize(
    ("constraints", "default", "version"),
    [
        pytest.param("", "uuid_generate_v7()", 16, id="not given: 16"),
        pytest.param("constraints: {postgres_version: 15}\n", "uuid_generate_v7()", 15, id="15"),
        pytest.param("constraints: {postgres_version: 17}\n", "uuid_generate_v7()", 17, id="17"),
        pytest.param("constraints: {postgres_version: 18}\n", "uuidv7()", 18, id="18"),
        pytest.param("constraints: {pg_version: 30}\n", "uuidv7()", 30, id="alias pg_version"),
        pytest.param("constraints: {postgres: 19}\n", "uuidv7()", 19, id="alias postgres"),
    ],
)
def test_uuid_keys_made_by_the_target_version_ok(constraints: str, default: str, version: int) -> None:
    """UUIDv7 keys default to the built-in uuidv7() from PostgreSQL 18, to the schema's uuid_generate_v7() before; identities stay identities."""
    arch = _design(constraints)
    assert _keys(arch) == {
        "customers": ("uuidv7", "uuid", default, False),
        "audits": ("identity", "bigint", None, True),
        "tags": ("identity", "bigint", None, True),
        "tokens": ("uuidv7", "uuid", default, False),
    }
    keys = next(d for d in arch.decisions if d.id == "keys")
    assert f"UUIDv7 for customers, tokens by DEFAULT {default}" in keys.choice
    assert f"PostgreSQL {version}" in keys.choice
    assert f"PostgreSQL {version}" in keys.context
    assert keys.inputs == {"postgres_version": version}
    database = next(d for d in arch.decisions if d.id == "database")
    assert database.choice.startswith(f"PostgreSQL {version}")
    assumed = [a for a in arch.assumptions if a.startswith("constraints.postgres_version")]
    assert assumed == ([] if constraints else ["constraints.postgres_version: not given; PostgreSQL 16 assumed"])


@pytest.mark.parametrize(
    ("extra", "team", "uuid_tables"),
    [
        pytest.param("", 3, {"customers", "tokens"}, id="exposed or asked"),
        pytest.param("tenant: Audit\n", 3, {"customers", "tokens", "audits"}, id="tenant"),
        pytest.param("", 40, {"customers", "tokens", "audits"}, id="services"),
    ],
)
def test_uuid_keys_where_ids_leave_the_database_ok(extra: str, team: int, uuid_tables: set[str]) -> None:
    """Ids in URLs, of the tenant or across services are UUIDv7; key: identity and key: uuid are the spec's word."""
    keys = _keys(_design(extra=extra, team=team))
    assert {name for name, (strategy, *_) in keys.items() if strategy == "uuidv7"} == uuid_tables
    assert keys["tags"][0] == "identity"


def test_reference_columns_take_the_key_type_ok() -> None:
    """A reference to a UUIDv7-keyed entity is a uuid column without a default; one to an identity is bigint."""
    arch = design_of(
        """
        system: shop
        entities:
          Customer: {fields: {email: email}}
          Tag: {key: identity, fields: {name: string(40)}}
          Order: {fields: {customer: ref(Customer), tag: ref(Tag)?}}
        use_cases:
          - {name: place order, writes: [Order], rate: 1/s}
          - {name: view customer, reads: [Customer], rate: 1/s}
        """
    )
    columns = {c.name: (c.type, c.default) for c in table(arch, "orders").columns}
    assert columns["customer_id"] == ("uuid", None)
    assert columns["tag_id"] == ("bigint", None)


@pytest.mark.parametrize("version", [14, 31, "latest"])
def test_postgres_version_out_of_range_err(version: object) -> None:
    """A version the generated DDL cannot target is refused, naming the key."""
    from backend_architect.errors import InputError

    with pytest.raises(InputError, match="postgres_version"):
        spec_of(f"system: s\nconstraints: {{postgres_version: {version}}}\nentities: {{A: {{fields: {{x: int}}}}}}\n")


def test_postgres_version_defaults_to_16_ok() -> None:
    """Without the constraint the design targets PostgreSQL 16, the version the database decision names."""
    assert postgres_version(spec_of("system: s\nentities: {A: {fields: {x: int}}}\n")) == 16


def test_stated_postgres_version_is_traced_ok() -> None:
    """A stated version is a used requirement: the key and database decisions read it."""
    arch = _design("constraints: {postgres_version: 17}\n")
    (requirement,) = [r for r in arch.requirements if r.input == "constraints.postgres_version"]
    assert requirement.status == "used"
    assert requirement.used_by == ["decision:keys", "decision:database"]


#: Shapes of references from exposed rows: a parent in the URL, a reference in the body, a chain, a part's aggregate.
REFERENCED = """
system: community
entities:
  Guild: {fields: {name: string(40)}}
  Room: {fields: {guild: ref(Guild), name: string(40)}}
  Post: {fields: {room: ref(Room), body: text}}
  Region: {fields: {name: string(40)}}
  Venue: {fields: {region: ref(Region)}}
  Ledger: {fields: {note: text}}
  LedgerLine: {part_of: Ledger, fields: {amount: int}}
  Job: {fields: {venue: ref(Venue)}}
  Badge: {key: identity, fields: {name: string(20)}}
  Award: {fields: {badge: ref(Badge), room: ref(Room)}}
use_cases:
  - {name: list room posts, kind: list, reads: [Post], filter: [room], rate: 5/s}
  - {name: add ledger line, kind: create, writes: [LedgerLine], rate: 1/s}
  - {name: give award, kind: create, writes: [Award], rate: 1/s}
"""


@pytest.mark.parametrize(
    ("table_name", "strategy"),
    [
        pytest.param("rooms", "uuidv7", id="parent in the URL"),
        pytest.param("guilds", "uuidv7", id="referenced by a referenced row"),
        pytest.param("ledgers", "uuidv7", id="the aggregate of an exposed part"),
        pytest.param("badges", "identity", id="key: identity is the author's word"),
        pytest.param("regions", "identity", id="referenced only by internal rows"),
        pytest.param("venues", "identity", id="internal"),
    ],
)
def test_ids_an_exposed_row_carries_are_uuid_ok(table_name: str, strategy: str) -> None:
    """A row requests read carries the ids of what it references (URLs, bodies): those are UUIDv7 too, never enumerable."""
    assert _keys(design_of(REFERENCED))[table_name][0] == strategy


def test_no_identity_id_in_a_url_ok() -> None:
    """No path parameter of any operation names the id of a bigint-keyed table the design chose (the keys ADR's rule)."""
    for text in (REFERENCED, ENTITIES.join(["system: shop\n", ""])):
        arch, spec = design_of(text), spec_of(text)
        identity = {t.entity for s in arch.datastores for t in s.tables if t.entity and t.key_strategy == "identity"}
        chosen = {e for e in identity if spec.entities[e].key != "identity"}
        params = {p for api in arch.apis for op in api.operations for p in re.findall(r"\{(\w+)\}", op.path)}
        assert params
        assert not {f"{snake(e)}_id" for e in chosen} & params
