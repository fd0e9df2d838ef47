"""Who is online at peak, per actor: the one audience model every stage reads.

Rate limits divide an actor's requests by its clients online; real-time deliveries reach the
share of recipients online and push the rest as notifications; the gateway holds the connected
actors' clients; presence counts the people online; rate-limit buckets take one per client.
Each reads the same :class:`Audience`, so no two stages count the same clients differently.

An actor's clients online at peak are, in order:

1. ``deliver.subscribers`` stated on a use case the actor subscribes with (a stream's consumers), or
   on a write delivered to the actor (``to: partner``);
   a periodic use case's (``every``) peak rate x its interval: each online client does it once an
   interval (drivers reporting their location every 4 s), at most the actor's rows;
2. its share of what a stated ``scale.concurrent_connections`` (else ``concurrent_users``) leaves
   after those: the total is split between the actors that hold connections (those who receive real-time
   deliveries; the people when nothing is delivered) in proportion to their peak requests, so
   every connected client is assumed to send at the same rate (equally when one sends nothing),
   never more than the actor's rows;
3. otherwise an estimate listed under Assumptions: machines (an entity with no personal data,
   such as Device) are all online; an external system is one client; the people the scale counts
   are the stated ``concurrent_users``, else the daily actives x 20%
   (:data:`~backend_architect.design.online.PEAK_ONLINE_SHARE`);
   another people entity (drivers beside customers) is its rows x the daily share x 20%; a role
   with no entity of its own (a dispatcher, an operator) is counted with the people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from backend_architect.design.analysis import Analysis
from backend_architect.design.defaults import PEOPLE
from backend_architect.design.online import DAILY_PER_USER, PEAK_ONLINE_SHARE, Online, online
from backend_architect.design.semantics import has_password, is_link
from backend_architect.design.watchers import connects, is_client, watched_scope, watcher_reads
from backend_architect.ir.model import Figure
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

#: Formulas of the people counted from the scale (stated or estimated): every actor counted by one is the same population.
_SCALE_FORMULAS = frozenset(
    {
        "concurrent_connections",
        "concurrent_users (one connection each)",
        "concurrent_users",
        "daily_active x peak_online_share",
        "users x daily_per_user x peak_online_share",
        "default_connections",
    }
)
#: The formula of machines' clients: every row is online.
MACHINES = "rows (machines, all online)"


@dataclass(frozen=True)
class Audience:
    """One actor's clients online at peak, how the number was found, and what share of its rows that is."""

    actor: str
    entity: str | None
    clients: float
    formula: str
    inputs: Mapping[str, float]
    registered: float | None = None
    connected: bool = False
    #: False when nothing in the spec grounds the number (the bare default): limits then stay at their defaults.
    grounded: bool = True
    assumption: str | None = None
    #: The clients of these holding a gateway connection, when a delivery states fewer than are online (500,000 customers
    #: following their driver of the 20,000,000 online); None when every client online holds one.
    held: float | None = None

    @property
    def connections(self) -> float:
        """The gateway connections this actor's clients hold: the stated subscribers, else every client online."""
        return self.held if self.held is not None else self.clients

    @property
    def share(self) -> float:
        """Clients online over the actor's rows (the chance one recipient is connected), at most 1."""
        return min(1.0, self.clients / self.registered) if self.registered else 1.0

    def share_figure(self) -> Figure | None:
        """The share as its own figure (``clients.online_share.<actor>``): the one every delivery to this actor reads, None without rows.

        Its inputs are the clients figure's value and the rows they are a share of, so the share of daily actives a
        clients formula may use (``peak_online_share``) is never mistaken for the share of recipients connected.
        """
        if not self.registered:
            return None
        return Figure(
            key=f"clients.online_share.{snake(self.actor)}",
            quantity=f"share of {self.actor} rows connected at peak (the chance one {self.actor} recipient is online)",
            value=self.share,
            unit="share",
            formula="min(1, clients / rows)",
            inputs={"clients": self.clients, "rows": self.registered},
        )

    def figure(self) -> Figure:
        held = f" ({self.held:,.0f} of them connected to the real-time gateway: deliver.subscribers)" if self.held is not None else ""
        return Figure(
            key=f"clients.online.{snake(self.actor)}",
            quantity=f"{self.actor} clients online at peak" + (held or (" (connected to the real-time gateway)" if self.connected else "")),
            value=self.clients,
            unit="clients",
            formula=self.formula,
            inputs=dict(self.inputs),
        )


