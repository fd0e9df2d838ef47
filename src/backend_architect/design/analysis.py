"""The spec read once: every use case's meaning, rates and field references; every entity's size.

Every design stage receives this ``Analysis`` instead of re-reading the spec, so no stage
can contradict another about what a use case is (its kind and flow, main entity, the
joins its filters need, its rates) or how big an entity is (rows now, rows a day, and
where those numbers came from). Surprising readings are collected as ``warnings``; every
default it falls back on is an ``assumption``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from backend_architect.design.kept_rows import kept_rows, stated_rows_conflict
from backend_architect.design.link_writes import link_write, links_assumptions, links_written
from backend_architect.design.maintained_fields import COUNTER_KINDS, kept_kind
from backend_architect.design.member_rows import member_rows
from backend_architect.design.owner_reads import caller_column, owner_column
from backend_architect.design.searched_states import unkept_warnings
from backend_architect.design.semantics import Flow, has_password, is_link, read_kind
from backend_architect.design.unjoined_reads import unjoined
from backend_architect.spec.check import TEXT_KINDS
from backend_architect.spec.identifiers import bounded_name
from backend_architect.spec.model import Spec, UseCaseKind, UseCaseSpec, slug
from backend_architect.spec.naming import parent_relation, plural, relations, resolve_column, snake, split_filter
from backend_architect.spec.reactions import followed
from backend_architect.spec.relations import Hop, join_path
from backend_architect.spec.subject import owner_of_field, primary_entity
from backend_architect.spec.units import SECONDS_PER_DAY

#: Used when the spec gives no peak factor: a common diurnal peak-to-average ratio
#: for consumer traffic (Google SRE workbook puts typical daily peaks at 2-4x mean).
DEFAULT_PEAK_FACTOR = 3.0
#: Rows assumed for an entity with no size hint, no creating use case and no stated figure to derive it from.
DEFAULT_ROWS = 10_000

Mutability = Literal["immutable", "append_only", "processed", "job_written", "updated", "reference"]


@dataclass(frozen=True)
class FieldRef:
    """A filter, sort or search resolved: which field of which entity, and the join from the main entity."""

    written: str
    entity: str
    field: str
    column: str | None
    join: tuple[Hop, ...] = ()
    constant: str | None = None
    descending: bool = False
    #: For searches: full text over a text field, else an exact match.
    text: bool = True

    @property
    def joined(self) -> bool:
        return bool(self.join)


@dataclass(frozen=True)
class UseCase:
    """A use case with everything the design reads from it."""

    spec: UseCaseSpec
    index: int
    id: str
    kind: UseCaseKind
    flow: Flow | None
    reading: str
    entity: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    written_columns: tuple[str, ...]
    action: str | None
    avg_qps: float
    peak_qps: float
    filters: tuple[FieldRef, ...] = ()
    sorts: tuple[FieldRef, ...] = ()
    searches: tuple[FieldRef, ...] = ()
    #: Entities written in the same transaction as the main one, as its children (an order's lines).
    children: tuple[str, ...] = ()
    #: For a link made or unmade through a many-to-many relation of the main entity: its name (``tags``).
    relation: str | None = None
    #: The entity the signed-in caller is (actor ``customer`` -> Customer), None for anonymous or non-person callers.
    caller: str | None = None
    #: The column of its entity an owner-only read selects by unwritten: the caller's reference (``design/owner_reads.py``).
    owner_column: str | None = None
    #: The column of its entity an owner-only request of any kind carries unwritten (the caller's id from the token): a table
    #: sharded by it routes the request's row to one shard (``design/owner_reads.py``, ``design/row_address.py``).
    caller_column: str | None = None
    #: Rows of each part a request writes with its parent (``avg_per_parent``: an upload sends its video's 5 tags).
    part_rows: tuple[tuple[str, float], ...] = ()
    #: Many-to-many relations of the main entity a create or replace sets in its body (``writes: [Video, Video.tags]``):
    #: their join rows are written in its transaction (``design/link_writes.py``).
    links: tuple[str, ...] = ()
    #: The join tables those links fill and the rows one request writes in each (the target's ``avg_per_parent``, else 1).
    link_rows: tuple[tuple[str, float], ...] = ()
    #: The entities those links name by a unique name: a name not yet known inserts a row of it in the same write.
    link_names: tuple[str, ...] = ()
    #: The values of other entities' rows the server keeps that this write moves (``Question.score`` a vote keeps, named in
    #: ``writes`` by ``kept_counters``): applied in its transaction where the row shares its service, else by the owner's
    #: consumer of its event (``usecases.remote_access`` leaves them out of the saga steps).
    kept_values: tuple[str, ...] = ()
    #: The writes this one follows (``after``): a consumer of each one's event makes it, never a client's request.
    reacts_to: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_reaction(self) -> bool:
        return bool(self.reacts_to)

    @property
    def is_write(self) -> bool:
        return self.kind in {"create", "update", "replace", "delete", "action"}

    @property
    def is_job(self) -> bool:
        return self.kind == "job"

    def rows_per_request(self, entity: str) -> float:
        """Rows of ``entity`` one request inserts or writes: a part's ``avg_per_parent`` (1 when not given), else one.

        Every figure counting the part's rows reads it (rows a day and so storage, search documents, index
        size and inserts; the writes reaching its database), so none counts one tag per video.
        """
        return dict(self.part_rows).get(entity, 1.0)

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.writes, *self.reads)))


@dataclass(frozen=True)
class EntityFacts:
    """How big an entity is and how its rows change, with where each number came from."""

    name: str
    rows_now: float
    rows_per_day: float
    rows_basis: str
    mutability: Mutability
    writers: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()
    #: How ``rows_per_day`` was reached, as the capacity table states it: its formula and inputs (empty when no rows are added).
    day_formula: str = ""
    day_inputs: Mapping[str, float] = field(default_factory=dict)
    #: What changes the entity's rows after they are created (other use cases writing its fields, counters kept by the server).
    changes: tuple[str, ...] = ()
    #: The use cases that insert its rows (see ``_inserting``); empty when none does.
    creators: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """The spec, read once."""

    use_cases: tuple[UseCase, ...]
    entities: Mapping[str, EntityFacts]
    peak_factor: float
    warnings: tuple[str, ...] = ()
    #: The entity of the people who use the system (the one they log in as, else the one named for people).
    people: str | None = None
    #: ``Entity.field`` -> the use cases that write that field by name, in spec order.
    field_writers: Mapping[str, tuple[UseCase, ...]] = field(default_factory=dict)
    #: Entities with parts: something is ``part_of`` them, or a create writes children with them.
    aggregates: frozenset[str] = frozenset()
    assumptions: tuple[str, ...] = ()
    _by_primary: Mapping[str, tuple[UseCase, ...]] = field(default_factory=dict, repr=False)

    def of_entity(self, entity: str) -> tuple[UseCase, ...]:
        """Use cases whose main entity is ``entity``, in spec order."""
        return self._by_primary.get(entity, ())

    def touching(self, entity: str) -> tuple[UseCase, ...]:
        """Use cases that read or write ``entity``, in spec order."""
        return tuple(u for u in self.use_cases if entity in u.entities)

    def rows(self, entity: str) -> float:
        return self.entities[entity].rows_now


_MEMO: dict[int, tuple[Spec, Analysis]] = {}


def analyse(spec: Spec) -> Analysis:
    """Read ``spec`` once. The pipeline passes the result to every stage; this memo serves callers outside it."""
    hit = _MEMO.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    result = _analyse(spec)
    if len(_MEMO) >= 8:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[id(spec)] = (spec, result)
    return result


def _analyse(spec: Spec) -> Analysis:
    factor = spec.scale.peak_factor or DEFAULT_PEAK_FACTOR
    warnings: list[str] = []
    assumptions: list[str] = []
    people = _people_entity(spec)
    by_snake = {snake(name): name for name in reversed(spec.entities)}  # snake name -> entity, the first declared winning
    use_cases = with_reactions(spec, tuple(_use_case(spec, i, u, factor, warnings, people, by_snake) for i, u in enumerate(spec.use_cases)))
    entities = _entity_facts(spec, use_cases, (assumptions, warnings), people)
    assumptions += links_assumptions(spec, ((u.entity, r) for u in use_cases for r in u.links))
    # the membership rows a create makes are a count the spec rarely states: the design says the one it sized
    assumptions += [said for u in use_cases for c in u.children for m in [member_rows(spec, u.spec, u.entity, c, people)] if m for said in [m[1]]]
    grouped: dict[str, list[UseCase]] = {}
    named: dict[str, list[UseCase]] = {}
    for use_case in use_cases:
        grouped.setdefault(use_case.entity, []).append(use_case)
        for written in dict.fromkeys(w for w in use_case.spec.writes if "." in w):
            named.setdefault(written, []).append(use_case)
    aggregates = {body.part_of for body in spec.entities.values() if body.part_of} | {u.entity for u in use_cases if u.children}
    warnings += unkept_values(spec, set(named))
    warnings += unkept_warnings(spec, use_cases)
    return Analysis(
        use_cases=use_cases,
        entities=MappingProxyType(entities),
        peak_factor=factor,
        warnings=tuple(warnings),
        assumptions=tuple(assumptions),
        people=people,
        field_writers=MappingProxyType({k: tuple(v) for k, v in named.items()}),
        aggregates=frozenset(aggregates),
        _by_primary=MappingProxyType({k: tuple(v) for k, v in grouped.items()}),
    )


def with_reactions(spec: Spec, use_cases: tuple[UseCase, ...]) -> tuple[UseCase, ...]:
    """Each reaction (``after``) with the writes it follows, and the rate it runs at when the spec gives none.

    Why: a reaction runs once per event of each write it follows, so left out its rate is theirs summed; a rate
    the spec states is kept (a notification made for only some answers runs below its writes' rate). No signed-in
    caller makes it: the consumer acts for the rows' owners, so none of its columns is taken from a token.
    """
    follows = followed(spec)
    if not follows:
        return use_cases
    rates = {u.name: (u.avg_qps, u.peak_qps) for u in use_cases}
    out = []
    for use_case in use_cases:
        named = follows.get(use_case.name, ())
        if named and use_case.spec.rate is None:
            avg, peak = sum(rates[n][0] for n in named), sum(rates[n][1] for n in named)
            use_case = replace(use_case, reacts_to=named, avg_qps=avg, peak_qps=peak, caller=None, caller_column=None)
        elif named:
            use_case = replace(use_case, reacts_to=named, caller=None, caller_column=None)
        out.append(use_case)
    return tuple(out)


def analyse_one(spec: Spec, analysis: Analysis, use_case: UseCaseSpec) -> UseCase:
    """``use_case`` read as the analysis reads the spec's own, for a read the design adds (a service's internal list): it is
    not in ``analysis.use_cases``, so no rate, load or trace counts it."""
    by_snake = {snake(name): name for name in reversed(spec.entities)}
    return _use_case(spec, len(spec.use_cases), use_case, analysis.peak_factor, [], analysis.people, by_snake)


def _use_case(spec: Spec, index: int, use_case: UseCaseSpec, factor: float, warnings: list[str], people: str | None, by_snake: Mapping[str, str]) -> UseCase:
    entity = primary_entity(spec, use_case) or ""
    reading = read_kind(spec, use_case, entity)
    if reading.overruled is not None:
        said = f"kind: {use_case.kind} is given" if use_case.kind else f"the name reads as {reading.overruled}"
        warnings.append(f"use case '{use_case.name}': {said}, but {reading.rule}; designed as {reading.kind}" + (f" ({reading.flow})" if reading.flow else ""))
    writes = tuple(dict.fromkeys(w.split(".", 1)[0] for w in use_case.writes))
    reads = tuple(dict.fromkeys(r.split(".", 1)[0] for r in use_case.reads))
    unread = unjoined(spec, use_case, entity, reading.kind)
    if unread:
        reads = tuple(r for r in reads if r not in unread)
        warnings.append(
            f"use case '{use_case.name}': reads {', '.join(unread)}, but no reference joins {'it' if len(unread) == 1 else 'them'} to {entity}: "
            f"the get answers {entity} alone (read {', '.join(unread)} in a use case of its own, or name the reference)"
        )
    written = tuple(column for w in use_case.writes if w.startswith(entity + ".") for column in [resolve_column(spec, entity, w.split(".", 1)[1])] if column)
    given = use_case.rate.per_second if use_case.rate else 0.0
    avg, peak = (given / factor, given) if spec.scale.rates == "peak" else (given, given * factor)
    fields = tuple(w.split(".", 1)[1] for w in use_case.writes if w.startswith(entity + "."))
    action = action_name(use_case.name, entity, fields) if reading.kind == "action" else None
    return UseCase(
        spec=use_case,
        index=index,
        id=slug(use_case.name),
        kind=reading.kind,
        flow=reading.flow,
        reading=reading.rule,
        entity=entity,
        reads=reads,
        writes=writes,
        written_columns=written,
        action=action,
        avg_qps=avg,
        peak_qps=peak,
        filters=tuple(_refs(spec, use_case, entity, "filter")),
        sorts=tuple(_refs(spec, use_case, entity, "sort")),
        searches=tuple(_refs(spec, use_case, entity, "search")),
        children=(children := _children(spec, entity, writes, reading.kind)),
        part_rows=_part_rows(spec, use_case, entity, children, people),
        relation=reading.relation,
        caller=(caller := caller_entity(use_case, people, by_snake)),
        owner_column=owner_column(spec, use_case, entity, reading.kind, caller),
        caller_column=caller_column(spec, use_case, entity, caller),
        links=(links := links_written(spec, entity, use_case.writes, reading.kind)),
        link_rows=tuple((w.table, w.avg) for w in (link_write(spec, entity, r) for r in links)),
        link_names=tuple(dict.fromkeys(w.target for w in (link_write(spec, entity, r) for r in links) if w.name_field)),
        kept_values=_kept_values(spec, use_case, entity),
    )


def _kept_values(spec: Spec, use_case: UseCaseSpec, entity: str) -> tuple[str, ...]:
    """The ``Entity.field`` writes of ``use_case`` (about ``entity``) to another entity's value the server keeps
    (``maintained_fields.kept_kind``): a side effect of the write on a derived value, not a write of that entity's own."""
    found = []
    for written in use_case.writes:
        other, _, name = written.partition(".")
        declared = spec.entities[other].fields.get(name) if other in spec.entities and other != entity else None
        if declared is not None and kept_kind(name, declared) is not None:
            found.append(written)
    return tuple(dict.fromkeys(found))


