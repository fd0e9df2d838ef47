"""An owner-only read selects by the caller's reference though the spec writes no filter: the shard fan-out, the shard load,
the latency and the access index all count it so, and one section never says 'one shard' where another says 'every shard'."""

from __future__ import annotations

import pytest

from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture, Flow

from .helpers import spec_of, table

RIDES = """\
system: rides
scale: {rates: peak, retention_years: 3}
entities:
  Customer: {fields: {name: string(80)}, rows: 50M}
  Trip: {fields: {customer: ref(Customer), fare: "decimal(10,2)", started_at: datetime}}
use_cases:
  - {name: book trip, actor: customer, kind: create, writes: [Trip], rate: 9k/s}
  - {name: list my trips, actor: customer, kind: list, owner_only: true, reads: [Trip], sort: [-started_at], rate: 2k/s, cache: false}
  - {name: list all trips, actor: staff, kind: list, reads: [Trip], sort: [-started_at], rate: 50/s, cache: false}
"""

NOTES = """\
system: notebook
scale: {rates: peak, retention_years: 5}
entities:
  User: {fields: {email: string(120)}, rows: 10M}
  Note: {fields: {author: ref(User), title: string(120), body: {type: text, avg_bytes: 4000}}}
use_cases:
  - {name: write note, actor: user, kind: create, writes: [Note], rate: 7k/s}
  - {name: my notes, actor: user, kind: list, owner_only: true, reads: [Note], sort: [-created_at], rate: 3k/s, cache: false}
  - {name: read my note, actor: user, kind: get, owner_only: true, reads: [Note], rate: 4k/s, cache: false}
"""

# the orders hash by their store (the first reference), not by the buyer: a buyer's own orders are on every shard
MARKET = """\
system: market
scale: {rates: peak, retention_years: 3}
entities:
  Store: {fields: {name: string(80)}, rows: 100k}
  Buyer: {fields: {name: string(80)}, rows: 20M}
  Order: {fields: {store: ref(Store), buyer: ref(Buyer), total: "decimal(10,2)"}}
use_cases:
  - {name: place order, actor: buyer, kind: create, writes: [Order], rate: 8k/s}
  - {name: store orders, actor: merchant, kind: list, reads: [Order], filter: [store], sort: [-created_at], rate: 900/s, cache: false}
  - {name: list my orders, actor: buyer, kind: list, owner_only: true, reads: [Order], sort: [-created_at], rate: 600/s, cache: false}
"""


def _design(text: str) -> Architecture:
    return design_with_analysis(spec_of(text))[0]


def _flow(arch: Architecture, use_case: str) -> Flow:
    return next(f for f in arch.flows if f.use_case == use_case)


@pytest.mark.parametrize(
    ("text", "name", "key", "use_case", "one_shard"),
    [
        pytest.param(RIDES, "trips", "customer_id", "list my trips", True, id="rides-owner-list-one-shard"),
        pytest.param(RIDES, "trips", "customer_id", "list all trips", False, id="rides-staff-list-every-shard"),
        pytest.param(NOTES, "notes", "author_id", "my notes", True, id="notes-owner-list-one-shard"),
        pytest.param(NOTES, "notes", "author_id", "read my note", True, id="notes-owner-get-one-shard"),
        pytest.param(MARKET, "orders", "store_id", "list my orders", False, id="market-owner-list-by-another-key"),
        pytest.param(MARKET, "orders", "store_id", "store orders", True, id="market-filter-by-key"),
    ],
)
def test_fan_out_counts_the_owner_filter_ok(text: str, name: str, key: str, use_case: str, one_shard: bool) -> None:
    """A read is cross-shard exactly when neither its written filters nor its owner-only filter name the shard key."""
    arch = _design(text)
    sharding = table(arch, name).sharding
    assert sharding is not None
    assert sharding.key == key
    crossing = any(c == use_case or c.startswith(f"{use_case} (") for c in sharding.cross_shard)
    assert crossing is not one_shard, sharding.cross_shard


@pytest.mark.parametrize(
    ("text", "use_case", "said"),
    [
        pytest.param(RIDES, "list my trips", "index range page on one shard (customer_id)", id="rides"),
        pytest.param(NOTES, "my notes", "index range page on one shard (author_id)", id="notes"),
        pytest.param(MARKET, "list my orders", "index range page over", id="market-every-shard"),
    ],
)
def test_latency_tells_the_same_fan_out_ok(text: str, use_case: str, said: str) -> None:
    """The latency of a list reads its shard count from the same selection the data section lists its cross-shard reads by."""
    parts = [p.part for p in _flow(_design(text), use_case).latency_parts]
    assert any(p.startswith(said) for p in parts), parts