@dataclass(frozen=True)
class Audiences:
    """Every actor's audience, and the connections the real-time gateway holds (the connected actors' clients)."""

    actors: Mapping[str, Audience]
    stated: Online | None = None
    _by_entity: Mapping[str, str] = field(default_factory=dict, repr=False)

    def of(self, actor: str) -> Audience:
        """The audience of ``actor`` (an actor named nowhere gets the people's)."""
        return self.actors.get(actor) or self.actors.get(snake(actor)) or _fallback(actor, self)

    def of_entity(self, entity: str | None) -> Audience | None:
        """The audience whose clients are rows of ``entity`` (the trip's customer, the offer's driver), if any actor is one."""
        name = self._by_entity.get(entity or "")
        return self.actors[name] if name else None

    @property
    def connected(self) -> tuple[Audience, ...]:
        return tuple(a for a in self.actors.values() if a.connected)

    @property
    def connections(self) -> float:
        """Client connections open at peak: every connected recipient kind's connections (its stated subscribers, else its
        clients online), the same people counted once."""
        return sum(a.connections for a in _distinct(self.connected))

    @property
    def clients(self) -> float:
        """Clients online at peak over every actor (one rate-limit bucket pair each); the same people counted once."""
        return sum(a.clients for a in _distinct(tuple(self.actors.values())))

    def connections_figure(self) -> Figure:
        connected = self.connected
        return Figure(
            key="connections.realtime",
            quantity="client connections open at peak (real-time gateway): " + ", ".join(a.actor for a in connected),
            value=self.connections,
            unit="connections",
            formula="sum of the connected actors' clients online (their subscribers, where a delivery states them)",
            inputs={f"{'subscribers' if a.held is not None else 'clients'}_{snake(a.actor)}": a.connections for a in _distinct(connected)},
        )

    def figures(self) -> tuple[Figure, ...]:
        return tuple(a.figure() for a in self.actors.values())

    def assumptions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.assumption for a in self.actors.values() if a.assumption))


def _distinct(found: tuple[Audience, ...]) -> list[Audience]:
    """One audience per population: actors that are the same people (same entity, same count) are counted once."""
    seen: dict[object, Audience] = {}
    for a in found:
        # the people estimated from the scale are one population whatever the actor's entity (a visitor, a user)
        whose = None if a.formula in _SCALE_FORMULAS else a.entity
        same = a.actor if a.formula == "one external system" else (whose, a.formula, tuple(sorted(a.inputs.items())))
        seen.setdefault(same, a)
    return list(seen.values())


def _fallback(actor: str, audiences: Audiences) -> Audience:
    people = next((a for a in audiences.actors.values() if a.entity is None or not a.connected), None)
    if people is None:
        return Audience(actor, None, 1.0, "one client", {"clients": 1.0})
    return Audience(actor, None, people.clients, people.formula, people.inputs, grounded=people.grounded)


def audiences(spec: Spec, analysis: Analysis) -> Audiences:
    """Every actor's clients online at peak (see the module's rules), computed once from the spec and its analysis."""
    entity_of = _actor_entities(spec, analysis)
    holders = _holders(spec, analysis, entity_of)
    stated_total = spec.scale.concurrent_connections or spec.scale.concurrent_users
    estimates = {actor: _estimate(spec, analysis, actor, entity_of.get(actor), actor in holders) for actor in entity_of}
    subscribed = _named(_subscribers(spec), entity_of)
    periodic = _named(_periodic(analysis), entity_of)
    found: dict[str, Audience] = {}
    for actor, audience in estimates.items():
        if actor in subscribed:
            n = subscribed[actor]
            audience = Audience(actor, audience.entity, n, "deliver.subscribers", {"subscribers": n}, audience.registered, actor in holders)
        elif actor in periodic:
            audience = _reporting(audience, *periodic[actor], actor in holders)
        found[actor] = audience
    found = _same_people(found)
    found |= _holding(found, _client_subscribers(spec, analysis))
    counted = [a for a in found if found[a].formula in _COUNTED]
    stated = online(spec) if stated_total else None
    if stated is not None:
        sharing = [a for a in (holders or _people_actors(spec, analysis, entity_of)) if a not in counted]
        left = stated.connections - sum(a.clients for a in _distinct(tuple(found[a] for a in counted if found[a].connected)))
        found |= _split(analysis, sharing, left, stated, found)
    by_entity: dict[str, str] = {}
    for actor in sorted(found, key=lambda a: (not found[a].connected, a)):
        entity = found[actor].entity
        if entity is not None:
            by_entity.setdefault(entity, actor)
    return Audiences(dict(sorted(found.items())), stated, by_entity)


