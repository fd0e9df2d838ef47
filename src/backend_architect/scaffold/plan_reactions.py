"""Reactions a module makes (``Architecture.reaction_rows``): the row each makes per event, or why the scaffold cannot make it.

A reaction is served by the module's ``reactions`` worker, a consumer of its own outbox; the
events of writes in another service reach it through the broker, which the scaffold's consumers
do not read yet, so such a reaction is listed as not generated, as is one with a column the design
leaves to the implementer.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.ir.model import Architecture
from backend_architect.scaffold.context import ModuleContext
from backend_architect.scaffold.naming import identifier


@dataclass(frozen=True)
class ReactionPlan:
    """One reaction: its use case, events, resource (variable) and table, and what fills each column."""

    use_case: str
    events: tuple[str, ...]
    resource: str
    table: str
    from_event: tuple[tuple[str, str], ...]
    values: tuple[tuple[str, str], ...]
    stamped: tuple[str, ...]


def reaction_plans(ctx: ModuleContext, arch: Architecture, service: str) -> tuple[tuple[ReactionPlan, ...], tuple[tuple[str, str], ...]]:
    """The module's reactions, and (use case, why) for each the scaffold does not generate."""
    plans, gaps = [], []
    produced = {e.name for e in arch.events if e.producer == service}
    for row in (r for r in arch.reaction_rows if r.service == service):
        plan = ctx.plans.get(row.table)
        elsewhere = [e for e in row.events if e not in produced]
        if plan is None:
            gaps.append((row.use_case, f"its {row.entity} rows live outside this module"))
        elif elsewhere:
            gaps.append((row.use_case, f"it follows {', '.join(elsewhere)} of another service, which the scaffold's consumers do not read"))
        elif row.unfilled:
            gaps.append((row.use_case, f"no event field fills {row.entity}'s {', '.join(row.unfilled)}: domain code decides it"))
        else:
            resource = ctx.resources[row.entity].var if row.entity in ctx.resources else identifier(row.entity).upper()
            plans.append(
                ReactionPlan(
                    row.use_case,
                    tuple(row.events),
                    resource,
                    plan.var,
                    tuple(sorted(row.from_event.items())),
                    tuple(sorted(row.values.items())),
                    tuple(row.stamped),
                )
            )
    return tuple(plans), tuple(gaps)


__all__ = ["ReactionPlan", "reaction_plans"]
