"""Stage 3: a contract-first REST API per service, from what each use case means.

Each use case becomes the operation its analysed kind and flow say (never its verb alone):
reads get one operation each on a path that says which read it is (``paths``, ``reads``),
with every filter, sort and search as a parameter (``parameters``); writes send exactly
the fields they write, never a server-owned one (``schemas``, ``design.ownership``);
authentication and relationships have their own shapes (``flows``). Lists are
cursor-paginated, creates are idempotent through ``Idempotency-Key``, updates of racing
entities are conditional on ``If-Match``; examples are generated here so the IR carries them.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.api.callers import with_callers_named
from backend_architect.design.api.flows import AUTH_FLOWS, LINK_FLOWS, add_flow
from backend_architect.design.api.internal_lists import add_list_for_consumer
from backend_architect.design.api.learnable import add_lists_for_sent_ids
from backend_architect.design.api.operations import STATE_METHODS, ServiceApi
from backend_architect.design.api.parameters import OFFSET_MAX_ROWS
from backend_architect.design.api.paths import API_VERSION, Resources, collection, id_param
from backend_architect.design.api.personal_views import withhold_personal
from backend_architect.design.callee_operations import call_needs
from backend_architect.design.examples import EXAMPLE_TIME
from backend_architect.design.link_once import with_link_once_said
from backend_architect.design.member_copies import decide_copies, with_member_copies
from backend_architect.design.member_writes import member_write
from backend_architect.design.membership import membership_checks
from backend_architect.design.reference_checks import check_decision, reference_checks, with_check_notes, with_local_copies
from backend_architect.design.usecases import by_primary
from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import DEFAULT_PAGE_LIMIT, DEFAULT_PAGE_MAX, Spec

DEFAULT_PAGE_SIZE = DEFAULT_PAGE_LIMIT
#: The reason of a reference check the caller's membership makes: a membership row names an existing scope.
MEMBER_FINDS_IT = (
    "checked by the caller's membership: the probe of the membership's unique index finds it, so an unknown id, "
    "like one the caller is not a member of, is refused (see the membership rules)"
)
MAX_PAGE_SIZE = DEFAULT_PAGE_MAX


def derive_api(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """An ``Api`` per service with schemas, operations, scopes and examples."""
    # a job and a reaction (``after``) are made by the server itself: no client may call them, so no contract has them
    grouped = by_primary([u for u in analysis.use_cases if u.kind != "job" and not u.is_reaction])
    owner = {entity: s.name for s in arch.services for entity in s.entities}
    tables = {t.entity: t for store in arch.datastores for t in store.tables if t.entity}
    built: dict[str, ServiceApi] = {}
    for service in arch.services:
        mine = sorted((u for entity in service.entities for u in grouped.get(entity, ())), key=lambda u: (_reshaped(u), u.index))
        api = ServiceApi(Resources(spec, analysis, owner, tables, service.name))
        for use_case in mine:
            if use_case.flow in AUTH_FLOWS | LINK_FLOWS:
                add_flow(api, use_case)
            elif use_case.kind in {"list", "get"}:
                api.add_read(use_case)
            else:
                api.add_write(use_case)
        api.add_missing_gets()
        add_lists_for_sent_ids(api)
        built[service.name] = api
    bodies = {name: [p.name for p in schema.properties] for api in built.values() for name, schema in api.schemas.schemas.items()}
    operations = [(name, op) for name, api in built.items() for op in api.operations.values()]
    service_of = {op.operation_id: name for name, op in operations}
    in_process = one_deployable(arch)
    members = decide_copies(spec, analysis, owner, membership_checks(spec, analysis, owner, operations, bodies), service_of, in_process=in_process)
    probed = {(m.operation, m.column) for m in members}
    member_calls = [(service_of[m.operation], m.service) for m in members if m.check == "query" and m.operation in service_of]
    checks = [
        c.model_copy(update={"check": "member", "peak": 0.0, "reason": MEMBER_FINDS_IT}) if (c.operation, c.column) in probed else c
        for c in reference_checks(spec, analysis, owner, operations, bodies, member_calls, in_process=in_process)
    ]
    for member in members:
        home = next(name for name, api in built.items() if any(op.operation_id == member.operation for op in api.operations.values()))
        built[home].apply_membership(member)
    for check in checks:
        home = next(name for name, api in built.items() if any(op.operation_id == check.operation for op in api.operations.values()))
        built[home].apply_check(check)
    # a write adding a member is the door to every members-only check: who may add whom, in which role, up to which size
    by_name = {u.name: u for u in analysis.use_cases}
    # a membership guards something when a check reads other rows by it, or the scope's roll of members (a read-back of
    # one's own membership row guards nothing)
    shape = {op.operation_id: (op.entity, op.kind) for _name, op in operations}
    gated = {m.members for m in members if shape.get(m.operation, (None, None))[0] != m.members or shape[m.operation][1] == "list"}
    writes = [
        rule
        for name, op in operations
        if op.use_cases and op.kind == "create" and op.use_cases[0] in by_name and op.auth != "none"
        for rule in [member_write(spec, by_name[op.use_cases[0]], op.operation_id, gated)]
        if rule is not None
    ]
    for rule in writes:
        built[service_of[rule.operation]].apply_member_write(rule)
    # every synchronous step another service will make of this one calls an operation of its contract (design.callee_operations)
    readers = {u.name: u for u in analysis.use_cases}
    for need in call_needs(spec, analysis, arch, checks, members):
        if need.mode == "list":
            add_list_for_consumer(built[need.callee], need.consumer, readers[need.use_case], need.entity)
        else:
            built[need.callee].add_for_consumer(need.consumer, need.entity, need.mode)
    # callers are added one need at a time, so the sentence naming them is written once all are known
    for api in built.values():
        withhold_personal(api)
        api.operations = {key: with_callers_named(op) for key, op in api.operations.items()}
    apis = []
    for service in arch.services:
        api = built[service.name]
        if not api.operations:
            continue
        apis.append(api.build(f"{spec.system} {service.name.replace('-', ' ').title()} API", API_VERSION))
    decision = check_decision(checks, spec)
    # the link's unique pair says what repeating its create answers, read from the operation just decided
    return with_link_once_said(
        arch.model_copy(
            update={
                "apis": apis,
                "reference_checks": checks,
                "membership_checks": members,
                "member_writes": writes,
                "datastores": with_member_copies(with_local_copies(with_check_notes(arch.datastores, checks), checks), members, service_of),
                "decisions": [*arch.decisions, *([decision] if decision else [])],
            }
        )
    )


def _reshaped(use_case: UseCase) -> bool:
    """A read answering something other than its rows (a graph walk, a ranking, a series): routed after the plain reads,
    so the plain ones keep the resource's own paths and the patterns give these paths of their own (``/path``, ``/top``)."""
    spec = use_case.spec
    return spec.traverse is not None or spec.top is not None or spec.series is not None


__all__ = [
    "API_VERSION",
    "DEFAULT_PAGE_SIZE",
    "EXAMPLE_TIME",
    "MAX_PAGE_SIZE",
    "OFFSET_MAX_ROWS",
    "STATE_METHODS",
    "collection",
    "derive_api",
    "id_param",
]
