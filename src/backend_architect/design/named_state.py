"""The state a write is named for: 'mark message read' makes a Receipt whose status is read, not its first value.

A row's lifecycle state is server-owned (see ``design.ownership``): a create leaves it out of
the body and the row starts at the enum's first value. A write whose name says a value of
that enum -- 'mark message read' on ``status: enum[delivered, read]``, 'accept invitation' on
``state: enum[pending, accepted]``, 'cancel booking' -> cancelled -- sets that value instead,
whatever its shape: a create, a link made by ``PUT`` on its pair, a whole replacement (``PUT``) or a custom method. The
server sets it (the client never sends a state), the contract says so and its example shows
it, and the scaffold stores it. An update that names the state field sends it in its body
instead (the merge patch chooses it), so it sets nothing by name here.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase
from backend_architect.design.ownership import is_state
from backend_architect.spec.model import Spec

#: States a lifecycle verb leads to when its past tense is not one ('end trip' -> completed, 'start shift' -> in_progress).
OUTCOMES = {
    "end": ("completed", "finished", "done", "closed"),
    "finish": ("completed", "finished", "done"),
    "complete": ("completed", "done"),
    "start": ("started", "in_progress", "active", "ongoing", "running"),
    "begin": ("started", "in_progress", "active"),
    "cancel": ("cancelled", "canceled"),
    "close": ("closed", "resolved", "done"),
    "resolve": ("resolved", "closed"),
    "approve": ("approved", "accepted"),
    "deny": ("denied", "rejected", "declined"),
    "reject": ("rejected", "declined", "denied"),
    "decline": ("declined", "rejected"),
    "pay": ("paid",),
}

#: Shapes of write that leave the state out of their body (a create, a whole replacement, a custom method), so the server sets the one they are named for.
_SETTING_KINDS = frozenset({"create", "replace", "action"})


def wanted_values(name: str, creates: bool = False) -> list[str]:
    """The enum values a write's name may mean, best first: its verb's past tense and outcomes, then its words
    (less the bare verb when the write ``creates`` the row).

    >>> wanted_values("mark message read")[:2], wanted_values("accept invite")[0], wanted_values("end trip")[1]
    (['marked', 'mark'], 'accepted', 'completed')
    """
    from backend_architect.design.communication import past_tense

    words = name.lower().replace("-", " ").split()
    if not words:
        return []
    verb = words[0]
    return [past_tense(verb).lower(), *OUTCOMES.get(verb, ()), *(words[1:] if creates else words)]


def named_value(name: str, values: list[str] | tuple[str, ...], creates: bool = False) -> str | None:
    """The value of ``values`` the write ``name`` is named for, or None.

    ``creates``: the write makes the row, so its bare verb says only that ('open ticket' opens a
    ticket, which starts ``new``); its past tense, outcomes and other words still name a value.

    >>> named_value("mark message read", ["delivered", "read"]), named_value("accept friend request", ["pending", "accepted"])
    ('read', 'accepted')
    >>> named_value("follow user", ["pending", "accepted"]) is None, named_value("open ticket", ["new", "open"], creates=True) is None
    (True, True)
    """
    for word in wanted_values(name, creates):
        for value in values:
            if str(value).lower() == word:
                return str(value)
    return None


def named_state(spec: Spec, use_case: UseCase) -> dict[str, str]:
    """The lifecycle states ``use_case`` sets by its name, field -> value (empty when it names none or sends them).

    Only writes that leave the state out of their body (a create, a link's ``PUT``, a custom method);
    an update naming the field sends the value it moves to.
    """
    if use_case.kind not in _SETTING_KINDS:
        return {}
    body = spec.entities.get(use_case.entity)
    if body is None:
        return {}
    out = {}
    for field_name, field in body.fields.items():
        if field.generated is False or not is_state(field_name, field):
            continue
        value = named_value(use_case.name, field.type.values, creates=use_case.kind == "create")
        if value is not None:
            out[field_name] = value
    return out
