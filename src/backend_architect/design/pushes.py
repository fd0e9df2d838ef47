"""Push notifications: which use cases push, through which providers, and each provider's share.

One model every section reads. A use case pushes through the push providers it ``notify``s;
when no use case names a push provider, every delivery to people pushes through all of them
(the spec did not say which do). The real-time pattern (PAT023) counts the notifications
(recipients not connected, from the audience model; every recipient for ``deliver: push``;
``peak x avg_fanout`` for a use case that notifies without a live delivery); each provider
carries its share of them (``external.<name>.share``, its platform's share of devices; the
providers without one split what the stated shares leave equally, listed under Assumptions),
and the external-call figures, the sequence diagrams and the presence decision read that.
"""

from __future__ import annotations

from backend_architect.spec.model import PUSH_KINDS, Spec, UseCaseSpec


def push_providers(spec: Spec) -> list[str]:
    """The spec's push providers (externals of a push kind), in spec order."""
    return [name for name, e in spec.external.items() if (e.kind or "").lower() in PUSH_KINDS]


def pushes_of(spec: Spec, use_case: UseCaseSpec) -> list[str]:
    """The providers ``use_case``'s recipients are pushed through: those it notifies, else all when no use case names one.

    >>> spec = Spec.model_validate({"system": "s", "external": {"fcm": {"kind": "push"}}, "entities": {"A": {}},
    ...     "use_cases": [{"name": "add a", "writes": ["A"], "deliver": "realtime"}]})
    >>> pushes_of(spec, spec.use_cases[0])
    ['fcm']
    """
    providers = push_providers(spec)
    named = [p for p in providers if p in use_case.notify]
    if named:
        return named
    mode = use_case.deliver.mode if use_case.deliver is not None else None
    if mode == "push":
        return providers
    chosen = any(p in u.notify for u in spec.use_cases for p in providers)
    return providers if mode == "realtime" and not chosen else []


def pushes_reaching(spec: Spec, use_case: UseCaseSpec, offline_people: bool) -> list[str]:
    """The providers that actually push for ``use_case``: those it names, every one for ``deliver: push``, else the unnamed ones
    only where its recipients are people some of whom are not connected (nobody offline to reach: nothing to push)."""
    found = pushes_of(spec, use_case)
    mode = use_case.deliver.mode if use_case.deliver is not None else None
    return found if set(found) & set(use_case.notify) or mode == "push" or offline_people else []


def shares(spec: Spec, providers: list[str]) -> dict[str, float]:
    """Each provider's share of one use case's notifications: stated shares, the rest split equally, the whole summing to 1.

    >>> spec = Spec.model_validate({"system": "s", "external": {"fcm": {"kind": "push", "share": "70%"}, "apns": {"kind": "push"}},
    ...     "entities": {"A": {}}})
    >>> shares(spec, ["fcm", "apns"])
    {'fcm': 0.7, 'apns': 0.30000000000000004}
    """
    stated = {p: spec.external[p].share for p in providers if spec.external[p].share is not None}
    rest = [p for p in providers if p not in stated]
    left = max(0.0, 1.0 - sum(v for v in stated.values() if v is not None))
    raw = {p: (stated[p] or 0.0) if p in stated else left / len(rest) for p in providers}
    total = sum(raw.values())
    return {p: v / total if total else 1.0 / len(providers) for p, v in raw.items()}


def shares_assumption(spec: Spec) -> str | None:
    """The assumption behind the split, when two or more providers share a use case's pushes and one states no share."""
    groups = [tuple(pushes_of(spec, u)) for u in spec.use_cases]
    unstated = sorted({p for g in groups if len(g) > 1 for p in g if spec.external[p].share is None})
    if not unstated:
        return None
    group = next(g for g in groups if len(g) > 1 and any(p in unstated for p in g))
    split = shares(spec, list(group))
    parts = ", ".join(f"{p} {split[p]:.0%}" for p in group)
    return (
        f"external.{'/'.join(unstated)}.share: not given; each push goes to one device through its platform's provider, "
        f"the providers without a stated share splitting the rest equally ({parts})"
    )


__all__ = ["PUSH_KINDS", "push_providers", "pushes_of", "pushes_reaching", "shares", "shares_assumption"]
