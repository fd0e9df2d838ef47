"""Which write keeps a server-generated counter: the create of the rows it counts.

A numeric field the spec marks ``generated`` with a starting default, that no use case writes by
name (``Question.score``, ``Question.answer_count``), is a counter the server keeps after creation.
A design that says so must keep it on a write path: the create of the rows the counter counts
changes it (each vote's write adds to the score, each answer's to the answer count), so that
create writes the counter too, counted in its writes like any field it names. ``kept_counters``
finds that create and the spec reads as if it listed the counter (``writes: [QuestionVote,
Question.score]``), with an assumption saying so. A counter no create counts stays unclaimed:
the analysis says no use case changes it (``changes_after_create``).

The create counts for the counter when its entity refers to the counter's entity (part of it,
or a reference field named for it: ``question: ref(Question)``, not ``voter: ref(User)``) and the
counter names what it counts: ``<rows>_count`` / ``num_<rows>`` the referring entity
(``answer_count``: Answer, ``vote_count``: QuestionVote), or a word in ``COUNTED_BY``
(``score``: a vote). Among several, one named for the counter's entity wins (a Question's score
is kept by QuestionVote, not by AnswerVote that also refers to its question).
"""

from __future__ import annotations

import re

from backend_architect.design.analysis import COUNTER_KINDS, Analysis
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

#: Counters named for what they count without naming it: the word in the referring entity's name that is counted.
COUNTED_BY: dict[str, tuple[str, ...]] = {
    "score": ("vote",),
    "votes": ("vote",),
    "likes": ("like",),
    "rating": ("rating", "review"),
    "reactions": ("reaction",),
}
_COUNT = re.compile(r"^(?:num_(?P<a>\w+?)s?|(?P<b>\w+?)s?_count)$")


def counted_words(field: str) -> tuple[str, ...]:
    """The words a referring entity's name holds for ``field`` to count its rows.

    >>> counted_words("answer_count"), counted_words("num_comments"), counted_words("score"), counted_words("title")
    (('answer',), ('comment',), ('vote',), ())
    """
    match = _COUNT.match(field)
    if match:
        return (match.group("a") or match.group("b"),)
    return COUNTED_BY.get(field, ())


def _refers(spec: Spec, child: str, parent: str) -> bool:
    """Whether ``child`` rows belong to one ``parent`` row: part of it, or a reference field named for it."""
    body = spec.entities[child]
    named = {f for f, d in body.fields.items() if d.type.kind == "ref" and d.type.target == parent}
    return body.part_of == parent or snake(parent) in named


def _counting(spec: Spec, entity: str, field: str) -> list[str]:
    """The entities whose rows ``entity.field`` counts (several: those named for ``entity`` first, alone)."""
    words = counted_words(field)
    found = [
        other
        for other in spec.entities
        if other != entity and _refers(spec, other, entity) and any(snake(other) == w or snake(other).endswith("_" + w) for w in words)
    ]
    own = [o for o in found if snake(o).startswith(snake(entity) + "_")]
    return own or found


def kept_counters(spec: Spec, analysis: Analysis) -> tuple[Spec, list[str]]:
    """``spec`` with each unwritten generated counter added to the writes of the creates that change it, and an assumption each."""
    named = {w for u in spec.use_cases for w in u.writes}
    adds: dict[str, list[str]] = {}
    notes: list[str] = []
    for entity, body in spec.entities.items():
        for field, declared in body.fields.items():
            counter = f"{entity}.{field}"
            if not (declared.generated and declared.default is not None and declared.type.kind in COUNTER_KINDS) or counter in named:
                continue
            counting = _counting(spec, entity, field)
            creates = [u.name for u in analysis.use_cases if u.kind == "create" and not u.is_job and u.entity in counting]
            for name in creates:
                adds.setdefault(name, []).append(counter)
            if creates:
                notes.append(
                    f"{counter}: written by no use case; kept by {', '.join(repr(c) for c in creates)}: each {' or '.join(counting)} "
                    f"created changes it in the same write (counted in its writes)"
                )
    if not adds:
        return spec, []
    use_cases = [u.model_copy(update={"writes": [*u.writes, *adds[u.name]]}) if u.name in adds else u for u in spec.use_cases]
    return spec.model_copy(update={"use_cases": use_cases}), notes
