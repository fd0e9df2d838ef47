"""Which server-generated fields read as values the server keeps after creation, and whose creates keep them.

A field the spec marks ``generated`` is set by the server. Some are set once, at the create (a short code, a fare).
Others name a value that moves as other rows are written: a counter of children (``answer_count``, ``num_comments``),
a score from votes (``score``), a last-activity timestamp (``last_activity_at``, ``last_reply_at``). A design
promising such a field must keep it on a write path, and every statement about its row (a cache's "its rows never
change once written", the contract's "Set by the server") must read that write. The rules, read by
``design/kept_counters.py`` (which adds the write) and ``design/analysis.py`` (which warns where none can):

- a counter: a numeric field with a starting default, or named for what it counts (``counted_words``);
- a latest timestamp: a date-time field named ``last_<word>_at``;
- what keeps a counter: the creates of the entities referring to its row whose names hold the counted word
  (``score``: a vote; ``answer_count``: Answer), those named for its entity first (a Question's score is kept
  by QuestionVote, not by AnswerVote that also names its question);
- what keeps a latest timestamp: the creates of its children (entities whose parent relation is its row,
  ``naming.parent_relation``) named for the word, or all of them for ``activity`` (an answer or a comment is
  activity on its question).
"""

from __future__ import annotations

import re
from typing import Literal

from backend_architect.spec.model import FieldSpec, Spec
from backend_architect.spec.naming import parent_relation, snake

#: Field kinds a server-kept value with a starting default counts in (a score, a reputation, a tally).
COUNTER_KINDS = frozenset({"int", "bigint", "decimal", "money", "float"})
#: Field kinds a latest timestamp is stored in.
TIME_KINDS = frozenset({"datetime", "timestamp"})
#: The word of a latest timestamp that any child's create moves, whatever the child is.
ANY_CHILD = "activity"

#: Counters named for what they count without naming it: the word in the referring entity's name that is counted.
COUNTED_BY: dict[str, tuple[str, ...]] = {
    "score": ("vote",),
    "votes": ("vote",),
    "likes": ("like",),
    "rating": ("rating", "review"),
    "reactions": ("reaction",),
}
_COUNT = re.compile(r"^(?:num_(?P<a>\w+?)s?|(?P<b>\w+?)s?_count)$")
_LATEST = re.compile(r"^last_(?P<w>\w+?)_at$")

Kept = Literal["counter", "latest"]


def counted_words(field: str) -> tuple[str, ...]:
    """The words a referring entity's name holds for ``field`` to count its rows.

    >>> counted_words("answer_count"), counted_words("num_comments"), counted_words("score"), counted_words("title")
    (('answer',), ('comment',), ('vote',), ())
    """
    match = _COUNT.match(field)
    if match:
        return (match.group("a") or match.group("b"),)
    return COUNTED_BY.get(field, ())


def latest_word(field: str) -> str | None:
    """The word a latest timestamp is named for, if ``field`` is one.

    >>> latest_word("last_activity_at"), latest_word("last_reply_at"), latest_word("created_at")
    ('activity', 'reply', None)
    """
    match = _LATEST.match(field)
    return match.group("w") if match else None


def kept_kind(field: str, declared: FieldSpec) -> Kept | None:
    """Whether a field reads as a value the server keeps after creation: a counter, a latest timestamp, or neither."""
    if not declared.generated:
        return None
    if declared.type.kind in COUNTER_KINDS and (declared.default is not None or counted_words(field)):
        return "counter"
    if declared.type.kind in TIME_KINDS and latest_word(field) is not None:
        return "latest"
    return None


def _named(other: str, words: tuple[str, ...]) -> bool:
    return any(snake(other) == w or snake(other).endswith("_" + w) for w in words)


def _refers(spec: Spec, child: str, parent: str) -> bool:
    """Whether ``child`` rows belong to one ``parent`` row: part of it, or a reference field named for it."""
    body = spec.entities[child]
    named = {f for f, d in body.fields.items() if d.type.kind == "ref" and d.type.target == parent}
    return body.part_of == parent or snake(parent) in named


def keeping_entities(spec: Spec, entity: str, field: str) -> list[str]:
    """The entities whose creates keep ``entity.field`` by the module's rules; none where it is no kept value.

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> spec = load_spec_bytes(b'''
    ... system: s
    ... entities:
    ...   Topic: {fields: {title: string(80), last_post_at: {type: datetime, generated: true}}}
    ...   Post: {fields: {topic: ref(Topic), body: text}}
    ...   Flag: {fields: {topic: ref(Topic), reason: text}}
    ... use_cases: [{name: post, writes: [Post]}]
    ... ''').spec
    >>> keeping_entities(spec, "Topic", "last_post_at")
    ['Post']
    """
    declared = spec.entities[entity].fields[field]
    kind = kept_kind(field, declared)
    if kind == "counter":
        words = counted_words(field)
        found = [o for o in spec.entities if o != entity and _refers(spec, o, entity) and _named(o, words)]
        own = [o for o in found if snake(o).startswith(snake(entity) + "_")]
        return own or found
    if kind == "latest":
        word = latest_word(field) or ""
        children = [o for o in spec.entities if o != entity and (parent_relation(spec, o) or ("", ""))[1] == entity]
        return children if word == ANY_CHILD else [o for o in children if _named(o, (word,))]
    return []


__all__ = ["ANY_CHILD", "COUNTED_BY", "COUNTER_KINDS", "TIME_KINDS", "Kept", "counted_words", "keeping_entities", "kept_kind", "latest_word"]
