"""The managed service each cloud offers for each kind of part, and the open-source part used without one.

``constraints.cloud`` names the provider; every store and component the storage and
availability patterns choose is then named as that provider's managed service, so the
design reads "Amazon ElastiCache for Redis", not "a cache". A provider not listed here
(or none) gets the open-source part, to run on its machines or Kubernetes. ``avoid`` is
honoured: a part whose name the spec avoids is passed over for the next candidate.
"""

from __future__ import annotations

from typing import Literal

from backend_architect.design.keys import postgres_version
from backend_architect.design.patterns._common import avoided
from backend_architect.spec.model import Spec

Part = Literal[
    "postgresql",
    "postgresql-ha",
    "redis",
    "object-store",
    "cdn",
    "search-engine",
    "warehouse",
    "load-balancer",
    "dns-failover",
    "archive-tiers",
    "work-queue",
]

#: Provider names as people write them -> the catalogue's key.
ALIASES = {"aws": "aws", "amazon": "aws", "gcp": "gcp", "google": "gcp", "google cloud": "gcp", "azure": "azure", "microsoft": "azure"}

#: The managed service running each search engine on each provider: the provider's own where it runs that engine, else the
#: engine vendor's (Elastic) or a vendor's (Aiven) on that cloud; the search record's engine picks one (``search_service``).
MANAGED_SEARCH: dict[str, dict[str, str]] = {
    "aws": {"OpenSearch": "Amazon OpenSearch Service", "Elasticsearch": "Elastic Cloud on AWS"},
    "gcp": {"OpenSearch": "Aiven for OpenSearch on Google Cloud", "Elasticsearch": "Elastic Cloud on Google Cloud"},
    "azure": {"OpenSearch": "Aiven for OpenSearch on Azure", "Elasticsearch": "Elastic Cloud on Azure"},
}

#: The managed offering of each column store on each provider, where its vendor runs one there; a provider's own warehouse
#: (Redshift, BigQuery, Synapse) is ``MANAGED[provider]["warehouse"]``. The analytics record's engine picks one (``warehouse_service``).
MANAGED_WAREHOUSE: dict[str, dict[str, str]] = {
    "aws": {"ClickHouse": "ClickHouse Cloud on AWS", "Snowflake": "Snowflake on AWS"},
    "gcp": {"ClickHouse": "ClickHouse Cloud on Google Cloud", "Snowflake": "Snowflake on Google Cloud", "BigQuery": "BigQuery"},
    "azure": {"ClickHouse": "ClickHouse Cloud on Azure", "Snowflake": "Snowflake on Azure"},
}

#: Managed services by provider (names as the providers' documentation spells them, 2024).
MANAGED: dict[str, dict[Part, str]] = {
    "aws": {
        "postgresql": "Amazon RDS for PostgreSQL",
        "postgresql-ha": "Amazon RDS for PostgreSQL Multi-AZ",
        "redis": "Amazon ElastiCache for Redis",
        "object-store": "Amazon S3",
        "cdn": "Amazon CloudFront",
        "search-engine": MANAGED_SEARCH["aws"]["OpenSearch"],
        "warehouse": "Amazon Redshift (or Athena over Parquet in S3)",
        "load-balancer": "AWS Application Load Balancer",
        "dns-failover": "Amazon Route 53 failover routing",
        "archive-tiers": "S3 Standard -> S3 Standard-IA -> S3 Glacier Instant Retrieval",
        "work-queue": "Amazon SQS with a dead-letter queue",
    },
    "gcp": {
        "postgresql": "Cloud SQL for PostgreSQL",
        "postgresql-ha": "Cloud SQL for PostgreSQL (high availability, regional)",
        "redis": "Memorystore for Redis",
        "object-store": "Cloud Storage",
        "cdn": "Cloud CDN",
        "search-engine": MANAGED_SEARCH["gcp"]["OpenSearch"],
        "warehouse": "BigQuery",
        "load-balancer": "Cloud Load Balancing",
        "dns-failover": "Cloud DNS failover routing policy",
        "archive-tiers": "Standard -> Nearline -> Coldline",
        "work-queue": "Google Cloud Pub/Sub with a dead-letter topic",
    },
    "azure": {
        "postgresql": "Azure Database for PostgreSQL flexible server",
        "postgresql-ha": "Azure Database for PostgreSQL flexible server (zone-redundant HA)",
        "redis": "Azure Cache for Redis",
        "object-store": "Azure Blob Storage",
        "cdn": "Azure Front Door",
        "search-engine": MANAGED_SEARCH["azure"]["OpenSearch"],
        "warehouse": "Azure Synapse Analytics",
        "load-balancer": "Azure Application Gateway",
        "dns-failover": "Azure Traffic Manager priority routing",
        "archive-tiers": "Hot -> Cool -> Cold",
        "work-queue": "Azure Queue Storage (fed by Event Grid)",
    },
}

