"""Other names people give the spec's keys and values, each with the one canonical name it means.

Data only: the normaliser applies these tables, ``docs/spec.md`` prints them, and a test
checks that every alias points at a key the model has. An alias never means two things.
"""

from __future__ import annotations

#: Key aliases per level of the document: level -> alias -> canonical key.
KEY_ALIASES: dict[str, dict[str, str]] = {
    "spec": {
        "name": "system",
        "models": "entities",
        "usecases": "use_cases",
        "use-cases": "use_cases",
        "useCases": "use_cases",
        "externals": "external",
        "external_systems": "external",
        "integrations": "external",
    },
    "scale": {
        "dau": "daily_active",
        "daily_active_users": "daily_active",
        "daily_users": "daily_active",
        "total_users": "users",
        "registered_users": "users",
        "growth": "growth_per_year",
        "yearly_growth": "growth_per_year",
        "annual_growth": "growth_per_year",
        "retention": "retention_years",
        "sla": "availability",
        "uptime": "availability",
        "region": "regions",
        "peak_to_average": "peak_factor",
    },
    "team": {"engineers": "size", "developers": "size", "people": "size"},
    "constraints": {
        "lang": "language",
        "provider": "cloud",
        "cloud_provider": "cloud",
        "identity_provider": "auth",
        "idp": "auth",
        "regulations": "compliance",
        "pg_version": "postgres_version",
        "pg-version": "postgres_version",
        "postgres": "postgres_version",
        "postgresql": "postgres_version",
        "postgresql_version": "postgres_version",
    },
    "entity": {
        "has_and_belongs_to_many": "many_to_many",
        "habtm": "many_to_many",
        "unique_together": "unique",
        "row_count": "rows",
        "initial_rows": "rows",
        "soft_deletes": "soft_delete",
        "paranoid": "soft_delete",
        "immutable": "append_only",
        "insert_only": "append_only",
        "multi_tenant": "tenant_scoped",
        "ttl": "retention",
        "expire_after": "retention",
        "primary_key": "key",
        "id_type": "key",
    },
    "field": {
        "null": "nullable",
        "sensitive": "pii",
        "personal": "pii",
        "indexed": "index",
        "db_index": "index",
        "comment": "description",
        "help_text": "description",
        "avg_size": "avg_bytes",
        "computed": "generated",
        "read_only": "generated",
        "readonly": "generated",
        "server_generated": "generated",
    },
    "use_case": {
        "title": "name",
        "read": "reads",
        "write": "writes",
        "order_by": "sort",
        "sort_by": "sort",
        "sorted_by": "sort",
        "where": "filter",
        "filters": "filter",
        "filter_by": "filter",
        "search_fields": "search",
        "full_text": "search",
        "paginate": "page",
        "pagination": "page",
        "paging": "page",
        "qps": "rate",
        "rps": "rate",
        "frequency": "rate",
        "throughput": "rate",
        "cron": "schedule",
        "type": "kind",
        "cache_ttl": "staleness",
        "max_staleness": "staleness",
        "latency": "latency_ms",
        "p99_ms": "latency_ms",
        "fanout": "avg_fanout",
        "fan_out": "avg_fanout",
        "notifies": "notify",
        "external_calls": "calls",
        "only_owner": "owner_only",
    },
}

#: Value spellings: ``use_case.auth``.
AUTH_VALUES: dict[str, str] = {
    "public": "none",
    "anonymous": "none",
    "anyone": "none",
    "false": "none",
    "no": "none",
    "true": "required",
    "yes": "required",
    "authenticated": "required",
    "login": "required",
    "signed_in": "required",
}

#: Value spellings: ``use_case.kind`` (HTTP verbs and CQRS words).
KIND_VALUES: dict[str, str] = {
    "read": "get",
    "show": "get",
    "query": "list",
    "index": "list",
    "search": "list",
    "command": "action",
    "post": "create",
    "insert": "create",
    "append": "create",
    "patch": "update",
    "put": "replace",
    "upsert": "replace",
    "remove": "delete",
    "destroy": "delete",
    "batch": "job",
    "scheduled": "job",
    "cron": "job",
}

#: Value spellings: ``use_case.consistency``.
CONSISTENCY_VALUES: dict[str, str] = {
    "strongly consistent": "strong",
    "strongly": "strong",
    "linearizable": "strong",
    "read-your-writes": "strong",
    "eventually consistent": "eventual",
    "eventually": "eventual",
    "stale": "eventual",
}

#: Value spellings: ``constraints.compliance``.
COMPLIANCE_VALUES: dict[str, str] = {"pci-dss": "pci", "pci dss": "pci", "pcidss": "pci", "soc 2": "soc2", "soc-2": "soc2"}

#: Value spellings: ``fields.*.on_delete`` (Django's and SQL's words).
ON_DELETE_VALUES: dict[str, str] = {"set null": "set_null", "set-null": "set_null", "nullify": "set_null", "protect": "restrict", "no action": "restrict"}

#: Value spellings: an entity's ``key``.
KEY_VALUES: dict[str, str] = {
    "uuid": "uuid",
    "uuidv7": "uuid",
    "uuid7": "uuid",
    "guid": "uuid",
    "identity": "identity",
    "serial": "identity",
    "bigserial": "identity",
    "bigint": "identity",
    "int": "identity",
    "integer": "identity",
    "auto_increment": "identity",
    "autoincrement": "identity",
    "auto": "auto",
}
