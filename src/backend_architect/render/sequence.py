"""IR -> one Mermaid ``sequenceDiagram`` per use case crossing its service, drawn in the order the request really runs.

The order is what a reviewer checks a design's promises against: the Idempotency-Key looked up first,
the checks (another service's, or the service's own tables) before anything is written, the write with
its outbox row in one transaction, then the response; events leave the relay after the commit, so
they are drawn after it. The work in the service's own stores comes from ``ir.store_steps`` (read once
from the design's decisions), the hops between services from the flow's steps.
"""

from __future__ import annotations

from backend_architect.ir.delivery_guarantee import PUBSUB_HOP
from backend_architect.ir.model import Architecture, Flow, FlowStep
from backend_architect.ir.query import called_operations
from backend_architect.ir.runtime import side_write
from backend_architect.ir.store_steps import Store, StoreStep, adds_to_rows, database, opening, outbox_events, store_steps
from backend_architect.render.mermaid import _message, _pubsub_of, node_id
from backend_architect.render.numbers import human

#: Component kinds a service keeps rows or answers in: drawn with their technology, as a database is drawn with its engine.
_STORE_KINDS = {"wide-column", "cache", "search"}


def _relayed(step: FlowStep, home: str) -> bool:
    """An event the home service's relay publishes after the commit (its outbox, or its store's CDC log)."""
    return step.kind == "event" and step.source == home and step.via in {"outbox", "cdc"}


def _after_commit(step: FlowStep, home: str, side: frozenset[str] = frozenset()) -> bool:
    """A step the request makes only once its own rows are committed: a saga's next step, an event the write path publishes itself,
    a Redis write beside the commit (``side``: its descriptions; a cache page pushed onto would otherwise show a row not yet committed)."""
    saga_call = step.kind == "call" and step.source == home and "saga step" in step.description
    published = step.kind == "event" and step.source == home and step.via == "pubsub"
    beside = step.kind == "call" and step.source == home and step.description in side
    return saga_call or published or beside


def _store_id(store: Store) -> str:
    return node_id("db" if store.kind == "database" else "p", store.name)


def _participant_label(arch: Architecture, name: str) -> str:
    """A participant's text: a store component with its technology where its name does not say it (wide-column-store (ScyllaDB))."""
    part = next((c for c in arch.components if c.name == name and c.kind in _STORE_KINDS), None)
    if part is None or part.technology.split()[0].lower() in name.lower():
        return name
    return f"{name} ({part.technology})"


