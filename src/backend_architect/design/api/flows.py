"""Operations that are not plain resource CRUD: authentication flows and relationships.

For an entity holding a secret credential (``password``, ``password_hash``):

- register: ``POST /{collection}``, public (unless the spec sets ``auth``), taking a
  write-only ``password`` -- never the hash;
- log in: ``POST /sessions``, public, taking the entity's login field and the password and
  answering an access token (``Session``), idempotent by ``Idempotency-Key`` so a retried
  log in does not open a second session; bad credentials are a 400 (OAuth 2.0's
  ``invalid_grant``), never a list of accounts;
- log out: ``DELETE /sessions/current``; the caller's own entity: ``GET``/``PATCH``/``DELETE /me``;
- change password: ``PUT /me/password`` with the current and the new password, 204.

A link (a link entity, or a many-to-many relation) is made with an idempotent ``PUT`` on
the relationship and unmade with ``DELETE`` on the same path, both 204:
``PUT /users/{user_id}/following/{followee_id}``, ``DELETE /articles/{article_id}/tags/{tag_id}``.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase
from backend_architect.design.api.caller_rows import caller_param_sentence, caller_params
from backend_architect.design.api.operations import Method, ServiceApi, also_updates, server_sets
from backend_architect.design.api.paths import collection
from backend_architect.design.api.schemas import plaintext
from backend_architect.design.named_state import named_state
from backend_architect.design.ownership import credential_fields
from backend_architect.ir.model import ApiProperty, ApiSchema

AUTH_FLOWS = frozenset({"register", "login", "logout", "me", "password"})
LINK_FLOWS = frozenset({"relate", "unrelate"})
#: Access tokens live 15 minutes (the security model's default); the session answer says so.
ACCESS_TOKEN_SECONDS = 900
_LOGIN_NAMES = ("email", "username", "handle", "login", "phone", "phone_number")


def add_flow(api: ServiceApi, use_case: UseCase) -> None:
    """The operation of an authentication or relationship use case."""
    flow = use_case.flow
    if flow in LINK_FLOWS:
        _link(api, use_case)
    elif flow == "register":
        explicit = "auth" in use_case.spec.model_fields_set
        api.add_write(
            use_case, auth=use_case.spec.auth if explicit else "none", scopes=[] if not explicit or use_case.spec.auth == "none" else None, flow="register"
        )
    elif flow == "login":
        _login(api, use_case)
    elif flow == "logout":
        op = api.base(use_case, "delete", api.res.unique("delete", "/sessions/current"), "delete", [], scopes=[], tag="sessions",
                      success_status=204, flow="logout", note="Ends the caller's session: its refresh token is revoked.")  # fmt: skip
        api.put(op)
    elif flow == "password":
        _password(api, use_case)
    elif flow == "me":
        _me(api, use_case)


def login_field(api: ServiceApi, entity: str) -> ApiProperty:
    """The field people log in with: a unique email, username, handle or phone, else the first unique text field."""
    props = {p.name: p for p in api.schemas.properties(entity)}
    body = api.res.spec.entities[entity]
    unique = [n for n, f in body.fields.items() if f.unique and f.type.kind in {"email", "string"}]
    unique += [k[0] for k in body.unique if isinstance(k, list) and len(k) == 1]
    for name in (*[n for n in _LOGIN_NAMES if n in unique], *unique, *[n for n in _LOGIN_NAMES if n in body.fields]):
        if name in props:
            return props[name].model_copy(update={"required": True, "read_only": False, "nullable": False, "description": "The account to sign in as."})
    return ApiProperty(name="username", type="string", max_length=320, required=True, description="The account to sign in as.")


def _login(api: ServiceApi, use_case: UseCase) -> None:
    entity = use_case.entity
    secret = credential_fields(api.res.spec, entity)[0]
    secret_prop = next(p for p in api.schemas.properties(entity) if p.name == secret)
    request = ApiSchema(
        name="SessionCreate", entity=entity, properties=[login_field(api, entity), plaintext(secret_prop.model_copy(update={"required": True}))]
    )
    api.schemas.schemas["SessionCreate"] = request
    api.schemas.schemas["Session"] = ApiSchema(
        name="Session",
        properties=[
            ApiProperty(name="access_token", type="string", required=True, max_length=4096, description="Bearer token for the Authorization header."),
            ApiProperty(name="token_type", type="string", enum=["Bearer"], required=True),
            ApiProperty(name="expires_in", type="integer", format="int32", required=True, description="Seconds until the access token expires."),
            ApiProperty(
                name="refresh_token", type="string", required=True, max_length=4096, description="Exchanges for a new access token; revoked at log out."
            ),
        ],
    )
    op = api.base(use_case, "post", api.res.unique("post", "/sessions"), "create", [], auth="none", scopes=[], tag="sessions",
                  request_schema="SessionCreate", response_schema="Session", success_status=201, flow="login", idempotency_key=True,
                  note=f"Public: exchanges {entity} credentials for an access token ({ACCESS_TOKEN_SECONDS // 60} minutes) and a refresh token; "
                  "wrong credentials get 400 without saying which part was wrong.")  # fmt: skip
    api.put(op)


def _password(api: ServiceApi, use_case: UseCase) -> None:
    entity = use_case.entity
    secret = credential_fields(api.res.spec, entity)[0]
    prop = next(p for p in api.schemas.properties(entity) if p.name == secret).model_copy(update={"required": True})
    name = f"{entity}PasswordRequest"
    api.schemas.schemas[name] = ApiSchema(
        name=name,
        entity=entity,
        properties=[
            plaintext(prop, "current_password", "The password in use now, to prove it is the owner."),
            plaintext(prop, description="The new password."),
        ],
    )
    op = api.base(use_case, "put", api.res.unique("put", "/me/password"), "update", [], tag=collection(entity), request_schema=name,
                  success_status=204, flow="password", note="Other sessions of the caller are revoked.")  # fmt: skip
    api.put(op)


def _me(api: ServiceApi, use_case: UseCase) -> None:
    entity, kind = use_case.entity, use_case.kind
    method: Method = {"get": "get", "update": "patch", "replace": "put", "delete": "delete"}.get(kind, "patch")  # type: ignore[assignment]
    path = api.res.unique(method, "/me")
    read = api.schemas.read(entity)
    if kind == "get":
        op = api.base(use_case, "get", path, "get", [], response_schema=read, conditional=api.versioned(entity), flow="me")
    elif kind == "delete":
        op = api.base(use_case, "delete", path, "delete", [], success_status=204, flow="me", note="Deletes the caller's own account.")
    else:
        request = api.schemas.replace(use_case, None) if kind == "replace" else api.schemas.update(use_case, None)
        op = api.base(use_case, method, path, "update", [], request_schema=request, response_schema=read, conditional=api.versioned(entity), flow="me")
    api.put(op)


def _link(api: ServiceApi, use_case: UseCase) -> None:
    """``PUT`` (make, idempotent) or ``DELETE`` (unmake) on the relationship item, 204; a link's own fields in the PUT body."""
    _coll, item, params, target = api.res.relationship(use_case)
    relate = use_case.flow == "relate"
    method: Method = "put" if relate else "delete"
    path = api.res.unique(method, item)
    request = None
    if relate and use_case.relation is None:
        ends = api.res.link_ends(use_case.entity)
        omit = frozenset({f"{ends[1]}_id", f"{ends[2]}_id"})
        props = api.schemas.writable(use_case.entity, omit=omit)
        request = api.schemas.named("", use_case, use_case.entity, props, whole=False)
    what = f"{use_case.entity}.{use_case.relation}" if use_case.relation else use_case.entity
    named = named_state(api.res.spec, use_case) if relate else {}
    note = (
        f"Makes the {what} link to the {target}; idempotent: making it again changes nothing."
        if relate and not named
        # a state the link is made in is the server's, never a body's: say which one this PUT stores
        else f"Makes the {what} link to the {target}; idempotent: making it again in this state changes nothing, and a link already "
        f"made in another state moves to it. {server_sets(list(named), named)}"
        if relate
        else f"Removes the {what} link to the {target}; removing a missing link is not an error."
    )
    note = f"{note} {also_updates(use_case, api.res.owner)}".strip()
    # the end that is the caller's own (a vote's voter, a follow's follower) is the token's, never another user's (``caller_rows`` rule 2)
    mine = caller_params(api.res, use_case, params)
    note = f"{note} {caller_param_sentence(mine)}" if mine else note
    op = api.base(use_case, method, path, "create" if relate else "delete", params, request_schema=request, success_status=204, flow=use_case.flow,
                  note=note, caller_params=mine)  # fmt: skip
    api.put(op)
