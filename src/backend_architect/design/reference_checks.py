"""A request's reference to a row another service owns: how each is checked, decided once from the numbers.

Across services there is no foreign key: a follow's ``followee_id`` names a User the users
service owns. Something must still decide whether a request naming an unknown User is refused,
and every record (the column comment, the flow, the owner's request rate, the contract's 404,
the decision record) must say the same. One decision per reference a request carries (in its
path or its body), by this rule:

- the caller's own id, taken from the access token (a tweet's author): the token vouches for it;
  nothing is checked;
- a read scoped by the id (a user's timeline): not checked. A read writes nothing that could
  dangle, so an unknown id answers an empty page, not 404, and the owner takes no read for it;
- a read whose path names the row by its public code or slug (``/videos/{video_code}/comments``)
  while the reader stores, indexes and caches the owner's id: the code is resolved to the id by
  the owner's GET by code, one synchronous call counted in the owner's requests (an unknown code
  answers 404), before the read by id. Without it the read has nothing to look its rows up by; an
  event-fed copy of the owner's ids holds no codes, so where a call would close a cycle the read
  stays unresolved and says so;
- a write setting the reference: a synchronous existence check on the owner (an internal GET,
  counted in the owner's request rate and its database's reads) when the write's availability
  with both services in its path (the writer's composite x the owner's) still meets the target;
  else an event-fed local copy of the owner's ids in the writer's database (a local read, about
  the relay's lag behind the owner) where the owner publishes the event creating the entity; else
  (no use case creates it, so no event could add an id to a copy) the synchronous check, its
  availability cost written down. An unknown id answers 404 where the path carries it, 422 where the body does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.call_chains import DEFAULT_AVAILABILITY, OWN_NINES_MARGIN
from backend_architect.design.embeds import called_owners
from backend_architect.design.keyed_lookups import PUBLIC_KEY_COLUMNS
from backend_architect.design.memory_sets import answered_by_set
from backend_architect.design.ownership import caller_reference
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING
from backend_architect.design.read_cycles import changes_per_s, copied_reads
from backend_architect.design.relay import RELAY_S
from backend_architect.design.runtimes import DEFAULT_RUNTIME, INSTANCE_RPS_BY_RUNTIME
from backend_architect.design.usecases import remote_access
from backend_architect.ir.deployment import call_each, call_said, owner_in_path_said, with_owner_in_path
from backend_architect.ir.model import Alternative, Column, Datastore, Decision, Flow, FlowStep, Operation, ReferenceCheck, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: The checks that reach the owner: each is one read of its row by id.
CHECKED_BY_OWNER = "query"
#: Checks/s at peak from which a write checks an event-fed local copy of the owner's ids instead of calling the owner:
#: past two owner instances' worth of calls (500 req/s each), the copy (ids x 8-16 B) costs less than the calls, the owner's
#: instances and its reads, and the write stops needing the owner. The one threshold of synchronous calls/s between
#: services: the membership checks (``member_copies``) and the bottleneck table (``bottleneck_checks.chatty_calls``) read it.
LOCAL_COPY_FROM = 2 * INSTANCE_RPS_BY_RUNTIME[DEFAULT_RUNTIME]
#: Writes/s at peak a copy may add to its keeper's database (an id row and a processed-event row per event consumed):
#: a fifth of one primary's 5,000 writes/s (``design.capacity.PRIMARY_WRITE_CEILING``), so the copy never becomes the
#: keeper's write bottleneck; a copy costing more is not kept, and the owner is called instead.
COPY_WRITES_MAX = PRIMARY_WRITE_CEILING / 5
#: Rows the keeper writes per id the owner creates or deletes: the copy's row and the processed-event row of its event.
COPY_ROWS_PER_EVENT = 2


def availabilities(spec: Spec) -> tuple[float, float]:
    """(the availability target, one of our services' availability): the figures each flow's availability multiplies (``call_chains``).

    >>> availabilities(Spec.model_validate({"system": "s", "entities": {"A": {"fields": {"n": "string"}}}, "use_cases": []}))
    (0.999, 0.9999)
    """
    target = spec.scale.availability or DEFAULT_AVAILABILITY
    return target, round(1 - (1 - target) / OWN_NINES_MARGIN, 12)


def reference_checks(
    spec: Spec,
    analysis: Analysis,
    owner: dict[str, str],
    operations: Iterable[tuple[str, Operation]],
    bodies: dict[str, list[str]],
    member_calls: Iterable[tuple[str, str]] = (),
    *,
    in_process: bool = False,
) -> list[ReferenceCheck]:
    """One check per reference to another service's row that a client operation carries, in operation order.

    ``operations``: (service, operation) pairs; ``bodies``: each request schema's property names; ``member_calls``: (caller,
    holder) pairs of the membership checks' synchronous calls (``design.membership``), decided first: a member-only operation
    must call, so an existence check that would call back closes the cycle and yields (a local copy, or unchecked).
    ``in_process``: the services are modules of one deployable (``ir.deployment``), so an owner in the path is no second
    factor of the write's availability.
    """
    target, composite = availabilities(spec)
    fed = created(analysis.use_cases)
    # what a copy of an entity's ids costs its keeper: one row written per id the owner creates or deletes
    feeds = {e: sum(u.peak_qps * u.rows_per_request(e) for u in analysis.use_cases if e in _made_by(u)) for e in spec.entities}
    by_name = {u.name: u for u in analysis.use_cases}
    copied = copied_reads(analysis.use_cases, owner)
    calls = sync_calls(analysis, owner, copied, spec)
    for caller, holder in member_calls:
        calls.setdefault(caller, set()).add(holder)
    found: list[ReferenceCheck] = []
    for service, op in operations:
        if op.internal or not op.use_cases or op.entity is None or op.kind == "delete" or op.use_cases[0] not in by_name:
            continue
        use_case = by_name[op.use_cases[0]]
        for field, where, address in _references(spec, op, bodies.get(op.request_schema or "", [])):
            ref = spec.entities[op.entity].fields[field]
            entity = ref.type.target or ""
            if owner.get(entity, service) == service:
                continue
            cycle = reaches(calls, owner[entity], service)
            facts = _Facts(owner[entity], entity in fed, feeds.get(entity, 0.0), composite, target, cycle, (use_case.name, entity) in copied, in_process)
            check, reason = _resolved(use_case, op, field, entity, address, facts) or _decide(spec, use_case, op, field, where, facts)
            if check == CHECKED_BY_OWNER:
                calls.setdefault(service, set()).add(owner[entity])
            found.append(
                ReferenceCheck(
                    use_case=use_case.name,
                    operation=op.operation_id,
                    column=f"{field}_id",
                    table=table_name(op.entity),
                    entity=entity,
                    owner=owner[entity],
                    where=where,
                    check=check,
                    address=address,
                    peak=use_case.peak_qps * ref.set_share if check in {"query", "local copy"} else 0.0,
                    nullable=ref.is_nullable,
                    reason=reason,
                )
            )
    return found


@dataclass(frozen=True)
class _Facts:
    """What one reference's check is decided from."""

    owner: str
    #: Some use case creates the entity (``created``), so its owner publishes the events a copy of its ids is fed by.
    fed: bool
    #: Ids/s at peak the owner creates or deletes: the rows a copy would write.
    feed: float
    #: One of our services' availability, and the target.
    composite: float
    target: float
    #: The owner already calls the writer synchronously (directly or through others): a check would close a cycle.
    cycle: bool
    #: The write reads the row from an event-fed copy of it, kept to break a call cycle (``design.read_cycles``).
    copied: bool = False
    #: The owner is a module of the writer's deployable: a call on it is in process, not a part that fails alone.
    in_process: bool = False


