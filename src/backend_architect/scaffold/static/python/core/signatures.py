"""Callbacks from an external system (a payment processor's webhook): its HMAC-SHA256 signature of the raw body, checked.

The provider holds no user's token; it sends ``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``
keyed with a secret it shares with this service (Stripe's scheme). The service recomputes the signature over the bytes it
received, compares in constant time (no timing oracle), and refuses a timestamp more than five minutes from its clock, so
a captured request cannot be replayed later. The secret comes from the environment and is never logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from fastapi import Request

from .problems import Problem

HEADER = "x-signature"
#: Seconds a signature's timestamp may be from this server's clock (Stripe's default tolerance).
TOLERANCE_S = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value a provider sends for ``body`` at ``timestamp`` (the tests sign with it too).

    >>> sign("s", b"{}", 1)
    't=1,v1=b253639bcd705ed1cda3073f66104f16988bd40272584dea7d0d345ae93e61cc'
    """
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _parts(value: str) -> tuple[int, list[str]] | None:
    """The timestamp and the v1 signatures of a header (several during a secret's rotation); None when malformed."""
    stamp: int | None = None
    signatures = []
    for item in value.split(","):
        key, _, text = item.strip().partition("=")
        if key == "t" and text.isdigit() and len(text) <= 12:
            stamp = int(text)
        elif key == "v1" and text:
            signatures.append(text)
    return (stamp, signatures) if stamp is not None and signatures else None


def verify(secret: str | None, header: str | None, body: bytes, now: float) -> str | None:
    """Why the request is refused, or None when ``header`` signs ``body`` with ``secret`` within the tolerance."""
    if not secret:
        return "No secret is configured for this caller, so no request can be verified."
    parts = _parts(header or "")
    if parts is None:
        return "This operation needs an X-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256>."
    stamp, signatures = parts
    if abs(now - stamp) > TOLERANCE_S:
        return "The signature's timestamp is too far from the server's clock."
    expected = sign(secret, body, stamp).partition(",v1=")[2]
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        return "The signature does not match the request."
    return None


async def require(request: Request, system: str, secrets: Mapping[str, str]) -> None:
    """401 unless the request carries ``system``'s valid signature of its raw body."""
    refused = verify(secrets.get(system), request.headers.get(HEADER), await request.body(), time.time())
    if refused is not None:
        raise Problem(401, refused)
