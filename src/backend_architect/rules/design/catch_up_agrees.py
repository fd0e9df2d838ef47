"""A push's catch-up read exists: the operation a real-time channel tells a reconnecting client to call is in the contract."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.catch_up import operation_by_id, reconnects
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="DES025",
    name="catch-up-read-missing",
    severity=Severity.WARNING,
    title="A real-time channel promises a fetch on reconnect that the contract cannot serve",
    fix="Add the list of the pushed rows the recipients read from their last cursor (a cursor-paged GET filtered as the channel is "
    "addressed), and name it in the delivery; or say the pushes are not kept for clients not connected.",
)
def catch_up_read_missing(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reads each real-time channel's ``offline`` text (what a recipient without a connection
    gets) and reports a promise to "fetch what they missed" that names no operation, or names
    an operation the contract does not have, or one that is not a list or get of the rows the
    channel pushes.

    ## Why is this bad?
    A push is best effort: a client that was offline, or lost its connection for a moment,
    misses what was pushed meanwhile. A design saying it "fetches what it missed through the
    REST API from its last cursor" with no such operation in its contract leaves the client
    with stale receipts, messages or states and nothing to call.

    ## Example
    channel users/{user_id}/message-receipts: recipients not connected fetch what they missed when they reconnect
    (and no operation lists MessageReceipt)

    Use instead:
    channel users/{user_id}/message-receipts: ... fetch what they missed: GET /v1/me/missed-message-receipts
    (listMyMissedMessageReceipts) from their last cursor

    ## References
    RFC 6455 (WebSocket: no delivery guarantee across connections); Slack engineering,
    "Real-time messaging" (clients reconcile through the Web API after reconnecting).
    """
    for part in reconnects(arch):
        where = f"channel {part.channel}"
        if part.promised and part.operation is None:
            yield self.finding(where, f"{', '.join(part.use_cases)}: recipients not connected are told to fetch what they missed, but no operation is named")
            continue
        if part.operation is None:
            continue
        found = operation_by_id(arch, part.operation)
        if found is None:
            yield self.finding(where, f"{', '.join(part.use_cases)}: the catch-up read {part.operation} is not an operation of the contract")
        elif found[1].kind not in {"list", "get"} or found[1].entity != part.entity:
            yield self.finding(
                where, f"{', '.join(part.use_cases)}: the catch-up read {part.operation} does not read the {part.entity} rows the channel pushes"
            )


@rule(
    code="DES026",
    name="push-without-catch-up",
    severity=Severity.INFO,
    title="A real-time delivery whose recipients not connected cannot fetch what they missed",
    fix="If a missed push matters, give the recipients a column a list can select them by (the offer's driver) and a list of it; "
    "else the pushes are offers that expire and the next one is enough.",
)
def push_without_catch_up(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reports each real-time delivery whose recipients are chosen per message (the nearby
    drivers a ride request reaches) or otherwise selected by no column of the row: no list
    can return what they missed, so the design says they miss it (and promises nothing).

    ## Why is this bad?
    It is not always bad: a ride offer that expires in seconds need not be fetched later.
    But a client that reconnects sees nothing of what was pushed meanwhile, and the team
    should decide that on purpose.

    ## Example
    request ride: deliver to the 10 nearest drivers (near: Driver.location); no row names them

    Use instead:
    a RideOffer row per driver offered (driver: ref(Driver)), listed by the driver from a cursor

    ## References
    RFC 6455 (WebSocket); Uber engineering, "Uber's Real-Time Push Platform" (2020).
    """
    for part in reconnects(arch):
        if part.gap:
            yield self.finding(f"channel {part.channel}", f"{', '.join(part.use_cases)}: recipients not connected miss what is pushed meanwhile")
