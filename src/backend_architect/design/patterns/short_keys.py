"""PAT024: public short identifiers (``key: short_code`` or ``key: slug``): how they are made, how long they are, how they resolve."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.overrides import Steer, settled, steer
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._api import example_code, rekey_item_paths
from backend_architect.design.patterns._cache_figures import cache_memory, hit_ratio
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import DEFAULT_HORIZON_YEARS, PRIMARY_WRITE_CEILING, decision, figure, fmt, owner_of, table_of, writers
from backend_architect.design.patterns._playback import plays_video
from backend_architect.design.patterns._short_links import CACHE_CONTROL, PATH, short_link_contract
from backend_architect.design.patterns.caching import CACHE_ENTRY_BYTES, HOT_SHARE, STRATEGIES, cache_aside_operations, described, hit_figures
from backend_architect.ir.model import ApiSchema, Architecture, CachePlan, Column, Decision, Figure, Operation, Table
from backend_architect.ir.runtime import Component
from backend_architect.spec.identifiers import bounded_name
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake
from backend_architect.spec.units import DAYS_PER_YEAR

#: Characters of a short code: digits and both cases of the Latin letters (base62), safe in any URL.
ALPHABET = 62
#: Share of inserts that may meet a taken code at the horizon's occupancy (then retried once).
COLLISION_TARGET = 0.001
#: The shortest code issued: shorter ones are guessable by brute force at a few thousand requests a second.
MIN_LENGTH = 6
#: The longest random code still pleasant to read out or type; beyond it, codes come from key ranges.
MAX_RANDOM_LENGTH = 8
#: Keys one application instance claims at a time from the range allocator.
RANGE_SIZE = 10_000
#: A slug keeps this many characters of its title, plus a dash and four characters when two titles collide.
SLUG_LENGTH = 60
SLUG_SUFFIX = 5
#: Reads/s of one code's resolution from which it is cached; a public one from which a CDN serves it.
CACHE_MIN_READS = 50.0
CDN_MIN_READS = 200.0
#: How long a resolved code is cached: a code never changes what it points to, only deletes evict it.
RESOLVE_TTL_S = 86_400.0


@dataclass(frozen=True)
class KeyPlan:
    """The key column of an entity with a public short key, and the numbers that sized it."""

    column: str
    length: int
    keys_needed: float
    method: str
    random_length: int
    range_length: int
    horizon_years: float
    growth: float = 0.0


def keys_over(rows_now: float, rows_per_day: float, growth: float, years: float) -> float:
    """Rows now plus the rows created over ``years``, each year's intake ``growth`` larger than the last.

    >>> keys_over(100, 1, 0.0, 2)
    830.0
    """
    whole = math.floor(years)
    per_year = rows_per_day * DAYS_PER_YEAR
    added = sum(per_year * (1 + growth) ** k for k in range(whole)) + per_year * (1 + growth) ** whole * (years - whole)
    return float(rows_now + added)


def key_plan(spec: Spec, analysis: Analysis, entity: str) -> KeyPlan | None:
    """The short key of ``entity``: its column, length and generation method; None for ordinary keys.

    Random codes need room for inserts to rarely collide (occupancy at most ``COLLISION_TARGET``);
    codes from pre-allocated ranges never collide, so they can fill the key space.
    """
    body = spec.entities[entity]
    if body.key not in {"short_code", "slug"}:
        return None
    horizon = spec.scale.retention_years or DEFAULT_HORIZON_YEARS
    growth = spec.scale.growth_per_year or 0.0
    facts = analysis.entities[entity]
    needed = max(1.0, keys_over(facts.rows_now, facts.rows_per_day, growth, horizon))
    if body.key == "slug":
        return KeyPlan("slug", SLUG_LENGTH + SLUG_SUFFIX, needed, "slug", 0, 0, horizon, growth)
    random_length = max(MIN_LENGTH, math.ceil(math.log(needed / COLLISION_TARGET, ALPHABET)))
    range_length = max(MIN_LENGTH, math.ceil(math.log(needed, ALPHABET)))
    peak_creates = sum(u.peak_qps for u in writers(analysis, entity))
    method = "random" if random_length <= MAX_RANDOM_LENGTH and peak_creates <= PRIMARY_WRITE_CEILING else "ranges"
    method = steer(spec, f"short-keys.{snake(entity)}", method, METHODS, ("PAT024", "short-key-generation")).build
    length = random_length if method == "random" else range_length
    return KeyPlan("code", length, needed, method, random_length, range_length, horizon, growth)


@pattern(code="PAT024", name="short-key-generation", stage="access_paths", title="Generate public short keys and resolve them")
def short_keys(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    An entity declares ``key: short_code`` (a short link's code) or ``key: slug`` (a readable
    name from its title). The keys needed are the rows today plus the rows created over the
    horizon (``scale.retention_years``, else 5 years).

    ## What it adds
    A ``code`` (or ``slug``) column, unique and set by the server (read-only in the API); item
    URLs address rows by it (``/share-links/{code}``). Codes are base62: random with a
    collision check (the unique index rejects a taken code, the insert retries) while the
    random length stays at most 8 characters and creates fit one primary; else pre-allocated
    key ranges (each instance claims 10,000 counter values and maps each through a keyed
    permutation to base62, so codes never collide and are not sequential). The resolve path
    is cached (a code never changes its target); every change of the row it holds (an update,
    a counter, the media workers' status) purges the key, and its writes/s count in the hit ratio.

    ## What it costs
    Length = ceil(log62(keys / 0.001)) for random codes (a retry on one insert in a thousand at
    the horizon), ceil(log62(keys)) for ranges; one allocator write per 10,000 keys.

    ## Alternatives
    A counter in base62 (sequential: enumerable, and it reveals volume); hashing the target
    (collisions need the same check, and the same target cannot get two codes); UUIDs (36
    characters).

    ## References
    Base62 short links as used by URL shorteners; D. Knuth, TAOCP vol. 3 (birthday bound on collisions).
    """
    for entity in spec.entities:
        plan = key_plan(spec, analysis, entity)
        found = table_of(arch, entity)
        if plan is None or found is None:
            continue
        built = _applied(spec, analysis, arch, entity, plan, *found)
        # each resolve path's cache is a decision of its own (cache.<use case>), as every cached read path's is
        for cache in built.caches:
            use_case = next(u for u in analysis.use_cases if u.name == cache.use_case)
            edge = Component(name="cdn", kind="cdn", technology=named(spec, "cdn"), purpose=f"caches {use_case.name} at the edge", use_cases=[use_case.name])
            held, memory = (edge, ()) if cache.strategy == "cdn" else _resolve_redis(spec, analysis, use_case, entity)
            record = _cache_record(use_case, cache, row_changes(analysis, entity), max(1.0, analysis.rows(entity)))
            yield Applied(record, caches=(cache,), components=(held,), figures=memory)
        built = dataclasses.replace(built, caches=())
        steered = steer(spec, f"short-keys.{snake(entity)}", plan.method, METHODS, (short_keys.code, short_keys.name))
        choices = {"choices": [names[0] for names in METHODS.values()]}
        if plan.method == "slug" or steered.override is None or built.decision is None:
            yield built if plan.method == "slug" or built.decision is None else dataclasses.replace(built, decision=built.decision.model_copy(update=choices))
            continue
        unsteered = key_plan(spec.model_copy(update={"decisions": {}}), analysis, entity)
        assert unsteered is not None
        numbers = _applied(spec, analysis, arch, entity, unsteered, *found).decision if unsteered.method != plan.method else built.decision
        assert numbers is not None
        steered = Steer(plan.method, unsteered.method, steered.override)
        yield dataclasses.replace(built, decision=settled(steered, numbers.model_copy(update=choices), built.decision.model_copy(update=choices)))


