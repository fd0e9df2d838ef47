"""Whom a real-time delivery reaches when no key scopes it: every connected subscriber, or a subset each write chooses.

One audience, one channel, one size. A channel with no key (``partner/tweets``) sends each message
to every client subscribed to it, so its recipients per message are those clients online, whatever
``avg_fanout`` says. An audience chosen per message (the nearby drivers, the author's followers, a
recipient list) is addressed per recipient (``drivers/{driver_id}/trips``), described and sized as
that subset, and the write's flow draws the query that chooses it. A write chooses a subset when:

1. its proximity query (``near``) finds rows of the recipients' entity, or rows referring to it (the
   drivers of the cabs found): ``avg_fanout`` of them a message, else the k nearest where the query has no
   radius (``COUNT k``, its radius widening until k are found: ``_widening``), else the points within the
   radius (pi r² x density, the proximity plan's figure);
2. its ``avg_fanout`` counts the followers a feed fans the row out to (followers per author), and the
   recipients are those followers' entity;
3. its ``avg_fanout`` counts nobody else and is fewer than the recipients' clients online: a
   recipient list the write names.

``avg_fanout`` that counts another audience (a feed's followers, while a partner reads the whole
stream) sizes that audience, never this channel: :func:`counted_elsewhere` says which.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.patterns._common import fmt, owner_of, table_of, writers
from backend_architect.design.patterns.feed import fan_in_filter
from backend_architect.design.patterns.geo import picked, plan_search, search_key
from backend_architect.ir.model import Architecture, FlowStep
from backend_architect.spec.model import Spec


@dataclass(frozen=True)
class Chosen:
    """The subset of ``entity``'s clients one message goes to: how many, in words, and the proximity query choosing them."""

    count: float
    basis: str
    #: ``Entity.field`` of the proximity query that picks the recipients (drawn in the write's flow), if one does.
    near: str | None = None


def counted_elsewhere(spec: Spec, analysis: Analysis, use_case: UseCase) -> str | None:
    """The entity whose rows ``avg_fanout`` counts when a feed fans the written row out to them (followers per author), if any."""
    if not use_case.spec.avg_fanout or use_case not in writers(analysis, use_case.entity):
        return None
    for reader in analysis.use_cases:
        ref = fan_in_filter(spec, reader) if reader.kind == "list" and reader.entity == use_case.entity else None
        if ref is None:
            continue
        field = spec.entities[ref.entity].fields.get(ref.field)
        return field.type.target if field is not None and field.type.target else ref.entity
    return None


def _nearby(spec: Spec, analysis: Analysis, use_case: UseCase, entity: str) -> Chosen | None:
    """Rule 1: the write's proximity query finds ``entity`` rows, or rows referring to one (a cab and its driver)."""
    near = use_case.spec.near
    found = (near or "").split(".")[0]
    body = spec.entities.get(found)
    if not near or body is None:
        return None
    via = next((n for n, f in body.fields.items() if f.type.kind == "ref" and f.type.target == entity), None)
    if found != entity and via is None:
        return None
    search = plan_search(spec, analysis, use_case)
    each = f"each {entity}" if found == entity else f"the {entity} of each {found} ({found}.{via})"
    steps = search.widening
    where = f"within {search.radius_km:g} km" if steps is None else f"the {steps.k} nearest"
    if use_case.spec.avg_fanout:
        count, how = use_case.spec.avg_fanout, "avg_fanout"
    elif steps is not None:
        # COUNT k with a widening radius: k a message, not the mean within the first radius
        count, how = float(steps.k), f"COUNT {steps.k}, {steps.said()}"
    else:
        count, how = search.within, "pi r² x density of the points within the radius"
    return Chosen(count, f"to: nearby {entity}s, {each} the proximity query finds (near: {near}, {where}; {how})", near)


def chosen(spec: Spec, analysis: Analysis, use_case: UseCase, entity: str | None, clients: float) -> Chosen | None:
    """The subset of ``entity``'s ``clients`` each of ``use_case``'s messages goes to (the module's rules), or None: every one of them."""
    if entity is not None and (found := _nearby(spec, analysis, use_case, entity)) is not None:
        return found
    fanout = use_case.spec.avg_fanout
    if not fanout:
        return None
    counted = counted_elsewhere(spec, analysis, use_case)
    if counted is not None:
        return Chosen(fanout, f"to: the author's followers ({counted} rows, avg_fanout)") if counted == entity else None
    if fanout < clients:
        return Chosen(fanout, f"to: the recipients each write names (avg_fanout, of {fmt(clients)} online)")
    return None


def ignored_fanout(spec: Spec, analysis: Analysis, use_case: UseCase) -> str:
    """Why a whole stream's size is not ``avg_fanout``: the audience it counts instead (empty when the write states none)."""
    fanout = use_case.spec.avg_fanout
    if not fanout:
        return ""
    counted = counted_elsewhere(spec, analysis, use_case)
    whom = f"the {counted} followers its feed fans each row out to" if counted else "recipients a write names, more than are online"
    return f"; avg_fanout ({fmt(fanout)}) counts {whom}, not this stream"


def choosing_step(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, home: str, count: float) -> FlowStep | None:
    """The step of ``use_case``'s flow that picks its recipients: its proximity search, where its decision (PAT021) put it.

    Points in a Redis GEO set are searched with GEOSEARCH; otherwise the geohash cells of the points' table, in the service that
    owns them (a query to it when that is another service, a query of its own database when it is the write's).
    """
    made = next((d for d in arch.decisions if d.id == f"geo.{use_case.id}"), None)
    if not use_case.spec.near or made is None:
        return None
    search = plan_search(spec, analysis, use_case)
    found = table_of(arch, search.entity)
    if found is None:
        return None
    whom = f"the {fmt(count)} recipient(s) of its message"
    if made.choice.startswith("Redis GEO"):
        # the set the decision searches (its filter's value where it names one), not every set merged
        key = search_key(spec, use_case, search.entity, search.field)
        k = picked(use_case)
        widens = f", {search.widening.said()}" if search.widening else ""
        how = f"GEOSEARCH {key} FROMLONLAT lon lat BYRADIUS {search.radius_km:g} km ASC{f' COUNT {k}' if k else ''}{widens}: {whom} (PAT021)"
        return FlowStep(source=home, target="redis", kind="query", description=how)
    reach = f"the {search.widening.k} nearest, {search.widening.said()}" if search.widening else f"within {search.radius_km:g} km"
    how = f"read the {search.entity} rows near the point (geohash cells of {found[1].name}, {reach}): {whom} (PAT021)"
    return FlowStep(source=home, target=owner_of(arch, search.entity), kind="query", description=how)


__all__ = ["Chosen", "choosing_step", "chosen", "counted_elsewhere", "ignored_fanout"]