_V = TypeVar("_V")

#: Formulas of a count the spec states for one actor's clients (its subscribers, its periodic use case): never split from a total.
_COUNTED = frozenset({"deliver.subscribers", "peak x every_s", "min(rows, peak x every_s)"})


def _named(per_actor: Mapping[str, _V], entity_of: Mapping[str, str | None]) -> dict[str, _V]:
    """``per_actor`` keyed by the actors' names as the audience holds them: ``to: Driver`` and ``actor: driver`` are one actor."""
    canonical = {snake(a): a for a in entity_of}
    return {canonical.get(snake(a), a): v for a, v in per_actor.items()}


def _same_people(found: Mapping[str, Audience]) -> dict[str, Audience]:
    """Actors whose clients are rows of one entity are the same people, so they hold one figure: the stated one, if any.

    The drivers who report their location every 4 s are the drivers a ride offer is delivered to; counting them once from
    the periodic use case (for the rate limits) and again from their rows (for the gateway and the share connected) gave
    one population two sizes (750,000 and 40,000). A stated ``deliver.subscribers`` comes first, then a periodic use
    case's count, then the estimate; the largest where two actors state one of a kind. Every actor of the entity takes it,
    connected when any of them holds a connection.
    """
    groups: dict[str, list[str]] = {}
    for actor, audience in found.items():
        if audience.entity is not None:
            groups.setdefault(audience.entity, []).append(actor)
    out = dict(found)
    rank = {"deliver.subscribers": 2, "peak x every_s": 1, "min(rows, peak x every_s)": 1}
    for actors in groups.values():
        members = [found[a] for a in actors]
        best = max(members, key=lambda a: (rank.get(a.formula, 0), a.clients if a.formula in rank else 0.0, a.actor == actors[0]))
        connected = any(a.connected for a in members)
        for actor in actors:
            out[actor] = replace(best, actor=actor, connected=connected)
    return out


def _actor_entities(spec: Spec, analysis: Analysis) -> dict[str, str | None]:
    """Each actor (of a use case, or a recipient named by a delivery) and the entity its clients are, if any."""
    found: dict[str, str | None] = {}
    for use_case in analysis.use_cases:
        if use_case.is_job:
            continue
        actor = use_case.spec.actor
        entity = found.get(actor) or use_case.caller or _named_entity(spec, actor)
        # an actor named after a membership (Member: a guild's link to its users) is the people it links
        found[actor] = analysis.people if entity is not None and is_link(spec, entity) and analysis.people else entity
    for stated in spec.use_cases:
        target = stated.deliver.to if stated.deliver is not None else None
        # a delivery to Driver reaches the driver actor's clients: one actor, however its name is cased
        if target and "." not in target and snake(target) not in {snake(a) for a in found}:
            found[target] = _named_entity(spec, target)
    for entity in _recipient_entities(spec, analysis):
        if entity not in found.values():
            found[snake(entity)] = entity
    return found


def _named_entity(spec: Spec, actor: str) -> str | None:
    return next((name for name in spec.entities if snake(name) in {snake(actor), snake(actor).removesuffix("s")}), None)