@dataclass(frozen=True)
class RowChanges:
    """How the rows a code resolves to change after creation: what changes them and the writes/s that delete cached copies."""

    said: tuple[str, ...]
    writes: float

    @property
    def evicted(self) -> str:
        """When a cached resolution leaves before its TTL: on delete, and on every change of the row it holds."""
        return " and evicted on delete" if not self.said else f" and evicted on delete and on every change of the row ({'; '.join(self.said)})"

    @property
    def rows(self) -> str:
        """The rows cached, as the plan's rationale says them."""
        return "immutable rows" if not self.said else f"rows that change after creation ({'; '.join(self.said)}: {fmt(self.writes)} writes/s at peak)"


def row_changes(analysis: Analysis, entity: str) -> RowChanges:
    """What changes ``entity``'s rows once created, from every writer the analysis knows (use cases, counters, the engine's
    workers), and the writes/s at peak that delete a cached resolution: the non-creating writers' and the workers'."""
    from backend_architect.design.analysis import worker_writes_per_s

    facts = analysis.entities[entity]
    if not facts.changes:  # every writer after the create, whatever the class (an append-only row's media status too)
        return RowChanges((), 0.0)
    updates = sum(u.peak_qps for u in analysis.use_cases if u.id in facts.writers and u.name not in facts.creators)
    return RowChanges(facts.changes, updates + worker_writes_per_s(analysis, entity))


