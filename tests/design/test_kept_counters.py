"""A counter the server keeps is kept by a write: the create of the rows it counts changes it, counted in its writes;
a counter no create counts is never claimed as kept."""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.kept_counters import kept_counters

#: Questions counting their answers (parts) and votes; answers counting theirs (a vote on an answer also names its question).
QA = """
system: qa
entities:
  User: {fields: {name: string(40)}, rows: 1M}
  Question: {fields: {title: string(150), author: ref(User), score: {type: int, default: 0, generated: true},
             answer_count: {type: int, default: 0, generated: true}}, rows: 1M}
  Answer: {part_of: Question, fields: {body: text, score: {type: int, default: 0, generated: true}}, growth: 10k/day}
  QuestionVote: {fields: {question: ref(Question), voter: ref(User), value: "enum[up, down]"}, growth: 50k/day}
  AnswerVote: {fields: {answer: ref(Answer), question: ref(Question), voter: ref(User), value: "enum[up, down]"}, growth: 80k/day}
use_cases:
  - {name: ask question, actor: member, writes: [Question], rate: 8k/day}
  - {name: post answer, actor: member, writes: [Answer], rate: 10k/day}
  - {name: upvote question, actor: member, kind: create, writes: [QuestionVote], rate: 50k/day}
  - {name: upvote answer, actor: member, kind: create, writes: [AnswerVote], rate: 80k/day}
  - {name: view question, actor: visitor, kind: get, reads: [Question], rate: 100/s}
"""

#: Posts counting likes by a count name and comments by num_; a liker's own counter (User.karma) names nothing it counts.
BLOG = """
system: blog
entities:
  User: {fields: {name: string(40), karma: {type: int, default: 0, generated: true}}, rows: 1M}
  Post: {fields: {title: string(150), author: ref(User), like_count: {type: int, default: 0, generated: true},
         num_comments: {type: int, default: 0, generated: true}}, rows: 5M}
  Like: {fields: {post: ref(Post), user: ref(User)}, growth: 1M/day}
  Comment: {fields: {post: ref(Post), author: ref(User), body: text}, growth: 200k/day}
use_cases:
  - {name: write post, actor: user, writes: [Post], rate: 20k/day}
  - {name: like post, actor: user, kind: create, writes: [Like], rate: 1M/day}
  - {name: comment on post, actor: user, kind: create, writes: [Comment], rate: 200k/day}
  - {name: read post, actor: visitor, kind: get, reads: [Post], rate: 300/s}
"""

#: A thread's score that no entity counts (replies are not votes), and a reply count the spec already has the reply write.
FORUM = """
system: forum
entities:
  Thread: {fields: {title: string(120), score: {type: int, default: 0, generated: true},
           reply_count: {type: int, default: 0, generated: true}}, rows: 1M}
  Reply: {part_of: Thread, fields: {body: text}, growth: 100k/day}
use_cases:
  - {name: open thread, actor: user, writes: [Thread], rate: 10k/day}
  - {name: reply, actor: user, writes: [Reply, Thread.reply_count], rate: 100k/day}
  - {name: view thread, actor: visitor, auth: required, kind: get, reads: [Thread], rate: 500/s}
"""


@pytest.mark.parametrize(
    ("text", "kept", "unkept"),
    [
        pytest.param(
            QA,
            {"post answer": ["Question.answer_count"], "upvote question": ["Question.score"], "upvote answer": ["Answer.score"]},
            [],
            id="parts-and-votes",
        ),
        pytest.param(BLOG, {"like post": ["Post.like_count"], "comment on post": ["Post.num_comments"]}, ["User.karma"], id="count-names"),
        pytest.param(FORUM, {}, ["Thread.score"], id="nothing-counts-the-score"),
    ],
)
def test_a_kept_counter_is_written_by_the_create_it_counts_ok(text: str, kept: dict[str, list[str]], unkept: list[str]) -> None:
    """Each counter is added to the writes of the creates of the rows it counts, with an assumption; the rest stay unwritten."""
    spec = spec_of(text)
    made, notes = kept_counters(spec, analyse(spec))
    before = {u.name: u.writes for u in spec.use_cases}
    added = {u.name: [w for w in u.writes if w not in before[u.name]] for u in made.use_cases}
    assert {n: w for n, w in added.items() if w} == kept
    assert len(notes) == sum(len(w) for w in kept.values())
    written = {w for u in made.use_cases for w in u.writes}
    assert not set(unkept) & written


@pytest.mark.parametrize(
    ("text", "table", "writer"),
    [
        pytest.param(QA, "questions", "upvote-question", id="a-vote-writes-the-question"),
        pytest.param(QA, "answers", "upvote-answer", id="a-vote-writes-the-answer"),
        pytest.param(BLOG, "posts", "like-post", id="a-like-writes-the-post"),
    ],
)
def test_the_keeping_write_is_counted_on_the_counters_table_ok(text: str, table: str, writer: str) -> None:
    """The counter's table counts the keeping create among its writers, and the contract says the request updates it."""
    arch = design_of(text)
    writes = next(f for f in arch.figures if f.key == f"qps.peak.write.table.{table}")
    assert f"peak_{writer}" in writes.inputs
    op = next(o for a in arch.apis for o in a.operations if writer.replace("-", " ") in o.use_cases)
    assert "Also updates" in op.description


def _said(text: str) -> str:
    arch = design_of(text)
    return " ".join([*(d.context for d in arch.decisions), *(d.rationale for d in arch.decisions), *(c.rationale for c in arch.caches)])


@pytest.mark.parametrize(
    ("text", "said"),
    [
        pytest.param(QA, "its rows are updated ('post answer' writes answer_count", id="kept-by-its-create"),
        pytest.param(FORUM, "Thread.score is generated by the server and no use case changes it yet", id="kept-by-nothing"),
    ],
)
def test_no_record_claims_a_counter_no_write_keeps_ok(text: str, said: str) -> None:
    """A cached read's record names the write keeping the counter, or says none changes it: never 'a counter the server keeps'."""
    records = _said(text)
    assert said in records
    assert "counter the server keeps" not in records


def test_the_vote_stays_the_subject_of_its_use_case_ok() -> None:
    """A vote writing its question's score is still about the vote: its rows, its event, its path."""
    spec = spec_of(QA)
    made, _ = kept_counters(spec, analyse(spec))
    entities = {u.name: u.entity for u in analyse(made).use_cases}
    assert entities["upvote question"] == "QuestionVote"
    assert entities["post answer"] == "Answer"
