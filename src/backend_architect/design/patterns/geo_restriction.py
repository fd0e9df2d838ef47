"""PAT071: an item the spec restricts per country is refused, where it is read, to a caller from a country it may not be shown in."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.country_rules import country_rules, entity_tables
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._common import decision, fmt
from backend_architect.ir.model import Architecture, CachePlan, CountryRule, Operation
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import kebab

#: Statuses: 451 Unavailable For Legal Reasons (RFC 7725) is the refusal of an item a jurisdiction may not see.
REFUSED = 451
#: Shared caches that keep a response for every caller: they must key it by the country too.
_SHARED = frozenset({"cdn", "http"})


@pattern(code="PAT071", name="geo-restriction", stage="placement", title="Refuse a geo-restricted item to callers from the countries it is blocked in")
def geo_restriction(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    An item whose data lists countries that restrict it: a list on its row
    (``blocked_countries: json``, ``allowed_countries``) or a child with one country a row
    (``GeoBlock: {part_of: Video, fields: {country: string(2)}}``); the field's
    ``countries: blocked | allowed`` says it where the names do not.

    ## What it adds
    The edge (the CDN, else the load balancer) geolocates the client's IP and sets
    ``X-Client-Country``, dropping any value the client sent. Every read of the item (its
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


def _sentence(rule: CountryRule) -> str:
    where = f"the item's {rule.column}" if rule.item_column is None else f"{rule.table}.{rule.column} for this {rule.item}"
    refused = "is listed in" if rule.mode == "blocked" else "is not listed in"
    return (
        f"451 (problem+json) when the caller's country ({rule.header}, set by the edge from the client's IP) {refused} {where}; "
        f"responses vary by {rule.header}."
    )


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
                    "description": op.description if sentence in op.description else f"{op.description} {sentence}".strip(),
                }
            ),
        )
        for service, _, op in reads
    )
    names = {u for _, _, op in reads for u in op.use_cases}
    peak = sum(u.peak_qps for u in analysis.use_cases if u.name in names)
    caches = tuple(_keyed(c, rule) for c in arch.caches if c.use_case in names and c.strategy in _SHARED)
    listed = ", ".join(f"GET {base}{op.path}" for _, base, op in reads)
    edge = "the CDN" if any(c.kind == "cdn" for c in arch.components) else "the load balancer"
    made = decision(
        f"geo-restriction.{kebab(rule.item)}",
        f"Geo-restriction of {rule.item}",
        "api",
        f"geo-blocking per country: {edge} geolocates the client's IP and sets {rule.header} (a client-sent value is dropped); {listed} "
        f"{sentence.replace('451', 'answer 451', 1)} "
        + (f"Shared caches key those responses by country ({', '.join(c.use_case for c in caches)})" if caches else "No shared cache keeps them"),
        f"{rule.item} is {'refused in the countries' if rule.mode == 'blocked' else 'served only in the countries'} of "
        f"{rule.table}.{rule.column}; {len(reads)} read(s) of it, {fmt(peak)} req/s at peak",
        f"the check is {_cost(rule, peak)}; at the edge each item is cached once per country its viewers come from, so a path's hit ratio "
        "is split by country; lists and searches still show a restricted item (opening it answers 451)",
        alternatives=[
            ("the CDN's geo restriction alone", "it allows or denies whole distributions by country, not one item"),
            ("geolocation DNS routing", "it picks a region and refuses nothing; a VPN or a roaming viewer lands anywhere"),
            ("the user's country setting", "a profile setting is chosen by the user; licences follow where the viewer is"),
        ],
        subject=rule.item,
        inputs={"peak_rps": peak, "reads": float(len(reads))},
    )
    return Applied(made, operations=operations, caches=caches)


def _keyed(cache: CachePlan, rule: CountryRule) -> CachePlan:
    """A shared cache of a restricted read keys each entry by the caller's country as well."""
    key = f"{cache.key or 'the URL'} + {rule.header}"
    why = f"keyed by the caller's country ({rule.header}; Vary): a copy cached for one country never answers another"
    return cache.model_copy(update={"key": key, "rationale": cache.rationale if why in cache.rationale else f"{cache.rationale}; {why}"})
