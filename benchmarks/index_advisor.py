"""Index advisor on a synthetic shop: planner cost before and after its recommendations, then real run times.

Starts a throwaway PostgreSQL (the test suite's helper), loads customers, orders and order
lines with enough rows for the planner to care (--scale 1 = 100k customers, 1M orders,
3M lines), runs the advisor on the workload below (HypoPG costing, read-only), then creates
the recommended indexes for real and times each query before and after (median of 5
EXPLAIN ANALYZE runs), so the estimate is checked against the clock.

    .venv/bin/python benchmarks/index_advisor.py            # scale 1
    .venv/bin/python benchmarks/index_advisor.py --scale 0.2
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

WORKLOAD = """\
-- calls: 2000
SELECT id, total, created_at FROM orders WHERE customer_id = 4242 ORDER BY created_at DESC LIMIT 20;
-- calls: 500
SELECT id FROM customers WHERE lower(email) = 'user77@example.com';
-- calls: 300
SELECT product_id, quantity FROM order_lines WHERE order_id = 123456;
-- calls: 100
SELECT id, total FROM orders WHERE status = 'open' AND created_at > timestamptz '2025-12-24' ORDER BY created_at;
-- calls: 50
SELECT c.country, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at >= timestamptz '2025-12-01' GROUP BY c.country;
-- calls: 20
SELECT sum(l.quantity) FROM order_lines l WHERE l.product_id = 77;
"""


def schema(scale: float) -> str:
    customers, orders, lines = int(100_000 * scale), int(1_000_000 * scale), int(3_000_000 * scale)
    return f"""
CREATE EXTENSION hypopg;
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, country text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), status text NOT NULL,
                     total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE order_lines (order_id bigint NOT NULL REFERENCES orders (id), line int NOT NULL, product_id bigint NOT NULL, quantity int NOT NULL,
                          PRIMARY KEY (order_id, line));
INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['de','fr','us','uk','es','it'])[1 + g % 6] FROM generate_series(1, {customers}) g;
INSERT INTO orders SELECT g, 1 + (g::bigint * 7919) % {customers}, (ARRAY['open','paid','shipped','done','done','done','done','done','done','done'])[1 + g % 10],
                          (g % 1000) / 3.0, timestamptz '2026-01-01' - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second'
                   FROM generate_series(1, {orders}) g;
INSERT INTO order_lines SELECT 1 + (g - 1) / 3, 1 + (g - 1) % 3, 1 + (g::bigint * 31) % 5000, 1 + g % 4 FROM generate_series(1, {lines}) g;
ANALYZE;
"""


def timed(url: str, query: str) -> float:
    """Median execution time (ms) of five EXPLAIN ANALYZE runs."""
    import psycopg

    runs = []
    with psycopg.connect(url, autocommit=True) as connection:
        for _ in range(5):
            plan = connection.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query}").fetchone()[0]  # type: ignore[index]
            document = plan if isinstance(plan, list) else json.loads(plan)
            runs.append(float(document[0]["Execution Time"]))
    return statistics.median(runs)


def main() -> None:
    from backend_architect.advisor.candidates import parse_workload
    from backend_architect.advisor.costing import advise
    from backend_architect.report.advice import render_text
    from pg_server import start_server

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    server = start_server()
    try:
        server.psql("CREATE DATABASE shop;")
        started = time.perf_counter()
        server.psql(schema(args.scale), "shop")
        print(f"loaded in {time.perf_counter() - started:.1f} s")
        url = f"postgresql://postgres@127.0.0.1:{server.port}/shop"
        started = time.perf_counter()
        advice = advise(url, WORKLOAD)
        print(f"advised in {time.perf_counter() - started:.2f} s\n")
        print(render_text(advice))
        queries = [q.text for q in parse_workload(WORKLOAD)]
        before = [timed(url, q) for q in queries]
        for recommendation in advice.recommendations:
            server.psql(recommendation.ddl, "shop")
        server.psql("ANALYZE;", "shop")
        after = [timed(url, q) for q in queries]
        print(f"{'query':<72} {'cost before':>12} {'cost after':>11} {'ms before':>10} {'ms after':>9}")
        for query, cost, ms_before, ms_after in zip(queries, advice.queries, before, after, strict=True):
            print(f"{' '.join(query.split())[:72]:<72} {cost.before:12,.0f} {cost.after:11,.0f} {ms_before:10.2f} {ms_after:9.2f}")
        weights = [q.calls for q in parse_workload(WORKLOAD)]
        total_before = sum(w * t for w, t in zip(weights, before, strict=True))
        total_after = sum(w * t for w, t in zip(weights, after, strict=True))
        print(
            f"\nestimated workload cost {advice.total_before:,.0f} -> {advice.total_after:,.0f}; measured {total_before:,.0f} ms -> {total_after:,.0f} ms (weighted by calls)"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
