"""IR ``Api`` -> an OpenAPI 3.1 document (as a dict, and as YAML text).

The conventions shared by every contract live here: RFC 9457 problem details, the
``Money`` type, the IETF RateLimit headers, idempotency and conditional-request headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend_architect.ir.model import EXAMPLE_COUNTRY, Api, ApiProperty, ApiSchema, Architecture, Operation, Parameter, RateLimit
from backend_architect.ir.part_calls import SERVICE_ACTOR, served_over_http, service_limit_key, services_call_over_http
from backend_architect.ir.query import IF_MATCH, if_match, operation_limit, service_limit
from backend_architect.ir.refusals import SCOPE, forbidden_text, operation_refusals
from backend_architect.ir.runtime_tables import RUNTIME_RETENTION_DAYS
from backend_architect.render.openapi_limits import LIMITED_ERRORS, limits_text
from backend_architect.render.openapi_security import SERVICE_SCHEME, SIGNATURE_REFUSED, SIGNATURE_SCHEME, scheme_name, security_schemes

OPENAPI_VERSION = "3.1.0"
SERVER_URL = "https://api.example.com"
PROBLEM = "application/problem+json"

VERSIONING_POLICY = (
    "Versioning: the major version is in the URL (/v1). Within a major version changes are additive only: "
    "new operations, new optional request fields, new response fields (clients must ignore unknown fields). "
    "Removing or renaming anything, adding a required input, or narrowing a type is breaking and needs /v2. "
    "A superseded major version is supported for at least 12 months after its successor ships; responses from it "
    "carry `Deprecation` and `Sunset` headers (RFC 9745, RFC 8594)."
)

ERROR_TEXT = {
    400: ("BadRequest", "The request is malformed (bad JSON, unknown or invalid parameters)."),
    401: ("Unauthorized", "Missing or invalid bearer token."),
    403: ("Forbidden", forbidden_text([SCOPE])),
    404: ("NotFound", "The resource does not exist or is not visible to the caller."),
    409: ("Conflict", "The request conflicts with the current state (duplicate key, invalid state transition)."),
    412: ("PreconditionFailed", "If-Match does not match the current ETag: reload and retry."),
    422: ("UnprocessableContent", "The body is well-formed but fails validation; see errors[]."),
    429: ("TooManyRequests", "Rate limit exceeded; retry after Retry-After seconds."),
    451: ("UnavailableForLegalReasons", "The item may not be shown in the caller's country (geo-restricted); the body says why."),
    500: ("InternalError", "Unexpected server error; safe to retry idempotent requests."),
    503: ("ServiceUnavailable", "A system this operation depends on is unavailable; retry after Retry-After seconds."),
}


def _problem_schemas() -> dict[str, Any]:
    return {
        "Problem": {
            "type": "object",
            "description": "An RFC 9457 problem details object.",
            "required": ["type", "title", "status"],
            "properties": {
                "type": {"type": "string", "format": "uri", "description": "Identifies the problem type."},
                "title": {"type": "string", "maxLength": 200},
                "status": {"type": "integer", "format": "int32", "minimum": 100, "maximum": 599},
                "detail": {"type": "string", "maxLength": 2000},
                "instance": {"type": "string", "format": "uri-reference"},
                "errors": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/FieldError"}},
            },
        },
        "FieldError": {
            "type": "object",
            "description": "One invalid field of a request.",
            "required": ["pointer", "detail"],
            "properties": {
                "pointer": {"type": "string", "description": "JSON Pointer (RFC 6901) to the field.", "maxLength": 500},
                "detail": {"type": "string", "maxLength": 500},
            },
        },
    }


MONEY_SCHEMA = {
    "type": "object",
    "description": "An amount of money: a decimal string (never a float) and an ISO 4217 currency.",
    "required": ["amount", "currency"],
    "additionalProperties": False,
    "properties": {
        "amount": {"type": "string", "pattern": r"^-?\d{1,15}(\.\d{1,4})?$", "examples": ["19.99"]},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["EUR"]},
    },
}

GEO_POINT_SCHEMA = {
    "type": "object",
    "description": "A point on Earth: WGS 84 latitude and longitude in degrees.",
    "required": ["lat", "lon"],
    "additionalProperties": False,
    "properties": {
        "lat": {"type": "number", "format": "double", "minimum": -90, "maximum": 90, "examples": [51.5072]},
        "lon": {"type": "number", "format": "double", "minimum": -180, "maximum": 180, "examples": [-0.1276]},
    },
}


def limit_examples(headers: dict[str, Any], carried: list[RateLimit]) -> dict[str, Any]:
    """The RateLimit headers' examples as one of this contract's own limits sends them (the scaffold's ``core.limits``
    format: ``"<class>";q=<per minute>;w=60``), never a quota no operation has.

    >>> from backend_architect.ir.model import RateLimit
    >>> read = RateLimit(actor="user", operation_class="read", limit_per_minute=60, burst=10, rationale="")
    >>> limit_examples({"RateLimit-Policy": {"example": "x"}, "RateLimit": {"example": "y"}}, [read])
    {'RateLimit-Policy': {'example': '"read";q=60;w=60'}, 'RateLimit': {'example': '"read";r=59;t=1'}}
    """
    if not carried:
        return headers
    limit = carried[0]
    examples = {
        "RateLimit-Policy": f'"{limit.operation_class}";q={limit.limit_per_minute};w=60',
        "RateLimit": f'"{limit.operation_class}";r={max(0, limit.limit_per_minute - 1)};t=1',
    }
    return {k: ({**v, "example": examples[k]} if k in examples else v) for k, v in headers.items()}


HEADERS: dict[str, Any] = {
    "RateLimit": {
        "description": "Remaining quota in the current window (IETF draft-ietf-httpapi-ratelimit-headers).",
        "schema": {"type": "string"},
        "example": '"default";r=58;t=12',
    },
    "RateLimit-Policy": {"description": "The quota policy applied to this client.", "schema": {"type": "string"}, "example": '"default";q=600;w=60'},
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "format": "int32", "minimum": 0}, "example": 12},
    "Location": {"description": "URL of the created resource.", "schema": {"type": "string", "format": "uri-reference"}},
    "ETag": {"description": "Version of the resource, for If-Match.", "schema": {"type": "string"}, "example": '"3"'},
    "Cache-Control": {
        "description": "Who may keep the response and for how long: the operation's x-cache-control for a request without a token; "
        "private, no-store for a request carrying one (shared caches never keep a caller's response).",
        "schema": {"type": "string"},
        "example": "public, max-age=60",
    },
}

HEADER_PARAMS: dict[str, Any] = {
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Unique key (e.g. a UUID) making a retried POST safe; replays return the first response for "
        f"{RUNTIME_RETENTION_DAYS} days, as long as the key is kept.",
        "schema": {"type": "string", "maxLength": 255},
        "example": "8e03978e-40d5-43e8-bc93-6894a57f9324",
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": IF_MATCH == "required",
        "description": "ETag from a previous read; the write fails with 412 if the resource changed since.",
        "schema": {"type": "string", "maxLength": 64},
        "example": '"3"',
    },
}


def render_openapi(api: Api, arch: Architecture) -> dict[str, Any]:
    """The OpenAPI 3.1 document of one service's API."""
    used_errors: set[int] = set()
    used_limited: set[int] = set()
    used_headers: set[str] = set()
    used_params: set[str] = set()
    used = Used(used_errors, used_limited, used_headers, used_params)
    paths: dict[str, dict[str, Any]] = {}
    carried: list[RateLimit] = []
    limited_statuses: set[int] = set()
    # an internal operation of a modular monolith is a module interface its callers reach in process: no HTTP path
    served = [op for op in api.operations if served_over_http(arch, op)]
    over_http = services_call_over_http(arch)
    for op in served:
        limit = operation_limit(arch, op)
        forbidden = operation_refusals(arch, api, op)
        item = _operation(op, used, scheme_name(arch), limit is not None, forbidden, over_http)
        if limit is not None:
            carried.append(limit)
            limited_statuses.update(int(code) for code in item["responses"] if code.isdigit() and int(code) >= 400)
            item["x-rate-limit"] = {
                "class": limit.operation_class,
                "actor": limit.actor,
                "per_minute": limit.limit_per_minute,
                "burst": limit.burst,
                # a limit sized for calling services counts each by what it calls with (design/service_limits.py says the same)
                "key": service_limit_key(op) if limit.actor == SERVICE_ACTOR else "client IP" if op.auth == "none" else "token subject",
            }
            services = service_limit(arch, op)
            if services is not None and services != limit:
                # a calling service's token carries all its users' requests: a person's limit would throttle it
                item["x-rate-limit"]["services"] = {
                    "per_minute": services.limit_per_minute,
                    "burst": services.burst,
                    "key": service_limit_key(op),
                }
        paths.setdefault(op.path, {})[op.method] = item
    schemas = {s.name: _schema(s) for s in api.schemas}
    if any(p.ref == "Money" for s in api.schemas for p in s.properties):
        schemas["Money"] = MONEY_SCHEMA
    if any(p.ref == "GeoPoint" for s in api.schemas for p in s.properties):
        schemas["GeoPoint"] = GEO_POINT_SCHEMA
    schemas.update(_problem_schemas())
    responses = {ERROR_TEXT[s][0]: _error_response(s, s in used_limited, used) for s in sorted(used_errors)}
    tags = sorted({op.tag for op in served})
    service = next((s for s in arch.services if s.name == api.service), None)
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": api.title,
            "version": api.version,
            "description": (service.description + " " if service else "") + VERSIONING_POLICY + limits_text(carried, limited_statuses),
            "contact": {"name": f"{api.service} team", "email": f"{api.service}-team@example.com", "url": "https://example.com/support"},
            "license": {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"},
        },
        "servers": [{"url": f"{SERVER_URL}{api.base_path}", "description": "Production"}],
        "tags": [{"name": t, "description": f"Operations on {t.replace('-', ' ')}."} for t in tags],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "parameters": {k: v for k, v in HEADER_PARAMS.items() if k in used_params},
            "headers": limit_examples({k: v for k, v in HEADERS.items() if k in used_headers}, carried),
            "responses": responses,
            "securitySchemes": security_schemes(api, arch),
        },
    }
    if not doc["components"]["parameters"]:
        del doc["components"]["parameters"]
    if not doc["components"]["securitySchemes"]:
        del doc["components"]["securitySchemes"]  # an all-public API declares no scheme it never asks for
    unauthorized = doc["components"]["responses"].get("Unauthorized")
    if unauthorized is not None and scheme_name(arch) != "oauth2":
        unauthorized["description"] = "Missing or invalid credentials."
    return doc