#: Without a known provider: open-source parts, in order of preference (the first the spec does not avoid wins).
OPEN_SOURCE: dict[Part, tuple[str, ...]] = {
    "postgresql": ("PostgreSQL {version}",),
    "postgresql-ha": ("PostgreSQL {version} with Patroni", "PostgreSQL {version} with pg_auto_failover"),
    "redis": ("Redis 7", "Valkey 8", "Memcached"),
    "object-store": ("S3-compatible object storage", "MinIO"),
    "cdn": ("a CDN", "Varnish at the edge"),
    "search-engine": ("OpenSearch", "Elasticsearch", "Meilisearch"),
    "warehouse": ("ClickHouse", "Parquet files on object storage queried by Trino"),
    "load-balancer": ("HAProxy (a redundant pair)", "Envoy", "NGINX"),
    "dns-failover": ("health-checked DNS failover",),
    "archive-tiers": ("standard -> infrequent-access -> archive tier",),
    "work-queue": ("RabbitMQ quorum queues with a dead-letter exchange", "NATS JetStream with a dead-letter stream"),
}


def provider(spec: Spec) -> str | None:
    """The catalogue key of ``constraints.cloud``, or None when not given or not catalogued.

    >>> from backend_architect.spec.model import Spec
    >>> provider(Spec.model_validate({"system": "s", "entities": {"A": {}}, "constraints": {"cloud": "AWS"}}))
    'aws'
    """
    cloud = (spec.constraints.cloud or "").strip().lower()
    return ALIASES.get(cloud)


#: The decision whose ``choose:`` pins the technology of each part (``decisions: {cache: {choose: Valkey 8, reason: ...}}``).
PINNED_BY: dict[Part, str] = {
    "postgresql": "database",
    "postgresql-ha": "database",
    "redis": "cache",
    "search-engine": "search",
    "object-store": "object-storage",
    "load-balancer": "technology.load-balancer",
    "cdn": "technology.cdn",
    "warehouse": "technology.warehouse",
}


def managed(spec: Spec) -> bool:
    """Whether the provider's managed services name the parts: not when the spec author forbade them (``managed-services``)."""
    override = spec.decisions.get("PAT051") or spec.decisions.get("managed-services") or spec.decisions.get("cloud")
    return override is None or not override.forbid


def self_run(spec: Spec) -> bool:
    """Whether the team runs every part itself: no catalogued cloud names a managed service (``constraints.cloud`` not given,
    not in the catalogue, or managed services forbidden), as in its own data centres. No record then chooses a managed
    service (a managed Redis, broker, gateway or metrics backend): it names the open-source part it runs.

    >>> from backend_architect.spec.model import Spec
    >>> self_run(Spec.model_validate({"system": "s", "entities": {"A": {}}, "scale": {"regions": ["new-york", "colorado"]}}))
    True
    >>> self_run(Spec.model_validate({"system": "s", "entities": {"A": {}}, "constraints": {"cloud": "aws"}}))
    False
    """
    return provider(spec) is None or not managed(spec)


def candidates(part: Part, spec: Spec) -> list[str]:
    """Every technology that can play ``part``: each provider's managed service, then the open-source ones (PostgreSQL at
    the version the spec targets)."""
    searches = [n for by_engine in MANAGED_SEARCH.values() for n in by_engine.values()] if part == "search-engine" else []
    return list(dict.fromkeys([*(MANAGED[key][part] for key in MANAGED), *searches, *open_source(spec, part)]))


