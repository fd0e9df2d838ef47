"""Validation errors in the words of the spec: which key, what it takes, an example of the right form.

pydantic says "Input should be a valid string"; a spec author needs "'belongs_to' takes an
entity name or a list of names, e.g. belongs_to: User". Every key of the language has an
example here (a test checks that none is missing), and every error type pydantic can
raise for a spec is translated; anything else still names the key and its example.
"""

from __future__ import annotations

from typing import Any

#: One example of the right form for every key of the language, by the section it is in.
EXAMPLES: dict[str, dict[str, str]] = {
    "spec": {
        "version": "version: 1",
        "system": "system: bookstore",
        "description": "description: An online bookstore.",
        "scale": "scale: {users: 2M, daily_active: 150k}",
        "team": "team: {size: 5}",
        "constraints": "constraints: {language: python, compliance: [gdpr]}",
        "tenant": "tenant: Organization",
        "external": "external: {stripe: {kind: payment, latency_ms: 400}}",
        "entities": "entities: {Book: {fields: {title: string(200)}}}",
        "use_cases": "use_cases: [{name: browse books, reads: [Book], rate: 100/s}]",
        "services": "services: {catalog: {owns: [Book]}}",
        "decisions": "decisions: {messaging: {choose: Apache Kafka, reason: the platform team runs Kafka}}",
        "notes": "notes: free text the engine ignores",
    },
    "scale": {
        "users": "users: 2M",
        "daily_active": "daily_active: 150k",
        "growth_per_year": "growth_per_year: 30%",
        "retention_years": "retention_years: 7",
        "availability": "availability: 99.9%",
        "regions": "regions: [eu-west-1]",
        "rates": "rates: average",
        "peak_factor": "peak_factor: 3",
        "requests": "requests: 1B/day",
        "concurrent_users": "concurrent_users: 5M",
        "concurrent_connections": "concurrent_connections: 500k",
        "notes": "notes: free text",
    },
    "team": {"size": "size: 5", "teams": "teams: 1", "notes": "notes: free text"},
    "constraints": {
        "language": "language: python",
        "prefer": "prefer: [postgresql, redis]",
        "avoid": "avoid: [kafka]",
        "compliance": "compliance: [gdpr, pci]",
        "auth": "auth: auth0",
        "cloud": "cloud: aws",
        "instance_rps": "instance_rps: 800",
        "postgres_version": "postgres_version: 17",
        "operation_ms": "operation_ms: {indexed_read: 1.5, search: 12}",
        "notes": "notes: free text",
    },
    "external": {
        "kind": "kind: payment",
        "description": "description: card payments",
        "latency_ms": "latency_ms: 250",
        "availability": "availability: 99.99%",
        "rate_limit": "rate_limit: 100/s",
        "share": "share: 45%",
        "notes": "notes: free text",
    },
    "entity": {
        "description": "description: a book in the catalog",
        "fields": "fields: {title: string(200), price: money}",
        "part_of": "part_of: Order",
        "many_to_many": "many_to_many: [Tag]",
        "unique": "unique: [[book, customer]]",
        "key": "key: uuid",
        "rows": "rows: 1.2M",
        "growth": "growth: 300/day",
        "avg_per_parent": "avg_per_parent: 12",
        "max_per_parent": "max_per_parent: 100",
        "presence": "presence: {offline_after: 30s}",
        "append_only": "append_only: true",
        "analytics": "analytics: true",
        "tenant_scoped": "tenant_scoped: true",
        "soft_delete": "soft_delete: true",
        "retention": "retention: 90d",
        "notes": "notes: free text",
    },
    "field": {
        "type": "type: string(100)",
        "unique": "unique: true",
        "nullable": "nullable: true",
        "default": "default: draft",
        "pii": "pii: true",
        "secret": "secret: true",
        "avg_bytes": "avg_bytes: 2KB",
        "index": "index: true",
        "share": "share: 5%",
        "generated": "generated: true",
        "on_delete": "on_delete: cascade",
        "media": "media: {transcode: [h264, vp9], renditions: [1080p, 720p]}",
        "max_bytes": "max_bytes: 25MB",
        "content_types": "content_types: [image/jpeg, image/png]",
        "countries": "countries: blocked",
        "description": "description: shown to buyers",
        "notes": "notes: free text",
    },
    "use_case": {
        "name": "name: browse books",
        "description": "description: what the actor wants",
        "kind": "kind: list",
        "actor": "actor: customer",
        "auth": "auth: none",
        "owner_only": "owner_only: true",
        "access": "access: public",
        "merged_sources": "merged_sources: 5",
        "reads": "reads: [Book, Author]",
        "writes": "writes: [Order, OrderLine]",
        "filter": "filter: [genre, status=published]",
        "sort": "sort: [-published_at]",
        "search": "search: [title, description]",
        "page": "page: cursor (or {style: cursor, limit: 20, max: 100})",
        "rate": "rate: 800/s",
        "consistency": "consistency: eventual",
        "staleness": "staleness: 60s",
        "latency_ms": "latency_ms: 200",
        "avg_fanout": "avg_fanout: 200",
        "schedule": "schedule: hourly",
        "every": "every: 4s",
        "calls": "calls: [stripe]",
        "notify": "notify: [postmark]",
        "after": "after: [post answer, post comment]",
        "near": "near: Driver.location",
        "radius": "radius: 5km",
        "latest": "latest: true",
        "deliver": "deliver: realtime",
        "top": "top: {by: count, field: text, k: 10, window: 1h}",
        "series": "series: {field: value, aggregate: avg, every: 1m, over: 24h}",
        "traverse": "traverse: {via: Follow.followee, depth: 3}",
        "cache": "cache: false",
        "online": "online: true",
        "notes": "notes: free text",
    },
    "page": {"style": "style: cursor", "limit": "limit: 20", "max": "max: 100", "notes": "notes: free text"},
    "top": {"by": "by: count", "field": "field: text", "k": "k: 10", "window": "window: 1h", "notes": "notes: free text"},
    "series": {"field": "field: value", "aggregate": "aggregate: avg", "every": "every: 1m", "over": "over: 24h", "notes": "notes: free text"},
    "traverse": {"via": "via: Follow.followee", "depth": "depth: 3", "out_degree": "out_degree: 200", "notes": "notes: free text"},
    "deliver": {"mode": "mode: realtime", "to": "to: Message.recipient", "subscribers": "subscribers: 500", "notes": "notes: free text"},
    "presence": {"offline_after": "offline_after: 30s", "notes": "notes: free text"},
    "media": {
        "transcode": "transcode: [h264, vp9]",
        "renditions": "renditions: [1080p, 720p]",
        "thumbnails": "thumbnails: true",
        "compress": "compress: true",
        "notes": "notes: free text",
    },
    "decision": {
        "choose": "choose: Apache Kafka",
        "forbid": "forbid: true",
        "force": "force: true",
        "reason": "reason: the platform team runs Kafka",
        "notes": "notes: free text",
    },
    "service": {
        "description": "description: the catalog",
        "owns": "owns: [Book, Author]",
        "calls": "calls: [identity]",
        "notes": "notes: free text",
    },
}