def _recipient_entities(spec: Spec, analysis: Analysis) -> list[str]:
    """Entities whose rows receive real-time deliveries on connections of their own (watchers.py).

    A ``to: Entity.field`` target that is a client (the people, an actor's entity, a device) receives; an item its
    watchers follow (a question) does not: its watchers are the subscribing readers, counted as their actor. A write
    delivered to a room's members, to its recipient, or to an item nobody subscribes to reaches the people.
    """
    found: list[str] = []
    for use_case in analysis.use_cases:
        deliver = use_case.spec.deliver
        if deliver is None or deliver.mode == "push" or not use_case.is_write:
            continue
        if deliver.to and "." in deliver.to:
            owner, _, name = deliver.to.partition(".")
            ref = spec.entities[owner].fields.get(name) if owner in spec.entities else None
            target = ref.type.target if ref is not None and ref.type.target else owner
            if target in spec.entities and (is_client(spec, analysis, target, bool(deliver.subscribers)) or connects(spec, analysis, target)):
                found.append(target)
            elif target in spec.entities and not deliver.subscribers and not watcher_reads(spec, analysis, target) and analysis.people:
                found.append(analysis.people)
        elif not deliver.to and analysis.people is not None and watched_scope(spec, analysis, use_case.entity) is None:
            found.append(analysis.people)
    return list(dict.fromkeys(found))


def _holders(spec: Spec, analysis: Analysis, entity_of: Mapping[str, str | None]) -> list[str]:
    """Actors whose clients hold a real-time connection: recipients of a delivery, and readers that subscribe."""
    receiving = set(_recipient_entities(spec, analysis))
    found = [a for a, e in entity_of.items() if e is not None and e in receiving]
    for use_case in analysis.use_cases:
        deliver = use_case.spec.deliver
        if deliver is None or deliver.mode == "push":
            continue
        if not use_case.is_write:
            found.append(use_case.spec.actor)
        elif deliver.to and "." not in deliver.to:
            found.append(deliver.to)
    found += _page_watchers(spec, analysis)
    presence = {name for name, body in spec.entities.items() if body.presence is not None}
    found += [a for a, e in entity_of.items() if e in presence]
    named = set(_named(dict.fromkeys(found, 0.0), entity_of))
    # a connected entity's clients hold their connection whichever actor's name the use case gives them
    entities = {entity_of[a] for a in named if entity_of.get(a) is not None}
    return sorted((named | {a for a, e in entity_of.items() if e in entities}) & set(entity_of))


def _page_watchers(spec: Spec, analysis: Analysis) -> list[str]:
    """Actors whose clients watch an item delivered to through its public page (watchers.page_reads): they hold connections.

    Why: the gateway accepts anonymous connections for a public channel, so the visitors with the page open are connected
    clients; leaving them out counted every stated connection as a signed-in user's while the contract let visitors in
    (run 22, stackoverflow C1).
    """
    found: list[str] = []
    for use_case in analysis.use_cases:
        deliver = use_case.spec.deliver
        if deliver is None or deliver.mode == "push" or not use_case.is_write or deliver.subscribers or not deliver.to or "." not in deliver.to:
            continue
        target = _target_entity(spec, deliver.to)
        if target is not None and not is_client(spec, analysis, target):
            found += [u.spec.actor for u in watcher_reads(spec, analysis, target)]
    return found


def _people_actors(spec: Spec, analysis: Analysis, entity_of: Mapping[str, str | None]) -> list[str]:
    """Without connections, a stated concurrent figure counts the people: the actors that are the people entity, else every person-like actor."""
    people = [a for a, e in entity_of.items() if e is not None and e == analysis.people]
    return people or sorted(a for a, e in entity_of.items() if e is None and a not in spec.external)


def _subscribers(spec: Spec) -> dict[str, float]:
    """Stated subscribers per actor: the most any of its subscribing reads states, or a write delivered to it (``to: partner``)."""
    found: dict[str, float] = {}
    for use_case in spec.use_cases:
        deliver = use_case.deliver
        if deliver is None or not deliver.subscribers:
            continue
        actor = use_case.actor if not use_case.writes else deliver.to if deliver.to and "." not in deliver.to else None
        if actor is not None:
            found[actor] = max(found.get(actor, 0.0), deliver.subscribers)
    return found


def _client_subscribers(spec: Spec, analysis: Analysis) -> dict[str, float]:
    """Per connecting entity, the most subscribers a write delivered to it by reference states (``to: Trip.customer,
    subscribers: 500k``): that many of its clients hold a gateway connection for it."""
    found: dict[str, float] = {}
    for use_case in spec.use_cases:
        deliver = use_case.deliver
        if deliver is None or deliver.mode == "push" or not deliver.subscribers or not use_case.writes or not deliver.to or "." not in deliver.to:
            continue
        target = _target_entity(spec, deliver.to)
        if target is not None and connects(spec, analysis, target):
            found[target] = max(found.get(target, 0.0), deliver.subscribers)
    return found