#: Words a use-case name uses that name nothing: left out of custom method names and paths.
FILLER_WORDS = frozenset("a an the of by for from to in into on at with as and or my mine our all new own".split())


#: Verbs the HTTP method already says: a custom method is not named by them (``POST …:edit`` reads as a CRUD verb in a path).
CRUD_WORDS = frozenset("get create update delete remove add fetch list set insert modify edit retrieve save put post change".split())


def action_name(name: str, entity: str, fields: tuple[str, ...] = ()) -> str:
    """A custom method's name: the use case's words less its resource's and fillers, kebab-case like every path segment.

    A leading verb the HTTP method already says (edit, update, add...) is dropped when words
    remain, else the fields it writes name the method.

    >>> action_name("mark message read", "Message"), action_name("cancel order", "Order"), action_name("edit order note", "Order", ("note",))
    ('mark-read', 'cancel', 'note')
    """
    words: list[str] = re.findall(r"[a-z0-9]+", name.lower())
    own = set(snake(entity).split("_")) | set(plural(snake(entity)).split("_"))
    kept = [w for i, w in enumerate(words) if i == 0 or (w not in own and w not in FILLER_WORDS)] or ["run"]
    if kept[0] in CRUD_WORDS:
        rest = kept[1:] or [w for f in fields for w in f.split("_")]
        kept = rest or kept
    if kept[0][0].isdigit():
        kept.insert(0, "do")
    return "-".join(kept)


