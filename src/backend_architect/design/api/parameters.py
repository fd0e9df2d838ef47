"""Query parameters: every spec filter, sort, search and proximity a client chooses, each named by one rule.

A filter on the resource's own field is named for its column (``status``, ``author_id``); a
number or date filter is a range (``min_price_amount``/``max_price_amount``,
``published_at_from``/``published_at_to``). A filter joined from another entity is named
for that entity's field: a reference keeps its column (``Follow.follower`` ->
``follower_id``), the entity's label field is the entity's name (``Tag.name`` -> ``tag``),
any other field is prefixed with the entity (``Author.country`` -> ``author_country``). A
many-to-many relation names its target the way a create sets it (``design/link_writes.py``):
by the target's unique name where it has one and this service holds it (``tags`` -> ``tag``,
``?tag=python``: the join reads the name's row), else by its link column (``tags`` ->
``tag_id``), an id some response must return (``ir/id_inputs.py``, the critic's DES014). Text searches share one
``q``; a search over a non-text field is an exact match named like a filter. ``near``
takes ``lat``, ``lon`` and ``radius`` (meters, at most the spec's) or, without a radius, a
``limit`` (the k nearest). Every list is bounded: ``page: none`` still takes a ``limit``.
"""

from __future__ import annotations

from backend_architect.design.analysis import FieldRef, UseCase
from backend_architect.design.api.paths import Resources
from backend_architect.design.link_writes import name_field
from backend_architect.ir.model import Column, Parameter
from backend_architect.spec.naming import join_columns, snake

#: Offset pagination is allowed only below this many rows: deeper offsets scan and skip.
OFFSET_MAX_ROWS = 10_000
_LABELS = ("name", "title", "slug", "handle", "username", "code", "label")
_RANGED = {"timestamptz", "date", "numeric", "integer", "bigint"}


def label_field(res: Resources, entity: str) -> str | None:
    """The field that names a row for people: the first unique text field, else one called name, title, slug..."""
    body = res.spec.entities[entity]
    for name, spec_field in body.fields.items():
        if spec_field.unique and spec_field.type.kind in {"string", "email"}:
            return name
    return next((name for name in _LABELS if name in body.fields), None)


def link_name(res: Resources, ref: FieldRef) -> str | None:
    """The unique name field a filter through a many-to-many relation takes (``Tag.name``), or None where it takes ids.

    The same rule as the create's body: a target with a name only its name makes, held by this service, is named.
    """
    body = res.spec.entities[ref.entity]
    target = body.many_to_many.get(ref.field)
    if target is None or not res.local(target):
        return None
    return name_field(res.spec, target)


def param_base(res: Resources, ref: FieldRef, main: str) -> str:
    """The name a filter, sort or search field takes as a parameter (see the module's rules)."""
    body = res.spec.entities[ref.entity]
    if ref.field in body.many_to_many:
        if link_name(res, ref) is not None:
            return snake(body.many_to_many[ref.field])
        return join_columns(ref.entity, ref.field, body.many_to_many[ref.field])[1]
    column = ref.column or ref.field
    if ref.entity == main and not ref.joined:
        return column
    if res.ref_target(ref) is not None:
        return column
    if ref.field == label_field(res, ref.entity):
        return snake(ref.entity)
    return f"{snake(ref.entity)}_{column}"


def _column(res: Resources, ref: FieldRef) -> Column | None:
    table = res.tables.get(ref.entity)
    if table is None:
        return None
    body = res.spec.entities[ref.entity]
    if ref.field in body.many_to_many:
        target = body.many_to_many[ref.field]
        key = res.tables.get(target)
        named = link_name(res, ref)
        if key is not None and named is not None:
            return next((c for c in key.columns if c.name == named), None)
        return key.columns[0] if key else None
    return next((c for c in table.columns if c.name == ref.column), None)


def param_type(column_type: str) -> dict[str, str]:
    if column_type == "uuid":
        return {"type": "string", "format": "uuid"}
    if column_type in {"integer", "bigint", "smallint"}:
        return {"type": "integer", "format": "int64" if column_type == "bigint" else "int32"}
    if column_type == "numeric":
        return {"type": "string", "format": "decimal"}
    if column_type == "boolean":
        return {"type": "boolean"}
    if column_type == "timestamptz":
        return {"type": "string", "format": "date-time"}
    if column_type == "date":
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def filter_parameters(res: Resources, use_case: UseCase, refs: list[FieldRef], required: bool = False, exact: bool = False) -> list[Parameter]:
    """One parameter per filter (two for a range), in spec order."""
    params: list[Parameter] = []
    for ref in refs:
        column = _column(res, ref)
        if column is None:
            continue
        base = param_base(res, ref, use_case.entity)
        named = link_name(res, ref)
        reference = ref.field in res.spec.entities[ref.entity].many_to_many or res.ref_target(ref) is not None
        if not exact and column.type in _RANGED and not reference and not column.enum_values:
            dated = column.type in {"timestamptz", "date"}
            for bound, word in (("min", "from"), ("max", "to")):
                params.append(
                    Parameter(
                        name=f"{base}_{word}" if dated else f"{bound}_{base}",
                        location="query",
                        description=f"Only items whose {ref.written} is {'at least' if bound == 'min' else 'below'} this.",
                        spec_ref=ref.written,
                        **param_type(column.type),
                    )
                )
            continue
        target = res.spec.entities[ref.entity].many_to_many.get(ref.field)
        said = f"Only items with this {ref.written}."
        if target is not None:
            said = (
                f"Only items linked to this {target} (by its id)."
                if named is None
                else f"Only items linked to the {target} of this {named} ({target}.{named}, as a create sets {ref.field})."
            )
        params.append(
            Parameter(
                name=base,
                location="query",
                required=required,
                description=said,
                enum=list(column.enum_values),
                # a named link reads the target's name column through the join table (the scaffold follows Tag.name there)
                spec_ref=ref.written if named is None else f"{target}.{named}",
                **param_type(column.type),
            )
        )
    return params


