"""A table whose events leave from the store's CDC log is created with the images those events' payloads need.

A CDC log row holds the key and the columns the write set: a delete's only the key, an update's only what changed. An event
promising more of the row is built from ScyllaDB's full preimage and postimage; a create's events, or key-only payloads, need
none. Apache Cassandra's CDC has no images: its option is the flag. Every statement still parses in cqlsh's grammar.
"""

from __future__ import annotations

import pytest
from cqlshlib.cql3handling import CqlRuleSet

from backend_architect.api import design_spec
from backend_architect.render.cql import cdc_option
from backend_architect.spec.load import load_spec_bytes

#: Lines held in a wide-column store; the rows each test adds decide what the indexer's events carry.
BASE = """\
system: chatlog
entities:
  Room: {fields: {name: string(80)}, rows: 5M}
  Line:
    fields: {room: ref(Room), author: string(40), said: {type: text, avg_bytes: 200}}
    growth: 600M/day
use_cases:
  - {name: say line, kind: create, writes: [Line], rate: 600M/day}
  - {name: read room, kind: list, reads: [Line], filter: [room], sort: [-created_at], consistency: eventual, rate: 900M/day}
  - {name: search lines, reads: [Line], search: [said], rate: 10M/day}
"""

EDITS = "  - {name: edit line, kind: update, writes: [Line.said], rate: 20M/day}\n"
REMOVALS = "  - {name: remove line, kind: delete, writes: [Line], rate: 5M/day}\n"
CASSANDRA = "decisions:\n  wide-column: {choose: Cassandra, reason: the team runs it}\n"

IMAGES = "cdc = {'enabled': true, 'preimage': 'full', 'postimage': true}"


def _cdc_line(text: str) -> str:
    cql = next(t for path, t in design_spec(load_spec_bytes(text.encode(), "spec.yaml")).files.items() if path.endswith(".cql"))
    statements, _ = CqlRuleSet.cql_split_statements(cql)
    assert all(CqlRuleSet.cql_whole_parse_tokens(s, startsymbol="Start") for s in statements if s)
    return next(line.strip() for line in cql.splitlines() if "cdc =" in line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(BASE, "AND cdc = {'enabled': true}", id="creates-only-no-images"),
        pytest.param(BASE + EDITS, f"AND {IMAGES}", id="edits-carry-the-row"),
        pytest.param(BASE + EDITS + REMOVALS, f"AND {IMAGES}", id="edits-and-removals"),
        pytest.param(CASSANDRA + BASE + EDITS, "AND cdc = true", id="cassandra-flag"),
    ],
)
def test_cdc_option_gives_the_images_events_need_ok(text: str, expected: str) -> None:
    """The wide-column table's CDC option turns on the images its events' payloads promise, and parses."""
    assert _cdc_line(text) == expected


@pytest.mark.parametrize(
    ("technology", "images", "expected"),
    [
        pytest.param("ScyllaDB", True, IMAGES, id="scylla-images"),
        pytest.param("ScyllaDB", False, "cdc = {'enabled': true}", id="scylla-plain"),
        pytest.param("Apache Cassandra", True, "cdc = true", id="cassandra"),
    ],
)
def test_cdc_option_by_store_ok(technology: str, images: bool, expected: str) -> None:
    """Each store gets the option its own CQL takes."""
    assert cdc_option(technology, images) == expected
