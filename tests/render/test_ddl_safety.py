"""Generated DDL always applies and means what it says: reserved words, long names, hostile text, odd defaults.

Each table of specs goes to the real consumers: SQLite in memory and the tests' throwaway
PostgreSQL server (tests/ddl_checks.py holds the checks).
"""

from __future__ import annotations

import sqlite3
import textwrap
from typing import Any

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.render.files import Previous
from backend_architect.spec.load import load_spec_bytes
from ddl_checks import (
    apply_postgres,
    apply_sqlite,
    design_names,
    migration_sections,
    postgres_misreadings,
    postgres_names,
    postgres_rows_insert,
    run_postgres,
)

KEYWORD_FIELDS = ["order", "group", "desc", "end", "user", "current_user", "session_user", "current_date", "row", "values", "time", "plan", "check",
                  "returning", "nothing", "window"]  # fmt: skip


def design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec)


def in_schema(result: DesignResult, sql: str) -> str:
    """``sql`` run with the (only) datastore's schema first on the search path."""
    (store,) = result.architecture.datastores
    return f'SET search_path TO "{store.schema_name}", public;\n{sql}' if store.schema_name else sql


def keyword_spec(kind: str) -> str:
    """An entity whose fields are all SQL keywords of type ``kind``, filtered, sorted and constant-filtered on."""
    fields = ", ".join(f"{name}: '{kind}'" for name in KEYWORD_FIELDS)
    constant = "a" if kind.startswith("enum") else "1" if kind == "int" else "x"
    return f"""
        system: keywords
        entities:
          Ticket:
            soft_delete: true
            fields: {{{fields}}}
            unique: [[order, group]]
        use_cases:
          - name: list tickets
            reads: [Ticket]
            filter: [user, "current_user={constant}", "order={constant}"]
            sort: [-end]
            rate: 50/s
          - name: update ticket
            writes: [Ticket.desc]
            rate: 1/s
        """


SHAPES = {
    "keywords-as-enums": keyword_spec("enum[a,b]"),
    "keywords-as-strings": keyword_spec("string(5)"),
    "keywords-as-ints": keyword_spec("int"),
    "keyword-tables": """
        system: tables
        entities:
          User: {fields: {name: string}, many_to_many: [Group, User]}
          Group: {fields: {user: ref(User), order: 'enum[x,y]'}}
          Order: {fields: {group: ref(Group)?, check: 'string(3)', values: text}}
          Value: {part_of: Order, fields: {row: int}}
        use_cases:
          - {name: list orders, reads: [Order], filter: [group, check=abc], rate: 5/s}
          - {name: search orders, reads: [Order], search: [values], rate: 5/s}
        """,
    "index-names-across-tables": """
        system: clash
        entities:
          A: {fields: {bs_c: ref(X), code: {type: int, unique: true}, bs_code: {type: int, unique: true}}}
          AsB: {fields: {c: ref(X), code: {type: int, unique: true}}}
          X: {fields: {n: int}}
        use_cases:
          - {name: list a, reads: [A], filter: [bs_c], rate: 5/s}
          - {name: list as b, reads: [AsB], filter: [c], rate: 5/s}
        services:
          core: {owns: [A, AsB, X]}
        """,
    "long-names": f"""
        system: long
        tenant: {"O" + "r" * 61}
        entities:
          {"O" + "r" * 61}: {{fields: {{name: string}}}}
          {"T" + "a" * 61}:
            tenant_scoped: true
            soft_delete: true
            append_only: true
            growth: 50M/day
            retention: 30d
            fields:
              {"f" + "a" * 62}: 'enum[a,b]'
              {"g" + "a" * 62}: string(10)
              {"h" + "a" * 59}: ref({"O" + "r" * 61})
            unique: [[{"f" + "a" * 62}, {"g" + "a" * 62}]]
          {"P" + "a" * 30}:
            many_to_many: [{"Q" + "a" * 29}]
            fields: {{{"v" + "a" * 62}: vector(3), {"w" + "a" * 62}: bool}}
          {"Q" + "a" * 29}: {{fields: {{n: int}}}}
        use_cases:
          - name: list rows
            reads: [{"T" + "a" * 61}]
            filter: [{"f" + "a" * 62}=a, {"g" + "a" * 62}]
            sort: [-{"h" + "a" * 59}]
            rate: 20/s
        """,
    "hostile-text": """
        system: text
        entities:
          Note:
            description: "it's a */ /* comment\\0 with NUL\\nCREATE TABLE injected (a int); -- \\\\ back\\u2028slash"
            fields:
              body: {type: text, description: "line\\r\\nCREATE TABLE injected (a int); --"}
              title: {type: string(20), default: "it's \\\\ */ -- été"}
        use_cases:
          - name: "list notes\\nCREATE TABLE injected (a int); --"
            reads: [Note]
            filter: ["title=it's \\\\ */"]
            rate: 5/s
        """,
    "odd-defaults": """
        system: defaults
        entities:
          Setting:
            fields:
              state: {type: 'enum[on,off]', default: 'off'}
              code: {type: string(3), default: été}
              price: {type: 'decimal(5,2)', default: -999.99}
              tiny: {type: 'decimal(5,2)', default: 0.01}
              total: {type: money, default: 1234.5}
              count: {type: int, default: -2147483648}
              huge: {type: bigint, default: 9223372036854775807}
              flag: {type: bool, default: false}
              day: {type: date, default: today}
              fixed_day: {type: date, default: '2024-02-29'}
              at: {type: datetime, default: now}
              fixed_at: {type: datetime, default: '2024-01-31T09:00:00+02:00'}
              token: {type: uuid, default: 0190d5a8-7b8e-7c1d-9f00-0123456789ab}
              doc: {type: json, default: '{"a": [1, "it''s"]}'}
              mail: {type: email, default: a@example.com}
        """,
}


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in SHAPES.items()])
def test_hostile_specs_apply_to_sqlite_ok(text: str) -> None:
    """SQLite runs every schema file and takes a row of valid values in every table."""
    apply_sqlite(design(text))