def created(use_cases: Iterable[UseCase]) -> set[str]:
    """The entities some request creates: the only ones whose owner publishes the event that adds an id to a copy.

    A copy of an owner's ids learns an id from the event of the write that made it (``table_feeds.feeding_use_cases``:
    a create of the row, or of its parent with it). An entity only ever updated (a profile's edits, its rows made by the
    sign-up the auth flow adds, which publishes nothing) gives a copy nothing to hold: it would refuse every id.
    """
    return {e for u in use_cases if u.kind == "create" for e in _made_by(u)}


def _made_by(use_case: UseCase) -> set[str]:
    """The entities whose rows ``use_case`` adds or takes (a create or delete of its own rows, or of the parts written with
    them), each an event a copy of ids follows (``table_feeds.feeding_use_cases``)."""
    if use_case.is_job or use_case.kind not in {"create", "delete"}:
        return set()
    return {use_case.entity, *use_case.children, *(e for e, _ in use_case.part_rows)}


def sync_calls(analysis: Analysis, owner: dict[str, str], copied: dict[tuple[str, str], str] | None = None, spec: Spec | None = None) -> dict[str, set[str]]:
    """Service -> services it calls synchronously for its use cases' fresh reads (those a call cycle leaves them: ``copied``),
    cross-service writes and, given the ``spec``, the calls a composed get makes for the rows it embeds
    (``embeds.called_owners``) and the graph reads no copy can serve (``_unfed_graph_owners``): a check calling back along
    any of them would close a cycle."""
    calls: dict[str, set[str]] = {}
    for use_case in analysis.use_cases:
        if use_case.entity not in owner:
            continue
        reads, writes = remote_access(use_case, owner, copied or {})
        called = called_owners(spec, analysis, use_case, owner) if spec is not None else {}
        graphs = _unfed_graph_owners(spec, analysis, use_case, owner) if spec is not None else set()
        calls.setdefault(owner[use_case.entity], set()).update({*reads, *writes, *called, *graphs})
    return calls


