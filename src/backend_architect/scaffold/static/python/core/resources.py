"""What the routes operate on: a resource (a table and its designed traits) and an operation's decisions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Column, Table
from sqlalchemy.sql.elements import ColumnElement, TextClause

from .auth import Policy
from .ids import new_sharded_uuid
from .outbox import EventSpec
from .pagination import SortKey
from .refs import Ref


@dataclass(frozen=True)
class ShortKey:
    """A public key the server makes for new rows: ``random`` base62 codes, codes from claimed ``ranges``, or a ``slug`` of ``source``."""

    column: Column[Any]
    method: Literal["random", "ranges", "slug"]
    length: int
    source: Column[Any] | None = None
    #: The allocator table of ``ranges`` (one row per keyed table).
    ranges: Table | None = None


@dataclass(frozen=True)
class Countries:
    """Where an item may be read: ``column`` holds country codes, a JSON list on the item's row (``item_column`` None) or one code a
    row of a child table naming the item in ``item_column``; ``blocked`` refuses the listed countries, ``allowed`` all others."""

    column: Column[Any]
    item_column: Column[Any] | None
    mode: Literal["blocked", "allowed"]
    #: The request header the edge sets to the client's country (ISO 3166-1 alpha-2).
    header: str


@dataclass(frozen=True)
class Members:
    """Who may call a members-only operation: the callers with a membership row (``scope``, ``member``) for the scope the request
    names, or (``row`` set) the scope the addressed row is in; others get ``status`` (404: the scope's existence is not revealed)."""

    scope: Column[Any]
    member: Column[Any]
    row: Column[Any] | None
    status: int
    name: str


@dataclass(frozen=True)
class Resource:
    """An entity's table with the traits the design gave it."""

    name: str
    table: Table
    key: Column[Any]
    key_kind: Literal["uuid", "int"]
    to_api: Callable[[dict[str, Any]], dict[str, Any]]
    #: The item's URL path from the row and the request's path values, for Location headers (None when it has no GET).
    location: Callable[[dict[str, Any], Mapping[str, Any]], str] | None
    outbox: Table
    idempotency: Table
    #: Keys the service makes (UUIDv7); None when the database generates them (identity).
    new_key: Callable[[], uuid.UUID] | None = None
    #: The shard key whose logical shard the ids carry (the design shards the table by it and reads rows by id alone).
    id_shard: Column[Any] | None = None
    version: Column[Any] | None = None
    tenant: Column[Any] | None = None
    deleted_at: Column[Any] | None = None
    updated_at: Column[Any] | None = None
    #: Composition: the parent resource and this table's column pointing at it.
    parent: Parent | None = None
    #: The column item paths address rows by (a public short key), when it is not the key.
    address: Column[Any] | None = None
    short_key: ShortKey | None = None
    #: Columns whose latest value the design may keep outside the row (Redis), merged into every read.
    latest: tuple[Column[Any], ...] = ()

    @property
    def lookup(self) -> Column[Any]:
        return self.address if self.address is not None else self.key

    def make_key(self, row_values: Mapping[str, Any]) -> uuid.UUID | None:
        """A new key for a row of ``row_values`` when the service makes keys (else None: the database does); an id carrying
        its shard is made last, once the row holds its shard key (a parent id, the caller's id)."""
        if self.new_key is None:
            return None
        return new_sharded_uuid(row_values.get(self.id_shard.name)) if self.id_shard is not None else self.new_key()


@dataclass(frozen=True)
class Parent:
    resource: Resource
    column: Column[Any]


@dataclass(frozen=True)
class Filter:
    """A query (or path) parameter narrowing the rows: equality, or one bound of a range, on a column of the row or a joined one."""

    param: str
    at: Ref
    op: Literal["eq", "ge", "lt"] = "eq"


@dataclass(frozen=True)
class Search:
    """Full-text search over the searched columns: the design's GIN index, or the search engine's documents of them."""

    param: str
    columns: tuple[Ref, ...]
    config: str
    #: The index the documents live in when the design placed them in a search engine (None: PostgreSQL's GIN).
    engine_index: str | None = None
    #: The column the engine routes documents by (every search carries its value, so a query reads one shard); None: unrouted.
    routing: str | None = None


@dataclass(frozen=True)
class Near:
    """Proximity: the point's columns, the geohash precision of its cell index, a radius read or the k nearest, the Redis GEO set."""

    lat: Column[Any]
    lon: Column[Any]
    cell: Column[Any]
    precision: int
    radius: bool
    geo_key: str | None = None


@dataclass(frozen=True)
class Walk:
    """A graph walk over an edge table (``source`` -> ``target``), at most ``depth`` hops."""

    source: Column[Any]
    target: Column[Any]
    depth: int


@dataclass(frozen=True)
class Feed:
    """A feed the design precomputes per reader (a Redis list written by the fan-out worker); the join rebuilds it."""

    key: str
    keep: int
    #: Seconds a list lives after its last read (the design's active-reader window); None: forever.
    ttl_s: float | None = None


@dataclass(frozen=True)
class Child:
    """Parts written with their parent in the same transaction."""

    prop: str
    resource: Resource
    column: Column[Any]
    values: Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Made:
    """A row the server writes with a create that its body does not list (the creator's membership, a part the server makes):
    ``column`` names the new row, ``caller`` is the token's subject, ``values`` are constants, ``stamped`` the request's time."""

    resource: Resource
    column: Column[Any]
    caller: Column[Any] | None
    values: Mapping[str, Any]
    stamped: Sequence[str] = ()


@dataclass(frozen=True)
class Embedded:
    """Rows a get answers inside its item: the children naming it (``column`` on their table, newest ``limit``), or the row
    it references (``column`` on the item's table)."""

    prop: str
    resource: Resource
    column: Column[Any]
    relation: Literal["children", "reference"]
    limit: int = 1


@dataclass(frozen=True)
class LinkSet:
    """Links a create sets in its body (a video's tags): rows of a join table, written in the create's transaction.

    ``source`` and ``target`` are the join table's columns; sent by name, ``key`` and ``name`` are the linked table's
    key and unique name column (a name not yet known is inserted), and ``new_key`` makes its keys when the service does.
    """

    prop: str
    source: Column[Any]
    target: Column[Any]
    key: Column[Any] | None = None
    name: Column[Any] | None = None
    new_key: Callable[[], Any] | None = None


@dataclass(frozen=True)
class Total:
    """A total the server computes from the parts: Σ price x quantity, or what ``compute`` (domain.py) returns."""

    amount: Column[Any]
    currency: Column[Any]
    price: tuple[str, str] | None = None
    quantity: str | None = None
    compute: Callable[[dict[str, Any], list[dict[str, Any]]], Any] | None = None


@dataclass(frozen=True)
class Latest:
    """A latest-value write: the columns it overwrites and where the design keeps them (``hash``/``geo`` in Redis, None: the row)."""

    columns: tuple[Column[Any], ...]
    structure: Literal["hash", "geo"] | None
    key: str
    #: Seconds a row's hash lives (its entity's retention), set at the first write; None: it lasts as long as the row.
    ttl_s: float | None = None


@dataclass(frozen=True)
class Presence:
    """A heartbeat: the presence key's time to live and the row's last-seen column."""

    ttl_s: float
    last_seen: Column[Any] | None = None
    #: The local adapter's table of presence expiries.
    table: Table | None = None


@dataclass(frozen=True)
class Operation:
    """One operation of the contract, with every decision the design made for it."""

    policy: Policy
    resource: Resource
    kind: Literal["list", "get", "create", "update", "replace", "delete", "action"]
    owner: Ref | None = None
    conditional: bool = False
    events: Sequence[EventSpec] = ()
    cache_control: str | None = None
    #: Path parameters naming a column besides the key and the parent (``/users/{user_id}/tweets``).
    path_filters: Sequence[Filter] = ()
    #: Lists: filters, the designed index's constant predicate, the orders offered, full-text search, proximity, a walk.
    filters: Sequence[Filter] = ()
    where: Sequence[TextClause] = ()
    sorts: Mapping[str, Sequence[SortKey]] = field(default_factory=dict)
    default_sort: str = ""
    search: Search | None = None
    paging: Literal["cursor", "offset", "none"] = "cursor"
    near: Near | None = None
    walk: Walk | None = None
    feed: Feed | None = None
    #: Gets found by filters instead of the key (``/me/views/by-video?video_id=``).
    lookup: Sequence[Filter] = ()
    children: Sequence[Child] = ()
    #: Rows the server writes in the create's transaction besides the row and its parts (``Operation.made_rows`` of the design).
    made: Sequence[Made] = ()
    #: A get reading several entities: the rows it answers inside its item (the design's ``embeds``).
    embeds: Sequence[Embedded] = ()
    links: Sequence[LinkSet] = ()
    total: Total | None = None
    latest: Latest | None = None
    presence: Presence | None = None
    #: What a cache-aside read may serve from the cache, in seconds (None: the database answers every read).
    cache_ttl: float | None = None
    #: The in-process cache (L1) in front of it: (seconds an entry lives, most entries kept); None: the shared cache alone.
    cache_l1: tuple[float, int] | None = None
    #: The item is refused per country (451): where its countries live (``countries.refuse``).
    countries: Countries | None = None
    #: Members only: the caller's membership of the scope is probed first (``members.require``).
    members: Members | None = None
    #: Personal fields of other users' rows it never answers (``a.b`` inside an embedded row), so no cache holds them either.
    withheld: Sequence[str] = ()


def document(config: str, *columns: Column[Any]) -> ColumnElement[Any]:
    """``to_tsvector('config', coalesce(a, '') || ' ' || coalesce(b, ''))``: the GIN index's expression, so the planner uses it."""
    from sqlalchemy import func, literal_column

    parts = [func.coalesce(c, literal_column("''")) for c in columns]
    joined: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        joined = joined.op("||")(literal_column("' '")).op("||")(part)
    return func.to_tsvector(literal_column(f"'{config}'"), joined)