def render_sequence(arch: Architecture, flow: Flow) -> str:
    """A ``sequenceDiagram`` of one use case: the request, its key and checks, its hops with replies, its own store's read or write
    (rows and outbox row in one transaction), the response, then the events the relay publishes after the commit."""
    request = flow.steps[0]
    home = request.target
    externals = {e.name for e in arch.externals}
    own = store_steps(arch, flow)
    fills = _row_reads(arch, flow.use_case, home)
    names = list(dict.fromkeys([request.source, home, *(s.target for s in flow.steps[1:]), *(s.source for s in flow.steps[1:])]))
    # the externals a worker taking the flow's events calls (a push sender's providers) stand after it
    names += [x for s in flow.steps[1:] for x in _calls(arch, s.target) if x not in names]
    # a reaction (``after``) starts from the event of the write it follows, delivered by that service's relay: no actor asks for it,
    # and a reaction to several writes starts from each one's event, all of them opening the diagram before its own steps
    started = request.kind == "event"
    openers = flow.steps[: opening(flow)]
    own_steps = flow.steps[len(openers) :]
    caller = node_id("p" if started else "actor", request.source)
    lines = ["sequenceDiagram"]
    if caller != node_id("p", home):  # a reaction in the service that published the event is drawn once
        lines.append(f"    {'participant' if started else 'actor'} {caller} as {_message(request.source)}")
    lines.append(f"    participant {node_id('p', home)} as {_message(home)}")
    # the service's own stores stand next to it: every request reaches them first
    declared = {node_id("p", home)}
    for store in dict.fromkeys([*(s.store for s in own), *(f for f, _ in fills)]):
        if _store_id(store) not in declared:
            label = _participant_label(arch, store.name) if store.kind == "component" else store.label
            lines.append(f"    participant {_store_id(store)} as {_message(label)}")
            declared.add(_store_id(store))
    for name in names[1:]:
        if node_id("p", name) not in declared:
            lines.append(f"    participant {node_id('p', name)} as {_message(_participant_label(arch, name))}{' (external)' if name in externals else ''}")
    # events the write commits an outbox row for with no consumer in another service (a job the service runs) leave the relay too
    stepless = [e for e in outbox_events(arch, flow, home) if e not in {s.description.split(" via ")[0] for s in own_steps if _relayed(s, home)}]
    if stepless and not any(s.phase == "write" for s in own):
        stepless = []
    if stepless or any(_relayed(s, home) and s.via == "outbox" for s in own_steps):
        lines.append(f"    participant outbox as {_message(home)} outbox relay")
    if any(_relayed(s, home) and s.via == "cdc" for s in own_steps):
        lines.append(f"    participant cdc as {_message(home)} CDC relay")
    carriers = {s.target: c for s in own_steps if s.kind == "event" and s.source == home and (c := _pubsub_of(arch, s.target)) is not None}
    # the relay publishes to the broker where the design runs one (ir.query.event_broker): every relayed event crosses it
    broker = next((c.name for c in arch.components if c.kind == "broker"), None)
    if broker is not None and (stepless or any(_relayed(s, home) for s in own_steps)) and broker not in names:
        lines.append(f"    participant {node_id('p', broker)} as {_message(broker)}")
    for carrier in dict.fromkeys(c for c in carriers.values() if c not in names):
        lines.append(f"    participant {node_id('p', carrier)} as {_message(carrier)} (pub/sub)")
    for opener in openers if started else []:
        lines.append(f"    {node_id('p', opener.source)}-){node_id('p', home)}: {_message(opener.description)}")
    if not started:
        lines.append(f"    {caller}->>{node_id('p', home)}: {_message(flow.use_case)}")
    rest = own_steps
    cached = any(s.phase == "cache" for s in own)
    # behind a cache-aside plan, the mechanism's query (a wide-column page, a search) is what a miss makes
    # a mechanism adding per-request facts to the rows (presence's online flags) runs on every request, after the cached rows
    adding = [s for s in rest if s.kind == "query" and any(m.store == s.target and m.use_case == flow.use_case and adds_to_rows(m) for m in arch.mechanisms)]
    missed = [
        s
        for s in rest
        if cached and s.kind == "query" and s not in adding and any(m.store == s.target and m.use_case == flow.use_case for m in arch.mechanisms)
    ]
    # what a consumer of the flow's relayed events does with one (a fan-out worker reading followers, pushing ids) starts only
    # once the relay has delivered it, so it is drawn after that delivery, never before the commit
    consumers = {s.target for s in rest if _relayed(s, home)} - {home}
    delivered = [s for s in rest if s.source in consumers and not _relayed(s, home)]
    side = frozenset(f"{m.how} ({m.pattern})" for m in arch.mechanisms if m.use_case == flow.use_case and side_write(m))
    # a step asking for rows by the ids the request's own rows hold (a page's Orders naming their Products) runs after that read
    keyed = [s for s in rest if s.keys_from and s.kind in {"query", "call"} and s not in missed and s not in adding]
    lines += _own(own, home, {"key", "check"})
    for step in (
        s
        for s in rest
        if not _relayed(s, home) and not _after_commit(s, home, side) and s not in missed and s not in delivered and s not in adding and s not in keyed
    ):
        lines += _hop(arch, flow, step, home, fills)
    lines += _read(own, home, [line for s in missed for line in _hop(arch, flow, s, home, fills)]) + _own(own, home, {"write"})
    for step in keyed:
        lines += _hop(arch, flow, step, home, fills)
    for step in adding:
        lines += _hop(arch, flow, step, home, fills)
    for step in (s for s in rest if _after_commit(s, home, side)):
        lines += _hop(arch, flow, step, home, fills)
    if flow.style == "saga":
        undo = ", ".join(s.target for s in flow.steps if s.kind == "call")
        lines.append(f"    Note over {node_id('p', home)}: saga: if a later step fails, compensate in {_message(undo)} (reverse order)")
    if started:
        lines += [f"    {node_id('p', home)}-->>{node_id('p', source)}: acknowledged" for source in dict.fromkeys(o.source for o in openers)]
    else:
        lines.append(f"    {node_id('p', home)}-->>{caller}: response")
    for step in (s for s in rest if _relayed(s, home)):
        lines += _relay(arch, step, home, broker, carriers)
        for external in _calls(arch, step.target):
            # the worker taking the event calls the external itself, after the relay and the broker
            lines.append(f"    {node_id('p', step.target)}->>{node_id('p', external)}: {_message(_told(step))} (retried until accepted)")
            lines.append(f"    {node_id('p', external)}-->>{node_id('p', step.target)}: accepted")
        for later in (s for s in delivered if s.source == step.target):
            lines += _hop(arch, flow, later, home, fills)
    for event in stepless:
        lines.append(f"    {node_id('p', home)}-)outbox: {_message(event)}")
        if broker is not None:
            lines.append(f"    outbox-){node_id('p', broker)}: publish")
    return "\n".join(dict.fromkeys(lines)) + "\n"