def _target_entity(spec: Spec, to: str) -> str | None:
    """The entity ``Entity.field`` refers to (the field's target, else the entity itself)."""
    owner, _, name = to.partition(".")
    ref = spec.entities[owner].fields.get(name) if owner in spec.entities else None
    target = ref.type.target if ref is not None and ref.type.target else owner
    return target if target in spec.entities else None


def _holding(found: Mapping[str, Audience], subscribers: Mapping[str, float]) -> dict[str, Audience]:
    """The actors whose entity a delivery states subscribers of: connected, holding that many connections (all their
    clients online, counted from the subscribers, when those are more)."""
    out: dict[str, Audience] = {}
    for actor, audience in found.items():
        n = subscribers.get(audience.entity or "")
        if n is None:
            continue
        if n >= audience.clients or audience.formula == "deliver.subscribers":
            most = max(n, audience.clients)
            out[actor] = Audience(actor, audience.entity, most, "deliver.subscribers", {"subscribers": most}, audience.registered, True)
        else:
            out[actor] = replace(audience, connected=True, held=n)
    return out


def _periodic(analysis: Analysis) -> dict[str, tuple[float, float]]:
    """Per actor, its busiest periodic use case (``every``): (peak rate, interval in seconds)."""
    found: dict[str, tuple[float, float]] = {}
    for use_case in analysis.use_cases:
        every = use_case.spec.every
        if every is None or use_case.spec.rate is None or use_case.is_job:
            continue
        actor = use_case.spec.actor
        if actor not in found or use_case.peak_qps * every > found[actor][0] * found[actor][1]:
            found[actor] = (use_case.peak_qps, every)
    return found


def _reporting(base: Audience, peak: float, every: float, connected: bool) -> Audience:
    """The clients a periodic use case implies: each online client does it once every ``every`` s, so ``peak x every`` are online (at most the rows)."""
    value = peak * every
    if base.registered is not None and value > base.registered:
        inputs = {"rows": base.registered, "peak": peak, "every_s": every}
        return Audience(base.actor, base.entity, base.registered, "min(rows, peak x every_s)", inputs, base.registered, connected)
    return Audience(base.actor, base.entity, value, "peak x every_s", {"peak": peak, "every_s": every}, base.registered, connected)


def _machine(spec: Spec, entity: str | None) -> bool:
    """An entity of machines (a Device, a Sensor): no personal data, no password, not named for people."""
    body = spec.entities.get(entity or "")
    if body is None or snake(entity or "") in PEOPLE or has_password(body) or is_link(spec, entity or ""):
        return False
    return not any(f.pii for f in body.fields.values())


def _estimate(spec: Spec, analysis: Analysis, actor: str, entity: str | None, connected: bool) -> Audience:
    """An actor's clients online when the spec states no concurrent figure for it (an assumption unless counted from rows)."""
    facts = analysis.entities.get(entity) if entity is not None else None
    # rows the design assumed (no count in the spec) neither cap the clients nor make a share of them
    registered = facts.rows_now if facts is not None and facts.rows_basis != "default" else None
    if actor in spec.external:
        return Audience(actor, None, 1.0, "one external system", {"clients": 1.0}, None, connected)
    if entity is not None and facts is not None and facts.rows_now and _machine(spec, entity):
        return Audience(actor, entity, facts.rows_now, MACHINES, {"rows": facts.rows_now}, facts.rows_now, connected)
    scale = spec.scale
    if entity is not None and registered and entity != analysis.people:
        daily = scale.daily_active / scale.users if scale.daily_active and scale.users else DAILY_PER_USER
        value = registered * daily * PEAK_ONLINE_SHARE
        note = (
            f"{actor} clients online at peak: not given; {daily:.0%} of the {registered:,.0f} {entity} rows active a day, "
            f"{PEAK_ONLINE_SHARE:.0%} of those online at peak"
        )
        inputs = {"rows": registered, "daily_share": daily, "peak_online_share": PEAK_ONLINE_SHARE}
        return Audience(actor, entity, value, "rows x daily_share x peak_online_share", inputs, registered, connected, True, note)
    people = _people_online(spec, actor)
    return Audience(
        actor, entity, people.connections, people.formula, people.inputs, registered, connected, people.formula != "default_connections", people.assumption
    )


