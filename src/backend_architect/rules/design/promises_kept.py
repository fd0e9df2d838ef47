"""An operation's description promises nothing of an external system that no flow of its use case reaches."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.ir.promises import flow_externals, names_external
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="DES029",
    name="description-names-uncalled-external",
    severity=Severity.WARNING,
    title="An operation's description names an external system no flow of its use case calls",
    fix="Make the promise true (the use case calls the system, or a use case with after: [it] does, a consumer of its event), "
    "or reword the description so it names only what the flow does.",
)
def description_names_uncalled_external(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reads each operation's description for the names of the design's external systems (as
    written, or split into words: ``PaymentProcessor`` is "payment processor") and reports one
    that no flow of the operation's use cases reaches: not a step of its own flow, not a
    worker consuming its events, not a flow its events start (a reaction, ``after``).

    ## Why is this bad?
    The contract is what client teams build against: "the fare is charged through the payment
    processor" on an end-trip operation that calls no processor has the app wait for a charge
    that never comes, or charge twice once someone adds the separate call the design really has.
    Ten million trips a day then end uncharged or double-charged.

    ## Example
    endTrip: "The driver ends the trip; the fare is charged through the payment processor", and the
    flow of 'end trip' is local to trips (PaymentProcessor is called only by 'charge trip', a
    separate request of the driver's app)

    Use instead:
    'charge trip' with after: [end trip] and calls: [PaymentProcessor]: a consumer of TripEnded
    charges the fare, so the end's description is kept

    ## References
    Richardson, *Microservices Patterns*, ch. 4 (a step that follows a local transaction is a
    saga step started by its event); Newman, *Building Microservices* (2nd ed.), ch. 5 (the
    contract is the documentation consumers rely on).
    """
    externals = [e.name for e in arch.externals]
    if not externals or not arch.flows:
        return  # a contract without the flows (an imported OpenAPI document): nothing says what it calls
    for api in arch.apis:
        for op in api.operations:
            if not op.use_cases or not op.description:
                continue
            reached = {x for name in op.use_cases for x in flow_externals(arch, name)} | set(op.upstreams)
            for name in (n for n in externals if n not in reached and names_external(op.description, n)):
                yield self.finding(
                    f"operation {api.service}.{op.operation_id}",
                    f"the description names {name}, which no flow of {', '.join(op.use_cases)} calls",
                )


__all__ = ["description_names_uncalled_external"]