def _cache_record(use_case: UseCase, cache: CachePlan, changed: RowChanges, keys: float) -> Decision:
    """The record of a resolve path's cache: what serves it, from which numbers (its keys: one a code, as the hit ratio counts
    them and the in-process cache in front reads them), and what else ``cache.<use case>`` may choose."""
    public = use_case.spec.auth in {"none", "optional"}
    rows = "" if not changed.said else f"; its rows change after creation ({'; '.join(changed.said)}), each change deleting the cached entry"
    return decision(
        f"cache.{use_case.id}",
        f"Cache for {use_case.name}",
        "caching",
        described(cache),
        f"{fmt(use_case.peak_qps)} resolutions/s at peak; a code never changes its target{rows}",
        cache.rationale,
        alternatives=[(names[0], "every resolution would reach the database or the service") for key, names in STRATEGIES.items() if key != cache.strategy],
        subject=use_case.name,
        inputs={"peak_reads_per_s": use_case.peak_qps, "keys": keys, "ttl_s": RESOLVE_TTL_S, "writes_per_s": changed.writes},
    ).model_copy(update={"choices": [names[0] for key, names in STRATEGIES.items() if public or key not in {"http", "cdn"}]})


#: What ``choose:`` builds for short codes, by the names an author may use.
METHODS = {"random": ["random codes with a collision check", "random"], "ranges": ["pre-generated key ranges", "key ranges", "ranges"]}


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, entity: str, plan: KeyPlan, store: str, table: Table) -> Applied:
    creates = writers(analysis, entity)
    peak_creates = sum(u.peak_qps for u in creates)
    space = float(ALPHABET**plan.length)
    occupancy = plan.keys_needed / space
    scope = f"entity {entity}"
    figures: tuple[Figure, ...] = (
        figure(
            f"keys.needed.{table.name}",
            f"{plan.column}s issued for {entity} over {plan.horizon_years:g} years",
            plan.keys_needed,
            "keys",
            "rows_now + rows_per_day x 365 x sum((1+growth)^k for each year)",
            {
                "rows_now": analysis.entities[entity].rows_now,
                "rows_per_day": analysis.entities[entity].rows_per_day,
                "growth": plan.growth,
                "years": plan.horizon_years,
            },
            scope,
        ),
        figure(
            f"keys.length.{table.name}",
            f"length of {entity}'s {plan.column}",
            plan.length,
            "characters",
            _length_formula(plan),
            {"kept": SLUG_LENGTH, "suffix": SLUG_SUFFIX} if plan.method == "slug" else {"keys": plan.keys_needed, "collision_target": COLLISION_TARGET},
            scope,
        ),
    )
    if plan.method != "slug":
        figures += (
            figure(
                f"keys.occupancy.{table.name}",
                f"share of the key space used at the horizon ({entity})",
                occupancy,
                "ratio",
                "keys / 62^length",
                {"keys": plan.keys_needed, "length": float(plan.length)},
                scope,
            ),
        )
    resolvers = [u for u in analysis.of_entity(entity) if u.kind == "get"]
    service = owner_of(arch, entity)
    example = "analytical-engine" if plan.method == "slug" else example_code(plan.length)
    operations = rekey_item_paths(arch, service, entity, plan.column, _param_description(plan), example)
    schemas: tuple[tuple[str, ApiSchema], ...] = ()
    opens = ""
    if plan.method != "slug":
        links, schemas = short_link_contract(spec, arch, service, entity, table, plan.column, plan.length, resolvers, creates)
        # the re-keyed operations carry the examples with short_url: one operation each, the later change on the earlier
        rekeyed = {op.operation_id: op for _, op in operations}
        operations = tuple((svc, _rekeyed(rekeyed.get(op.operation_id), op)) for svc, op in links) + tuple(
            (svc, op) for svc, op in operations if op.operation_id not in {o.operation_id for _, o in links}
        )
        opens = (
            f"; every read of a {entity} carries short_url, and GET {PATH.replace('{code}', '{' + plan.column + '}')} answers 302 Found with its "
            f"target in Location (public, Cache-Control: {CACHE_CONTROL})"
            if links
            else ""
        )
    # a resolve path whose cache the spec author steers (cache.<use case>) is the read-path cache pattern's to plan
    cached = [u for u in resolvers if u.peak_qps >= CACHE_MIN_READS and f"cache.{u.id}" not in spec.decisions]
    changed = row_changes(analysis, entity)
    # a resolution that plays a video answers signed URLs (no-store): its row is cached beside the service, never at the edge
    caches = tuple(_resolve_cache(u.name, u.peak_qps, u.spec.auth == "none" and plays_video(spec, u.spec) is None, plan, table.name, changed) for u in cached)
    # the reads the resolve cache takes off the database, as every cached read path states them (the database load counts them);
    # every write changing a cached row (an update, the media workers' status) deletes its key and costs a miss
    rows = max(1.0, analysis.rows(entity))
    figures += tuple(f for u in cached for f in hit_figures(u, u.peak_qps, RESOLVE_TTL_S, max(1, math.ceil(rows * HOT_SHARE)), changed.writes))
    choice, rationale, alternatives = _texts(entity, table.name, plan, peak_creates, occupancy)
    choice += opens
    # the contract as built: operations the API stage keyed by the column already, and those this pattern re-keys
    addressing = list(
        dict.fromkeys(
            [o.operation_id for a in arch.apis for o in a.operations if o.entity == entity and "{" + plan.column + "}" in o.path]
            + [o.operation_id for _, o in operations if "{" + plan.column + "}" in o.path]
        )
    )
    looked_up = _looked_up_by(entity, plan.column, resolvers, addressing)
    consequences = f"The {plan.column} column is unique and read-only in the API; {looked_up}" + (
        f" A code never changes its target, so resolutions are cached for a day{changed.evicted}."
        if caches
        else " Resolutions are few: the unique index serves them."
        if resolvers or addressing
        else ""
    )
    made = decision(
        f"short-keys.{snake(entity)}",
        f"Short keys for {entity}",
        "data",
        choice,
        f"{entity}: {fmt(plan.keys_needed)} keys over {plan.horizon_years:g} years; {fmt(peak_creates)} creates/s at peak",
        rationale,
        alternatives=alternatives,
        consequences=consequences,
        subject=entity,
        inputs={"keys": plan.keys_needed, "peak_creates": peak_creates, "length": float(plan.length)},
        decided_by="spec" if plan.method == "slug" else "numbers",
        spec=spec,
    )
    tables: tuple[tuple[str, Table], ...] = ()
    if plan.method == "ranges":
        tables = ((store, _ranges_table(table.name)),)
    assumed = (
        (f"no use case opens {entity} links: GET {PATH} is served, but its rate is not counted (add a get use case of {entity} with its rate)",)
        if opens and not resolvers
        else ()
    )
    return Applied(made, figures=figures, caches=caches, operations=operations, tables=tables, schemas=schemas, assumptions=assumed)


