"""Who decides that a recipient is offline, and how every section says it: the push sender, from the gateway's Redis.

A live delivery that pushes its recipients not connected needs someone to tell connected from not. The gateway and the
push sender both consume the write's event; the gateway publishes on every recipient's channel and reads nothing before
it does, so the push sender decides: for each message it looks up every recipient's presence key (an entity keeping
presence), else its entry in the gateway's connection registry, both in the gateway's Redis, and pushes to those with
none. It therefore holds the Redis setting, is drawn linked to Redis, and its lookups are counted on Redis (one key per
recipient of each message). Without a gateway every recipient of a push is pushed to and nothing is read.

One rule for every design with both a gateway and a push provider; one sentence (``offline_rule``) for the presence
decision, the delivery decisions, the push sender's decision and the channels' offline text.
"""

from __future__ import annotations

from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake


def offline_key(spec: Spec, entity: str | None) -> str:
    """The Redis key that says a recipient is connected: its presence key, else its connection registry entry.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"Driver": {"presence": {"offline_after": "30s"}}, "Rider": {}}})
    >>> offline_key(spec, "Driver"), offline_key(spec, "Rider")
    ('presence key (presence:driver:{id})', "entry in the gateway's connection registry")
    """
    body = spec.entities.get(entity or "")
    if body is not None and body.presence is not None and entity is not None:
        return f"presence key (presence:{snake(entity)}:{{id}})"
    return "entry in the gateway's connection registry"


def offline_finder(spec: Spec, entity: str | None, sender: str) -> str:
    """How ``sender`` tells the recipients offline (rows of ``entity``): the first half of ``offline_rule``, for texts that
    already name the push (a channel's offline text).

    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {}}})
    >>> offline_finder(spec, "User", "push-sender")
    "push-sender looks up each recipient's entry in the gateway's connection registry in Redis, one key a recipient of each message: one with none is offline"
    """
    return f"{sender} looks up each recipient's {offline_key(spec, entity)} in Redis, one key a recipient of each message: one with none is offline"


def offline_rule(spec: Spec, entity: str | None, sender: str, providers: list[str]) -> str:
    """The one sentence of who is offline and who pushes to it, for recipients that are rows of ``entity``.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {"presence": {"offline_after": "30s"}}}})
    >>> said = offline_rule(spec, "User", "push-sender", ["APNs", "FCM"])
    >>> said.startswith("push-sender looks up each recipient's presence key (presence:user:{id}) in Redis")
    True
    >>> said.split(": ")[1]
    'one with none is offline, and push-sender sends it a push notification through APNs, FCM'
    """
    return f"{offline_finder(spec, entity, sender)}, and {sender} sends it a push notification through {', '.join(providers)}"


__all__ = ["offline_finder", "offline_key", "offline_rule"]
