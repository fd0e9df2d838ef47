"""The API conventions, written from the constants the API stage and OpenAPI renderer use.

``docs/api-conventions.md`` is this text; a test fails if they differ, so the documented
conventions and the generated contracts cannot drift apart.
"""

from __future__ import annotations

from backend_architect.design.api import API_VERSION, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, OFFSET_MAX_ROWS, STATE_METHODS
from backend_architect.design.api.flows import ACCESS_TOKEN_SECONDS
from backend_architect.design.api.paths import STANDING
from backend_architect.design.api.schemas import PASSWORD_MAX, PASSWORD_MIN
from backend_architect.design.security import BURST_SECONDS, FLOOR_PER_MINUTE, HEADROOM, USER_READS_PER_MINUTE, USER_WRITES_PER_MINUTE
from backend_architect.ir.signatures import SIGNATURE_HEADER, TOLERANCE_S
from backend_architect.render.openapi import ERROR_TEXT, HEADER_PARAMS, HEADERS, MONEY_SCHEMA, OPENAPI_VERSION, PROBLEM, VERSIONING_POLICY
from backend_architect.render.openapi_limits import LIMITED_ERRORS
from backend_architect.render.openapi_security import SERVICE_SCHEME, SIGNATURE_SCHEME

_KIND_TEXT = {
    "create": "creates a resource in a collection: 201 with `Location`, `Idempotency-Key` accepted",
    "get": "reads one resource: 200 with `ETag` where it is versioned",
    "list": "reads a collection: 200 with a page (`items`, `next_cursor`)",
    "update": "changes some fields (JSON Merge Patch, `application/merge-patch+json`): `If-Match` where versioned",
    "replace": "replaces the whole resource: `If-Match` where versioned",
    "delete": "removes the resource: 204 without a body",
    "action": "a command that is not CRUD, as a custom method `POST /things/{thing_id}:verb` (Google AIP-136, kebab-case)",
}