@dataclass
class Used:
    """What the operations rendered so far reference, so the components declare exactly that."""

    errors: set[int]
    #: Shared error responses some rate-limited operation references: they declare the RateLimit headers.
    limited: set[int]
    headers: set[str]
    params: set[str]


def _operation(op: Operation, used: Used, scheme: str, limited: bool, forbidden: list[str], over_http: bool = True) -> dict[str, Any]:
    """One operation of the contract; ``over_http``: other parts call it over HTTP with their token (not modules in process)."""
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "description": op.description, "tags": [op.tag]}
    params: list[Any] = [_parameter(p) for p in op.parameters]
    if op.idempotency_key:
        params.append({"$ref": "#/components/parameters/IdempotencyKey"})
        used.params.add("IdempotencyKey")
    if if_match(op) is not None:
        params.append({"$ref": "#/components/parameters/IfMatch"})
        used.params.add("IfMatch")
    if params:
        out["parameters"] = params
    if op.request_schema:
        media = "application/merge-patch+json" if op.method == "patch" else "application/json"
        out["requestBody"] = {"required": True, "content": {media: {"schema": _ref(op.request_schema), "example": op.example_request}}}
    out["responses"] = _responses(op, used, limited, forbidden)
    if op.auth == "none":
        out["security"] = []
    elif op.auth == "optional":
        out["security"] = [{}, {scheme: op.scopes}]
    else:
        out["security"] = [{scheme: op.scopes}]
    if op.signed_by:
        out["security"] = [{SIGNATURE_SCHEME: []}]
    if op.internal:
        out["security"] = [{SERVICE_SCHEME: op.scopes}]  # only other services call it, with their client-credentials token
    elif op.consumers and op.auth != "none" and over_http:
        # other services offer their own token as an alternative; a public operation asks them for none
        out["security"] = [*out["security"], {SERVICE_SCHEME: op.scopes}]
    if op.cache_control:
        out["x-cache-control"] = op.cache_control
    if op.internal:
        out["x-internal"] = True
    if op.consumers:
        out["x-consumers"] = op.consumers
    if op.use_cases:
        out["x-use-cases"] = op.use_cases
    return out


