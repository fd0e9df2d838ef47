"""Every input the spec states that a design must account for, with its path and value as written.

The requirement families of the traceability rule: each ``scale`` figure, ``team.size``, each
``constraints`` entry (language, prefer, avoid, cloud, compliance, auth), each external
system and its stated figures, and each use case's ``notify``, ``latency_ms`` and
``consistency``. Only what the spec states is listed (pydantic's fields set), never a
default, so "stated but not used" is about the author's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.spec.model import Spec
from backend_architect.spec.units import Rate


@dataclass(frozen=True)
class StatedInput:
    """One stated input: its path in the spec, its family (which tracer follows it), and its value."""

    path: str
    family: str
    value: str
    number: float | None = None
    #: The name the input is about: an avoided or preferred technology, an external system, a use case.
    subject: str = ""
    #: For use-case and external inputs: the use case or external system it belongs to.
    owner: str = ""


#: Inputs that are fractions, shown as percentages.
PERCENT = frozenset({"availability", "growth_per_year"})


def _text(value: object, key: str = "") -> tuple[str, float | None]:
    """The value as a reader wrote it: ``20,000,000``, ``99.95%``, ``2M/day``."""
    if isinstance(value, Rate):
        return value.text, value.per_second
    if isinstance(value, bool):
        return str(value).lower(), None
    if isinstance(value, int | float):
        if key in PERCENT:
            return f"{value * 100:.4f}".rstrip("0").rstrip(".") + "%", float(value)
        return (f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"), float(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value), None
    return str(value), None


def stated_inputs(spec: Spec) -> list[StatedInput]:
    """The inputs ``spec`` states, in the order they appear in the spec language.

    >>> from backend_architect.spec.model import Spec
    >>> s = Spec.model_validate({"system": "s", "entities": {"A": {}}, "scale": {"users": 5}, "constraints": {"avoid": ["Kafka"]}})
    >>> [(i.path, i.value) for i in stated_inputs(s)]
    [('scale.users', '5'), ('constraints.avoid: Kafka', 'Kafka')]
    """
    found: list[StatedInput] = []
    for key in sorted(spec.scale.model_fields_set - {"notes"}, key=list(type(spec.scale).model_fields).index):
        value = getattr(spec.scale, key)
        if value is None or value == []:
            continue
        text, number = _text(value, key)
        found.append(StatedInput(f"scale.{key}", f"scale.{key}", text, number))
    if spec.team is not None:
        found.append(StatedInput("team.size", "team.size", str(spec.team.size), float(spec.team.size)))
        if spec.team.teams is not None:
            found.append(StatedInput("team.teams", "team.teams", str(spec.team.teams), float(spec.team.teams)))
    constraints = spec.constraints
    for key in ("language", "auth", "cloud"):
        value = getattr(constraints, key)
        if value:
            found.append(StatedInput(f"constraints.{key}", f"constraints.{key}", str(value), subject=str(value)))
    if constraints.postgres_version is not None:
        version = constraints.postgres_version
        found.append(StatedInput("constraints.postgres_version", "constraints.postgres_version", str(version), float(version)))
    for key in ("prefer", "avoid", "compliance"):
        for item in getattr(constraints, key):
            found.append(StatedInput(f"constraints.{key}: {item}", f"constraints.{key}", str(item), subject=str(item)))
    for name, external in spec.external.items():
        found.append(StatedInput(f"external.{name}", "external", name, subject=name, owner=name))
        for key in ("latency_ms", "availability", "rate_limit"):
            value = getattr(external, key)
            if value is not None:
                text, number = _text(value, key)
                found.append(StatedInput(f"external.{name}.{key}", f"external.{key}", text, number, subject=name, owner=name))
    for use_case in spec.use_cases:
        where = f"use_cases['{use_case.name}']"
        for target in use_case.notify:
            found.append(StatedInput(f"{where}.notify: {target}", "use_case.notify", target, subject=target, owner=use_case.name))
        if use_case.latency_ms is not None:
            found.append(StatedInput(f"{where}.latency_ms", "use_case.latency_ms", f"{use_case.latency_ms:g}", use_case.latency_ms, owner=use_case.name))
        if use_case.deliver is not None and use_case.deliver.subscribers is not None:
            count = use_case.deliver.subscribers
            found.append(StatedInput(f"{where}.deliver.subscribers", "use_case.deliver.subscribers", f"{count:,.0f}", count, owner=use_case.name))
        if "consistency" in use_case.model_fields_set:
            found.append(StatedInput(f"{where}.consistency", "use_case.consistency", use_case.consistency, owner=use_case.name))
    return found