def caller_entity(use_case: UseCaseSpec, people: str | None, by_snake: Mapping[str, str]) -> str | None:
    """The entity a signed-in caller is: the one named like the actor, else the people entity for a person's actor word.

    Anonymous use cases (``auth: none``) have no caller; an actor named for a role with no entity
    of its name (staff, admin, customer when there is no Customer) is nobody's row: it acts on others'.
    """
    if use_case.auth == "none":
        return None
    actor = snake(use_case.actor)
    found = by_snake.get(actor) or by_snake.get(actor.removesuffix("s"))
    if found is not None:
        return found
    return people if actor in _ANYONE else None


def _refs(spec: Spec, use_case: UseCaseSpec, main: str, key: str) -> list[FieldRef]:
    """Each filter, sort or search of ``use_case`` resolved to a column and, when on another entity, a join."""
    found: list[FieldRef] = []
    for written in getattr(use_case, key):
        constant = None
        text = written
        if key == "filter":
            text, constant = split_filter(written)
        descending = key == "sort" and text.startswith("-")
        text = text.removeprefix("-")
        entity, dot, name = text.partition(".")
        if not dot:
            entity, name = owner_of_field(spec, use_case, main, text), text
        if entity not in spec.entities:
            continue
        column = resolve_column(spec, entity, name)
        field_name = name if name in spec.entities[entity].fields or column is None else (column.removesuffix("_id") if column else name)
        avoid = (entity, name) if name in relations(spec, entity) else None
        join = join_path(spec, main, entity, avoid=avoid) if main in spec.entities else None
        spec_field = spec.entities[entity].fields.get(name)
        is_text = spec_field is None or spec_field.type.kind in TEXT_KINDS
        found.append(FieldRef(written, entity, field_name, column, join or (), constant, descending, is_text))
    return found


