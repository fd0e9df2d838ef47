"""Alternatives that name a technology the design already runs: said as such, once every part is placed.

A record weighing its options before the rest of the design is known may reject a technology as
"another store to run" (Redis for latest values) while another record runs that very technology
(Redis for the gateway's pub/sub). Both can hold only when the rejection says the part already
runs and why this path still keeps off it; this stage, after placement, rewrites such an
alternative from the components the design runs, so no record contradicts another.
"""

from __future__ import annotations

import re

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Alternative, Architecture, Decision
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec

#: Technologies an alternative may name, as a component's technology spells them (lower case).
TECHNOLOGIES = ("rabbitmq", "kafka", "nats", "redis", "valkey", "memcached", "opensearch", "elasticsearch", "clickhouse", "scylladb", "cassandra")

#: Reasons that hold only when the technology does not run yet: the rewrite drops them.
_ANOTHER_STORE = re.compile(r"^another (?:store|broker|cluster) to (?:run|keep current|operate)(?: and feed)?[;,:]?\s*")


def running_part(arch: Architecture, record: Decision, alternative: Alternative) -> Component | None:
    """The component running the technology ``alternative`` names, chosen by another record, if any."""
    name = alternative.name.lower()
    named = next((t for t in TECHNOLOGIES if re.match(rf"(?:apache )?{t}\b", name)), None)
    if named is None:
        return None
    return next((c for c in arch.components if named in c.technology.lower() and c.decision != record.id), None)


def said_running(arch: Architecture, record: Decision) -> Decision:
    """``record`` with each alternative naming a running technology saying so, and why this path keeps off it."""
    changed = []
    for alternative in record.alternatives:
        part = running_part(arch, record, alternative)
        if part is None or part.name in alternative.why_not or part.technology in alternative.why_not:
            changed.append(alternative)
            continue
        rest = _ANOTHER_STORE.sub("", alternative.why_not)
        why = f"{part.technology} already runs here ({part.name}), so it adds no store to run; kept off this path: {rest or alternative.why_not}"
        changed.append(alternative.model_copy(update={"why_not": why}))
    return record.model_copy(update={"alternatives": changed}) if changed != record.alternatives else record


def derive_running_alternatives(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every record's alternatives read against the parts the design runs (``said_running``)."""
    return arch.model_copy(update={"decisions": [said_running(arch, d) for d in arch.decisions]})
