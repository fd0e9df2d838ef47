"""Property test over generated specs: every stated input is used or reported, no default ignores a stated figure,
and every kind of data is placed exactly once, with nothing moved left in the DDL as a copy."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_architect.design.defaults import default_conflicts
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.design.tracers import kind_of
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import Spec

SCALE = {
    "users": st.sampled_from([1_000, 2_000_000, "50M"]),
    "daily_active": st.sampled_from([500, "1M"]),
    "growth_per_year": st.sampled_from(["20%", "100%"]),
    "retention_years": st.sampled_from([1, 3, 10]),
    "availability": st.sampled_from(["99%", "99.9%", "99.95%", "99.99%"]),
    "regions": st.sampled_from([["eu-west-1"], ["eu-west-1", "us-east-1"]]),
    "rates": st.sampled_from(["average", "peak"]),
    "peak_factor": st.sampled_from([2, 4]),
    "requests": st.sampled_from(["10M/day"]),
    "concurrent_users": st.sampled_from([1_000, "200k"]),
    "concurrent_connections": st.sampled_from(["50k"]),
}
TECHNOLOGIES = ["Kafka", "Redis", "MongoDB", "Cassandra", "OpenSearch", "S3", "Kubernetes", "PostgreSQL", "RabbitMQ"]


@st.composite
def specs(draw: Any) -> dict[str, Any]:
    scale = {k: draw(v) for k, v in SCALE.items() if draw(st.booleans())}
    people = draw(st.sampled_from(["User", "Customer", "Device"]))
    entities: dict[str, Any] = {
        people: {"fields": {"name": "string(80)", "photo": "blob?"}, **({"presence": True} if draw(st.booleans()) else {})},
        "Doc": {
            "fields": {"owner": f"ref({people})", "body": {"type": "text", "avg_bytes": draw(st.sampled_from([400, 64_000]))}},
            "growth": draw(st.sampled_from(["1k/day", "50M/day"])),
            "append_only": draw(st.booleans()),
        },
        "Hit": {"append_only": True, "fields": {"doc": "ref(Doc)", "value": "int"}, "growth": draw(st.sampled_from(["10/day", "5M/day"]))},
    }
    if draw(st.booleans()):
        entities[people]["rows"] = draw(st.sampled_from([100, "3M"]))
    externals = {"stripe": {"kind": "payment"}, "mailer": {"kind": "email", **({"latency_ms": 90} if draw(st.booleans()) else {})}}
    use_cases: list[dict[str, Any]] = [
        {"name": "write doc", "actor": "user", "writes": ["Doc"], "rate": draw(st.sampled_from(["5/s", "600/s"]))},
        {"name": "read doc", "actor": "user", "kind": "get", "reads": ["Doc"], "rate": draw(st.sampled_from(["5/s", "30k/s"]))},
        {"name": "search docs", "actor": "user", "reads": ["Doc"], "search": ["body"], "page": "cursor"},
        {"name": "record hit", "actor": "user", "writes": ["Hit"]},
    ]
    if draw(st.booleans()):
        use_cases.append({"name": "count hits", "actor": "scheduler", "schedule": "hourly", "reads": ["Hit"], "writes": [f"{people}.name"]})
    if draw(st.booleans()):
        use_cases[0]["notify"] = draw(st.sampled_from([["mailer"], ["owners"]]))
    if draw(st.booleans()):
        use_cases[0]["calls"] = ["stripe"]
    if draw(st.booleans()):
        use_cases[1]["latency_ms"] = draw(st.sampled_from([50, 200]))
    if draw(st.booleans()):
        use_cases[1]["consistency"] = "eventual"
        use_cases[1]["staleness"] = "10s"
    constraints: dict[str, Any] = {}
    for key, values in (("language", ["go", "java"]), ("cloud", ["aws", "gcp", "onprem"]), ("auth", ["auth0"])):
        if draw(st.booleans()):
            constraints[key] = draw(st.sampled_from(values))
    for key in ("prefer", "avoid"):
        if draw(st.booleans()):
            constraints[key] = draw(st.lists(st.sampled_from(TECHNOLOGIES), min_size=1, max_size=2, unique=True))
    if draw(st.booleans()):
        constraints["compliance"] = ["gdpr"]
    spec: dict[str, Any] = {"system": "generated", "entities": entities, "use_cases": use_cases, "external": externals}
    if scale:
        spec["scale"] = scale
    if constraints:
        spec["constraints"] = constraints
    if draw(st.booleans()):
        spec["team"] = {"size": draw(st.sampled_from([3, 20]))}
    return spec


def _expected_inputs(raw: dict[str, Any]) -> set[str]:
    """The inputs the raw spec states, enumerated independently of the engine."""
    paths = {f"scale.{k}" for k in raw.get("scale", {})}
    paths |= {"team.size"} if "team" in raw else set()
    for key, value in raw.get("constraints", {}).items():
        paths |= {f"constraints.{key}: {v}" for v in value} if isinstance(value, list) else {f"constraints.{key}"}
    for name, body in raw["external"].items():
        paths |= {f"external.{name}", *(f"external.{name}.{k}" for k in body if k != "kind")}
    for use_case in raw["use_cases"]:
        where = f"use_cases['{use_case['name']}']"
        paths |= {f"{where}.notify: {n}" for n in use_case.get("notify", [])}
        paths |= {f"{where}.{k}" for k in ("latency_ms", "consistency") if k in use_case}
    return paths


def _evidence_exists(arch: Architecture, where: str) -> bool:
    kind, _, name = where.partition(":")
    return {
        "decision": lambda: any(d.id == name for d in arch.decisions),
        "figure": lambda: any(f.key == name for f in arch.figures),
        "table": lambda: any(t.name == name for s in arch.datastores for t in s.tables),
        "flow": lambda: any(f.use_case == name for f in arch.flows),
        "event": lambda: any(e.name == name for e in arch.events),
        "bottleneck": lambda: any(b.title == name for b in arch.bottlenecks),
        "security": lambda: arch.security is not None,
    }.get(kind, lambda: False)()


def _placed_once(spec: Spec, arch: Architecture) -> None:
    data = [p.data for p in arch.placements]
    assert len(data) == len(set(data)), data
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    assert set(tables) <= set(data)
    for placement in arch.placements:
        name, _, field = placement.data.partition(".")
        if placement.data_class == "blob":
            column = next(c for c in tables[name].columns if c.source_field == field)
            assert (column.type, column.length) == ("varchar", 1024), placement  # the key, never the content
        if placement.data_class == "search" and placement.component == "search-engine":
            assert not [i for i in tables[name].indexes if i.method == "gin"], placement  # no second full-text copy
        if placement.data_class == "analytical":
            hot = tables[name.removesuffix(" history")]
            assert hot.retention_days is not None, placement
            assert hot.retention_days <= 365, placement  # history left the database
    blobs = {f"{t.name}.{c.source_field}" for t in tables.values() for c in t.columns if c.comment and c.comment.startswith("object-store key")}
    assert blobs <= set(data)


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_every_stated_input_is_traced_and_every_datum_placed_once_ok(raw: dict[str, Any]) -> None:
    """Generated specs: each stated input is used (with evidence that exists) or reported with a reason; no default
    ignores a stated figure; avoided technologies are never chosen; every table, blob and state is placed exactly once."""
    spec = load_spec_bytes(yaml.safe_dump(raw).encode(), "generated.yaml").spec
    arch, analysis = design_with_analysis(spec)
    found = {r.input: r for r in arch.requirements}
    assert len(found) == len(arch.requirements)
    assert set(found) == _expected_inputs(raw)
    for requirement in arch.requirements:
        assert requirement.how, requirement
        assert "engine error" not in requirement.how, requirement
        if requirement.status == "used":
            assert requirement.used_by, requirement
            assert all(_evidence_exists(arch, w) for w in requirement.used_by), requirement
        else:
            assert not requirement.used_by
    assert default_conflicts(spec, analysis, arch) == []
    for name in spec.constraints.avoid:
        chosen = [d.id for d in arch.decisions if name.lower() in d.choice.lower() and not d.choice.startswith("not needed")]
        if chosen:  # only where no candidate avoids it (the DDL is PostgreSQL's), and the trace says so
            assert found[f"constraints.avoid: {name}"].how.startswith("still chosen in"), (name, chosen)
            continue
        kind = kind_of(name)
        target = next((d for d in arch.decisions if kind and d.id == kind[0]), None)
        if target is not None:
            assert any(name.lower() in a.name.lower() and a.why_not.startswith("avoided") for a in target.alternatives), name
    _placed_once(spec, arch)