def _part_rows(spec: Spec, use_case: UseCaseSpec, entity: str, children: tuple[str, ...], people: str | None) -> tuple[tuple[str, float], ...]:
    """Rows of each part a create writes with ``entity``: a membership's participants (``member_rows``: 2 for a pair), else the
    part's stated ``avg_per_parent``; a part with neither is left out (one row)."""
    found = []
    for child in children:
        members = member_rows(spec, use_case, entity, child, people)
        rows = members[0] if members is not None else spec.entities[child].avg_per_parent
        if rows is not None:
            found.append((child, rows))
    return tuple(found)


def _children(spec: Spec, entity: str, writes: tuple[str, ...], kind: UseCaseKind) -> tuple[str, ...]:
    """Entities a create writes with its main entity as that entity's parts: written in one transaction, in one request body."""
    if kind != "create" or len(writes) < 2:
        return ()
    children = []
    for other in writes[1:]:
        parent = parent_relation(spec, other)
        if parent is not None and parent[1] == entity:
            children.append(other)
    return tuple(children)


# --- entity sizes and how they change -------------------------------------------------


#: Words that name the people a system serves: their entity's rows come from ``scale.users``.
_PEOPLE = frozenset(
    "user users customer member account person people player subscriber rider driver patient student reader viewer listener buyer seller".split()
)