def _unfed_graph_owners(spec: Spec, analysis: Analysis, use_case: UseCase, owner: dict[str, str]) -> set[str]:
    """The owners a read filtered through their rows (a feed by the reader's follows, ``graph_reads``) must call: no use case
    writes those rows, so no event could keep a copy of them, and the call is decided before any check is."""
    if use_case.is_write:
        return set()
    home = owner[use_case.entity]
    return {
        owner[f.entity]
        for f in use_case.filters
        if f.join
        and f.entity in owner
        and owner[f.entity] != home
        and not changes_per_s(analysis.use_cases, f.entity)
        and not answered_by_set(spec, analysis, use_case, f.entity)
    }


def reaches(calls: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether ``start`` calls ``goal`` synchronously, directly or through other services."""
    seen, pending = set(), [start]
    while pending:
        service = pending.pop()
        if service == goal:
            return True
        if service not in seen:
            seen.add(service)
            pending += sorted(calls.get(service, ()))
    return False


def path_address(spec: Spec, target: str, parameter: str) -> str:
    """The column of ``target`` a path parameter names its row by: a public code or slug (``video_code``, ``short_code``), else its id.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"Video": {"key": "short_code", "fields": {"t": "string"}}}})
    >>> path_address(spec, "Video", "video_code"), path_address(spec, "Video", "video_id")
    ('code', 'id')
    """
    key = spec.entities[target].key if target in spec.entities else None
    return next((c for c in PUBLIC_KEY_COLUMNS.get(key or "", ()) if parameter == c or parameter.endswith(f"_{c}")), "id")


def _references(spec: Spec, op: Operation, sent: list[str]) -> list[tuple[str, str, str]]:
    """(field, 'path' or 'body', the column the request names the row by) for each reference field of the operation's entity the
    request sets (a create's path, a body) or scopes a read by (a read's path)."""
    assert op.entity is not None
    fields = spec.entities[op.entity].fields
    found: list[tuple[str, str, str]] = []
    for param in op.parameters:
        # an update, replace or action addresses an existing row by its path: that row's lookup answers 404, nothing is set
        if param.location != "path" or not param.spec_ref or op.kind not in {"create", "list", "get"}:
            continue
        entity, _, field = param.spec_ref.rpartition(".")
        if entity in {"", op.entity} and field in fields and fields[field].type.kind == "ref":
            found.append((field, "path", path_address(spec, fields[field].type.target or "", param.name)))
    if sent:
        pathed = {f for f, _, _ in found}
        found += [(f, "body", "id") for f, spec_field in fields.items() if spec_field.type.kind == "ref" and f"{f}_id" in sent and f not in pathed]
    return found


def _resolved(use_case: UseCase, op: Operation, field: str, entity: str, address: str, facts: _Facts) -> tuple[str, str] | None:
    """(check, reason) for a request whose path names the owner's row by its public code: the code is resolved to the id the rows
    are stored by (the module's fourth rule; a write's call checks the row too); None for any other reference.

    Why: netflix's list comments was addressed by ``/videos/{video_code}/comments`` while comments were stored, indexed and cached
    by ``video_id``, and nothing turned the code into an id.
    """
    if address == "id" or facts.copied:
        return None
    hop = "an in-process call" if facts.in_process else "a synchronous call"
    if facts.cycle:
        return "none", (
            f"not resolved: the path names the {entity} by its {address}, but {facts.owner} already calls this service synchronously, so "
            f"a call back to resolve it would close a cycle, and a copy of {entity} ids holds no {address}s"
        )
    # a write's call also proves the row exists; a copy of the owner's ids could do neither, holding no codes
    then = f"then reads by {field}_id" if op.kind in {"list", "get"} else f"which also checks it exists, then stores {field}_id"
    return CHECKED_BY_OWNER, (
        f"the path names the {entity} by its {address}, but the rows hold {field}_id: the request resolves the {address} to the id by {hop} "
        f"to {facts.owner}'s GET of the {entity} by {address} ({use_case.peak_qps:,.0f} calls/s at peak, counted in the requests "
        f"{facts.owner} serves), {then}; an unknown {address} answers 404"
    )


def _decide(spec: Spec, use_case: UseCase, op: Operation, field: str, where: str, facts: _Facts) -> tuple[str, str]:
    """(check, reason) for one reference, by the rule in the module's docstring."""
    assert op.entity is not None
    owner = facts.owner
    entity = spec.entities[op.entity].fields[field].type.target or ""
    refused = "404" if where == "path" else "422"
    named = {p.name for p in op.parameters if p.spec_ref == f"{op.entity}.{field}"}
    if (op.owner_only and caller_reference(spec, op.entity, use_case.caller) == field) or named & set(op.caller_params):
        return "token", f"the caller's own {entity}, taken from the access token: the token vouches for it, nothing is checked"
    if op.kind in {"list", "get"}:
        return "none", (
            f"not checked: a read writes nothing that could dangle, so an unknown {entity} id answers an empty page, not 404 "
            f"(a check would add {use_case.peak_qps:,.0f} reads/s at peak to {owner})"
        )
    if facts.copied:
        return "local copy", (
            f"the write reads the {entity} from the event-fed copy it keeps of {owner}'s rows (a synchronous read would close a call cycle): "
            f"that read checks it, about {RELAY_S:g} s behind {owner}; an unknown id answers {refused}"
        )
    if entity in remote_access(use_case, {e: owner if e == entity else "" for e in spec.entities})[0].get(owner, []):
        return CHECKED_BY_OWNER, (
            f"the write already reads the {entity} from {owner} within its request: that call checks it, counted in the requests {owner} serves; "
            f"an unknown id answers {refused}"
        )
    ref = spec.entities[op.entity].fields[field]
    peak = use_case.peak_qps * ref.set_share
    both = with_owner_in_path(facts.composite, in_process=facts.in_process)
    when = " when given (null is accepted)" if ref.is_nullable else ""
    share = f" ({ref.set_share:.0%} of {use_case.peak_qps:,.0f} requests/s carry one: its stated share)" if ref.set_share < 1 else ""
    rate = f"{peak:,.0f} checks/s at peak{share} {'>' if peak > LOCAL_COPY_FROM else '<='} {LOCAL_COPY_FROM:,.0f}"
    meets = owner_in_path_said("write", owner, facts.composite, facts.target, in_process=facts.in_process)
    part = "module" if facts.in_process else "service"
    checked_how = "an in-process existence check" if facts.in_process else "a synchronous existence check"
    writes = facts.feed * COPY_ROWS_PER_EVENT
    affordable = facts.fed and facts.feed < peak and writes <= COPY_WRITES_MAX
    feed = (
        f"a copy would follow {facts.feed:,.0f} ids/s at peak ({owner}'s creates and deletes of {entity}; "
        f"{'fewer' if facts.feed < peak else 'no fewer'} than the checks), {writes:,.0f} writes/s here "
        f"{'<=' if writes <= COPY_WRITES_MAX else '>'} {COPY_WRITES_MAX:,.0f}"
    )
    copy = (
        f"an event-fed local copy of {owner}'s {entity} ids in this {part}'s database, about {RELAY_S:g} s behind {owner} (the event relay's lag): "
        f"the check{when} is a local read"
    )
    if facts.cycle:
        if facts.fed and facts.feed < peak:
            return (
                "local copy",
                f"{copy} ({owner} already calls this {part} synchronously: a call back would close a cycle; {feed}); an unknown id answers {refused}",
            )
        return "none", (
            f"not checked{when}: {owner} already calls this {part} synchronously, so a call back would close a cycle"
            + (f", and {feed}" if facts.fed else f", and no use case creates {entity}, so no event could feed a copy of its ids")
            + f"; an unknown id is stored, and {owner}'s {entity} rows are the record of which ids exist"
        )
    if affordable and (both < facts.target or peak > LOCAL_COPY_FROM):
        return "local copy", f"{copy} ({rate}; {meets}; {feed}); an unknown id answers {refused}"
    unfed = "" if facts.fed else f"; no use case creates {entity}, so no event could feed a local copy of its ids"
    cheaper = f"; {feed}" if facts.fed and peak > LOCAL_COPY_FROM else ""
    return CHECKED_BY_OWNER, (
        f"{checked_how} on {owner} (its internal {'read' if facts.in_process else 'GET'} of the {entity}){when}, counted in the requests {owner} serves "
        f"({rate}; {meets}{cheaper}){unfed}; an unknown id answers {refused}"
    )