def search_service(spec: Spec, engine: str) -> str:
    """The product running the search engine ``engine`` (OpenSearch, Elasticsearch): the provider's managed offering of that
    same engine, else the engine itself; so the search record, the cloud record, the placements and the diagram name one
    engine (never OpenSearch drawn and Elastic Cloud provisioned).

    >>> from backend_architect.spec.model import Spec
    >>> gcp = Spec.model_validate({"system": "s", "entities": {"A": {}}, "constraints": {"cloud": "gcp"}})
    >>> search_service(gcp, "OpenSearch 2"), search_service(gcp, "Elasticsearch")
    ('Aiven for OpenSearch on Google Cloud', 'Elastic Cloud on Google Cloud')
    """
    family = next((e for e in ("OpenSearch", "Elasticsearch") if e.lower() in engine.lower()), None)
    key = provider(spec) if managed(spec) else None
    chosen = pinned(spec, "search-engine") if spec.decisions else None
    if chosen is not None and (family is None or family.lower()[:7] in chosen.lower()):
        return chosen
    if key is None or family is None or avoided(spec, MANAGED_SEARCH[key][family]):
        return family or engine
    return MANAGED_SEARCH[key][family]


def warehouse_service(spec: Spec, engine: str) -> str:
    """The product running the column store ``engine``: the provider's own warehouse when the engine is it, else the engine
    vendor's managed offering on that provider, else the engine itself (run on the provider's machines); so the analytics
    record, the component and the cloud record name one product (never ClickHouse chosen and Redshift provisioned).

    >>> from backend_architect.spec.model import Spec
    >>> aws = Spec.model_validate({"system": "s", "entities": {"A": {}}, "constraints": {"cloud": "aws"}})
    >>> warehouse_service(aws, "ClickHouse"), warehouse_service(aws, "Apache Druid"), warehouse_service(aws, named(aws, "warehouse"))
    ('ClickHouse Cloud on AWS', 'Apache Druid', 'Amazon Redshift (or Athena over Parquet in S3)')
    """
    key = provider(spec) if managed(spec) else None
    if key is None or engine == MANAGED[key]["warehouse"]:
        return engine
    family = next((e for e in MANAGED_WAREHOUSE[key] if e.lower() in engine.lower()), None)
    if family is None or avoided(spec, MANAGED_WAREHOUSE[key][family]):
        return engine
    return MANAGED_WAREHOUSE[key][family]


def pinned(spec: Spec, part: Part) -> str | None:
    """The technology the spec author pinned for ``part``, when their ``choose`` names one that can play it."""
    key = PINNED_BY.get(part)
    override = spec.decisions.get(key) if key else None
    if override is None or override.choose is None:
        return None
    wanted = override.choose.strip().lower()
    return next((c for c in candidates(part, spec) if wanted and (wanted in c.lower() or c.lower() in wanted)), None)


def named(spec: Spec, part: Part) -> str:
    """The technology the spec author pinned, else the provider's managed service for ``part``, else the first open-source part not avoided."""
    chosen = pinned(spec, part) if spec.decisions else None
    if chosen is not None:
        return chosen
    key = provider(spec) if managed(spec) else None
    if key is not None and not avoided(spec, MANAGED[key][part]):
        return MANAGED[key][part]
    candidates = open_source(spec, part)
    return next((c for c in candidates if not avoided(spec, c)), candidates[0])


def open_source(spec: Spec, part: Part) -> list[str]:
    """The open-source candidates, PostgreSQL at the version the spec targets."""
    return [c.replace("{version}", str(postgres_version(spec))) for c in OPEN_SOURCE[part]]


def others(spec: Spec, part: Part, chosen: str) -> list[str]:
    """The other candidates for ``part``, for a decision's alternatives."""
    key = provider(spec)
    names = ([MANAGED[key][part]] if key else []) + open_source(spec, part)
    return [n for n in names if n != chosen]