#: Actor words for anyone signed in: they are the people entity (User, Account...), whatever it is called.
_ANYONE = frozenset("user users member members account person people subscriber".split())


def _people_entity(spec: Spec) -> str | None:
    """The entity of the people counted by ``scale.users``: the one they log in as, else the one named for people."""
    for name, body in spec.entities.items():
        if has_password(body):
            return name
    actors = {u.actor.lower() for u in spec.use_cases}
    for name in spec.entities:
        if snake(name) in actors or (snake(name) in _PEOPLE and not is_link(spec, name)):
            return name
    return None


def _entity_facts(spec: Spec, use_cases: tuple[UseCase, ...], notes: tuple[list[str], list[str]], people: str | None) -> dict[str, EntityFacts]:
    """Rows today and new rows a day per entity: stated figures first, then derived ones, defaults last (and recorded).

    A stated ``growth`` is the rows a day; when the use cases creating the entity make a different
    number, the analysis warns with both, so the difference is said, not silently carried.
    """
    assumptions, warnings = notes
    creators: dict[str, dict[str, float]] = {}
    #: Entities a create writes as parts of its main entity, avg_per_parent rows a request.
    parts: set[str] = set()
    names = {u.id: u.name for u in use_cases}
    for use_case in use_cases:
        if use_case.kind == "create":
            # only whole-entity writes create rows; "Seat.status" updates seats that exist
            for written in (w for w in use_case.spec.writes if "." not in w):
                creators.setdefault(written, {})[use_case.id] = use_case.avg_qps * use_case.rows_per_request(written)
                if use_case.rows_per_request(written) != 1.0:
                    parts.add(written)
            if _creates_by_fields(spec, use_case):
                creators.setdefault(use_case.entity, {})[use_case.id] = use_case.avg_qps
        elif not use_case.is_job:
            # a read that logs itself (a search writing its query) inserts a row per request: the table grows by them
            for written in (w for w in use_case.spec.writes if "." not in w and w in spec.entities and _inserting(spec, use_case, w)):
                creators.setdefault(written, {})[use_case.id] = use_case.avg_qps
    result: dict[str, tuple[float, float, str]] = {}
    working: dict[str, tuple[str, dict[str, float]]] = {}

    def estimate(name: str, depth: int = 0) -> tuple[float, float, str]:
        if name in result:
            return result[name]
        entity = spec.entities[name]
        made = {names[k]: v * SECONDS_PER_DAY for k, v in creators.get(name, {}).items()}
        created = sum(made.values())
        per_day = entity.growth.per_second * SECONDS_PER_DAY if entity.growth else created
        day_basis = "growth" if entity.growth else ("creating use cases" if created else "")
        if entity.growth:
            working[name] = (f"growth_per_day (stated: entities.{name}.growth)", {"growth_per_day": per_day})
            if made and not math.isclose(created, per_day, rel_tol=0.01):
                gap = abs(per_day - created)
                fix = (
                    f"{gap:,.0f} more rows a day than they make: list the use case that adds them, or correct growth"
                    if per_day > created
                    else f"{gap:,.0f} fewer rows a day than they make: say if some creates find an existing row, or correct growth"
                )
                warnings.append(
                    f"entities.{name}.growth: {per_day:,.0f} rows a day stated, but the use cases creating {name} ({', '.join(made)}) make "
                    f"{created:,.0f} a day; the stated growth sizes its table ({fix})"
                )
        elif created:
            part = "avg_rate x 86400 x rows a request each: a part written with its parent, avg_per_parent or a membership's participants"
            each = part if name in parts else "avg_rate x 86400 each"
            working[name] = (f"sum of the creating use cases' rows a day ({each})", made)
        rows = entity.rows
        basis = "rows" if rows is not None else ""
        parent = parent_relation(spec, name) if entity.part_of or entity.avg_per_parent is not None else None
        # A child made at its own rate with no avg_per_parent: how many a parent holds is unknown, so its rows today are
        # the span of growth any entity with a rate gets (below), not one a parent (1.5M channels beside 1.5M servers
        # while channels are made twice as fast).
        own_rate = bool(per_day) and entity.avg_per_parent is None
        if parent and parent[1] != name and depth < 20 and (rows is None or not per_day) and not own_rate:
            parent_rows, parent_day, _ = estimate(parent[1], depth + 1)
            per_parent = entity.avg_per_parent if entity.avg_per_parent is not None else 1.0
            if rows is None:
                rows, basis = parent_rows * per_parent, f"{parent[1]} rows x avg_per_parent {per_parent:g}"
            if not per_day:
                per_day, day_basis = parent_day * per_parent, f"{parent[1]} growth x avg_per_parent {per_parent:g}"
                working[name] = (
                    f"parent_rows_per_day x avg_per_parent (parent: {parent[1]})",
                    {"parent_rows_per_day": parent_day, "avg_per_parent": per_parent},
                )
        if rows is None and name == people and (spec.scale.users or spec.scale.daily_active):
            stated = spec.scale.users or spec.scale.daily_active or 0.0
            rows, basis = stated, "scale.users" if spec.scale.users else "scale.daily_active"
            assumptions.append(f"entities.{name}.rows: not given; {name} counts the people of {basis} ({stated:,.0f})")
        if rows is None:
            grown = growth_days(entity.retention)
            rows = float(DEFAULT_ROWS) if not per_day else per_day * grown
            basis = "default" if not per_day else f"{grown:g} days of growth" + (", its retention" if grown < ASSUMED_GROWTH_DAYS else "")
            assumptions.append(f"entities.{name}.rows: not given; assumed {rows:,.0f} rows today ({basis})")
        kept = entity.retention / SECONDS_PER_DAY if entity.retention else None
        if kept is not None and kept_rows(rows, per_day, kept) < rows:
            # rows older than the retention are gone: the one count every section reads never exceeds what it keeps, and a
            # stated count it overrules is said with both numbers, never replaced silently
            conflict = stated_rows_conflict(name, rows, per_day, kept) if basis == "rows" else None
            if conflict:
                warnings.append(conflict)
            rows, basis = kept_rows(rows, per_day, kept), f"{kept:g} days of growth, its retention (from {basis}: {rows:,.0f})"
        result[name] = (rows, per_day, basis + (f"; {day_basis} a day" if day_basis else ""))
        return result[name]

    writing: dict[str, list[UseCase]] = {}
    reading: dict[str, list[UseCase]] = {}
    for use_case in use_cases:
        for written in use_case.writes:
            writing.setdefault(written, []).append(use_case)
        for read in use_case.reads:
            reading.setdefault(read, []).append(use_case)
    facts: dict[str, EntityFacts] = {}
    for name in spec.entities:
        rows, per_day, basis = estimate(name)
        writers = writing.get(name, [])
        changes = changes_after_create(spec, name, writers)
        mutability = _mutability(spec, name, writers, changes)
        formula, inputs = working.get(name, ("", {})) if per_day else ("", {})
        facts[name] = EntityFacts(
            name,
            rows,
            per_day,
            basis,
            mutability,
            tuple(u.id for u in writers),
            tuple(u.id for u in reading.get(name, [])),
            formula,
            MappingProxyType(inputs),
            changes,
            creators=tuple(u.name for u in use_cases if _inserting(spec, u, name)),
        )
    return facts


