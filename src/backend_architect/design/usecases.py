"""What each use case means for the design: its kind, main entity and rate.

Pure reading of the spec shared by several stages, so they agree on every use case.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.spec.check import primary_entity
from backend_architect.spec.model import Spec, UseCaseKind, UseCaseSpec, slug
from backend_architect.spec.naming import resolve_column

#: Used when the spec gives no peak factor: a common diurnal peak-to-average ratio
#: for consumer traffic (Google SRE workbook puts typical daily peaks at 2-4x mean).
DEFAULT_PEAK_FACTOR = 3.0

CREATE_VERBS = frozenset(
    "create add place register post submit send upload record ingest write book sign enroll invite log report subscribe import start".split()
)
UPDATE_VERBS = frozenset("update edit change modify rename set move rate adjust correct configure".split())
REPLACE_VERBS = frozenset(["replace", "overwrite"])
DELETE_VERBS = frozenset(["delete", "remove", "unsubscribe", "purge"])
GET_VERBS = frozenset(["get", "view", "show", "read", "fetch", "see", "display", "lookup", "open", "inspect", "download", "check"])


@dataclass(frozen=True)
class UseCase:
    """A use case with what the design derives from it."""

    spec: UseCaseSpec
    index: int
    id: str
    kind: UseCaseKind
    entity: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    written_columns: tuple[str, ...]
    action: str | None
    avg_qps: float
    peak_qps: float

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_write(self) -> bool:
        return self.kind in {"create", "update", "replace", "delete", "action"}

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.writes, *self.reads)))


def peak_factor(spec: Spec) -> float:
    return spec.scale.peak_factor or DEFAULT_PEAK_FACTOR


def infer_kind(use_case: UseCaseSpec) -> UseCaseKind:
    """The kind of a use case: given, or read from its verb and what it touches.

    >>> infer_kind(UseCaseSpec(name="cancel order", writes=["Order.status"]))
    'action'
    >>> infer_kind(UseCaseSpec(name="browse books", reads=["Book"]))
    'list'
    """
    if use_case.kind:
        return use_case.kind
    if use_case.schedule:
        return "job"
    verb = use_case.name.split()[0].lower()
    if use_case.writes:
        for verbs, kind in ((CREATE_VERBS, "create"), (UPDATE_VERBS, "update"), (REPLACE_VERBS, "replace"), (DELETE_VERBS, "delete")):
            if verb in verbs:
                return kind  # type: ignore[return-value]
        return "action" if any("." in w for w in use_case.writes) else "create"
    if use_case.filter or use_case.sort or use_case.search or use_case.page in {"cursor", "offset"}:
        return "list"
    if verb in GET_VERBS:
        return "get"
    return "list"


def _action_name(use_case: UseCaseSpec, kind: str) -> str | None:
    if kind != "action":
        return None
    return slug(use_case.name.split()[0]) or "run"


def remote_access(use_case: UseCase, owner: dict[str, str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """What a use case needs from services other than its own, synchronously.

    Returns (reads, writes), each service -> entities. Stale-tolerant reads (eventual
    consistency, no cross-service write) are served from event-fed local copies, so they
    need no call and are left out.
    """
    home = owner[use_case.entity]
    writes: dict[str, list[str]] = {}
    for entity in use_case.writes:
        if owner[entity] != home:
            writes.setdefault(owner[entity], []).append(entity)
    reads: dict[str, list[str]] = {}
    if use_case.spec.consistency == "strong" or writes:
        for entity in use_case.reads:
            if owner[entity] != home:
                reads.setdefault(owner[entity], []).append(entity)
    return reads, writes


def by_entity(use_cases: tuple[UseCase, ...]) -> dict[str, list[UseCase]]:
    """Use cases grouped by every entity they read or write, in spec order."""
    groups: dict[str, list[UseCase]] = {}
    for use_case in use_cases:
        for entity in use_case.entities:
            groups.setdefault(entity, []).append(use_case)
    return groups


def by_primary(use_cases: tuple[UseCase, ...] | list[UseCase]) -> dict[str, list[UseCase]]:
    """Use cases grouped by their main entity, in spec order."""
    groups: dict[str, list[UseCase]] = {}
    for use_case in use_cases:
        groups.setdefault(use_case.entity, []).append(use_case)
    return groups


_RECENT: dict[int, tuple[Spec, tuple[UseCase, ...]]] = {}
_RECENT_MAX = 8


def analyse(spec: Spec) -> tuple[UseCase, ...]:
    """Every use case of ``spec`` with its derived kind, entity and rates.

    Stages call this repeatedly for one frozen spec, so the last few answers are kept
    (keyed by identity: the spec holds lists and cannot be hashed).
    """
    hit = _RECENT.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    result = _analyse(spec)
    if len(_RECENT) >= _RECENT_MAX:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[id(spec)] = (spec, result)
    return result


def _analyse(spec: Spec) -> tuple[UseCase, ...]:
    factor = peak_factor(spec)
    result = []
    for index, use_case in enumerate(spec.use_cases):
        kind = infer_kind(use_case)
        entity = primary_entity(use_case) or ""
        writes = tuple(dict.fromkeys(w.split(".", 1)[0] for w in use_case.writes))
        reads = tuple(dict.fromkeys(r.split(".", 1)[0] for r in use_case.reads))
        written = tuple(
            column for w in use_case.writes if w.startswith(entity + ".") for column in [resolve_column(spec, entity, w.split(".", 1)[1])] if column
        )
        given = use_case.rate.per_second if use_case.rate else 0.0
        if spec.scale.rates == "peak":
            peak, avg = given, given / factor
        else:
            avg, peak = given, given * factor
        result.append(UseCase(use_case, index, slug(use_case.name), kind, entity, reads, writes, written, _action_name(use_case, kind), avg, peak))
    return tuple(result)
