"""The contract of a short link (PAT024 for ``key: short_code``): the URL to share in every read of the row, and the redirect that opens it.

Private to the pattern family. A row keyed by a short code is something people pass around:
its read shape (what creating it answers) carries ``short_url``, and ``GET /s/{code}`` answers
``302 Found`` with ``Location`` set to what the link leads to:

1. the row's own URL field, when the entity has one (a URL shortener's ``target_url``);
2. else, when the row is a link (it holds nothing but references, or its name says so: a
   share, an invite, a link), the item URL of the shared item the API serves by id (a share
   link of a video leads to ``/videos/{video_id}``, filled from the row): the reference whose
   entity the link is named for, else the first that is not its creator (the caller who
   writes it), else the first; unless the link opens without a token and that read needs one:
   then the link itself is what a visitor may see (a parcel's tracking link is the visitor's
   only key to it);
3. else the row's own item URL: a row that is itself the shared item (a video keyed by a
   short code) leads to itself, never to its uploader.

The redirect is public (browsers follow links without tokens; the target authorizes its own
reads), rate limited per client IP, and cacheable: ``Cache-Control: public, max-age=300,
s-maxage=86400`` lets the CDN answer it for a day (a delete purges it) while browsers ask again
after five minutes. 302 rather than 301: a permanent redirect is cached by browsers for ever,
so a deleted or retargeted link would keep working and no open would be counted.
"""

from __future__ import annotations

from typing import Any

from backend_architect.design.analysis import UseCase
from backend_architect.design.api.schemas import is_page_of
from backend_architect.design.patterns._api import example_code, new_operation, with_key_example
from backend_architect.ir.model import ApiProperty, ApiSchema, Architecture, Operation, Parameter, Table
from backend_architect.ir.query import answers_item
from backend_architect.spec.model import FieldSpec, Spec
from backend_architect.spec.naming import snake

#: The path a short code opens under the API's server URL (``https://api.example.com/v1`` in the contract's examples).
PATH = "/s/{code}"
#: The example server URL (render.openapi.SERVER_URL with the API's base path): the short URL the examples show.
EXAMPLE_BASE = "https://api.example.com/v1"
#: Browsers reuse a redirect five minutes; the CDN a day (a code never changes its target; a delete purges it).
BROWSER_TTL_S = 300
EDGE_TTL_S = 86_400
CACHE_CONTROL = f"public, max-age={BROWSER_TTL_S}, s-maxage={EDGE_TTL_S}"
SHORT_URL = "short_url"

Added = tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]


#: Words in an entity's name that make its rows links to something else (``ShareLink``, ``VideoShare``, ``Invite``).
_LINK_WORDS = frozenset({"link", "links", "share", "shares", "shared", "invite", "invitation", "referral", "redirect", "shortcut", "pointer"})


