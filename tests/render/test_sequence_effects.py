"""A write's effects are drawn once and where they happen: the transaction a sequence diagram lists holds every counter the
contract says the write updates and the outbox row of every event the design says it publishes (a consumer inside the same
service included), and what a consumer of a relayed event does with it is drawn after the relay delivered it, never before
the commit that publishes it."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture, Flow
from backend_architect.ir.query import OUTBOX_SOURCE, event_source
from backend_architect.ir.store_steps import operation_of
from backend_architect.render.sequence import render_sequence
from backend_architect.spec.load import load_spec_bytes

#: A forum: replies and likes keep counters on their thread, which the server owns.
FORUM = """\
system: forum
entities:
  Member: {fields: {name: string(80)}, rows: 100k}
  Thread:
    rows: 1M
    fields:
      author: ref(Member)
      title: string(150)
      reply_count: {type: int, default: 0, generated: true}
      likes: {type: int, default: 0, generated: true}
  Reply: {fields: {thread: ref(Thread), author: ref(Member), body: text}, rows: 5M, growth: 20k/day}
  Like: {fields: {thread: ref(Thread), liker: ref(Member)}, rows: 9M, growth: 50k/day, unique: [[thread, liker]]}
use_cases:
  - {name: start thread, actor: member, kind: create, writes: [Thread], rate: 2k/day}
  - name: reply to thread
    actor: member
    kind: create
    writes: [Reply]
    rate: 20k/day
    deliver: {mode: realtime, to: Reply.thread, subscribers: 10k}
  - {name: like thread, actor: member, kind: create, writes: [Like], rate: 50k/day}
  - {name: list replies, actor: member, kind: list, reads: [Reply], filter: [thread], rate: 500k/day}
"""

#: A podcast app: plays are recorded for analytics at a high rate, loaded by a job of the service that records them.
PODCASTS = """\
system: podcasts
entities:
  Listener: {fields: {name: string(80)}, rows: 5M}
  Episode: {fields: {title: string(200), audio_url: url}, rows: 2M, growth: 5k/day}
  Play:
    analytics: true
    fields: {listener: ref(Listener), episode: ref(Episode), offset_s: int}
    rows: 1B
    growth: 200M/day
use_cases:
  - {name: publish episode, actor: host, kind: create, writes: [Episode], rate: 5k/day}
  - {name: record play, actor: listener, kind: create, writes: [Play], rate: 200M/day}
  - {name: get episode, actor: listener, kind: get, reads: [Episode], rate: 50M/day}
"""

#: A photo feed: photos reach each follower's home feed, read far more often than photos are posted.
PHOTOS = """\
system: photo-feed
scale: {users: 20M}
entities:
  User: {fields: {handle: string(30)}, rows: 20M}
  Photo: {fields: {owner: ref(User), caption: string(300), image_url: url}, append_only: true, rows: 500M, growth: 5M/day}
  Follow:
    fields: {follower: ref(User), followee: ref(User)}
    unique: [[follower, followee]]
    rows: 2B
    avg_per_parent: 100
use_cases:
  - {name: post photo, actor: user, kind: create, writes: [Photo], rate: 1k/s, avg_fanout: 100}
  - {name: follow user, actor: user, kind: create, writes: [Follow], rate: 100/s}
  - name: view home feed
    actor: user
    owner_only: true
    kind: list
    reads: [Photo, Follow]
    filter: [Follow.follower]
    sort: [-created_at]
    page: cursor
    rate: 50k/s
    consistency: eventual
    staleness: 5s
"""


def _arch(text: str) -> Architecture:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")).architecture


def _writes(arch: Architecture) -> list[tuple[Flow, str]]:
    """Each write flow an operation serves with its diagram's transaction line."""
    found = []
    for flow in arch.flows:
        op = operation_of(arch, flow)
        if op is None or op.kind not in {"create", "update", "replace", "action", "delete"}:
            continue
        line = next((x for x in render_sequence(arch, flow).splitlines() if "then commit" in x or x.endswith(", commit")), "")
        found.append((flow, line))
    return found


