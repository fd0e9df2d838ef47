"""The append-mostly verdict reads the figures the design prints, and states them.

Time partitions and the wide-column store are for appended rows; whether a table's rows "change after they are written"
is one share, updates and deletes a day over inserts a day, where the inserts are the new rows a day the design prints
(rows written with a parent count) and the changes include another entity's write that sets one of its fields. Every
record saying the rows change states that share (whatsapp, run 21: "past 10% of its inserts" beside 1M leaves against 13M
inserts a day, 7.7%). Specs of several shapes: members written with their team, threads updated by each reply, a recipe's
tags a replace swaps.
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of, spec_of, table

from backend_architect.design.analysis import analyse
from backend_architect.design.churn import APPEND_MOSTLY_SHARE, churn
from backend_architect.design.partition_rule import append_mostly
from backend_architect.ir.model import Architecture

TEAMS = """\
system: teams
scale: {retention_years: 10}
entities:
  Person: {fields: {name: string(80)}, rows: 10M}
  Team: {fields: {title: string(80), owner: ref(Person)}, rows: 50M}
  Member: {part_of: Team, fields: {person: ref(Person), role: string(20), note: string(400)}, avg_per_parent: 4, rows: 200M}
use_cases:
  - {name: create team, actor: person, writes: [Team, Member], rate: 2M/day}
  - {name: join team, actor: person, writes: [Member], rate: 1M/day}
  - {name: leave team, actor: person, kind: delete, writes: [Member], rate: LEAVES}
  - {name: list my teams, actor: person, reads: [Member], filter: [person], page: cursor, rate: 100/s}
"""

FORUM = """\
system: forum
scale: {retention_years: 5}
entities:
  Member: {fields: {name: string(80)}, rows: 1M}
  Thread: {fields: {title: string(200), body: string(2000), last_reply_at: datetime?}, rows: 100M}
  Reply: {fields: {thread: ref(Thread), author: ref(Member), body: string(2000)}, append_only: true}
use_cases:
  - {name: open thread, actor: member, writes: [Thread], rate: 1M/day}
  - {name: reply, actor: member, writes: [Reply, Thread.last_reply_at], rate: REPLIES}
  - {name: read thread, actor: member, kind: get, reads: [Thread], rate: 50/s}
"""

RECIPES = """\
system: recipes
scale: {retention_years: 5}
entities:
  Tag: {fields: {name: {type: string(40), unique: true}}, rows: 10k, max_per_parent: 5}
  Recipe: {fields: {title: string(200)}, many_to_many: [Tag], rows: 100M}
use_cases:
  - {name: publish recipe, actor: cook, writes: [Recipe, Recipe.tags], rate: 2M/day}
  - {name: retag recipe, actor: cook, kind: replace, writes: [Recipe, Recipe.tags], rate: RETAGS}
  - {name: view recipe, actor: cook, kind: get, reads: [Recipe], rate: 20/s}
"""

_CHANGE = re.compile(
    r"its rows change(?: after they are written \(|: )([\d,]+) (?:updates|deletes) a day[^;]*? against ([\d,]+) inserts a day: ([\d.,]+)(%| times)"
)


def _figures(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


@pytest.mark.parametrize(
    ("text", "name", "appended"),
    [
        pytest.param(TEAMS.replace("LEAVES", "500k/day"), "members", True, id="members-written-with-their-team-few-leave"),
        pytest.param(TEAMS.replace("LEAVES", "3M/day"), "members", False, id="members-many-leave"),
        pytest.param(FORUM.replace("REPLIES", "50k/day"), "threads", True, id="threads-seldom-replied"),
        pytest.param(FORUM.replace("REPLIES", "5M/day"), "threads", False, id="threads-updated-by-each-reply"),
        pytest.param(RECIPES.replace("RETAGS", "10k/day"), "recipe_tags", True, id="tags-seldom-swapped"),
        pytest.param(RECIPES.replace("RETAGS", "1M/day"), "recipe_tags", False, id="tags-often-swapped"),
    ],
)
def test_verdict_reads_the_printed_rows_a_day_ok(text: str, name: str, appended: bool) -> None:
    """The inserts are the printed new rows a day, another entity's write of a field is a change, and the verdict follows the share."""
    spec = spec_of(text)
    arch = design_of(text)
    found = table(arch, name)
    said = churn(analyse(spec), found)
    printed = _figures(arch).get(f"storage.rows_per_day.{name}", found.rows_per_day)
    assert said.inserts_per_day == pytest.approx(printed)
    assert said.appended is appended
    assert append_mostly(analyse(spec), found) is appended
    assert (said.share <= APPEND_MOSTLY_SHARE) is appended


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(TEAMS.replace("LEAVES", "3M/day"), id="members"),
        pytest.param(FORUM.replace("REPLIES", "5M/day"), id="threads"),
        pytest.param(RECIPES.replace("RETAGS", "1M/day"), id="recipe-tags"),
    ],
)
def test_every_rows_change_states_a_share_past_the_rule_ok(text: str) -> None:
    """Each record saying a table's rows change states its changes and inserts a day, and their share, past the rule's 10%."""
    arch = design_of(text)
    document = arch.model_dump_json()
    stated = _CHANGE.findall(document)
    assert stated, "no record states why rows change"
    for changes, inserts, share, unit in stated:
        computed = float(changes.replace(",", "")) / float(inserts.replace(",", ""))
        assert computed > APPEND_MOSTLY_SHARE
        if unit == "%":
            assert float(share.replace(",", "")) == pytest.approx(computed * 100, abs=0.06)
        else:
            assert float(share.replace(",", "")) == pytest.approx(computed, abs=0.6)
    assert "updates and deletes past 10% of its inserts" not in document
