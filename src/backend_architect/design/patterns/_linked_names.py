"""What a copy fed by change events needs from the rows its entity links to many-to-many: those rows travel with the event.

A search over ``[title, Tag.name]`` indexes each Video with the names of its tags. The tags live in another table, linked
through a join table, so the Video's change event (its row) says nothing of them: an indexer fed by it alone indexes no
name, and an indexer reading the names back from the owner's database defeats the event. The rule: every event of a
write that sets or changes such a link (a create with ``writes: [Video, Video.tags]``, a link use case ``tag video``)
carries the linked rows' fields the consumer uses, as a part (an array of ``{id, name}``), and reaches the consumer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.link_writes import link_write
from backend_architect.design.patterns._common import table_of
from backend_architect.ir.model import Architecture, Event, EventPart
from backend_architect.spec.model import Spec


def linked_fields(spec: Spec, searches: Iterable[UseCase]) -> dict[str, dict[str, list[str]]]:
    """Per searched entity, the fields each many-to-many target contributes (``{"Video": {"Tag": ["name"]}}``).

    A searched field on another entity than the one the search returns is reached through a relation; only a
    many-to-many one (a join of two hops) needs the rows carried, which ``linked_parts`` checks against the spec.
    A search naming the relation itself (``search: [title, tags]``) searches the linked rows' text (``relation_text``).

    >>> spec = Spec.model_validate({"system": "s", "entities": {"Tag": {"fields": {"name": "string(50)"}},
    ...     "Video": {"fields": {"title": "string"}, "many_to_many": {"tags": "Tag"}}},
    ...     "use_cases": [{"name": "search videos", "reads": ["Video"], "search": ["title", "tags"]}]})
    >>> from backend_architect.design.analysis import analyse
    >>> linked_fields(spec, analyse(spec).use_cases)
    {'Video': {'Tag': ['name']}}
    """
    out: dict[str, dict[str, list[str]]] = {}
    for use_case in searches:
        for ref in use_case.searches:
            linked = relation_text(spec, use_case.entity, ref.field) if ref.entity == use_case.entity and ref.column is None else None
            if linked is not None:
                fields = out.setdefault(use_case.entity, {}).setdefault(linked[0], [])
                fields += [f for f in linked[1] if f not in fields]
            elif ref.entity != use_case.entity:
                fields = out.setdefault(use_case.entity, {}).setdefault(ref.entity, [])
                fields += [] if (ref.column or ref.field) in fields else [ref.column or ref.field]
    return out


def relation_text(spec: Spec, entity: str, relation: str) -> tuple[str, list[str]] | None:
    """The target of ``entity``'s many-to-many ``relation`` and the fields a search over the relation reads: its text fields
    (string or text), never a secret or personal one, which an index open to every searcher must not hold. None where
    ``relation`` is no such relation or its target has no text (a search can only match the ids, which it is not given).

    A search over ``tags`` finds a video by the words its tags hold: the tag's name, not the join row's ids.
    """
    body = spec.entities.get(entity)
    target = body.many_to_many.get(relation) if body is not None else None
    if target is None or target not in spec.entities:
        return None
    text = [n for n, f in spec.entities[target].fields.items() if f.type.kind in {"string", "text"} and not f.secret and not f.pii]
    return (target, text) if text else None


def _relations(spec: Spec, use_case: UseCase) -> list[str]:
    """The many-to-many relations of the use case's entity its write sets: a create's links, or the link a link use case makes."""
    body = spec.entities.get(use_case.entity)
    if body is None:
        return []
    named = [*use_case.links, *([use_case.relation] if use_case.relation else [])]
    return [r for r in dict.fromkeys(named) if r in body.many_to_many]


def linked_parts(spec: Spec, arch: Architecture, use_case: UseCase, wanted: Mapping[str, list[str]]) -> list[EventPart]:
    """The parts ``use_case``'s event carries: for each link it writes to a target in ``wanted``, the target's id and fields.

    Rows per event: the links one write sets on average (the target's ``avg_per_parent``), one for a link use case.
    """
    parts = []
    for relation in _relations(spec, use_case):
        link = link_write(spec, use_case.entity, relation)
        found = table_of(arch, link.target)
        if link.target not in wanted or found is None:
            continue
        table = found[1]
        names = ["id", *wanted[link.target]]
        columns = [c for n in dict.fromkeys(names) for c in table.columns if c.name == n and not c.secret]
        rows = 1.0 if use_case.relation == relation else link.avg
        parts.append(EventPart(table=table.name, columns=columns, rows=rows))
    return parts


def with_linked(
    spec: Spec, arch: Architecture, analysis: Analysis, events: tuple[Event, ...], consumer: str, wanted: Mapping[str, Mapping[str, list[str]]]
) -> tuple[Event, ...]:
    """``events`` (one consumer's change feed), each carrying the linked rows its write sets, plus the events of link use cases.

    A link use case (``tag video``) changes no column of the row, so the feed of its entity misses it; its event reaches the
    consumer with the linked rows, or the copy never learns of the new link.
    """
    from backend_architect.design.communication import event_name
    from backend_architect.design.event_fields import merged_event

    by_use_case = {u.name: u for u in analysis.use_cases}
    out = {e.use_case: e for e in events}
    for use_case in analysis.use_cases:
        targets = wanted.get(use_case.entity, {})
        if not targets or use_case.name in out or use_case.relation is None or not linked_parts(spec, arch, use_case, targets):
            continue
        known = next((e for e in arch.events if e.use_case == use_case.name), None)
        owner = next((s.name for s in arch.services if use_case.entity in s.entities), None)
        if known is None and owner is None:
            continue
        made = Event(
            name=event_name(use_case),
            producer=known.producer if known is not None else owner or "",
            consumers=[consumer],
            entity=use_case.entity,
            key=f"{use_case.entity.lower()}_id",
            use_case=use_case.name,
            fields=["id"],
        )
        out[use_case.name] = merged_event(known, made)
    done = []
    for event in out.values():
        writer = by_use_case.get(event.use_case)
        parts = linked_parts(spec, arch, writer, wanted.get(writer.entity, {})) if writer is not None else []
        merged = list({p.table: p for p in [*event.parts, *parts]}.values())
        done.append(event if merged == event.parts else event.model_copy(update={"parts": merged}))
    return tuple(done)
