"""The spec language (v1): what a user writes to describe a system.

Every model forbids unknown keys (with a suggestion) and accepts a ``notes`` string
that the engine ignores. Quantities are parsed here, so later stages see numbers.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema, field_validator, model_validator
from pydantic_core import PydanticCustomError

from backend_architect.spec.field_types import FieldType, parse_field_type, suggest
from backend_architect.spec.units import MAX_COUNT, MAX_SECONDS, Rate, parse_bytes, parse_count, parse_distance, parse_duration, parse_fraction, parse_rate

SPEC_VERSION = 1
#: The JSON Schema's id: a URN, so editors and tools can refer to it without a network.
SPEC_SCHEMA_ID = "urn:backend-architect:spec:v1"

IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]*$"
FIELD_NAME = r"^[a-z][a-z0-9_]*$"


def _checked(parse: Any) -> Any:
    def run(value: object) -> object:
        try:
            return parse(value)
        except ValueError as exc:
            raise PydanticCustomError("spec_value", str(exc)) from None

    return run


_COUNT_SCHEMA = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\d[\d,_.]*\s*[kKmMbBGT]?$"}], "examples": ["2M", 1500]}
Count = Annotated[float, BeforeValidator(_checked(parse_count)), WithJsonSchema(_COUNT_SCHEMA)]
Fraction = Annotated[
    float,
    BeforeValidator(_checked(parse_fraction)),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\d+(\.\d+)?\s*%?$"}], "examples": ["99.9%", 0.5]}),
]
Seconds = Annotated[
    float,
    BeforeValidator(_checked(parse_duration)),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\d+(\.\d+)?\s*[a-z]+$"}], "examples": ["30s", "5m", "90d"]}),
]
Bytes = Annotated[
    int,
    BeforeValidator(_checked(parse_bytes)),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^\d+(\.\d+)?\s*[a-zA-Z]*$"}], "examples": [512, "2KB"]}),
]
Meters = Annotated[
    float,
    BeforeValidator(_checked(parse_distance)),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\d+(\.\d+)?\s*(m|km|mi)$"}], "examples": ["5km", "500m"]}),
]
RateValue = Annotated[
    Rate,
    BeforeValidator(_checked(parse_rate)),
    PlainSerializer(lambda r: r.text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\s*\d[\d,_.]*\s*[kKmMbBGT]?\s*(/|per\s+)\s*[a-z]+\s*$", "examples": ["800/s", "2M/day", "10M/month"]}),
]


def _one_or_many_schema(item: dict[str, Any]) -> Any:
    return WithJsonSchema({"anyOf": [item, {"type": "array", "items": item}]})


Names = Annotated[list[str], _one_or_many_schema({"type": "string"})]
Relations = Annotated[
    dict[Annotated[str, Field(pattern=FIELD_NAME)], str],
    WithJsonSchema(
        {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "object", "additionalProperties": {"type": "string"}}]}
    ),
]


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors with a suggestion; ``notes`` is free text."""

    # strict: a YAML true is not the number 1, nor 404 the text "404", in a spec;
    # allow_inf_nan: NaN and infinities pass every ge/le bound, and no figure can be computed from them
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, strict=True, allow_inf_nan=False)

    notes: str | None = Field(default=None, description="Free text for people; the engine ignores it.")

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(cls.model_fields)
            for key in data:
                if key not in known:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'{hint}",
                        {"key": str(key), "hint": suggest(str(key), known - {"notes"})},
                    )
        return data


OnDelete = Literal["cascade", "restrict", "set_null"]
KeyStrategy = Literal["auto", "uuid", "identity", "short_code", "slug"]
PageStyle = Literal["cursor", "offset", "none"]


class MediaSpec(SpecModel):
    """What is made of an uploaded blob before it is served: encodings, sizes, thumbnails."""

    transcode: Names = Field(default_factory=list, description="Encodings to produce, e.g. [h264, vp9].")
    renditions: Names = Field(default_factory=list, description="Sizes or qualities to produce, e.g. [1080p, 720p] or [thumb, large].")
    thumbnails: bool = Field(default=False, description="Also produce preview images.")
    # a share kept is a quantity the author may state; NaN and infinities are refused by its bounds
    compress: bool | Annotated[float, Field(gt=0, lt=1)] = Field(
        default=False,
        description="Store a compressed copy in place of each upload: true (the share of bytes kept by the field's content kinds: images 0.5 as "
        "WebP at most 1600 px, video 0.6 as H.264, audio 0.5 as Opus, other files 0.8 by zstd; the largest share among its kinds), "
        "or the share kept you measured, e.g. 0.4.",
    )


