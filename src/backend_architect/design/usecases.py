"""Read-only helpers over analysed use cases: who they touch, grouped, and what they need from other services."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from backend_architect.design.analysis import UseCase


def remote_access(use_case: UseCase, owner: dict[str, str], copied: Collection[tuple[str, str]] = ()) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """What a use case needs from services other than its own, synchronously.

    Returns (reads, writes), each service -> entities. Stale-tolerant reads (eventual
    consistency, no cross-service write) and a batch job's reads are served from event-fed
    local copies, so they need no call and are left out; so are ``copied``'s (use case, entity)
    reads, which would close a call cycle (``design.read_cycles``).
    """
    home = owner[use_case.entity]
    writes: dict[str, list[str]] = {}
    # a read's side writes (a search logging its query) go out as an event, never as a synchronous write
    for entity in use_case.writes if use_case.is_write else ():
        if owner[entity] != home and entity not in applied_values(use_case, owner):
            writes.setdefault(owner[entity], []).append(entity)
    reads: dict[str, list[str]] = {}
    # a batch job reads other services' data from its event-fed copy, never their public API row by row
    if (use_case.spec.consistency == "strong" or writes) and not use_case.is_job:
        searched = found_by_search(use_case)
        for entity in use_case.reads:
            if owner[entity] != home and (use_case.name, entity) not in copied and entity != searched:
                reads.setdefault(owner[entity], []).append(entity)
    return reads, writes


def applied_values(use_case: UseCase, owner: dict[str, str]) -> dict[str, list[str]]:
    """Entity -> the kept values of another service's rows ``use_case`` moves (``UseCase.kept_values``: a vote's
    ``Recipe.score``), where the write names nothing else of that entity.

    Why: a derived value is not a step of the write that must succeed with it (a saga's call, compensated on failure):
    its owner applies it from the write's event, as the one consumer that writes its rows, counted and deduplicated like
    any consumer's writes, and it trails the write by the relay's lag. Where the rows share a service (the boundaries put
    what one transaction writes together), the write moves it in its own transaction instead; two modules on one database
    still own their tables apart, so the owner's consumer applies it there too.
    """
    home = owner.get(use_case.entity, "")
    named = {w.partition(".")[0]: w for w in use_case.spec.writes}
    found: dict[str, list[str]] = {}
    for value in use_case.kept_values:
        entity = value.partition(".")[0]
        others = [w for w in use_case.spec.writes if w.partition(".")[0] == entity and w not in use_case.kept_values]
        if owner.get(entity, home) != home and entity in named and not others:
            found.setdefault(entity, []).append(value)
    return found


def found_by_search(use_case: UseCase) -> str | None:
    """The entity whose rows the use case finds by its proximity query (``near: Driver.location``), if any.

    Why: a read reaches another service's row by what the request holds. Rows found near a point are found by
    that search (PAT021 draws it: GEOSEARCH on the set positions are written to, or the geohash cells), never
    by a call for one row by id: the request names no id to call with ("estimate fare" sends a pickup point).
    """
    near = use_case.spec.near or ""
    entity, dot, _ = near.partition(".")
    return entity if dot and entity in use_case.reads else None


def unfed_reads(use_case: UseCase, owner: dict[str, str], fed: Collection[str]) -> set[str]:
    """The services whose rows ``use_case`` reads though no use case writes them (``fed``: the entities some use case writes):
    no event could keep a copy of them current, so they are queried. A batch job keeps its copy by bulk loads instead."""
    if use_case.is_job:
        return set()
    home = owner[use_case.entity]
    searched = found_by_search(use_case)
    return {owner[e] for e in use_case.reads if owner[e] != home and e not in fed and e != searched}


def by_entity(use_cases: Iterable[UseCase]) -> dict[str, list[UseCase]]:
    """Use cases grouped by every entity they read or write, in spec order."""
    groups: dict[str, list[UseCase]] = {}
    for use_case in use_cases:
        for entity in use_case.entities:
            groups.setdefault(entity, []).append(use_case)
    return groups


def by_primary(use_cases: Iterable[UseCase]) -> dict[str, list[UseCase]]:
    """Use cases grouped by their main entity, in spec order."""
    groups: dict[str, list[UseCase]] = {}
    for use_case in use_cases:
        groups.setdefault(use_case.entity, []).append(use_case)
    return groups