def render_api_conventions() -> str:
    """The conventions every generated contract follows, as Markdown."""
    lines = [
        "# API conventions",
        "",
        "Every contract backend-architect generates follows these conventions. This file is generated",
        "from the constants the generator uses (`backend-architect conventions`); a test keeps them equal.",
        "",
        f"- OpenAPI {OPENAPI_VERSION}, one document per service (`openapi/<service>.yaml`).",
        "- Paths: plural kebab-case nouns; a child nests once under its parent (`/orders/{order_id}/lines`); ids are path",
        f"  parameters named `<entity>_id`; the major version is the first segment of the server URL (`/{API_VERSION}`).",
        "",
        "## Versioning",
        "",
        VERSIONING_POLICY,
        "",
        "## Methods",
        "",
        "| use case kind | method | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| {kind} | {method.upper()} | {_KIND_TEXT[kind]} |" for kind, method in STATE_METHODS.items()]
    lines += [
        "",
        "Custom methods keep verbs out of resource paths while making commands explicit and auditable; a state sub-resource",
        "(`PUT /orders/{order_id}/status`) was the alternative, rejected because commands carry intent (cancel, refund) that a",
        "state write loses. A second write of one kind on a resource becomes a custom method named for it; every read use case",
        "has its own operation (`/me/...` for the caller's own rows, nested under an item it names, the collection, or a named",
        "segment such as `/books/search`).",
        "",
        "## Relationships and accounts",
        "",
        "| use case | operation |",
        "|---|---|",
        "| make a link (a link entity or a many-to-many relation) | `PUT /users/{user_id}/following/{followee_id}`: idempotent, 204 |",
        "| unmake it | `DELETE` on the same path: 204, also when it was not there |",
        "| read, change or act on one link | the same pair: `PATCH /projects/{project_id}/members/{person_id}`, "
        "`POST /chats/{chat_id}/memberships/{user_id}:mark-read` (never the row's own id beside the pair) |",
        "| upload a file (a `blob` field) | `POST {collection}/uploads`: a pre-signed PUT URL (15 minutes) bound to the content type "
        "and size, and the object key the create then takes |",
        "| fetch a file | `GET {item}/download-url`: a signed URL valid 5 minutes, `Cache-Control: no-store` |",
        "| register (an entity holding a credential) | `POST /users`, public, with a write-only `password` |",
        f"| log in | `POST /sessions`, public, answering `access_token` (Bearer, {ACCESS_TOKEN_SECONDS // 60} minutes) and `refresh_token` |",
        "| log out | `DELETE /sessions/current` |",
        "| the caller's own account | `GET`, `PATCH`, `DELETE /me`; `PUT /me/password` with the current and the new password |",
        "",
        f"A link lives under its parent or first reference; a standing relationship is named by its participle ({', '.join(sorted(STANDING.values()))}).",
        "Every id a client sends is one a response gives out: a many-to-many target taken by id (a link's path, a create's links, a "
        "filter) that no other operation returns gets a list of its own (`GET /tags`, cursor pages); a target with a unique name is "
        'filtered and set by that name (`?tag=python`, `tags: ["python"]`).',
        "",
        "## Errors",
        "",
        f"Every error is RFC 9457 problem details (`{PROBLEM}`) with `type`, `title`, `status`, `detail`, `instance`, and",
        "`errors[]` (`pointer`, `detail`) for validation failures. Each operation declares the statuses it can really return:",
        "",
        "| status | response | when |",
        "|---|---|---|",
    ]
    lines += [f"| {status} | `{name}` | {text} |" for status, (name, text) in sorted(ERROR_TEXT.items())]
    lines += [
        "",
        "## Pagination",
        "",
        f"Lists are cursor-paginated: `limit` (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}) and an opaque `cursor`;",
        "the page holds `items` and `next_cursor` (null on the last page). The sort order always ends with the id, so pages",
        f"never skip or repeat rows. Offset paging is used only when a use case asks for it and the table stays under {OFFSET_MAX_ROWS:,} rows.",
        "",
        "## Headers",
        "",
        "| header | in | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{p['name']}` | request | {p['description']} |" for p in HEADER_PARAMS.values()]
    lines += [f"| `{name}` | response | {h['description']} |" for name, h in HEADERS.items()]
    lines += [
        "",
        "## Security",
        "",
        "OAuth 2.0 authorization code flow with PKCE; access tokens are JWTs sent as `Authorization: Bearer`. Each operation",
        "requires the scope `<resource>:read` or `<resource>:write`; public operations declare `security: []`; operations that",
        "allow anonymous callers declare `[{}, {oauth2: [...]}]` (a token lacking the scopes is served as anonymous, so they",
        "declare no scope 403). Owner-only operations answer 404 to non-owners so ids cannot be probed, and a 403 describes",
        "only the checks that answer it (a missing scope, a token naming no tenant for tenant data, a create naming another",
        "owner). Operations called only by other services are marked `x-internal`; every operation another service calls",
        f"lists it in `x-consumers`. Their callers hold a token issued to the service: such an operation names `{SERVICE_SCHEME}`,",
        "a scheme with the `clientCredentials` flow of the same provider and the scopes those operations require (an internal",
        "operation names nothing else; a public one asks no service for a token).",
        f"An operation an external system calls back (a payment processor's webhook) takes no token: it names `{SIGNATURE_SCHEME}`,",
        f'the `{SIGNATURE_HEADER}` header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the secret shared',
        f"with that system, and answers 401 to a missing or wrong signature or one more than {TOLERANCE_S // 60} minutes old.",
        "",
        "Rate limits are token buckets per token subject (per client IP for public operations), derived from the spec's rates: a",
        f"client's share of its actor's peak, times {HEADROOM}, at least {FLOOR_PER_MINUTE['read']} reads and {FLOOR_PER_MINUTE['write']} writes a minute",
        f"({USER_READS_PER_MINUTE} and {USER_WRITES_PER_MINUTE} when the spec gives no client count), bursts of {BURST_SECONDS} seconds' worth; each",
        "operation states in `x-rate-limit` the one limit of its use cases' actor (`actor`, `class`, `per_minute`, `burst`), the same the",
        "security table lists; the clients online each actor's limit divides by are the design's `clients.online.<actor>` figures.",
        "An operation only other services call has actor `service`: a limit per calling service's token, its callers' peak rates",
        f"times {HEADROOM} (one call per id a check names), since one service identity carries all its users' requests; a public",
        "operation a service also calls counts that service by client IP (`x-rate-limit.services.key`), as it sends no token.",
        "Within a modular monolith modules call each other in process: no such limit, token or HTTP path (an operation only",
        "modules call is a module interface, absent from the contract).",
        "A rate-limited operation's success response, its 429 (with `Retry-After`) and its " + ", ".join(str(s) for s in sorted(LIMITED_ERRORS)) + " problems",
        "declare `RateLimit` and `RateLimit-Policy`: the scaffolded service answers those after counting the request; a 400,",
        "401, 403 or 500 can come before that, so declares none.",
        "",
        "## Schemas",
        "",
        "- Each resource has a read schema, a create schema (`<Entity>Create`) and a merge-patch schema (`<Entity>Update`);",
        "  a use case that writes named fields has its own `<UseCase>Request` with exactly those fields; request schemas set",
        "  `additionalProperties: false`. A create that writes its parts takes them as an array (`lines: [OrderLineCreate]`,",
        "  at least one), written in one transaction.",
        "- Server-owned fields are `readOnly` and in no request: ids, timestamps, public short codes and slugs, lifecycle",
        "  states (they start at their first value), totals over parts, counters, fields only jobs write, and the caller's",
        "  own reference (from the token).",
        "- Secret fields are `writeOnly` and never appear in responses or examples; a hashed credential is taken as its plaintext",
        f"  (`password`, format `password`, {PASSWORD_MIN} to {PASSWORD_MAX} characters) only where it is set. Personal data is marked `x-pii: true`.",
        "- A read answering other users' rows (not owner-only, the caller's own or a scope's members') answers `Public<Schema>`:",
        "  the same rows without their `x-pii` fields, nested rows included; the operation's description names what it leaves out.",
        "- Strings have `maxLength`, enums list their values, ids are `uuid` or `int64`, instants `date-time`.",
        f"- Money is an object: `amount` as a decimal string (pattern `{MONEY_SCHEMA['properties']['amount']['pattern']}`) and an ISO 4217 `currency`.",  # type: ignore[index]
        "- A point is a `GeoPoint` object (`lat`, `lon` in degrees); a proximity read takes `lat`, `lon` and a `radius` in meters or a `limit`.",
        "",
        "## Examples",
        "",
        "Every operation has a request example (when it has a body), a success example and one error example, generated",
        "deterministically from field names, types and constraints and validated against their schemas in the tests.",
        "",
    ]
    return "\n".join(lines)
