"""PAT004: full-text search in the database while one node holds it, else a search engine fed by change events."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.capacity import rows_after
from backend_architect.design.overrides import Steer, settled, steer
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import search_service
from backend_architect.design.patterns._common import avoided, decision, figure, fmt, owner_of, size, table_of
from backend_architect.design.patterns._common import horizon as sizing_horizon
from backend_architect.design.patterns._copies import copies_said, search_layout
from backend_architect.design.patterns._feeds import change_feeds
from backend_architect.design.patterns._linked_names import linked_fields, with_linked
from backend_architect.design.patterns.availability import planned_level
from backend_architect.design.relay import RELAY_INPUT, RELAY_S
from backend_architect.design.row_fates import RowFates, row_fates
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import OUTBOX_SOURCE, sources_of
from backend_architect.ir.runtime import Component, Mechanism, Placement
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import TENANT_COLUMN

#: PostgreSQL full-text search (GIN) stays fast to about this many rows per searched table and this
#: many searches per second; past either, a dedicated engine pays off (GIN posting lists and ts_rank cost grow with the corpus).
PG_SEARCH_MAX_ROWS = 10_000_000
PG_SEARCH_MAX_QPS = 200.0
#: Bytes of index per searched row (terms and positions of a short document, about 1x the text).
INDEX_BYTES_PER_ROW = 600
#: Data per search shard: the common sizing rule for Lucene-based engines is 10-50 GB a shard.
SHARD_BYTES = 30e9
#: Seconds from a committed change to it being searchable: the event relay's lag (design/relay.py) plus the engine's refresh interval.
REFRESH_S = 1.0
INDEXING_LAG_S = RELAY_S + REFRESH_S


def _searches(analysis: Analysis) -> list[UseCase]:
    return [u for u in analysis.use_cases if any(s.text for s in u.searches)]


@dataclasses.dataclass(frozen=True)
class Routing:
    """The column every search of the index is scoped by, so documents live on the shard its value hashes to."""

    column: str
    target: str


def search_routing(spec: Spec, searches: list[UseCase]) -> Routing | None:
    """The reference every search is scoped by (the required filter its contract takes: one parent's rows), if they share one;
    for rows of a tenant with no such filter, the tenant, which every query of a tenant-scoped row carries.

    A query carrying the value reads the one shard holding that parent's documents instead of asking every shard and
    merging (scatter-gather); documents are written with the same routing value. A many-to-many relation (a document
    under several tags) or a search with no required scope leaves the index unrouted.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"Server": {}, "Message": {"fields": {"server": "ref(Server)", "body": "text"}}},
    ...     "use_cases": [{"name": "search messages", "reads": ["Message"], "search": ["body"], "filter": ["server"], "rate": "1/s"}]})
    >>> from backend_architect.design.analysis import analyse
    >>> search_routing(spec, [u for u in analyse(spec).use_cases if u.searches])
    Routing(column='server_id', target='Server')
    """
    from backend_architect.design.indexes import leading_filter

    found: set[Routing] = set()
    for use_case in searches:
        leading = leading_filter(spec, use_case)
        ref = next((f for f in use_case.filters if f.written == leading and not f.joined and f.entity == use_case.entity), None)
        field = spec.entities[use_case.entity].fields.get(ref.field) if ref is not None else None
        if ref is None or field is None or field.type.kind != "ref" or field.type.target in {None, use_case.entity} or ref.column is None:
            found.add(Routing(TENANT_COLUMN, spec.tenant or "tenant") if spec.entities[use_case.entity].tenant_scoped else Routing("", ""))
            continue
        found.add(Routing(ref.column, field.type.target or ""))
    # a tenant-scoped row is always searched within its tenant: the tenant routes it when no finer scope is shared
    return found.pop() if len(found) == 1 and "" not in {r.column for r in found} else None


@pattern(code="PAT004", name="search-index", stage="read_paths", title="Full text in the database, or a search engine fed by change events")
def search_index(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Use cases searching text fields. While the largest searched corpus stays under
    ``PG_SEARCH_MAX_ROWS`` rows over the horizon and searches under ``PG_SEARCH_MAX_QPS``/s,
    PostgreSQL's full-text search (a GIN index, already in the DDL) serves them; past either,
    a search engine does.

    ## What it adds
    An OpenSearch cluster (shards from the index size, each with the copies ``_copies`` decides) and an indexer
    consuming the searched entities' change events from the outbox (incremental: each
    changed row is reindexed, never a full rebuild), with its lag; the GIN index leaves the DDL.
    Queries fan out to every shard and their results are merged (scatter-gather).

    ## What it costs
    Index bytes = rows x bytes per row; shards = ceil(index bytes / 30 GB); nodes from the
    shards and the query rate; a second store that is eventually consistent with the first.

    ## Alternatives
    PostgreSQL full text (one system, transactional) below the thresholds; Elasticsearch
    (the same engine, other licence); a managed search service.

    ## References
    OpenSearch documentation, "Sizing domains"; PostgreSQL documentation, "Full Text Search".
    """
    searches = _searches(analysis)
    if not searches:
        return
    horizon = sizing_horizon(spec)
    entities, rows, qps, variants, steered = _plan(spec, analysis, arch)
    biggest = max(rows.values(), default=0.0)
    names = ", ".join(u.name for u in searches)
    context = f"full-text search in {names}: {fmt(qps)} searches/s at peak over up to {fmt(biggest)} rows after {horizon:g} years"

    def build(variant: str) -> list[Outcome]:
        if variant == "postgresql":
            return list(_in_database(spec, context, biggest, qps))
        engine = next(e for e in ENGINES if e.lower() == variant)
        return list(_engine(spec, analysis, arch, searches, entities, rows, biggest, qps, context, horizon, engine))

    outcomes = build(steered.build)
    numbers = build(steered.by_numbers) if steered.overruled else outcomes
    numbers_decision = next(o.decision for o in numbers if isinstance(o, Applied) and o.decision)
    choices = list(variants["postgresql"]) + list(ENGINES)
    for outcome in outcomes:
        if isinstance(outcome, Applied) and outcome.decision is not None:
            record = settled(steered, numbers_decision.model_copy(update={"choices": choices}), outcome.decision.model_copy(update={"choices": choices}))
            outcome = dataclasses.replace(outcome, decision=record)
        yield outcome


