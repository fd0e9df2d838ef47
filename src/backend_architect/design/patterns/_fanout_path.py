"""A fan-out worker's part of the write that triggers it: drawn where it runs and where it writes.

The feed's worker consumes the item's created event and pushes the id to every follower's list in
Redis. The write's flow (and so its sequence diagram) gains the event reaching the worker through
the relay and the broker, then the worker's push into the lists; the component diagram draws the
worker's edge to the store it writes (``render.mermaid``: a worker's step to a component). Both are
asynchronous (event steps): the request neither waits for nor is timed with the fan-out.
"""

from __future__ import annotations

from backend_architect.ir.model import Event, Flow, FlowStep


def fanout_flow(flow: Flow, event: Event, worker: str, store: str, pushes: str, reads: tuple[str, str] | None = None) -> Flow:
    """The write's flow with the worker consuming ``event``, reading the audience (``reads``: the database holding the graph, what
    it reads there) and pushing into ``store`` (``pushes``: what it writes there).

    >>> f = Flow(use_case="post", style="event", rationale="", steps=[FlowStep(source="u", target="posts", kind="request", description="post")])
    >>> e = Event(name="PostCreated", producer="posts", consumers=["feed-fanout"], entity="Post", key="post_id", use_case="post")
    >>> [(s.source, s.target, s.kind) for s in fanout_flow(f, e, "feed-fanout", "redis", "LPUSH").steps[1:]]
    [('posts', 'feed-fanout', 'event'), ('feed-fanout', 'redis', 'event')]
    """
    home = flow.steps[0].target
    steps = list(flow.steps)
    if not any(s.kind == "event" and s.target == worker and s.description.startswith(f"{event.name} via ") for s in steps):
        steps.append(FlowStep(source=home, target=worker, kind="event", description=f"{event.name} via the outbox: {worker} fans it out"))
    if reads is not None and not any(s.source == worker and s.target == reads[0] for s in steps):
        steps.append(FlowStep(source=worker, target=reads[0], kind="event", description=reads[1]))
    if not any(s.source == worker and s.target == store for s in steps):
        steps.append(FlowStep(source=worker, target=store, kind="event", description=pushes))
    if flow.style != "local":
        return flow.model_copy(update={"steps": steps})
    # a write nothing else consumed now publishes: said as the communication stage says it of every such write
    said = "state change others react to: published through the transactional outbox after commit"
    return flow.model_copy(update={"steps": steps, "style": "event", "rationale": said})


__all__ = ["fanout_flow"]