@pytest.mark.parametrize("text", [pytest.param(FORUM, id="forum"), pytest.param(PODCASTS, id="podcasts"), pytest.param(PHOTOS, id="photos")])
def test_transaction_names_every_outbox_event_ok(text: str) -> None:
    """Every event a write publishes from the outbox has its outbox row in the transaction the diagram draws."""
    arch = _arch(text)
    checked = 0
    for flow, line in _writes(arch):
        home = flow.steps[0].target
        for event in arch.events:
            if event.producer == home and event.use_case == flow.use_case and event_source(arch, event) == OUTBOX_SOURCE:
                assert event.name in line, (flow.use_case, event.name, line)
                checked += 1
    assert checked


def test_in_service_consumer_event_is_relayed_ok() -> None:
    """An event only a job of its own service consumes still commits its outbox row and leaves the relay after the response."""
    arch = _arch(PODCASTS)
    flow = next(f for f in arch.flows if f.use_case == "record play")
    event = next(e for e in arch.events if e.use_case == "record play")
    text = render_sequence(arch, flow)
    lines = text.splitlines()
    commit = next(i for i, x in enumerate(lines) if "then commit" in x)
    assert f"the outbox row ({event.name})" in lines[commit]
    assert any(f"-)outbox: {event.name}" in x for x in lines[commit:])


@pytest.mark.parametrize(
    ("text", "use_case", "said"),
    [
        pytest.param(FORUM, "reply to thread", "threads (reply_count)", id="forum-reply"),
        pytest.param(FORUM, "like thread", "threads (likes)", id="forum-like"),
    ],
)
def test_transaction_names_kept_counters_ok(text: str, use_case: str, said: str) -> None:
    """A counter the contract says a write updates is updated in that write's transaction, as the diagram draws it."""
    arch = _arch(text)
    op = next(o for a in arch.apis for o in a.operations if use_case in o.use_cases)
    assert op.updates
    assert f"Also updates {', '.join(op.updates)}" in op.description
    line = next(x for f, x in _writes(arch) if f.use_case == use_case)
    assert "+ update " in line, line
    assert said in line.partition("+ update ")[2], line


@pytest.mark.parametrize("text", [pytest.param(FORUM, id="forum"), pytest.param(PODCASTS, id="podcasts"), pytest.param(PHOTOS, id="photos")])
def test_consumer_work_after_delivery_ok(text: str) -> None:
    """What a consumer of a relayed event does (a fan-out worker's reads and pushes) is drawn after the commit and its delivery."""
    arch = _arch(text)
    for flow in arch.flows:
        home = flow.steps[0].target if flow.steps else ""
        relayed = {s.target for s in flow.steps if s.kind == "event" and s.source == home and s.via in {"outbox", "cdc"}} - {home}
        lines = render_sequence(arch, flow).splitlines()
        commit = next((i for i, x in enumerate(lines) if "then commit" in x or x.endswith(", commit")), None)
        if commit is None:
            continue
        for i, line in enumerate(lines):
            starts = line.strip().split("-", 1)[0].split(">", 1)[0]
            if any(starts == f"p_{c.replace('-', '_')}" for c in relayed):
                assert i > commit, (flow.use_case, line)


def test_fan_out_worker_after_commit_ok() -> None:
    """The photo feed's fan-out worker reads followers only after the photo is committed and its event delivered."""
    arch = _arch(PHOTOS)
    flow = next(f for f in arch.flows if f.use_case == "post photo")
    lines = render_sequence(arch, flow).splitlines()
    commit = next(i for i, x in enumerate(lines) if "then commit" in x)
    worker = [i for i, x in enumerate(lines) if "followers" in x]
    assert worker, "\n".join(lines)
    assert min(worker) > commit, "\n".join(lines)
