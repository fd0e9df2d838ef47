"""Which answers of a rate-limited operation carry the RateLimit headers, and the sentence of the contract saying so.

The scaffolded service adds the limiter's headers to the answers of requests it counted; the contract
declares them on exactly those responses and its description lists them, so no prose promises more.
"""

from __future__ import annotations

from backend_architect.ir.model import RateLimit

#: The problems the scaffolded service answers after its rate limiter admitted the request, so they carry the limiter's
#: RateLimit headers (``core.services.begin`` runs first in every route). A 401 or 403 is answered before the request is
#: counted, and a 400 or 500 may be (a malformed parameter fails before the route runs; a bug leaves through the logging
#: middleware), so those declare no RateLimit headers; a 429 carries them with Retry-After.
LIMITED_ERRORS = frozenset({404, 409, 412, 422, 451, 503})


def limits_text(carried: list[RateLimit], statuses: set[int]) -> str:
    """The limits this API's operations carry, per actor and class (the security model's, as each operation states it), and
    which of their answers carry the RateLimit headers: the ones the responses declare them on (``LIMITED_ERRORS``), no more."""
    if not carried:
        return ""
    unique = sorted({(r.actor, r.operation_class, r.limit_per_minute, r.burst) for r in carried})
    parts = [f"{actor} {cls} operations {per_minute} requests a minute (bursts of {burst})" for actor, cls, per_minute, burst in unique]
    with_headers = _and(sorted(statuses & LIMITED_ERRORS))
    without = _and(sorted(statuses - LIMITED_ERRORS - {429}))
    text = (
        " Rate limits, per token subject (per client IP for public operations): " + "; ".join(parts) + ". A rate-limited operation's "
        f"success response{f' and its {with_headers} problems' if with_headers else ''} carry `RateLimit` and `RateLimit-Policy`, "
        "as does a 429, with `Retry-After`"
    )
    if without:
        text += f"; its {without} problems are not promised them (they can be answered before the request is counted or the operation runs)"
    return text + "."


def _and(statuses: list[int]) -> str:
    """
    >>> _and([400, 401, 500])
    '400, 401 and 500'
    """
    words = [str(s) for s in statuses]
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
