"""The last stage: every input the spec states is traced to what it changed, or reported as stated but not used.

It also makes the constraints visible where they bite: a technology the spec avoids becomes an
alternative rejected by constraint in the decision that chooses among its kind (when that
decision did not already consider it), and every default a stage applied without saying so
joins the Assumptions.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.defaults import missing_assumptions
from backend_architect.design.inputs import StatedInput, stated_inputs
from backend_architect.design.tracers import TRACERS, kind_of
from backend_architect.ir.model import Alternative, Architecture, Decision
from backend_architect.ir.trace import Requirement
from backend_architect.spec.model import Spec

AVOIDED = "avoided by the spec's constraints"


def _reject_avoided(spec: Spec, decisions: list[Decision]) -> list[Decision]:
    """Each avoided technology listed as rejected in the decision of its kind, if that decision did not consider it."""
    by_id = {d.id: d for d in decisions}
    for name in spec.constraints.avoid:
        if any(name.lower() in a.name.lower() for d in decisions for a in d.alternatives):
            continue
        kind = kind_of(name)
        if kind is None or kind[0] not in by_id:
            continue
        target = by_id[kind[0]]
        by_id[kind[0]] = target.model_copy(update={"alternatives": [*target.alternatives, Alternative(name=name, why_not=f"{AVOIDED}")]})
    return [by_id[d.id] for d in decisions]


def trace(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Requirement:
    """One stated input with where it was used, or why it changed nothing."""
    tracer = TRACERS.get(item.family)
    if tracer is None:
        return Requirement(input=item.path, value=item.value, status="not used", how=f"no tracer follows {item.family}: an engine error")
    used_by, how = tracer(spec, analysis, arch, item)
    return Requirement(input=item.path, value=item.value, status="used" if used_by else "not used", used_by=used_by, how=how)


def derive_traceability(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Avoided technologies rejected where they belong, silent defaults listed, and every stated input traced."""
    arch = arch.model_copy(
        update={"decisions": _reject_avoided(spec, list(arch.decisions)), "assumptions": [*arch.assumptions, *missing_assumptions(spec, arch)]}
    )
    requirements = [trace(spec, analysis, arch, item) for item in stated_inputs(spec)]
    return arch.model_copy(update={"requirements": requirements})
