"""The vocabulary the system-design checklists are written in: predicates over a design's handoff.json.

A checklist line's ``check`` is one expression in this vocabulary, for example::

    rate("send message", 24000)
    all_of(decision("realtime", "websocket"), not_(decision("realtime", "poll")))

It is parsed with :mod:`ast` and evaluated by walking the tree: only calls to the functions
registered below, with literal arguments (strings, numbers, lists) or nested calls, are
accepted; nothing is ``eval``'d. Each predicate receives the hand-off (wrapped in
:class:`Handoff`) and returns a :class:`Verdict`.

Where the hand-off has a structured place for a decision (deployment, datastores, tables with
their partitioning and sharding, caches per use case, operations, events, flows, figures), the
predicate reads it. Where it has none yet (a feed read model, a geo index, a WebSocket gateway,
object storage placement, zones and failover, growth stages), the predicate looks for a
decision record in ``architecture.decisions`` — ``{id, title, area, choice, rationale, ...}`` —
whose id, title or area matches a *topic* (see :data:`TOPICS`) and whose text matches a
pattern. A decision whose choice says it is not needed ("not needed", "none", "no ...") never
counts. The implementation of a predicate may follow the hand-off format as it grows; what each
checklist line asks may not change.

Capacity predicates compare one figure of the design to the source's number: met when
``|engine / source - 1| <= tolerance`` (0.25 unless given). Figure keys follow the hand-off's
``architecture.figures`` (``qps.avg.<use-case-slug>``, ``rows.1y.<table>``, ``bytes.<N>y.<table>``,
``bytes.<N>y.object_store`` ...); figures the engine does not emit yet are named in each
predicate's documentation.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

TOLERANCE = 0.25

#: Decision topics: a decision belongs to a topic when its id, title or area matches the regex.
TOPICS: dict[str, str] = {
    "feed": r"feed|timeline|fan.?out|read.?model|inbox",
    "realtime": r"real.?time|websocket|\bsse\b|server.?sent|socket|push|deliver|firehose|live update",
    "presence": r"presence|last.?seen|online|heartbeat",
    "geo": r"geo|nearby|proximity|location|spatial",
    "media": r"media|video|transcod|upload|rendition|processing|pipeline",
    "short-keys": r"short|key.?gen|slug|\bcodes?\b|link",
    "growth": r"growth|stage|evolution|roadmap",
    "availability": r"availab|failover|zone|standby|replica|disaster|recovery|\brto\b|\brpo\b|redundan",
    "search": r"search|full.?text|index(er|ing)",
    "cache": r"cach",
    "messaging": r"messag|broker|queue|outbox|event",
    "analytics": r"analytic|warehouse|olap|metric|columnar",
    "top-k": r"top.?k|trend|rank|leaderboard|popular",
    "edge": r"edge|gateway|load.?balanc|\bcdn\b|ingress",
    "storage": r"stor|placement|blob|object|hot|cold|tier|retention|archive",
    "partitioning": r"partition|shard",
    "concurrency": r"concurren|lock|race|match|assign",
    "any": r".",
}

_NEGATIVE = re.compile(r"^\s*(not needed|not used|none\b|no\b|n/a\b|-\s*$)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """Whether a line is met, what was found, and for capacity lines the two numbers compared."""

    ok: bool
    detail: str
    engine: float | None = None
    source: float | None = None


def slug(name: str) -> str:
    """A use case's name as the hand-off's figure keys spell it: ``send message`` -> ``send-message``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Handoff:
    """Read-only accessors over a parsed handoff.json."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.arch: dict[str, Any] = document.get("architecture", {})
        self.figures: dict[str, float] = {f["key"]: float(f["value"]) for f in self.arch.get("figures", [])}

    def tables(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for store in self.arch.get("datastores", []):
            for table in store.get("tables", []):
                yield store, table

    def table(self, entity: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The table storing ``entity`` (by entity name, or by table name)."""
        for store, table in self.tables():
            if table.get("entity") == entity:
                return store, table
        for store, table in self.tables():
            if table.get("name") == entity:
                return store, table
        return None

    def operations(self) -> Iterator[dict[str, Any]]:
        for api in self.arch.get("apis", []):
            yield from api.get("operations", [])

    def decisions(self, topic: str) -> Iterator[dict[str, Any]]:
        """Decisions of a topic (a name in TOPICS or a regex) that decide something (not 'not needed')."""
        pattern = re.compile(TOPICS.get(topic, topic), re.IGNORECASE)
        for decision in self.arch.get("decisions", []):
            heading = " ".join(str(decision.get(k, "")) for k in ("id", "title", "area"))
            if pattern.search(heading) and not _NEGATIVE.search(str(decision.get("choice", ""))):
                yield decision

    def horizon_years(self) -> int:
        """The storage horizon: the largest N of the ``bytes.<N>y.*`` figures."""
        years = [int(m.group(1)) for k in self.figures if (m := re.match(r"bytes\.(\d+)y\.", k))]
        return max(years, default=1)


