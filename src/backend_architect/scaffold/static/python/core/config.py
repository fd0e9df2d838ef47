"""Configuration by environment: every setting is an environment variable, read once at start-up."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .. import deployable


class Settings(BaseSettings):
    """What differs between a laptop, the tests and production; nothing here has a secret default."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = Field(
        description="postgresql://user:password@host:5432/db for the role the service runs as: not the tables' owner, so row-level security applies.",
        repr=False,
    )
    db_pool_size: int = Field(default=deployable.POOL_SIZE, ge=1, description="Connections per process (the design's connection figure over its instances).")
    db_statement_timeout_ms: int = Field(default=5_000, ge=100, description="Longest a statement may run before PostgreSQL cancels it.")
    auth_issuer: str | None = Field(default=None, description="The identity provider's issuer (the token's iss).")
    auth_audience: str | None = Field(default=None, description="This API's audience (the token's aud).")
    auth_jwks_url: str | None = Field(default=None, description="Where the provider publishes its signing keys (JWKS).")
    auth_jwks: str | None = Field(default=None, description="The signing keys themselves, as JWKS JSON (air-gapped hosts and tests).", repr=False)
    auth_algorithms: str = Field(default="RS256", description="Comma-separated JWS algorithms accepted.")
    auth_tenant_claim: str = Field(default="tenant_id", description="The claim holding the caller's tenant, for tenant-scoped data.")
    auth_service_claim: str | None = Field(
        default=None,
        description="How a token issued to a service (client credentials) is told from a person's: unset, RFC 9068's sub == client_id; "
        "else 'claim=value' (Auth0: gty=client-credentials) or 'claim' (present and not empty).",
    )
    auth_leeway_s: int = Field(default=30, ge=0, le=300, description="Clock skew tolerated on exp/nbf/iat.")
    rate_limit_scale: float = Field(default=1.0, gt=0, description="Multiplies every designed rate limit (load tests raise it).")
    broker_url: str = Field(
        default=deployable.DEFAULT_BROKER_URL,
        description="Where the relay publishes events: log://, postgresql://... (NOTIFY), amqp://... (RabbitMQ) or kafka://host:port (Kafka).",
        repr=False,
    )
    redis_url: str | None = Field(
        default=None, description="Redis for what the design keeps in memory (latest values, presence, GEO sets, feeds, caches, rate limits).", repr=False
    )
    search_url: str | None = Field(default=None, description="OpenSearch's URL, where the design put the search documents.", repr=False)
    object_store_url: str | None = Field(default=None, description="s3://bucket for uploads and renditions (else a PostgreSQL table).")
    s3_endpoint_url: str | None = Field(default=None, description="An S3-compatible store's endpoint (MinIO...); AWS's when unset.")
    object_signing_secret: str | None = Field(default=None, description="Signs the local adapter's upload URLs.", repr=False)
    public_base_url: str | None = Field(default=None, description="This service's public URL, for the upload URLs it hands out.")
    max_upload_bytes: int = Field(default=104_857_600, ge=1_024, description="Largest file the local object store accepts.")
    backend_timeout_s: float = Field(default=2.0, gt=0, description="Timeout of each call to Redis, OpenSearch and object storage.")
    webhook_secrets: dict[str, str] = Field(
        default_factory=dict,
        description='Secrets shared with the external systems that call back, by name: {"PaymentProcessor": "..."} (JSON). '
        "A system without one is refused every call.",
        repr=False,
    )
    auth_signing_key: str | None = Field(default=None, description="The private JWK this service signs session tokens with (log in).", repr=False)
    short_key_secret: str | None = Field(default=None, description="Keys the permutation that turns counter values into short codes.", repr=False)
    relay_in_process: bool = Field(default=deployable.RELAY_IN_PROCESS, description="Run the outbox relay inside the web process.")
    relay_poll_s: float = Field(default=1.0, gt=0, description="Seconds between outbox polls when it is empty.")
    request_timeout_s: float = Field(default=10.0, gt=0, description="Longest a request may take before it is answered with an error.")
    max_body_bytes: int = Field(default=1_048_576, ge=1_024, description="Largest request body accepted.")
    log_level: str = Field(default="INFO")
    host: str = Field(default="127.0.0.1", description="Interface to listen on (0.0.0.0 in a container).")
    port: int = Field(default=deployable.PORT)
    workers: int = Field(default=1, ge=1, description="Worker processes of the web server.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, from its environment."""
    return Settings()  # type: ignore[call-arg]
