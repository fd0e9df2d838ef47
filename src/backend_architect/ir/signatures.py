"""The signature an external system's callbacks carry: one contract the design, the OpenAPI renderer and the scaffold share.

A provider calling back (a payment processor's webhook) holds no user's token; it signs the raw body with a secret
shared with the service, the way Stripe does, so the service can tell its calls from anyone's and refuse a replay.
"""

from __future__ import annotations

#: The header carrying ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``.
SIGNATURE_HEADER = "X-Signature"
#: How far a signature's timestamp may be from the server's clock before it is refused as a replay (Stripe's default).
TOLERANCE_S = 300
#: The security scheme's name in the contracts.
SCHEME_NAME = "webhookSignature"
#: The setting holding each system's secret by its name (the environment's ``WEBHOOK_SECRETS``, JSON), never logged.
SECRETS_SETTING = "WEBHOOK_SECRETS"

__all__ = ["SCHEME_NAME", "SECRETS_SETTING", "SIGNATURE_HEADER", "TOLERANCE_S"]