Predicate = Callable[..., Verdict]
PREDICATES: dict[str, Predicate] = {}


def predicate(function: Predicate) -> Predicate:
    """Register a function as a word of the checklist vocabulary."""
    PREDICATES[function.__name__] = function
    return function


def _compare(label: str, engine: float | None, source: float, tolerance: float) -> Verdict:
    if engine is None:
        return Verdict(False, f"{label}: no such figure in the design", None, source)
    ratio = engine / source if source else float("inf")
    ok = abs(ratio - 1) <= tolerance
    return Verdict(ok, f"{label}: engine {engine:,.4g} vs source {source:,.4g} (x{ratio:.2f})", engine, source)


def _sum(values: list[float]) -> float | None:
    return sum(values) if values else None


# --- capacity: one figure against the source's number ----------------------------------------


@predicate
def figure(h: Handoff, key: str, expected: float, tolerance: float = TOLERANCE) -> Verdict:
    """The figure ``key`` (a glob such as ``bytes.10y.*`` sums every match) is within tolerance of ``expected``."""
    return _compare(key, _sum([v for k, v in h.figures.items() if fnmatch.fnmatchcase(k, key)]), expected, tolerance)


@predicate
def rate(h: Handoff, use_case: str, expected: float, which: str = "avg", tolerance: float = TOLERANCE) -> Verdict:
    """The use case's request rate per second (``qps.avg.<slug>`` or ``qps.peak.<slug>``)."""
    key = f"qps.{which}.{slug(use_case)}"
    return _compare(key, h.figures.get(key), expected, tolerance)


@predicate
def total_rate(h: Handoff, expected: float, which: str = "avg", tolerance: float = TOLERANCE) -> Verdict:
    """Requests per second of the whole system: ``qps.<which>.total``, else the sum of the per-use-case rates."""
    total = h.figures.get(f"qps.{which}.total")
    if total is None:
        parts = [v for k, v in h.figures.items() if re.fullmatch(rf"qps\.{which}\.(?!read$|write$|total$)[a-z0-9-]+", k)]
        total = _sum(parts)
    return _compare(f"qps.{which}.total", total, expected, tolerance)


@predicate
def deliveries(h: Handoff, use_case: str, expected: float, which: str = "avg", tolerance: float = TOLERANCE) -> Verdict:
    """Deliveries per second caused by a write (fan-out): figure ``deliveries.<which>.<slug>`` (or ``fanout.<which>.<slug>``)."""
    value = h.figures.get(f"deliveries.{which}.{slug(use_case)}", h.figures.get(f"fanout.{which}.{slug(use_case)}"))
    return _compare(f"deliveries.{which}.{slug(use_case)}", value, expected, tolerance)


