"""A read that records rows (a search logging its query, a view logging the visit) publishes an event that carries them.

A read writes no row of the entity it reads, so its event is the first recorded row's, keyed by that row's id (never the read
entity's, which the operation does not produce); its consumer inserts the recorded rows from the message alone, so every
column of each recorded row but its secrets travels in the payload: the first as the event's own row, any other as a part.
Specs of different shapes: a search whose log is another entity, a lookup by key that records the visit with a secret
column, and a list read recording two entities.
"""

from __future__ import annotations

import functools

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.payloads import event_table
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.naming import snake

LIBRARY = """
system: library
scale: {daily_active: 2M}
entities:
  Book: {fields: {title: string(200), author: string(100)}, rows: 5M}
  Reader: {fields: {name: string(60)}, rows: 2M}
  Lookup: {append_only: true, fields: {phrase: string(120), reader: ref(Reader)?}, growth: 4M/day}
use_cases:
  - {name: add book, actor: librarian, writes: [Book], rate: 1k/day}
  - {name: join library, actor: reader, writes: [Reader], rate: 10k/day}
  - {name: find books, actor: reader, reads: [Book], writes: [Lookup], search: [title, author], page: cursor, rate: 4M/day}
  - name: popular phrases
    actor: reader
    kind: list
    reads: [Lookup]
    top: {by: count, field: phrase, k: 10, window: 1h}
    consistency: eventual
    staleness: 1m
    rate: 1M/day
"""

SHOP = """
system: shop
scale: {daily_active: 1M}
entities:
  Product: {fields: {name: string(100), price: decimal}, rows: 1M}
  Visit: {append_only: true, fields: {product: ref(Product), referrer: string(300), token: {type: string(64), secret: true}}, growth: 20M/day}
use_cases:
  - {name: list product, actor: seller, writes: [Product], rate: 5k/day}
  - {name: view product, actor: shopper, kind: get, reads: [Product], writes: [Visit], rate: 20M/day}
  - {name: product visits, actor: seller, kind: list, reads: [Visit], filter: [product], rate: 100k/day}
"""

FORUM = """
system: forum
scale: {daily_active: 500k}
entities:
  Topic: {fields: {title: string(150)}, rows: 300k}
  Impression: {append_only: true, fields: {topic: ref(Topic), position: int}, growth: 5M/day}
  Trail: {append_only: true, fields: {topic: ref(Topic), page: int}, growth: 5M/day}
use_cases:
  - {name: open topic, actor: member, writes: [Topic], rate: 2k/day}
  - {name: browse topics, actor: member, kind: list, reads: [Topic], writes: [Impression, Trail], sort: [-created_at], page: cursor, rate: 5M/day}
  - {name: topic impressions, actor: moderator, kind: list, reads: [Impression], filter: [topic], rate: 10k/day}
  - {name: topic trails, actor: moderator, kind: list, reads: [Trail], filter: [topic], rate: 10k/day}
"""

#: spec, the read that records, and each recorded table with the columns its consumer inserts (a secret never travels)
CASES = [
    pytest.param(LIBRARY, "find books", {"lookups": {"id", "phrase", "reader_id", "created_at"}}, id="search-log"),
    pytest.param(SHOP, "view product", {"visits": {"id", "product_id", "referrer", "created_at"}}, id="visit-log-with-secret"),
    pytest.param(
        FORUM, "browse topics", {"impressions": {"id", "topic_id", "position", "created_at"}, "trails": {"id", "topic_id", "page", "created_at"}}, id="two-logs"
    ),
]


@functools.cache
def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


@pytest.mark.parametrize(("text", "use_case", "recorded"), CASES)
def test_read_event_carries_the_rows_it_records_ok(text: str, use_case: str, recorded: dict[str, set[str]]) -> None:
    """The event of a read that records rows carries each recorded row's columns, and no secret among them."""
    arch = _designed(text).architecture
    event = next(e for e in arch.events if e.use_case == use_case)
    own = event_table(arch, event.entity)
    assert own is not None
    assert own.name in recorded
    assert event.key == f"{snake(event.entity)}_id"
    carried = {own.name: set(event.fields), **{p.table: {c.name for c in p.columns} for p in event.parts}}
    assert {t: carried.get(t, set()) & cols for t, cols in recorded.items()} == recorded
    secrets = {c.name for c in own.columns if c.secret}
    assert not any(c.secret for p in event.parts for c in p.columns)
    assert not secrets & set(event.fields)


@pytest.mark.parametrize(("text", "use_case", "recorded"), CASES)
def test_asyncapi_payload_names_the_recorded_rows_ok(text: str, use_case: str, recorded: dict[str, set[str]]) -> None:
    """Every AsyncAPI document defining the read's message gives the recorded rows as an array property with their columns."""
    result = _designed(text)
    event = next(e for e in result.architecture.events if e.use_case == use_case)
    own = event_table(result.architecture, event.entity)
    assert own is not None
    documents = [yaml.safe_load(t) for p, t in result.files.items() if p.startswith("asyncapi/")]
    schemas = [d["components"]["schemas"][f"{event.name}Payload"] for d in documents if f"{event.name}Payload" in d["components"]["schemas"]]
    assert schemas
    for schema in schemas:
        assert event.key in schema["required"]
        for table, columns in recorded.items():
            if table == own.name:
                assert {event.key if c == "id" else c for c in columns} <= set(schema["properties"])
            else:
                assert columns <= set(schema["properties"][table]["items"]["properties"])
        assert "token" not in yaml.safe_dump(schema)
