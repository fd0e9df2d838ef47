"""Other users' personal data is not served to strangers: a read of rows that may be someone else's leaves out their pii fields.

A field marked ``pii: true`` (an e-mail, a phone number, a licence number) is its owner's. A read
that is owner-only, limited to the caller's own rows (``/me``), or to the members of a scope (a
message's text to its chat) answers the people it belongs to, and keeps it. Any other read (a list
of drivers, a user by id) answers whoever asks: it answers a public view of each row, the same
schema less its personal fields (``Public{Schema}``, nested rows too), so the contract, the
examples, the shared cache ("one result for everyone") and the scaffold hold no one else's data.
Services calling each other (internal operations) are not strangers and keep the full row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend_architect.ir.model import ApiSchema, Architecture, Operation

if TYPE_CHECKING:
    from backend_architect.design.api.operations import ServiceApi


def serves_strangers(op: Operation) -> bool:
    """Whether ``op`` answers rows that may be other users': a read not limited to the caller's own rows or a scope's members.

    >>> serves_strangers(Operation(operation_id="a", method="get", path="/drivers", summary="", kind="list", tag="t"))
    True
    >>> serves_strangers(Operation(operation_id="a", method="get", path="/me", summary="", kind="get", tag="t", flow="me"))
    False
    """
    own = op.owner_only or bool(op.caller_filters) or op.members_of is not None or op.flow is not None
    return op.kind in {"get", "list"} and not own and not op.internal


def public_schema(schemas: dict[str, ApiSchema], name: str, prefix: str = "", seen: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """``name``'s public view (registered in ``schemas``) and the personal fields it leaves out, dotted where nested.

    A schema holding no personal data, directly or in the rows it nests, is its own public view.

    >>> from backend_architect.ir.model import ApiProperty as P
    >>> schemas = {"Driver": ApiSchema(name="Driver", properties=[P(name="id", type="string"), P(name="phone", type="string", pii=True)]),
    ...     "DriverPage": ApiSchema(name="DriverPage", properties=[P(name="items", type="array", items="Driver")])}
    >>> public_schema(schemas, "DriverPage"), [p.name for p in schemas["PublicDriver"].properties]
    (('PublicDriverPage', ['phone']), ['id'])
    """
    schema = schemas.get(name)
    if schema is None or name in seen:
        return name, []
    withheld: list[str] = []
    props = []
    for prop in schema.properties:
        if prop.pii:
            withheld.append(prefix + prop.name)
            continue
        nested = prop.ref or prop.items
        if nested is None:
            props.append(prop)
            continue
        # a page's items are the page's own rows; any other nested object is a row under its property's name
        inner = prefix if prop.name == "items" and not prefix else f"{prefix}{prop.name}."
        public, left_out = public_schema(schemas, nested, inner, seen | {name})
        withheld += left_out
        props.append(prop.model_copy(update={"ref": public}) if prop.ref else prop.model_copy(update={"items": public}))
    if not withheld:
        return name, []
    public_name = f"Public{name}"
    schemas.setdefault(public_name, ApiSchema(name=public_name, entity=schema.entity, properties=props, for_others=True))
    return public_name, withheld


def withhold_personal(api: ServiceApi) -> None:
    """Every read of ``api`` serving strangers answers the public view of its rows, and says what it leaves out."""
    for key, op in list(api.operations.items()):
        if not serves_strangers(op) or not op.response_schema:
            continue
        public, withheld = public_schema(api.schemas.schemas, op.response_schema)
        if not withheld:
            continue
        note = f" It answers rows of other users, so their personal data ({', '.join(withheld)}) is left out; only an owner-only or /me read returns it."
        api.operations[key] = api.finish(op.model_copy(update={"response_schema": public, "withheld": withheld, "description": op.description + note}))


def withheld_lines(arch: Architecture) -> list[str]:
    """Per read serving strangers, the personal fields it leaves out: the design's security section lists them."""
    return [
        f"{op.method.upper()} {api.base_path}{op.path} ({op.operation_id}) leaves out {', '.join(op.withheld)}"
        for api in arch.apis
        for op in api.operations
        if op.withheld
    ]


__all__ = ["public_schema", "serves_strangers", "withheld_lines", "withhold_personal"]
