"""Calls from outside: an external system calling back (a payment processor's webhook) proves who it is by a signature.

Such a caller holds no user's token, so the operation takes none; yet a public write lets anyone set
a payment's status. The provider and the service share a secret instead: the provider sends
``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`` (Stripe's scheme), and the
service recomputes it over the bytes it received, compares in constant time, and refuses a signature
more than ``TOLERANCE_S`` from its clock (a replayed request). The secret comes from the environment
(one per provider, so one leak is one rotation) and is never logged. The contract declares the header
as a security scheme with a 401 for a bad one (``ir.signatures`` holds the names all three share).
"""

from __future__ import annotations

import re

from backend_architect.ir.model import Architecture
from backend_architect.ir.signatures import SECRETS_SETTING, SIGNATURE_HEADER, TOLERANCE_S
from backend_architect.spec.model import Spec

#: Words an actor's name uses for a provider calling back when the spec lists no external system by that name.
_CALLBACK_WORDS = frozenset({"webhook", "webhooks", "callback", "callbacks"})


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def signing_system(spec: Spec, actor: str) -> str | None:
    """The external system that calls as ``actor``, which signs its requests; None for a user or the system itself.

    The actor is an external system when it names one of the spec's ``external`` systems (``PaymentProcessor``,
    ``payment processor``) or its kind (``payment``), or calls itself a webhook or callback: each is a provider
    calling in, never a person holding a token.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"A": {}}, "external": {"Stripe": {"kind": "payment"}}})
    >>> [signing_system(spec, a) for a in ("stripe", "payment", "carrier_webhook", "customer", "system")]
    ['Stripe', 'Stripe', 'carrier_webhook', None, None]
    """
    wanted = _key(actor)
    for name, external in spec.external.items():
        if _key(name) == wanted or (external.kind and _key(external.kind) == wanted):
            return name
    if _CALLBACK_WORDS & set(re.split(r"[^a-z0-9]+", actor.lower())):
        return actor
    return None


def signature_sentence(system: str) -> str:
    """What the contract and the design say of a signed operation.

    >>> signature_sentence("Stripe")[:72]
    'Called by Stripe, not by a user: no bearer token; the request carries X-'
    """
    return (
        f"Called by {system}, not by a user: no bearer token; the request carries {SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex "
        f'HMAC-SHA256 of "<t>.<raw body>"> keyed with the secret shared with {system} (the {SECRETS_SETTING} setting). '
        "A missing or wrong signature, "
        f"or one more than {TOLERANCE_S // 60} minutes from the server's clock (a replay), answers 401."
    )


def callback_lines(arch: Architecture) -> list[str]:
    """Per external system, the operations it calls and how the service knows it is them: the design's security section
    says it where a reviewer looks for every route's authentication, not only in each operation's description."""
    by: dict[str, list[str]] = {}
    for api in arch.apis:
        for op in api.operations:
            if op.signed_by:
                by.setdefault(op.signed_by, []).append(f"{op.method.upper()} {api.base_path}{op.path}")
    return [
        f"{system} calls {', '.join(ops)} without a user's token: each request is signed ({SIGNATURE_HEADER}: HMAC-SHA256 of "
        f"the timestamp and the raw body with the secret shared with {system}, from {SECRETS_SETTING}); the service compares in constant "
        f"time, refuses a timestamp more than {TOLERANCE_S // 60} minutes off (replays) with 401, and never logs the secret or the header"
        for system, ops in sorted(by.items())
    ]


__all__ = ["callback_lines", "signature_sentence", "signing_system"]
