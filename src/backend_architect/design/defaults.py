"""The defaults a design falls back on, and the rule that a stated figure always wins over one.

Every default the engine uses is listed under Assumptions as ``<spec path>: not given; ...``.
``missing_assumptions`` finds the defaults stages apply without recording them (the latency
budget of a use case, an external system's latency and availability), so the traceability
stage can add them. ``default_conflicts`` is the engine-error check: an assumption whose
path the spec states, or that one of the stated figures in ``REPLACEMENTS`` could have
replaced (entity rows when ``scale.users`` counts that entity, for example).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from backend_architect.design.analysis import Analysis
from backend_architect.design.call_chains import DEFAULT_EXTERNAL_MS, DEFAULT_LATENCY_BUDGET_MS
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

#: Names that say an entity is the people ``scale.users`` counts (the analysis' own list, restated as the oracle's).
PEOPLE = frozenset("user customer member account person player subscriber rider driver patient student reader viewer listener buyer seller".split())


def missing_assumptions(spec: Spec, arch: Architecture) -> list[str]:
    """Defaults the stages applied silently, as assumption lines."""
    found = []
    budgeted = [f.use_case for f in arch.flows if f.latency_budget_ms == DEFAULT_LATENCY_BUDGET_MS]
    stated = {u.name for u in spec.use_cases if u.latency_ms is not None}
    silent = [name for name in budgeted if name not in stated]
    if silent:
        names = ", ".join(silent[:3]) + (f" and {len(silent) - 3} more" if len(silent) > 3 else "")
        found.append(f"use_cases.latency_ms: not given for {len(silent)} use case(s) ({names}); {DEFAULT_LATENCY_BUDGET_MS:g} ms budget assumed")
    called = {s.target for f in arch.flows for s in f.steps if s.kind == "external"}
    for name in sorted(called):
        external = spec.external.get(name)
        if external is None:
            continue
        if external.latency_ms is None:
            found.append(f"external.{name}.latency_ms: not given; {DEFAULT_EXTERNAL_MS:g} ms assumed")
        if external.availability is None:
            found.append(f"external.{name}.availability: not given; assumed as available as our own services")
    return [line for line in found if line not in arch.assumptions]


def people_like(spec: Spec, entity: str) -> bool:
    """Whether ``entity`` is the people ``scale.users`` counts: they log in as it, act as it, or it is named for people."""
    body = spec.entities[entity]
    password = any("password" in name for name in body.fields)
    actors = {snake(u.actor) for u in spec.use_cases}
    return password or snake(entity) in PEOPLE or snake(entity) in actors


def _stated(spec: Spec, path: str) -> bool:
    """Whether ``path`` (``scale.x``, ``constraints.x``, ``team.size``, ``entities.E.x``, ``entities.E.fields.f.x``) is stated."""
    parts = path.split(".")
    node: object = spec
    for index, part in enumerate(parts):
        if isinstance(node, dict):
            node = node.get(part)
        else:
            fields_set = getattr(node, "model_fields_set", None)
            if fields_set is not None and index == len(parts) - 1:
                return part in fields_set and getattr(node, part) not in (None, [], {})
            node = getattr(node, part, None)
        if node is None:
            return False
    return True


def _entity_rows(spec: Spec, analysis: Analysis, entity: str) -> list[str]:
    """Stated figures that give an entity's rows: its rows or growth, a creating rate, or the people count for the people's entity."""
    if entity not in spec.entities:
        return []
    found = [f"entities.{entity}.{k}" for k in ("rows", "growth") if _stated(spec, f"entities.{entity}.{k}")]
    found += [f"use_cases['{u.name}'].rate" for u in analysis.use_cases if u.kind == "create" and entity in u.spec.writes and u.spec.rate]
    counted = any(f.rows_basis.startswith(("scale.users", "scale.daily_active")) for f in analysis.entities.values())
    if (spec.scale.users or spec.scale.daily_active) and not counted and people_like(spec, entity):
        found.append("scale.users" if spec.scale.users else "scale.daily_active")
    return found


Replacement = Callable[[Spec, Analysis, "re.Match[str]"], list[str]]

#: Assumption shapes and the stated figures that would have replaced each.
REPLACEMENTS: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (re.compile(r"^entities\.(\w+)\.rows: not given; assumed .*\(default\)"), lambda s, a, m: _entity_rows(s, a, m[1])),
    (re.compile(r"^((?:scale|constraints|team)\.\w+): not given"), lambda s, a, m: [m[1]] if _stated(s, m[1]) else []),
    (re.compile(r"^(entities\.\w+\.fields\.\w+\.avg_bytes): not given"), lambda s, a, m: [m[1]] if _stated(s, m[1]) else []),
    (re.compile(r"^(entities\.\w+\.retention): not given"), lambda s, a, m: [m[1]] if _stated(s, m[1]) else []),
    (re.compile(r"^external\.(\w+)\.(latency_ms|availability): not given"),
     lambda s, a, m: [m[0].split(":")[0]] if m[1] in s.external and getattr(s.external[m[1]], m[2]) is not None else []),
    (re.compile(r"^external\.([\w/]+)\.share: not given"),
     lambda s, a, m: [f"external.{n}.share" for n in m[1].split("/") if n in s.external and s.external[n].share is not None]),
)  # fmt: skip


def default_conflicts(spec: Spec, analysis: Analysis, arch: Architecture) -> list[str]:
    """Assumptions a stated figure could have replaced: each is an engine error, with the figure that was ignored."""
    conflicts = []
    for line in arch.assumptions:
        for pattern, replacement in REPLACEMENTS:
            match = pattern.match(line)
            if match is None:
                continue
            ignored = replacement(spec, analysis, match)
            if ignored:
                conflicts.append(f"{line!r} although the spec states {', '.join(ignored)}")
            break
    return conflicts
