"""Migration checks as squawk users run them (a lone file on each pull request) and in migration folders, each a table of
statements that fire and that do not; and the false positives and misses found on real schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.importers.sql import import_sql, import_sql_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.registry import MIGRATION_RULES, SQL_RULES, review, rule_by_code


def _codes(arch: Architecture, code: str) -> list[str]:
    return [f.message for f in review(arch, (rule_by_code(code),))]


def _folder(tmp_path: Path, *migrations: str) -> Architecture:
    for i, text in enumerate(migrations, start=1):
        (tmp_path / f"{i:04d}_step.sql").write_text(text)
    return import_sql(tmp_path)


PRIOR = "CREATE TABLE t (id bigint PRIMARY KEY, a int, name varchar(50), note text);\n"


@pytest.mark.parametrize(
    ("code", "sql", "fires"),
    [
        pytest.param("SQL101", "CREATE INDEX ix ON t (a);", True, id="101-create"),
        pytest.param("SQL101", "CREATE INDEX CONCURRENTLY ix ON t (a);", False, id="101-concurrently"),
        pytest.param("SQL101", "CREATE TABLE n (a int); CREATE INDEX ix ON n (a);", False, id="101-table-of-this-file"),
        pytest.param("SQL101", "DROP INDEX ix_unknown;", True, id="101-drop-unknown"),
        pytest.param("SQL101", "CREATE TABLE n (a int); CREATE INDEX ix ON n (a); DROP INDEX ix;", False, id="101-drop-on-new-table"),
        pytest.param("SQL101", "REINDEX TABLE t;", True, id="101-reindex"),
        pytest.param("SQL101", "REINDEX TABLE CONCURRENTLY t;", False, id="101-reindex-concurrently"),
        pytest.param("SQL102", "ALTER TABLE t ADD COLUMN owner_id bigint REFERENCES owners (id);", True, id="102-add-column-references"),
        pytest.param("SQL102", "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES o (id) NOT VALID;", False, id="102-not-valid"),
        pytest.param("SQL103", "ALTER TABLE t ALTER COLUMN a TYPE bigint;", True, id="103-unknown-old-type"),
        pytest.param("SQL104", "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED NOT NULL;", False, id="104-generated"),
        pytest.param("SQL104", "ALTER TABLE t ALTER COLUMN a SET NOT NULL;", True, id="104-set-not-null"),
        pytest.param("SQL107", "SET lock_timeout = '1s'; ALTER TABLE t ADD COLUMN c int;", True, id="107-statement-timeout-missing"),
        pytest.param("SQL107", "SET lock_timeout = '1s'; SET statement_timeout = '5min'; ALTER TABLE t ADD COLUMN c int;", False, id="107-both"),
        pytest.param("SQL107", "DROP INDEX ix;", True, id="107-drop-index"),
        pytest.param("SQL107", "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;", True, id="107-drop-not-null"),
        pytest.param("SQL108", "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);", True, id="108-unique"),
        pytest.param("SQL108", "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_idx;", False, id="108-using-index"),
        pytest.param("SQL108", "ALTER TABLE t ADD COLUMN id2 serial PRIMARY KEY;", True, id="108-serial-primary-key"),
        pytest.param("SQL109", "ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();", True, id="109-volatile"),
        pytest.param("SQL109", "ALTER TABLE t ADD COLUMN at timestamptz DEFAULT now();", False, id="109-stable"),
        pytest.param("SQL109", "ALTER TABLE t ADD COLUMN n int NOT NULL DEFAULT 0;", False, id="109-constant"),
        pytest.param("SQL109", "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED;", True, id="109-generated"),
        pytest.param("SQL110", "BEGIN; CREATE INDEX CONCURRENTLY ix ON t (a); COMMIT;", True, id="110-in-transaction"),
        pytest.param("SQL110", "CREATE INDEX CONCURRENTLY ix ON t (a);", False, id="110-outside"),
        pytest.param(
            "SQL111",
            "BEGIN; ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT c; COMMIT;",
            True,
            id="111-same-transaction",
        ),
        pytest.param(
            "SQL111",
            "BEGIN; ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID; COMMIT; BEGIN; ALTER TABLE t VALIDATE CONSTRAINT c; COMMIT;",
            False,
            id="111-separate",
        ),
        pytest.param("SQL112", "VACUUM FULL t;", True, id="112-vacuum-full"),
        pytest.param("SQL112", "CLUSTER t USING t_pkey;", True, id="112-cluster"),
        pytest.param("SQL112", "VACUUM t;", False, id="112-plain-vacuum"),
        pytest.param("SQL113", "ALTER TABLE t DETACH PARTITION t_2023;", True, id="113-detach"),
        pytest.param("SQL113", "ALTER TABLE t DETACH PARTITION t_2023 CONCURRENTLY;", False, id="113-concurrently"),
        pytest.param("SQL114", "TRUNCATE t CASCADE;", True, id="114-cascade"),
        pytest.param("SQL114", "TRUNCATE t;", False, id="114-plain"),
        pytest.param("SQL115", "ALTER TYPE mood ADD VALUE 'meh';", True, id="115-appended"),
        pytest.param("SQL115", "ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad';", False, id="115-placed"),
        pytest.param("SQL116", "BEGIN; BEGIN; ALTER TABLE t ADD COLUMN c int; COMMIT;", True, id="116-nested"),
        pytest.param("SQL116", "COMMIT;", True, id="116-commit-without-begin"),
        pytest.param("SQL116", "BEGIN; ALTER TABLE t ADD COLUMN c int;", True, id="116-uncommitted"),
        pytest.param("SQL116", "BEGIN; ALTER TABLE t ADD COLUMN c int; COMMIT;", False, id="116-balanced"),
        pytest.param("SQL117", "ALTER TABLE t ADD COLUMN nickname varchar(20);", True, id="117-add-varchar"),
        pytest.param("SQL117", "ALTER TABLE t ADD COLUMN nickname text;", False, id="117-text"),
        pytest.param("SQL117", "CREATE TABLE n (id bigint PRIMARY KEY, s varchar(20));", False, id="117-schema-file-table"),
    ],
)
def test_lone_migration_file_checks_err(code: str, sql: str, fires: bool) -> None:
    """A migration file reviewed alone: its statements on tables it does not create are judged as changes to existing tables."""
    assert bool(_codes(import_sql_text(sql, "0042_change.sql"), code)) is fires


def test_lone_file_says_the_table_is_assumed_ok() -> None:
    """Findings on a table the file does not create say it was judged as existing, with rows."""
    [message] = _codes(import_sql_text("CREATE INDEX ix ON orders (customer_id);", "0042.sql"), "SQL101")
    assert message.endswith("(public.orders is not created by the files reviewed: judged as an existing table with rows)")


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param(
            "CREATE TABLE t (id bigint NOT NULL, a int);\nALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n"
            "CREATE INDEX ix ON t USING btree (a);\nALTER TABLE ONLY t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES t (id);\n",
            id="pg_dump",
        ),
        pytest.param(
            "DROP INDEX IF EXISTS public.ix;\nALTER TABLE IF EXISTS ONLY public.t DROP CONSTRAINT IF EXISTS t_pkey;\nDROP TABLE IF EXISTS public.t;\n"
            "CREATE TABLE public.t (id bigint NOT NULL, a int);\nCREATE INDEX ix ON public.t USING btree (a);\n",
            id="pg_dump-clean-lago",
        ),
    ],
)
def test_schema_file_gets_no_migration_findings_ok(schema: str) -> None:
    """A schema file (pg_dump's shapes: keys and indexes after the tables; --clean drops before creating) creates what it changes."""
    assert review(import_sql_text(schema), MIGRATION_RULES) == []


@pytest.mark.parametrize(
    ("change", "fires"),
    [
        pytest.param("ALTER TABLE t ALTER COLUMN name TYPE varchar(100);", False, id="varchar-widened"),
        pytest.param("ALTER TABLE t ALTER COLUMN name TYPE text;", False, id="varchar-to-text"),
        pytest.param("ALTER TABLE t ALTER COLUMN name TYPE varchar(20);", True, id="varchar-narrowed"),
        pytest.param("ALTER TABLE t ALTER COLUMN a TYPE bigint;", True, id="int-to-bigint"),
    ],
)
def test_type_change_rewrites_only_when_postgres_does_err(tmp_path: Path, change: str, fires: bool) -> None:
    """Widening varchar or making it text changes the catalog only, as the schema diff says: no finding."""
    assert bool(_codes(_folder(tmp_path, PRIOR, change), "SQL103")) is fires


def test_set_not_null_after_validated_check_ok(tmp_path: Path) -> None:
    """The sequence SQL104's own fix recommends passes: CHECK NOT VALID, VALIDATE, then SET NOT NULL (no scan in PostgreSQL 12+)."""
    safe = (
        "ALTER TABLE t ADD CONSTRAINT t_a_not_null CHECK (a IS NOT NULL) NOT VALID;\n",
        "ALTER TABLE t VALIDATE CONSTRAINT t_a_not_null;\n",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n",
    )
    assert _codes(_folder(tmp_path, PRIOR, *safe), "SQL104") == []
    unvalidated = tmp_path / "unvalidated"
    unvalidated.mkdir()
    assert _codes(_folder(unvalidated, PRIOR, safe[0], safe[2]), "SQL104")


def test_drop_index_with_the_table_dropped_in_the_same_migration_ok(tmp_path: Path) -> None:
    """Dropping an index of a table the same migration drops costs its readers nothing more."""
    arch = _folder(tmp_path, PRIOR + "CREATE INDEX ix_t_a ON t (a);\n", "DROP INDEX ix_t_a;\nDROP TABLE t;\n")
    assert _codes(arch, "SQL101") == []
    assert _codes(arch, "SQL105") == ["drops table public.t"]


def test_byte_order_mark_does_not_hide_the_first_table_ok(tmp_path: Path) -> None:
    """A UTF-8 BOM is no statement: the first table is created, and a later migration's change to it is judged against it."""
    (tmp_path / "0001_init.sql").write_bytes(b"\xef\xbb\xbfCREATE TABLE t (id bigint PRIMARY KEY, a int);\n")
    (tmp_path / "0002_index.sql").write_text("CREATE INDEX ix ON t (a);\n")
    arch = import_sql(tmp_path)
    assert arch.parse_problems == []
    assert [t.name for s in arch.datastores for t in s.tables] == ["t"]
    [message] = _codes(arch, "SQL101")
    assert "not created by the files" not in message


@pytest.mark.parametrize(
    ("sql", "fires"),
    [
        pytest.param('CREATE TABLE "t" ("id" bigint PRIMARY KEY, "' + "x" * 40 + '" int, "' + "y" * 40 + '" int);', False, id="two-quoted-names"),
        pytest.param("CREATE TABLE t (id bigint PRIMARY KEY, note text DEFAULT '\"" + "z" * 70 + "\"');", False, id="quote-in-string"),
        pytest.param('CREATE TABLE t (id bigint PRIMARY KEY, "' + "é" * 32 + '" int);', True, id="64-bytes-in-32-characters"),
        pytest.param('CREATE TABLE t (id bigint PRIMARY KEY, "' + "é" * 31 + '" int);', False, id="62-bytes"),
    ],
)
def test_long_identifiers_are_tokens_counted_in_bytes_err(sql: str, fires: bool) -> None:
    """Identifiers are read by PostgreSQL's scanner and measured in bytes, as PostgreSQL cuts them."""
    assert bool(_codes(import_sql_text(sql), "SQL013")) is fires


def test_column_added_later_is_located_in_its_migration_ok(tmp_path: Path) -> None:
    """A design finding about a column a later migration added points at that migration, at the column."""
    arch = _folder(tmp_path, PRIOR, "ALTER TABLE t ADD COLUMN payload json;\n")
    [finding] = review(arch, (rule_by_code("SQL010"),))
    assert finding.location is not None
    assert (Path(finding.location.file).name, finding.location.line, finding.location.col) == ("0002_step.sql", 1, 26)
    assert (finding.location.end_line, finding.location.end_col) == (1, 38)  # "payload json"


@pytest.mark.parametrize(
    ("index", "fires"),
    [
        pytest.param("CREATE INDEX ix ON c (p_id) WHERE p_id IS NOT NULL;", False, id="partial-not-null"),
        pytest.param("CREATE INDEX ix ON c (p_id) WHERE deleted_at IS NULL;", True, id="partial-other"),
        pytest.param("", True, id="none"),
    ],
)
def test_foreign_key_index_may_be_partial_on_not_null_err(index: str, fires: bool) -> None:
    """A partial index WHERE col IS NOT NULL serves the foreign key check (PostgreSQL uses it)."""
    sql = "CREATE TABLE p (id bigint PRIMARY KEY);\nCREATE TABLE c (id bigint PRIMARY KEY, p_id bigint REFERENCES p (id), deleted_at timestamptz);\n"
    assert bool(_codes(import_sql_text(sql + index), "SQL003")) is fires


@pytest.mark.parametrize(
    ("index", "fires"),
    [
        pytest.param("CREATE INDEX ix ON tag_raw (area);", True, id="musicbrainz-prefix-of-primary-key"),
        pytest.param("CREATE INDEX ix ON tag_raw (area, editor, tag);", True, id="same-as-primary-key"),
        pytest.param("CREATE INDEX ix ON tag_raw (label);", True, id="prefix-of-unique"),
        pytest.param("CREATE INDEX ix ON tag_raw (editor);", False, id="not-leading"),
        pytest.param("CREATE UNIQUE INDEX ix ON tag_raw (area);", False, id="unique-enforces"),
        pytest.param("CREATE INDEX ix ON tag_raw (area) WHERE tag > 0;", False, id="partial"),
    ],
)
def test_index_covered_by_a_key_is_redundant_err(index: str, fires: bool) -> None:
    """A plain index on the leading columns of a primary key or unique constraint is served by the key's index."""
    sql = "CREATE TABLE tag_raw (area int, editor int, tag int, label int, PRIMARY KEY (area, editor, tag), UNIQUE (label, tag));\n"
    assert bool(_codes(import_sql_text(sql + index), "SQL004")) is fires


@pytest.mark.parametrize(
    ("column", "fires"),
    [
        pytest.param("n serial", True, id="serial-not-key"),
        pytest.param("n smallserial", True, id="smallserial"),
        pytest.param("n int GENERATED ALWAYS AS IDENTITY", True, id="int-identity"),
        pytest.param("n bigserial", False, id="bigserial"),
        pytest.param("n int", False, id="plain-int"),
    ],
)
def test_sequence_fed_narrow_columns_err(column: str, fires: bool) -> None:
    """Every sequence-fed smallint or integer column runs out, key or not."""
    assert bool(_codes(import_sql_text(f"CREATE TABLE t (id bigint PRIMARY KEY, {column});"), "SQL006")) is fires


def test_design_rules_ignore_assumed_tables_ok() -> None:
    """A lone migration's assumed tables have no known design: no 'no primary key' for them."""
    arch = import_sql_text("ALTER TABLE orders ADD COLUMN note text;", "0042.sql")
    assert review(arch, SQL_RULES) == []


@pytest.mark.parametrize(
    ("code", "sql", "fires"),
    [
        pytest.param("SQL008", "CREATE TABLE fees (id bigint PRIMARY KEY, tax_rate double precision);", False, id="lago-tax-rate-is-a-ratio"),
        pytest.param("SQL008", "CREATE TABLE fees (id bigint PRIMARY KEY, tax_amount double precision);", True, id="tax-amount-is-money"),
        pytest.param("SQL014", "CREATE TABLE customers (id bigint PRIMARY KEY, address_line1 text, address_line2 text);", False, id="lago-address-lines"),
        pytest.param("SQL014", "CREATE TABLE customers (id bigint PRIMARY KEY, phone1 text, phone2 text);", True, id="phones"),
        pytest.param("SQL014", "CREATE TABLE v (id bigint PRIMARY KEY, cvss_score_v2 real, cvss_score_v3 real);", False, id="harbor-cvss-versions"),
        pytest.param("SQL014", "CREATE TABLE link_type (id int PRIMARY KEY, entity_type0 text, entity_type1 text);", False, id="musicbrainz-relationship-ends"),
        pytest.param(
            "SQL016",
            "CREATE TABLE rooms (room_id text PRIMARY KEY);\nCREATE TABLE room_stats_state (room_id text PRIMARY KEY, room_type text);",
            False,
            id="synapse-room-type-is-an-attribute",
        ),
        pytest.param("SQL016", "CREATE TABLE webhooks (id bigint PRIMARY KEY, object_type text, object_id bigint);", True, id="lago-polymorphic"),
        pytest.param("SQL016", "CREATE TABLE local_media_repository (media_id text UNIQUE, media_type text);", False, id="synapse-own-key-and-mime-type"),
        pytest.param("SQL014", "CREATE TABLE language (id int PRIMARY KEY, iso_code_1 char(2), iso_code_3 char(3));", False, id="musicbrainz-iso-standards"),
        pytest.param("SQL103", "ALTER TABLE history ALTER COLUMN data TYPE varchar(32768);", False, id="atuin-lone-widening"),
        pytest.param("SQL103", "ALTER TABLE history ALTER COLUMN data TYPE integer USING data::integer;", True, id="lone-to-integer"),
    ],
)
def test_false_positives_from_the_precision_sample_err(code: str, sql: str, fires: bool) -> None:
    """Findings the hand-checked sample judged false (Lago's rates and address lines, Atuin's widening alone) stay fixed."""
    assert bool(_codes(import_sql_text(sql, "0042_change.sql"), code)) is fires
