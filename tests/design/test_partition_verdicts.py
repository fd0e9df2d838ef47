"""One partitioning verdict per table, stated with one threshold everywhere (issue 22-e1).

The partitioning decision, the assumptions and the bottleneck row for a table's size read the same verdict
(``partition_rule.TimeVerdict``): a table past the time-partitioning threshold that the design keeps whole says why in
the same sentence, and no section advises partitions the decision refused. Specs of several shapes: an appended table past
the threshold read by time range, one with a unique key on non-time columns, one whose rows change, one under the
threshold, a sharded one.
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of, spec_of, table

from backend_architect.design.analysis import analyse
from backend_architect.design.capacity import index_bytes_per_row
from backend_architect.design.partition_rule import PARTITION_MIN_BYTES, TimeVerdict, append_mostly
from backend_architect.ir.model import Architecture, Bottleneck, Decision

FORUM = """\
system: forum
scale: {retention_years: 5}
entities:
  Member: {fields: {name: string(80)}, rows: 1M}
  Post: {fields: {author: ref(Member), body: text}, rows: 1M}
  Vote: {fields: {post: ref(Post), voter: ref(Member), value: int}, unique: [[post, voter]], append_only: true}
  Event: {fields: {member: ref(Member), kind: string(40), at: datetime}, append_only: true}
  Order: {fields: {member: ref(Member), total: money, status: string(20)}}
use_cases:
  - {name: vote, actor: member, writes: [Vote], rate: VOTES}
  - {name: view post, actor: member, kind: get, reads: [Post], rate: 50/s}
  - {name: record event, actor: member, writes: [Event], rate: EVENTS}
  - {name: list events, actor: member, reads: [Event], filter: [Event.member], sort: [-at], rate: 5/s}
  - {name: place order, actor: member, writes: [Order], rate: ORDERS}
  - {name: change order, actor: member, kind: update, writes: [Order], rate: ORDERS}