#: Days of growth an entity made at its own rate holds today when the spec states no rows: a month's worth.
ASSUMED_GROWTH_DAYS = 30.0


def growth_days(retention_s: float | None) -> float:
    """Days of growth a table holds today when no rows are stated: a month, but never more than its retention keeps, since
    rows older than the retention are already gone (a fare estimate kept 7 days holds 7 days of rows, not 30).

    >>> growth_days(None), growth_days(7 * 86_400.0), growth_days(90 * 86_400.0)
    (30.0, 7.0, 30.0)
    """
    if not retention_s:
        return ASSUMED_GROWTH_DAYS
    return min(ASSUMED_GROWTH_DAYS, retention_s / SECONDS_PER_DAY)


def _inserting(spec: Spec, use_case: UseCase, entity: str) -> bool:
    """Whether ``use_case`` inserts rows of ``entity``: a create of it (whole, as a part, or by its fields), or any other
    request or job naming it whole in ``writes`` but an update, replace, delete or custom method, which change rows that exist
    (a read that logs itself, ``search videos`` writing ``SearchQuery``; a job rebuilding a table)."""
    whole = entity in use_case.spec.writes
    if use_case.kind == "create":
        return whole or (use_case.entity == entity and _creates_by_fields(spec, use_case))
    return whole and use_case.kind not in {"update", "replace", "delete", "action"}


