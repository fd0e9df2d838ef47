"""PAT056: an item the spec restricts per country is refused, where it is read, to a caller from a country it may not be shown in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from backend_architect.design.analysis import Analysis
from backend_architect.design.country_rules import country_rules, entity_tables
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._common import decision, fmt
from backend_architect.ir.model import EXAMPLE_COUNTRY, ApiProperty, ApiSchema, Architecture, CachePlan, CountryRule, Operation
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import kebab

#: Statuses: 451 Unavailable For Legal Reasons (RFC 7725) is the refusal of an item a jurisdiction may not see.
REFUSED = 451
#: Shared caches that keep a response for every caller: they must key it by the country too.
_SHARED = frozenset({"cdn", "http"})


@pattern(code="PAT056", name="geo-restriction", stage="placement", title="Refuse a geo-restricted item to callers from the countries it is blocked in")
def geo_restriction(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    An item whose data lists countries that restrict it: a list on its row
    (``blocked_countries: json``, ``allowed_countries``) or a child with one country a row
    (``GeoBlock: {part_of: Video, fields: {country: string(2)}}``); the field's
    ``countries: blocked | allowed`` says it where the names do not.

    ## What it adds
    The edge each read's requests pass (the CDN for a read it caches, else the API gateway, else
    the load balancer) geolocates the client's IP and sets ``X-Client-Country``, dropping any
    value the client sent. Every read of the item (its
    get, its playback, its download URL) answers ``451 Unavailable For Legal Reasons``
    (problem+json) to a caller from a country the rule excludes, and its shared caches key
    the response by that country (``Vary: X-Client-Country``), so a copy cached for one
    country never answers another.

    ## What it costs
    On a list column, nothing: the countries come with the row the read fetches. On a child
    table, one indexed lookup of (item id, country) per read that reaches the service, on
    the item's shard. At the edge, one cached copy per item and country its viewers come
    from, which splits each item's hit ratio by country.

    ## Alternatives
    The CDN's own geo restriction (per distribution: it blocks whole sites, not one item);
    geolocation DNS routing (picks a region, refuses nothing); the user's country setting
    (chosen by the user; licences follow where the viewer is).

    ## References
    RFC 7725 (HTTP 451); Amazon CloudFront, "Restricting the geographic distribution of your content"; RFC 9110 section 12.5.5 (Vary).
    """
    tables = entity_tables(arch)
    for rule in country_rules(spec, tables):
        applied = _applied(analysis, arch, rule)
        if applied is not None:
            yield applied


def _restricted(arch: Architecture, item: str) -> list[tuple[str, str, Operation]]:
    """The item's reads: its get and what hangs off it (playback, download URL), as (service, base path, operation)."""
    return [
        (api.service, api.base_path, op)
        for api in arch.apis
        for op in api.operations
        if op.entity == item and op.method == "get" and op.kind == "get" and op.success_status == 200 and not op.internal
    ]


def _sentence(rule: CountryRule, edge: str = "the edge") -> str:
    where = f"the item's {rule.column}" if rule.item_column is None else f"{rule.table}.{rule.column} for this {rule.item}"
    refused = "is listed in" if rule.mode == "blocked" else "is not listed in"
    return (
        f"451 (problem+json) when the caller's country ({rule.header}, set by {edge} from the client's IP) {refused} {where}; responses vary by {rule.header}."
    )


def passed_edge(arch: Architecture, op: Operation) -> str:
    """The edge a read's requests pass that sees the client's IP and sets the country: the CDN only for a read the CDN caches
    (the rest of the API never passes it, it serves media), else the API gateway where one routes the API, else the load balancer."""
    if any(c.strategy == "cdn" and c.use_case in op.use_cases for c in arch.caches):
        return "the CDN"
    if any(c.kind == "api-gateway" for c in arch.components):
        return "the API gateway (from the client address the load balancer forwards)"
    return "the load balancer"


def _edges(arch: Architecture, reads: list[tuple[str, str, Operation]]) -> str:
    """Who sets the country for the restricted reads: one edge, or each edge with the reads passing it."""
    by_edge: dict[str, list[str]] = {}
    for _, base, op in reads:
        by_edge.setdefault(passed_edge(arch, op), []).append(f"GET {base}{op.path}")
    if len(by_edge) == 1:
        return f"{next(iter(by_edge))} geolocates"
    return " and ".join(f"{edge} (for {', '.join(paths)})" for edge, paths in by_edge.items()) + " geolocate"


def _cost(rule: CountryRule, peak: float) -> str:
    if rule.item_column is None:
        return f"no extra read: {rule.column} comes with the {rule.table} row the read fetches"
    return f"one indexed lookup of ({rule.item_column}, {rule.column}) in {rule.table} per read reaching the service, up to {fmt(peak)}/s at peak"


