"""An operation's description says one owner rule and says what a write's constant filter selects.

A link write whose path names the caller's own end answers another user's id with 403 (``design/api/caller_rows``): that
is its owner rule, so the owner-only sentence promising 404 to others is not said beside it. A write's constant filter
names the rows it reads (the drivers a ride request searches), so it is never said to "return only items" like a list.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.ir.model import Operation
from backend_architect.spec.load import load_spec_bytes

FOLLOWS = """
system: follows
team: {size: 12}
entities:
  User: {fields: {handle: string(30)}, rows: 1M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, unique: [[follower, followee]]}
use_cases:
  - {name: follow user, actor: user, owner_only: true, writes: [Follow], rate: 5/s}
  - {name: unfollow user, actor: user, owner_only: true, kind: delete, writes: [Follow], rate: 1/s}
  - {name: list followers, actor: user, reads: [Follow], filter: [followee], rate: 20/s}
"""

GROUPS = """
system: groups
team: {size: 12}
entities:
  User: {fields: {name: string(80)}, rows: 100k}
  Group: {fields: {title: string(80)}, many_to_many: {members: User}}
use_cases:
  - {name: create group, actor: user, writes: [Group], rate: 1/s}
  - {name: join group, actor: user, owner_only: true, writes: [Group.members], rate: 3/s}
  - {name: leave group, actor: user, owner_only: true, kind: delete, writes: [Group.members], rate: 1/s}
"""

VOTES = """
system: votes
team: {size: 12}
entities:
  User: {fields: {name: string(80)}, rows: 100k}
  Answer: {fields: {body: text}}
  Upvote: {fields: {voter: ref(User), answer: ref(Answer)}, unique: [[voter, answer]]}
use_cases:
  - {name: post answer, actor: user, writes: [Answer], rate: 1/s}
  - {name: upvote answer, actor: user, owner_only: true, writes: [Upvote], rate: 30/s}
  - {name: withdraw upvote, actor: user, owner_only: true, kind: delete, writes: [Upvote], rate: 2/s}
"""

#: A request that picks among rows of another entity by a constant state, and a list filtered the same way.
DISPATCH = """
system: dispatch
team: {size: 12}
entities:
  Courier: {fields: {status: "enum[offline,available,busy]", location: geo}, rows: 50k}
  Job: {fields: {pickup: geo, courier: ref(Courier)?}}
use_cases:
  - {name: request job, actor: user, writes: [Job], reads: [Courier], filter: [Courier.status=available], near: pickup, rate: 10/s}
  - {name: list free couriers, actor: dispatcher, reads: [Courier], filter: [status=available], rate: 5/s}
"""


def _operations(text: str) -> list[Operation]:
    arch = design_spec(load_spec_bytes(text.encode(), "sentences.yaml")).architecture
    return [op for api in arch.apis for op in api.operations]


@pytest.mark.parametrize(
    ("text", "own_path_id", "owner_404"),
    [
        pytest.param(FOLLOWS, {"followUser", "unfollowUser"}, set(), id="follow-link"),
        pytest.param(VOTES, {"upvoteAnswer", "withdrawUpvote"}, set(), id="vote-link"),
        pytest.param(GROUPS, set(), {"joinGroup", "leaveGroup"}, id="membership-keeps-its-member-rule"),
    ],
)
def test_one_owner_rule_per_operation_ok(text: str, own_path_id: set[str], owner_404: set[str]) -> None:
    """Where the path's user id must be the caller's (403), no sentence also promises 404 to others; owner-only operations
    without such an id keep their 404 sentence."""
    operations = {op.operation_id: op for op in _operations(text)}
    assert {name for name, op in operations.items() if op.caller_params} == own_path_id
    for name in own_path_id:
        assert "answers 403" in operations[name].description
        assert "others get 404" not in operations[name].description
    for name in owner_404:
        assert "others get 404" in operations[name].description


def test_a_writes_constant_filter_names_the_rows_it_reads_ok() -> None:
    """A write filtering another entity's rows by a state says it reads those rows; a list says what it returns."""
    operations = {op.operation_id: op for op in _operations(DISPATCH)}
    assert "Reads only the Courier rows where status = available." in operations["requestJob"].description
    assert "Returns only items" not in operations["requestJob"].description
    assert "Returns only items where status = available." in operations["listFreeCouriers"].description