def _calls(arch: Architecture, part: str) -> list[str]:
    """The externals the worker ``part`` calls after taking an event (``Component.calls``); none for anything else."""
    return next((list(c.calls or []) for c in arch.components if c.name == part), [])


def _told(step: FlowStep) -> str:
    """What a delivering worker's call carries: the step's reach (a push notification to the recipients not connected), else the event."""
    reach = step.description.partition(" via the outbox: ")[2] or step.description.partition(" via the CDC log: ")[2]
    return reach or step.description.split(" via ")[0]


def _own(own: list[StoreStep], home: str, phases: set[str]) -> list[str]:
    """The steps of those phases in the service's own stores, each with its reply."""
    lines = []
    for step in (s for s in own if s.phase in phases):
        lines.append(f"    {node_id('p', home)}->>{_store_id(step.store)}: {_message(step.text)}")
        lines.append(f"    {_store_id(step.store)}-->>{node_id('p', home)}: {_message(step.reply)}")
    return lines


def _read(own: list[StoreStep], home: str, missed: list[str]) -> list[str]:
    """A read's query of its own store; behind a cache-aside plan, the cache first and, on a miss, the query (or the ``missed``
    lines of the mechanism answering it) and the fill."""
    cache = next((s for s in own if s.phase == "cache"), None)
    if cache is None:
        return _own(own, home, {"read"})
    fill = next(s for s in own if s.phase == "fill")
    me, at = node_id("p", home), _store_id(cache.store)
    return [
        f"    {me}->>{at}: {_message(cache.text)}",
        "    alt cache hit",
        f"        {at}-->>{me}: {_message(cache.reply)}",
        "    else cache miss",
        *(f"    {line}" for line in [*_own(own, home, {"read"}), *missed]),
        f"        {me}->>{at}: {_message(fill.text)}",
        "    end",
    ]


