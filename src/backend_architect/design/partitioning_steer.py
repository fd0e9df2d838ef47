"""The spec author's word on one table's partitioning and shard key (``partitioning.<table>``, ``sharding.<table>``).

``partitioning.<table>`` takes ``choose: day | week | month | none``, ``forbid`` (none) or
``force`` (the interval its daily rows give, even below the size threshold);
``sharding.<table>`` takes ``choose: <column>`` (the shard key) or ``none``, ``forbid`` or
``force`` (the key the numbers would pick). ``partitioning`` with ``forbid`` (or ``choose: one
big table``) keeps every table whole. What the author decided is recorded as a decision of
its own, with what the numbers planned kept as an alternative, so the critic can weigh it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from backend_architect.design.overrides import honoured, matches, override_for, overruled
from backend_architect.ir.model import Decision, Partitioning, Sharding, Table
from backend_architect.spec.model import Spec

INTERVALS = ("day", "week", "month")
NONE_WORDS = ("none", "no", "not needed", "one big table", "off")


@dataclass(frozen=True)
class Steered:
    """A table's plan after the author's word, the records of what they decided, and what could not be done."""

    partitioning: Partitioning | None
    sharding: Sharding | None
    decisions: tuple[Decision, ...] = ()
    problems: tuple[str, ...] = ()


def _none(choice: str | None) -> bool:
    return choice is not None and any(choice.strip().lower() == w for w in NONE_WORDS)


def kept_whole_by_author(spec: Spec, table: str) -> bool:
    """The spec author kept ``table`` (or every table) whole: ``partitioning`` or ``partitioning.<table>`` forbidden or none."""
    for key in ("partitioning", f"partitioning.{table}"):
        override = override_for(spec, key)
        if override is not None and (override.forbid or _none(override.choose)):
            return True
    return False


def steer_table(
    spec: Spec, table: Table, planned: tuple[Partitioning | None, Sharding | None], forced: tuple[Partitioning, Sharding | None], blocked: list[str]
) -> Steered:
    """``planned`` is what the numbers chose; ``forced`` what forcing each would build; ``blocked`` a unique key partitions cannot hold."""
    partitioning, sharding = planned
    decisions: list[Decision] = []
    problems: list[str] = []
    everything = override_for(spec, "partitioning")
    if everything is not None and (everything.forbid or _none(everything.choose)):
        return Steered(None, None)
    key = f"partitioning.{table.name}"
    override = override_for(spec, key)
    if override is not None:
        wanted: Partitioning | str | None = partitioning
        if override.forbid or _none(override.choose):
            wanted = None
        elif override.force:
            wanted = partitioning or forced[0]
        elif override.choose is not None:
            interval = next((i for i in INTERVALS if matches(override.choose, i) or override.choose.strip().lower() in {f"{i}ly", f"per {i}"}), None)
            base = partitioning or forced[0]
            wanted = base.model_copy(update={"interval": cast(Literal["day", "week", "month"], interval)}) if interval else "?"
        if wanted == "?":
            problems.append(f"decisions.{key}: choose one of {', '.join(INTERVALS)} or none; it changed nothing")
        elif wanted is not None and blocked:
            problems.append(
                f"decisions.{key}: cannot partition {table.name}: its unique key ({', '.join(blocked)}) must hold across the whole table, "
                "and PostgreSQL enforces uniqueness only within one partition; it changed nothing"
            )
        else:
            assert not isinstance(wanted, str)
            built = wanted.model_copy(update={"reason": f"{wanted.reason}; decided by the spec author: {override.reason}"}) if wanted else None
            why = (partitioning or forced[0]).reason
            decisions.append(_record(key, table, ("Partitioning", why), _partitioning_text(partitioning), _partitioning_text(wanted), override.reason))
            partitioning = built
    key = f"sharding.{table.name}"
    override = override_for(spec, key)
    if override is not None:
        columns = {c.name for c in table.columns}
        chosen: Sharding | str | None = sharding
        if override.forbid or _none(override.choose):
            chosen = None
        elif override.force:
            chosen = sharding or forced[1]
        elif override.choose is not None:
            column = override.choose.strip()
            base_reason = (sharding or forced[1] or Sharding(key="id", reason="")).reason or "below the sharding thresholds"
            chosen = Sharding(key=column, reason=base_reason) if column in columns else "?"
        if chosen == "?" or (override.force and chosen is None):
            problems.append(f"decisions.{key}: choose a column of {table.name} ({', '.join(sorted(columns))}) as the shard key, or none; it changed nothing")
        else:
            assert not isinstance(chosen, str)
            built_shard = chosen.model_copy(update={"reason": f"{chosen.reason}; decided by the spec author: {override.reason}"}) if chosen else None
            why = (sharding or forced[1] or Sharding(key="id", reason="")).reason
            decisions.append(_record(key, table, ("Shard key", why), _sharding_text(sharding), _sharding_text(chosen), override.reason))
            sharding = built_shard
    return Steered(partitioning, sharding, tuple(decisions), tuple(problems))


def _partitioning_text(plan: Partitioning | None) -> str:
    return f"partition by {plan.column} per {plan.interval}" if plan else "not partitioned"


def _sharding_text(plan: Sharding | None) -> str:
    return f"shard by {plan.key}" if plan else "one primary (not sharded)"


def _record(key: str, table: Table, about: tuple[str, str], numbers: str, built: str, reason: str) -> Decision:
    """The author's decision about one table, with what the numbers planned (and the figures why) kept as an alternative."""
    from backend_architect.spec.model import DecisionOverride

    title, why = about
    made = Decision(
        id=key,
        area="data",
        title=f"{title} of {table.name}",
        choice=numbers,
        context=f"{table.name}: {table.rows_per_day:,.0f} rows a day",
        rationale=why,
        subject=table.name,
        inputs={"rows_per_day": table.rows_per_day},
        choices=[*INTERVALS, "none"] if title == "Partitioning" else ["<column>", "none"],
    )
    if built == numbers:
        return honoured(made, DecisionOverride(force=True, reason=reason))
    return overruled(made, DecisionOverride(choose=built, reason=reason), built)
