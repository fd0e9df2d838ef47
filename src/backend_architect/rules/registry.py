"""Every review rule, in one tuple. Codes are never reused."""

from __future__ import annotations

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule
from backend_architect.rules.sql.missing_foreign_key_index import missing_foreign_key_index
from backend_architect.rules.sql.missing_primary_key import missing_primary_key
from backend_architect.rules.sql.redundant_index import redundant_index
from backend_architect.rules.topology.cyclic_dependency import cyclic_dependency
from backend_architect.rules.topology.shared_database import shared_database
from backend_architect.rules.topology.shared_reference_data import shared_reference_data
from backend_architect.rules.topology.single_point_of_failure import single_point_of_failure
from backend_architect.rules.topology.strong_consistency_split import strong_consistency_split

RULES: tuple[Rule, ...] = (
    missing_primary_key,
    missing_foreign_key_index,
    redundant_index,
    strong_consistency_split,
    cyclic_dependency,
    shared_reference_data,
    shared_database,
    single_point_of_failure,
)


def review(arch: Architecture, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    """Run ``rules`` over ``arch``; findings sorted for stable output."""
    return sorted(f for r in rules for f in r.check(arch))


def rule_by_code(code: str) -> Rule | None:
    return next((r for r in RULES if r.code == code.upper() or r.name == code), None)
