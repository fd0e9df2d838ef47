"""The caller's own rows are named by the access token, never by an id the client sends (issue 22, class q10).

Specs of several shapes, written as a stranger would: a podcast app whose episode feed reads through subscriptions; a
group chat whose inbox reads through memberships and whose mentions are private to their recipient; a reading app whose
reading list reads through shelves, opened to other readers where the spec says so; an alerting service whose alerts
the system raises for one member each.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import Architecture, Operation

#: A listener's feed reads episodes through the listener's subscriptions; a show's episodes are anyone's to read.
PODCASTS = """
system: podcasts
entities:
  Listener: {fields: {handle: {type: string(30), unique: true}}, rows: 1M}
  Show: {fields: {title: string(100), host: ref(Listener)}, rows: 50k}
  Episode: {fields: {show: ref(Show), title: string(200)}}
  Subscription: {fields: {subscriber: ref(Listener), show: ref(Show)}, unique: [[subscriber, show]], avg_per_parent: 20}
use_cases:
  - {name: subscribe to show, actor: listener, writes: [Subscription], rate: 5/s}
  - {name: publish episode, actor: listener, writes: [Episode], rate: 1/s}
  - {name: episode feed, actor: listener, reads: [Episode, Subscription], filter: [Subscription.subscriber], sort: [-created_at], rate: 200/s}
  - {name: show episodes, actor: listener, reads: [Episode], filter: [show], sort: [-created_at], rate: 50/s}
"""

#: A member's inbox reads messages through the member's rooms; a mention is its recipient's alone.
CHAT = """
system: rooms
entities:
  User: {fields: {name: string(50)}, rows: 100k}
  Room: {fields: {title: string(80)}, rows: 10k}
  Membership: {fields: {room: ref(Room), member: ref(User)}, unique: [[room, member]], avg_per_parent: 30}
  Message: {fields: {room: ref(Room), author: ref(User), body: text}}
  Mention: {fields: {recipient: ref(User), message: ref(Message), excerpt: string(100)}}
use_cases:
  - {name: join room, actor: user, writes: [Membership], rate: 1/s}
  - {name: send message, actor: user, writes: [Message], rate: 50/s}
  - {name: mention user, actor: user, writes: [Mention], rate: 5/s}
  - {name: inbox, kind: list, actor: user, reads: [Message, Membership], filter: [Membership.member], sort: [-created_at], rate: 100/s}
  - {name: list mentions, actor: user, owner_only: true, reads: [Mention], filter: [recipient], rate: 20/s}
"""

#: A reader's list reads books through the reader's shelves; another reader's shelf is open by the spec's word.
READING = """
system: reading
entities:
  Reader: {fields: {name: string(50)}, rows: 500k}
  Book: {fields: {title: string(200)}, rows: 2M}
  Shelf: {fields: {reader: ref(Reader), book: ref(Book)}, unique: [[reader, book]], avg_per_parent: 40}
  Review: {fields: {book: ref(Book), author: ref(Reader), stars: int}}
use_cases:
  - {name: shelve book, actor: reader, writes: [Shelf], rate: 2/s}
  - {name: write review, actor: reader, writes: [Review], rate: 1/s}
  - {name: reading list, kind: list, actor: reader, reads: [Book, Shelf], filter: [Shelf.reader], rate: 30/s}
  - {name: browse books of reader, kind: list, actor: reader, access: public, reads: [Book, Shelf], filter: [Shelf.reader], rate: 10/s}
  - {name: reviews by author, kind: list, actor: reader, reads: [Review], filter: [author], rate: 10/s}
"""

#: The system raises an alert for one member; members read only their own, while posts are read by anyone.
ALERTS = """
system: alerts
entities:
  Member: {fields: {email: {type: email, unique: true}}, rows: 10k}
  Alert: {fields: {recipient: ref(Member), text: string(200), seen: {type: bool, default: false}}}
  Post: {fields: {author: ref(Member), text: string(500)}}
use_cases:
  - {name: raise alert, kind: create, actor: system, writes: [Alert], rate: 10/s}
  - {name: my alerts, actor: member, reads: [Alert], filter: [recipient], rate: 20/s}
  - {name: write post, actor: member, writes: [Post], rate: 1/s}
  - {name: my posts, actor: member, owner_only: true, reads: [Post], filter: [author], rate: 5/s}
  - {name: posts by author, actor: member, kind: list, reads: [Post], filter: [author], rate: 5/s}
"""


def _ops(arch: Architecture) -> dict[str, Operation]:
    return {op.operation_id: op for api in arch.apis for op in api.operations}


def _params(op: Operation) -> set[str]:
    return {p.name for p in op.parameters}


@pytest.mark.parametrize(
    ("text", "op_id", "relation", "column"),
    [
        pytest.param(PODCASTS, "episodeFeed", "Subscription.subscriber", "subscriber_id", id="feed-through-subscriptions"),
        pytest.param(CHAT, "inbox", "Membership.member", "member_id", id="inbox-through-memberships"),
        pytest.param(READING, "readingList", "Shelf.reader", "reader_id", id="list-through-shelves"),
    ],
)
def test_read_through_relation_takes_reader_from_token_ok(text: str, op_id: str, relation: str, column: str) -> None:
    """A read through a relation by its reference to the caller's entity reads for the caller: /me, no id parameter."""
    op = _ops(design_of(text))[op_id]
    assert op.path.startswith("/me/"), op.path
    assert op.caller_filters == [relation]
    assert column not in _params(op)
    assert not any(p.location == "path" for p in op.parameters)
    assert f"{relation} is taken from the access token" in op.description


