"""An outbox row's id is made as the key decision makes UUIDv7 on the PostgreSQL version the spec names, also in a database
whose own tables hold no UUID key (identity keys only): PostgreSQL 18 has uuidv7() built in, earlier versions get the
schema's uuid_generate_v7(). The DDL property test met an outbox on PostgreSQL 18 defaulting to uuid_generate_v7() (DES008)."""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.spec.load import load_spec_bytes

SPEC = """\
system: posts
constraints: {{postgres_version: {version}}}
entities:
  Author: {{key: {key}, fields: {{name: string(80)}}, rows: 100k}}
  Post: {{key: {key}, fields: {{author: ref(Author), title: string(200), body: text}}, rows: 50M, growth: 500k/day}}
use_cases:
  - {{name: write post, kind: create, writes: [Post], rate: 500k/day}}
  - {{name: search posts, reads: [Post], search: [title, body], page: cursor, rate: 3k/s, consistency: eventual}}
  - {{name: rename author, kind: update, writes: [Author.name], rate: 1k/day}}
  - {{name: list posts of author, reads: [Post, Author], filter: [author], page: cursor, rate: 500/s}}
"""


@pytest.mark.parametrize(
    ("version", "key", "default"),
    [
        pytest.param(18, "identity", "uuidv7()", id="pg18-identity-keys"),
        pytest.param(16, "identity", "uuid_generate_v7()", id="pg16-identity-keys"),
        pytest.param(18, "uuid", "uuidv7()", id="pg18-uuid-keys"),
    ],
)
def test_outbox_ids_follow_the_key_decision_ok(version: int, key: str, default: str) -> None:
    """Every outbox table's id defaults to the UUIDv7 generator of the spec's PostgreSQL version."""
    arch = design_spec(load_spec_bytes(SPEC.format(version=version, key=key).encode(), "spec.yaml")).architecture
    outboxes = [t for s in arch.datastores for t in s.tables if t.role == "outbox"]
    assert outboxes
    for table in outboxes:
        assert next(c.default for c in table.columns if c.name == "id") == default, table.name
