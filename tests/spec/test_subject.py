"""Which entity a use case is about (``spec.subject.primary_entity``): a table of use cases of different shapes."""

from __future__ import annotations

import pytest

from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.subject import primary_entity

SPEC = """\
system: qa
entities:
  User: {fields: {name: string(40), last_seen_at: datetime?}, rows: 1M}
  Question: {fields: {title: string(150), body: text, last_activity_at: datetime?, score: {type: int, default: 0, generated: true}}}
  Answer: {fields: {question: ref(Question), author: ref(User), body: text}}
  Vote: {fields: {question: ref(Question), voter: ref(User), value: int}}
  Ticket: {fields: {subject: string(80), status: "enum[open,closed]", assignee: ref(User)?}}
use_cases:
  - {name: USE, actor: user, WHAT, rate: 1/s}
"""


@pytest.mark.parametrize(
    ("name", "what", "entity"),
    [
        # the named entity written only in a field, beside a row written whole: the row is the subject
        ("answer question", "kind: create, writes: [Answer, Question.last_activity_at]", "Answer"),
        ("answer question", "writes: [Question.last_activity_at, Answer]", "Answer"),
        # a server-kept counter beside the row made (rule 0)
        ("vote on question", "writes: [Vote, Question.score]", "Vote"),
        # the named entity written whole stays the subject
        ("ask question", "writes: [Question, User.last_seen_at]", "Question"),
        # only field writes: the named entity
        ("close ticket", "kind: update, writes: [Ticket.status]", "Ticket"),
        ("assign ticket", "kind: update, writes: [Ticket.assignee, User.last_seen_at]", "Ticket"),
        # a state the named entity takes, beside a row made elsewhere: the act is on the named entity
        ("close ticket", "kind: update, writes: [Ticket.status, Answer]", "Ticket"),
        ("close ticket", "writes: [Ticket.status, Answer]", "Ticket"),
        # a create makes the row it writes whole, whatever it sets on the item it names
        ("assign ticket", "kind: create, writes: [Answer, Ticket.status, Ticket.assignee]", "Answer"),
        # a read names its rows
        ("view question", "kind: get, reads: [Question, Answer]", "Question"),
    ],
)
def test_the_subject_is_the_row_the_use_case_makes_or_reads_ok(name: str, what: str, entity: str) -> None:
    """A use case named for its act and the item it acts on ("answer question") is about the row it writes whole (an Answer),
    not the item it touches field by field: its contract posts an Answer under the question, never a Question."""
    spec = load_spec_bytes(SPEC.replace("USE", name).replace("WHAT", what).encode(), "qa.yaml").spec
    assert primary_entity(spec, spec.use_cases[0]) == entity


def test_a_read_logging_its_query_is_about_what_it_reads_ok() -> None:
    """A search that records its query (a whole row it writes) is about what it reads: the log is its side write."""
    text = SPEC.replace("USE", "search questions").replace("WHAT", "kind: list, reads: [Question], search: [title], writes: [Vote]")
    spec = load_spec_bytes(text.encode(), "qa.yaml").spec
    assert primary_entity(spec, spec.use_cases[0]) == "Question"
