"""A read said to be served by a mechanism (presence, a latest value in Redis) reads that store and answers what it holds."""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.loads import database_loads
from backend_architect.ir.model import Architecture, Operation
from design.helpers import design_of, spec_of

FLEET = """\
system: fleet
team: {size: 3}
entities:
  Site:
    fields: {name: string(80)}
    rows: 10k
  Device:
    fields: {site: ref(Site), serial: string(40)}
    presence: {offline_after: 90s}
    rows: 2M
use_cases:
  - {name: list site devices, actor: operator, reads: [Device], filter: [site], page: {limit: 50, max: 200}, rate: 30/s%(extra)s}
"""

TEAMS = """\
system: teams
team: {size: 3}
scale: {concurrent_users: 100k}
entities:
  User:
    fields: {handle: string(40), last_seen_at: datetime?}
    presence: true
    rows: 1M
  Team:
    fields: {name: string(80)}
    rows: 50k
  Seat:
    fields: {team: ref(Team), user: ref(User)}
    unique: [[team, user]]
    rows: 2M
use_cases:
  - {name: %(name)s, actor: user, reads: [Seat, User], filter: [team], page: {limit: 20, max: 100}, rate: 10/s%(extra)s}
  - {name: get last seen, actor: user, kind: get, reads: [User.last_seen_at], rate: 200/s}
"""


def _op(arch: Architecture, use_case: str) -> Operation:
    return next(op for api in arch.apis for op in api.operations if use_case in op.use_cases)


def _response(arch: Architecture, use_case: str) -> set[str]:
    """The properties a use case's answer carries (a page's items, or the object itself)."""
    op = _op(arch, use_case)
    schemas = {s.name: s for api in arch.apis for s in api.schemas}
    answer = schemas[op.response_schema or ""]
    items = next((p.items for p in answer.properties if p.name == "items" and p.items), None)
    return {p.name for p in schemas[items or answer.name].properties}


@pytest.mark.parametrize(
    ("text", "use_case", "fields", "per_read", "entity"),
    [
        pytest.param(
            FLEET % {"extra": ", description: which devices are online"}, "list site devices", {"online", "last_seen_at"}, 50, "device", id="own-rows-by-words"
        ),
        pytest.param(FLEET % {"extra": ", online: true"}, "list site devices", {"online", "last_seen_at"}, 50, "device", id="own-rows-by-key"),
        pytest.param(
            TEAMS % {"name": "who is online in a team", "extra": ""},
            "who is online in a team",
            {"user_online", "user_last_seen_at"},
            20,
            "user",
            id="through-a-ref",
        ),
        pytest.param(
            TEAMS % {"name": "list team seats", "extra": ", online: true"}, "list team seats", {"user_online", "user_last_seen_at"}, 20, "user", id="ref-by-key"
        ),
    ],
)
def test_online_read_looks_up_presence_and_answers_it_ok(text: str, use_case: str, fields: set[str], per_read: int, entity: str) -> None:
    """A read of who is online batches the listed rows' presence keys, answers each row's flag and last seen, and counts the lookups."""
    arch = design_of(text)
    assert fields <= _response(arch, use_case)
    example = _op(arch, use_case).example_response
    assert fields <= set(example["items"][0])
    flow = next(f for f in arch.flows if f.use_case == use_case)
    assert any(s.target == "redis" and s.kind == "query" and "MGET presence:" in s.description for s in flow.steps)
    mechanism = next(m for m in arch.mechanisms if m.use_case == use_case and m.pattern == "PAT022")
    assert mechanism.database_share == 1.0  # the rows still come from the database
    figures = {f.key: f for f in arch.figures}
    lookups = figures[f"presence.lookups.{entity}"]
    peak = next(f.value for f in arch.figures if f.key.startswith("qps.peak.") and f.key.endswith(use_case.replace(" ", "-")))
    assert lookups.value >= peak * per_read


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(FLEET % {"extra": ""}, id="no-word-no-key"),
        pytest.param(FLEET % {"extra": ", description: which devices are online, online: false"}, id="key-says-no"),
        pytest.param(TEAMS % {"name": "list team seats", "extra": ""}, id="ref-no-word"),
    ],
)
def test_read_not_about_who_is_online_leaves_presence_alone_ok(text: str) -> None:
    """A read that does not ask who is online gets no presence lookup and no online flag."""
    arch = design_of(text)
    use_case = next(u for u in ("list site devices", "list team seats") if u in text)
    assert not {"online", "user_online"} & _response(arch, use_case)
    assert not any(m.use_case == use_case and m.pattern == "PAT022" for m in arch.mechanisms)


def test_last_seen_from_presence_answers_only_what_presence_holds_ok() -> None:
    """A read served by the presence store alone returns the id, online and last seen, never the row's database columns."""
    arch = design_of(TEAMS % {"name": "list team seats", "extra": ""})
    assert _response(arch, "get last seen") == {"id", "online", "last_seen_at"}
    assert set(_op(arch, "get last seen").example_response) == {"id", "online", "last_seen_at"}
    mechanism = next(m for m in arch.mechanisms if m.use_case == "get last seen")
    assert mechanism.database_share == 0.0


PLAYBACK = """\
system: playback
team: {size: 3}
entities:
  Film:
    fields: {title: string(200)}
    rows: 100k
  Resume:
    fields: {profile: string(40), film: ref(Film), position_s: int}
    unique: [[profile, film]]
    rows: 10M
use_cases:
  - {name: save position, actor: user, writes: [Resume.position_s], latest: true, rate: 5k/s}
  - {name: %(name)s, actor: user, kind: get, reads: [%(reads)s], rate: 800/s}
"""


@pytest.mark.parametrize(
    ("reads", "alone"),
    [
        pytest.param("Resume.position_s", True, id="latest-value-alone"),
        pytest.param("Film, Resume.position_s", False, id="rows-and-latest-value"),
    ],
)
def test_latest_value_read_counts_what_redis_does_not_hold_ok(reads: str, alone: bool) -> None:
    """Redis answers a read alone only when it holds all it returns; otherwise the database load counts it and the answer carries both."""
    text = PLAYBACK % {"name": "open player", "reads": reads}
    arch = design_of(text)
    mechanism = next(m for m in arch.mechanisms if m.use_case == "open player" and m.serves == "read")
    loads = database_loads(analyse(spec_of(text)), arch)
    counted = any("peak_open-player" in load.reads for load in loads.values())
    read_model = any(c.use_case == "open player" and c.strategy == "read-model" for c in arch.caches)
    answer = _response(arch, "open player")
    if alone:
        assert (mechanism.database_share, read_model) == (0.0, True)
        assert answer == {"id", "position_s"}
    else:
        assert (mechanism.database_share, read_model) == (1.0, False)
        assert "Film" in mechanism.how
        assert {"title", "position_s"} <= answer
    assert counted is not alone


def test_online_flag_replaces_the_stale_last_seen_column_ok() -> None:
    """A read of rows that carry their own last-seen column answers it once, from the presence store."""
    text = TEAMS.replace("reads: [Seat, User], filter: [team]", "reads: [User], filter: [handle]") % {"name": "who is online by handle", "extra": ""}
    arch = design_of(text)
    op = _op(arch, "who is online by handle")
    schemas = {s.name: s for api in arch.apis for s in api.schemas}
    answer = schemas[op.response_schema or ""]
    items = next((p.items for p in answer.properties if p.name == "items" and p.items), None)
    names = [p.name for p in schemas[items or answer.name].properties]
    assert names.count("last_seen_at") == 1
    assert "online" in names
