"""Which write keeps a value the server maintains: the create of the rows it counts or times.

A field the spec marks ``generated`` that reads as kept after creation (``design/maintained_fields.py``: a counter
such as ``Question.score`` or ``Question.answer_count``, a latest timestamp such as ``Question.last_activity_at``)
and that no use case writes by name must be kept on a write path, or the design promises what nothing does. The
create of the rows it counts or times changes it (each vote's write adds to the score, each answer's to the answer
count and moves the last activity), so that create writes it too, counted in its writes like any field it names:
the spec reads as if it listed it (``writes: [QuestionVote, Question.score]``), with an assumption saying so. Every
later reading follows from that one write: the row's mutability (``analysis.changes_after_create``), the cache's
invalidating writes, the contract's "Also updates", and how the write reaches the row (one transaction on one
database, else the owner's consumer of the create's event: ``usecases.applied_values``). A value no create keeps
is never claimed as kept: the analysis warns (``analysis.unkept_values``).

Which creates keep which value is ``maintained_fields.keeping_entities``: the referring entities named for what a
counter counts (``answer_count``: Answer, ``score``: a vote, QuestionVote before AnswerVote for a Question's score),
the children named for a latest timestamp's word, or all children for ``last_activity_at``.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.maintained_fields import COUNTED_BY, counted_words, keeping_entities, kept_kind
from backend_architect.spec.model import Spec


def kept_counters(spec: Spec, analysis: Analysis) -> tuple[Spec, list[str]]:
    """``spec`` with each unwritten generated counter added to the writes of the creates that change it, and an assumption each."""
    named = {w for u in spec.use_cases for w in u.writes}
    adds: dict[str, list[str]] = {}
    notes: list[str] = []
    for entity, body in spec.entities.items():
        for field, declared in body.fields.items():
            counter = f"{entity}.{field}"
            if kept_kind(field, declared) is None or counter in named:
                continue
            counting = keeping_entities(spec, entity, field)
            creates = [u.name for u in analysis.use_cases if u.kind == "create" and not u.is_job and u.entity in counting]
            for name in creates:
                adds.setdefault(name, []).append(counter)
            if creates:
                notes.append(
                    f"{counter}: written by no use case; kept by {', '.join(repr(c) for c in creates)}: each "
                    f"{' or '.join(dict.fromkeys(e for e in counting if any(u.entity == e and u.name in creates for u in analysis.use_cases)))} "
                    f"created changes it in the same write (counted in its writes)"
                )
    if not adds:
        return spec, []
    use_cases = [u.model_copy(update={"writes": [*u.writes, *adds[u.name]]}) if u.name in adds else u for u in spec.use_cases]
    return spec.model_copy(update={"use_cases": use_cases}), notes


__all__ = ["COUNTED_BY", "counted_words", "kept_counters"]
