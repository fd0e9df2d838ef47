"""How callers authenticate: the auth-flow decision, the scheme the contracts declare, and what the reviewer checks.

Three flows the engine builds: OAuth 2.0 / OpenID Connect with JWT bearer tokens (the
default: any client, any identity provider, scopes in the token), session cookies (one
first-party web client; the server keeps the session), and API keys (machine clients with
no user behind them). The spec author may choose another with ``decisions: {auth: {choose:
session cookies, reason: ...}}``; the contracts, the security model and the review items
follow the flow chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.design.callbacks import signing_system
from backend_architect.design.defaults import PEOPLE
from backend_architect.design.overrides import settled, steer
from backend_architect.design.semantics import has_password
from backend_architect.ir.model import Alternative, Decision
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake


@dataclass(frozen=True)
class Flow:
    """One authentication flow: how the contracts declare it, the token or credential, and its first review item."""

    name: str
    scheme: str
    token: str
    check: str
    fits: str
    misfits: str


FLOWS: dict[str, Flow] = {
    "oauth2": Flow(
        "OAuth 2.0 / OpenID Connect",
        "oauth2",
        "JWT (RS256) bearer access tokens, 15 minute lifetime",
        "Verify JWT signature, issuer, audience and expiry on every request; reject 'alg: none' and symmetric keys from clients",
        "any client (web, mobile, other services) and any compliant identity provider; scopes travel in the token and every service verifies it without a call",
        "a token service and key rotation to run (or buy) for what may be one first-party web client",
    ),
    "session-cookie": Flow(
        "session cookies",
        "session-cookie",
        "opaque session id in a __Host- cookie (HttpOnly, Secure, SameSite=Lax), 12 hour idle timeout, server-side session store",
        "Look the session up on every request, rotate its id at login, revoke it at logout and on password change; state-changing "
        "requests carry a CSRF token (double-submit) checked against the session",
        "one first-party web client on the same site: no token handling in the browser, instant revocation",
        "a session store every instance reads; native and third-party clients and other services need another flow",
    ),
    "api-key": Flow(
        "API keys",
        "api-key",
        "random 256-bit API keys sent as X-API-Key, stored hashed (SHA-256), rotated by issuing a second key",
        "Compare the hash of the X-API-Key header in constant time on every request; keys are scoped, expire and are revocable",
        "machine clients (devices, partner systems) with no user behind them",
        "no user identity or consent: people signing in need another flow",
    ),
}


def auth_flow(spec: Spec, analysis: Analysis) -> tuple[Flow, Decision]:
    """The flow the numbers choose (OpenID Connect, unless every caller is a machine) or the spec author chose, with its record."""
    callers = sorted({u.spec.actor for u in analysis.use_cases if u.kind != "job" and u.spec.auth != "none"})
    # an external system calling back signs its requests (``design.callbacks``): it holds no token of this flow
    signed = [a for a in callers if signing_system(spec, a) is not None]
    actors = [a for a in callers if a not in signed]
    machines = [a for a in actors if _machine(spec, a)]
    by_numbers = "api-key" if actors and len(machines) == len(actors) else "oauth2"
    steered = steer(spec, "auth", by_numbers, {key: [flow.name] for key, flow in FLOWS.items()})
    built = _record(spec, FLOWS[steered.build], actors, machines, signed)
    numbers = _record(spec, FLOWS[by_numbers], actors, machines, signed) if steered.overruled else built
    return FLOWS[steered.build], settled(steered, numbers, built)


def _machine(spec: Spec, actor: str) -> bool:
    """An actor that is an entity holding no personal data (a Device, a Sensor): a machine, not a person.

    People are never machines, whatever their fields: an entity they log in as (a password), or one named for
    people (a User with a username and nothing marked pii is still a person).
    """
    name, entity = next(((n, e) for n, e in spec.entities.items() if n.lower() == actor.lower()), ("", None))
    if entity is None or has_password(entity) or snake(name) in PEOPLE:
        return False
    return not any(f.pii or f.secret for f in entity.fields.values())


def _record(spec: Spec, flow: Flow, actors: list[str], machines: list[str], signed: list[str]) -> Decision:
    """The record of ``flow``: who signs in by it (people, machines) and, apart, who calls back by signature instead.

    Why apart: a payment provider's webhook carries an HMAC signature and no bearer token, so naming it among those who
    "sign in as people" would contradict its contract.
    """
    provider = spec.constraints.auth
    choice = f"{flow.name}: {flow.token}" + (f", issued by {provider}" if provider and flow.scheme == "oauth2" else "")
    people = [a for a in actors if a not in machines]
    return Decision(
        id="auth",
        area="security",
        title="Authentication flow",
        choice=choice,
        context=f"authenticated callers: {', '.join(actors) or 'none'}"
        + (f" ({', '.join(machines)} {'is a machine' if len(machines) == 1 else 'are machines'})" if machines else "")
        + (f"; identity provider: {provider}" if provider else "")
        + (f"; signed callbacks (no bearer token, an HMAC signature checked per request): {', '.join(signed)}" if signed else ""),
        rationale=f"fits {flow.fits}" + (f"; {', '.join(people)} sign in as people" if people and flow.scheme == "oauth2" else ""),
        alternatives=[Alternative(name=other.name, why_not=f"fits {other.fits}, but {other.misfits}") for other in FLOWS.values() if other is not flow],
        inputs={"actors": float(len(actors)), "machine_actors": float(len(machines))},
        choices=[f.name for f in FLOWS.values()],
    )