@predicate
def rows_per_day(h: Handoff, entity: str, expected: float, tolerance: float = TOLERANCE) -> Verdict:
    """New rows a day of the entity's table (its ``rows_per_day``)."""
    found = h.table(entity)
    return _compare(f"rows/day of {entity}", float(found[1].get("rows_per_day", 0)) if found else None, expected, tolerance)


@predicate
def table_bytes_per_day(h: Handoff, entity: str, expected: float, tolerance: float = TOLERANCE) -> Verdict:
    """Content bytes a day the entity's table takes: ``storage.content_bytes_per_day.<table>`` (the fields users write, which
    is what a source's "N rows x B bytes" estimates); rows a day x (``bytes.1y.<table>`` / ``rows.1y.<table>``) where the
    engine states no content figure.

    Changed after its scores had been seen (BENCHMARKS.md, "Predicates compared like for like"): the on-disk
    bytes (ids, row overhead, indexes) were compared with the source's payload estimate.
    """
    found = h.table(entity)
    if found is None:
        return _compare(f"bytes/day of {entity}", None, expected, tolerance)
    name = found[1]["name"]
    content = h.figures.get(f"storage.content_bytes_per_day.{name}")
    if content is not None:
        return _compare(f"content bytes/day of {name}", content, expected, tolerance)
    rows, size = h.figures.get(f"rows.1y.{name}"), h.figures.get(f"bytes.1y.{name}")
    value = float(found[1].get("rows_per_day", 0)) * size / rows if rows and size else None
    return _compare(f"bytes/day of {name}", value, expected, tolerance)


@predicate
def object_storage_per_day(h: Handoff, expected: float, tolerance: float = TOLERANCE) -> Verdict:
    """Uploads object storage takes a day: ``storage.object_store.originals_per_day`` (what the sources estimate: uploads x
    their size, before any processing); else (``bytes.<H>y.object_store`` - ``bytes.1y.object_store``) / ((H - 1) x 365),
    H the horizon (with a one-year horizon, ``bytes.1y.object_store`` / 365; the specs state no yearly growth, so the slope
    is the daily intake).

    Changed after scoring, like ``table_bytes_per_day``: the total had included the renditions the design makes, which no
    source estimates.
    """
    originals = h.figures.get("storage.object_store.originals_per_day")
    if originals is not None:
        return _compare("object storage of uploads/day", originals, expected, tolerance)
    horizon = h.horizon_years()
    first, last = h.figures.get("bytes.1y.object_store"), h.figures.get(f"bytes.{horizon}y.object_store")
    if first is None or last is None:
        value = None
    elif horizon > 1:
        value = (last - first) / ((horizon - 1) * 365)
    else:
        value = first / 365
    return _compare("object storage/day", value, expected, tolerance)


@predicate
def storage_at(h: Handoff, years: int, expected: float, tolerance: float = TOLERANCE) -> Verdict:
    """Everything stored after ``years``: the per-table figures ``bytes.<years>y.<name>`` and the object store's uploads
    (``storage.object_store.originals_<years>y``; ``bytes.<years>y.object_store`` where the engine states no originals).

    Per-datastore totals (``bytes.<N>y.datastore.*``) are not added again. Changed after scoring, like
    ``object_storage_per_day``: renditions are the design's, not the source's.
    """
    parts = [v for k, v in h.figures.items() if re.fullmatch(rf"bytes\.{years}y\.[^.]+", k) and k != f"bytes.{years}y.object_store"]
    store = h.figures.get(f"storage.object_store.originals_{years}y", h.figures.get(f"bytes.{years}y.object_store"))
    return _compare(f"storage after {years}y", _sum([*parts, *([store] if store is not None else [])]), expected, tolerance)


@predicate
def ingress(h: Handoff, expected: float, tolerance: float = TOLERANCE) -> Verdict:
    """Inbound bandwidth in bytes/s: the figure ``bandwidth.ingress`` (or the sum of ``bandwidth.ingress.*``)."""
    parts = [v for k, v in h.figures.items() if k == "bandwidth.ingress" or k.startswith("bandwidth.ingress.")]
    return _compare("bandwidth.ingress", _sum(parts), expected, tolerance)


