"""The reads each publishing write makes of the rows its event's recipients are found through: drawn in its flow, counted.

An event pushed to a person named on a row the written row refers to (a receipt's message's sender) carries that id in its
payload (``routing_fields``: ``message_sender_id``, "read by the producer as it writes"), because the real-time gateway reads
no database. The promise holds only if every write publishing the event reads each row on the way (``EventRecipients.rows``:
the Message; an alarm's reading, then its meter): a receipt marked read that reads no Message cannot address its event to
the Message's sender. So each publishing write (``design.publishers``) reads every such row:

- a row another service owns: a synchronous query of that service before the commit (its hop timed, its availability
  multiplied, the callee's request rate and database reads counted by ``service_calls``), unless the flow already queries
  that owner about the row (an existence check of the same reference reads it and returns its ids);
- a row in the producer's own database: an indexed read there, a step of the request (``request_steps._routing_reads``:
  counted in the database's reads and timed in the latency).
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.call_chains import plan_flow
from backend_architect.design.publishers import event_publishers
from backend_architect.design.routing_fields import row_column
from backend_architect.design.routing_steps import routing_read, routing_row
from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Api, Architecture, Event, EventRecipients, Flow, FlowStep
from backend_architect.ir.payloads import event_table
from backend_architect.spec.model import Spec


def read_steps(spec: Spec, arch: Architecture, event: Event, routing: EventRecipients, home: str) -> list[FlowStep]:
    """The queries ``home`` makes for the rows on ``routing``'s chain that other services own, in chain order."""
    owners = {e: s.name for s in arch.services for e in s.entities}
    found = []
    for at, row in enumerate(routing.rows):
        owner = owners.get(row)
        if owner is None or owner == home or at + 1 >= len(routing.path):
            continue
        before = event.entity if at == 0 else routing.rows[at - 1]
        column = row_column(spec, event_table(arch, before), before, routing.path[at]) if before in spec.entities else None
        by = column.name if column is not None else f"{routing.path[at]}_id"
        found.append(routing_read(home, owner, row, f"the {before}'s {by}", routing.path[at + 1], event.name, routing.field))
    return found


def _reads(flow: Flow, step: FlowStep, row: str) -> bool:
    """Whether the flow already asks ``step``'s owner for the row (a read, or an existence check of it, which returns it)."""
    return any(s.kind in {"query", "call"} and s.source == step.source and s.target == step.target and f" {row} " in f" {s.description} " for s in flow.steps)


def derive_recipient_reads(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every write publishing an event routed by an id on a referred row reads the rows on the way in its flow."""
    flows = {f.use_case: f for f in arch.flows}
    by_name = {u.name: u for u in analysis.use_cases}
    apis = list(arch.apis)
    for event in arch.events:
        for routing in event.recipients:
            for name in event_publishers(arch, event):
                flow, use_case = flows.get(name), by_name.get(name)
                if flow is None or use_case is None or not flow.steps:
                    continue
                for step in read_steps(spec, arch, event, routing, flow.steps[0].target):
                    row = routing_row(step) or ""
                    if _reads(flow, step, row):
                        continue
                    # before the events: the id travels in the outbox row the commit writes
                    at = next((i for i, s in enumerate(flow.steps) if s.kind == "event"), len(flow.steps))
                    said = f"reads the {row} by one synchronous query to {step.target} for the {event.name}'s {routing.field}"
                    flow = flow.model_copy(update={"steps": [*flow.steps[:at], step, *flow.steps[at:]], "rationale": f"{flow.rationale}; {said}"})
                    flow = plan_flow(spec, use_case, flow, in_process=one_deployable(arch))
                    flows[name] = flow
                    apis = _consumed(apis, step.target, row, step.source)
    return arch.model_copy(update={"flows": [flows.get(f.use_case, f) for f in arch.flows], "apis": apis})


def _consumed(apis: list[Api], callee: str, row: str, consumer: str) -> list[Api]:
    """The callee's GET of the row by id lists the reader among its consumers (``x-consumers``), as a check's caller is.

    Where the callee's contract has no such GET, the step names no operation and the critic says so (DES027)."""
    return [
        api.model_copy(
            update={
                "operations": [
                    op.model_copy(update={"consumers": sorted({*op.consumers, consumer})})
                    if op.entity == row and op.method == "get" and op.kind == "get"
                    else op
                    for op in api.operations
                ]
            }
        )
        if api.service == callee
        else api
        for api in apis
    ]


__all__ = ["derive_recipient_reads", "read_steps"]