@pytest.mark.parametrize(
    ("text", "op_id", "column"),
    [
        pytest.param(PODCASTS, "showEpisodes", "show_id", id="a-show-by-its-parent"),
        pytest.param(READING, "reviewsByAuthor", "author_id", id="one-author-by-own-reference"),
        pytest.param(ALERTS, "postsByAuthor", "author_id", id="posts-by-author"),
    ],
)
def test_direct_reference_filter_stays_the_clients_ok(text: str, op_id: str, column: str) -> None:
    """A filter on the read entity's own reference names whose rows are shown, so the client still chooses it."""
    op = _ops(design_of(text))[op_id]
    assert column in _params(op), (op.path, _params(op))
    assert not op.caller_filters


def test_relation_opened_by_access_public_says_so_ok() -> None:
    """``access: public`` keeps a relation's reader a parameter, and the contract says another user may be named."""
    op = _ops(design_of(READING))["browseBooksOfReader"]
    assert "reader_id" in _params(op)
    assert not op.caller_filters
    assert "Any signed-in caller may name another user's Shelf.reader (access: public)" in op.description


@pytest.mark.parametrize(
    ("text", "op_id"),
    [
        pytest.param(CHAT, "getMention", id="mentions-read-only-by-recipient"),
        pytest.param(ALERTS, "getAlert", id="system-made-alerts"),
    ],
)
def test_get_of_private_rows_is_owner_only_ok(text: str, op_id: str) -> None:
    """A get by id of rows every read limits to their owner answers only the owner."""
    op = _ops(design_of(text))[op_id]
    assert op.owner_only, op.description
    assert "Only its owner may read it" in op.description


@pytest.mark.parametrize(
    ("text", "op_id"),
    [
        pytest.param(ALERTS, "getPost", id="posts-also-read-by-author"),
        pytest.param(PODCASTS, "getEpisode", id="episodes-read-by-show"),
        pytest.param(CHAT, "getMessage", id="messages-read-by-members"),
    ],
)
def test_get_of_rows_others_read_is_not_owner_only_ok(text: str, op_id: str) -> None:
    """Rows some use case reads for other users keep a get any signed-in caller may call."""
    op = _ops(design_of(text))[op_id]
    assert not op.owner_only, op.description


#: Answers are voted on by their readers and unvoted; a moderator pins an answer (a link the caller is no end of).
VOTES = """
system: answers
entities:
  User: {fields: {name: string(50)}, rows: 1M}
  Answer: {fields: {author: ref(User), body: text}}
  Vote: {fields: {answer: ref(Answer), voter: ref(User), direction: "enum[up,down]"}, unique: [[answer, voter]]}
  Pin: {fields: {answer: ref(Answer), board: ref(Board)}, unique: [[answer, board]]}
  Board: {fields: {title: string(80)}, rows: 1k}
use_cases:
  - {name: post answer, actor: user, writes: [Answer], rate: 5/s}
  - {name: vote on answer, actor: user, writes: [Vote], rate: 50/s}
  - {name: remove vote, kind: delete, actor: user, writes: [Vote], rate: 5/s}
  - {name: pin answer, actor: user, writes: [Pin], rate: 1/s}
"""


@pytest.mark.parametrize(
    ("text", "op_id", "param"),
    [
        pytest.param(VOTES, "voteOnAnswer", "voter_id", id="voter-is-the-target-end"),
        pytest.param(VOTES, "removeVote", "voter_id", id="unvote-too"),
        pytest.param(PODCASTS, "subscribeToShow", "listener_id", id="subscriber-is-the-source-end"),
        pytest.param(CHAT, "joinRoom", "member_id", id="a-join-no-check-relies-on"),
    ],
)
def test_link_write_naming_caller_checks_token_ok(text: str, op_id: str, param: str) -> None:
    """A link write whose path names the caller's own end requires it to be the token's subject (403 otherwise)."""
    arch = design_of(text)
    op = _ops(arch)[op_id]
    assert op.caller_params == [param], (op.path, op.caller_params)
    assert f"The {param} must be the caller's own id (the token's subject): another user's id answers 403." in op.description
    # the token vouches for the caller's end: no existence check calls the service owning the caller's entity for it
    assert all(c.check == "token" for c in arch.reference_checks if c.operation == op_id and c.column == param)


def test_link_the_caller_is_no_end_of_is_unchecked_ok() -> None:
    """A link between two rows neither of which is the caller (an answer pinned to a board) names nobody's own id."""
    op = _ops(design_of(VOTES))["pinAnswer"]
    assert op.caller_params == []
    assert "must be the caller's own id" not in op.description


def test_join_with_member_rule_says_that_rule_instead_ok() -> None:
    """A join some members-only check relies on is authorized by the member rule (an admin may add others), said once."""
    op = _ops(design_of(READING))["shelveBook"]
    assert op.caller_params == []
    assert "Joins the caller (reader_id is the token's subject)" in op.description
    assert "must be the caller's own id" not in op.description
