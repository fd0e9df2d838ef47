"""The hand-off document's shape: one section per role that picks the design up next.

Published as JSON Schema (``backend-architect schema --handoff``); every generated
``handoff.json`` validates against it in the tests.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend_architect.ir.model import Architecture, Figure, RateLimit
from backend_architect.ir.runtime import AvailabilityPlan, Component, GrowthStage, Placement
from backend_architect.ir.trace import Requirement

HANDOFF_SCHEMA_VERSION: Literal["1.7"] = "1.7"


class HandoffModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Summary(HandoffModel):
    deployment: str
    services: list[str]
    endpoints: list[str] = Field(description="METHOD /path, base path included.")
    tables: list[str]
    indexes: int
    events: list[str]


class ApiOperation(HandoffModel):
    operation_id: str
    method: str
    path: str
    summary: str
    use_cases: list[str]
    auth: str
    scopes: list[str]
    owner_only: bool
    members_of: str | None = Field(default=None, description="Only members of this scope entity may call it (others get 404, or 422 for a scope in the body).")
    request: str | None = Field(description="Request schema (DTO) name, in the contract's components.")
    response: str | None
    success: int
    errors: list[int]
    paginated: bool
    idempotency_key: bool
    conditional: bool
    internal: bool
    consumers: list[str]
    upstreams: list[str]


class ModuleInterface(HandoffModel):
    operation_id: str
    summary: str
    request: str | None
    response: str | None
    consumers: list[str] = Field(description="The modules of the same deployable calling it.")


class ServiceApi(HandoffModel):
    service: str
    contract: str = Field(description="Path of the OpenAPI document.")
    base_path: str
    scopes: dict[str, str]
    operations: list[ApiOperation]
    module_interfaces: list[ModuleInterface] = Field(
        default_factory=list,
        description="A modular monolith's operations only its other modules call: functions called in process, with no HTTP path in the contract and no token.",
    )


class ImplementedService(HandoffModel):
    name: str
    kind: str
    entities: list[str]
    datastore: str | None
    port: int
    contract: str | None
    migrations: list[str]
    dtos: list[str] = Field(description="Request and response schemas the service implements.")
    depends_on: list[str] = Field(description="Services it calls synchronously.")
    externals: list[str]
    publishes: list[str]
    consumes: list[str]


class Implementers(HandoffModel):
    runtime: str
    services: list[ImplementedService]
    api: list[ServiceApi]


class SecurityReview(HandoffModel):
    authentication: str
    provider: str | None
    token: str
    scopes: dict[str, str]
    trust_boundaries: list[str]
    pii_fields: list[str]
    secret_fields: list[str]
    tenant_isolation: str | None
    rate_limits: list[RateLimit]
    audit: list[str]
    compliance: list[str]
    items: list[str] = Field(description="What the security reviewer should check.")
    open_questions: list[str]


class DatabaseTable(HandoffModel):
    name: str
    entity: str | None
    rows: dict[str, float | None] = Field(description="now, per_day, and at 1 year and the retention horizon.")
    bytes: dict[str, float | None]
    primary_key: list[str]
    key_strategy: str
    key_reason: str
    foreign_keys: list[dict[str, Any]]
    unique: list[dict[str, Any]]
    indexes: list[dict[str, Any]]
    partitioning: dict[str, Any] | None
    sharding: dict[str, Any] | None
    retention_days: float | None
    wide_column: dict[str, Any] | None = Field(
        default=None,
        description="For a table a wide-column store holds (its PostgreSQL table a development stand-in): the partition key with its "
        "time bucket, the busiest partition's size and daily growth, how a hot partition is bounded, the copies and the nodes.",
    )


class DatabaseStore(HandoffModel):
    name: str
    service: str | None
    engine: str
    schema_name: str | None = Field(alias="schema")
    ddl: dict[str, str]
    migrations: list[str]
    connections: float | None
    tables: list[DatabaseTable]


class Database(HandoffModel):
    layout: str
    extensions: list[str]
    datastores: list[DatabaseStore]
    backups: str
    retention_jobs: list[str]
    pooling: str = Field(description="The connection pooler deployed with the primary now (a bottleneck's step names what comes after it).")
    read_copies: float | None = Field(
        description="Copies serving reads that tolerate lag, and strong reads through a read index (the db.read_copies figure): the readable "
        "standbys plus the read replicas (since 1.3; 1.2 named it read_replicas)."
    )
    read_replicas: float | None = Field(
        default=None,
        description="Read replicas the load adds beside the readable standbys (the db.read_replicas figure, sized without the standbys; "
        "since 1.3, where 1.2 named it read_replicas_added and used read_replicas for the copies).",
    )
    standbys: float | None = Field(description="Readable standbys the availability plan keeps for failover (counted in read_copies, not in read_replicas).")
    failover: str | None = Field(description="automatic or manual.")
    rto_seconds: float | None = Field(description="Expected time to recover from losing the primary.")
    rpo_seconds: float | None = Field(description="Writes that may be lost with the primary, in seconds.")
    high_availability: str | None = Field(description="The database's copies and failover, as the availability decision states them.")


class OperatedService(HandoffModel):
    name: str
    port: int
    health: dict[str, str] = Field(description="Liveness and readiness endpoints.")
    instances: float | None = Field(description="Instances at peak, one failing included.")
    instances_zone_loss: float | None = Field(description="Instances that still carry the peak with one zone lost (the availability plan).")
    scaling_signals: list[str]
    secrets: list[str]


class Operations(HandoffModel):
    runtime: str
    services: list[OperatedService]
    components: list[Component] = Field(default_factory=list, description="Infrastructure beside the services, with what each is for and its size.")
    observability: str
    message_broker: str
    cache: str
    stores: list[Placement] = Field(description="Where each table, field and state lives, with the number that decided it.")
    availability: AvailabilityPlan | None = Field(description="Zones, standbys, failover, load balancing and what each dependency's failure does.")
    growth: list[GrowthStage] = Field(description="What to build now and what later, with each stage's trigger.")


class Call(HandoffModel):
    target: str
    kind: str = Field(description="query (fresh read), call (saga step) or external.")
    use_case: str
    timeout_ms: float | None
    retries: int
    circuit_breaker: bool
    operations: list[str] = Field(
        default_factory=list,
        description="For a call on another of our services: the callee's operations it calls, as 'operationId (METHOD /path)'.",
    )


class Published(HandoffModel):
    event: str
    channel: str
    key: str
    consumers: list[str] = Field(description="What takes the event from the broker: services, and parts such as workers or the real-time gateway.")
    consuming_services: list[str] = Field(
        default_factory=list,
        description="The services consuming it, directly or through a worker they run: each lists it under its consumes.",
    )
    payload: list[str] = Field(
        default_factory=list,
        description="The properties its payload carries, envelope first: the one schema every AsyncAPI document naming the event defines.",
    )
    payload_bytes: int = Field(default=0, description="Bytes of the payload as JSON text, the size the gateway's and the outbox's sizing read.")
    source: str | None = Field(
        default=None,
        description="Where the event is published from when not the producer's transactional outbox: the CDC log of the store holding "
        "its table (a wide-column store), or the write path itself (a value kept in memory).",
    )


class Consumed(HandoffModel):
    event: str
    producer: str
    channel: str


class Integration(HandoffModel):
    service: str
    asyncapi: str | None = Field(description="Path of the service's AsyncAPI document, if it has events.")
    calls: list[Call]
    publishes: list[Published]
    consumes: list[Consumed]


class NextStep(HandoffModel):
    role: Literal["implementers", "security-review", "database-administration", "operations", "architect"]
    task: str
    inputs: list[str]
    items: list[str] = Field(default_factory=list)


class Finding(HandoffModel):
    code: str
    rule: str
    severity: str
    where: str
    message: str
    fix: str
    location: dict[str, Any] | None = None


class Review(HandoffModel):
    findings: list[Finding]


class Handoff(HandoffModel):
    """Everything a design produced, as data, for the roles that take it from here."""

    model_config = ConfigDict(extra="forbid", title="backend-architect hand-off", populate_by_name=True)

    schema_version: Literal["1.7"] = HANDOFF_SCHEMA_VERSION
    generator: str
    system: str
    summary: Summary
    files: list[str]
    implementers: Implementers
    security_review: SecurityReview
    database: Database
    operations: Operations
    integration: list[Integration] = Field(description="Per service: synchronous calls with their timeouts, and events.")
    capacity: list[Figure] = Field(description="Every figure with its formula and inputs, exact values.")
    assumptions: list[str] = Field(description="Defaults the engine chose for what the spec left out.")
    requirements: list[Requirement] = Field(description="Every input the spec states: where the design used it, or why it changed nothing.")
    review: Review
    next_phase: list[NextStep]
    architecture: Architecture


def handoff_json_schema_text() -> str:
    """The published JSON Schema (2020-12) of ``handoff.json``."""
    schema = Handoff.model_json_schema(mode="serialization", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"backend-architect-handoff-{HANDOFF_SCHEMA_VERSION}"
    return json.dumps(schema, indent=2) + "\n"