def check_requests(checks: Iterable[ReferenceCheck]) -> dict[str, dict[str, float]]:
    """Per owner, the requests/s its checks make: one call per id checked, each at its own rate.

    The owner's operation answering a check reads one row by its id (``GET /users/{user_id}``), so a request naming a
    follower and a followee calls it twice: the owner serves, and its database reads, one request per id, and an optional
    reference sent by some requests (an answer named by 20% of notifications) adds calls at its own share only.

    >>> c = ReferenceCheck(use_case="f", operation="follow", column="a_id", table="t", entity="U", owner="users", where="body",
    ...     check="query", peak=5, reason="")
    >>> check_requests([c, c.model_copy(update={"column": "b_id", "peak": 3})])
    {'users': {'check_follow': 8.0}}
    """
    found: dict[str, dict[str, float]] = {}
    for check in checks:
        if check.check == CHECKED_BY_OWNER and check.peak:
            calls = found.setdefault(check.owner, {})
            key = f"check_{check.operation}"
            calls[key] = calls.get(key, 0.0) + check.peak
    return found


def ids_checked(checks: Iterable[ReferenceCheck]) -> dict[tuple[str, str, str], tuple[int, float]]:
    """Per (use case, owner, entity), the ids one request checks by calling the owner and their calls/s at peak: one call each.

    Why: the rate limit a calling service gets on the owner's operation, the owner's requests and its database's reads all
    count the same calls (one per id), so none of them is sized for half the calls another counts.

    >>> c = ReferenceCheck(use_case="f", operation="follow", column="a_id", table="t", entity="U", owner="users", where="body",
    ...     check="query", peak=5, reason="")
    >>> ids_checked([c, c.model_copy(update={"column": "b_id"})])
    {('f', 'users', 'U'): (2, 10.0)}
    """
    found: dict[tuple[str, str, str], tuple[int, float]] = {}
    for check in checks:
        if check.check == CHECKED_BY_OWNER and check.peak:
            count, rate = found.get((check.use_case, check.owner, check.entity), (0, 0.0))
            found[(check.use_case, check.owner, check.entity)] = (count + 1, rate + check.peak)
    return found


