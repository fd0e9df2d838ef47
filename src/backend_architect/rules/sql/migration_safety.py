"""Migration checks squawk users rely on beyond the basic locks: keys built under the table's lock, table rewrites,
transactions (CONCURRENTLY inside one, VALIDATE beside NOT VALID, nesting, a BEGIN never committed), maintenance that
locks out readers, TRUNCATE CASCADE, enum values appended out of order, and varchar lengths that need a lock to change.

Each migration is judged against the schema before it; a lone file's statements on tables it does not create are
judged as changes to existing tables (see ``said``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from backend_architect.ir.model import Architecture, Migration, MigrationStep
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import location, reprinted
from backend_architect.rules.sql.migrations import FAST_DEFAULTS, said


def _where(migration: Migration, step: MigrationStep) -> str:
    return f"{migration.file}: {step.table or step.detail}"


def transactions(migration: Migration) -> Iterator[tuple[MigrationStep, int]]:
    """Each step with the depth of explicit transactions it runs in (0: outside any BEGIN)."""
    depth = 0
    for step in migration.steps:
        if step.action == "begin":
            yield step, depth
            depth += 1
        elif step.action in {"commit", "rollback"}:
            depth = 0  # PostgreSQL ends the transaction at the first COMMIT, however many BEGINs came before
            yield step, depth
        else:
            yield step, depth


@rule(
    code="SQL108",
    name="key-index-built-under-lock",
    severity=Severity.WARNING,
    title="Unique or primary key added to an existing table builds its index under the table's lock",
    fix="CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE (or PRIMARY KEY) USING INDEX.",
)
def key_index_built_under_lock(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds UNIQUE and PRIMARY KEY constraints added to existing tables without `USING INDEX`,
    including columns added with `PRIMARY KEY` or `UNIQUE` (a `serial PRIMARY KEY` column).

    ## Why is this bad?
    The constraint builds its index while holding an ACCESS EXCLUSIVE lock: no reads and no
    writes for as long as the build takes, minutes on a large table. An index built
    concurrently beforehand can be attached in an instant.

    ## Example
    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

    Use instead:
    CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email);
    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;

    ## References
    squawk's disallowed-unique-constraint and adding-serial-primary-key-field; PostgreSQL documentation, ALTER TABLE (USING INDEX).
    """
    for migration in arch.migrations:
        for step in migration.steps:
            if step.builds_index and step.existed_before and step.action in {"add_constraint", "add_column"}:
                what = f"column {step.detail}" if step.action == "add_column" else ("" if step.detail == step.builds_index else step.detail)
                message = said(step, f"{step.builds_index} {what} builds its index while {step.table} is locked".replace("  ", " "))
                yield self.finding(_where(migration, step), message, location(step.source))