@predicate
def realtime_connections(h: Handoff, expected: float, tolerance: float = TOLERANCE) -> Verdict:
    """Concurrent client connections the real-time gateway holds: ``connections.realtime`` (or ``realtime.connections``,
    ``gateway.connections``; several keys of one family are summed). ``connections.<service>`` (database
    connections) never counts."""
    parts = [v for k, v in h.figures.items() if re.match(r"(connections\.realtime|realtime\.connections|gateway\.connections)(\.|$)", k)]
    return _compare("connections.realtime", _sum(parts), expected, tolerance)


@predicate
def figure_at_most(h: Handoff, key: str, limit: float) -> Verdict:
    """Every figure matching the glob ``key`` is at most ``limit`` (and at least one exists)."""
    values = [v for k, v in h.figures.items() if fnmatch.fnmatchcase(k, key)]
    if not values:
        return Verdict(False, f"{key}: no such figure in the design")
    return Verdict(max(values) <= limit, f"{key}: {max(values):,.4g} (limit {limit:,.4g})")


@predicate
def instances_at_most(h: Handoff, limit: float) -> Verdict:
    """The instances of every deployable together (hand-off ``operations.services[].instances``) are at most ``limit``."""
    total = sum(float(s.get("instances") or 0) for s in h.doc.get("operations", {}).get("services", []))
    return Verdict(0 < total <= limit, f"{total:,.0f} instances in all (limit {limit:,.0f})")


# --- data ---------------------------------------------------------------------------------------


@predicate
def tables_exist(h: Handoff, entities: list[str]) -> Verdict:
    """Every entity has a table in some datastore."""
    missing = [e for e in entities if h.table(e) is None]
    return Verdict(not missing, f"missing tables for {missing}" if missing else "all tables present")


@predicate
def join_table(h: Handoff, a: str, b: str) -> Verdict:
    """A table (entity-less or not) has foreign keys to both entities' tables."""
    names = {e: found[1]["name"] for e in (a, b) if (found := h.table(e))}
    for _, table in h.tables():
        refs = {fk.get("ref_table") for fk in table.get("foreign_keys", [])}
        if len(names) == 2 and set(names.values()) <= refs:
            return Verdict(True, f"join table {table['name']}")
    return Verdict(False, f"no table references both {a} and {b}")


@predicate
def index_on(h: Handoff, entity: str, columns: list[str]) -> Verdict:
    """An index, unique key or primary key of the entity's table starts with ``columns`` (regexes, in order)."""
    found = h.table(entity)
    if found is None:
        return Verdict(False, f"no table for {entity}")
    table = found[1]
    keys = [[c["name"] for c in ix.get("columns", [])] for ix in table.get("indexes", [])]
    keys += [u.get("columns", []) for u in table.get("uniques", [])] + [table.get("primary_key", [])]
    for key in keys:
        if len(key) >= len(columns) and all(re.fullmatch(p, c) for p, c in zip(columns, key, strict=False)):
            return Verdict(True, f"{table['name']}({', '.join(key)})")
    return Verdict(False, f"no key of {table['name']} starts with {columns}")


@predicate
def key_strategy(h: Handoff, entity: str, strategies: list[str]) -> Verdict:
    """The entity's primary keys are made one of these ways (e.g. ``uuidv7``, ``snowflake``: time-ordered)."""
    found = h.table(entity)
    strategy = found[1].get("key_strategy") if found else None
    return Verdict(strategy in strategies, f"{entity} keys: {strategy}")


@predicate
def sharded(h: Handoff, entity: str, key: str = ".") -> Verdict:
    """The entity's table is sharded, by a key matching the regex ``key``."""
    found = h.table(entity)
    sharding = found[1].get("sharding") if found else None
    ok = bool(sharding) and re.search(key, str(sharding.get("key", ""))) is not None
    return Verdict(ok, f"{entity} sharding: {sharding.get('key') if sharding else None}")


