"""One route for every delivery of a design that runs a real-time gateway: the gateway when connected, a push when not.

A spec may ask to push one use case's news (``deliver: push``: a ride offer to the nearest drivers) while another
delivers live (``deliver: realtime``: the driver's position to the customer). Read apart, the two gave one design two
routes to the same recipients: the push sender sent every offer through APNs and FCM, while the presence decision and
the event's contract had the gateway publish it on a per-driver channel the gateway's AsyncAPI lacked. The rule: once
the design runs a gateway (some use case delivers ``realtime``), a ``deliver: push`` reads as a live delivery whose
recipients not connected get the push, through the providers it names, else all the spec's push providers. Its
recipients then hold a channel in the gateway's contract and count among its connections; without a gateway a push
stays push only. The spec is rewritten once, before the analysis, so every stage reads the same route.
"""

from __future__ import annotations

from backend_architect.design.pushes import push_providers
from backend_architect.spec.model import Spec


def runs_gateway(spec: Spec) -> bool:
    """Whether the design runs a real-time gateway: some use case delivers over a live connection.

    >>> runs_gateway(Spec.model_validate({"system": "s", "entities": {"A": {}},
    ...     "use_cases": [{"name": "add a", "writes": ["A"], "deliver": "push"}]}))
    False
    """
    return any(u.deliver is not None and u.deliver.mode == "realtime" for u in spec.use_cases)


def with_gateway_routes(spec: Spec) -> tuple[Spec, list[str]]:
    """``spec`` with each ``deliver: push`` delivered over the gateway (push for recipients not connected) when a gateway
    runs and a push provider exists, and an assumption each.

    >>> spec = Spec.model_validate({"system": "s", "external": {"fcm": {"kind": "push"}}, "entities": {"A": {}, "B": {}},
    ...     "use_cases": [{"name": "add a", "writes": ["A"], "deliver": "push"},
    ...                   {"name": "add b", "writes": ["B"], "deliver": "realtime"}]})
    >>> routed, notes = with_gateway_routes(spec)
    >>> routed.use_cases[0].deliver.mode, routed.use_cases[0].notify
    ('realtime', ['fcm'])
    """
    providers = push_providers(spec)
    if not providers or not runs_gateway(spec):
        return spec, []
    cases, notes = [], []
    for use_case in spec.use_cases:
        deliver = use_case.deliver
        if deliver is None or deliver.mode != "push":
            cases.append(use_case)
            continue
        named = [p for p in providers if p in use_case.notify] or providers
        notify = list(dict.fromkeys([*use_case.notify, *named]))
        cases.append(use_case.model_copy(update={"deliver": deliver.model_copy(update={"mode": "realtime"}), "notify": notify}))
        to = f" to {deliver.to}" if deliver.to else ""
        notes.append(
            f"use_cases.{use_case.name}.deliver: push{to}, in a design whose real-time gateway delivers other use cases live: "
            f"recipients connected to the gateway get it there, the others a push notification through {', '.join(named)}"
        )
    return spec.model_copy(update={"use_cases": cases}), notes


__all__ = ["runs_gateway", "with_gateway_routes"]