def column_note(check: ReferenceCheck) -> str:
    """What the column's comment adds about who checks it.

    >>> column_note(ReferenceCheck(use_case="follow", operation="follow", column="followee_id", table="follows", entity="User",
    ...     owner="users", where="path", check="query", reason="r"))
    'follow checks it by a synchronous existence check on users'
    """
    if check.check == CHECKED_BY_OWNER and check.address != "id":
        return f"{check.use_case} finds it by resolving the {check.entity}'s {check.address} in its path with a synchronous call to {check.owner}"
    how = {
        "token": "is the caller's id from the access token (not checked)",
        "query": f"checks it by a synchronous existence check on {check.owner}",
        "local copy": f"checks it against an event-fed local copy of {check.owner}'s {check.entity} ids",
        "none": "reads by it unchecked (an unknown id: an empty page)",
        "member": "checks it by the caller's membership of it (an unknown id: refused)",
    }[check.check]
    return f"{check.use_case} {how}"


def with_check_notes(stores: list[Datastore], checks: list[ReferenceCheck]) -> list[Datastore]:
    """The datastores with each checked column's comment saying who checks it."""
    notes: dict[tuple[str, str], list[str]] = {}
    for check in checks:
        notes.setdefault((check.table, check.column), []).append(column_note(check))
    if not notes:
        return stores

    def noted(table: Table) -> Table:
        columns: list[Column] = []
        for column in table.columns:
            said = notes.get((table.name, column.name))
            if said:
                column = column.model_copy(update={"comment": "; ".join([*filter(None, [column.comment]), *said])})
            columns.append(column)
        return table.model_copy(update={"columns": columns})

    return [s.model_copy(update={"tables": [noted(t) for t in s.tables]}) for s in stores]