def _limit_headers(used: Used) -> dict[str, Any]:
    used.headers |= {"RateLimit", "RateLimit-Policy"}
    return {"RateLimit": {"$ref": "#/components/headers/RateLimit"}, "RateLimit-Policy": {"$ref": "#/components/headers/RateLimit-Policy"}}


def _problem_headers(status: int, limited: bool, used: Used) -> dict[str, Any]:
    """The headers a problem carries: the limiter's where it admitted the request (or refused it: 429), Retry-After where a wait helps."""
    headers = _limit_headers(used) if limited and (status in LIMITED_ERRORS or status == 429) else {}
    if status in {429, 503}:
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        used.headers.add("Retry-After")
    return headers


def _responses(op: Operation, used: Used, limited: bool, forbidden: list[str]) -> dict[str, Any]:
    headers: dict[str, Any] = _limit_headers(used) if limited else {}
    if op.kind == "create" and op.success_status == 201:
        headers["Location"] = {"$ref": "#/components/headers/Location"}
        used.headers.add("Location")
    if op.conditional and op.kind != "delete":
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
        used.headers.add("ETag")
    if op.success_status == 302:
        # a redirect carries its target in Location and no body
        headers["Location"] = {"description": f"Where the link leads: {op.redirect or 'the target'}.", "schema": {"type": "string", "format": "uri-reference"}}
    if op.cache_control:
        headers["Cache-Control"] = {"$ref": "#/components/headers/Cache-Control"}
        used.headers.add("Cache-Control")
    if op.country_rule is not None:
        # shared caches keep one copy per country: a copy made for one country never answers another
        headers["Vary"] = {
            "description": f"{op.country_rule.header}: the answer depends on the caller's country (geo-restricted item).",
            "schema": {"type": "string"},
            "example": op.country_rule.header,
        }
    description = {200: "OK", 201: "Created", 204: "No Content", 302: "Found: the client follows Location"}[op.success_status]
    success: dict[str, Any] = {"description": description, "headers": headers} if headers else {"description": description}
    if op.response_schema and op.success_status not in {204, 302}:
        success["content"] = {"application/json": {"schema": _ref(op.response_schema), "example": op.example_response}}
    responses: dict[str, Any] = {str(op.success_status): success}
    for status in op.error_statuses:
        inline: dict[str, Any] | None = None
        if status == 403 and not forbidden:
            continue  # no check of this operation answers 403 (``ir.refusals``)
        if status == 451 and op.country_rule is not None:
            inline = _refused(op)
        elif status == op.example_error_status:
            inline = {"description": ERROR_TEXT[status][1], "content": {PROBLEM: {"schema": _ref("Problem"), "example": op.example_error}}}
        elif status == 401 and op.signed_by:
            # no bearer token is asked for: what is refused is the provider's signature (design.callbacks)
            inline = {"description": SIGNATURE_REFUSED, "content": {PROBLEM: {"schema": _ref("Problem")}}}
        elif status == 403 and forbidden != [SCOPE]:
            # reasons beyond the scope every scoped operation shares: said here, not in the shared Forbidden
            inline = {"description": forbidden_text(forbidden), "content": {PROBLEM: {"schema": _ref("Problem")}}}
        if inline is None:
            used.errors.add(status)
            if limited:
                used.limited.add(status)
            responses[str(status)] = {"$ref": f"#/components/responses/{ERROR_TEXT[status][0]}"}
            continue
        problem_headers = _problem_headers(status, limited, used)
        if problem_headers:
            inline["headers"] = problem_headers
        responses[str(status)] = inline
    return responses