def _rekeyed(rekeyed: Operation | None, changed: Operation) -> Operation:
    """An operation both re-keyed (path and parameters) and given short_url examples: the re-keyed one with the new examples."""
    if rekeyed is None:
        return changed
    return rekeyed.model_copy(update={"example_response": changed.example_response})


def _length_formula(plan: KeyPlan) -> str:
    if plan.method == "slug":
        return "kept + suffix"
    if plan.method == "random":
        return "max(6, ceil(log62(keys / collision_target)))"
    return "max(6, ceil(log62(keys)))"


def _param_description(plan: KeyPlan) -> str:
    if plan.method == "slug":
        return f"The item's slug (lower-case words and dashes, at most {plan.length} characters)."
    return f"The item's short code ({'exactly' if plan.method == 'random' else 'at most'} {plan.length} base62 characters)."


def _texts(entity: str, table: str, plan: KeyPlan, peak_creates: float, occupancy: float) -> tuple[str, str, list[tuple[str, str]]]:
    counter = ("a counter in base62", "sequential codes can be enumerated by anyone holding one, and reveal how many exist")
    uuid = ("UUIDs in URLs", "36 characters where a few do: the point of a short key is to be short")
    if plan.method == "slug":
        choice = (
            f"slugs: the title in lower-case words joined by dashes, cut at {SLUG_LENGTH} characters; a taken slug gets a dash and four "
            f"random base36 characters (unique index on {table}.slug)"
        )
        rationale = f"the spec asks for readable keys (key: slug); {fmt(plan.keys_needed)} slugs over {plan.horizon_years:g} years fit one unique index"
        return choice, rationale, [counter, ("random codes", "not readable: the spec asks for slugs")]
    if plan.method == "random":
        choice = (
            f"random {plan.length}-character base62 codes generated by the service; the unique index on {table}.code rejects a taken "
            "code and the insert retries with a new one"
        )
        rationale = (
            f"{fmt(plan.keys_needed)} codes over {plan.horizon_years:g} years fill {occupancy:.2e} of 62^{plan.length}: at most one insert in "
            f"{fmt(1 / COLLISION_TARGET)} retries, and {fmt(peak_creates)} creates/s at peak fit one primary's {fmt(PRIMARY_WRITE_CEILING)}/s"
        )
        saved = plan.random_length - plan.range_length
        ranges = (
            "pre-generated key ranges",
            (f"would save {saved} character(s) for an allocator to run" if saved else f"codes would be no shorter ({plan.length} characters either way)")
            + "; not needed at this length",
        )
        return choice, rationale, [ranges, counter, uuid]
    choice = (
        f"pre-generated key ranges: each instance claims {RANGE_SIZE:,} counter values at a time from {bounded_name(f'{table}_key_ranges')} and turns each, "
        f"through a keyed permutation, into a base62 code of at most {plan.length} characters: no collision checks, codes not sequential"
    )
    why = f"random codes would need {plan.random_length} characters" if plan.random_length > MAX_RANDOM_LENGTH else f"{fmt(peak_creates)} creates/s at peak"
    rationale = (
        f"{fmt(plan.keys_needed)} codes over {plan.horizon_years:g} years: {why} (more than {MAX_RANDOM_LENGTH} characters, or more creates "
        f"than one primary's {fmt(PRIMARY_WRITE_CEILING)}/s to check for collisions); ranges use the whole key space, one allocator "
        f"write per {RANGE_SIZE:,} codes"
    )
    random = ("random codes with a collision check", f"{plan.random_length} characters to keep collisions rare, and a uniqueness probe on every insert")
    return choice, rationale, [random, counter, uuid]