"""


def _forum(votes: str, events: str, orders: str) -> Architecture:
    return design_of(FORUM.replace("VOTES", votes).replace("EVENTS", events).replace("ORDERS", orders))


def _decision(arch: Architecture) -> Decision:
    return next(d for d in arch.decisions if d.id == "partitioning")


def _size_rows(arch: Architecture) -> dict[str, Bottleneck]:
    return {b.scope: b for b in arch.bottlenecks if b.title.startswith("Size of ")}


#: A threshold stated for partitioning, in any of the forms the sections use.
_THRESHOLDS = re.compile(r"(?:partitions? (?:pays? off )?past|passes|kept whole past|>|past(?= [\d,.]+ GB \(server memory\))) ([\d,.]+) GB(?! after)")
_SIZE = re.compile(r"^([\d,]+\.\d) GB after ([\d.]+) years \(")


def threshold_problems(arch: Architecture, document: str) -> list[str]:
    """What breaks "a partitioning threshold is stated once per table": every size threshold stated for time partitions is
    one figure; a table past it that stays whole is named in the partitioning decision with its size and why, and its
    bottleneck row says it is kept whole (never "partition by created_at"); a partitioned table's plan states the size its
    bottleneck row states."""
    problems = []
    stated = {m.group(1) for m in _THRESHOLDS.finditer(document)}
    threshold = f"{PARTITION_MIN_BYTES / 1e9:,.0f}"
    if stated - {threshold}:
        problems.append(f"partitioning thresholds stated: {sorted(stated)}")
    decision = _decision(arch)
    said = f"{decision.choice} {decision.rationale}"
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    for name, row in _size_rows(arch).items():
        found = _SIZE.match(row.trigger)
        if found is None:
            problems.append(f"{name}: the size row states no size: {row.trigger}")
            continue
        gb, size = found.group(1), float(found.group(1).replace(",", "")) * 1e9
        plan = tables[name].partitioning
        if plan is not None:
            if "GB after" in plan.reason and f"{gb} GB after" not in plan.reason:
                problems.append(f"{name}: plan says {plan.reason!r}, bottleneck {gb} GB")
            if not row.scaling_step.startswith("partitioned by"):
                problems.append(f"{name}: partitioned, bottleneck says {row.scaling_step!r}")
            continue
        if size < PARTITION_MIN_BYTES:
            continue
        if f"{name} ({gb} GB after {found.group(2)} years) passes {threshold} GB and stays whole: " not in said:
            problems.append(f"{name}: {gb} GB, whole, and the partitioning decision does not say why: {said}")
        if "partition by created_at" in row.scaling_step or "kept whole" not in row.scaling_step:
            problems.append(f"{name}: past {threshold} GB and whole, bottleneck says {row.scaling_step!r}")
        if "time partitions past" in row.trigger:
            problems.append(f"{name}: whole, yet its bottleneck trigger promises time partitions: {row.trigger!r}")
    return problems


@pytest.mark.parametrize(
    ("rates", "partitioned", "whole"),
    [
        (("10/s", "10/s", "10/s"), {"events"}, {"votes", "orders"}),  # past the threshold: one partitioned, two kept whole
        (("10/s", "0.5/s", "0.5/s"), set(), {"votes"}),  # only the uniquely keyed table passes it
        (("0.5/s", "0.5/s", "0.5/s"), set(), set()),  # every table under it
        (("0.5/s", "4k/s", "0.5/s"), {"events"}, set()),  # the appended table sharded as well
    ],
)
def test_a_partitioning_threshold_is_stated_once_per_table_ok(rates: tuple[str, str, str], partitioned: set[str], whole: set[str]) -> None:
    """The tables partitioned and kept whole are the ones the numbers say, and every section states them alike."""
    arch = _forum(*rates)
    assert {t.name for s in arch.datastores for t in s.tables if t.partitioning} == partitioned
    decision = _decision(arch)
    assert {name for name in ("votes", "events", "orders") if f"{name} (" in decision.rationale and "stays whole: " in decision.rationale} >= whole
    assert not [w for w in ("votes", "orders") if w not in whole and f"{w} (" in decision.rationale]
    document = "\n".join([decision.choice, decision.rationale, *(f"{b.trigger} {b.scaling_step}" for b in arch.bottlenecks)])
    assert threshold_problems(arch, document) == []


def test_kept_whole_for_its_unique_key_says_so_in_the_decision_and_the_bottleneck_ok() -> None:
    """Nothing partitioned, one table past the threshold: the decision is not a bare "not needed", and its sentence is the
    bottleneck row's reason and the assumption."""
    arch = _forum("10/s", "0.5/s", "0.5/s")
    decision = _decision(arch)
    assert decision.choice == "not needed: 1 table(s) past 32 GB stay whole (see why)"
    (sentence,) = [a for a in arch.assumptions if a.startswith("votes (")]
    assert sentence in decision.rationale
    assert "its unique key (post_id, voter_id)" in sentence
    row = _size_rows(arch)["votes"]
    assert sentence.split("stays whole: ", 1)[1] in row.scaling_step
    # one verdict a table: the trigger never promises the time partitions its scaling step refuses
    assert "(no time partitions: kept whole, as the partitioning decision says; shards past 2 TB per primary)" in row.trigger
    assert "no table that gains" not in decision.alternatives[0].why_not


def test_rows_that_change_get_no_time_partitions_at_any_size_ok() -> None:
    """A table whose rows change is never offered time partitions: its row names the sharding threshold only, and past 32 GB
    the decision says why it stays whole."""
    arch = _forum("0.5/s", "0.5/s", "10/s")
    row = _size_rows(arch)["orders"]
    assert row.trigger.endswith("(no time partitions: its rows change; shards past 2 TB per primary)")
    assert "partition by" not in row.scaling_step
    assert "shard by its dominant key past 2 TB per primary" in row.scaling_step
    assert "orders (" in _decision(arch).rationale
    assert "its rows change after they are written" in _decision(arch).rationale


def test_under_the_threshold_is_partitioned_once_it_passes_it_ok() -> None:
    """An appended table under the threshold is told the same threshold the decision states, and nothing stays whole."""
    arch = _forum("0.5/s", "0.5/s", "0.5/s")
    assert _decision(arch).choice == "not needed"
    assert "past 32 GB (server memory)" in _decision(arch).rationale
    assert _size_rows(arch)["events"].scaling_step == "partition by created_at once it passes 32 GB"


def test_sharded_table_states_both_plans_ok() -> None:
    """A table past one primary's inserts is sharded and partitioned; its bottleneck row says both, as the decision does."""
    arch = _forum("0.5/s", "4k/s", "0.5/s")
    events = table(arch, "events")
    assert events.sharding is not None
    row = _size_rows(arch)["events"]
    assert row.scaling_step.startswith("partitioned by created_at per ")
    assert row.scaling_step.endswith(f"; shard by {events.sharding.key}")
    assert f"events: shard by {events.sharding.key}" in _decision(arch).choice


