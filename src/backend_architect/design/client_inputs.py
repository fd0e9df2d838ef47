"""Who supplies each value of a write: the client asks only for what the client decides.

A create contract that asks the customer requesting a ride for the driver who will accept it, or for
the ride offers the server makes to the nearby drivers, lets a client write what someone else decides;
a contract refusing the system's notification for a user "because you may only create what you own"
refuses the one write that exists. Three rules, each over the spec as written:

1. A field someone else decides is not the create's input: a nullable or defaulted field that only use
   cases of other actors write by name (a trip's driver and fare, set when the driver accepts and ends
   it; a notification's read flag, set by its recipient), and the create does not name itself. The
   person the row is (a profile's bio, written by its user) decides for the row they sign up with.
2. Parts the server picks by its own query are not client inputs: a part of the create that refers to
   the rows its proximity query finds (``near``: one ride offer for each nearby driver) is made by the
   server, one per row found.
3. A write the system, a worker, a job, a reaction (``after``) or an external system makes acts for other users: it stores the
   owner its body names (the recipient of a notification), so it never carries the "you may only
   create what you own" refusal a person's create of owned rows does.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.callbacks import signing_system
from backend_architect.design.ownership import server_owned
from backend_architect.spec.model import Spec

#: Actors that are the backend itself, never a person holding a token for their own rows.
MACHINE_ACTORS = frozenset({"system", "worker", "workers", "scheduler", "service", "backend", "server", "cron", "job"})


def decided_by_others(spec: Spec, analysis: Analysis, use_case: UseCase) -> dict[str, tuple[str, ...]]:
    """Fields of the create's entity that another actor decides later (rule 1), in field order, each with the use cases deciding it.

    Why: a value the client cannot know at create time (the driver who will accept) taken from its body is
    either invented or trusted from the wrong party; left out, the row starts null (or at its default)
    until the deciding write sets it.
    """
    entity = use_case.entity
    body = spec.entities.get(entity)
    if body is None or use_case.kind not in {"create", "replace"}:
        return {}
    named = {w.split(".", 1)[1] for w in use_case.spec.writes if w.startswith(entity + ".")}
    found: dict[str, tuple[str, ...]] = {}
    for name, field in body.fields.items():
        if name in named or not (field.is_nullable or field.default is not None) or server_owned(spec, analysis, entity, name):
            continue  # what the server sets is never a client's (``design.ownership``): said once, there
        # the person the row is decides its own fields, also on the row they sign up with
        writers = [u for u in analysis.field_writers.get(f"{entity}.{name}", ()) if u.caller != entity]
        if writers and all(u.spec.actor != use_case.spec.actor for u in writers):
            found[name] = tuple(u.name for u in writers)
    return found


def server_picked_parts(spec: Spec, use_case: UseCase) -> tuple[str, ...]:
    """Parts of the create its proximity query picks (rule 2): they refer to the rows ``near`` finds, or to what those rows refer to.

    Why: the rows the server finds are known only on the server (a GEOSEARCH of live positions); a body
    naming them would let the client choose whom a ride is offered to.
    """
    found_entity = (use_case.spec.near or "").partition(".")[0]
    found = spec.entities.get(found_entity)
    if found is None:
        return ()
    # the drivers of the cabs found are picked as surely as the cabs are
    targets = {found_entity} | {f.type.target for f in found.fields.values() if f.type.kind == "ref" and f.type.target}
    return tuple(
        child
        for child in use_case.children
        if child in spec.entities and any(f.type.kind == "ref" and f.type.target in targets for f in spec.entities[child].fields.values())
    )


def acts_for_others(spec: Spec, use_case: UseCase) -> bool:
    """Whether the write is made by the system, a worker, a job or an external system for other users' rows (rule 3).

    >>> from backend_architect.design.analysis import analyse
    >>> s = Spec.model_validate({"system": "s", "entities": {"User": {}, "Note": {"fields": {"to": "ref(User)"}}},
    ...     "use_cases": [{"name": "send note", "actor": "system", "writes": ["Note"]}, {"name": "write note", "writes": ["Note"]}]})
    >>> [acts_for_others(s, u) for u in analyse(s).use_cases]
    [True, False]
    """
    actor = use_case.spec.actor
    # an external system calls under its own name, its kind or a webhook's (design.callbacks), as its signature is checked
    return use_case.is_job or use_case.is_reaction or actor.lower() in MACHINE_ACTORS or signing_system(spec, actor) is not None


__all__ = ["MACHINE_ACTORS", "acts_for_others", "decided_by_others", "server_picked_parts"]