class FieldSpec(SpecModel):
    """One field of an entity, in the long form."""

    type: FieldType = Field(description="A compact type such as string(100), money, enum[a,b] or ref(User).")
    unique: bool = False
    nullable: bool | None = Field(default=None, description="Defaults to false, or true when the type ends in '?'.")
    # a default is a value for the column, not a quantity: NaN and infinities reach spec/values.py, which says why the column refuses them
    default: str | int | Annotated[float, Field(allow_inf_nan=True)] | bool | None = None
    pii: bool = Field(default=False, description="Personal data: encrypted at rest where sensitive, never logged.")
    secret: bool = Field(default=False, description="Never returned by an API nor logged (passwords, tokens).")
    avg_bytes: Bytes | None = Field(default=None, description="Average stored size, for capacity figures.")
    index: bool = Field(default=False, description="Index this column even if no use case filters on it.")
    # a share is a quantity the author may state; NaN and infinities are refused by its bounds
    share: Annotated[Fraction, Field(gt=0, le=1)] | None = Field(
        default=None,
        description="For an optional field: the share of rows that set it, e.g. 5% (messages that carry a file); every row when left out. "
        "Counts the checks of an optional reference and the bytes of an optional blob.",
    )
    media: MediaSpec | None = Field(default=None, description="For a blob: process it after upload (transcode, renditions, thumbnails, compress).")
    max_bytes: Bytes | None = Field(
        default=None, description="For a blob: the largest upload accepted (e.g. 25MB); 20 x avg_bytes (at least 10 MB) when left out."
    )
    content_types: Names = Field(
        default_factory=list,
        description="For a blob: the content types an upload may declare (e.g. [image/jpeg, image/png]); by the field's name when left out.",
    )
    generated: bool | None = Field(
        default=None,
        description="true: the server sets it (a code, a total, a counter), never a request; false: clients set it, "
        "whatever the design's rules say (a status chosen at creation). Left out, the design decides.",
    )
    countries: Literal["blocked", "allowed"] | None = Field(
        default=None,
        description="The field holds country codes (ISO 3166-1 alpha-2) that restrict its item: blocked (the item is refused to callers "
        "from these countries) or allowed (served only there); on a list field of the item (blocked_countries: {type: json, countries: "
        "blocked}) or on the country of a child entity (GeoBlock part_of Video, country: {type: string(2), countries: blocked}). Read "
        "from the names when left out (blocked_countries, allowed_countries; a GeoBlock or CountryBlock child's country).",
    )
    on_delete: OnDelete | None = Field(
        default=None, description="For a ref: what deleting the referenced row does (cascade, restrict, set_null); chosen by the design when left out."
    )
    description: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _parse_type(cls, value: Any) -> Any:
        if isinstance(value, FieldType):
            return value
        if not isinstance(value, str):
            raise PydanticCustomError("spec_value", "expected a compact type such as string(100) or ref(User)")
        try:
            return parse_field_type(value)
        except ValueError as exc:
            raise PydanticCustomError("spec_value", str(exc)) from None

    @property
    def is_nullable(self) -> bool:
        return self.nullable if self.nullable is not None else self.type.nullable

    @property
    def set_share(self) -> float:
        """The share of rows (and of the requests writing them) that set the field: an optional field's stated ``share``, else every row."""
        return self.share if self.share is not None and self.is_nullable else 1.0


def _field_short_form(value: Any) -> Any:
    # a bare compact type ("string(100)") is the short form of {type: ...}
    return {"type": value} if isinstance(value, str) else value


FieldValue = Annotated[FieldSpec, BeforeValidator(_field_short_form)]


class PresenceSpec(SpecModel):
    """Whether someone is online now: kept from heartbeats, gone after a silence."""

    offline_after: Seconds = Field(default=60.0, gt=0, le=86_400, description="Silence after which someone counts as offline, e.g. 30s.")