def test_two_thresholds_or_a_silent_whole_table_are_found_err() -> None:
    """The check finds a second threshold, and a table past the threshold the decision does not account for."""
    arch = _forum("10/s", "0.5/s", "0.5/s")
    decision = _decision(arch)
    silent = arch.model_copy(update={"decisions": [decision.model_copy(update={"choice": "not needed", "rationale": "one primary holds it"})]})
    problems = threshold_problems(silent, "time partitions past 32 GB; partition past 64 GB; passes 64 GB")
    assert any("thresholds stated: ['32', '64']" in p for p in problems), problems
    assert any(p.startswith("votes: ") and "does not say why" in p for p in problems), problems


@pytest.mark.parametrize(
    ("verdict", "said"),
    [
        (TimeVerdict("logs", 40e9, 3.0, True, partitioned="by created_at per month"), ""),
        (TimeVerdict("logs", 40e9, 3.0, True, whole="its unique key (a) ...", key=("a",)), "logs (40.0 GB after 3 years) passes 32 GB and stays whole: "),
        (TimeVerdict("logs", 40e9, 3.0, False), "logs (40.0 GB after 3 years) passes 32 GB and stays whole: its rows change"),
        (TimeVerdict("logs", 40e9, 3.0, True, authored=True), "logs (40.0 GB after 3 years) passes 32 GB and stays whole: the spec author"),
        (TimeVerdict("logs", 20e9, 3.0, False), ""),
    ],
)
def test_kept_whole_sentence_by_verdict_ok(verdict: TimeVerdict, said: str) -> None:
    """Only a table past the threshold and not partitioned has a kept-whole sentence, and it starts with its size."""
    assert verdict.kept_whole.startswith(said) if said else verdict.kept_whole == ""


@pytest.mark.parametrize("rates", [("0.5/s", "10/s", "0.5/s"), ("0.5/s", "4k/s", "0.5/s"), ("10/s", "0.5/s", "10/s")])
def test_a_table_is_sized_as_it_will_be_partitioned_ok(rates: tuple[str, str, str]) -> None:
    """Every table's size figure counts the key it is stored with: a time-partitioned table's holds created_at (the capacity
    stage sizes it so before the partitioning stage decides on that size), a whole table's does not."""
    arch = _forum(*rates)
    figures = {f.key: f for f in arch.figures}
    for t in (t for s in arch.datastores for t in s.tables if t.wide_column is None and t.role is None):
        sized = figures[f"bytes.5y.{t.name}"]
        assert sized.inputs["index_bytes_per_row"] == index_bytes_per_row(t), t.name
        if t.partitioning is not None:
            assert t.partitioning.column in t.primary_key
            # the rule's own plan states the size in GB; a storage tier's, in the unit of its hot store
            said = f"{sized.value / 1e9:,.1f} GB after 5 years" if "GB after" in t.partitioning.reason else f"{sized.value / 1e12:,.1f} TB after 5 years"
            assert said in t.partitioning.reason


def test_write_ceiling_row_advises_the_sharding_threshold_the_decision_states_ok() -> None:
    """With nothing partitioned or sharded, the write-ceiling row offers no time partitions (the decision refused them; they add
    no write capacity) and names the primary's write threshold the partitioning decision states for sharding."""
    arch = _forum("0.5/s", "0.5/s", "0.5/s")
    (row,) = [b for b in arch.bottlenecks if b.title == "Write ceiling of one database primary"]
    assert "partition the" not in row.scaling_step
    threshold = "writes pass 70% of 5,000/s"
    assert threshold in row.scaling_step
    assert threshold in _decision(arch).rationale


def test_what_the_numbers_chose_states_this_designs_size_ok() -> None:
    """A design the author keeps whole records the plan the numbers chose with the size its own bottleneck row states: the table
    is stored whole here, so it is sized whole (one figure per table in the document)."""
    text = FORUM.replace("VOTES", "0.5/s").replace("EVENTS", "10/s").replace("ORDERS", "0.5/s")
    arch = design_of(text + "decisions:\n  partitioning: {choose: one big table, reason: the team runs one table.}\n")
    assert table(arch, "events").partitioning is None
    (numbers,) = [a.name for a in _decision(arch).alternatives if a.name.startswith("what the numbers chose")]
    row = _size_rows(arch)["events"]
    assert row.scaling_step.startswith("kept whole by the spec author")
    assert row.trigger.split(" (", 1)[0] in numbers


