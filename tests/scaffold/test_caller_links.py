"""The scaffolded service refuses a link write naming another user where the caller's own id belongs (issue 22, class q10).

The generated route passes which end of the pair is the caller's to the link write; the generated tests make the link as
the caller (204) and are refused naming another user there (403). Two shapes: a vote whose voter is the pair's second end,
and a follow whose follower is its first.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.spec.load import load_spec_bytes
from scaffold.test_mechanisms import _own_tests

#: A reader votes on a post: the voter is the target end of ``/posts/{post_id}/votes/{voter_id}``.
VOTES = """\
system: votes
services:
  votes: {owns: [Reader, Post, Vote]}
entities:
  Reader: {fields: {name: string(100)}, rows: 100k}
  Post: {fields: {author: ref(Reader), title: string(100)}, rows: 10k}
  Vote: {fields: {post: ref(Post), voter: ref(Reader), direction: "enum[up,down]"}, unique: [[post, voter]]}
use_cases:
  - {name: write post, actor: reader, writes: [Post], rate: 1/s}
  - {name: vote on post, actor: reader, writes: [Vote], rate: 5/s}
  - {name: withdraw vote, kind: delete, actor: reader, writes: [Vote], rate: 1/s}
"""

#: A birder follows another: the follower is the source end of ``/birders/{birder_id}/following/{followee_id}``.
FOLLOWS = """\
system: birds
services:
  birds: {owns: [Birder, Follow]}
entities:
  Birder: {fields: {handle: {type: string(30), unique: true}}, rows: 100k}
  Follow: {fields: {follower: ref(Birder), followee: ref(Birder)}, unique: [[follower, followee]]}
use_cases:
  - {name: follow birder, actor: birder, writes: [Follow], rate: 5/s}
  - {name: unfollow birder, kind: delete, actor: birder, writes: [Follow], rate: 1/s}
"""


@pytest.mark.postgres
@pytest.mark.parametrize(("spec", "ops"), [pytest.param(VOTES, 2, id="voter-target-end"), pytest.param(FOLLOWS, 2, id="follower-source-end")])
def test_generated_service_refuses_acting_as_another_ok(postgres: object, tmp_path: Path, spec: str, ops: int) -> None:
    """The generated link writes take the caller's end as the token's subject, and the generated tests prove the 204 and 403."""
    result = design_spec(load_spec_bytes(textwrap.dedent(spec).encode(), "spec.yaml"))
    assert sum(bool(op.caller_params) for api in result.architecture.apis for op in api.operations) == ops
    (deployable,) = scaffold(from_files(result.architecture, result.files, "svc"), tmp_path).project.deployables
    routes = "\n".join(p.read_text() for p in (tmp_path / deployable.name).rglob("routes.py"))
    assert routes.count("caller=") == ops, routes
    run = _own_tests(tmp_path / deployable.name, postgres)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
