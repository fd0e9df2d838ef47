"""SQL design rules over the IR, with helpers that cannot pass vacuously."""

from __future__ import annotations

import re

import pytest

from backend_architect.ir.model import Architecture, Column, Datastore, ForeignKey, Index, IndexColumn, Table
from backend_architect.rules.model import Rule
from backend_architect.rules.registry import RULES, review, rule_by_code
from backend_architect.rules.sql.missing_foreign_key_index import missing_foreign_key_index
from backend_architect.rules.sql.missing_primary_key import missing_primary_key
from backend_architect.rules.sql.redundant_index import redundant_index


def assert_findings(arch: Architecture, rule: Rule) -> str:
    """Fail unless ``rule`` finds something; return the findings as text for further checks."""
    findings = rule.check(arch)
    assert findings, f"{rule.code} found nothing"
    assert {f.code for f in findings} == {rule.code}
    return "\n".join(f"{f.where}: {f.code} {f.message}" for f in findings)


def assert_clean(arch: Architecture, rule: Rule) -> None:
    """Fail if ``rule`` finds anything."""
    findings = rule.check(arch)
    assert not findings, findings


def arch_of(*tables: Table) -> Architecture:
    return Architecture(system="t", datastores=[Datastore(name="db", tables=list(tables))])


ID = Column(name="id", type="bigint")
BOOK_ID = Column(name="book_id", type="bigint")
FK = ForeignKey(name="fk_reviews_book_id", columns=["book_id"], ref_table="books", ref_columns=["id"], relation="book")


def test_missing_primary_key_err() -> None:
    """A table without a primary key is an error naming the table."""
    text = assert_findings(arch_of(Table(name="events", columns=[ID], primary_key=[])), missing_primary_key)
    assert text == "db.events: SQL001 table 'events' has no primary key"


def test_missing_primary_key_ok() -> None:
    """A keyed table passes."""
    assert_clean(arch_of(Table(name="events", columns=[ID], primary_key=["id"])), missing_primary_key)


def test_missing_foreign_key_index_err() -> None:
    """A foreign key with no index leading with its columns is reported."""
    reviews = Table(name="reviews", columns=[ID, BOOK_ID], primary_key=["id"], foreign_keys=[FK])
    assert "fk_reviews_book_id (book_id) has no supporting index" in assert_findings(arch_of(reviews), missing_foreign_key_index)


@pytest.mark.parametrize(
    "index",
    [
        pytest.param(Index(name="ix", columns=[IndexColumn(name="book_id")]), id="exact"),
        pytest.param(Index(name="ix", columns=[IndexColumn(name="book_id"), IndexColumn(name="id")]), id="leading"),
    ],
)
def test_missing_foreign_key_index_ok(index: Index) -> None:
    """An index leading with the foreign key's columns supports it."""
    reviews = Table(name="reviews", columns=[ID, BOOK_ID], primary_key=["id"], foreign_keys=[FK], indexes=[index])
    assert_clean(arch_of(reviews), missing_foreign_key_index)


def test_partial_index_does_not_support_foreign_key_err() -> None:
    """A partial index does not cover every row, so it does not support the foreign key."""
    partial = Index(name="ix", columns=[IndexColumn(name="book_id")], where="deleted_at IS NULL")
    reviews = Table(name="reviews", columns=[ID, BOOK_ID], primary_key=["id"], foreign_keys=[FK], indexes=[partial])
    assert_findings(arch_of(reviews), missing_foreign_key_index)


def test_rule_catalogue_is_well_formed_ok() -> None:
    """Codes are unique, family-prefixed, names kebab-case, and every doc has the required headings."""
    assert len({r.code for r in RULES}) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"(API|SQL|TOP|CAP|SUP|DES)\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        for heading in ("## What it does", "## Why is this bad?", "## Example", "Use instead:"):
            assert heading in rule.doc, (rule.code, heading)
        assert rule_by_code(rule.code) is rule
        assert rule_by_code(rule.name) is rule


def test_generated_designs_review_clean_ok(example: object) -> None:
    """A generated design carries no finding above info from its own reviewer."""
    assert [f for f in review(example.architecture) if f.severity > 1] == []  # type: ignore[attr-defined]


def _orders(*indexes: Index) -> Architecture:
    columns = [ID, Column(name="customer_id", type="bigint"), Column(name="created_at", type="timestamptz")]
    return arch_of(Table(name="orders", columns=columns, primary_key=["id"], indexes=list(indexes)))


def _ix(name: str, *columns: str, where: str | None = None, unique: bool = False) -> Index:
    return Index(name=name, columns=[IndexColumn(name=c.removeprefix("-"), descending=c.startswith("-")) for c in columns], where=where, unique=unique)


def test_prefix_index_is_redundant_err() -> None:
    """An index that leads another is reported, naming the wider one."""
    text = assert_findings(_orders(_ix("ix_a", "customer_id"), _ix("ix_b", "customer_id", "created_at")), redundant_index)
    assert text == "db.orders: SQL004 index ix_a is covered by ix_b"


def test_duplicate_index_reported_once_err() -> None:
    """Of two identical indexes, one is reported."""
    text = assert_findings(_orders(_ix("ix_a", "customer_id"), _ix("ix_b", "customer_id")), redundant_index)
    assert text == "db.orders: SQL004 index ix_b is covered by ix_a"


@pytest.mark.parametrize(
    "indexes",
    [
        pytest.param((_ix("ix_a", "created_at"), _ix("ix_b", "customer_id", "created_at")), id="not-leading"),
        pytest.param((_ix("ix_a", "customer_id", where="deleted_at IS NULL"), _ix("ix_b", "customer_id", "created_at")), id="different-predicate"),
        pytest.param((_ix("ix_a", "customer_id", unique=True), _ix("ix_b", "customer_id", "created_at")), id="unique-enforces"),
        pytest.param((_ix("ix_a", "customer_id", "-created_at"), _ix("ix_b", "customer_id", "created_at", "id")), id="mixed-direction"),
    ],
)
def test_distinct_indexes_ok(indexes: tuple[Index, ...]) -> None:
    """Indexes that serve different queries or enforce uniqueness are not redundant."""
    assert_clean(_orders(*indexes), redundant_index)