def check_decision(checks: list[ReferenceCheck], spec: Spec) -> Decision | None:
    """The record of how every reference to another service's row is checked (none: no such reference)."""
    if not checks:
        return None
    target, composite = availabilities(spec)
    lines = [f"{c.use_case} {c.table}.{c.column} -> {c.entity} of {c.owner} ({c.where}): {c.check}" for c in checks]
    inputs = {"availability_target": target, "service_availability": composite, "local_copy_from": LOCAL_COPY_FROM}
    inputs |= {f"peak_{c.operation}_{c.column}": c.peak for c in checks if c.peak}
    return Decision(
        id="reference-checks",
        title="References to rows other services own: how each is checked",
        area="communication",
        choice="; ".join(lines),
        context="No foreign key holds across services: a request naming another service's row is checked by the application or not at all.",
        rationale=" ".join(f"{c.use_case} ({c.column}): {c.reason}." for c in checks),
        consequences=(
            "A synchronous check puts the owner in the write's path (its availability and latency) and counts in its requests; "
            "a local copy holds the owner's ids in the writer's database and trails them by the relay's lag; an unchecked read answers "
            "an empty page for an unknown id. The scaffold does not generate the checks: the implementer adds them as decided here."
        ),
        subject="system",
        inputs=inputs,
        alternatives=[
            Alternative(name="a synchronous check on every reference", why_not="puts each owner in its writers' paths: their availabilities multiply"),
            Alternative(name="a local copy of every referenced id", why_not="needs the owner's events (none where nobody writes it) and trails the owner"),
            Alternative(name="no check on writes", why_not="a mistyped id is stored and dangles until someone notices"),
        ],
    )


__all__ = [
    "CHECKED_BY_OWNER",
    "COPY_WRITES_MAX",
    "LOCAL_COPY_FROM",
    "availabilities",
    "check_decision",
    "check_requests",
    "checked_flow",
    "column_note",
    "copy_table_name",
    "ids_checked",
    "path_address",
    "reaches",
    "reference_checks",
    "sync_calls",
    "with_check_notes",
    "with_local_copies",
]