def _applied(analysis: Analysis, arch: Architecture, rule: CountryRule) -> Applied | None:
    reads = _restricted(arch, rule.item)
    if not reads:
        return None
    sentence = _sentence(rule)
    operations = tuple(
        (
            service,
            op.model_copy(
                update={
                    "country_rule": rule,
                    "error_statuses": sorted({*op.error_statuses, REFUSED}),
                    "description": op.description if said in op.description else f"{op.description} {said}".strip(),
                }
            ),
        )
        for service, _, op in reads
        for said in [_sentence(rule, passed_edge(arch, op))]
    )
    shapes: tuple[tuple[str, ApiSchema], ...] = ()
    if rule.item_column is None:
        others, shapes = _listed(arch, rule, {op.operation_id for _, _, op in reads})
        operations = _shown(operations, rule) + others
    names = {u for _, _, op in reads for u in op.use_cases}
    peak = sum(u.peak_qps for u in analysis.use_cases if u.name in names)
    caches = tuple(_keyed(c, rule) for c in arch.caches if c.use_case in names and c.strategy in _SHARED)
    listed = ", ".join(f"GET {base}{op.path}" for _, base, op in reads)
    made = decision(
        f"geo-restriction.{kebab(rule.item)}",
        f"Geo-restriction of {rule.item}",
        "api",
        f"geo-blocking per country: {_edges(arch, reads)} the client's IP and sets {rule.header} (a client-sent value is dropped); {listed} "
        f"{sentence.replace('451', 'answer 451', 1)} " + kept_by(caches, rule)[0],
        f"{rule.item} is {'refused in the countries' if rule.mode == 'blocked' else 'served only in the countries'} of "
        f"{rule.table}.{rule.column}; {len(reads)} read(s) of it, {fmt(peak)} req/s at peak",
        f"the check is {_cost(rule, peak)}; {kept_by(caches, rule)[1]}; lists and searches still show a restricted item (opening it answers 451)",
        alternatives=[
            ("the CDN's geo restriction alone", "it allows or denies whole distributions by country, not one item"),
            ("geolocation DNS routing", "it picks a region and refuses nothing; a VPN or a roaming viewer lands anywhere"),
            ("the user's country setting", "a profile setting is chosen by the user; licences follow where the viewer is"),
        ],
        subject=rule.item,
        inputs={"peak_rps": peak, "reads": float(len(reads))},
    )
    return Applied(made, operations=operations, caches=caches, schemas=shapes)


#: A country code as the list holds it (ISO 3166-1 alpha-2), and the most a list holds (every code there is).
COUNTRY_PATTERN = "^[A-Z]{2}$"
MAX_COUNTRIES = 250


def _listed(arch: Architecture, rule: CountryRule, restricted: set[str]) -> tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]:
    """The item's shapes with the list column as what it is, an array of country codes (JSON alone says an object), and the item's
    other operations' examples showing a list."""
    shapes = []
    for api in arch.apis:
        for schema in api.schemas:
            if schema.entity != rule.item or not any(p.name == rule.column for p in schema.properties):
                continue
            props = [
                p.model_copy(update={"type": "array", "item_pattern": COUNTRY_PATTERN, "max_items": MAX_COUNTRIES, "description": _described(p, rule)})
                if p.name == rule.column
                else p
                for p in schema.properties
            ]
            shapes.append((api.service, schema.model_copy(update={"properties": props})))
    others = tuple((api.service, op) for api in arch.apis for op in api.operations if op.entity == rule.item and op.operation_id not in restricted)
    return _shown(others, rule), tuple(shapes)


def _described(prop: ApiProperty, rule: CountryRule) -> str:
    says = "refused in" if rule.mode == "blocked" else "served only in"
    return f"{prop.description + '; ' if prop.description else ''}the countries (ISO 3166-1 alpha-2) the {rule.item} is {says}"


def _shown(operations: tuple[tuple[str, Operation], ...], rule: CountryRule) -> tuple[tuple[str, Operation], ...]:
    """Operations whose examples show the list column, showing a list of codes in place of an object."""
    return tuple(
        (service, op.model_copy(update={k: _listing(getattr(op, k), rule.column) for k in ("example_request", "example_response")}))
        for service, op in operations
    )


def _listing(example: Any, column: str) -> Any:
    if isinstance(example, list):
        return [_listing(e, column) for e in example]
    if isinstance(example, dict):
        return {k: [EXAMPLE_COUNTRY] if k == column and v is not None else _listing(v, column) for k, v in example.items()}
    return example


def kept_by(caches: tuple[CachePlan, ...], rule: CountryRule) -> tuple[str, str]:
    """Who may keep a restricted response, said once for the decision and once for its reason: the same answer in both.

    A record saying 'no shared cache keeps them' and, as its reason, 'at the edge each item is cached once per country'
    states two policies for one response. Where a CDN or HTTP cache keeps the reads, each copy is keyed by country (Vary)
    and the hit ratio splits by country; where none does, the check runs in the service on every read and the country
    splits nothing.
    """
    if not caches:
        return (
            "No shared HTTP cache keeps them",
            "no edge or shared HTTP cache keeps a response, so the check runs in the service on every read and the country splits no hit ratio",
        )
    where = "at the edge" if any(c.strategy == "cdn" for c in caches) else "in each browser's cache"
    paths = ", ".join(c.use_case for c in caches)
    return (
        f"The caches that keep them key each response by country ({paths})",
        f"{where} each item is cached once per country its viewers come from ({rule.header} in the key and in Vary), so the hit ratio of "
        f"{paths} is split by country",
    )


def _keyed(cache: CachePlan, rule: CountryRule) -> CachePlan:
    """A shared cache of a restricted read keys each entry by the caller's country as well."""
    key = f"{cache.key or 'the URL'} + {rule.header}"
    why = f"keyed by the caller's country ({rule.header}; Vary): a copy cached for one country never answers another"
    return cache.model_copy(update={"key": key, "rationale": cache.rationale if why in cache.rationale else f"{cache.rationale}; {why}"})