def _refused(op: Operation) -> dict[str, Any]:
    """The 451 of a geo-restricted read, with its example problem."""
    rule = op.country_rule
    assert rule is not None
    instance = (op.example_error or {}).get("instance", op.path)
    example = {
        "type": "https://problems.example.com/unavailable-in-country",
        "title": "Unavailable in your country",
        "status": 451,
        "detail": f"This {rule.item} may not be shown in {EXAMPLE_COUNTRY}.",
        "instance": instance,
    }
    return {"description": ERROR_TEXT[451][1], "content": {PROBLEM: {"schema": _ref("Problem"), "example": example}}}


def _error_response(status: int, limited: bool, used: Used) -> dict[str, Any]:
    _name, text = ERROR_TEXT[status]
    response: dict[str, Any] = {"description": text, "content": {PROBLEM: {"schema": _ref("Problem")}}}
    headers = _problem_headers(status, limited, used)
    if headers:
        response["headers"] = headers
    return response


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _parameter(param: Parameter) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": param.type}
    if param.format:
        schema["format"] = param.format
    if param.enum:
        schema["enum"] = param.enum
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.default is not None:
        schema["default"] = param.default
    if param.type == "string" and not param.enum and param.format is None:
        schema["maxLength"] = 512
    out: dict[str, Any] = {"name": param.name, "in": param.location, "description": param.description, "schema": schema}
    if param.required or param.location == "path":
        out["required"] = True
    if param.example is not None:
        out["example"] = param.example
    return out


