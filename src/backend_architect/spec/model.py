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
from backend_architect.spec.units import MAX_COUNT, MAX_SECONDS, Rate, parse_bytes, parse_count, parse_duration, parse_fraction, parse_rate

SPEC_VERSION = 1

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
RateValue = Annotated[
    Rate,
    BeforeValidator(_checked(parse_rate)),
    PlainSerializer(lambda r: r.text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\s*\d[\d,_.]*\s*[kKmMbBGT]?\s*(/|per\s+)\s*[a-z]+\s*$", "examples": ["800/s", "2M/day", "10M/month"]}),
]


def _one_or_many_schema(item: dict[str, Any]) -> Any:
    return WithJsonSchema({"anyOf": [item, {"type": "array", "items": item}]})


Names = Annotated[list[str], _one_or_many_schema({"type": "string"})]
UniqueKeys = Annotated[list[list[str]], _one_or_many_schema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})]


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors with a suggestion; ``notes`` is free text."""

    # allow_inf_nan: NaN and infinities pass every ge/le bound, and no figure can be computed from them
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, allow_inf_nan=False)

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


class FieldSpec(SpecModel):
    """One field of an entity, in the long form."""

    type: FieldType = Field(description="A compact type such as string(100), money, enum[a,b] or ref(User).")
    unique: bool = False
    nullable: bool | None = Field(default=None, description="Defaults to false, or true when the type ends in '?'.")
    default: str | int | float | bool | None = None
    pii: bool = Field(default=False, description="Personal data: encrypted at rest where sensitive, never logged.")
    secret: bool = Field(default=False, description="Never returned by an API nor logged (passwords, tokens).")
    avg_bytes: Bytes | None = Field(default=None, description="Average stored size, for capacity figures.")
    description: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _parse_type(cls, value: Any) -> Any:
        if isinstance(value, FieldType):
            return value
        if not isinstance(value, str):
            raise PydanticCustomError("spec_value", "a field type is a string such as string(100) or ref(User)")
        try:
            return parse_field_type(value)
        except ValueError as exc:
            raise PydanticCustomError("spec_value", str(exc)) from None

    @property
    def is_nullable(self) -> bool:
        return self.nullable if self.nullable is not None else self.type.nullable


def _field_short_form(value: Any) -> Any:
    return {"type": value} if isinstance(value, str) else value


FieldValue = Annotated[FieldSpec, BeforeValidator(_field_short_form)]


class EntitySpec(SpecModel):
    """A thing the system stores: fields, relationships and size hints."""

    description: str | None = None
    fields: dict[Annotated[str, Field(pattern=FIELD_NAME)], FieldValue] = Field(default_factory=dict)
    belongs_to: str | None = Field(default=None, description="Parent entity this one is part of (composition).")
    many_to_many: Names = Field(default_factory=list, description="Entities linked through a join table.")
    unique: UniqueKeys = Field(default_factory=list, description="Composite unique keys, as lists of fields.")
    rows: Count | None = Field(default=None, description="Rows today.")
    growth: RateValue | None = Field(default=None, description="New rows over time, e.g. 5k/day.")
    avg_per_parent: float | None = Field(default=None, ge=0, le=MAX_COUNT, description="Children per parent row (belongs_to).")
    append_only: bool = Field(default=False, description="Rows are never updated (events, logs, readings).")
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
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class ScaleSpec(SpecModel):
    """How big the system is and how it is used."""

    users: Count | None = None
    daily_active: Count | None = None
    growth_per_year: Fraction | None = Field(default=None, description="Yearly growth of data and traffic, e.g. 50%.")
    retention_years: float | None = Field(default=None, gt=0, le=100)
    availability: Fraction | None = Field(default=None, description="Target availability, e.g. 99.9%.")
    regions: Names = Field(default_factory=list)
    rates: Literal["peak", "average"] = Field(default="average", description="Whether use-case rates are given as averages or as peaks.")
    peak_factor: float | None = Field(default=None, ge=1, le=100, description="Peak rate over average rate.")

    @field_validator("regions", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class TeamSpec(SpecModel):
    """Who builds and runs the system."""

    size: int = Field(ge=1, le=10_000)


Compliance = Literal["gdpr", "pci", "hipaa", "soc2"]


class ConstraintsSpec(SpecModel):
    """Choices made before the design starts."""

    language: str | None = Field(default=None, description="python, typescript, go, java, kotlin, csharp, rust...")
    prefer: list[str] = Field(default_factory=list, description="Technologies to use where they fit.")
    avoid: list[str] = Field(default_factory=list, description="Technologies not to use.")
    compliance: list[Compliance] = Field(default_factory=list)
    auth: str | None = Field(default=None, description="The identity provider, e.g. auth0, keycloak, cognito.")
    cloud: str | None = None


class ExternalSpec(SpecModel):
    """A system outside ours that the design calls or is called by."""

    kind: str | None = Field(default=None, description="payment, email, sms, identity, storage, search...")
    description: str | None = None
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_SECONDS * 1000)
    availability: Fraction | None = None
    rate_limit: RateValue | None = None

    @field_validator("rate_limit")
    @classmethod
    def _some_calls_pass(cls, value: Rate | None) -> Rate | None:
        if value is not None and value.per_second <= 0:
            raise PydanticCustomError("spec_value", "a rate limit lets some calls through: write one above 0, such as 100/s")
        return value


UseCaseKind = Literal["create", "get", "list", "update", "replace", "delete", "action", "job"]


class UseCaseSpec(SpecModel):
    """Something an actor does, with the data it touches and how often."""

    name: str = Field(min_length=1, max_length=120)
    description: str | None = None
    kind: UseCaseKind | None = Field(default=None, description="Overrides the kind inferred from the name.")
    actor: str = Field(default="user", pattern=IDENTIFIER)
    auth: Literal["required", "optional", "none"] = "required"
    owner_only: bool = Field(default=False, description="Only the owner of the data may do this.")
    reads: Names = Field(default_factory=list, description="Entities or Entity.field read.")
    writes: Names = Field(default_factory=list, description="Entities or Entity.field written.")
    filter: Names = Field(default_factory=list, description="Fields compared for equality or range.")
    sort: Names = Field(default_factory=list, description="Fields to order by; a leading '-' is descending.")
    search: Names = Field(default_factory=list, description="Fields searched as full text.")
    page: Literal["cursor", "offset", "none"] | None = None
    rate: RateValue | None = None
    consistency: Literal["strong", "eventual"] = "strong"
    staleness: Seconds | None = Field(default=None, description="How old a read may be, e.g. 30s.")
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_SECONDS * 1000)
    avg_fanout: float | None = Field(default=None, ge=0, le=MAX_COUNT, description="Deliveries per write (feeds, notifications).")
    schedule: str | None = Field(default=None, description="For batch jobs: hourly, daily, or a cron expression.")
    calls: Names = Field(default_factory=list, description="External systems called.")
    notify: Names = Field(default_factory=list, description="Who is told when this happens (actors or externals).")

    @field_validator("reads", "writes", "filter", "sort", "search", "calls", "notify", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class ServiceSpec(SpecModel):
    """An explicit service boundary (an existing system, or an override)."""

    description: str | None = None
    owns: list[str] = Field(min_length=1, description="Entities whose data this service owns.")
    calls: list[str] = Field(default_factory=list, description="Services this one calls synchronously.")


class Spec(SpecModel):
    """A whole system, as the user describes it."""

    model_config = ConfigDict(title="backend-architect spec", json_schema_extra={"$id": "backend-architect-spec-v1"})

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
