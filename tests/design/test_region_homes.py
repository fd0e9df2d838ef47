"""Every consistency the design claims holds under the multi-region mode it picks (issue 22-c4).

With active-active regions replicating asynchronously, a read is current only where its row is written: each row
has a home region, its writes and its current reads go there, other regions serve only reads that tolerate the lag,
and a unique key is checked in its owner's home or reserved globally. Specs of several shapes: one region,
active-passive, active-active with current reads, active-active where every read tolerates the lag, and a unique
username beside a key scoped by its board.
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.region_homes import INTER_REGION_RTT_MS, REPLICATION_LAG_S, pays_round_trip, region_plan
from backend_architect.ir.model import Architecture, Decision
from backend_architect.spec.model import Spec

BOARDS = """
system: boards
scale: {daily_active: 2M, availability: 99.99%, regions: REGIONS}
entities:
  User: {fields: {username: {type: string(40), unique: true}, bio: string(200)?}, rows: 5M}
  Board: {fields: {owner: ref(User), slug: string(60), title: string(120)}, unique: [[owner, slug]], growth: 50k/day}
  Card: {part_of: Board, fields: {text: string(500), position: integer}, growth: 2M/day}
  Follow: {part_of: Board, fields: {user: ref(User)}, unique: [[board, user]]}
use_cases:
  - {name: sign up, actor: user, auth: none, writes: [User], rate: 20k/day}
  - {name: create board, actor: user, writes: [Board], rate: 50k/day, latency_ms: WRITE_MS}
  - {name: add card, actor: user, writes: [Card], rate: 2M/day, latency_ms: WRITE_MS}
  - {name: list cards, actor: user, reads: [Card], filter: [board], page: cursor, rate: 40M/dayREAD}
  - {name: get board, actor: user, kind: get, reads: [Board], rate: 10M/dayREAD}
  - {name: follow board, actor: user, writes: [Follow], rate: 100k/day}
  - {name: boards i follow, actor: user, reads: [Board], filter: [Follow.user], rate: 1M/dayREAD}
"""


def _boards(regions: str, write_ms: int = 80, read: str = "") -> str:
    return BOARDS.replace("REGIONS", regions).replace("WRITE_MS", str(write_ms)).replace("READ", read)


def _design(text: str) -> tuple[Spec, Architecture, str]:
    spec = spec_of(text)
    result = design_spec(spec)
    return spec, result.architecture, result.files["design.md"]


def _regions(arch: Architecture) -> Decision | None:
    return next((d for d in arch.decisions if d.id.startswith("multi-region")), None)


@pytest.mark.parametrize(
    ("regions", "write_ms", "read", "mode"),
    [
        pytest.param("[eu-west]", 80, "", "single", id="one-region"),
        pytest.param("[eu-west, us-east]", 400, "", "active-passive", id="active-passive"),
        pytest.param("[eu-west, us-east]", 80, "", "active-active", id="active-active-current-reads"),
        pytest.param("[eu-west, us-east, ap-south]", 80, ", staleness: 30s", "active-active", id="active-active-lag-tolerant"),
    ],
)
def test_region_mode_is_the_decisions_mode_ok(regions: str, write_ms: int, read: str, mode: str) -> None:
    """The mode region_plan derives is the one the multi-region decision records (one source for every claim)."""
    spec, arch, _ = _design(_boards(regions, write_ms, read))
    assert region_plan(spec, analyse(spec)).mode == mode
    made = _regions(arch)
    assert (made is None) == (mode == "single")
    if made is not None:
        assert made.title.endswith(f"{mode} across {len(spec.scale.regions)} regions")


def test_active_active_states_the_home_of_each_current_read_ok() -> None:
    """Active-active with current reads: the decision routes each to its row's home and names the reads any region serves."""
    _, arch, document = _design(_boards("[eu-west, us-east]"))
    made = _regions(arch)
    assert made is not None
    assert "home-region rule" in made.choice
    assert "'list cards' in the home of the board it is scoped by (board_id)" in made.choice
    assert "'get board' in the home of the Board it reads" in made.choice
    assert f"pays the {INTER_REGION_RTT_MS:g} ms round trip" in made.choice
    assert f"RPO {REPLICATION_LAG_S:g} s: the writes homed in the lost region not yet replicated" in made.choice
    assert "home-region rule" in document


def test_lag_tolerant_reads_are_served_by_every_region_ok() -> None:
    """Active-active where every read tolerates the lag: no read is routed to a home region, none pays the round trip."""
    spec, arch, _document = _design(_boards("[eu-west, us-east, ap-south]", read=", staleness: 30s"))
    made = _regions(arch)
    assert made is not None
    assert "every read tolerates the replication lag, so each region serves every read" in made.choice
    plan = region_plan(spec, analyse(spec))
    assert plan.current_reads == ()
    assert set(plan.lagging_reads) == {"list cards", "get board", "boards i follow"}
    far = {f.scope for f in arch.figures if f.key.startswith("latency.far_region_ms.")}
    assert not far & {"list cards", "get board", "boards i follow"}