@pytest.mark.postgres
@pytest.mark.parametrize("name", list(SHAPES))
def test_hostile_specs_apply_to_postgresql_ok(name: str, postgres: Any) -> None:
    """PostgreSQL runs every schema file, keeps every name whole, takes a row per table, and reads no keyword as a column."""
    result = design(SHAPES[name])
    stores = result.architecture.datastores
    database = f"safety_{name.replace('-', '_')}"
    apply_postgres(postgres, database, [result.files[f"schema/{s.service}.postgresql.sql"] for s in stores])
    assert design_names(stores) <= postgres_names(postgres, database)
    postgres_rows_insert(postgres, database, stores)
    assert postgres_misreadings(postgres, database) == []


@pytest.mark.postgres
@pytest.mark.parametrize("name", list(SHAPES))
def test_hostile_initial_migrations_up_down_up_ok(name: str, postgres: Any) -> None:
    """Every initial migration applies, rolls back to nothing, and applies again."""
    result = design(SHAPES[name])
    migrations = sorted(p for p in result.files if "/migrations/" in p)
    ups = [migration_sections(result.files[p])[0] for p in migrations]
    downs = [migration_sections(result.files[p])[1] for p in reversed(migrations)]
    apply_postgres(postgres, f"safety_migrate_{name.replace('-', '_')}", [*ups, *downs, *ups])


def test_keyword_checks_mean_the_column_in_sqlite_ok() -> None:
    """In SQLite a CHECK on a field named like a keyword accepts its values and refuses others."""
    result = design(SHAPES["keywords-as-enums"])
    connection = sqlite3.connect(":memory:")
    connection.executescript(result.files["schema/tickets.sqlite.sql"])
    columns = ", ".join(f'"{f}"' for f in KEYWORD_FIELDS)
    valid = ", ".join(["'a'"] * len(KEYWORD_FIELDS))
    connection.execute(f"INSERT INTO tickets (id, {columns}) VALUES (1, {valid})")
    for field in KEYWORD_FIELDS:
        values = ", ".join("'z'" if f == field else "'b'" for f in KEYWORD_FIELDS)
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            connection.execute(f"INSERT INTO tickets (id, {columns}) VALUES (2, {values})")


@pytest.mark.postgres
def test_keyword_checks_mean_the_column_in_postgresql_ok(postgres: Any) -> None:
    """In PostgreSQL a CHECK on ``user`` or ``current_user`` checks the column, not the session role."""
    result = design(SHAPES["keywords-as-enums"])
    database = "safety_keyword_meaning"
    apply_postgres(postgres, database, [result.files["schema/tickets.postgresql.sql"]])
    columns = ", ".join(f'"{f}"' for f in KEYWORD_FIELDS)
    valid = ", ".join(["'a'"] * len(KEYWORD_FIELDS))
    run_postgres(postgres, database, in_schema(result, f"INSERT INTO tickets ({columns}) VALUES ({valid});"))
    for field in KEYWORD_FIELDS:
        values = ", ".join("'z'" if f == field else "'b'" for f in KEYWORD_FIELDS)
        with pytest.raises(AssertionError, match="violates check constraint"):
            run_postgres(postgres, database, in_schema(result, f"INSERT INTO tickets ({columns}) VALUES ({values});"))


@pytest.mark.postgres
def test_comments_keep_the_text_and_nothing_more_ok(postgres: Any) -> None:
    """Hostile descriptions reach COMMENT ON whole (NUL dropped); text in -- comments never becomes a statement."""
    result = design(SHAPES["hostile-text"])
    database = "safety_comments"
    text = result.files["schema/notes.postgresql.sql"]
    apply_postgres(postgres, database, [text])
    stored = run_postgres(postgres, database, in_schema(result, "SELECT obj_description('notes'::regclass, 'pg_class');"))
    assert stored.rstrip("\n") == "it's a */ /* comment with NUL\nCREATE TABLE injected (a int); -- \\ back\u2028slash"
    tables = run_postgres(postgres, database, "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema');")
    assert tables.strip() == "notes"


