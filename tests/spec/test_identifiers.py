"""Names in SQL: what a spec's names become in the schema is checked against the dialects' limits, with located errors."""

from __future__ import annotations

import ctypes
import textwrap

import pytest

from backend_architect.errors import InputError
from backend_architect.spec.identifiers import MAX_IDENTIFIER_BYTES, bounded_name, needs_quotes, quote_name, reserved_words
from backend_architect.spec.load import load_spec_bytes


def entity_with_table(size: int) -> str:
    """An entity name whose table name is exactly ``size`` bytes (``Taaa`` -> ``taaas``)."""
    return "T" + "a" * (size - 2)


def field_of(size: int) -> str:
    return "f" + "a" * (size - 1)


def errors_of(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")
    return str(info.value).splitlines()


def loads(text: str) -> None:
    load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"system: x\nentities:\n  {entity_with_table(63)}: {{fields: {{name: string}}}}\n", id="table-of-63-bytes"),
        pytest.param(f"system: x\nentities:\n  A: {{fields: {{{field_of(63)}: int}}}}\n", id="column-of-63-bytes"),
        pytest.param(f"system: x\nentities:\n  A: {{fields: {{{field_of(60)}: ref(A)?}}}}\n", id="ref-column-of-63-bytes"),
        pytest.param(f"system: x\nentities:\n  A: {{fields: {{{field_of(54)}: money}}}}\n", id="money-columns-of-63-bytes"),
        pytest.param(
            "system: x\nentities:\n  A:\n    fields: {order: int, group: int, desc: text, end: int, user: string, current_user: string, row: int}\n",
            id="reserved-words-as-fields",
        ),
        pytest.param("system: x\nentities:\n  Order: {fields: {n: int}}\n  Group: {fields: {n: int}, many_to_many: [Order]}\n", id="reserved-word-tables"),
        pytest.param("system: x\nentities:\n  Pg: {fields: {n: int}}\n  Pgstat: {fields: {n: int}}\n", id="pg-without-underscore"),
        pytest.param(
            "system: x\nentities:\n  Post: {fields: {n: int}, many_to_many: [Tag, Post]}\n  Tag: {fields: {n: int}, many_to_many: [Post]}\n",
            id="join-tables-both-ways-and-self",
        ),
        pytest.param("system: x\nentities:\n  A: {fields: {n: int}}\nservices:\n  pgx: {owns: [A]}\n", id="service-starting-pg-letters"),
    ],
)
def test_names_within_the_limits_load_ok(text: str) -> None:
    """Names at the 63-byte limit, reserved words and lookalikes of system names are accepted."""
    loads(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            f"system: x\nentities:\n  {entity_with_table(64)}: {{fields: {{name: string}}}}\n",
            f"spec.yaml:3:3: entity '{entity_with_table(64)}': table '{entity_with_table(64).lower()}s' is 64 bytes; PostgreSQL keeps only the first 63",
            id="table-too-long",
        ),
        pytest.param(
            f"system: x\nentities:\n  A:\n    fields:\n      {field_of(64)}: int\n",
            f"spec.yaml:5:7: column '{field_of(64)}' is 64 bytes; PostgreSQL keeps only the first 63, so shorten it by 1",
            id="column-too-long",
        ),
        pytest.param(
            f"system: x\nentities:\n  A:\n    fields:\n      {field_of(61)}: ref(A)?\n",
            f"spec.yaml:5:7: column '{field_of(61)}_id' is 64 bytes",
            id="ref-column-too-long",
        ),
        pytest.param(
            f"system: x\nentities:\n  A:\n    fields:\n      {field_of(55)}: money\n",
            f"spec.yaml:5:7: column '{field_of(55)}_currency' is 64 bytes",
            id="money-column-too-long",
        ),
        pytest.param(
            f"system: x\nentities:\n  {entity_with_table(62)}: {{fields: {{n: int}}}}\n  B:\n    part_of: {entity_with_table(62)}\n",
            f"spec.yaml:5:14: column '{entity_with_table(62).lower()}_id' is 64 bytes",
            id="parent-column-too-long",
        ),
        pytest.param(
            "system: x\nentities:\n  Doc:\n    fields:\n      title: string\n      version: int\n",
            "spec.yaml:6:7: 'version' is the column the design adds for optimistic concurrency",
            id="field-named-like-the-concurrency-column",
        ),
        pytest.param(
            "system: x\nentities:\n  After: {fields: {n: int}}\n  Add:\n    part_of: After\n    fields:\n      after: string\n",
            "spec.yaml:7:7: field 'after' has the name of the relation to After (part_of)",
            id="field-named-like-the-parent-relation",
        ),
        pytest.param(
            "system: x\nentities:\n  Order: {fields: {n: int}}\n  PkOrder: {fields: {n: int}}\n",
            "spec.yaml:4:3: entity 'PkOrder': table 'pk_orders' starts with pk_, which begins the names of the keys and indexes the design derives",
            id="table-named-like-a-primary-key",
        ),
        pytest.param(
            "system: x\nentities:\n  Ix:\n    fields: {n: int}\n    many_to_many: [Tag]\n  Tag: {fields: {n: int}}\n",
            "spec.yaml:5:20: join table 'ix_tags' starts with ix_",
            id="join-table-named-like-an-index",
        ),
        pytest.param(
            "system: x\nentities:\n  PgStat: {fields: {n: int}}\n",
            "spec.yaml:3:3: entity 'PgStat': table 'pg_stats' starts with pg_: PostgreSQL looks up unqualified pg_ names in its system catalog first",
            id="pg-table",
        ),
        pytest.param(
            "system: x\nentities:\n  SqliteSequence: {fields: {n: int}}\n",
            "spec.yaml:3:3: entity 'SqliteSequence': table 'sqlite_sequences' starts with sqlite_: SQLite reserves sqlite_ names",
            id="sqlite-table",
        ),
        pytest.param(
            "system: x\nentities:\n  Post:\n    fields: {n: int}\n    many_to_many: [Tag]\n  Tag: {fields: {n: int}}\n  PostTag: {fields: {n: int}}\n",
            "spec.yaml:5:20: the join table of Post and Tag would be 'post_tags', already the table of entity 'PostTag'",
            id="join-table-is-an-entity-table",
        ),
        pytest.param(
            "system: x\nentities:\n  Foo_Bar:\n    fields: {n: int}\n    many_to_many: [Baz]\n  Foo:\n    fields: {n: int}\n"
            "    many_to_many: [Bar_Baz]\n  Baz: {fields: {n: int}}\n  Bar_Baz: {fields: {n: int}}\n",
            "spec.yaml:8:20: the join table of Foo and Bar_Baz would be 'foo_bar_bazs', already the join table of Foo_Bar and Baz; list the pair once",
            id="two-join-tables-one-name",
        ),
        pytest.param(
            "system: x\nentities:\n  Post:\n    fields: {n: int}\n    many_to_many: [Tag, Tag]\n  Tag: {fields: {n: int}}\n",
            "spec.yaml:5:25: 'Tag' is listed twice in many_to_many: a pair is linked once",
            id="same-many-to-many-twice",
        ),
        pytest.param(
            f"system: x\nentities:\n  {'A' * 30}:\n    fields: {{n: int}}\n    many_to_many: [{'B' * 33}]\n  {'B' * 33}: {{fields: {{n: int}}}}\n",
            f"spec.yaml:5:20: join table '{'a' * 30}_{'b' * 33}s' is 65 bytes",
            id="join-table-too-long",
        ),
        pytest.param(
            f"system: x\nentities:\n  {'A' * 53}:\n    fields: {{n: int}}\n    many_to_many: [{'A' * 53}]\n",
            f"spec.yaml:5:20: join column 'related_{'a' * 53}_id' is 64 bytes",
            id="self-join-column-too-long",
        ),
        pytest.param(
            "system: x\nentities:\n  Pg:\n    fields: {n: int}\n    many_to_many: [Tag]\n  Tag: {fields: {n: int}}\n",
            "spec.yaml:5:20: join table 'pg_tags' starts with pg_",
            id="pg-join-table",
        ),
        pytest.param(
            "system: x\nentities:\n  A: {fields: {n: int}}\nservices:\n  pg-admin: {owns: [A]}\n",
            "spec.yaml:5:3: service 'pg-admin' would be schema 'pg_admin', and PostgreSQL reserves pg_ schema names for itself",
            id="pg-schema",
        ),
        pytest.param(
            "system: x\nentities:\n  A: {fields: {n: int}}\nservices:\n  public: {owns: [A]}\n",
            "spec.yaml:5:3: service 'public' would be schema 'public', the default schema",
            id="public-schema",
        ),
        pytest.param(
            "system: x\nentities:\n  A: {fields: {n: int}}\nservices:\n  information-schema: {owns: [A]}\n",
            "spec.yaml:5:3: service 'information-schema' would be schema 'information_schema', PostgreSQL's catalog views",
            id="information-schema",
        ),
        pytest.param(
            f"system: x\nentities:\n  A: {{fields: {{{'f' * 51}: blob}}}}\n",
            f"spec.yaml:3:16: column '{'f' * 51}_content_type' is 64 bytes",
            id="blob-meta-column-too-long",
        ),
        pytest.param(
            f"system: x\nentities:\n  A: {{fields: {{{'g' * 60}: geo}}}}\n",
            f"spec.yaml:3:16: column '{'g' * 60}_cell' is 65 bytes",
            id="geo-column-too-long",
        ),
        pytest.param(
            f"system: x\nentities:\n  A: {{fields: {{n: int}}}}\nservices:\n  {'s' * 64}: {{owns: [A]}}\n",
            f"spec.yaml:5:3: schema '{'s' * 64}' is 64 bytes",
            id="schema-too-long",
        ),
    ],
)
def test_names_sql_cannot_hold_err(text: str, expected: str) -> None:
    """Each name PostgreSQL or SQLite would truncate, refuse or misread gets one located message."""
    messages = errors_of(text)
    assert any(m.startswith(expected) for m in messages), messages


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("ck_" + "x" * 70, id="ascii"),
        pytest.param("ix_" + "é" * 40, id="two-byte-characters"),
        pytest.param("ix_" + "😀" * 20, id="four-byte-characters"),
        pytest.param("x" * 64, id="one-byte-over"),
    ],
)
def test_bounded_names_fit_and_stay_distinct_ok(name: str) -> None:
    """A made-up name past 63 bytes is cut on a character boundary, ends in a hash, and differs from its neighbours."""
    short = bounded_name(name)
    assert len(short.encode()) <= MAX_IDENTIFIER_BYTES
    assert short == bounded_name(name)
    assert bounded_name(name + "a") != short != bounded_name(name[:-1] + "b")


