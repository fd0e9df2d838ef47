"""The index advisor: candidates from queries, costed by the planner through HypoPG, chosen greedily under a budget."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from backend_architect.advisor.candidates import Candidate, accesses, candidates_for, parse_workload
from backend_architect.advisor.costing import advise

COLUMNS = {"public.orders": ["id", "customer_id", "status", "total", "created_at"], "public.customers": ["id", "email", "country"]}

SCHEMA = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, country text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), status text NOT NULL,
                     total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['de', 'fr', 'us', 'uk'])[1 + g % 4] FROM generate_series(1, 20000) g;
INSERT INTO orders SELECT g, 1 + (g * 7919) % 1000, (ARRAY['open', 'paid', 'shipped', 'done', 'done', 'done', 'done', 'done'])[1 + g % 8],
                          (g % 1000) / 3.0, timestamptz '2026-01-01' - (g % 365) * interval '1 day' FROM generate_series(1, 200000) g;
ANALYZE;
"""

WORKLOAD = """\
-- calls: 500
SELECT id, total FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 20;
-- calls: 200
SELECT id FROM customers WHERE lower(email) = 'user7@example.com';
-- calls: 20
SELECT id, total FROM orders WHERE status = 'open' AND created_at > timestamptz '2025-12-20' ORDER BY created_at;
SELECT * FROM orders WHERE id = $1;
"""


def test_candidates_follow_equality_sort_range_ok() -> None:
    """Equality columns lead, the sort follows, the range ends; a covering and a partial variant are offered."""
    [access] = accesses("SELECT id, total FROM orders WHERE status = 'open' AND customer_id = $1 ORDER BY created_at DESC", COLUMNS)
    found = candidates_for(access)
    assert found[0] == Candidate("public.orders", ("status", "customer_id", "created_at DESC"))
    assert Candidate("public.orders", ("status", "customer_id", "created_at DESC"), include=("id", "total")) in found
    assert Candidate("public.orders", ("customer_id", "created_at DESC"), where="status = 'open'") in found


def test_join_and_expression_accesses_ok() -> None:
    """Join keys count as equality on both sides; lower(email) = ... asks for an expression index."""
    query = "SELECT c.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE lower(c.email) = 'x' AND o.total > 10"
    found = {a.table: a for a in accesses(query, COLUMNS)}
    assert found["public.orders"].equality == ["customer_id"]
    assert found["public.orders"].ranges == ["total"]
    assert found["public.customers"].expressions == ["lower(email)"]


def test_workload_weights_ok() -> None:
    """A `-- calls: N` line weights the statement after it."""
    assert [q.calls for q in parse_workload(WORKLOAD)] == [500.0, 200.0, 20.0, 1.0]


def _database(postgres: Any, name: str, hypopg: bool) -> str:
    postgres.psql(f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};")
    postgres.psql(("CREATE EXTENSION hypopg;" if hypopg else "") + SCHEMA, name)
    return f"postgresql://postgres@127.0.0.1:{postgres.port}/{name}"


@pytest.mark.postgres
def test_costed_advice_cuts_workload_cost_err(postgres: Any) -> None:
    """With HypoPG the advisor recommends the (customer_id, created_at DESC) index first and the planner's cost falls by over 90%."""
    advice = advise(_database(postgres, "advisor_costed", hypopg=True), WORKLOAD)
    assert advice.method == "hypopg"
    first = advice.recommendations[0]
    assert first.candidate.columns[:2] == ("customer_id", "created_at DESC")
    assert all(q.after < q.before for r in advice.recommendations for q in r.queries)
    assert any("lower(email)" in r.ddl for r in advice.recommendations)
    assert advice.total_after < 0.1 * advice.total_before
    assert all(r.size_bytes > 0 for r in advice.recommendations)


@pytest.mark.postgres
def test_without_hypopg_says_so_and_recommends_by_rule_ok(postgres: Any) -> None:
    """Where HypoPG is missing the advice is by rule, uncosted, and says so."""
    advice = advise(_database(postgres, "advisor_rules", hypopg=False), WORKLOAD)
    assert advice.method == "rules"
    assert "HypoPG is not installed" in advice.notes[0]
    assert any(r.candidate.columns[:1] == ("customer_id",) for r in advice.recommendations)


@pytest.mark.postgres
def test_advise_command_ok(postgres: Any, tmp_path: Any) -> None:
    """The command prints each index with the queries it speeds up and the workload's cost before and after."""
    url = _database(postgres, "advisor_cli", hypopg=True)
    workload = tmp_path / "workload.sql"
    workload.write_text(WORKLOAD)
    result = subprocess.run(
        [sys.executable, "-m", "backend_architect.cli", "advise-indexes", url, "-w", str(workload)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. CREATE INDEX ix_orders_customer_id_created_at ON public.orders (customer_id, created_at DESC")
    assert "by PostgreSQL's planner with HypoPG" in result.stdout.splitlines()[-1]


def test_sorted_range_column_appears_once_ok() -> None:
    """A column that is both sorted on and ranged over is one key, not two."""
    [access] = accesses("SELECT id FROM orders WHERE status = 'open' AND created_at > now() ORDER BY created_at", COLUMNS)
    assert candidates_for(access)[0].columns == ("status", "created_at")


@pytest.mark.postgres
def test_workload_from_pg_stat_statements_err(postgres: Any) -> None:
    """Without a workload file the advisor reads pg_stat_statements and plans its parameterised queries generically."""
    url = _database(postgres, "advisor_statements", hypopg=True)
    postgres.psql("CREATE EXTENSION pg_stat_statements; SELECT pg_stat_statements_reset();", "advisor_statements")
    for customer in (7, 8, 9):
        postgres.psql(f"SELECT id, total FROM orders WHERE customer_id = {customer} ORDER BY created_at DESC LIMIT 20;", "advisor_statements")
    advice = advise(url)
    assert advice.method == "hypopg"
    recommended = [r for r in advice.recommendations if r.candidate.columns[0] == "customer_id"]
    assert recommended
    assert "$1" in recommended[0].queries[0].query
    assert recommended[0].queries[0].calls == 3


def test_variants_have_distinct_names_ok() -> None:
    """A plain, a partial and a covering index on the same keys get different names, so all can be created."""
    names = {
        Candidate("public.orders", ("created_at",)).name,
        Candidate("public.orders", ("created_at",), where="status = 'open'").name,
        Candidate("public.orders", ("created_at",), include=("total",)).name,
    }
    assert len(names) == 3