def _creates_by_fields(spec: Spec, use_case: UseCase) -> bool:
    """Whether a create names the fields of the row it makes (``[Trip.source, Trip.destination]``): every write a plain field of its entity.

    A create writing a relation (``Ticket.tags``) links rows that exist, and one writing nothing
    (a log-in's session) makes no row of its entity.
    """
    writes = use_case.spec.writes
    fields = spec.entities[use_case.entity].fields if use_case.entity in spec.entities else {}
    return bool(writes) and all(w.partition(".")[0] == use_case.entity and w.partition(".")[2] in fields for w in writes)


def changes_after_create(spec: Spec, name: str, writers: list[UseCase]) -> tuple[str, ...]:
    """What changes an entity's rows once written: the union of every write to its rows and columns.

    A use case about another entity that writes this one's fields (an answer bumping its
    question's ``answer_count``) updates rows in place; so does any non-create writer (an
    update, an action). A numeric field the server generates from a default that no use case
    writes by name (``score``, ``reputation``) may change after creation; the write keeping it is
    the create of the rows it counts (``kept_counters``), and without one the design says none does.
    """
    found: list[str] = []
    for use_case in writers:
        fields = [w.partition(".")[2] for w in use_case.spec.writes if w.partition(".")[0] == name and w.partition(".")[2]]
        if use_case.is_job:
            found.append(f"the job '{use_case.name}' rewrites " + (", ".join(fields) if fields else "its rows"))
        elif use_case.kind != "create":
            found.append(f"'{use_case.name}' updates " + (", ".join(fields) if fields else "its rows"))
        elif use_case.entity != name and fields:
            found.append(f"'{use_case.name}' writes {', '.join(fields)}")
    named = {w.partition(".")[2] for u in spec.use_cases for w in u.writes if w.partition(".")[0] == name}
    for field_name, declared in spec.entities[name].fields.items():
        if declared.generated and declared.default is not None and declared.type.kind in COUNTER_KINDS and field_name not in named:
            # kept_counters made the create of the rows it counts write it where one does: here none does, so none is claimed
            found.append(f"{name}.{field_name} is generated by the server and no use case changes it yet (its rows treated as changing)")
    return tuple(found) + worker_changes(spec, name)