def _people_online(spec: Spec, actor: str) -> Online:
    """The people online at peak: the stated ``concurrent_users``, else from the daily actives (or users).

    A stated ``concurrent_connections`` counts the connections the split hands out, not the people who only make requests;
    the estimate for those is then said to be ``actor``'s clients, never "connections", so a reader never meets two
    values for the clients online (the stated connections and this estimate) under one name.
    """
    scale = spec.scale
    if scale.concurrent_users:
        return Online(scale.concurrent_users, "concurrent_users", {"concurrent_users": scale.concurrent_users}, None)
    estimated = online(spec.model_copy(update={"scale": scale.model_copy(update={"concurrent_connections": None})}))
    if scale.concurrent_connections and estimated.assumption:
        # the connections are stated: what is not given is how many of this actor's clients are online besides them
        note = (
            estimated.assumption.replace(" (nor users or daily actives); ", "; no users or daily actives given: ")
            .replace(
                "scale.concurrent_connections: not given",
                f"{actor} clients online at peak: not given (scale.concurrent_connections, {scale.concurrent_connections:,.0f}, "
                "counts the connections of the actors that hold one)",
            )
            .replace("connections assumed at peak", f"{actor} clients assumed online at peak")
            .replace("connected at peak", "online at peak")
        )
        return Online(estimated.connections, estimated.formula, estimated.inputs, note)
    return estimated


#: How a catch-up read the design adds (``design/catch_up.py``) describes itself: its requests are the reconnects of the
#: connections handed out here, so they claim no share of them (the split stays what the spec's own use cases make it).
CATCH_UP_NOTE = "derived: the catch-up read of"


def caught_up(description: str | None) -> bool:
    """Whether a use case is a catch-up read the design added (its description carries ``CATCH_UP_NOTE``)."""
    return CATCH_UP_NOTE in (description or "")


def _split(analysis: Analysis, sharing: list[str], total: float, stated: Online, found: Mapping[str, Audience]) -> dict[str, Audience]:
    """The stated total handed to ``sharing`` in proportion to peak requests (equally when one sends none), each at most its rows.

    Actors that are the same people (``member`` and ``user``, both User) share one count; a group whose share passes its
    rows gets its rows, and what it leaves goes to the others in the same proportion.
    """
    groups: dict[str, list[str]] = {}
    for actor in sharing:
        groups.setdefault(found[actor].entity or f"actor:{actor}", []).append(actor)
    weights = {
        g: sum(u.peak_qps for u in analysis.use_cases if u.spec.actor in members and not u.is_job and not caught_up(u.spec.description))
        for g, members in groups.items()
    }
    if not all(weights.values()):
        weights = dict.fromkeys(groups, 1.0)
    value: dict[str, tuple[float, str, dict[str, float]]] = {}
    left, open_ = max(0.0, total), list(groups)
    while open_:
        whole = sum(weights[g] for g in open_)
        full = [g for g in open_ if (rows := found[groups[g][0]].registered) is not None and left * weights[g] / whole > rows]
        for g in full:
            rows = found[groups[g][0]].registered or 0.0
            inputs = {"rows": rows, "stated_connections": left, "actor_requests": weights[g], "sharing_requests": whole}
            value[g] = (rows, "min(rows, stated_connections x actor_requests / sharing_requests)", inputs)
        if not full:
            break
        left = max(0.0, left - sum(value[g][0] for g in full))
        open_ = [g for g in open_ if g not in full]
    whole = sum(weights[g] for g in open_)
    for g in open_:
        inputs = {"stated_connections": left, "actor_requests": weights[g], "sharing_requests": whole}
        value[g] = (left * weights[g] / whole if whole else 0.0, "stated_connections x actor_requests / sharing_requests", inputs)
        if len(groups) == 1 and left == stated.connections:
            value[g] = (left, stated.formula, dict(stated.inputs))
    out: dict[str, Audience] = {}
    for g, members in groups.items():
        clients, formula, inputs = value[g]
        for actor in members:
            base = found[actor]
            out[actor] = Audience(actor, base.entity, clients, formula, inputs, base.registered, base.connected)
    return out


__all__ = ["MACHINES", "Audience", "Audiences", "audiences"]
