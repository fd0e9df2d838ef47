"""An override the numbers contradict is shown with the numbers."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import NUMBERS_CHOSE, Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="DES007",
    name="override-against-the-numbers",
    severity=Severity.WARNING,
    title="The spec author overruled what the numbers chose",
    fix="Keep the override if its reason outweighs the figures shown; otherwise drop the 'decisions:' entry and let the numbers decide.",
)
def override_against_the_numbers(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds decisions the spec's ``decisions:`` section overruled — a different alternative
    chosen, a pattern forbidden or forced — where the figures chose otherwise, and shows the
    figures next to the author's reason.

    ## Why is this bad?
    It may not be: the author may know what the spec does not say. But "no cache" on a path
    whose reads exceed the database, or an in-process outbox at 170k events/s, is the kind of
    choice that should be made knowing the numbers, in review.

    ## Example
    decisions: {messaging: {choose: outbox, reason: no broker}}   # 50,000 events/s at peak

    Use instead:
    decisions: {}   # the numbers choose Kafka with its partitions

    ## References
    M. Nygard, "Documenting Architecture Decisions" (2011).
    """
    for decision in arch.decisions:
        if decision.decided_by != "spec":
            continue
        numbers = next((a for a in decision.alternatives if a.name.startswith(NUMBERS_CHOSE)), None)
        if numbers is not None:
            chose = numbers.name.removeprefix(NUMBERS_CHOSE).lstrip(": ")
            figures = "; inputs: " + ", ".join(f"{k} = {v:,.4g}" for k, v in decision.inputs.items()) if decision.inputs else ""
            yield self.finding(
                f"decision {decision.id}",
                f"'{decision.title}': the spec chose '{decision.choice}' where the numbers chose '{chose}' — {numbers.why_not}{figures}",
            )