@predicate
def partitioned(h: Handoff, entity: str, column: str = ".") -> Verdict:
    """The entity's table is partitioned, by a column matching the regex ``column``."""
    found = h.table(entity)
    part = found[1].get("partitioning") if found else None
    ok = bool(part) and re.search(column, str(part.get("column", ""))) is not None
    return Verdict(ok, f"{entity} partitioning: {part.get('column') + ' by ' + part.get('interval', '') if part else None}")


@predicate
def any_sharded(h: Handoff) -> Verdict:
    """At least one table is sharded."""
    names = [t["name"] for _, t in h.tables() if t.get("sharding")]
    return Verdict(bool(names), f"sharded: {names}")


@predicate
def kept_forever(h: Handoff, entity: str) -> Verdict:
    """The entity's rows are never expired: no retention shorter than the horizon, no job dropping partitions."""
    found = h.table(entity)
    if found is None:
        return Verdict(False, f"no table for {entity}")
    days = found[1].get("retention_days")
    job = (found[1].get("partitioning") or {}).get("retention_job")
    ok = (days is None or days >= h.horizon_years() * 365) and not job
    return Verdict(ok, f"{entity} retention: {days} days, job: {job}")


@predicate
def entity_store(h: Handoff, entity: str, engine: str) -> Verdict:
    """The datastore holding the entity's table has an engine matching the regex ``engine``."""
    found = h.table(entity)
    name = found[0].get("engine") if found else None
    return Verdict(found is not None and re.search(engine, str(name), re.IGNORECASE) is not None, f"{entity} in {name}")


@predicate
def datastore(h: Handoff, engine: str) -> Verdict:
    """Some datastore's engine matches the regex ``engine``."""
    engines = [str(s.get("engine")) for s in h.arch.get("datastores", [])]
    return Verdict(any(re.search(engine, e, re.IGNORECASE) for e in engines), f"engines: {sorted(set(engines))}")


# --- architecture and API -----------------------------------------------------------------------


@predicate
def deployment(h: Handoff, kind: str) -> Verdict:
    """The deployment shape (``architecture.deployment``) matches the regex ``kind``."""
    shape = str(h.arch.get("deployment"))
    return Verdict(re.fullmatch(kind, shape) is not None, f"deployment: {shape}")


@predicate
def separate_services(h: Handoff, a: str, b: str) -> Verdict:
    """Entities ``a`` and ``b`` are owned by different services (or modules)."""
    owner = {e: s["name"] for s in h.arch.get("services", []) for e in s.get("entities", [])}
    ok = a in owner and b in owner and owner[a] != owner[b]
    return Verdict(ok, f"{a} in {owner.get(a)}, {b} in {owner.get(b)}")


@predicate
def operation(h: Handoff, use_case: str, method: str, path: str = ".", paginated: bool | None = None) -> Verdict:
    """An operation serving the use case has an HTTP method matching ``method`` (e.g. ``post|patch``), a path
    matching ``path`` and, if given, pagination."""
    for op in h.operations():
        served = use_case in op.get("use_cases", []) and re.fullmatch(method, str(op.get("method")))
        if served and re.search(path, op.get("path", "")) and (paginated is None or bool(op.get("paginated")) == paginated):
            return Verdict(True, f"{op['method'].upper()} {op['path']}")
    found = [f"{o['method'].upper()} {o['path']}" for o in h.operations() if use_case in o.get("use_cases", [])]
    return Verdict(False, f"{use_case}: {found or 'no operation'}")


@predicate
def operation_param(h: Handoff, use_case: str, name: str) -> Verdict:
    """An operation serving the use case takes a parameter whose name matches the regex ``name`` (e.g. ``lat|near``)."""
    params = [p.get("name", "") for o in h.operations() if use_case in o.get("use_cases", []) for p in o.get("parameters", [])]
    return Verdict(any(re.search(name, p) for p in params), f"{use_case} parameters: {params}")


