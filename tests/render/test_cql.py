"""The CQL of wide-column tables meets its real consumer: cqlsh's own grammar (cqlshlib) parses every statement, and the keys name real columns."""

from __future__ import annotations

import re

import pytest
from cqlshlib.cql3handling import CqlRuleSet

from backend_architect.api import design_spec
from backend_architect.ir.model import Column, Datastore, Table, WideColumn
from backend_architect.render.cql import CQL_TYPES, render_cql
from backend_architect.spec.load import load_spec_bytes

#: Posts appended per thread, paged newest first: the shape PAT055 holds in a wide-column store.
THREADS = """\
system: forum history
entities:
  Thread: {fields: {title: string(120)}, rows: 20M, growth: 1M/day}
  Post:
    fields: {thread: ref(Thread), author: string(40), body: {type: text, avg_bytes: 300}, score: float, tags: json}
    growth: 400M/day
use_cases:
  - {name: write post, actor: member, kind: create, writes: [Post], rate: 400M/day}
  - {name: read thread, actor: member, kind: list, reads: [Post], filter: [thread], sort: [-created_at], consistency: eventual, rate: 800M/day}
  - {name: get post, actor: member, kind: get, reads: [Post], rate: 10M/day}
"""


def _statements(text: str) -> list[list[tuple[str, ...]]]:
    statements, _ = CqlRuleSet.cql_split_statements(text)
    return [tokens for tokens in statements if tokens]


def _parses(tokens: list[tuple[str, ...]]) -> bool:
    return bool(CqlRuleSet.cql_whole_parse_tokens(tokens, startsymbol="Start"))


def test_generated_cql_parses_ok() -> None:
    """A designed wide-column table's CQL is four statements cqlsh parses: the keyspace, the table, its by-id lookup, the keys its keyed write takes."""
    result = design_spec(load_spec_bytes(THREADS.encode(), "spec.yaml"))
    texts = [text for path, text in result.files.items() if path.endswith(".cql")]
    assert len(texts) == 1
    statements = _statements(texts[0])
    assert len(statements) == 4
    assert "idempotency_keys" in texts[0]
    assert all(_parses(s) for s in statements)


def test_broken_cql_does_not_parse_err() -> None:
    """The grammar check is not empty: a table with an unclosed key or a dangling clause is refused."""
    broken = 'CREATE TABLE "k"."t" ("a" int, PRIMARY KEY (("a")) WITH CLUSTERING ORDER BY;'
    assert not all(_parses(s) for s in _statements(broken))


@pytest.mark.parametrize("name", ["order", 'odd"name', "select"])
def test_identifiers_are_quoted_ok(name: str) -> None:
    """A keyword or a quote in a table or column name stays an identifier: the statements still parse and name it quoted."""
    layout = WideColumn(
        technology="ScyllaDB",
        keyspace="k",
        partition_key=[name, "bucket"],
        bucket_from="created_at",
        bucket_days=10,
        clustering=["created_at", "id"],
        replication_factor=3,
        consistency="LOCAL_QUORUM",
        lookup_table=f"{name}_by_id",
    )
    columns = [Column(name="id", type="uuid"), Column(name=name, type="bigint"), Column(name="created_at", type="timestamptz")]
    table = Table(name=name, columns=columns, primary_key=["id"], wide_column=layout)
    text = render_cql(Datastore(name="db", service="svc", tables=[table]))
    assert text is not None
    assert all(_parses(s) for s in _statements(text))
    assert '"' + name.replace('"', '""') + '"' in text


def test_every_column_type_has_a_cql_type_ok() -> None:
    """Each logical column type maps to a CQL type, so no column of a wide-column table is left out."""
    from typing import get_args

    from backend_architect.ir.model import ColumnType

    assert set(get_args(ColumnType)) == set(CQL_TYPES)
    assert all(re.fullmatch(r"[a-z<>]+", t) for t in CQL_TYPES.values())


@pytest.mark.parametrize(
    ("extra", "cdc"),
    [
        pytest.param("", False, id="no-event-no-cdc"),
        pytest.param("  - {name: search posts, actor: member, reads: [Post], search: [body], rate: 5M/day}\n", True, id="indexer-fed-from-cdc"),
    ],
)
def test_cdc_is_on_where_events_leave_from_the_log_ok(extra: str, cdc: bool) -> None:
    """A wide-column table whose change events the relay reads from the store's CDC log is created with CDC on (else the log the
    design names does not exist), and the statement still parses; a table publishing nothing keeps CDC off."""
    result = design_spec(load_spec_bytes((THREADS + extra).encode(), "threads.yaml"))
    cql = next(text for path, text in result.files.items() if path.endswith(".cql"))
    table = next(s for s in _statements(cql) if any(t[1] == '"posts"' for t in s if len(t) > 1))
    assert ("cdc = {'enabled': true" in cql) is cdc
    assert _parses(table)
    assert any(e.entity == "Post" for e in result.architecture.events) is cdc
