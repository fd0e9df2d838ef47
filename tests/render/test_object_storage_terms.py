"""The summary explains the object-storage total by the terms of its own formula, never by a cause outside it."""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of

from backend_architect.render.markdown import render_markdown

#: Lectures uploaded and transcoded to a two-step ladder, no growth stated.
LECTURES = """\
system: campus
scale: {retention_years: 5}
entities:
  Lecture:
    fields:
      title: string(200)
      recording: {type: blob, avg_bytes: 400MB, media: {transcode: [h264], renditions: [720p, 480p]}}
    growth: 2k/day
use_cases:
  - {name: upload lecture, actor: teacher, writes: [Lecture], rate: 2k/day}
  - {name: watch lecture, actor: student, kind: get, reads: [Lecture], rate: 200k/day}
"""

#: Listings with photos resized to two sizes, growing 40% a year.
LISTINGS = """\
system: rentals
scale: {retention_years: 3, growth_per_year: 40%}
entities:
  Listing:
    fields:
      title: string(120)
      photo: {type: blob, avg_bytes: 4MB, media: {renditions: [thumb, large]}}
    growth: 50k/day
use_cases:
  - {name: post listing, actor: host, writes: [Listing], rate: 50k/day}
  - {name: view listing, actor: guest, kind: get, reads: [Listing], rate: 5M/day}
"""

#: Receipts scanned and kept as they are: no processing, so the total is the originals alone.
RECEIPTS = """\
system: expenses
scale: {retention_years: 7}
entities:
  Receipt:
    fields:
      amount: money
      scan: {type: blob, avg_bytes: 800KB}
    growth: 300k/day
use_cases:
  - {name: file receipt, actor: employee, writes: [Receipt], rate: 300k/day}
"""


def _line(text: str) -> str:
    summary = render_markdown(design_of(text), []).split("## Architecture")[0]
    return next(x for x in summary.splitlines() if x.startswith("| object storage over "))


@pytest.mark.parametrize("text", [pytest.param(LECTURES, id="video-ladder"), pytest.param(LISTINGS, id="image-sizes-growing")])
def test_total_is_said_as_the_sum_of_its_terms_ok(text: str) -> None:
    """With outputs processed from the uploads, the total reads as originals + each output, each with its key, and they add up."""
    arch = design_of(text)
    figures = {f.key: f for f in arch.figures}
    line = _line(text)
    found = re.search(r"`(bytes\.(\d+y)\.object_store)`", line)
    assert found is not None, line
    total, years = figures[found[1]], found[2]
    assert "stated growth" not in line
    assert f"`storage.object_store.originals_{years}`" in line
    made = [k for k in figures if k.startswith(f"bytes.{years}.object_store.")]
    assert made
    for key in made:
        assert f"`{key}`" in line
    assert total.value == pytest.approx(figures[f"storage.object_store.originals_{years}"].value + sum(figures[k].value for k in made))


def test_total_of_originals_alone_adds_no_terms_ok() -> None:
    """Without processing the total is the originals: no sum is said, and no growth is named where none is stated."""
    line = _line(RECEIPTS)
    assert " = " not in line
    assert "growing" not in line
    assert "(`bytes.7y.object_store`): the originals stored by then, today's and those uploaded since |" in line


@pytest.mark.parametrize(("text", "words"), [pytest.param(LISTINGS, "growing 40% a year", id="stated"), pytest.param(LECTURES, "", id="none")])
def test_growth_is_named_only_where_the_rows_compound_it_ok(text: str, words: str) -> None:
    """The originals' growth is said from the row figures' own growth input, so a 0% growth is never said to compound."""
    line = _line(text)
    assert ("growing" in line) is bool(words)
    assert words in line