@predicate
def operation_flag(h: Handoff, use_case: str, flag: str) -> Verdict:
    """An operation serving the use case sets ``flag`` (e.g. ``conditional``, ``idempotency_key``, ``internal``)."""
    ops = [o for o in h.operations() if use_case in o.get("use_cases", [])]
    return Verdict(any(o.get(flag) for o in ops), f"{use_case}: {flag} on {sum(bool(o.get(flag)) for o in ops)}/{len(ops)} operations")


@predicate
def cache(h: Handoff, use_case: str, strategies: list[str]) -> Verdict:
    """The use case's cache plan (``architecture.caches``) uses one of ``strategies`` (none, http, cache-aside, cdn...)."""
    plans = [c.get("strategy") for c in h.arch.get("caches", []) if c.get("use_case") == use_case]
    return Verdict(any(p in strategies for p in plans), f"{use_case}: {plans or 'no cache plan'}")


@predicate
def cache_ttl_at_most(h: Handoff, use_case: str, seconds: float) -> Verdict:
    """The use case is cached with a TTL of at most ``seconds``."""
    ttls = [c.get("ttl_seconds") for c in h.arch.get("caches", []) if c.get("use_case") == use_case and c.get("strategy") != "none"]
    ok = any(t is not None and t <= seconds for t in ttls)
    return Verdict(ok, f"{use_case} TTL: {ttls or 'not cached'}")


@predicate
def event_for(h: Handoff, use_case: str) -> Verdict:
    """The use case publishes a domain event (``architecture.events[].use_case``)."""
    names = [e["name"] for e in h.arch.get("events", []) if e.get("use_case") == use_case]
    return Verdict(bool(names), f"{use_case} events: {names}")


@predicate
def async_flow(h: Handoff, use_case: str) -> Verdict:
    """The use case's flow continues asynchronously (style ``event`` or ``saga``, or it publishes an event)."""
    styles = [f.get("style") for f in h.arch.get("flows", []) if f.get("use_case") == use_case]
    return Verdict(any(s in ("event", "saga") for s in styles) or event_for(h, use_case).ok, f"{use_case} flow: {styles}")


@predicate
def broker(h: Handoff, pattern: str) -> Verdict:
    """The message transport (hand-off ``operations.message_broker``, or a messaging decision's choice) matches ``pattern``."""
    texts = [str(h.doc.get("operations", {}).get("message_broker", ""))]
    texts += [str(d.get("choice", "")) for d in h.decisions("messaging")]
    ok = any(re.search(pattern, t, re.IGNORECASE) and not _NEGATIVE.search(t) for t in texts)
    return Verdict(ok, f"transport: {texts[0] or None}")


@predicate
def read_replicas(h: Handoff, minimum: float) -> Verdict:
    """At least ``minimum`` read replicas: the figure ``db.read_replicas`` or hand-off ``database.read_replicas``."""
    values = [h.figures.get("db.read_replicas"), h.doc.get("database", {}).get("read_replicas")]
    best = max((float(v) for v in values if v is not None), default=None)
    return Verdict(best is not None and best >= minimum, f"read replicas: {best}")


@predicate
def min_instances(h: Handoff, minimum: float) -> Verdict:
    """Every deployable runs at least ``minimum`` instances (hand-off ``operations.services[].instances``)."""
    counts = {s["name"]: s.get("instances") or 0 for s in h.doc.get("operations", {}).get("services", [])}
    return Verdict(bool(counts) and min(counts.values()) >= minimum, f"instances: {counts}")