def _schema(schema: ApiSchema) -> dict[str, Any]:
    request = schema.name.endswith(("Create", "Update", "Request"))
    props = {p.name: property_schema(p) for p in schema.properties}
    out: dict[str, Any] = {"type": "object"}
    if schema.entity:
        kind = (
            "Page of"
            if schema.name.endswith("Page")
            else "Create request for"
            if schema.name.endswith("Create")
            else "Partial update (JSON Merge Patch) of"
            if schema.name.endswith("Update")
            else "Request for"
            if request
            else "A"
        )
        out["description"] = f"{kind} {schema.entity}" + (", as other users see it: without its personal (pii) fields." if schema.for_others else ".")
    required = [p.name for p in schema.properties if p.required]
    if required:
        out["required"] = required
    out["properties"] = props
    if request:
        out["additionalProperties"] = False
    return out


def _scalar_item(prop: ApiProperty) -> dict[str, Any]:
    """The item of an array of scalars: a pattern's strings (country codes), or the names or ids of linked rows with their bounds."""
    if prop.links is None:
        return {"type": "string", "pattern": prop.item_pattern}
    item: dict[str, Any] = {"type": prop.links.type}
    if prop.links.format:
        item["format"] = prop.links.format
    if prop.links.by == "name":
        item["minLength"] = 1
    if prop.links.max_length is not None:
        item["maxLength"] = prop.links.max_length
    return item


def property_schema(prop: ApiProperty) -> dict[str, Any]:
    """The JSON Schema of one contract property: the one shape every document giving that field uses (an event payload too)."""
    if prop.ref:
        base: dict[str, Any] = _ref(prop.ref)
        if prop.nullable:
            base = {"oneOf": [base, {"type": "null"}]}
        if prop.description:
            base["description"] = prop.description
        return base
    out: dict[str, Any] = {"type": [prop.type, "null"] if prop.nullable else prop.type}
    if prop.format:
        out["format"] = prop.format
    if prop.min_length is not None:
        out["minLength"] = prop.min_length
    if prop.max_length is not None:
        out["maxLength"] = prop.max_length
    if prop.minimum is not None:
        out["minimum"] = prop.minimum
    if prop.maximum is not None:
        out["maximum"] = prop.maximum
    if prop.pattern:
        out["pattern"] = prop.pattern
    if prop.enum:
        out["enum"] = [*prop.enum, None] if prop.nullable else list(prop.enum)
    if prop.type == "array" and (prop.items or prop.item_pattern or prop.links):
        out["items"] = _ref(prop.items) if prop.items else _scalar_item(prop)
        if prop.min_items is not None:
            out["minItems"] = prop.min_items
        out["maxItems"] = prop.max_items if prop.max_items is not None else 100
        if prop.links is not None:
            out["uniqueItems"] = True
    if prop.type == "object" and not prop.ref:
        out["additionalProperties"] = True
    if prop.read_only:
        out["readOnly"] = True
    if prop.write_only:
        out["writeOnly"] = True
    if prop.description:
        out["description"] = prop.description
    if prop.pii:
        out["x-pii"] = True
    return out