@pytest.mark.parametrize(
    ("text", "name", "use_case", "lead"),
    [
        pytest.param(RIDES, "trips", "list my trips", ["customer_id", "started_at desc"], id="rides"),
        pytest.param(NOTES, "notes", "my notes", ["author_id", "created_at desc"], id="notes"),
        pytest.param(MARKET, "orders", "list my orders", ["buyer_id", "created_at desc"], id="market"),
    ],
)
def test_owner_list_index_leads_with_the_owner_ok(text: str, name: str, use_case: str, lead: list[str]) -> None:
    """An owner-only list's index leads with the caller's reference, then its sort, as for a written filter."""
    found = [i for i in table(_design(text), name).indexes if any(use_case in r for r in i.reasons)]
    assert found, [(i.name, i.reasons) for i in table(_design(text), name).indexes]
    columns = [c.name + (" desc" if c.descending else "") for c in found[0].columns]
    assert columns[: len(lead)] == lead


VIDEOS = """\
system: clips
scale: {rates: peak, retention_years: 3}
entities:
  User: {fields: {name: string(80)}, rows: 10M}
  Video:
    key: short_code
    fields: {owner: ref(User), title: string(200), body: {type: text, avg_bytes: 20000}}
use_cases:
  - {name: upload video, actor: user, kind: create, writes: [Video], rate: 7k/s}
  - {name: get video, actor: user, kind: get, reads: [Video], rate: 20k/s, cache: false}
"""

ARTICLES = """\
system: press
scale: {rates: peak, retention_years: 5}
entities:
  Author: {fields: {name: string(80)}, rows: 1M}
  Article:
    key: slug
    fields: {author: ref(Author), title: string(200), body: {type: text, avg_bytes: 30000}}
use_cases:
  - {name: publish article, actor: author, kind: create, writes: [Article], rate: 6k/s}
  - {name: read article, actor: reader, kind: get, reads: [Article], rate: 9k/s, cache: false}
"""

# no public key: a get names the row by its id, which the owner-sharded table cannot hash to a shard; the id carries the
# row's logical shard instead (design/shard_ids.py), unless the database makes it (a bigint identity: every shard)
PARCELS = """\
system: parcels
scale: {rates: peak, retention_years: 3}
entities:
  Sender: {fields: {name: string(80)}, rows: 1M}
  Parcel: {fields: {sender: ref(Sender), weight: "decimal(8,2)", label: {type: text, avg_bytes: 20000}}}
use_cases:
  - {name: send parcel, actor: sender, kind: create, writes: [Parcel], rate: 7k/s}
  - {name: track parcel, actor: courier, kind: get, reads: [Parcel], rate: 3k/s, cache: false}
"""


@pytest.mark.parametrize(
    ("text", "name", "use_case", "crossing"),
    [
        pytest.param(VIDEOS, "videos", "get video", False, id="short-code-through-its-keys-table"),
        pytest.param(ARTICLES, "articles", "read article", False, id="slug-through-its-keys-table"),
        pytest.param(PARCELS, "parcels", "track parcel", False, id="id-carrying-its-shard-on-an-owner-sharded-table"),
        pytest.param(
            PARCELS.replace("  Parcel: {fields:", "  Parcel: {key: identity, fields:"), "parcels", "track parcel", True, id="identity-on-an-owner-sharded-table"
        ),
    ],
)
def test_get_by_a_guarded_key_reaches_one_shard_ok(text: str, name: str, use_case: str, crossing: bool) -> None:
    """A get by a public key a uniqueness table holds (with the row's shard key) reads two single shards, never every shard."""
    sharding = table(_design(text), name).sharding
    assert sharding is not None
    assert sharding.key != "id"
    assert any(c == use_case or c.startswith(f"{use_case} (") for c in sharding.cross_shard) is crossing, sharding.cross_shard


# "my" conversations are those the caller is a member of: the written filter says so, not the creator column
INBOX = """\
system: inbox
entities:
  User: {fields: {name: string(80)}, rows: 1M}
  Conversation: {fields: {created_by: ref(User), title: string(120)}}
  Membership: {fields: {conversation: ref(Conversation), user: ref(User), last_read_at: datetime}}
use_cases:
  - {name: list my conversations, actor: user, owner_only: true, kind: list, reads: [Membership, Conversation], filter: [Membership.user], rate: 10/s}
  - {name: list my started conversations, actor: user, owner_only: true, kind: list, reads: [Conversation], rate: 10/s}
"""


@pytest.mark.parametrize(
    ("use_case", "column"),
    [
        pytest.param("list my conversations", None, id="written-filter-names-the-caller"),
        pytest.param("list my started conversations", "created_by_id", id="unwritten-owner-filter"),
    ],
)
def test_owner_column_yields_to_a_written_filter_on_the_caller_ok(use_case: str, column: str | None) -> None:
    """An owner-only read whose written filter already names the caller selects by that filter, not by another reference."""
    analysis = design_with_analysis(spec_of(INBOX))[1]
    assert next(u for u in analysis.use_cases if u.name == use_case).owner_column == column