def _plan(spec: Spec, analysis: Analysis, arch: Architecture) -> tuple[list[str], dict[str, float], float, dict[str, list[str]], Steer]:
    """The searched entities, their rows at the horizon, the searches/s, the variants and the (steered) choice.

    Rows come from the tables themselves (``rows_after``, the capacity stage's own formula), so the index stage, which runs
    before capacity, takes the same decision as this pattern: it builds no GIN index a search engine makes useless.
    """
    searches = _searches(analysis)
    horizon = sizing_horizon(spec)
    growth = spec.scale.growth_per_year or 0.0
    entities = list(dict.fromkeys(s.entity for u in searches for s in u.searches if s.text))
    rows = {e: rows_after(t[1], horizon, growth)[0] for e in entities if (t := table_of(arch, e))}
    qps = sum(u.peak_qps for u in searches)
    in_database = max(rows.values(), default=0.0) <= PG_SEARCH_MAX_ROWS and qps <= PG_SEARCH_MAX_QPS and not avoided(spec, "postgresql")
    default_engine = "OpenSearch" if not avoided(spec, "opensearch") else "Elasticsearch"
    variants = {"postgresql": ["PostgreSQL full-text search"], **{e.lower(): [e, *(["search engine"] if e == default_engine else [])] for e in ENGINES}}
    steered = steer(spec, "search", "postgresql" if in_database else default_engine.lower(), variants, ("PAT004", "search-index"))
    return entities, rows, qps, variants, steered


def engine_serves_search(spec: Spec, analysis: Analysis, arch: Architecture) -> bool:
    """Whether a search engine, not PostgreSQL's GIN index, answers the spec's full-text searches (by the numbers or the author)."""
    return bool(_searches(analysis)) and _plan(spec, analysis, arch)[4].build != "postgresql"


#: Search engines the pattern sizes alike (Lucene clusters fed by an indexer), with the release the design names.
ENGINES = {"OpenSearch": "OpenSearch 2", "Elasticsearch": "Elasticsearch 8"}


