"""A time-partitioned table's partitions, and the function that keeps them: ahead, in tiers, and expired.

PostgreSQL creates no range partition by itself: without one a row lands in the default
partition, which then holds the whole table. The DDL therefore defines, per partitioned
table, ``maintain_<table>_partitions()`` and calls it once: it creates the partition of the
current period and the next ones (``Partitioning.ahead``), moving any rows that reached the
default partition first; it moves partitions older than the hot window to the cold
tablespace (hot/cold tiers), and drops or detaches (for an export) expired ones. Scheduled
daily, it is the job the design's text names; :func:`maintenance_summary` is that text.
Periods start at UTC midnight, so the result does not depend on the session's time zone.
"""

from __future__ import annotations

from collections.abc import Callable

from backend_architect.ir.model import COLD_TABLESPACE, Partitioning, Table
from backend_architect.spec.identifiers import bounded_name, partition_maintenance_name, partition_prefix

Quote = Callable[[str], str]

_STEP = {"day": "1 day", "week": "1 week", "month": "1 month"}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def default_partition(table: str) -> str:
    """The catch-all partition: rows no range partition holds (a period the job has not yet created)."""
    return bounded_name(f"{table}_default")


def maintenance_summary(table: Table) -> str:
    """What the table's maintenance function does, in the words the design document and the DDL comment use.

    >>> from backend_architect.ir.model import Column
    >>> plan = Partitioning(column="created_at", interval="week", reason="", cold_after_days=116)
    >>> print(maintenance_summary(Table(name="trips", columns=[], primary_key=[], partitioning=plan)))
    maintain_trips_partitions() (in the DDL; run at apply and daily) creates the partitions of the current week and the next 4, \
moving rows that reached the default partition trips_default into them; moves partitions older than 116 days to tablespace cold
    """
    plan = table.partitioning
    assert plan is not None
    parts = [
        f"{partition_maintenance_name(table.name)}() (in the DDL; run at apply and daily) creates the partitions of the current "
        f"{plan.interval} and the next {plan.ahead}, moving rows that reached the default partition {default_partition(table.name)} into them"
    ]
    if plan.cold_after_days is not None:
        parts.append(f"moves partitions older than {plan.cold_after_days:,.0f} days to tablespace {COLD_TABLESPACE}")
    if plan.expire_after_days is not None and plan.archive_to:
        parts.append(
            f"detaches partitions older than {plan.expire_after_days:,.0f} days, left as tables {partition_prefix(table.name)}_pYYYYMMDD "
            f"for the export to {plan.archive_to}, which drops each once copied"
        )
    elif plan.expire_after_days is not None:
        parts.append(f"drops partitions older than {plan.expire_after_days:,.0f} days")
    return "; ".join(parts)


def partition_statements(table: Table, schema: str | None, quote: Quote) -> list[str]:
    """The default partition, the maintenance function and its first run (the current period's partitions and the next ones)."""
    plan = table.partitioning
    assert plan is not None

    def qualified(name: str) -> str:
        return f"{quote(schema)}.{quote(name)}" if schema else quote(name)

    function = qualified(partition_maintenance_name(table.name))
    return [
        f"CREATE TABLE {qualified(default_partition(table.name))} PARTITION OF {qualified(table.name)} DEFAULT;",
        *_function(table.name, plan, qualified),
        f"SELECT {function}();",
    ]


def drop_statements(table: Table, schema: str | None, quote: Quote) -> list[str]:
    """The maintenance function goes with its table."""
    name = partition_maintenance_name(table.name)
    return [f"DROP FUNCTION IF EXISTS {quote(schema)}.{quote(name)}();" if schema else f"DROP FUNCTION IF EXISTS {quote(name)}();"]


def _function(table: str, plan: Partitioning, qualified: Callable[[str], str]) -> list[str]:
    step = _STEP[plan.interval]
    column = _literal(plan.column)
    lines = [
        f"CREATE OR REPLACE FUNCTION {qualified(partition_maintenance_name(table))}() RETURNS void LANGUAGE plpgsql AS $fn$",
        "DECLARE",
        f"    parent regclass := {_literal(qualified(table))}::regclass;",
        f"    fallback regclass := {_literal(qualified(default_partition(table)))}::regclass;",
        "    space text := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent);",
        f"    period_zero timestamp := date_trunc({_literal(plan.interval)}, now() AT TIME ZONE 'UTC');",
        "    period_start timestamptz;",
        "    period_end timestamptz;",
        "    part_name text;",
        "    waiting boolean;",
        "    part record;",
    ]
    if plan.cold_after_days is not None:
        lines += ["    cold oid := (SELECT oid FROM pg_tablespace WHERE spcname = " + _literal(COLD_TABLESPACE) + ");", "    idx regclass;"]
    lines += [
        "BEGIN",
        f"    FOR ahead IN 0..{plan.ahead} LOOP",
        f"        period_start := (period_zero + ahead * interval {_literal(step)}) AT TIME ZONE 'UTC';",
        f"        period_end := (period_zero + (ahead + 1) * interval {_literal(step)}) AT TIME ZONE 'UTC';",
        f"        part_name := {_literal(partition_prefix(table) + '_p')} || to_char(period_start AT TIME ZONE 'UTC', 'YYYYMMDD');",
        "        CONTINUE WHEN to_regclass(format('%I.%I', space, part_name)) IS NOT NULL;",
        f"        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1 AND %I < $2)', fallback, {column}, {column})",
        "            INTO waiting USING period_start, period_end;",
        "        IF waiting THEN",
        "            -- rows that came before their partition: moved out of the default one, which would refuse the new range",
        "            EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', space, part_name, parent);",
        "            EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',",
        f"                fallback, {column}, {column}, space, part_name) USING period_start, period_end;",
        "            EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)', parent, space, part_name, period_start, period_end);",
        "        ELSE",
        "            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', space, part_name, parent, period_start, period_end);",
        "        END IF;",
        "    END LOOP;",
    ]
    if plan.cold_after_days is not None or plan.expire_after_days is not None:
        lines += [
            "    FOR part IN",
            "        SELECT c.oid::regclass AS rel, c.reltablespace,",
            "            substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)')::timestamptz AS ends",
            "        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid",
            "        WHERE i.inhparent = parent",
            "    LOOP",
            "        CONTINUE WHEN part.ends IS NULL;  -- the default partition",
        ]
        if plan.expire_after_days is not None:
            age = f"interval '{plan.expire_after_days:.0f} days'"
            action = (
                "EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part.rel);  -- the export copies it, then drops it"
                if plan.archive_to
                else "EXECUTE format('DROP TABLE %s', part.rel);"
            )
            lines += [f"        IF part.ends <= now() - {age} THEN", f"            {action}", "            CONTINUE;", "        END IF;"]
        if plan.cold_after_days is not None:
            age = f"interval '{plan.cold_after_days:.0f} days'"
            lines += [
                f"        IF cold IS NOT NULL AND part.ends <= now() - {age} AND part.reltablespace IS DISTINCT FROM cold THEN",
                f"            EXECUTE format('ALTER TABLE %s SET TABLESPACE %I', part.rel, {_literal(COLD_TABLESPACE)});",
                "            FOR idx IN SELECT indexrelid::regclass FROM pg_index WHERE indrelid = part.rel LOOP",
                f"                EXECUTE format('ALTER INDEX %s SET TABLESPACE %I', idx, {_literal(COLD_TABLESPACE)});",
                "            END LOOP;",
                "        END IF;",
            ]
        lines.append("    END LOOP;")
    lines += ["END", "$fn$;"]
    return lines