@rule(
    code="SQL109",
    name="add-column-rewrites-table",
    severity=Severity.WARNING,
    title="Column added with a value computed per row rewrites the table",
    fix="Add the column without the default (or as a plain column), set the default after, and backfill in batches.",
)
def add_column_rewrites_table(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds columns added to existing tables with a volatile default (`gen_random_uuid()`,
    `clock_timestamp()`, a sequence: `serial`, identity) or as a stored generated column.
    A constant or stable default (`0`, `now()`) is written to the catalog and passes from
    PostgreSQL 11; before 11 (`--pg-version`) every default rewrites the table.

    ## Why is this bad?
    PostgreSQL has to compute the value for every row, so it rewrites the table and its
    indexes under an ACCESS EXCLUSIVE lock: no reads, no writes until it is done.

    ## Example
    ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();

    Use instead:
    ALTER TABLE orders ADD COLUMN token uuid;
    ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();

    ## References
    squawk's adding-field-with-default; PostgreSQL documentation, ALTER TABLE (Notes: adding a column with a volatile default).
    """
    old_server = arch.postgres_version is not None and arch.postgres_version < FAST_DEFAULTS
    for migration in arch.migrations:
        for step in migration.steps:
            if step.action != "add_column" or not step.existed_before:
                continue
            rewrites = step.rewrites or (
                f"a default on PostgreSQL {arch.postgres_version} (before {FAST_DEFAULTS})" if old_server and step.has_default else None
            )
            if rewrites:
                message = said(step, f"new column {step.detail} with {rewrites} rewrites {step.table} under an exclusive lock")
                yield self.finding(_where(migration, step), message, location(step.source))


_CONCURRENT = frozenset({"create_index", "drop_index", "reindex", "detach_partition"})


@rule(
    code="SQL110",
    name="concurrently-in-transaction",
    severity=Severity.ERROR,
    title="CONCURRENTLY inside a transaction block",
    fix="Run the concurrent statement outside BEGIN ... COMMIT (most migration tools have a per-migration switch for it).",
)
def concurrently_in_transaction(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds CREATE INDEX, DROP INDEX, REINDEX and DETACH PARTITION with CONCURRENTLY between an
    explicit BEGIN and its COMMIT.

    ## Why is this bad?
    PostgreSQL refuses them there ("cannot run inside a transaction block"): the migration
    fails, half applied if the tool does not wrap it.

    ## Example
    BEGIN;
    CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);
    COMMIT;

    Use instead:
    CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);

    ## References
    squawk's ban-concurrent-index-creation-in-transaction; PostgreSQL documentation, CREATE INDEX.
    """
    for migration in arch.migrations:
        for step, depth in transactions(migration):
            if depth and step.concurrently and step.action in _CONCURRENT:
                yield self.finding(
                    _where(migration, step), f"{step.action.replace('_', ' ')} {step.detail} CONCURRENTLY fails inside BEGIN", location(step.source)
                )


@rule(
    code="SQL111",
    name="validate-in-same-transaction",
    severity=Severity.WARNING,
    title="Constraint added NOT VALID and validated in the same transaction",
    fix="COMMIT after ADD CONSTRAINT ... NOT VALID; VALIDATE CONSTRAINT in a transaction of its own.",
)
def validate_in_same_transaction(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds VALIDATE CONSTRAINT in the same explicit transaction as the ADD CONSTRAINT ... NOT
    VALID that created the constraint.

    ## Why is this bad?
    NOT VALID exists so the scan runs under a light lock; in one transaction the ACCESS
    EXCLUSIVE lock the ADD took is still held while VALIDATE scans the table, so nothing was
    gained.

    ## Example
    BEGIN;
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
    COMMIT;

    Use instead:
    BEGIN;
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
    COMMIT;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;

    ## References
    squawk's constraint-missing-not-valid; PostgreSQL documentation, ALTER TABLE (VALIDATE CONSTRAINT).
    """
    for migration in arch.migrations:
        open_not_valid: set[tuple[str | None, str]] = set()
        for step, depth in transactions(migration):
            if step.action in {"begin", "commit", "rollback"}:
                open_not_valid = set()
            elif depth and step.action == "add_constraint" and step.not_valid:
                open_not_valid.add((step.table, step.detail))
            elif depth and step.action == "validate_constraint" and (step.table, step.detail) in open_not_valid:
                message = f"{step.detail} is validated in the transaction that added it NOT VALID: the exclusive lock is held during the scan"
                yield self.finding(_where(migration, step), message, location(step.source))


@rule(
    code="SQL112",
    name="exclusive-table-rewrite",
    severity=Severity.WARNING,
    title="VACUUM FULL or CLUSTER locks out readers and writers",
    fix="Use pg_repack (or REPACK CONCURRENTLY on PostgreSQL 19+), which rewrites the table without the exclusive lock.",
)
def exclusive_table_rewrite(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds VACUUM FULL and CLUSTER on existing tables in migrations.

    ## Why is this bad?
    Both rewrite the whole table under an ACCESS EXCLUSIVE lock: every read and write waits
    until the copy and its indexes are rebuilt, minutes to hours on a large table.

    ## Example
    VACUUM FULL orders;

    Use instead:
    VACUUM orders;

    ## References
    squawk's prefer-repack; PostgreSQL documentation, VACUUM and CLUSTER.
    """
    for migration in arch.migrations:
        for step in migration.steps:
            if step.action in {"vacuum_full", "cluster"} and step.existed_before:
                verb = "VACUUM FULL" if step.action == "vacuum_full" else "CLUSTER"
                message = said(step, f"{verb} rewrites {step.table or step.detail} under an exclusive lock")
                yield self.finding(_where(migration, step), message, location(step.source))


@rule(
    code="SQL113",
    name="detach-partition-without-concurrently",
    severity=Severity.WARNING,
    title="Partition detached without CONCURRENTLY",
    fix="ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+, outside a transaction).",
)
def detach_partition_without_concurrently(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds DETACH PARTITION without CONCURRENTLY on existing partitioned tables.

    ## Why is this bad?
    A plain detach takes an ACCESS EXCLUSIVE lock on the parent table: every query on any
    partition waits, including those queued behind it.

    ## Example
    ALTER TABLE events DETACH PARTITION events_2023;

    Use instead:
    ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;

    ## References
    squawk's require-concurrent-partition-detach; PostgreSQL documentation, ALTER TABLE (DETACH PARTITION).
    """
    for migration in arch.migrations:
        for step in migration.steps:
            if step.action == "detach_partition" and step.existed_before and not step.concurrently:
                message = said(step, f"detaching {step.detail} locks {step.table} and every partition's readers")
                again = reprinted(step.statement, _detach_concurrently) if step.statement else None
                yield self.finding(_where(migration, step), message, location(step.source), fix=f"{again};" if again else None)


def _detach_concurrently(node: Any) -> None:
    """DETACH PARTITION ... CONCURRENTLY, on the parse tree of an ALTER TABLE (printed again, names quoted, comments gone)."""
    for command in getattr(node, "cmds", None) or ():
        if getattr(command, "def_", None) is not None and hasattr(command.def_, "concurrent"):
            command.def_.concurrent = True


@rule(
    code="SQL114",
    name="truncate-cascade",
    severity=Severity.WARNING,
    title="TRUNCATE ... CASCADE empties every referencing table too",
    fix="Truncate the tables you mean, by name; CASCADE reaches tables added by others later.",
)
def truncate_cascade(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds TRUNCATE ... CASCADE.

    ## Why is this bad?
    CASCADE also truncates every table with a foreign key to the named ones, and every table
    referencing those: a table someone else adds next year is emptied by this migration if
    it runs again, with no list of what went.

    ## Example
    TRUNCATE customers CASCADE;

    Use instead:
    TRUNCATE orders, customers;

    ## References
    squawk's ban-truncate-cascade.
    """
    for migration in arch.migrations:
        for step in migration.steps:
            if step.action == "truncate" and step.cascade:
                yield self.finding(_where(migration, step), f"TRUNCATE {step.table} CASCADE also empties every table that references it", location(step.source))


@rule(
    code="SQL115",
    name="unordered-enum-value",
    severity=Severity.INFO,
    title="Enum value added without BEFORE or AFTER",
    fix="Say where the value goes: ALTER TYPE ... ADD VALUE 'pending' BEFORE 'approved'.",
)
def unordered_enum_value(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds ALTER TYPE ... ADD VALUE without BEFORE or AFTER.

    ## Why is this bad?
    The value goes last, and enums compare by position: `WHERE status < 'approved'` no
    longer means "not yet approved" once 'pending_review' sorts after 'rejected'.

    ## Example
    ALTER TYPE paper_status ADD VALUE 'pending_review';

    Use instead:
    ALTER TYPE paper_status ADD VALUE 'pending_review' BEFORE 'approved';

    ## References
    squawk's require-enum-value-ordering; PostgreSQL documentation, ALTER TYPE.
    """
    for migration in arch.migrations:
        for step in migration.steps:
            if step.action == "add_enum_value" and not step.ordered:
                yield self.finding(_where(migration, step), f"{step.detail} is appended after every other value", location(step.source))


@rule(
    code="SQL116",
    name="transaction-nesting",
    severity=Severity.WARNING,
    title="BEGIN inside a transaction, COMMIT without one, or a BEGIN never committed",
    fix="One BEGIN per COMMIT; end every transaction the file opens (and leave transactions to the migration tool if it wraps each file).",
)
def transaction_nesting(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds BEGIN while a transaction is already open, COMMIT or ROLLBACK with none open, and a
    file that ends with a transaction still open.

    ## Why is this bad?
    PostgreSQL only warns on a nested BEGIN and commits at the first COMMIT: the statements
    after it run outside the transaction the author meant. A BEGIN never committed is rolled
    back when the session ends: the migration "succeeds" and changes nothing.

    ## Example
    BEGIN;
    ALTER TABLE orders ADD COLUMN note text;

    Use instead:
    BEGIN;
    ALTER TABLE orders ADD COLUMN note text;
    COMMIT;

    ## References
    squawk's transaction-nesting and ban-uncommitted-transaction.
    """
    for migration in arch.migrations:
        depth, opened = 0, None
        for step in migration.steps:
            if step.action == "begin":
                if depth:
                    yield self.finding(_where(migration, step), "BEGIN inside a transaction that is already open", location(step.source))
                depth, opened = depth + 1, opened or step
            elif step.action in {"commit", "rollback"}:
                if not depth:
                    yield self.finding(_where(migration, step), f"{step.detail.upper()} with no transaction open", location(step.source))
                depth, opened = 0, None
        if depth and opened is not None:
            yield self.finding(_where(migration, opened), "BEGIN is never committed: the migration's changes are rolled back", location(opened.source))


@rule(
    code="SQL117",
    name="varchar-length-limit",
    severity=Severity.INFO,
    title="Column limited by varchar(n) instead of text with a CHECK",
    fix="Use text with CHECK (char_length(col) <= n) NOT VALID; changing a CHECK later needs no exclusive lock.",
)
def varchar_length_limit(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds `varchar(n)` columns given by a migration: added to an existing table, changed to
    that type, or created in a migration folder's new table. One finding per statement.

    ## Why is this bad?
    The day the limit must change, ALTER COLUMN TYPE takes an ACCESS EXCLUSIVE lock (and a
    narrowing scans the table under it). A CHECK on `text` is replaced with NOT VALID and
    validated under a light lock, and the limit can differ per row kind.

    ## Example
    ALTER TABLE users ADD COLUMN nickname varchar(50);

    Use instead:
    ALTER TABLE users ADD COLUMN nickname text;
    ALTER TABLE users ADD CONSTRAINT users_nickname_length CHECK (char_length(nickname) <= 50) NOT VALID;

    ## References
    squawk's prefer-text-field.
    """
    for migration in arch.migrations:
        for step in migration.steps:
            changes = step.existed_before and step.action in {"add_column", "alter_column_type"}
            created = step.action == "create_table" and not migration.lone
            if step.varchar_columns and (changes or created):
                message = said(step, f"{', '.join(step.varchar_columns)} limited by varchar(n): changing the limit takes an exclusive lock")
                yield self.finding(_where(migration, step), message, location(step.source))