def _in_database(spec: Spec, context: str, biggest: float, qps: float) -> Iterator[Outcome]:
    yield Skipped(
        "search",
        f"a search engine: PostgreSQL full text serves {fmt(qps)} searches/s over {fmt(biggest)} rows "
        f"(an engine pays off past {fmt(PG_SEARCH_MAX_ROWS)} rows or {fmt(PG_SEARCH_MAX_QPS)}/s)",
    )
    yield Applied(
        decision(
            "search",
            "Full-text search",
            "data",
            "PostgreSQL full-text search (GIN index on tsvector)",
            context,
            f"under {fmt(PG_SEARCH_MAX_ROWS)} rows and {fmt(PG_SEARCH_MAX_QPS)} searches/s one node serves it: no second system to keep in sync",
            alternatives=[
                ("OpenSearch", "relevance tuning and facets, but a cluster to run and an index to keep in sync; adopt past the thresholds"),
                ("Meilisearch", "typo tolerance for small data sets, but another store to sync"),
            ],
            # its own consequences, so an engine's (indexing lag, "the database keeps no full-text index") never carry over
            consequences="Search sees every committed write at once (the index is updated in the writing transaction); each write to a "
            "searched column also updates the GIN index, and searches load the primary database.",
            subject="search",
            inputs={"rows": biggest, "searches_per_s": qps},
            spec=spec,
        ),
    )