def _resolve_redis(spec: Spec, analysis: Analysis, use_case: UseCase, entity: str) -> tuple[Component, tuple[Figure, ...]]:
    """The shared Redis a resolve cache kept beside the service uses, with its operations counted as every cache-aside path's
    (``cache_aside_operations``: a GET per resolution, a SET per miss, a DEL per write changing the row), and its memory as
    every cache-aside path's (``cache_memory``, the figure returned with it): a cache placed in Redis counts in the cluster's
    memory and shards, so the cluster is never sized without the entries this path keeps there."""
    changed = row_changes(analysis, entity)
    rows = max(1.0, analysis.rows(entity))
    hot = max(1, math.ceil(rows * HOT_SHARE))
    hit = hit_ratio(use_case.peak_qps, RESOLVE_TTL_S, hot, changed.writes)
    ops = cache_aside_operations(use_case.id, use_case.peak_qps, hit, 0.0, changed.writes)
    memory = cache_memory(use_case, rows, CACHE_ENTRY_BYTES, use_case.peak_qps, hit, RESOLVE_TTL_S)
    component = Component(
        name="redis",
        kind="cache",
        technology=named(spec, "redis"),
        purpose=f"cache-aside for {use_case.name}",
        use_cases=[use_case.name],
        operations=ops,
        memory_bytes=memory.value,
    )
    return component, (memory,)


