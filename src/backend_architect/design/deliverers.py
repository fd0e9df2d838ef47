"""Who moves data after a commit: each delivery to an external system and each cross-shard apply is one named worker.

An event leaves the outbox through the relay, which only publishes it to the broker (or hands it on in process): a relay
reading a log (Debezium) calls no third-party API. Whatever the event must then reach outside the database is done by a
worker consuming it, named once here and used by every section: the push sender calling APNs and FCM for the recipients
not connected, a webhook or e-mail deliverer calling its provider, the applier upserting a write's rows that live on other
shards (PAT053). That worker is the event's consumer (AsyncAPI, the hand-off's integration, the events table), is drawn
between the broker and the external it calls, is sized, and alone holds the external's credentials: the service that
committed the write reaches only the broker.
"""

from __future__ import annotations

import math
import re

from backend_architect.spec.model import PUSH_KINDS, Spec

#: Sends/s one delivering worker instance makes: a few HTTP/2 connections to the provider, each multiplexing about 125
#: requests in flight answered in about 100 ms by APNs, FCM or a webhook endpoint, so about 5,000/s per instance.
SENDS_PER_INSTANCE = 5_000.0
#: Rows/s one applier instance upserts on their shards: an idempotent INSERT ... ON CONFLICT of a few milliseconds, batched
#: per shard, about 2,000/s per instance.
APPLIES_PER_INSTANCE = 2_000.0
#: Instances of a delivering worker at the least: one may fail or be redeployed while the other keeps delivering.
MIN_INSTANCES = 2


def sender_of(spec: Spec, external: str) -> str:
    """The worker that delivers events to ``external``: one per kind of external (the push providers share one, which keeps
    the device tokens and picks the provider by platform), named by the kind, or by the external when it states none.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"A": {}}, "external": {"apns": {"kind": "push"},
    ...     "fcm": {"kind": "notification"}, "partners": {"kind": "webhook"}, "mailer": {}}})
    >>> [sender_of(spec, n) for n in ("apns", "fcm", "partners", "mailer")]
    ['push-sender', 'push-sender', 'webhook-sender', 'mailer-sender']
    """
    kind = (spec.external[external].kind or "").lower() if external in spec.external else ""
    label = "push" if kind in PUSH_KINDS else re.sub(r"[^a-z0-9]+", "-", kind).strip("-") or re.sub(r"[^a-z0-9]+", "-", external.lower()).strip("-")
    return f"{label}-sender"


def senders(spec: Spec, externals: list[str]) -> list[str]:
    """The workers delivering to ``externals``, each once, in their order."""
    return list(dict.fromkeys(sender_of(spec, e) for e in externals))


def calls_of(spec: Spec, sender: str) -> list[str]:
    """The externals ``sender`` calls: every external of the spec delivered through it, in spec order."""
    return [name for name in spec.external if sender_of(spec, name) == sender]


def applier_of(service: str) -> str:
    """The worker of ``service`` applying the rows its writes put on other shards (PAT053): it runs in the service, which
    owns the database those rows live in.

    >>> applier_of("trips")
    'trips-shard-applier'
    """
    return f"{service}-shard-applier"


def instances_for(rate: float, per_instance: float) -> int:
    """Instances that carry ``rate`` per second at ``per_instance`` each, never fewer than ``MIN_INSTANCES``.

    >>> instances_for(166_667, SENDS_PER_INSTANCE), instances_for(10, SENDS_PER_INSTANCE)
    (34, 2)
    """
    return max(MIN_INSTANCES, math.ceil(rate / per_instance))


__all__ = [
    "APPLIES_PER_INSTANCE",
    "MIN_INSTANCES",
    "SENDS_PER_INSTANCE",
    "applier_of",
    "calls_of",
    "instances_for",
    "sender_of",
    "senders",
]