def test_comment_lines_stay_comments_in_sqlite_ok() -> None:
    """Use case names and reasons with line breaks stay inside their -- comment: SQLite creates no other table."""
    result = design(SHAPES["hostile-text"])
    connection = sqlite3.connect(":memory:")
    connection.executescript(result.files["schema/notes.sqlite.sql"])
    assert [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]
    connection.close()


@pytest.mark.postgres
def test_defaults_are_the_values_the_spec_gives_ok(postgres: Any) -> None:
    """A row relying on every default reads back the spec's values; today and now are evaluated per row."""
    result = design(SHAPES["odd-defaults"])
    database = "safety_defaults"
    apply_postgres(postgres, database, [result.files["schema/settings.postgresql.sql"]])
    row = run_postgres(
        postgres,
        database,
        in_schema(
            result,
            "INSERT INTO settings (total_currency) VALUES ('EUR');"
            " SELECT concat_ws('|', state, code, price, tiny, total_amount, count, huge, flag, day = current_date, fixed_day,"
            " at > now() - interval '1 minute', fixed_at AT TIME ZONE 'UTC', token, doc, mail) FROM settings;",
        ),
    ).strip()
    expected = "off|été|-999.99|0.01|1234.5000|-2147483648|9223372036854775807|f|t|2024-02-29|t|2024-01-31 07:00:00"
    assert row == expected + '|0190d5a8-7b8e-7c1d-9f00-0123456789ab|{"a": [1, "it\'s"]}|a@example.com'


def _evolve(old_text: str, new_text: str) -> tuple[DesignResult, DesignResult]:
    old = design(old_text)
    migrations = {p: t for p, t in old.files.items() if "/migrations/" in p}
    new = design_spec(load_spec_bytes(textwrap.dedent(new_text).encode(), "new.yaml").spec, Previous(old.architecture, migrations))
    return old, new


EVOLUTIONS = {
    "add-keyword-columns": (
        "system: evo\nentities:\n  Ticket: {fields: {name: string}}\nuse_cases:\n  - {name: list tickets, reads: [Ticket], rate: 5/s}\n",
        "system: evo\nentities:\n  Ticket:\n    fields:\n      name: string\n      user: 'enum[a,b]'\n      order: {type: string(5), default: \"it's\"}\n"
        "      current_user: {type: 'enum[x,y]', default: x}\nuse_cases:\n  - {name: list tickets, reads: [Ticket], filter: [user=a, order], rate: 5/s}\n",
    ),
    "change-keyword-columns": (
        "system: evo\nentities:\n  Ticket:\n    fields:\n      user: string(5)\n      order: {type: int, default: 1}\n      group: text?\n",
        "system: evo\nentities:\n  Ticket:\n    fields:\n      user: string(9)\n      order: {type: int, default: 2}\n      group: text\n",
    ),
    "long-names": (
        f"system: evo\nentities:\n  {'T' + 'a' * 61}:\n    fields: {{{'f' + 'a' * 62}: string(5)}}\n"
        f"use_cases:\n  - {{name: list, reads: [{'T' + 'a' * 61}], rate: 5/s}}\n",
        f"system: evo\nentities:\n  {'T' + 'a' * 61}:\n    fields: {{{'f' + 'a' * 62}: string(8), {'g' + 'a' * 62}: int, {'h' + 'a' * 62}: 'enum[a,b]'}}\n"
        f"use_cases:\n  - {{name: list, reads: [{'T' + 'a' * 61}], filter: [{'g' + 'a' * 62}, {'h' + 'a' * 62}=a], rate: 5/s}}\n",
    ),
}


@pytest.mark.postgres
@pytest.mark.parametrize("name", list(EVOLUTIONS))
def test_migrations_with_hostile_names_reach_the_new_schema_ok(name: str, postgres: Any) -> None:
    """Initial, expand and contract migrations apply in order and end with every name the new design has."""
    _, new = _evolve(*EVOLUTIONS[name])
    ordered = sorted((p for p in new.files if "/migrations/" in p), key=lambda p: (p.rsplit("/", 1)[1], p))
    contract = sorted(p for p in new.files if "/contract/" in p)
    assert len(ordered) > 1, "the evolution writes a migration"
    database = f"safety_evolve_{name.replace('-', '_')}"
    apply_postgres(postgres, database, [migration_sections(new.files[p])[0] for p in [*ordered, *contract]])
    assert design_names(new.architecture.datastores) <= postgres_names(postgres, database)
    postgres_rows_insert(postgres, database, new.architecture.datastores)
    assert postgres_misreadings(postgres, database) == []
