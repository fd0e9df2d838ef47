"""Stage 7: authentication, authorization, rate limits, sensitive data and compliance."""

from __future__ import annotations

import math
from collections.abc import Sequence

from backend_architect.design import blob_contract
from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.api.personal_views import withheld_lines
from backend_architect.design.audience import MACHINES, Audience, audiences
from backend_architect.design.auth_flow import auth_flow
from backend_architect.design.callbacks import callback_lines, signing_system
from backend_architect.design.catch_up_limits import CatchUp, catch_ups
from backend_architect.design.member_rows import creator_item, made_with
from backend_architect.design.member_writes import write_item
from backend_architect.design.membership import member_item
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import size
from backend_architect.design.patterns._playback import PLAYBACK_URL_TTL_S, is_video
from backend_architect.design.patterns.apply import merge_components
from backend_architect.design.service_limits import service_limits
from backend_architect.ir.model import Architecture, RateLimit, SecurityModel
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: Default token-bucket limits per client for interactive users: generous for people,
#: tight enough to stop scraping and credential stuffing (OWASP API4:2023).
USER_READS_PER_MINUTE = 600
USER_WRITES_PER_MINUTE = 120
#: Burst: ten seconds' worth of the limit.
BURST_SECONDS = 10

_COMPLIANCE_NOTES = {
    "gdpr": "GDPR: record a lawful basis per PII field; support export and erasure (soft-deleted rows purged within 30 days); keep PII in the EU region",
    "pci": "PCI DSS: never store card numbers (PAN) or CVV; use the payment provider's tokens; keep the payment flow out of scope by redirect or hosted fields",
    "hipaa": "HIPAA: encrypt PHI at rest and in transit, log every access to PHI, sign BAAs with hosting providers",
    "soc2": "SOC 2: audit trail of changes, access reviews, encrypted backups with restore tests",
}


#: Limits allow this many times a client's share of the actor's peak rate: bursty clients stay unthrottled.
HEADROOM = 5
#: No limit goes below these per minute, so a normal interactive session is never throttled.
FLOOR_PER_MINUTE = {"read": 60, "write": 20}


def _clients(audience: Audience) -> tuple[float, str] | None:
    """How many clients share an actor's traffic at the peak: the audience model's figure for the actor.

    None when nothing in the spec grounds it (no people figure, no rows of its own): limits stay at their defaults.
    """
    if not audience.grounded or audience.clients <= 0:
        return None
    how = f"{audience.entity} {audience.formula}" if audience.formula == MACHINES else audience.formula
    return audience.clients, f"{audience.clients:,.0f} {audience.actor} clients online at peak ({how})"