def target(
    spec: Spec, arch: Architecture, entity: str, table: Table, column: str, public: bool = False, callers: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """Where a code leads: the Location template (``{column}`` placeholders filled from the row) and what it names; ``public``: the
    link opens without a token, so it leads only to reads that need none; ``callers``: the entities whose users write the rows (a
    reference to one is who made the link, not what it shares)."""
    urls = [n for n, f in spec.entities[entity].fields.items() if f.type.kind == "url"]
    if urls:
        return "{" + urls[0] + "}", f"the {entity}'s {urls[0]}"
    items = _item_paths(arch)
    for name, field in _shared(spec, entity, callers):
        ref = field.type.target if field.type.kind == "ref" else None
        path, auth = items.get(ref or "", (None, "required"))
        # the row's column holding the reference (a reference to another service's entity has no foreign key, but has the column)
        held = next((c.name for c in table.columns if c.source_field == name or c.name == f"{name}_id"), None)
        if path is not None and held is not None and path.count("{") == 1 and (auth == "none" or not public):
            return path[: path.index("{")] + "{" + held + "}", f"the {ref} it points to ({path})"
    own = items.get(entity, ("/" + table.name.replace("_", "-") + "/{" + column + "}", "none"))[0]
    if own.count("{") == 1:
        own = own[: own.index("{")] + "{" + column + "}"
    return own, f"the {entity} itself ({own})"


def _shared(spec: Spec, entity: str, callers: frozenset[str]) -> list[tuple[str, FieldSpec]]:
    """The references a link may lead to, the shared item first; none when the row is no link but the shared item itself.

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> text = "{system: s, entities: {User: {fields: {n: int}}, Video: {fields: {uploader: ref(User), title: text}}, "
    >>> text += "VideoShare: {fields: {by: ref(User), video: ref(Video)}}}}"
    >>> spec = load_spec_bytes(text.encode(), "s.yaml").spec
    >>> [n for n, _ in _shared(spec, "VideoShare", frozenset({"User"}))], _shared(spec, "Video", frozenset({"User"}))
    (['video', 'by'], [])
    """
    fields = spec.entities[entity].fields
    refs = [(n, f) for n, f in fields.items() if f.type.kind == "ref"]
    words = set(snake(entity).split("_"))
    own = [n for n, f in fields.items() if f.type.kind != "ref" and not f.generated]
    if not refs or (own and not words & _LINK_WORDS):
        return []

    def rank(item: tuple[str, FieldSpec]) -> int:
        target = item[1].type.target or ""
        return 0 if snake(target) in words else 2 if target in callers else 1

    return sorted(refs, key=rank)


def _item_paths(arch: Architecture) -> dict[str, tuple[str, str]]:
    """Each entity's item GET path (the shortest), as the APIs serve it (``/videos/{video_id}``), and its auth."""
    out: dict[str, tuple[str, str]] = {}
    for api in arch.apis:
        for op in sorted(api.operations, key=lambda o: (len(o.path), o.path)):
            if op.kind == "get" and op.method == "get" and op.entity and op.path.endswith("}") and answers_item(op, op.entity):
                # Location is resolved against the host: the path carries the API's base (``/v1``)
                out.setdefault(op.entity, (api.base_path.rstrip("/") + op.path, op.auth))
    return out


def short_link_contract(
    spec: Spec, arch: Architecture, service: str, entity: str, table: Table, column: str, length: int, resolvers: list[UseCase], writers: list[UseCase]
) -> Added:
    """``short_url`` in the entity's read shape (and in its examples), and ``GET /s/{code}`` answering 302 to the link's target."""
    api = next((a for a in arch.apis if a.service == service), None)
    read = next((s for s in api.schemas if s.name == entity), None) if api else None
    if api is None or read is None:
        return (), ()
    callers = frozenset(u.caller for u in writers if u.caller)
    location, leads = target(spec, arch, entity, table, column, any(u.spec.auth == "none" for u in resolvers), callers)
    url = ApiProperty(
        name=SHORT_URL,
        type="string",
        format="uri",
        max_length=2048,
        required=True,
        read_only=True,
        description=f"The link to share: GET {PATH.replace('{code}', '{' + column + '}')} on this API redirects to {leads}.",
    )
    schema = read.model_copy(update={"properties": [*[p for p in read.properties if p.name != SHORT_URL], url]})
    path = PATH.replace("{code}", "{" + column + "}")
    # the use case's own read stays its operation (one per use case); it says where browsers open the link
    note = f"Browsers open the link at GET {path}, which redirects to {leads.split(' (')[0]}."
    # every example shows a code of the length the key decision states
    code = example_code(length)
    changed = [
        (
            service,
            op.model_copy(
                update={
                    "example_response": _with_url(with_key_example(op.example_response, column, code), column),
                    "description": _noted(op, note, resolvers),
                }
            ),
        )
        for op in api.operations
        if _answers(op, entity)
    ]
    tag = next((op.tag for op in api.operations if op.entity == entity), entity.lower())
    param = Parameter(name=column, location="path", type="string", required=True, description=f"The short code ({length} base62 characters).")
    made = new_operation(
        operation_id=f"open{entity}ShortLink",
        method="get",
        path=path,
        summary=f"Open a {entity} by its short URL",
        description=f"Answers 302 Found with Location {location} ({leads}); 404 for an unknown or deleted code. Public: whoever holds the link "
        f"may open it, and {leads.split(' (')[0]} authorizes its own reads. Cache-Control: {CACHE_CONTROL} (the CDN answers repeated opens; "
        "a delete purges the code).",
        entity=entity,
        kind="get",
        tag=tag,
        parameters=[param],
        scopes=[],
    )
    redirect = made.model_copy(
        update={
            "success_status": 302,
            "redirect": location,
            "auth": "none",
            "error_statuses": [s for s in made.error_statuses if s not in {401, 403}],
            "cache_control": CACHE_CONTROL,
            "example_error": {**(made.example_error or {}), "instance": f"/s/{code}"},
        }
    )
    return (*changed, (service, redirect)), ((service, schema),)


def _noted(op: Operation, note: str, resolvers: list[UseCase]) -> str:
    """The description of an operation a resolving use case is served by, with where browsers open the link."""
    if not set(op.use_cases) & {u.name for u in resolvers} or note in op.description:
        return op.description
    return f"{op.description} {note}".strip()


def _answers(op: Operation, entity: str) -> bool:
    return (answers_item(op, entity) or (op.entity == entity and is_page_of(op.response_schema or "", entity))) and op.example_response is not None


def _with_url(example: Any, column: str) -> Any:
    """An example with ``short_url`` beside every code it shows (an item, or each item of a page)."""
    if isinstance(example, list):
        return [_with_url(e, column) for e in example]
    if isinstance(example, dict):
        out = {k: _with_url(v, column) for k, v in example.items()}
        if isinstance(example.get(column), str):
            out[SHORT_URL] = f"{EXAMPLE_BASE}/s/{example[column]}"
        return out
    return example


__all__ = ["CACHE_CONTROL", "PATH", "SHORT_URL", "short_link_contract", "target"]