def _hop(arch: Architecture, flow: Flow, step: FlowStep, home: str, fills: list[tuple[Store, str]]) -> list[str]:
    """A hop between the service and another part: a call or query with its reply, an event fed to it, or one it publishes itself."""
    source, target = node_id("p", step.source), node_id("p", step.target)
    lines = []
    if step.kind in {"query", "call", "external"}:
        # a call on another service names the operation of its contract it calls, as the callee's contract lists it
        calls = f" -> {'; '.join(called_operations(arch, step))}" if step.operations else ""
        # several calls a request (a GET for each row a page names, a list paged until done) are said with their count
        times = f" ({step.calls} calls a request)" if step.calls > 1 else ""
        lines.append(f"    {source}->>{target}: {_message(step.description + calls + times)}")
        lines.append(f"    {target}-->>{source}: result")
        if step.kind == "query" and any(m.store == step.target for m in arch.mechanisms if m.use_case == flow.use_case):
            for store, what in fills:
                lines.append(f"    {node_id('p', home)}->>{_store_id(store)}: {_message(what)}")
                lines.append(f"    {_store_id(store)}-->>{node_id('p', home)}: rows")
    elif step.kind == "event" and step.source == home and step.via == "pubsub":
        name = _message(step.description.split(" via ")[0])
        carrier = _pubsub_of(arch, step.target)
        if carrier is not None:
            # the write path publishes to the pub/sub, which carries it to the node holding each subscriber
            lines.append(f"    {source}-){node_id('p', carrier)}: {name} (published by the write path, no outbox)")
            lines.append(f"    {node_id('p', carrier)}-){target}: deliver to connected recipients ({PUBSUB_HOP})")
        else:
            lines.append(f"    {source}-){target}: {name} (Redis pub/sub, no outbox)")
    elif step.kind == "event":
        lines.append(f"    {source}-){target}: {_message(step.description)}")
    return lines


def _relay(arch: Architecture, step: FlowStep, home: str, broker: str | None, carriers: dict[str, str]) -> list[str]:
    """An event the relay takes after the commit, from the outbox row or the store's CDC log, through the broker to its consumer."""
    source, target = node_id("p", step.source), node_id("p", step.target)
    relay = "cdc" if step.via == "cdc" else "outbox"
    lines = [f"    {source}-){relay}: {_message(step.description.split(' via ')[0])}"]
    # a delivery's step says whom it reaches (the gateway the connected recipients, a push provider the others)
    reach = step.description.partition(" via the outbox: ")[2] or step.description.partition(" via the CDC log: ")[2]
    reached = _message(reach) if reach.startswith(("push", "deliver")) else "deliver"
    said = f"{reached} (at least once)"
    hub = relay
    if broker is not None:
        # one path per event (ir.query.delivery_hops): the relay publishes to the broker, each consumer takes it from there
        lines.append(f"    {relay}-){node_id('p', broker)}: publish")
        hub = node_id("p", broker)
    if step.target in carriers:
        # the pub/sub carries it to the node holding each subscriber; behind a broker, the consumer's own group publishes it there
        if broker is not None:
            lines.append(f"    {hub}-){target}: consume")
            hub = target
        lines.append(f"    {hub}-){node_id('p', carriers[step.target])}: publish")
        # the pub/sub hop keeps nothing: the guarantee the broker's hop gives ends at the consumer that publishes it
        lines.append(f"    {node_id('p', carriers[step.target])}-){target}: {reached} ({PUBSUB_HOP})")
    else:
        lines.append(f"    {hub}-){target}: {said}")
    return lines


def _row_reads(arch: Architecture, use_case: str, home: str) -> list[tuple[Store, str]]:
    """The database reads a mechanism serving ``use_case`` still makes (a precomputed list's page filled by id), with the database each
    reads. A read of a table another service owns is made by that service when ``home`` calls it (drawn as the call), never by
    ``home`` on a database it does not own."""
    others = {s.name for s in arch.datastores if s.service is not None and s.service != home}
    homes = {t.entity: database(arch, s) for s in arch.datastores for t in s.tables if t.entity and s.name not in others}
    # a load on a table no entity names (a feed's event-fed copy of the graph, known_follows) is read where that table lives: it
    # gives the reads after it their keys, so it is drawn too, first (the mechanism lists its loads in the order they run)
    homes |= {t.name: database(arch, s) for s in arch.datastores for t in s.tables if not t.entity and t.name not in homes and s.name not in others}
    return [
        (homes[load.entity], f"{load.quantity.removesuffix(' at peak').removesuffix(',')} ({human(load.reads_per_s, 'req/s')} at peak)")
        for m in arch.mechanisms
        if m.use_case == use_case and m.serves == "read"
        for load in m.loads
        if load.reads_per_s and load.entity in homes
    ]


__all__ = ["render_sequence"]