def checked_flow(flow: Flow, home: str, checks: list[ReferenceCheck], *, in_process: bool = False) -> Flow:
    """The use case's flow with each check it makes: a query to the owner (an in-process call to its module, ``in_process``), or
    the owner's events feeding the local copy."""
    mine = [c for c in checks if c.use_case == flow.use_case and c.check in {CHECKED_BY_OWNER, "local copy"}]
    if not mine:
        return flow
    steps = list(flow.steps)
    said = []
    # one hop per owner, one call per id it checks: the owner's operation reads one row by its id (``check_requests``)
    for owner in dict.fromkeys(c.owner for c in mine if c.check == CHECKED_BY_OWNER):
        named = [c for c in mine if c.check == CHECKED_BY_OWNER and c.owner == owner]
        what = ", ".join(f"the {c.entity} named by {c.column}" for c in named if c.address == "id")
        # a read naming the row by its code asks the owner for the id its rows are stored by, before it reads them
        found = ", ".join(f"the id of the {c.entity} whose {c.address} its path names" for c in named if c.address != "id")
        each = "" if len(named) == 1 else f", {call_each(in_process)}"
        verb = " and ".join(filter(None, [f"checks {what}" if what else "", f"finds {found}" if found else ""]))
        if any(s.kind == "query" and s.target == owner for s in steps):
            said.append(f"the query to {owner} also {verb.replace(' and ', ' and also ')}{each}")
            continue
        exist = f"check {what} exist{'s' if len(what.split(', ')) == 1 else ''}" if what else ""
        task = " and ".join(filter(None, [exist, f"resolve {found}" if found else ""]))
        steps.append(FlowStep(source=home, target=owner, kind="query", description=f"{task}{each}"))
        said.append(f"{verb} by {call_said(in_process, len(named))} to {owner}")
    for check in (c for c in mine if c.check == "local copy"):
        steps.append(FlowStep(source=check.owner, target=home, kind="event", description=f"{check.entity} changes keep a local copy of its ids current"))
        said.append(
            f"checks the {check.entity} named by {check.column} against {check.owner}'s ids in an event-fed local copy, "
            f"about {RELAY_S:g} s behind its owner (the event relay's lag)"
        )
    style = "sync" if flow.style == "local" and any(c.check == CHECKED_BY_OWNER for c in mine) else flow.style
    return flow.model_copy(update={"steps": steps, "style": style, "rationale": f"{flow.rationale}; {'; '.join(said)}"})


def copy_table_name(entity: str) -> str:
    """The writer's table holding its local copy of another service's ids.

    >>> copy_table_name("Product")
    'known_products'
    """
    return f"known_{table_name(entity)}"


def with_local_copies(stores: list[Datastore], checks: list[ReferenceCheck]) -> list[Datastore]:
    """The datastores with, in each writer's database, the table of ids its local-copy checks read: one per referenced entity."""
    copies = [c for c in checks if c.check == "local copy"]
    if not copies:
        return stores
    tables = {t.name: t for s in stores for t in s.tables}
    home = {t.name: s.name for s in stores for t in s.tables}
    added: dict[str, list[Table]] = {}
    for check in copies:
        referenced = tables[table_name(check.entity)]
        name = copy_table_name(check.entity)
        if any(t.name == name for t in added.get(home[check.table], [])):
            continue
        key = next(c for c in referenced.columns if c.name == referenced.primary_key[0])
        readers = sorted({c.use_case for c in copies if c.entity == check.entity and home[c.table] == home[check.table]})
        added.setdefault(home[check.table], []).append(
            Table(
                name=name,
                comment=f"local copy of {check.owner}'s {check.entity} ids, fed by its {check.entity} events "
                f"about {RELAY_S:g} s behind it (the event relay's lag): the {check.entity} references {', '.join(readers)} writes are checked here",
                columns=[
                    key.model_copy(update={"comment": f"id of a {check.entity} {check.owner} holds", "generated": False, "default": None, "identity": False})
                ],
                primary_key=[key.name],
                key_strategy="composite",
                key_reason=f"the ids {check.owner} gives its {check.entity} rows",
                rows_now=referenced.rows_now,
                rows_per_day=referenced.rows_per_day,
                # an id the owner no longer keeps names nothing: the copy keeps the ids as long as the owner keeps their rows
                retention_days=referenced.retention_days,
            )
        )
    return [s.model_copy(update={"tables": [*s.tables, *added.get(s.name, [])]}) for s in stores]
