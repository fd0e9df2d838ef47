"""Which entity a use case is about: the one its rows are, among all it reads and writes.

"view home timeline" reads ``[Follow, Tweet]``, filters by ``Follow.follower`` and sorts by
``-Tweet.created_at``: its rows are tweets, Follow is only the join. "search videos" reads
Video and Tag and writes SearchQuery: its rows are videos, the query log is a side write.
The rules, in order:

0. an entity whose every write is a field the server generates (a counter bumped beside the row made: ``vote on question``
   writing ``[QuestionVote, Question.score]``) is a side write, never the subject while the use case writes another;
   so is an entity whose bookkeeping alone (a time of last activity, a count) is written beside a row written whole
   (``answer question`` writing ``[Answer, Question.last_activity_at]`` makes an Answer), as is one a ``kind: create``
   touches field by field beside the row it makes (``assign pick``, a create writing ``[Assignment, Pick.status]``),
   while otherwise a state or a person's value keeps the named entity the subject (``ship sale`` writing
   ``[Sale.status, Parcel]`` acts on the sale);
1. an entity the name names (``list chat messages`` -> Message: the last noun wins; words after
   "by", "of", "for", "from", "in" or "per" name a criterion: ``browse questions by tag`` -> Question);
2. for a write, the first entity it writes;
3. for a read, the entity its sort keys belong to;
4. for a read, the first entity read that is not only a join for a filter;
5. the first entity it touches.
"""

from __future__ import annotations

import re

from backend_architect.spec.model import Spec, UseCaseSpec
from backend_architect.spec.naming import plural, snake

_READ_VERBS = frozenset("list browse search find query view show get see read fetch display explore discover open download lookup check stream track".split())


#: Words after which a use-case name says what the rows are filtered by or belong to.
_CRITERIA = frozenset(["by", "of", "for", "from", "in", "per"])


def _named(spec: Spec, name: str, candidates: list[str]) -> str | None:
    """The candidate the use-case name mentions last (its head noun), by singular or plural, in words.

    Words after "by", "of", "for", "from", "in" or "per" name a criterion or an owner, not the
    rows: "browse questions by tag" is about questions, "list articles of author" about articles.
    """
    found = re.findall(r"[a-z0-9]+", name.lower())
    cut = next((i for i, w in enumerate(found) if i > 0 and w in _CRITERIA), None)
    if cut is not None:
        found = found[:cut]
    words = " " + " ".join(found) + " "
    best: tuple[int, int, str] | None = None
    for entity in candidates:
        phrase = snake(entity).replace("_", " ")
        for form in (phrase, plural(snake(entity)).replace("_", " ")):
            at = words.rfind(f" {form} ")
            if at >= 0 and (best is None or (at + len(form), len(form)) > best[:2]):
                best = (at + len(form), len(form), entity)
    return best[2] if best else None


def primary_entity(spec: Spec | None, use_case: UseCaseSpec) -> str | None:
    """The entity ``use_case`` is mainly about (see the module's rules), or None when it touches nothing."""
    writes = list(dict.fromkeys(w.split(".", 1)[0] for w in use_case.writes))
    bumped = _bumped(spec, use_case) if spec is not None else set()
    writes = [w for w in writes if w not in bumped] or writes
    reads = list(dict.fromkeys(r.split(".", 1)[0] for r in use_case.reads))
    touched = list(dict.fromkeys([*writes, *reads]))
    if not touched:
        return None
    known = [e for e in touched if spec is None or e in spec.entities]
    whole = [w for w in dict.fromkeys(use_case.writes) if "." not in w and w not in bumped]
    if spec is not None and known:
        named = _named(spec, use_case.name, known)
        verb = use_case.name.strip().lower().split()[0] if use_case.name.strip() else ""
        # a named entity written only in some fields, beside another written whole, is the row's side write (rule 0)
        # a create makes a row: one whose named entity it only touches field by field makes the row it writes whole
        side = (
            named is not None and named in writes and bool(whole) and named not in whole and (use_case.kind == "create" or _kept_in_step(spec, use_case, named))
        )
        if named is not None and not side and (named in writes or verb in _READ_VERBS or not writes):
            return named
    if whole and writes and writes[0] not in whole:
        return whole[0]
    if writes:
        return writes[0]
    sorted_by = [s.removeprefix("-").split(".", 1)[0] for s in use_case.sort if "." in s]
    if sorted_by and sorted_by[0] in reads:
        return sorted_by[0]
    joins = {f.split(".", 1)[0] for f in use_case.filter if "." in f}
    for entity in reads:
        if entity not in joins:
            return entity
    return reads[0]


def _kept_in_step(spec: Spec, use_case: UseCaseSpec, entity: str) -> bool:
    """Whether ``use_case`` writes only ``entity``'s bookkeeping: fields the server could keep by itself when the row it makes
    lands (a time of last activity, a count), not a state or a value a person decides ('ship sale' setting Sale.status acts
    on the sale; 'answer question' touching Question.last_activity_at makes an answer)."""
    fields = [w.partition(".")[2] for w in use_case.writes if w.partition(".")[0] == entity]
    body = spec.entities[entity]

    def bookkeeping(name: str) -> bool:
        field = body.fields.get(name)
        if field is None:
            return False
        kind = field.type.kind
        return field.generated or kind in {"datetime", "timestamp"} or (kind == "int" and field.default is not None)

    return bool(fields) and all(bookkeeping(f) for f in fields)


def _bumped(spec: Spec, use_case: UseCaseSpec) -> set[str]:
    """Entities ``use_case`` writes only through fields the server generates (counters it keeps beside the row it makes)."""
    by_entity: dict[str, list[bool]] = {}
    for written in use_case.writes:
        entity, _, field = written.partition(".")
        declared = spec.entities[entity].fields.get(field) if entity in spec.entities and field else None
        by_entity.setdefault(entity, []).append(bool(declared is not None and declared.generated))
    return {e for e, generated in by_entity.items() if all(generated)}


def side_writes(spec: Spec, use_case: UseCaseSpec) -> list[str]:
    """Entities a read use case also writes (a search that logs its query): writes other than its main entity's."""
    main = primary_entity(spec, use_case)
    return [w for w in dict.fromkeys(w.split(".", 1)[0] for w in use_case.writes) if w != main]


def owner_of_field(spec: Spec, use_case: UseCaseSpec, main: str, field: str) -> str:
    """The entity an unqualified field name in a filter, sort or search belongs to.

    The main entity's, when it has the field; else the one other entity the use case reads
    that has it ("find nearby cabs" reads Driver and Cab: ``status=available`` is the
    driver's); else the main entity (whose missing field the checker then reports).
    """
    from backend_architect.spec.naming import resolve_column

    if main not in spec.entities or resolve_column(spec, main, field) is not None or field in spec.entities[main].many_to_many:
        return main
    others = [e for e in dict.fromkeys(r.split(".", 1)[0] for r in (*use_case.reads, *use_case.writes)) if e != main and e in spec.entities]
    having = [e for e in others if resolve_column(spec, e, field) is not None]
    return having[0] if len(having) == 1 else main
