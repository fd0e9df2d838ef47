"""DES008: the DDL's keys are what the "Primary keys" decision says, over a table of specs and of contradictions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backend_architect.ir.model import Architecture, Column, Datastore, Decision, Partitioning, Table
from backend_architect.rules.design.keys_agree import key_contradicts_decision
from design.helpers import design_of
from rules.test_sql_rules import assert_clean, assert_findings

SPECS = {
    "default version": """
        system: shop
        entities:
          Customer: {fields: {email: email}}
          Audit: {fields: {note: text}}
          Order: {fields: {customer: ref(Customer), total: money}, many_to_many: [Audit]}
        use_cases:
          - {name: place order, writes: [Order], rate: 5/s}
        """,
    "postgres 18": """
        system: shop
        constraints: {postgres_version: 18}
        entities:
          Customer: {fields: {email: email}}
          Order: {fields: {customer: ref(Customer)}}
        use_cases:
          - {name: place order, writes: [Order], rate: 5/s}
        """,
    "keys asked": """
        system: shop
        entities:
          Tag: {key: identity, fields: {name: string(40)}}
          Token: {key: uuid, fields: {value: string(40)}}
        use_cases:
          - {name: list tags, reads: [Tag], rate: 5/s}
        """,
    "partitioned events": """
        system: telemetry
        entities:
          Device: {fields: {name: string(40)}}
          Reading: {append_only: true, growth: 50M/day, retention: 30d, fields: {device: ref(Device), value: decimal(12,4)}}
        use_cases:
          - {name: record reading, writes: [Reading], rate: 600/s}
          - {name: list readings, reads: [Reading], filter: [device], sort: [-created_at], rate: 50/s}
        """,
    "services and a short code": """
        system: links
        team: 30
        entities:
          User: {fields: {email: email}}
          Link: {key: short_code, fields: {owner: ref(User), target: url}}
        use_cases:
          - {name: shorten link, writes: [Link], rate: 50/s}
          - {name: resolve link, reads: [Link], rate: 5k/s}
        """,
}


def _decision(choice: str) -> Decision:
    return Decision(id="keys", title="Primary keys", area="data", choice=choice, context="c", rationale="r")


def _uuid(default: str | None) -> Column:
    return Column(name="id", type="uuid", default=default)


def _store(*tables: Table, choice: str) -> Architecture:
    return Architecture(system="t", decisions=[_decision(choice)], datastores=[Datastore(name="db", tables=list(tables))])


ORDERS = Table(name="orders", columns=[_uuid("uuid_generate_v7()")], primary_key=["id"], key_strategy="uuidv7")
AUDITS = Table(name="audits", columns=[Column(name="id", type="bigint", identity=True)], primary_key=["id"], key_strategy="identity")


@pytest.mark.parametrize("text", SPECS.values(), ids=SPECS.keys())
def test_designed_keys_agree_with_their_decision_ok(text: str) -> None:
    """Every spec of the table designs keys that are what its decision says."""
    arch = design_of(text)
    assert any(d.id == "keys" for d in arch.decisions)
    assert_clean(arch, key_contradicts_decision)


def _set_default(default: str | None) -> Callable[[Architecture], Architecture]:
    """The designed uuid keys given another default (what a renderer or a later stage might have done)."""

    def change(arch: Architecture) -> Architecture:
        stores = []
        for store in arch.datastores:
            tables = [
                t.model_copy(update={"columns": [c.model_copy(update={"default": default}) if c.name == "id" and c.type == "uuid" else c for c in t.columns]})
                for t in store.tables
            ]
            stores.append(store.model_copy(update={"tables": tables}))
        return arch.model_copy(update={"datastores": stores})

    return change


def _rename_choice(old: str, new: str) -> Callable[[Architecture], Architecture]:
    def change(arch: Architecture) -> Architecture:
        decisions = [d.model_copy(update={"choice": d.choice.replace(old, new)}) if d.id == "keys" else d for d in arch.decisions]
        return arch.model_copy(update={"decisions": decisions})

    return change


@pytest.mark.parametrize(
    ("spec", "change", "message"),
    [
        pytest.param("default version", _set_default("gen_random_uuid()"), "orders.id is uuid DEFAULT gen_random_uuid() (a random UUIDv4)", id="v4 default"),
        pytest.param(
            "postgres 18",
            _set_default("uuid_generate_v7()"),
            "says UUIDv7 by DEFAULT uuidv7(), but orders.id is uuid DEFAULT uuid_generate_v7()",
            id="18 decision, fallback DDL",
        ),
        pytest.param(
            "default version", _set_default("uuidv7()"), "by DEFAULT uuid_generate_v7(), but orders.id is uuid DEFAULT uuidv7()", id="16 decision, built-in DDL"
        ),
        pytest.param("default version", _set_default(None), "orders.id has no default", id="no default"),
        pytest.param(
            "keys asked",
            _rename_choice("bigint identity for tags", "bigint identity for tags, labels"),
            "names labels, which no datastore holds",
            id="stale table",
        ),
        pytest.param(
            "keys asked",
            _rename_choice("UUIDv7 for tokens", "UUIDv7 for tokens, tags"),
            "says UUIDv7 by DEFAULT uuid_generate_v7(), but tags.id is bigint identity",
            id="identity called UUIDv7",
        ),
        pytest.param(
            "partitioned events", _set_default("uuid_generate_v4()"), "readings.id is uuid DEFAULT uuid_generate_v4() (a random UUIDv4)", id="partitioned v4"
        ),
    ],
)
def test_designed_keys_changed_against_their_decision_err(spec: str, change: Callable[[Architecture], Architecture], message: str) -> None:
    """A designed architecture whose keys or decision were changed apart is an error naming both sides."""
    assert message in assert_findings(change(design_of(SPECS[spec])), key_contradicts_decision)


@pytest.mark.parametrize(
    ("arch", "message"),
    [
        pytest.param(
            _store(AUDITS.model_copy(update={"columns": [Column(name="id", type="bigint")]}), choice="bigint identity for audits"),
            "says a bigint identity, but audits.id is bigint",
            id="identity without identity",
        ),
        pytest.param(
            _store(ORDERS.model_copy(update={"columns": [Column(name="id", type="bigint", identity=True)]}), choice="UUIDv7 for orders by DEFAULT uuidv7()"),
            "orders.id is bigint identity",
            id="UUIDv7 called identity",
        ),
        pytest.param(
            _store(
                Table(name="links", columns=[_uuid("gen_random_uuid()"), Column(name="b", type="uuid")], primary_key=["id", "b"], key_strategy="composite"),
                choice="composite keys for join tables links",
            ),
            "its key column id is generated",
            id="composite generated",
        ),
        pytest.param(
            _store(
                ORDERS,
                Table(name="media", columns=[_uuid("gen_random_uuid()")], primary_key=["id"], key_strategy="uuidv7"),
                choice="UUIDv7 for orders by DEFAULT uuid_generate_v7()",
            ),
            "its key strategy is uuidv7, and 'Primary keys' makes those UUIDv7 by DEFAULT uuid_generate_v7(), but media.id is uuid DEFAULT gen_random_uuid()",
            id="table a later stage added",
        ),
        pytest.param(
            _store(ORDERS.model_copy(update={"columns": [_uuid("public.gen_random_uuid()")]}), choice="UUIDv7 for orders"),
            "(a random UUIDv4)",
            id="qualified v4",
        ),
    ],
)
def test_keys_against_their_decision_err(arch: Architecture, message: str) -> None:
    """Keys of another kind or made by another function than the decision says are errors."""
    assert message in assert_findings(arch, key_contradicts_decision)


@pytest.mark.parametrize(
    "arch",
    [
        pytest.param(_store(ORDERS, AUDITS, choice="UUIDv7 for orders by DEFAULT uuid_generate_v7(); bigint identity for audits"), id="as said"),
        pytest.param(_store(ORDERS.model_copy(update={"columns": [_uuid(None)]}), choice="UUIDv7 for orders"), id="application-made, no function named"),
        pytest.param(
            _store(ORDERS.model_copy(update={"columns": [_uuid('"public".uuid_generate_v7()')]}), choice="UUIDv7 for orders by DEFAULT uuid_generate_v7()"),
            id="qualified",
        ),
        pytest.param(
            _store(
                Table(
                    name="readings",
                    columns=[_uuid("uuidv7()"), Column(name="created_at", type="timestamptz")],
                    primary_key=["id", "created_at"],
                    key_strategy="uuidv7",
                    partitioning=Partitioning(column="created_at", interval="day", reason="r"),
                ),
                choice="UUIDv7 for readings by DEFAULT uuidv7()",
            ),
            id="partition column in the key",
        ),
        pytest.param(
            Architecture(system="t", datastores=[Datastore(name="db", tables=[ORDERS.model_copy(update={"columns": [_uuid("gen_random_uuid()")]})])]),
            id="no key decision: reviewed SQL",
        ),
    ],
)
def test_keys_as_their_decision_says_ok(arch: Architecture) -> None:
    """Keys made as the decision says, or without a key decision to hold them to, are clean."""
    assert_clean(arch, key_contradicts_decision)