#: Recipes link tags as they are published (RATE a day); SWAPS replace a recipe's tags, DROPS delete recipes.
RECIPES = """\
system: recipes
entities:
  Tag: {fields: {label: {type: string(40), unique: true}}, rows: 10k}
  Recipe: {fields: {title: string(120), body: text}, many_to_many: [Tag], growth: RATE}
  Cook: {fields: {name: string(80)}, rows: 1M, many_to_many: {follows: Cook}}
use_cases:
  - {name: add tag, actor: admin, writes: [Tag], rate: 10/day}
  - {name: publish recipe, actor: cook, writes: [Recipe, Recipe.tags], rate: RATE}
  - {name: view recipe, actor: cook, kind: get, reads: [Recipe], rate: 100/s}
  - {name: follow cook, actor: cook, writes: [Cook.follows], rate: 100k/day}
  - {name: unfollow cook, actor: cook, kind: delete, writes: [Cook.follows], rate: UNFOLLOWS}
EXTRA
"""


@pytest.mark.parametrize(
    ("extra", "unfollows", "changed"),
    [
        pytest.param("", "1k/day", set(), id="links-only-inserted"),
        pytest.param(
            "  - {name: retag recipe, actor: cook, kind: replace, writes: [Recipe, Recipe.tags], rate: 50k/day}", "1k/day", {"recipe_tags"}, id="tags-swapped"
        ),
        pytest.param("  - {name: drop recipe, actor: cook, kind: delete, writes: [Recipe], rate: 50k/day}", "1k/day", {"recipe_tags"}, id="owners-deleted"),
        pytest.param("", "50k/day", {"cook_follows"}, id="links-removed"),
    ],
)
def test_a_join_tables_rows_change_only_where_an_operation_changes_them_ok(extra: str, unfollows: str, changed: set[str]) -> None:
    """A join table's inserts are the links its owner's creates and link use cases make, its changes the swaps, unlinks and
    deletes of the owning rows: a table whose links are only ever inserted is appended to, and no verdict says its rows
    change (the capacity model counts only its inserts)."""
    text = RECIPES.replace("RATE", "200k/day").replace("UNFOLLOWS", unfollows).replace("EXTRA", extra)
    arch, analysis = design_of(text), analyse(spec_of(text))
    for name in ("recipe_tags", "cook_follows"):
        assert append_mostly(analysis, table(arch, name)) is (name not in changed), name
        row = _size_rows(arch).get(name)
        if row is not None:
            assert ("its rows change" in row.trigger) is (name in changed), row.trigger


#: Appended tables past the threshold kept whole by a unique key without the partition column: a review unique per stay (a
#: reference), a certificate unique by its serial (a string), a vote unique per post and voter (FORUM above: two columns).
STAYS = """\
system: stays
scale: {retention_years: 8}
entities:
  Guest: {fields: {name: string(80)}, rows: 5M}
  Stay: {fields: {guest: ref(Guest), nights: int}, rows: 50M}
  Review: {fields: {stay: ref(Stay), stars: int, text: string(400)}, unique: [[stay]], append_only: true}
use_cases:
  - {name: review stay, actor: guest, writes: [Review], rate: 40/s}
  - {name: read reviews, actor: guest, reads: [Review], filter: [Review.stay], rate: 20/s}
"""

CERTS = """\
system: certs
scale: {retention_years: 6}
entities:
  Issuer: {fields: {name: string(80)}, rows: 2k}
  Certificate: {fields: {issuer: ref(Issuer), serial: string(64), pem: string(3000)}, unique: [[serial]], append_only: true}
use_cases:
  - {name: issue certificate, actor: system, writes: [Certificate], rate: 30/s}
  - {name: look up serial, actor: user, reads: [Certificate], filter: [Certificate.serial], rate: 100/s}
"""


@pytest.mark.parametrize(
    ("text", "table"),
    [
        pytest.param(STAYS, "reviews", id="unique-per-stay"),
        pytest.param(CERTS, "certificates", id="unique-serial"),
        pytest.param(FORUM.replace("VOTES", "10/s").replace("EVENTS", "0.5/s").replace("ORDERS", "0.5/s"), "votes", id="unique-vote"),
    ],
)
def test_a_whole_appended_table_has_one_partitioning_verdict_ok(text: str, table: str) -> None:
    """An appended table past the threshold that stays whole says so in its bottleneck trigger too: no row promises time
    partitions beside a scaling step that keeps it whole."""
    arch = design_of(text)
    assert not next(t for s in arch.datastores for t in s.tables if t.name == table).partitioning
    row = _size_rows(arch)[table]
    assert "kept whole" in row.scaling_step, row.scaling_step
    assert "no time partitions: kept whole, as the partitioning decision says" in row.trigger, row.trigger
    assert threshold_problems(arch, f"{row.trigger} {row.scaling_step}") == []