def list_parameters(res: Resources, use_case: UseCase, refs: list[FieldRef], scoped: frozenset[str] = frozenset()) -> list[Parameter]:
    """A list's query parameters: its client filters (those in ``scoped`` required), searches, proximity, sort and paging."""
    params = []
    for ref in refs:
        found = filter_parameters(res, use_case, [ref], required=ref.written in scoped)
        if ref.written in scoped:
            found = [p.model_copy(update={"description": f"{p.description} Required: the list is scoped by it (one parent's rows)."}) for p in found]
        params += found
    params += search_parameters(res, use_case)
    params += near_parameters(use_case)
    if use_case.sorts:
        allowed = [("-" if s.descending else "") + param_base(res, s, use_case.entity) for s in use_case.sorts]
        params.append(
            Parameter(
                name="sort",
                location="query",
                enum=list(dict.fromkeys(allowed)),
                default=allowed[0],
                description="Sort order; a leading '-' sorts descending.",
                spec_ref=", ".join(s.written for s in use_case.sorts),
            )
        )
    params += page_parameters(res, use_case)
    return _distinct(params)


def search_parameters(res: Resources, use_case: UseCase) -> list[Parameter]:
    """``q`` for the text fields searched; an exact-match parameter per non-text field searched."""
    text = [s for s in use_case.searches if s.text]
    params = []
    if text:
        fields = ", ".join(s.written for s in text)
        params.append(Parameter(name="q", location="query", description=f"Full-text search over {fields}.", spec_ref=fields))
    params += filter_parameters(res, use_case, [s for s in use_case.searches if not s.text], exact=True)
    return params


def near_parameters(use_case: UseCase) -> list[Parameter]:
    """A proximity read's point, and its radius in meters (at most the spec's); without a radius, ``limit`` says how many nearest."""
    near = use_case.spec.near
    if near is None:
        return []
    params = [
        Parameter(name="lat", location="query", type="number", format="double", required=True, minimum=-90, maximum=90,
                  description="Latitude of the point, in degrees.", spec_ref=near),
        Parameter(name="lon", location="query", type="number", format="double", required=True, minimum=-180, maximum=180,
                  description="Longitude of the point, in degrees.", spec_ref=near),
    ]  # fmt: skip
    radius = use_case.spec.radius
    if radius is not None:
        most = max(int(radius), 1)
        params.append(Parameter(name="radius", location="query", type="integer", format="int32", minimum=1, maximum=most, default=most,
                                description=f"How far to look, in meters (at most {most:,}).", spec_ref=near))  # fmt: skip
    else:
        # the page's limit is the k the proximity decision sizes its first radius for (patterns/geo.py), so the contract defaults to it
        page = use_case.spec.page
        params.append(Parameter(name="limit", location="query", type="integer", format="int32", minimum=1, maximum=page.max, default=page.limit,
                                description=f"How many of the nearest to return (the k nearest), at most {page.max}.", spec_ref=near))  # fmt: skip
    return params


def page_parameters(res: Resources, use_case: UseCase) -> list[Parameter]:
    """``limit`` and ``cursor`` (or ``offset`` on a small table); ``page: none`` keeps a bounded ``limit`` and no cursor."""
    page = use_case.spec.page
    if use_case.spec.near is not None and use_case.spec.radius is None:
        return []
    params = [
        Parameter(name="limit", location="query", type="integer", format="int32", minimum=1, maximum=page.max, default=page.limit,
                  description=f"Page size, at most {page.max}." if page.style != "none" else f"Items returned, at most {page.max}.")
    ]  # fmt: skip
    if page.style == "none":
        return params
    if page.style == "offset" and res.table(use_case.entity).rows_now <= OFFSET_MAX_ROWS:
        params.append(
            Parameter(
                name="offset",
                location="query",
                type="integer",
                format="int32",
                minimum=0,
                maximum=OFFSET_MAX_ROWS,
                default=0,
                description=f"Items to skip; offset paging is used because the table stays under {OFFSET_MAX_ROWS:,} rows.",
            )
        )
    else:
        params.append(Parameter(name="cursor", location="query", description="Opaque cursor from the previous page's next_cursor."))
    return params


def paginated(use_case: UseCase) -> bool:
    """A list returns pages unless the spec says ``page: none`` or it is the k nearest."""
    return use_case.spec.page.style != "none" and not (use_case.spec.near is not None and use_case.spec.radius is None)


def _distinct(params: list[Parameter]) -> list[Parameter]:
    """Parameter names are unique: a later one of the same name is prefixed with its entity (``tag_name``), or dropped when it carries the same field."""
    seen: dict[str, str | None] = {}
    kept = []
    for param in params:
        if param.name in seen:
            if seen[param.name] == param.spec_ref or not param.spec_ref or "." not in param.spec_ref:
                continue
            param = param.model_copy(update={"name": f"{snake(param.spec_ref.split('.', 1)[0])}_{param.name}"})
            if param.name in seen:
                continue
        seen[param.name] = param.spec_ref
        kept.append(param)
    return kept