def test_short_names_are_kept_ok() -> None:
    """A name of 63 bytes or fewer is not touched."""
    assert bounded_name("x" * 63) == "x" * 63


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        pytest.param("title", "title", id="plain"),
        pytest.param("order", '"order"', id="reserved-in-both"),
        pytest.param("user", '"user"', id="postgresql-session-user"),
        pytest.param("current_user", '"current_user"', id="postgresql-current-user"),
        pytest.param("current_date", '"current_date"', id="sqlite-and-postgresql-current-date"),
        pytest.param("row", '"row"', id="postgresql-column-name-keyword"),
        pytest.param("plan", '"plan"', id="sqlite-keyword"),
        pytest.param("Title", '"Title"', id="upper-case"),
        pytest.param('a"b', '"a""b"', id="embedded-quote"),
    ],
)
def test_quote_name_quotes_what_either_dialect_reserves_ok(name: str, quoted: str) -> None:
    """A dialect-neutral name is quoted when PostgreSQL or SQLite would read it as a keyword."""
    assert quote_name(name) == quoted


def test_reserved_words_come_from_the_dialects_ok() -> None:
    """PostgreSQL's non-unreserved keywords and SQLite's keywords are in; PostgreSQL's unreserved ones are not."""
    assert {"user", "current_user", "row", "values", "time"} <= reserved_words("postgresql")
    assert "plan" not in reserved_words("postgresql")
    assert "plan" in reserved_words("sqlite")
    assert not needs_quotes("name")
    assert not needs_quotes("status")


def _sqlite_library_keywords() -> set[str] | None:
    """The keyword list of the SQLite library Python uses, from its C API, or None where it cannot be reached."""
    import _sqlite3

    try:
        library = ctypes.CDLL(_sqlite3.__file__)
        count = library.sqlite3_keyword_count()
    except (OSError, AttributeError):
        return None
    words = set()
    for i in range(count):
        text, size = ctypes.c_char_p(), ctypes.c_int()
        library.sqlite3_keyword_name(i, ctypes.byref(text), ctypes.byref(size))
        words.add((text.value or b"")[: size.value].decode().lower())
    return words


def test_sqlite_keywords_cover_the_library_in_use_ok() -> None:
    """Every keyword of the SQLite library in use is quoted in SQLite output (SQLAlchemy's list predates some)."""
    library = _sqlite_library_keywords()
    if library is None:
        pytest.skip("the SQLite library's keyword API is not reachable here")
    assert len(library) > 100
    assert library - reserved_words("sqlite") == set()