def _presence_short_form(value: Any) -> Any:
    if value is True:
        return {}
    return value


StateValues = Annotated[list[str | bool], _one_or_many_schema({"anyOf": [{"type": "string"}, {"type": "boolean"}]})]


class UniqueWhileSpec(SpecModel):
    """A key unique among the rows in some states only: at most one open ride per driver, one active plan per account."""

    fields: Names = Field(min_length=1, description="The fields (or relations) that form the key, e.g. [driver].")
    when: dict[Annotated[str, Field(pattern=FIELD_NAME)], StateValues] = Field(
        min_length=1,
        description="The states in which the key must be unique: an enum or bool field of the entity -> its values, e.g. {status: [accepted, started]}.",
    )

    @field_validator("fields", mode="before")
    @classmethod
    def _one_field(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("when", mode="before")
    @classmethod
    def _one_value(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v if isinstance(v, list) else [v] for k, v in value.items()}
        return value


UniqueKey = list[str] | UniqueWhileSpec
UniqueKeys = Annotated[
    list[UniqueKey],
    _one_or_many_schema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
                {
                    "type": "object",
                    "description": UniqueWhileSpec.__doc__,
                    "properties": {
                        "fields": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
                        "when": {
                            "type": "object",
                            "minProperties": 1,
                            "additionalProperties": {
                                "anyOf": [{"type": "string"}, {"type": "boolean"}, {"type": "array", "items": {"type": ["string", "boolean"]}}]
                            },
                        },
                        "notes": {"type": "string"},
                    },
                    "required": ["fields", "when"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class EntitySpec(SpecModel):
    """A thing the system stores: fields, relationships and size hints."""

    description: str | None = None
    fields: dict[Annotated[str, Field(pattern=FIELD_NAME)], FieldValue] = Field(default_factory=dict)
    part_of: str | None = Field(default=None, description="The aggregate this entity is part of (composition): created, read and deleted with its parent.")
    many_to_many: Relations = Field(default_factory=dict, description="Entities linked through a join table: a list of names, or relation name -> entity.")
    unique: UniqueKeys = Field(
        default_factory=list,
        description="Composite unique keys, as lists of fields; {fields: [driver], when: {status: [accepted, started]}} for a key unique "
        "only among rows in those states (a partial unique index: at most one open ride per driver).",
    )
    key: KeyStrategy = Field(
        default="auto",
        description="The primary key: uuid, identity (bigint), auto (the design chooses); short_code or slug for a public short identifier.",
    )
    rows: Count | None = Field(default=None, description="Rows today.")
    growth: RateValue | None = Field(default=None, description="New rows over time, e.g. 5k/day.")
    avg_per_parent: float | None = Field(
        default=None,
        ge=0,
        le=1e9,
        description="Rows per row of the parent: part_of, else the first required reference; on a many-to-many target without a parent "
        "(Tag), its links per row of the entity listing it (a video's 5 tags).",
    )
    max_per_parent: float | None = Field(
        default=None,
        ge=1,
        le=1e12,
        description="The most rows one parent may have, e.g. 100 members a group; on a many-to-many target without a parent, the most links "
        "one create sets (a video's 20 tags).",
    )
    presence: Annotated[PresenceSpec | None, BeforeValidator(_presence_short_form)] = Field(
        default=None, description="Track whether each row (a person, a device) is online: true, or {offline_after: 30s}."
    )
    append_only: bool = Field(default=False, description="Rows are never updated (events, logs, readings).")
    analytics: bool = Field(
        default=False,
        description="Rows are recorded for metrics and analytics (views, plays, clicks): every insert and update flows as an event into "
        "the analytics store, even when the row is updated or no use case reads an aggregate.",
    )
    tenant_scoped: bool = Field(default=False, description="Rows belong to a tenant; queries are always per tenant.")
    soft_delete: bool = Field(default=False, description="Deletes set deleted_at instead of removing the row.")
    retention: Seconds | None = Field(default=None, description="How long rows are kept, e.g. 90d.")

    @field_validator("unique", mode="before")
    @classmethod
    def _unique_lists(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [[item] if isinstance(item, str) else item for item in value]
        return value

    @field_validator("many_to_many", mode="before")
    @classmethod
    def _relation_names(cls, value: Any) -> Any:
        """``[Tag]`` names each relation after its entity's plural (``tags``); a mapping names them."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return {default_relation(v): v for v in value}
        return value


def default_relation(entity: str) -> str:
    """The name a many-to-many relation gets from its entity: ``Tag`` -> ``tags``.

    >>> default_relation("OrderLine")
    'order_lines'
    """
    from backend_architect.spec.naming import table_name

    return table_name(entity)


class ScaleSpec(SpecModel):
    """How big the system is and how it is used."""

    users: Count | None = None
    daily_active: Count | None = None
    growth_per_year: Fraction | None = Field(default=None, description="Yearly growth of data and traffic, e.g. 50%.")
    retention_years: float | None = Field(default=None, gt=0, le=100)
    availability: Fraction | None = Field(default=None, description="Target availability, e.g. 99.9%.")
    regions: Names = Field(
        default_factory=list,
        description="Regions or data centres the system runs in, the first serving; naming a second (a disaster-recovery site) "
        "adds active-passive standby in it, or active-active when writes cannot afford the round trip (PAT049).",
    )
    rates: Literal["peak", "average"] = Field(default="average", description="Whether use-case rates are given as averages or as peaks.")
    peak_factor: float | None = Field(default=None, ge=1, le=100, description="Peak rate over average rate.")
    requests: RateValue | None = Field(default=None, description="All requests to the system, e.g. 1B/day: a check on the use cases' rates.")
    concurrent_users: Count | None = Field(default=None, description="People connected at the same moment at peak.")
    concurrent_connections: Count | None = Field(
        default=None, description="Open client connections at peak (real-time delivery); concurrent_users when not given."
    )

    @field_validator("regions", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class TeamSpec(SpecModel):
    """Who builds and runs the system."""

    size: int = Field(ge=1, le=10_000)
    teams: int | None = Field(
        default=None,
        ge=1,
        le=1_000,
        description="How many teams build it, where the requirements say (one team of 10 is one team: one deployable); "
        "left out, a team of more than 8 engineers is taken for several teams.",
    )


Compliance = Literal["gdpr", "pci", "hipaa", "soc2"]


_Ms = Annotated[float | None, Field(default=None, gt=0, le=60_000)]


class OperationMs(SpecModel):
    """Measured latencies of one operation, in milliseconds; each left out is assumed (design/latency.py lists the figures)."""

    edge: _Ms = Field(default=None, description="The load balancer or API gateway in front of the services.")
    service: _Ms = Field(default=None, description="A service's own work on a request.")
    cdn_hit: _Ms = Field(default=None, description="A CDN answering from its edge cache.")
    l1_hit: _Ms = Field(default=None, description="An instance's in-process cache.")
    cache: _Ms = Field(default=None, description="One round trip to Redis.")
    indexed_read: _Ms = Field(default=None, description="A read of one row by an index.")
    range_page: _Ms = Field(default=None, description="An index range scan returning one page.")
    commit: _Ms = Field(default=None, description="A commit with its write-ahead log flushed.")
    sync_replica: _Ms = Field(default=None, description="A synchronous standby's acknowledgement added to a commit.")
    search: _Ms = Field(default=None, description="A search engine query.")
    analytics: _Ms = Field(default=None, description="A column store's aggregate query.")
    quorum_read: _Ms = Field(default=None, description="A wide-column store's read of one partition's page at a quorum of its copies.")
    quorum_write: _Ms = Field(default=None, description="A wide-column store's write acknowledged by a quorum of its copies.")
    lightweight_transaction: _Ms = Field(
        default=None, description="A wide-column store's conditional insert (INSERT ... IF NOT EXISTS): a Paxos round of four quorum round trips."
    )


class ConstraintsSpec(SpecModel):
    """Choices made before the design starts."""

    language: str | None = Field(default=None, description="python, typescript, go, java, kotlin, csharp, rust...")
    prefer: list[str] = Field(default_factory=list, description="Technologies to use where they fit.")
    avoid: list[str] = Field(default_factory=list, description="Technologies not to use.")
    compliance: list[Compliance] = Field(default_factory=list)
    auth: str | None = Field(default=None, description="The identity provider, e.g. auth0, keycloak, cognito.")
    cloud: str | None = None
    instance_rps: Count | None = Field(
        default=None, description="Requests/s one instance of the service sustains (measured); a per-runtime planning figure when left out."
    )
    operation_ms: OperationMs = Field(
        default_factory=lambda: OperationMs(),
        description="Measured milliseconds of one operation, replacing the assumed figure each flow's expected latency is summed from.",
    )
    postgres_version: int | None = Field(
        default=None,
        ge=15,
        le=30,
        description="Major PostgreSQL version the database will run (15 or later), e.g. 18 (which has uuidv7() built in); 16 when left out.",
    )


#: External kinds that deliver notifications to devices (the push providers).
PUSH_KINDS = frozenset({"push", "notification", "notifications"})


class ExternalSpec(SpecModel):
    """A system outside ours that the design calls or is called by."""

    kind: str | None = Field(default=None, description="payment, email, sms, identity, storage, search...")
    description: str | None = None
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_SECONDS * 1000)
    availability: Fraction | None = None
    rate_limit: RateValue | None = None
    share: Fraction | None = Field(
        default=None,
        description="For a push provider: its share of the push notifications (its platform's share of devices), e.g. 45%; "
        "the push providers without one split what the stated shares leave equally.",
    )

    @field_validator("rate_limit")
    @classmethod
    def _some_calls_pass(cls, value: Rate | None) -> Rate | None:
        if value is not None and value.per_second <= 0:
            raise PydanticCustomError("spec_value", "a rate limit lets some calls through: write one above 0, such as 100/s")
        return value


class TopSpec(SpecModel):
    """A ranking read: the k items with the highest count or sum, over a sliding window."""

    by: Literal["count", "sum", "score"] = Field(default="count", description="Rank by how often (count), a sum of a field, or a score field.")
    field: str | None = Field(default=None, description="The field grouped by (count) or added up / read (sum, score).")
    k: int = Field(default=10, ge=1, le=10_000, description="How many to return.")
    window: Seconds | None = Field(default=None, description="Only the last window counts, e.g. 1h; all time when left out.")


class SeriesSpec(SpecModel):
    """A time-series read: a value aggregated per time bucket over a recent range."""

    field: str = Field(description="The field aggregated, e.g. value.")
    aggregate: Literal["avg", "sum", "min", "max", "count", "last"] = "avg"
    every: Seconds = Field(default=60.0, gt=0, description="Bucket size, e.g. 1m.")
    over: Seconds | None = Field(default=None, gt=0, description="The range read, e.g. 24h.")


class TraverseSpec(SpecModel):
    """A graph read over a self-referencing relation: degrees of separation, friends of friends."""

    via: str = Field(description="The relation walked: Entity.field (a ref to the same kind) or a many-to-many relation.")
    depth: int = Field(default=2, ge=1, le=12, description="The most hops followed.")
    out_degree: float | None = Field(default=None, gt=0, le=MAX_COUNT, description="Average edges per node (friends per person).")


class DeliverSpec(SpecModel):
    """Pushing what a use case writes to connected clients as it happens."""

    mode: Literal["realtime", "push", "poll"] = Field(default="realtime", description="realtime (a live connection), push (notifications), poll.")
    to: str | None = Field(
        default=None,
        description="Who receives it: an actor, or Entity.field naming the recipients. A field referring to a client (the people, "
        "an entity some actor is, one with presence, a row no person authors such as a restaurant's tablet) sends each message to "
        "that row's connection; a field referring to an item (a question a read subscribes to, or one people author) sends it to "
        "the item's watchers, whose rows hold no connection. Rows no use case creates are not read: the write's proximity query "
        "(near) names the recipients instead.",
    )
    subscribers: Count | None = Field(
        default=None,
        description="Clients subscribed to it at peak, e.g. 500 partners on a firehose: a channel with no key sends each message to every one, "
        "a keyed one to those watching the key (stated on a write with to: Entity.field, it makes the target an item its watchers "
        "follow; on a write with to: <actor>, it counts that actor's clients online); the subscribing actor's clients online when not given.",
    )


def _deliver_short_form(value: Any) -> Any:
    if isinstance(value, str):
        return {"mode": value}
    if value is True:
        return {}
    return value


def _top_short_form(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"k": value}
    return value


def _traverse_short_form(value: Any) -> Any:
    if isinstance(value, str):
        return {"via": value}
    return value


UseCaseKind = Literal["create", "get", "list", "update", "replace", "delete", "action", "job"]

#: Page size a list returns when the client asks for none, and the most it may ask for.
DEFAULT_PAGE_LIMIT = 20
DEFAULT_PAGE_MAX = 100


class PageSpec(SpecModel):
    """How a list is paged: the style, the default page size and the largest a client may ask for."""

    style: PageStyle = Field(default="cursor", description="cursor (default), offset, or none (the whole result).")
    limit: int = Field(default=DEFAULT_PAGE_LIMIT, ge=1, le=10_000, description="Items per page when the client asks for no limit.")
    max: int = Field(default=DEFAULT_PAGE_MAX, ge=1, le=10_000, description="The largest page a client may ask for.")

    @model_validator(mode="after")
    def _limit_within_max(self) -> PageSpec:
        if self.limit > self.max:
            raise PydanticCustomError("spec_value", "page.limit ({limit}) must be at most page.max ({max})", {"limit": self.limit, "max": self.max})
        return self


def _page_short_form(value: Any) -> Any:
    if isinstance(value, str):
        return {"style": value}
    return value


PageValue = Annotated[PageSpec, BeforeValidator(_page_short_form)]


class UseCaseSpec(SpecModel):
    """Something an actor does, with the data it touches and how often."""

    name: str = Field(min_length=1, max_length=120)
    description: str | None = None
    kind: UseCaseKind | None = Field(default=None, description="Overrides the kind inferred from the name.")
    actor: str = Field(default="user", pattern=IDENTIFIER)
    auth: Literal["required", "optional", "none"] = "required"
    owner_only: bool = Field(default=False, description="Only the owner of the data may do this.")
    access: Literal["members", "public"] = Field(
        default="members",
        description="Who may call a use case scoped by an entity with members (a chat, a project: an entity holding a reference to the "
        "caller's entity, unique per scope and user): members (the default: others get 404) or public (any signed-in caller).",
    )
    reads: Names = Field(default_factory=list, description="Entities or Entity.field read.")
    writes: Names = Field(default_factory=list, description="Entities or Entity.field written.")
    filter: Names = Field(default_factory=list, description="Fields compared for equality or range.")
    sort: Names = Field(default_factory=list, description="Fields to order by; a leading '-' is descending.")
    search: Names = Field(default_factory=list, description="Fields searched as full text.")
    page: PageValue = Field(default_factory=PageSpec, description="cursor (default), offset or none, or {style, limit, max}.")
    rate: RateValue | None = None
    consistency: Literal["strong", "eventual"] = "strong"
    staleness: Seconds | None = Field(default=None, description="How old a read may be, e.g. 30s.")
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_SECONDS * 1000)
    avg_fanout: float | None = Field(default=None, ge=0, le=MAX_COUNT, description="Deliveries per write (feeds, notifications).")
    merged_sources: float | None = Field(
        default=None,
        ge=0,
        le=MAX_COUNT,
        description="For a feed precomputed at write time: the followed sources past the fan-out cut-off (not fanned out) each read "
        "merges from the database. Left out: 0 where the readers are no more than the cut-off, else 5.",
    )
    schedule: str | None = Field(default=None, description="For batch jobs: hourly, daily, or a cron expression.")
    every: Seconds | None = Field(
        default=None,
        gt=0,
        description="Each online client of the actor does this once every this long, e.g. 4s (location reports): "
        "with the rate, the actor's clients online at peak are the peak rate x every.",
    )
    calls: Names = Field(default_factory=list, description="External systems called.")
    notify: Names = Field(default_factory=list, description="Who is told when this happens (actors or externals).")
    after: Names = Field(
        default_factory=list,
        description="For a write the server makes in reaction to other writes (a notification after each answer): the use cases "
        "it follows. A consumer of each one's event makes it, once per event, and no client may call it. Left out: none, a request.",
    )
    near: str | None = Field(default=None, description="Proximity: Entity.field of a geo field; rows nearest to a point, within radius.")
    radius: Meters | None = Field(default=None, description="How far 'near' reaches, e.g. 5km; k nearest when left out.")
    latest: bool = Field(default=False, description="Writes replace the latest value per row (a position, a reading); the history is not read.")
    deliver: Annotated[DeliverSpec | None, BeforeValidator(_deliver_short_form)] = Field(
        default=None, description="Push what this writes to connected clients: realtime (a live connection), push, or {mode, to}."
    )
    top: Annotated[TopSpec | None, BeforeValidator(_top_short_form)] = Field(
        default=None, description="A ranking: the k items with the highest count or sum, e.g. {by: count, field: text, k: 10, window: 1h}."
    )
    series: SeriesSpec | None = Field(default=None, description="A time series: {field: value, aggregate: avg, every: 1m, over: 24h}.")
    traverse: Annotated[TraverseSpec | None, BeforeValidator(_traverse_short_form)] = Field(
        default=None, description="A graph walk over a self-referencing relation: {via: Follow.followee, depth: 3}."
    )
    cache: bool | None = Field(default=None, description="false forbids caching this read (whatever the numbers); true asks for it.")
    online: bool | None = Field(
        default=None,
        description="The read answers who is online: each row of an entity with presence it reads carries its online flag and last seen, "
        "looked up in the presence store; every row the read selects comes back, online or not (a flag, not a filter). "
        "Left out: true when the name or description says online, offline or presence.",
    )

    @field_validator("reads", "writes", "filter", "sort", "search", "calls", "notify", "after", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class ServiceSpec(SpecModel):
    """An explicit service boundary (an existing system, or an override)."""

    description: str | None = None
    owns: list[str] = Field(min_length=1, description="Entities whose data this service owns.")
    calls: list[str] = Field(default_factory=list, description="Services this one calls synchronously.")


class DecisionOverride(SpecModel):
    """The spec author's word on one decision or pattern: choose an alternative, forbid it, or force it, and why."""

    choose: str | None = Field(default=None, description="The alternative to take instead of what the numbers chose, by its name.")
    forbid: bool = Field(default=False, description="Do not apply this pattern (or make this decision), whatever the numbers say.")
    force: bool = Field(default=False, description="Apply this pattern even where the numbers say it is not needed.")
    reason: str = Field(min_length=1, description="Why: recorded in the decision ('decided by the spec author').")

    @model_validator(mode="before")
    @classmethod
    def _one_word(cls, data: Any) -> Any:
        # before the fields, so a missing reason and a double word are reported together
        if isinstance(data, dict):
            said = [k for k in ("choose", "forbid", "force") if data.get(k) not in (None, False)]
            if len(said) != 1:
                raise PydanticCustomError(
                    "spec_value",
                    "say exactly one of choose, forbid or force (got {said}), e.g. choose: Apache Kafka with a reason",
                    {"said": ", ".join(said) or "none"},
                )
        return data


class Spec(SpecModel):
    """A whole system, as the user describes it."""

    model_config = ConfigDict(title="backend-architect spec", json_schema_extra={"$id": SPEC_SCHEMA_ID})

    version: Literal[1] = Field(default=1, description="Version of the spec language.")
    system: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z][A-Za-z0-9 _-]*$")
    description: str | None = None
    scale: ScaleSpec = Field(default_factory=ScaleSpec)
    team: TeamSpec | None = None
    constraints: ConstraintsSpec = Field(default_factory=ConstraintsSpec)
    tenant: str | None = Field(default=None, description="The entity that tenant_scoped entities belong to.")
    external: dict[Annotated[str, Field(pattern=IDENTIFIER)], ExternalSpec] = Field(
        default_factory=dict, description="External systems by name; a plain list of names is accepted too."
    )
    entities: dict[Annotated[str, Field(pattern=IDENTIFIER)], EntitySpec] = Field(min_length=1)
    use_cases: list[UseCaseSpec] = Field(default_factory=list)
    services: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")], ServiceSpec] | None = None
    decisions: dict[str, DecisionOverride] = Field(
        default_factory=dict,
        description="Overrides by decision id (as in handoff.json, e.g. messaging, feed.view-home-timeline) or pattern code or name (PAT001).",
    )

    @field_validator("external", mode="before")
    @classmethod
    def _names_as_list(cls, value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return {v: {} for v in value}
        return value


def slug(text: str) -> str:
    """Lower-case words joined by hyphens.

    >>> slug("Place Order!")
    'place-order'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
