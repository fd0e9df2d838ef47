"""Operations scoped by an entity with members are allowed to its members only (OWASP API1:2023, BOLA).

A scope is an entity some other entity holds memberships of: a row with a reference to the scope
(or ``part_of`` it) and a reference to the caller's entity, unique per (scope, caller), like a
ChatMember with ``unique: [[chat, user]]``. An operation of a signed-in caller is scoped by it when
it names the scope in its path (``/chats/{chat_id}/messages``), a query filter, its body (a message
sent into a chat), or through the row its path addresses (a task of a project, updated by its id);
when it addresses the scope's own row (``GET /chats/{chat_id}``: a chat's title is its members'); and
when what it names is part of a scope (``part_of``, up the chain to the nearest ancestor with a
membership: a channel's messages are its server's members', ``Message -> Channel -> Server``; a plain reference leads up
as ``part_of`` does where it is the row's one way to such a scope and only members write the row, ``container_ref``: a
channel naming its guild).
Such an operation is allowed only to members, by this rule:

- the service looks the caller's membership up by one probe of the membership's unique index
  (scope id, caller id) per request (through an ancestor: the same probe, its scope id read from
  the named row's parent column, ``channels.server_id``, in the same query): in its own database where it holds the memberships, else by
  one synchronous call to the service that does (counted in that service's requests, its
  database's reads and the request's latency and availability, as ``design.reference_checks``
  counts an existence check);
- a caller who is not a member gets 404, like an unknown scope, so a scope's existence is not
  revealed (422 where the body names it, as an unknown id in a body gets);
- the membership rows themselves are written by the flows that join and leave (not checked
  here: joining is how one becomes a member; who may add others is the spec's rule, not this one);
- a use case opts out with ``access: public`` (any signed-in caller: a public channel's history).

A found membership also proves the scope exists, so the existence check of that reference is
this probe (``ReferenceCheck.check == "member"``), not a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.readback_rate import readback_basis, readback_rate
from backend_architect.design.real_container import agree_status, agreement, real_container
from backend_architect.design.relay import RELAY_S
from backend_architect.ir.deployment import call_said
from backend_architect.ir.model import Flow, FlowStep, MembershipCheck, Operation
from backend_architect.ir.runtime import StoreLoad
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import relations, split_filter, table_name

#: Operation kinds that address one existing row by its path: the row's scope column says which scope it is in.
_ROW_KINDS = frozenset({"get", "update", "replace", "action", "delete"})
#: Operation kinds that store what the request names: a scope id it sends beside a container is stored, so it must agree.
_WRITE_KINDS = frozenset({"create", "update", "replace", "action"})


@dataclass(frozen=True)
class Membership:
    """Who is a member of a scope: the membership entity, its field naming the scope and its field naming the member."""

    entity: str
    scope_field: str
    member_field: str


def membership_of(spec: Spec, scope: str, caller: str | None) -> Membership | None:
    """The entity holding ``caller``'s memberships of ``scope``: a reference to each, unique per pair, and joined through
    (``_joins``); none: ``scope`` is no scope with members.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {"fields": {"n": "string"}}, "Chat": {"fields": {"t": "string"}},
    ...     "ChatMember": {"part_of": "Chat", "fields": {"user": "ref(User)"}, "unique": [["chat", "user"]]}},
    ...     "use_cases": [{"name": "create group", "writes": ["Chat", "ChatMember"]}]})
    >>> membership_of(spec, "Chat", "User")
    Membership(entity='ChatMember', scope_field='chat', member_field='user')
    >>> membership_of(spec, "User", "User") is None
    True
    """
    if caller is None or scope == caller:
        return None
    for name, entity in spec.entities.items():
        if name in {scope, caller}:
            continue
        refs = relations(spec, name)
        scoped = [f for f, target in refs.items() if target == scope]
        members = [f for f, target in refs.items() if target == caller]
        for key in entity.unique:
            if not isinstance(key, list):
                continue  # a key unique in some states only is no membership
            for scope_field in scoped:
                for member_field in members:
                    if set(key) == {scope_field, member_field} and _joins(spec, scope, name, member_field):
                        return Membership(name, scope_field, member_field)
    return None


def _joins(spec: Spec, scope: str, entity: str, member_field: str) -> bool:
    """Whether ``entity`` rows are how callers belong to ``scope``, not a per-caller record about it (a read receipt, a view):
    a use case creates one with the scope (its creator becomes a member), lists the caller's scopes through them (reads both,
    filtered by the member alone: the caller's chats), or lists a scope's members (reads them first, filtered by the scope
    alone: a server's members). A vote or a view written beside a score, or one row looked up by both keys, is no membership."""
    scope_field = next((f for f, target in relations(spec, entity).items() if target == scope), "")
    for use_case in spec.use_cases:
        if {scope, entity} <= set(use_case.writes):  # whole rows, not a field of the scope (a score kept beside votes)
            return True
        read = [r.split(".")[0] for r in use_case.reads]
        filtered = {split_filter(f)[0].rpartition(".")[2].removesuffix("_id") for f in use_case.filter}
        if {scope, entity} <= set(read) and filtered == {member_field}:
            return True
        if read[:1] == [entity] and filtered == {scope_field}:
            return True
    return False


def nearest_membership(spec: Spec, entity: str, caller: str | None) -> tuple[str, Membership, list[str]] | None:
    """(scope, membership, parent columns read on the way) of the nearest of ``entity`` and its ``part_of`` ancestors with a
    membership of ``caller``'s; none: no entity up the chain has members. Only containment leads up: a row referencing another
    (an order naming a product) is not part of it, and the product's staff are no members of the order.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {"fields": {"n": "string"}}, "Server": {"fields": {"t": "string"}},
    ...     "Member": {"fields": {"server": "ref(Server)", "user": "ref(User)"}, "unique": [["server", "user"]]},
    ...     "Channel": {"part_of": "Server", "fields": {"t": "string"}}},
    ...     "use_cases": [{"name": "members", "reads": ["Member"], "filter": ["server"]}]})
    >>> nearest_membership(spec, "Channel", "User")
    ('Server', Membership(entity='Member', scope_field='server', member_field='user'), ['channels.server_id'])
    """
    via: list[str] = []
    current: str | None = entity
    while current is not None and current in spec.entities and len(via) < len(spec.entities):
        found = membership_of(spec, current, caller)
        if found is not None:
            return current, found, via
        parent = spec.entities[current].part_of or container_ref(spec, current, caller)
        if parent is None or parent == caller or _listed_openly(spec, current, parent):
            return None
        via.append(f"{table_name(current)}.{_field_of(spec, current, parent)}_id")
        current = parent
    return None


def container_ref(spec: Spec, entity: str, caller: str | None, _seen: frozenset[str] = frozenset()) -> str | None:
    """The container ``entity`` rows are kept in though no ``part_of`` says so: its one reference leading to a scope with
    ``caller``'s members (the scope itself, or a row kept in one: a fixture's team of a league), where every use case writing
    ``entity`` rows is a signed-in member's (none is ``access: public``); none otherwise. A reference to the scope beside one to
    a container in it (a message naming its channel and its guild) names the nearer, the container.

    Why: a channel naming its guild, created only by the guild's members, is the guild's as surely as if it said ``part_of``;
    reading the channel's messages by the channel id alone would otherwise be open to anyone who learns the id (BOLA), while
    every other operation of that guild is members-only. A reference anyone may create (an abuse report naming a guild), or
    one to two unrelated scopes (neither is its container), leads nowhere.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {"fields": {"n": "string"}}, "Guild": {"fields": {"t": "string"}},
    ...     "Member": {"fields": {"guild": "ref(Guild)", "user": "ref(User)"}, "unique": [["guild", "user"]]},
    ...     "Channel": {"fields": {"guild": "ref(Guild)", "by": "ref(User)"}}},
    ...     "use_cases": [{"name": "create guild", "writes": ["Guild", "Member"]}, {"name": "create channel", "writes": ["Channel"]}]})
    >>> container_ref(spec, "Channel", "User"), container_ref(spec, "Member", "User")
    ('Guild', None)
    """
    writers = [u for u in spec.use_cases if entity in u.writes]
    if not writers or any(u.access == "public" for u in writers):
        return None
    seen = _seen | {entity}
    chains: dict[str, list[str]] = {}
    for target in relations(spec, entity).values():
        if target in seen or target == caller or target in chains:
            continue
        chain = _chain(spec, target, caller, seen)
        if chain:
            chains[target] = chain
    # a scope named beside a container kept in it is the container's ancestor, not a second container
    nearest = [t for t in chains if not any(t in chain[1:] for chain in chains.values())]
    if len(nearest) != 1:
        return None
    found = membership_of(spec, chains[nearest[0]][-1], caller)
    # the membership row itself is how one joins its scope, not a row kept in it
    return None if found is None or found.entity == entity else nearest[0]


def _chain(spec: Spec, entity: str, caller: str | None, seen: frozenset[str]) -> list[str]:
    """``entity`` and its containers up to the first with ``caller``'s members; empty: none up the chain has members."""
    chain = [entity]
    while membership_of(spec, chain[-1], caller) is None:
        parent = spec.entities[chain[-1]].part_of if chain[-1] in spec.entities else None
        parent = parent or container_ref(spec, chain[-1], caller, seen | set(chain))
        if parent is None or parent in chain or parent in seen:
            return []
        chain.append(parent)
    return chain


def in_member_scope(spec: Spec, entity: str, caller: str | None) -> bool:
    """Whether ``entity``'s rows live in a scope with members: a reference to one (a message's chat) or a ``part_of`` ancestor
    with members. Such rows are their scope's members' to read, not their author's alone, personal data or not.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {"fields": {"n": "string"}}, "Chat": {"fields": {"t": "string"}},
    ...     "ChatMember": {"part_of": "Chat", "fields": {"user": "ref(User)"}, "unique": [["chat", "user"]]},
    ...     "Message": {"fields": {"chat": "ref(Chat)", "body": {"type": "text", "pii": True}}}},
    ...     "use_cases": [{"name": "create group", "writes": ["Chat", "ChatMember"]}]})
    >>> in_member_scope(spec, "Message", "User"), in_member_scope(spec, "User", "User")
    (True, False)
    """
    if nearest_membership(spec, entity, caller) is not None:
        return True
    return any(membership_of(spec, target, caller) is not None for target in relations(spec, entity).values() if target != entity)


def _listed_openly(spec: Spec, part: str, parent: str) -> bool:
    """Whether some use case lists ``part`` beyond one parent (a catalog's products browsed or searched across stores) or for
    anyone (``access: public``): such a part is public, and what names it is not its parent's members' alone. A write reading
    the part it writes into (a message sent into a channel reads the channel) lists nothing."""
    field = _field_of(spec, part, parent)
    for use_case in spec.use_cases:
        if use_case.writes:
            continue
        if use_case.reads[:1] != [part] and not (use_case.reads and use_case.reads[0].startswith(f"{part}.")):
            continue
        filtered = {split_filter(f)[0].rpartition(".")[2].removesuffix("_id") for f in use_case.filter}
        if use_case.access == "public" or field not in filtered:
            return True
    return False


def _field_of(spec: Spec, entity: str, parent: str) -> str:
    """The relation of ``entity`` naming its ``part_of`` parent."""
    return next(f for f, target in relations(spec, entity).items() if target == parent)


def parent_calls(table_owner: dict[str, str], via: list[str], service: str, holder: str) -> dict[str, list[str]]:
    """The services ``service`` calls to read the parent columns ``via`` leading from the named row to its scope, each with the
    tables it reads there; none where the holder of the memberships keeps every part (joined in its probe) or ``service`` does.

    Why: a check needing a column another service holds (``channels.guild_id`` for a message's guild) is a request to that
    service on every checked request; drawn as a step and counted in its requests, database reads and the caller's latency,
    never left "to the implementer", where no figure would carry it.

    ``table_owner``: each table's service.

    >>> parent_calls({"channels": "channels", "members": "members"}, ["channels.guild_id"], "messages", "members")
    {'channels': ['channels']}
    >>> parent_calls({"channels": "members"}, ["channels.guild_id"], "messages", "members")
    {}
    """
    tables = [v.split(".")[0] for v in via]
    held = {table_owner.get(t, service) for t in tables}
    if held <= {holder} or held <= {service}:
        return {}
    found: dict[str, list[str]] = {}
    for table in tables:
        if (owner := table_owner.get(table, service)) != service:
            found.setdefault(owner, []).append(table)
    return found


def table_owners(owner: dict[str, str]) -> dict[str, str]:
    """Each entity's table with the service owning it (``owner``: entity -> service)."""
    return {table_name(entity): service for entity, service in owner.items()}


def _via_read(owner: dict[str, str], via: list[str], service: str, holder: str) -> str:
    """Where the parent columns leading from the named row to its scope are read: with the probe where the holder keeps the
    parts too, else in the checking service's own database, else by one synchronous call to the parts' owner (``parent_calls``)."""
    held = {table_owners(owner).get(v.split(".")[0], service) for v in via}
    if held <= {holder}:
        return f"joined in the same query in {holder}'s database"
    if held <= {service}:
        return "read from its own database in the same transaction"
    calls = parent_calls(table_owners(owner), via, service, holder)
    said = ", ".join(f"{callee} (a read of its {', '.join(tables)} row by id)" for callee, tables in calls.items())
    return f"read by one synchronous call a request to {said}, counted in its requests, its database's reads and the latency"


def membership_checks(
    spec: Spec, analysis: Analysis, owner: dict[str, str], operations: Iterable[tuple[str, Operation]], bodies: dict[str, list[str]]
) -> list[MembershipCheck]:
    """One check per client operation a signed-in caller makes in a scope with members, in operation order (the module's rule).

    ``operations``: (service, operation) pairs; ``bodies``: each request schema's property names.
    """
    by_name = {u.name: u for u in analysis.use_cases}
    found: list[MembershipCheck] = []
    # a get the design adds for a created row (its Location) is called by whoever created it
    creator = {u.entity: u for u in reversed(analysis.use_cases) if u.kind == "create"}
    for service, op in operations:
        if op.internal or op.entity is None:
            continue
        use_case = by_name.get(op.use_cases[0]) if op.use_cases else creator.get(op.entity) if op.kind == "get" else None
        if use_case is None:
            continue
        if use_case.spec.access == "public" or use_case.caller is None or op.auth == "none":
            continue
        named = [*_own(spec, op, use_case), *_scopes(spec, op, bodies.get(op.request_schema or "", []))]
        candidates = []
        for field, named_entity, where, agrees in real_container(spec, named, write=op.kind in _WRITE_KINDS, caller=use_case.caller):
            nearest = nearest_membership(spec, named_entity, use_case.caller)
            if nearest is None or (nearest[1].entity == op.entity and op.kind not in {"list", "get"}):
                continue  # joining and leaving write the membership itself
            candidates.append((field, where, agrees, nearest))
        if not candidates:
            continue
        # one scope a request: the first it names; of the columns of an addressed row, the one reaching the scope most directly
        # (a message's own guild_id, checked to agree with its channel's when written, over channels.guild_id)
        first = candidates[0]
        if first[1] == "row":
            first = min((c for c in candidates if c[1] == "row"), key=lambda c: len(c[3][2]))
        field, where, agrees, (scope, membership, via) = first
        # the get added for a created row is called as often as its service counts it (one read-back a create)
        peak = use_case.peak_qps if op.use_cases else readback_rate(analysis, op.entity)
        mismatch = agree_status(named, agrees)
        basis = "" if op.use_cases else readback_basis(analysis, op.entity)
        found.append(_check(spec, use_case, op, service, owner, field, scope, where, membership, via, peak, agrees, mismatch, basis))
    return found


def _own(spec: Spec, op: Operation, use_case: UseCase) -> list[tuple[str, str, str]]:
    """The scope's own row an operation addresses by its path (``GET /chats/{chat_id}``: its title and kind are its members'), as
    (path parameter, scope, 'path'); its creation (the creator joins it) and the caller's list of scopes (read through the
    caller's memberships) address none. The get the design adds for a created scope (its Location) is its members' where the
    creation makes the creator one (writes the membership with it); else the creator could not read back what they made."""
    assert op.entity is not None
    path = [p.name for p in op.parameters if p.location == "path"]
    membership = membership_of(spec, op.entity, use_case.caller)
    if op.kind not in _ROW_KINDS or not path or membership is None:
        return []
    if not op.use_cases and membership.entity not in {w.split(".")[0] for w in use_case.spec.writes}:
        return []
    return [(path[-1].removesuffix("_id"), op.entity, "path")]


def _scopes(spec: Spec, op: Operation, sent: list[str]) -> list[tuple[str, str, str]]:
    """(field, scope entity, where) for each relation of the operation's entity the request names or its addressed row holds."""
    assert op.entity is not None
    found: list[tuple[str, str, str]] = []
    for field, target in relations(spec, op.entity).items():
        if target == op.entity:
            continue
        # a parent's key in a nested path (/chats/{chat_id}/messages) carries no spec filter: its name says which relation it is
        named = [
            p.location
            for p in op.parameters
            if p.location in {"path", "query"}
            and ((p.spec_ref and p.spec_ref.rpartition(".")[2] == field) or (p.location == "path" and p.name == f"{field}_id"))
        ]
        if named:
            found.append((field, target, named[0]))
        elif f"{field}_id" in sent:
            found.append((field, target, "body"))
        elif op.kind in _ROW_KINDS and any(p.location == "path" for p in op.parameters):
            found.append((field, target, "row"))
    return found


def _check(
    spec: Spec,
    use_case: UseCase,
    op: Operation,
    service: str,
    owner: dict[str, str],
    field: str,
    scope: str,
    where: str,
    membership: Membership,
    via: list[str],
    peak: float,
    agrees: list[str] | None = None,
    mismatch: int = 422,
    basis: str = "",
) -> MembershipCheck:
    """The check of one operation: probed locally where its service holds the memberships, else by a call to the one that does.

    ``peak``: the operation's requests/s at peak, one probe each; a get the design adds for a created row serves no use case
    of its own (no flow is its) and is called as often as the rows are read back; ``basis`` says what that rate counted
    (``readback_basis``), so a 0 for rows never read back is never said to be one read-back a create."""
    derived = not op.use_cases
    table = table_name(membership.entity)
    index = [f"{membership.scope_field}_id", f"{membership.member_field}_id"]
    holder = owner.get(membership.entity, service)
    status = 422 if where == "body" else 404
    named = {"path": "its path", "query": f"its {field}_id filter", "body": "its body", "row": f"the {field}_id of the {op.entity} it addresses"}[where]
    if via:
        named += f", through {' -> '.join(via)} (the nearest part_of ancestor with members; {_via_read(owner, via, service, holder)})"
    probe = f"one probe of {table}'s unique index ({', '.join(index)}) with the caller's id from the access token"
    how = (
        f"{probe} in {holder}'s own database"
        if holder == service
        else f"one synchronous call to {holder} ({probe} there), counted in the requests {holder} serves"
    )
    rate = f"{peak:,.0f} probes/s at peak" + (f" ({basis or f'each created {op.entity} read back once'})" if derived else "")
    reason = (
        f"{op.operation_id} acts in a {scope} named by {named}, and {membership.entity} rows ({membership.entity}.{membership.scope_field}, "
        f"{membership.entity}.{membership.member_field}, unique together) say who belongs to it: only members may call it; {how}, "
        f"{rate}; a caller who is not a member gets {status}, as for an unknown {scope}, "
        f"so a {scope}'s existence is not revealed (opt out with access: public)"
        f"{agreement(agrees or [], field, scope, via, mismatch)}"
    )
    return MembershipCheck(
        use_case="" if derived else use_case.name,
        operation=op.operation_id,
        scope=scope,
        column=f"{field}_id",
        where=where,
        members=membership.entity,
        table=table,
        index=index,
        service=holder,
        check="local" if holder == service else "query",
        via=via,
        agrees=agrees or [],
        agree_status=mismatch,
        peak=peak,
        status=status,
        reason=reason,
    )


def member_sentence(check: MembershipCheck) -> str:
    """What the operation's description adds: who may call it and what others get.

    >>> member_sentence(MembershipCheck(use_case="u", operation="o", scope="Chat", column="chat_id", where="path", members="ChatMember",
    ...     table="chat_members", index=["chat_id", "user_id"], service="chats", check="local", reason=""))
    ' Only members of the Chat may call it (the caller has a ChatMember row in it): others get 404, as for an unknown Chat.'
    """
    who = f"the caller has a {check.members} row in it"
    said = f" Only members of the {check.scope} may call it ({who}): others get {check.status}, as for an unknown {check.scope}."
    if check.agrees:
        # the scope is the named container's, so a body naming another scope beside it is refused, not believed
        container = check.column.removesuffix("_id")
        said += f" The {check.scope} is the one the {container} belongs to: a request whose {', '.join(check.agrees)} names another gets {check.agree_status}."
    return said


def member_item(check: MembershipCheck) -> str:
    """The security checklist's line for one operation scoped by an entity with members.

    >>> member_item(MembershipCheck(use_case="get chat messages", operation="o", scope="Chat", column="chat_id", where="path",
    ...     members="ChatMember", table="chat_members", index=["chat_id", "user_id"], service="chats", check="local", reason=""))
    'Members only: get chat messages answers only members of the Chat (a chat_members row (chat_id, user_id) for the token subject); others get 404'
    """
    return (
        f"Members only: {check.use_case or check.operation} answers only members of the {check.scope} "
        f"(a {check.table} row ({', '.join(check.index)}) for the token subject); others get {check.status}"
        + (
            f"; its {check.scope} is read from the {check.column} ({' -> '.join(check.via)}), "
            f"and a request {', '.join(check.agrees)} naming another gets {check.agree_status}"
            if check.agrees
            else ""
        )
    )


def membership_loads(checks: Iterable[MembershipCheck]) -> list[StoreLoad]:
    """The reads the membership probes make of the memberships' table: one indexed probe per checked request."""
    return [
        StoreLoad(
            # a local copy's pairs are a table of the checking service's database, found by its name
            entity=c.table if c.check == "local copy" else c.members,
            # keyed as an existence check of the operation is: the probe is one (``check_<operation>`` in the requests it lands on)
            key=f"check_{c.operation}_member",
            quantity=f"membership probes/s of {c.table} ({', '.join(c.index)}) for {c.use_case or c.operation}",
            reads_per_s=c.peak,
            formula="peak (one probe a request)",
            inputs={"peak": c.peak},
        )
        for c in checks
        if c.peak
    ]


def membership_requests(checks: Iterable[MembershipCheck]) -> dict[str, dict[str, float]]:
    """Per service holding memberships, the requests/s other services' membership calls make of it, keyed as existence checks
    are (``reference_checks.check_requests``): one call a request checks every reference and membership that service holds.

    >>> c = MembershipCheck(use_case="u", operation="listTasks", scope="P", column="p_id", where="query", members="M", table="m",
    ...     index=["p_id", "user_id"], service="members", check="query", peak=5, reason="")
    >>> membership_requests([c, c.model_copy(update={"check": "local"})])
    {'members': {'check_listTasks': 5.0}}
    """
    found: dict[str, dict[str, float]] = {}
    for check in checks:
        if check.check == "query" and check.peak:
            found.setdefault(check.service, {})[f"check_{check.operation}"] = check.peak
    return found


def member_flow(flow: Flow, home: str, checks: list[MembershipCheck], *, in_process: bool = False, table_owner: dict[str, str] | None = None) -> Flow:
    """The use case's flow with its membership check: a query to the service holding the memberships (an in-process call to the
    module holding them, ``in_process``), or a local probe said; and a query to each service holding a parent column the check
    reads on the way to its scope (``parent_calls``; ``table_owner``: each table's service)."""
    mine = [c for c in checks if c.use_case == flow.use_case]
    if not mine:
        return flow
    steps = list(flow.steps)
    said = []
    for check in mine:
        # the scope's id comes from the parent columns, so they are looked up (in the order the chain climbs) before the probe
        for callee, tables in parent_calls(table_owner or {}, check.via, home, check.service).items():
            columns = ", ".join(v for v in check.via if v.split(".")[0] in tables)
            if any(s.kind == "query" and s.target == callee for s in steps):
                said.append(f"the query to {callee} also looks up {columns} to find the {check.scope}")
                continue
            steps.append(FlowStep(source=home, target=callee, kind="query", description=f"look up {columns} to find the {check.scope}"))
            said.append(f"looks up {columns} to find the {check.scope} by {call_said(in_process)} to {callee}")
        if check.check == "query" and any(s.kind == "query" and s.target == check.service for s in steps):
            said.append(f"the query to {check.service} also checks the caller's membership of the {check.scope}")
        elif check.check == "query":
            steps.append(FlowStep(source=home, target=check.service, kind="query", description=f"check the caller is a member of the {check.scope}"))
            said.append(f"checks the caller's membership of the {check.scope} by {call_said(in_process)} to {check.service}")
        elif check.check == "local":
            said.append(f"checks the caller's membership of the {check.scope} by one probe of {check.table} ({', '.join(check.index)})")
        else:
            steps.append(
                FlowStep(source=check.service, target=home, kind="event", description=f"{check.members} changes keep a local copy of its pairs current")
            )
            said.append(
                f"checks the caller's membership of the {check.scope} by one probe of {check.table} ({', '.join(check.index)}), "
                f"{check.service}'s {check.members} pairs in an event-fed local copy, about {RELAY_S:g} s behind its owner (the event relay's lag)"
            )
        if check.agrees:
            said.append(
                f"reads the {check.scope} from the {check.column} ({' -> '.join(check.via)}) "
                f"and refuses a request whose {', '.join(check.agrees)} differs ({check.agree_status})"
            )
    style = "sync" if flow.style == "local" and any(c.check == "query" for c in mine) else flow.style
    return flow.model_copy(update={"steps": steps, "style": style, "rationale": "; ".join(filter(None, [flow.rationale, *said]))})


__all__ = [
    "Membership",
    "member_flow",
    "member_item",
    "member_sentence",
    "membership_checks",
    "membership_loads",
    "membership_of",
    "membership_requests",
    "nearest_membership",
    "parent_calls",
    "table_owners",
]
