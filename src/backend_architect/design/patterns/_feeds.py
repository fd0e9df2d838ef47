"""Change events that feed a derived store (a search index, a column store): the writes of the entities it copies, each with its consumer.

Private to the patterns that keep such a copy, so each feeds its copy the same way. Such a copy is written whole under the
row's id (a search document replaced at the event's version, a column-store row replaced by the newer one), so every event
of its feed carries the whole row (``event_fields.kept_row``): an update naming one column (a rename) would otherwise leave
the copy without the fields the copy's readers search, filter and sort by.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.event_fields import kept_row, with_fields
from backend_architect.design.patterns._common import owner_of
from backend_architect.ir.model import Architecture, Event


def change_feeds(arch: Architecture, analysis: Analysis, entities: list[str], consumer: str) -> tuple[Event, ...]:
    """The entities' change events, each gaining ``consumer`` (published when none was)."""
    from backend_architect.design.communication import event_name

    out: list[Event] = []
    for entity in entities:
        writers = [u for u in analysis.use_cases if entity in u.writes and u.is_write]
        for use_case in writers:
            existing = next((e for e in arch.events if e.use_case == use_case.name), None)
            if existing is not None:
                fed = existing.model_copy(update={"consumers": sorted({*existing.consumers, consumer})})
                out.append(with_fields(fed, kept_row(arch, use_case)))
            else:
                out.append(
                    Event(
                        name=event_name(use_case),
                        producer=owner_of(arch, use_case.entity),
                        consumers=[consumer],
                        entity=use_case.entity,
                        key=f"{use_case.entity.lower()}_id",
                        use_case=use_case.name,
                        fields=kept_row(arch, use_case),
                    )
                )
    return tuple(out)
