"""Runtime findings from a live PostgreSQL database's statistics (PgHero's territory).

Each message says how old the statistics are: "never scanned" means something only after
the statistics have covered a full business cycle.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Table
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import ident, location, qualified, where

#: Rows below which sequential scans are cheap and unused indexes are cheap: not worth a finding.
MIN_ROWS = 10_000
SEQ_SCAN_SHARE = 0.5
SEQUENCE_SHARE = 0.75
DEAD_SHARE = 0.2


def _runtime(found: Finding, table: Table | None) -> Finding:
    """Tag a finding as drawn from runtime statistics, with their age (a schema file's NOT VALID constraint stays static)."""
    if table is not None and table.stats is None:
        return found
    age = table.stats.stats_age_days if table is not None and table.stats is not None else None
    return dataclasses.replace(found, evidence=f"runtime (statistics of {age:.1f} days)" if age is not None else "runtime")


def _age(table: Table) -> str:
    age = table.stats.stats_age_days if table.stats else None
    return f"statistics of {age:.0f} days" if age is not None else "statistics of unknown age"


@rule(
    code="SQL201",
    name="unused-index",
    severity=Severity.WARNING,
    title="Index is never scanned",
    fix="Check replicas and the statistics' age, then DROP INDEX CONCURRENTLY.",
)
def unused_index(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds non-unique indexes with zero scans on tables of 10,000 rows or more (live databases).

    ## Why is this bad?
    An unused index costs every insert and update, disk, cache and vacuum time, and serves no
    query. (A unique index enforces a rule and is never reported.)

    ## Example
    (live database) idx_scan = 0 for ix_orders_note on a 2M-row table.

    Use instead:
    DROP INDEX CONCURRENTLY ix_orders_note;
    """
    for store, table in ((s, t) for s in arch.datastores for t in s.tables):
        if table.stats is None or table.stats.live_rows < MIN_ROWS:
            continue
        for index in table.indexes:
            if index.scans == 0 and not index.unique and index.name not in table.primary_key:
                size = f", {index.size_bytes / 2**20:.1f} MiB" if index.size_bytes else ""
                fix = f"DROP INDEX CONCURRENTLY {qualified(store, index.name)};"
                yield _runtime(
                    self.finding(where(store, table), f"index {index.name} has not been scanned ({_age(table)}{size})", location(index.source), fix=fix), table
                )


@rule(
    code="SQL202",
    name="sequential-scan-heavy-table",
    severity=Severity.WARNING,
    title="Most reads of a large table are sequential scans",
    fix="Find the queries (pg_stat_statements) and index their filters; `backend-architect review --workload` recommends indexes.",
)
def sequential_scan_heavy_table(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds tables of 10,000 rows or more where more than half of the scans are sequential.

    ## Why is this bad?
    Each sequential scan reads the whole table: cost grows with the table, and the scans
    evict hot pages from the cache for everyone else.

    ## Example
    (live database) seq_scan = 9,000 and idx_scan = 100 on a 5M-row table.

    Use instead:
    CREATE INDEX CONCURRENTLY ... on the filtered columns of the queries that scan it.
    """
    for store, table in ((s, t) for s in arch.datastores for t in s.tables):
        stats = table.stats
        if stats is None or stats.live_rows < MIN_ROWS:
            continue
        scans = stats.seq_scans + stats.index_scans
        if scans and stats.seq_scans / scans > SEQ_SCAN_SHARE:
            share = stats.seq_scans / scans
            message = f"{share:.0%} of {scans:,} scans are sequential over {stats.live_rows:,} rows ({_age(table)})"
            yield _runtime(self.finding(where(store, table), message, location(table.source)), table)


@rule(
    code="SQL203",
    name="invalid-index",
    severity=Severity.ERROR,
    title="Index is invalid",
    fix="DROP INDEX CONCURRENTLY the invalid index and create it again CONCURRENTLY.",
)
def invalid_index(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds indexes PostgreSQL marks invalid (a CREATE INDEX CONCURRENTLY that failed).

    ## Why is this bad?
    The planner does not use it, but every write still maintains it; a unique one still
    rejects duplicates it half-knows about.

    ## Example
    (live database) pg_index.indisvalid = false for ix_orders_customer.

    Use instead:
    DROP INDEX CONCURRENTLY ix_orders_customer; CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);
    """
    for store, table in ((s, t) for s in arch.datastores for t in s.tables):
        for index in table.indexes:
            if not index.valid:
                fix = f"DROP INDEX CONCURRENTLY {qualified(store, index.name)}; -- then CREATE INDEX CONCURRENTLY again"
                yield _runtime(self.finding(where(store, table), f"index {index.name} is invalid", location(index.source), fix=fix), table)


@rule(
    code="SQL204",
    name="not-valid-constraint",
    severity=Severity.WARNING,
    title="Constraint was added NOT VALID and never validated",
    fix="ALTER TABLE ... VALIDATE CONSTRAINT (takes a light lock).",
)
def not_valid_constraint(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds constraints still marked not validated: rows written before the constraint may
    break it.

    ## Why is this bad?
    The constraint holds for new rows only; queries and the planner cannot trust it, and the
    old rows that violate it are found at the worst time.

    ## Example
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;

    Use instead:
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
    """
    for store, table in ((s, t) for s in arch.datastores for t in s.tables):
        for name in table.not_valid_constraints:
            fix = f"ALTER TABLE {qualified(store, table)} VALIDATE CONSTRAINT {ident(name)};"
            yield _runtime(self.finding(where(store, table), f"constraint {name} is not validated", location(table.source), fix=fix), table)


@rule(
    code="SQL205",
    name="sequence-near-max",
    severity=Severity.ERROR,
    title="Sequence has used most of its range",
    fix="ALTER the column and the sequence to bigint before it runs out (inserts fail when it does).",
)
def sequence_near_max(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds sequences past 75% of their type's maximum (live databases).

    ## Why is this bad?
    When the sequence reaches the maximum every insert fails; widening the column then
    rewrites the table during the outage.

    ## Example
    (live database) orders_id_seq at 1,900,000,000 of 2,147,483,647.

    Use instead:
    ALTER SEQUENCE orders_id_seq AS bigint; ALTER TABLE orders ALTER COLUMN id TYPE bigint;
    """
    for store in arch.datastores:
        for sequence in store.sequences:
            if sequence.last_value is not None and sequence.max_value and sequence.last_value / sequence.max_value > SEQUENCE_SHARE:
                share = sequence.last_value / sequence.max_value
                fix = f"ALTER SEQUENCE {ident(store.name)}.{ident(sequence.name)} AS bigint;  -- and the column it feeds"
                yield _runtime(self.finding(f"{store.name}.{sequence.name}", f"{sequence.data_type} sequence at {share:.0%} of its maximum", fix=fix), None)


@rule(
    code="SQL206",
    name="dead-tuple-bloat",
    severity=Severity.WARNING,
    title="Table carries many dead rows",
    fix="Tune autovacuum for the table (lower autovacuum_vacuum_scale_factor) and look for long transactions holding it back.",
)
def dead_tuple_bloat(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds tables of 10,000 rows or more whose dead rows exceed 20% of their live rows.

    ## Why is this bad?
    Dead rows take disk and cache and are read by every scan; bloat this size means vacuum
    is not keeping up, or a long transaction stops it.

    ## Example
    (live database) n_dead_tup = 3M, n_live_tup = 5M.

    Use instead:
    ALTER TABLE orders SET (autovacuum_vacuum_scale_factor = 0.02);
    """
    for store, table in ((s, t) for s in arch.datastores for t in s.tables):
        stats = table.stats
        if stats is not None and stats.live_rows >= MIN_ROWS and stats.dead_rows > DEAD_SHARE * stats.live_rows:
            message = f"{stats.dead_rows:,} dead rows next to {stats.live_rows:,} live ({stats.dead_rows / stats.live_rows:.0%}, {_age(table)})"
            fix = f"ALTER TABLE {qualified(store, table)} SET (autovacuum_vacuum_scale_factor = 0.02);"
            yield _runtime(self.finding(where(store, table), message, location(table.source), fix=fix), table)