def _rate_limit(audience: Audience, op_class: str, theirs: list[UseCase], default: int, catching: Sequence[CatchUp] = ()) -> RateLimit:
    """A token bucket per client: the client's share of the actor's peak, times the headroom, or the default; at least what
    its catch-up reads need to page through their streams faster than they produce (``design/catch_up.py``)."""
    actor = audience.actor
    peak = sum(u.peak_qps for u in theirs)
    clients = _clients(audience)
    needed = math.ceil(sum(c.per_minute for c in catching))
    caught_up = "; ".join(c.said() for c in catching)
    if clients is None or peak == 0:
        limit, why = default, "default for interactive clients (no client count or rate to derive from)"
    else:
        share = peak * 60 / clients[0]
        limit = max(FLOOR_PER_MINUTE[op_class], math.ceil(share * HEADROOM))
        floor = f", raised to the floor of {limit}/min" if limit == FLOOR_PER_MINUTE[op_class] and needed <= limit else ""
        why = f"{peak:,.1f} req/s at peak over {clients[1]} = {share:,.2f}/min per client, x{HEADROOM} headroom{floor}"
    if needed > limit:
        # a client that missed part of a stream pages through it faster than it produces, or never catches up
        limit, why = needed, f"{why}; raised to what a client catching up needs ({caught_up})"
    elif catching:
        why += f"; enough for catching up ({caught_up})"
    # what it covers is not said here: design.md reads it from the operations' assignment (``ir.limit_covers``)
    return RateLimit(
        actor=actor,
        operation_class=op_class,
        limit_per_minute=limit,
        burst=max(1, limit * BURST_SECONDS // 60),
        rationale=why,
        use_cases=[u.name for u in theirs],
    )


def derive_security(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """The security model: who authenticates how, who may do what, and what is sensitive."""
    use_cases = analysis.use_cases
    provider = spec.constraints.auth
    scopes = {scope: text for api in arch.apis for scope, text in api.scopes.items()}
    limits = []
    audience = audiences(spec, analysis)
    catching = catch_ups(analysis, arch, audience)
    # a job and a reaction (``after``) are the server's own work: no client holds a bucket for them
    for actor in sorted({u.spec.actor for u in use_cases if u.kind != "job" and not u.is_reaction}):
        for op_class, default in (("read", USER_READS_PER_MINUTE), ("write", USER_WRITES_PER_MINUTE)):
            theirs = [u for u in use_cases if u.spec.actor == actor and u.is_write == (op_class == "write") and u.kind != "job" and not u.is_reaction]
            if theirs:
                mine = [c for c in catching if c.read in theirs]
                limits.append(_rate_limit(audience.of(actor), op_class, theirs, default, mine))
    defaults = {"read": USER_READS_PER_MINUTE, "write": USER_WRITES_PER_MINUTE}
    limits += service_limits(spec, analysis, arch, HEADROOM, FLOOR_PER_MINUTE, defaults, BURST_SECONDS)
    pii = [f"{t.name}.{c.name}" for s in arch.datastores for t in s.tables for c in t.columns if c.pii]
    secrets = [f"{t.name}.{c.name}" for s in arch.datastores for t in s.tables for c in t.columns if c.secret]
    tenant = any(t.tenant_scoped for s in arch.datastores for t in s.tables)
    flow, decision = auth_flow(spec, analysis)
    items = [flow.check, "Check object-level authorization on every id in a path (OWASP API1:2023, BOLA)"]
    if any(u.spec.owner_only for u in use_cases):
        items.append(
            "Owner-only operations: " + ", ".join(u.name for u in use_cases if u.spec.owner_only) + " must compare the resource owner to the token subject"
        )
    items += [member_item(c) for c in arch.membership_checks]
    items += [write_item(w) for w in arch.member_writes]
    # a create of a scope adds members too: its line says whom, from the reading its contract and assumption come from
    items += [creator_item(u.name, u.entity, made) for u in use_cases for c in u.children if (made := made_with(spec, u.spec, u.entity, c, analysis.people))]
    if secrets:
        items.append("Secret fields are write-only in the API and must be hashed (argon2id) or encrypted: " + ", ".join(secrets))
    if pii:
        items.append("PII fields must be excluded from logs and traces: " + ", ".join(pii))
    if tenant:
        items.append("Tenant isolation: every query filters on tenant_id; PostgreSQL row-level security enforces it as a second line")
    items += _file_items(spec)
    # a provider's callback is signed, not public (design.callbacks): it is reviewed as such, not as an anonymous route
    public = [u.name for u in use_cases if u.spec.auth == "none" and signing_system(spec, u.spec.actor) is None]
    if public:
        items.append("Public operations: " + ", ".join(public) + " need rate limits per IP and no PII in responses")
    callbacks = callback_lines(arch)
    items += [f"Verify the signature: {line}" for line in callbacks]
    if flow.scheme == "oauth2":
        authentication = f"OAuth 2.0 / OpenID Connect with {provider}" if provider else "OAuth 2.0 / OpenID Connect (any compliant identity provider)"
    else:
        authentication = f"{flow.name[:1].upper()}{flow.name[1:]}" + (
            f" (the spec author's choice: {decision.author_reason})" if decision.author_reason else ""
        )
    model = SecurityModel(
        authentication=authentication,
        provider=provider,
        scheme=flow.scheme,
        token=flow.token,
        scopes=dict(sorted(scopes.items())),
        rate_limits=limits,
        pii_fields=pii,
        secret_fields=secrets,
        tenant_isolation="tenant_id on every tenant-scoped row, taken from the token's tenant claim, enforced by row-level security" if tenant else None,
        audit=["authentication failures", "permission denials", *[f"writes: {u.name}" for u in use_cases if u.changes_rows and u.kind in {"delete", "action"}]],
        compliance=[_COMPLIANCE_NOTES[c] for c in spec.constraints.compliance],
        callbacks=callbacks,
        withheld=withheld_lines(arch),
        review_items=items,
    )
    assumptions = list(arch.assumptions)
    if provider is None and flow.scheme == "oauth2":
        assumptions.append("constraints.auth: not given; any OpenID Connect provider issuing JWT access tokens")
    components = list(arch.components)
    if flow.scheme == "session-cookie":
        components = merge_components(components, [_session_store(spec, arch, audience.clients)])
    assumptions += [a for a in audience.assumptions() if a not in assumptions]
    known = {f.key for f in arch.figures}
    figures = [*arch.figures, *(f for f in [*audience.figures(), *(c.figure() for c in catching)] if f.key not in known)]
    update = {"security": model, "assumptions": assumptions, "decisions": [*arch.decisions, decision], "components": components, "figures": figures}
    return arch.model_copy(update=update)


def _file_items(spec: Spec) -> list[str]:
    """The blob contract's security, stated with its bounds (``design.blob_contract``): what a reviewer checks for files."""
    blobs = [(e, n, f) for e, body in spec.entities.items() for n, f in body.fields.items() if f.type.kind == "blob"]
    if not blobs:
        return []
    bounds = "; ".join(f"{table_name(e)}.{n}: at most {size(blob_contract.max_bytes(f))}, {', '.join(blob_contract.content_types(n, f))}" for e, n, f in blobs)
    # a video the media pipeline renders plays by signed manifests living as long as a film (the playback contract's lifetime);
    # every other file downloads by a short-lived URL: each is stated with its own lifetime
    played = [f"{table_name(e)}.{n}" for e, n, f in blobs if f.media is not None and is_video(f.media)]
    fetched = [f"{table_name(e)}.{n}" for e, n, f in blobs if not (f.media is not None and is_video(f.media))]
    served = (
        "answered after the item's own authorization with Cache-Control: no-store; signed URLs are never logged; the bucket is private "
        "(no public listing or ACLs)"
    )
    return [
        f"Files are uploaded only by pre-signed PUT URLs valid {blob_contract.UPLOAD_URL_TTL_S // 60} min, each bound to the declared content "
        f"type and size ({bounds}); creating the row confirms the object under a key the service issued (never a key the client makes up)",
        *([f"Files are downloaded only by signed URLs valid {blob_contract.DOWNLOAD_URL_TTL_S // 60} min ({', '.join(fetched)}), {served}"] if fetched else []),
        *(
            [
                f"Videos play only by signed manifest URLs valid {PLAYBACK_URL_TTL_S // 3600} h ({', '.join(played)}: the token covers the "
                f"segments of a whole film), never the original, {served}"
            ]
            if played
            else []
        ),
    ]


#: Bytes one server-side session takes in the store (id, user, CSRF secret, expiry, allocator overhead).
SESSION_BYTES = 512


def _session_store(spec: Spec, arch: Architecture, clients: float) -> Component:
    """Sessions live in the shared in-memory store every instance reads: one entry per client online (the audience model), expiring on idle."""
    return Component(
        name="redis",
        kind="cache",
        technology=named(spec, "redis"),
        purpose=f"server-side sessions ({clients:,.0f} clients online x {SESSION_BYTES} B, idle TTL)",
        services=sorted(s.name for s in arch.services),
        memory_bytes=clients * SESSION_BYTES,
        instances=1,
        decision="auth",
    )
