"""A get naming several entities in ``reads`` answers them inside its item, each read by the item's key.

``view question page`` reading ``[Question, Answer, Comment]`` promises a question with its answers and
comments: the operation answers the Question with an ``answers`` and a ``comments`` array, each the rows
of that child naming the question, read by one index range of the child's table on its reference column
(never one row by an id the client does not have). An entity the item references (a ticket's requester)
is answered as one object, read by primary key. The rules, in the order they are tried:

- children: the other entity holds a reference to the item (its ``part_of``, else the first reference
  to it): a list of at most ``max_items`` rows, newest first. The cap is the spec's ``max_per_parent``
  where stated; else ``EMBED_HEADROOM`` times the average per parent (``avg_per_parent``, else the rows
  of the child over the rows of the parent), no fewer than ``DEFAULT_PAGE_LIMIT`` and no more than
  ``DEFAULT_PAGE_MAX``: a parent with four times the average still shows whole, and no answer grows
  without bound. One request reads min(average, cap) rows of it.
- reference: the item holds a reference to the other entity: one object (null where the reference is
  optional and unset), one row by primary key.
- links: a many-to-many target of the item (its tags) is answered as the item's link list, in the form its writes set
  it: the targets' unique names where the item's service holds them (``tags: ["jazz"]``), else their ids
  (``design/link_writes.py``), at most ``max_per_parent``; read by one index range of the link table on the item's key
  (joined to the target for names). Naming the target in ``reads`` is what the language has for "this read shows
  them", as for a child or a reference, and capacity already counts the target's reads for it: a search matching on
  the names (``search: [title, tags]``) answers a get that shows why it matched.
- an entity nothing joins to the item in one hop is unrelated (``design/unjoined_reads.py``): no key of the
  item reaches its rows, so the get cannot answer them; the analysis drops it from the reads and the
  operation says so, rather than drawing a read by an id nobody sent.

Where the embedded rows live in another service, the owner is called once per child list (an internal
list by the item's key) or once per referenced row (its get by id): ``design/callee_operations.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.link_writes import link_write
from backend_architect.design.unjoined_reads import unjoined
from backend_architect.ir.model import Architecture, Embed
from backend_architect.spec.model import DEFAULT_PAGE_LIMIT, DEFAULT_PAGE_MAX, Spec
from backend_architect.spec.naming import parent_relation, plural, snake

#: Times the average children per parent an embedded list holds before it is cut: a parent with four times the
#: average (a popular question's answers) still answers all of them; past that the newest are kept.
EMBED_HEADROOM = 4.0


@dataclass(frozen=True)
class Embedded:
    """One entity a get answers inside its item, in the spec's terms."""

    entity: str
    relation: Literal["children", "reference", "links"]
    #: children: the child's field naming the item (question); reference: the item's field naming the row (requester).
    field: str
    #: The property of the answer holding it: the child's plural (answers), or the reference's name (requester).
    name: str
    max_items: int = 1
    per_request: float = 1.0
    basis: str = ""
    nullable: bool = False
    #: links: the link table's column naming the item (``video_id``).
    link_column: str = ""

    @property
    def column(self) -> str:
        return self.link_column or f"{self.field}_id"


@dataclass(frozen=True)
class Embeds:
    """What a get answers beside its item, and the entities it names that nothing joins to it."""

    embedded: tuple[Embedded, ...] = ()
    unrelated: tuple[str, ...] = ()

    def child(self, entity: str) -> Embedded | None:
        return next((e for e in self.embedded if e.entity == entity and e.relation == "children"), None)


def embeds(spec: Spec, analysis: Analysis, use_case: UseCase) -> Embeds:
    """The entities ``use_case`` (a get) answers inside its item, by the rules of this module; none for any other read.

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> from backend_architect.design.analysis import analyse
    >>> spec = load_spec_bytes(b'''
    ... system: s
    ... entities:
    ...   Post: {fields: {title: string(80)}}
    ...   Reply: {avg_per_parent: 3, fields: {post: ref(Post), body: text}}
    ... use_cases:
    ...   - {name: view post, kind: get, reads: [Post, Reply], rate: 10/s}
    ... ''').spec
    >>> a = analyse(spec)
    >>> [(e.name, e.relation, e.column, e.max_items, e.per_request) for e in embeds(spec, a, a.use_cases[0]).embedded]
    [('replies', 'children', 'post_id', 20, 3.0)]
    """
    if use_case.kind != "get" or use_case.entity not in spec.entities:
        return Embeds()
    item = use_case.entity
    body = spec.entities[item]
    unread = unjoined(spec, use_case.spec, item, use_case.kind)
    found: list[Embedded] = []
    unrelated: list[str] = []
    # the spec's own reads: the analysis leaves out what nothing joins to the item (``design/unjoined_reads.py``), said here too
    for other in dict.fromkeys(r.split(".", 1)[0] for r in use_case.spec.reads):
        if other == item or other not in spec.entities:
            continue
        child = _child_field(spec, other, item)
        if child is not None:
            cap, average, basis = _cap(spec, analysis, other, item)
            found.append(Embedded(other, "children", child, plural(snake(other)), cap, min(average, float(cap)), basis))
            continue
        named = next((n for n, f in body.fields.items() if f.type.kind == "ref" and f.type.target == other), None)
        if named is not None:
            found.append(Embedded(other, "reference", named, named, basis="one row by primary key", nullable=body.fields[named].is_nullable))
            continue
        linked = next((r for r, target in body.many_to_many.items() if target == other), None)
        if linked is not None:
            link = link_write(spec, item, linked)
            said = f"max_per_parent {link.most}" if link.stated[1] else f"at most {link.most} links a {item} (no max_per_parent stated)"
            found.append(Embedded(other, "links", linked, linked, link.most, min(link.avg, float(link.most)), said, link_column=link.columns[0]))
            continue
        if other in unread:
            unrelated.append(other)
    return Embeds(tuple(found), tuple(unrelated))


