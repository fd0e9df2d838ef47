"""A local signing key standing in for the identity provider: the service verifies tokens against its JWKS."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://identity.test/"
AUDIENCE = "api.test"
KEY_ID = "test-key"


class Keys:
    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        public.update(kid=KEY_ID, alg="RS256", use="sig")
        self.jwks = json.dumps({"keys": [public]})
        #: The same key, private: the service signs its own sessions' tokens with it (log in), so they verify like these.
        private = json.loads(RSAAlgorithm.to_jwk(self.private))
        private.update(kid=KEY_ID, alg="RS256", use="sig")
        self.signing_jwk = json.dumps(private)

    def token(
        self, subject: str, scopes: Iterable[str] = (), tenant: str | None = None, *, issuer: str = ISSUER, lifetime_s: int = 900, service: bool = False
    ) -> str:
        """A person's token (issued to the web app's client), or with ``service`` a service's: client credentials, so RFC 9068 makes
        its subject the client's own id."""
        now = int(time.time())
        claims = {"iss": issuer, "aud": AUDIENCE, "sub": subject, "iat": now, "exp": now + lifetime_s, "jti": uuid.uuid4().hex, "scope": " ".join(scopes)}
        claims["client_id"] = subject if service else "web-app"
        if tenant is not None:
            claims["tenant_id"] = tenant
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": KEY_ID})

    def headers(self, subject: str, scopes: Iterable[str] = (), tenant: str | None = None, *, service: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, scopes, tenant, service=service)}"}