def section_of(loc: tuple[str | int, ...]) -> str:
    """Which part of the language a path is in: ``spec``, ``scale``, ``entity``, ``field``, ``use_case`` ..."""
    if len(loc) <= 1:
        return "spec"
    head = loc[0]
    if head in {"scale", "team", "constraints"}:
        return str(head)
    if head == "external":
        return "external"
    if head == "entities":
        if len(loc) >= 6 and loc[2] == "fields" and loc[4] == "media":
            return "media"
        if len(loc) >= 4 and loc[2] == "presence":
            return "presence"
        return "field" if len(loc) >= 4 and loc[2] == "fields" else "entity"
    if head == "use_cases":
        return str(loc[2]) if len(loc) >= 4 and loc[2] in {"page", "top", "series", "traverse", "deliver"} else "use_case"
    if head == "services":
        return "service"
    if head == "decisions":
        return "decision"
    return "spec"


_TYPE_PHRASES: dict[str, str] = {
    "string_type": "takes text",
    "int_type": "takes a whole number",
    "int_parsing": "takes a whole number",
    "int_from_float": "takes a whole number",
    "float_type": "takes a number",
    "float_parsing": "takes a number",
    "finite_number": "takes a finite number",
    "bool_type": "takes true or false",
    "bool_parsing": "takes true or false",
    "list_type": "takes a list",
    "tuple_type": "takes a list",
    "dict_type": "takes a mapping of names to values",
    "model_type": "takes a mapping of keys",
    "model_attributes_type": "takes a mapping of keys",
    "string_too_short": "needs at least one character",
    "too_short": "needs at least one entry",
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def key_of(loc: tuple[str | int, ...]) -> str:
    """The key an error is about: the last name in its path (list positions skipped).

    A field's type is reported under the field's name, as the author wrote ``title: strnig``.
    """
    if len(loc) >= 3 and loc[-1] == "type" and loc[-3] == "fields":
        return str(loc[-2])
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return "spec"


def example_for(key: str, loc: tuple[str | int, ...] = ()) -> str:
    example = EXAMPLES.get(section_of(loc), {}).get(key)
    return f" (e.g. {example})" if example else ""


def describe(error: dict[str, Any], loc: tuple[str | int, ...], key: str) -> str:
    """The message for one pydantic error at ``loc`` about ``key``, in the spec's words."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    label = f"'{key}'"
    if kind == "missing":
        missing = str(loc[-1]) if loc else key
        return f"missing required key '{missing}'{example_for(missing, loc)}"
    if kind == "spec_value":
        return f"{label}: {error['msg']}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"{label} takes one of {expected}, got {_shown(value)}{_suggestion(value, expected)}{example_for(key, loc)}"
    if kind == "string_pattern_mismatch":
        return f"{label} {_pattern_phrase(str(ctx.get('pattern', '')))}, got {_shown(value)}{example_for(key, loc)}"
    if kind == "string_too_long":
        return f"{label} takes at most {ctx.get('max_length')} characters, got {len(str(value))}{example_for(key, loc)}"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return f"{label} takes a number {_bound_phrase(kind, ctx)}, got {_shown(value)}{example_for(key, loc)}"
    if kind in {"too_long"}:
        return f"{label} takes at most {ctx.get('max_length')} entries{example_for(key, loc)}"
    phrase = _TYPE_PHRASES.get(kind)
    if phrase is not None:
        return f"{label} {phrase}, got {_shown(value)}{example_for(key, loc)}"
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{label}: {message[:1].lower()}{message[1:]}{example_for(key, loc)}"


def describe_alternatives(errors: list[dict[str, Any]], loc: tuple[str | int, ...], key: str) -> str:
    """One message for a value that fits none of a key's alternatives (``default`` is text, a number or true/false)."""
    phrases = list(dict.fromkeys(_TYPE_PHRASES.get(e["type"], "").removeprefix("takes ") for e in errors))
    if len(errors) == 1 or not all(phrases):
        return describe(errors[0], loc, key)
    choices = ", ".join(phrases[:-1]) + f" or {phrases[-1]}"
    return f"'{key}' takes {choices}, got {_shown(errors[0].get('input'))}{example_for(key, loc)}"


def _suggestion(value: Any, expected: str) -> str:
    from backend_architect.spec.field_types import suggest

    if not isinstance(value, str):
        return ""
    choices = [c.strip() for c in expected.replace(" or ", ",").split(",") if c.strip()]
    return suggest(value, choices)


def _bound_phrase(kind: str, ctx: dict[str, Any]) -> str:
    words = {"greater_than": "above", "greater_than_equal": "of at least", "less_than": "below", "less_than_equal": "of at most"}
    bound = next(iter(v for k, v in ctx.items() if k in {"gt", "ge", "lt", "le"}), "")
    return f"{words[kind]} {bound:g}" if isinstance(bound, int | float) else words[kind]


_PATTERNS = {
    r"^[A-Za-z][A-Za-z0-9_]*$": "takes a name of letters, digits and '_', starting with a letter",
    r"^[a-z][a-z0-9_]*$": "takes a lower-case name of letters, digits and '_' (snake_case), starting with a letter",
    r"^[A-Za-z][A-Za-z0-9 _-]*$": "takes a name of letters, digits, spaces, '-' and '_', starting with a letter",
    r"^[a-z][a-z0-9-]*$": "takes a lower-case name of letters, digits and '-' (kebab-case), starting with a letter",
}


def _pattern_phrase(pattern: str) -> str:
    return _PATTERNS.get(pattern, f"must match {pattern}")