def test_a_read_of_rows_with_several_homes_says_which_are_current_ok() -> None:
    """A current read reaching its rows through a relation (boards a user follows, each homed with its owner) is answered in the
    caller's region: current for the rows homed there, the rest up to the lag behind; it pays no round trip."""
    spec, arch, document = _design(_boards("[eu-west, us-east]"))
    plan = region_plan(spec, analyse(spec))
    assert plan.spread_reads == ("boards i follow",)
    assert "boards i follow" not in dict(plan.current_reads)
    made = _regions(arch)
    assert made is not None
    assert "'boards i follow' read(s) rows of several homes (reached through a relation, or unscoped): answered in the caller's region" in made.choice
    assert not [f for f in arch.figures if f.key == "latency.far_region_ms.boards_i_follow"]
    row = next(line for line in document.splitlines() if line.startswith("| boards i follow | none |"))
    assert f"rows homed in another region trail by up to {REPLICATION_LAG_S:g} s" in row


def test_active_passive_serves_every_consistency_in_its_first_region_ok() -> None:
    """Active-passive: the decision says the first region takes every write and read, so the claims hold there; the RPO is the standbys' lag."""
    _, arch, _ = _design(_boards("[eu-west, us-east]", write_ms=400))
    made = _regions(arch)
    assert made is not None
    assert "eu-west takes every write and serves every read, so each consistency the design claims holds there" in made.choice
    assert f"RPO {REPLICATION_LAG_S:g} s of writes: the standbys trail by it" in made.choice


def test_active_passive_and_one_region_route_nothing_ok() -> None:
    """Active-passive and one region take every write in one region: no home rule, no far-region latency, no qualified claim."""
    for text in (_boards("[eu-west, us-east]", write_ms=400), _boards("[eu-west]")):
        spec, arch, document = _design(text)
        assert not region_plan(spec, analyse(spec)).homed
        assert "home-region rule" not in document
        assert "in the row's home region" not in document
        assert not [f for f in arch.figures if f.key.startswith("latency.far_region_ms.")]
        assert "from another region" not in document


@pytest.mark.parametrize(
    ("key", "how"),
    [
        pytest.param("User(username)", "a global reservation: the value is written to a reservation row in eu-west synchronously", id="global-username"),
        pytest.param("Board(owner, slug)", "checked in the home region of its User", id="scoped-by-owner"),
        pytest.param("Follow(board, user)", "checked in the home region of its Board", id="scoped-by-parent"),
    ],
)
def test_unique_keys_under_active_active_say_where_they_hold_ok(key: str, how: str) -> None:
    """A global unique key is reserved in the first region; a key holding a reference is checked in that owner's home."""
    spec, arch, _ = _design(_boards("[eu-west, us-east]"))
    keys = dict(region_plan(spec, analyse(spec)).unique_keys)
    assert keys[key].startswith(how)
    made = _regions(arch)
    assert made is not None
    assert f"{key}: {how}" in made.choice


@pytest.mark.parametrize(
    ("use_case", "pays"),
    [
        pytest.param("create board", False, id="create-owned-by-the-caller"),
        pytest.param("add card", True, id="create-of-a-part-homed-with-its-parent"),
        pytest.param("list cards", True, id="current-read-scoped-by-another-row"),
        pytest.param("sign up", True, id="create-holding-a-global-key"),
    ],
)
def test_far_region_latency_only_where_the_home_is_elsewhere_ok(use_case: str, pays: bool) -> None:
    """The latency table's 'from another region' adds the round trip exactly where the row's home may be another region."""
    spec, arch, document = _design(_boards("[eu-west, us-east]"))
    found = {u.name: u for u in analyse(spec).use_cases}
    assert pays_round_trip(spec, found[use_case]) is pays
    far = {f.scope: f for f in arch.figures if f.key.startswith("latency.far_region_ms.")}
    flow = next(f for f in arch.flows if f.use_case == use_case)
    if use_case in far:
        assert far[use_case].value == pytest.approx(flow.expected_latency_ms + INTER_REGION_RTT_MS)
        row = next(line for line in document.splitlines() if line.startswith(f"| {use_case} |") and " ms | " in line)
        assert f"{far[use_case].value:,.1f} ms" in row
    assert (use_case in far) is pays


def test_consistency_claims_name_the_home_region_ok() -> None:
    """Under active-active every 'strong consistency' and 'read-your-writes' claim says it holds in the row's home region."""
    _, _, document = _design(_boards("[eu-west, us-east]"))
    claims = list(re.finditer(r"strong consistency|read-your-writes", document))
    assert claims, "the board design claims no consistency: the test would pass vacuously"
    for claim in claims:
        line = document[document.rfind("\n", 0, claim.start()) + 1 : document.find("\n", claim.end())]
        assert "home region" in line, line


@pytest.mark.parametrize(("regions", "write_ms", "expected"), [("[eu-west, us-east]", 80, True), ("[eu-west, us-east]", 400, False), ("[eu-west]", 80, False)])
def test_a_far_region_latency_past_its_budget_is_a_bottleneck_ok(regions: str, write_ms: int, expected: bool) -> None:
    """Active-active: a write whose far-region latency (the round trip added) passes its budget is named a bottleneck, with its figure."""
    _, arch, _ = _design(_boards(regions, write_ms))
    found = [b for b in arch.bottlenecks if b.title == "Latency of 'add card' from another region"]
    assert bool(found) is expected
    if found:
        assert found[0].figure == "latency.far_region_ms.add_card"
        assert f"of a {write_ms} ms budget" in found[0].trigger
