"""One operation per read use case: the path it takes, and which of its filters the path or the caller fills.

The rules are the ones listed in ``paths``: ``/me`` for the caller's own rows, nested under a
parent or a named reference, the collection (or item) path for the first, a named
segment below it for the others. A filter the path fills is a path parameter; a filter
the caller fills comes from the access token; the rest are query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_architect.design.analysis import FieldRef, UseCase
from backend_architect.design.api.caller_rows import reader_filter
from backend_architect.design.api.paths import Resources, collection, names_entity
from backend_architect.design.ownership import caller_reference
from backend_architect.ir.model import Parameter
from backend_architect.spec.naming import snake


@dataclass(frozen=True)
class Route:
    """Where a read goes: its path and path parameters, and the filters they (or the caller) fill."""

    path: str
    params: list[Parameter]
    item: bool
    by_path: frozenset[str] = frozenset()
    by_caller: tuple[str, ...] = ()
    #: Filters that pick the one row a get returns (required query parameters).
    lookup: tuple[FieldRef, ...] = field(default=())


def client_filters(use_case: UseCase) -> list[FieldRef]:
    """Filters a client chooses: every filter but constants (``status=open`` is applied by the operation)."""
    return [f for f in use_case.filters if f.constant is None]


def route_read(res: Resources, use_case: UseCase) -> Route:
    """The path of a list or get use case (see ``paths`` for the rules)."""
    entity = use_case.entity
    refs = client_filters(use_case)
    mine = reader_filter(res, use_case, refs)
    if mine is not None:
        segment = res.segment(use_case, keep_resource=True) or collection(entity)
        if use_case.kind == "get" and len(refs) > 1:
            return _lookup(res, use_case, f"/me/{segment}", [r for r in refs if r is not mine], (mine.written,))
        return Route(res.unique("get", f"/me/{segment}"), [], False, by_caller=(mine.written,))
    if use_case.kind == "get":
        if refs:
            base = f"/me/{collection(entity)}" if use_case.spec.owner_only and use_case.caller else res.flat_path(entity)
            return _lookup(res, use_case, base, refs, ())
        item = res.item_path(entity)
        if res.free("get", item):
            return Route(item, res.path_params(entity, True), True)
        path = res.unique("get", f"{item}/{res.further_segment(use_case, refs)}")
        return Route(path, res.path_params(entity, True), True)
    nested = _nested(res, use_case, refs)
    if nested is not None:
        return nested
    base = res.flat_path(entity)
    if res.free("get", base):
        return Route(base, [], False)
    return Route(res.unique("get", f"{base}/{res.further_segment(use_case, refs)}"), [], False)


def _nested(res: Resources, use_case: UseCase, refs: list[FieldRef]) -> Route | None:
    """A list under the item it filters by: its parent, a link's source, or a reference its name names."""
    entity = use_case.entity
    body = res.spec.entities[entity]
    for ref in refs:
        target = res.ref_target(ref)
        if ref.joined or ref.entity != entity or target is None or target == entity:
            continue
        if target == res.parent(entity):
            path, params = res.collection_path(entity), res.path_params(entity, False)
        elif _link_source(res, use_case, ref):
            path, _item, params, _target = res.relationship(use_case)
            params = params[:-1]
        elif target == body.part_of or names_entity(use_case.name, target):
            base, params = res.item_path_for(target)
            path = f"{base}/{collection(entity)}"
        else:
            continue
        if res.free("get", path):
            last = params[-1].model_copy(update={"spec_ref": ref.written})
            return Route(path, [*params[:-1], last], False, by_path=frozenset({ref.written}))
    return None


def scopes(res: Resources, use_case: UseCase) -> frozenset[str]:
    """The filter a list is scoped by: a required query parameter, never an optional one.

    The design relies on the filter its access index leads with (``indexes.leading_filter``: the first equality
    filter, in the spec's order); when that filter is a reference of the listed entity (``Message.channel``, a
    ``part_of`` parent, a many-to-many relation such as ``Article.tags``), the list reads one parent's rows, and
    without it the read would be every parent's -- a scan the index cannot serve and the design never sized. So it is
    required. A list led by an enum or a date (``browse books`` by genre, then author) has facets only: all optional.
    """
    body = res.spec.entities[use_case.entity]
    refs = client_filters(use_case)
    # a list found through a many-to-many link is led by the link's column (the join table's index on it)
    linked = next((r.written for r in refs if r.field in body.many_to_many and r.entity == use_case.entity), None)
    # imported here: the index stage imports the data stage, which reaches the API stage through the short-link pattern
    from backend_architect.design.indexes import leading_filter

    leading = leading_filter(res.spec, use_case) or linked
    ref = next((r for r in refs if r.written == leading), None)
    if ref is None or ref.joined or ref.entity != use_case.entity:
        return frozenset()
    scoped = res.ref_target(ref) not in {None, use_case.entity} or ref.field in body.many_to_many
    return frozenset({ref.written}) if scoped else frozenset()


def list_scope(res: Resources, use_case: UseCase) -> tuple[str, str] | None:
    """(relation, parent) a create of ``use_case``'s entity nests under: where the entity's lists nest.

    A list scoped by a required reference whose entity its name names is read under that item
    (``GET /channels/{channel_id}/messages``, rule 2 in ``paths``); the create of the same rows goes to the same
    collection (``POST /channels/{channel_id}/messages``), the parent's id from the path, not the body. An optional
    reference never nests a create (a row may have no such parent), nor does the caller's own reference (the
    token fills it), nor a list of the caller's own rows (``/me``).
    """
    entity = use_case.entity
    body = res.spec.entities[entity]
    mine = caller_reference(res.spec, entity, use_case.caller)
    for read in res.analysis.use_cases:
        if read.entity != entity or read.kind != "list" or read.flow is not None:
            continue
        if reader_filter(res, read, client_filters(read)) is not None:
            continue
        for ref in client_filters(read):
            target = res.ref_target(ref)
            if ref.joined or ref.entity != entity or target is None or target == entity or not names_entity(read.name, target):
                continue
            field_spec = body.fields.get(ref.field)
            if field_spec is None or field_spec.type.kind != "ref" or field_spec.is_nullable or ref.field == mine:
                break
            return ref.field, target
    return None


def _link_source(res: Resources, use_case: UseCase, ref: FieldRef) -> bool:
    """The list reads a link entity by its source reference: the relationship's own collection."""
    from backend_architect.design.semantics import is_link

    if not is_link(res.spec, use_case.entity) or res.spec.entities[use_case.entity].part_of:
        return False
    _source, source_ref, _target = res.link_ends(use_case.entity)
    return ref.field == source_ref


def _lookup(res: Resources, use_case: UseCase, base: str, refs: list[FieldRef], by_caller: tuple[str, ...]) -> Route:
    """A get that finds its row by filters, not by id: ``{base}/by-{criteria}`` with the filters as required query parameters."""
    criteria = "-and-".join(snake(r.field).replace("_", "-") for r in refs) or "lookup"
    path = res.unique("get", f"{base}/by-{criteria}")
    return Route(path, [], False, by_caller=by_caller, lookup=tuple(refs))