def _child_field(spec: Spec, child: str, item: str) -> str | None:
    """The field of ``child`` naming ``item``: its ``part_of`` or first required reference where that is the item, else its
    first reference to the item."""
    parent = parent_relation(spec, child)
    if parent is not None and parent[1] == item:
        return parent[0]
    return next((n for n, f in spec.entities[child].fields.items() if f.type.kind == "ref" and f.type.target == item), None)


def _cap(spec: Spec, analysis: Analysis, child: str, item: str) -> tuple[int, float, str]:
    """The most rows of ``child`` one item answers, the rows it has on average, and where both came from (module rules)."""
    body = spec.entities[child]
    parent = parent_relation(spec, child)
    # avg_per_parent counts rows per row of the child's parent relation: it says nothing of another reference
    stated = body.avg_per_parent if parent is not None and parent[1] == item else None
    if stated:
        average, said = float(stated), f"avg_per_parent {stated:g}"
    else:
        rows, parents = analysis.entities[child].rows_now, analysis.entities[item].rows_now
        average = rows / parents if parents else 1.0
        said = f"{rows:,.0f} {child} rows / {parents:,.0f} {item} rows = {average:.2f} a {item}"
    if body.max_per_parent:
        return int(body.max_per_parent), average, f"max_per_parent {body.max_per_parent:g}; {said}"
    cap = int(min(DEFAULT_PAGE_MAX, max(DEFAULT_PAGE_LIMIT, math.ceil(EMBED_HEADROOM * average))))
    # the headroom multiplies the average, stated once computed: "4 x (18M / 11M)" must not read as "4 x 18M / 11M = 1.64"
    product = f"{EMBED_HEADROOM:g} x the average ({said}) = {EMBED_HEADROOM * average:.2f}"
    return cap, average, f"{product}, kept between {DEFAULT_PAGE_LIMIT} and {DEFAULT_PAGE_MAX}: {cap}"


def local_embeds(arch: Architecture, use_case: str) -> list[Embed]:
    """The rows ``use_case``'s get answers inside its item from its own service's tables: each one more query of the request,
    timed in its latency (``design/latency.py``) and counted in its database's reads (``design/loads.py``), behind the same
    caches as the item; another service's are its call's, counted there (``design/service_calls.py``)."""
    return [e for api in arch.apis for op in api.operations if use_case in op.use_cases and op.kind == "get" for e in op.embeds if e.service == api.service]


def called_owners(spec: Spec, analysis: Analysis, use_case: UseCase, owner: dict[str, str]) -> dict[str, list[str]]:
    """The services ``use_case``'s get calls within its request for the rows it answers inside its item, each with the
    entities (``owner``: entity -> service); none for any other read.

    Why: how a composed read obtains another service's rows is decided once, here: one call per child list or referenced
    row, whatever the read's staleness, as its contract says (``api.operations``). The callee's operation answering the
    call (``design/callee_operations.py``), the flow with its sequence diagram, latency budget and bottleneck on calls all
    read this, so none of them claims a local read model no table, event or consumer holds.
    """
    home = owner.get(use_case.entity, "")
    called: dict[str, list[str]] = {}
    for embedded in embeds(spec, analysis, use_case).embedded:
        service = owner.get(embedded.entity, home)
        if service != home:
            called.setdefault(service, []).append(embedded.entity)
    return called


def derive_views(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Each get's answer with rows inside its item holds the item's read shape as the mechanisms left it (a short URL added, an
    original's key dropped), then its embedded properties: one shape, whatever changed the item's after the API stage."""
    apis = []
    for api in arch.apis:
        schemas = {s.name: s for s in api.schemas}
        for op in (o for o in api.operations if o.kind == "get" and o.embeds and o.entity in schemas and o.response_schema in schemas):
            view = schemas[op.response_schema or ""]
            names = {e.name for e in op.embeds}
            item = schemas[op.entity or ""].properties
            schemas[view.name] = view.model_copy(update={"properties": [*item, *(p for p in view.properties if p.name in names)]})
        apis.append(api.model_copy(update={"schemas": [schemas[s.name] for s in api.schemas]}))
    return arch.model_copy(update={"apis": apis})


__all__ = ["EMBED_HEADROOM", "Embedded", "Embeds", "called_owners", "derive_views", "embeds", "local_embeds"]