def worker_changes(spec: Spec, name: str) -> tuple[str, ...]:
    """What the engine's own workers change on an entity's rows after creation, whatever the use cases write.

    A blob field with ``media`` gets a ``<field>_status`` column the media workers move from pending
    to ready (or failed) once the upload is processed (PAT025): the row changes after its create, so
    no cache or contract may call it immutable.
    """
    return tuple(
        f"the media workers set {bounded_name(f'{field}_status')} to processing, then ready or failed, after the upload"
        for field, declared in spec.entities[name].fields.items()
        if declared.media is not None and declared.type.kind == "blob"
    )


#: Writes the media workers make to one upload's row: its status to processing, then to ready (or failed).
STATUS_WRITES_PER_UPLOAD = 2


def worker_writes_per_s(analysis: Analysis, entity: str) -> float:
    """Writes/s at peak the engine's own workers make to ``entity``'s rows (``worker_changes``): each media field's status,
    ``STATUS_WRITES_PER_UPLOAD`` times per created row; 0 when no worker writes it. Every cache of the rows counts them as
    invalidating writes."""
    facts = analysis.entities.get(entity)
    # read from the changes, not the class: rows declared append-only still have their status set by the workers
    fields = sum(1 for c in facts.changes if c.startswith("the media workers set ")) if facts is not None else 0
    if facts is None or not fields:
        return 0.0
    creates = sum(u.peak_qps for u in analysis.use_cases if u.name in facts.creators)
    return float(creates * STATUS_WRITES_PER_UPLOAD * fields)


def unkept_values(spec: Spec, written: set[str]) -> list[str]:
    """A warning for each generated field that reads as kept after creation (``maintained_fields.kept_kind``: a counter, a
    latest timestamp) though no use case writes it (``written``: the ``Entity.field`` writes, after ``kept_counters`` added
    the creates that keep what they can).

    Why: a contract saying "Set by the server" of a score or a last-activity time promises a value that moves; where no
    write of the design moves it, the promise would be false. It is said instead: set at creation, kept by nothing yet,
    and the write that would keep it is named, so the spec's author adds it rather than an implementer discovering it.
    """
    found = []
    for entity, body in spec.entities.items():
        for name, declared in body.fields.items():
            if kept_kind(name, declared) is None or f"{entity}.{name}" in written:
                continue
            found.append(
                f"{entity}.{name} is generated and reads as a value the server keeps, but no write in this design changes it "
                f"(no use case creates what it counts or times): it is set at creation and not promised as kept; list the write "
                f"that changes it (writes: [..., {entity}.{name}])"
            )
    return found


def _mutability(spec: Spec, name: str, writers: list[UseCase], changes: tuple[str, ...] = ()) -> Mutability:
    """How an entity's rows change (given the use cases that write it): never written, appended, processed, rewritten by a job, or updated.

    Rows are immutable only when every writer creates them and nothing changes them afterwards
    (``changes_after_create``): the union of all writes decides, not the use case at hand. Rows
    that only the engine's workers change after the create (``worker_changes``: a media status)
    are "processed": they change a bounded number of times, each a write that deletes cached copies.
    """
    entity = spec.entities[name]
    if entity.append_only:
        return "append_only" if writers else "reference"
    # the engine's own workers (a media pipeline's status) change rows a bounded number of times after the create: "processed"
    workers = set(worker_changes(spec, name))
    others = [c for c in changes if c not in workers]
    settled: Mutability = "processed" if workers else "immutable"
    if not writers:
        return "updated" if others else ("processed" if workers else "reference")
    if all(u.is_job for u in writers):
        return "job_written"
    if not others:
        return settled
    return "updated"