def _resolve_cache(name: str, peak: float, public: bool, plan: KeyPlan, table: str, changed: RowChanges) -> CachePlan:
    cdn = public and peak >= CDN_MIN_READS
    # the code's target is fixed, the row it holds is not: every writer of the row purges the key, not only a delete
    purges = "a delete purges its key" if not changed.said else f"a delete, and each change of the row ({'; '.join(changed.said)}), purges its key"
    return CachePlan(
        use_case=name,
        strategy="cdn" if cdn else "cache-aside",
        ttl_seconds=RESOLVE_TTL_S,
        key=f"{table}:{{{plan.column}}}",
        invalidation=f"a {plan.column} never changes its target: entries live {RESOLVE_TTL_S / 3600:g} h; {purges}",
        protection="single-flight on a miss; unknown codes cached as misses for a minute so scans cannot reach the database",
        rationale=f"{fmt(peak)} resolutions/s at peak of {changed.rows}" + (": served at the edge" if cdn else ": cached beside the service"),
    )


def ranges_name(table: str) -> str:
    """The allocator table of ``table``'s key ranges (a name the design makes up, bounded with a stable hash).

    >>> ranges_name("links")
    'links_key_ranges'
    """
    return bounded_name(f"{table}_key_ranges")


def _ranges_table(table: str) -> Table:
    """The allocator of key ranges: one row per keyed table, advanced by RANGE_SIZE per claim."""
    return Table(
        name=ranges_name(table),
        entity=None,
        comment=f"next counter value for {table} codes; an instance claims a range with one UPDATE ... RETURNING",
        columns=[
            Column(name="name", type="varchar", length=63, avg_bytes=16),
            Column(name="next_value", type="bigint", default="0", avg_bytes=8),
            Column(name="updated_at", type="timestamptz", default="CURRENT_TIMESTAMP", avg_bytes=8),
        ],
        primary_key=["name"],
        key_strategy="composite",
        key_reason="one row per keyed table: the table's name is the key",
        rows_now=1,
    )


def key_column(spec: Spec, analysis: Analysis, entity: str) -> Column | None:
    """The column holding ``entity``'s public short key (for the data stage), or None."""
    plan = key_plan(spec, analysis, entity)
    if plan is None:
        return None
    comment = "readable key from the title, set by the server" if plan.method == "slug" else f"public short code (base62), set by the server ({plan.method})"
    return Column(name=plan.column, type="varchar", length=plan.length, avg_bytes=min(plan.length, 32), generated=True, comment=comment)


__all__ = ["KeyPlan", "RowChanges", "key_column", "key_plan", "row_changes", "short_keys"]


def _looked_up_by(entity: str, column: str, resolvers: list[UseCase], addressing: list[str]) -> str:
    """Which requests look rows up by the key, from the contract as built: the reads by it, else the operations whose path
    carries it, else none (a request names the row by its id; the key is its unique, readable name, returned in responses).

    >>> _looked_up_by("Tag", "slug", [], [])
    'no operation addresses a Tag by it: requests name one by tag_id, and responses carry the slug as its unique, readable name.'
    """
    named = [f"'{u.name}'" for u in resolvers] or addressing
    if named:
        return f"{', '.join(named)} look rows up by it (one unique-index probe)."
    return f"no operation addresses a {entity} by it: requests name one by {snake(entity)}_id, and responses carry the {column} as its unique, readable name."