@predicate
def flow_latency_at_most(h: Handoff, use_case: str, ms: float) -> Verdict:
    """The use case's flow holds the latency target: its budget (``flows[].latency_budget_ms``) is at most ``ms``
    and its expected latency (``expected_latency_ms``) fits within that budget."""
    flows = [(f.get("latency_budget_ms") or 0, f.get("expected_latency_ms") or 0) for f in h.arch.get("flows", []) if f.get("use_case") == use_case]
    ok = bool(flows) and all(0 < budget <= ms and expected <= budget for budget, expected in flows)
    return Verdict(ok, f"{use_case} (budget, expected) ms: {flows}")


@predicate
def external(h: Handoff, name: str) -> Verdict:
    """The external system is part of the design."""
    names = [e.get("name") for e in h.arch.get("externals", [])]
    return Verdict(name in names, f"externals: {names}")


@predicate
def decision(h: Handoff, topic: str, choice: str) -> Verdict:
    """A decision of ``topic`` (see TOPICS) chose something matching the regex ``choice``."""
    for d in h.decisions(topic):
        if re.search(choice, str(d.get("choice", "")), re.IGNORECASE):
            return Verdict(True, f"{d.get('id')}: {str(d.get('choice'))[:100]}")
    return Verdict(False, f"no '{topic}' decision choosing /{choice}/")


@predicate
def decision_says(h: Handoff, topic: str, pattern: str) -> Verdict:
    """A decision of ``topic`` says ``pattern`` (regex) in its choice, rationale or consequences."""
    for d in h.decisions(topic):
        text = " ".join(str(d.get(k, "")) for k in ("choice", "rationale", "consequences"))
        if (m := re.search(pattern, text, re.IGNORECASE)) is not None:
            return Verdict(True, f"{d.get('id')}: ...{m.group(0)}...")
    return Verdict(False, f"no '{topic}' decision saying /{pattern}/")


# --- combinators ----------------------------------------------------------------------------------


@predicate
def all_of(h: Handoff, *verdicts: Verdict) -> Verdict:
    """Every part is met."""
    return Verdict(all(v.ok for v in verdicts), "; ".join(v.detail for v in verdicts))


@predicate
def any_of(h: Handoff, *verdicts: Verdict) -> Verdict:
    """At least one part is met."""
    return Verdict(any(v.ok for v in verdicts), " | ".join(v.detail for v in verdicts))


@predicate
def not_(h: Handoff, verdict: Verdict) -> Verdict:
    """The part is not met."""
    return Verdict(not verdict.ok, f"not ({verdict.detail})")


# --- evaluation -----------------------------------------------------------------------------------


class CheckError(ValueError):
    """A check expression outside the vocabulary."""


def parse(expression: str) -> ast.expr:
    """Parse a check and verify it only calls vocabulary words with literal arguments."""
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError as exc:
        raise CheckError(f"not an expression: {exc.msg}") from None
    _verify(tree)
    return tree


def _verify(node: ast.expr) -> None:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.func.id not in PREDICATES:
        raise CheckError(f"expected a call to one of {sorted(PREDICATES)}, got {ast.unparse(node)!r}")
    for arg in [*node.args, *(k.value for k in node.keywords)]:
        if isinstance(arg, ast.Call):
            _verify(arg)
        else:
            try:
                ast.literal_eval(arg)
            except ValueError:
                raise CheckError(f"arguments must be literals or calls, got {ast.unparse(arg)!r}") from None


def evaluate(expression: str, handoff: Handoff) -> Verdict:
    """Evaluate a check against a hand-off."""
    return _run(parse(expression), handoff)


def _run(node: ast.expr, handoff: Handoff) -> Verdict:
    assert isinstance(node, ast.Call)
    assert isinstance(node.func, ast.Name)

    def value(arg: ast.expr) -> Any:
        return _run(arg, handoff) if isinstance(arg, ast.Call) else ast.literal_eval(arg)

    args = [value(a) for a in node.args]
    kwargs = {k.arg: value(k.value) for k in node.keywords if k.arg}
    return PREDICATES[node.func.id](handoff, *args, **kwargs)