def _engine(
    spec: Spec,
    analysis: Analysis,
    arch: Architecture,
    searches: list[UseCase],
    entities: list[str],
    rows: dict[str, float],
    biggest: float,
    qps: float,
    context: str,
    horizon: float,
    engine: str,
) -> Iterator[Outcome]:
    index_bytes = sum(rows.values()) * INDEX_BYTES_PER_ROW
    shards = max(1, math.ceil(index_bytes / SHARD_BYTES))
    # the copies and nodes the redundancy record states for the search engine (one decision: _copies), every node holding shard copies
    layout = search_layout(spec, analysis, arch, [u.name for u in searches], shards, qps)
    nodes = layout.nodes
    services = sorted({owner_of(arch, e) for e in entities})
    routing = search_routing(spec, searches) if shards > 1 and len(entities) == 1 else None
    reach = (
        f"documents are routed by {routing.column} and every search carries it, so a query reads the one shard holding that "
        f"{routing.target}'s documents, not all {shards} (a {routing.target} outgrowing a shard spreads over a few with a routing partition)"
        if routing
        else "queries fan out to every shard and merge the results (scatter-gather)"
    )
    choice = (
        f"{engine} (Lucene) cluster for {', '.join(entities)}: {shards} shard(s), {copies_said(layout.copies, planned_level(spec, arch).zones)}, "
        f"on {nodes} nodes ({shards} x {layout.copies} shard copies spread over them), fed by a search "
        f"indexer consuming their change events from {_from(arch, entities)} (incremental indexing: each changed row is reindexed, never a full "
        f"rebuild); {reach}"
    )
    rationale = (
        f"{fmt(biggest)} rows after {horizon:g} years or {fmt(qps)} searches/s pass what PostgreSQL's GIN serves well "
        f"({fmt(PG_SEARCH_MAX_ROWS)} rows, {fmt(PG_SEARCH_MAX_QPS)}/s); the index is {size(index_bytes)} "
        f"({fmt(sum(rows.values()))} rows x {INDEX_BYTES_PER_ROW} B), {fmt(SHARD_BYTES / 1e9)} GB a shard; {layout.copies} copies: {layout.why}"
    )
    made = decision(
        "search",
        "Full-text search",
        "data",
        choice,
        context,
        rationale,
        alternatives=[
            ("PostgreSQL full-text search", f"ranking and write amplification at {fmt(biggest)} rows; GIN updates slow every write"),
            *((e, "equivalent engine; licence and managed-offering differences") for e in ENGINES if e != engine),
        ],
        consequences=f"Search results trail writes by about {INDEXING_LAG_S:g} s (the {_relay(arch, entities)} and the 1 s refresh); a lost index is "
        "rebuilt by replaying the rows through the indexer. The database keeps no full-text index.",
        subject="search",
        inputs={"rows": biggest, "searches_per_s": qps, "index_bytes": index_bytes, "shards": shards},
        spec=spec,
    )
    # the indexer follows only the row events some operation makes: an append-only entity's rows are indexed once
    each = [row_fates(analysis, e) for e in entities]
    fates = RowFates(any(f.updated for f in each), any(f.deleted for f in each))
    components = (
        Component(
            name="search-engine",
            kind="search-engine",
            technology=ENGINES[engine],
            purpose=f"full-text search over {', '.join(entities)}",
            services=services,
            use_cases=[u.name for u in searches],
            instances=nodes,
            memory_bytes=index_bytes,
            decision="search",
        ),
        Component(
            name="search-indexer",
            kind="worker",
            technology=_consumer(arch, entities),
            purpose=f"{'reindexes' if fates.changed else 'indexes'} each {fates.verbs()} {', '.join(entities)} row",
            services=services,
            # the documents live in the engine, which shares no transaction with the database: the write itself is idempotent
            redelivery="each document is written under its row's id with the event's occurred_at as an external version "
            "(version_type=external_gte): a redelivered event rewrites the same document, an older one is refused",
            instances=2,
            decision="search",
        ),
    )
    figures_out = (
        figure(
            "search.index_bytes",
            "size of the search index",
            index_bytes,
            "bytes",
            "rows x index_bytes_per_row",
            {"rows": sum(rows.values()), "index_bytes_per_row": INDEX_BYTES_PER_ROW},
        ),
        figure(
            "search.shards",
            "search shards",
            shards,
            "shards",
            "max(1, ceil(index_bytes / shard_bytes))",
            {"index_bytes": index_bytes, "shard_bytes": SHARD_BYTES},
        ),
        figure(
            "search.shards_per_query",
            "search shards one query reads" + (f" (routed by {routing.column})" if routing else " (scatter-gather: every shard)"),
            1.0 if routing else float(shards),
            "shards",
            "1 (routed by the scope every search carries)" if routing else "shards",
            {} if routing else {"shards": float(shards)},
        ),
        figure(
            "search.lag_seconds",
            "time from a write to it being searchable",
            INDEXING_LAG_S,
            "s",
            "relay_s + refresh_s",
            {RELAY_INPUT: RELAY_S, "refresh_s": REFRESH_S},
        ),
    )
    tables = []
    for entity in entities:
        found = table_of(arch, entity)
        if found is None:
            continue
        store, table = found
        kept = [i for i in table.indexes if i.method != "gin" or not i.expression]
        if len(kept) != len(table.indexes):
            tables.append((store, table.model_copy(update={"indexes": kept})))
    placements = tuple(
        Placement(
            data=f"{found[1].name}.search",
            data_class="search",
            store=search_service(spec, engine),
            reason=rationale,
            retention=f"as long as the {found[1].name} rows",
            component="search-engine",
            decision="search",
            alternatives=[f"PostgreSQL GIN index: past {fmt(PG_SEARCH_MAX_ROWS)} rows or {fmt(PG_SEARCH_MAX_QPS)} searches/s"],
        )
        for e in entities
        if (found := table_of(arch, e))
    )
    mechanisms = tuple(
        Mechanism(
            use_case=u.name,
            pattern="PAT004",
            decision="search",
            serves="read",
            store="search-engine",
            entities=list(dict.fromkeys([u.entity, *(r.entity for r in u.searches)])),
            how=f"a full-text query of the {engine} index" + (f", routed by {routing.column} to one shard" if routing else ""),
            database_share=0.0,
            lag_seconds=INDEXING_LAG_S,
            lag_figure="search.lag_seconds",
        )
        for u in searches
    )
    yield Applied(
        made,
        components=components,
        figures=figures_out,
        tables=tuple(tables),
        placements=placements,
        # a searched name on a linked row (Tag.name) reaches the index only if the events carry the links' names
        events=with_linked(spec, arch, analysis, change_feeds(arch, analysis, entities, "search-indexer"), "search-indexer", linked_fields(spec, searches)),
        mechanisms=mechanisms,
    )


def _from(arch: Architecture, entities: list[str]) -> str:
    """Where the indexer reads the searched entities' change events: the outbox, or a CDC log where a wide-column store holds a table."""
    return " and ".join("the outbox" if source == OUTBOX_SOURCE else source for source in sources_of(arch, entities))


def _relay(arch: Architecture, entities: list[str]) -> str:
    return "outbox relay" if _from(arch, entities) == "the outbox" else "change relay"


def _consumer(arch: Architecture, entities: list[str]) -> str:
    """The indexer's technology line, naming where its change events come from when that is not only the outbox."""
    source = _from(arch, entities)
    return "a consumer of the outbox change events" if source == "the outbox" else f"a consumer of the change events from {source}"
