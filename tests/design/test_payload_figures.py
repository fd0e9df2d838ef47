"""Figures a reader checks against a back-of-envelope: payload beside the physical bytes, originals beside renditions, ingress by use case."""

from __future__ import annotations

import pytest

from backend_architect.design.traffic import JSON_FIELD_BYTES, REQUEST_OVERHEAD_BYTES
from backend_architect.render.markdown import render_markdown
from design.helpers import design_of

#: A message log: a 100 B text body with a reference (a 16 B UUIDv7: notes travel in URLs, so their author's key does too), written fast;
#: receipts update one timestamp column.
MESSAGES = """
system: note-log
scale: {users: 1M}
entities:
  Author:
    fields: {name: string(40)}
    rows: 1M
  Note:
    append_only: true
    fields:
      author: ref(Author)
      body: {type: text, avg_bytes: 100}
      posted_at: datetime
  Reader:
    fields:
      note: ref(Note)
      seen_at: datetime?
use_cases:
  - {name: post note, actor: author, kind: create, writes: [Note], rate: 50M/day}
  - {name: open note, actor: author, kind: create, writes: [Reader], rate: 10M/day}
  - {name: mark seen, actor: author, kind: update, writes: [Reader.seen_at], rate: 20M/day}
"""

#: Photos: a blob uploaded a few times a second, no processing.
PHOTOS = """
system: photo-drop
scale: {users: 100k}
entities:
  Photo:
    fields:
      caption: string(80)
      image: {type: blob, avg_bytes: 3MB}
use_cases:
  - {name: upload photo, actor: user, kind: create, writes: [Photo], rate: 200k/day}
  - {name: get photo, actor: user, kind: get, reads: [Photo], rate: 2M/day}
"""

#: Lectures: a video blob transcoded into renditions, so object storage takes more than the uploads.
LECTURES = """
system: lecture-hall
scale: {users: 1M, retention_years: 3}
entities:
  Lecture:
    fields:
      title: string(120)
      video: {type: blob, avg_bytes: 500MB, media: {transcode: [h264], renditions: [1080p, 720p]}}
use_cases:
  - {name: upload lecture, actor: teacher, kind: create, writes: [Lecture], rate: 20k/day}
  - {name: watch lecture, actor: student, kind: get, reads: [Lecture], rate: 5M/day}
"""


def _figures(text: str) -> dict[str, float]:
    return {f.key: f.value for f in design_of(text).figures}


@pytest.mark.parametrize(
    ("text", "table", "rows_per_day", "field_bytes"),
    [
        pytest.param(MESSAGES, "notes", 50e6, 16 + 100 + 8, id="text-body-with-a-reference"),
        pytest.param(MESSAGES, "readers", 10e6, 16 + 8, id="narrow-join-rows"),
        pytest.param(PHOTOS, "photos", 200e3, None, id="blob-key-in-the-row"),
    ],
)
def test_payload_is_rows_times_field_bytes_beside_disk_ok(text: str, table: str, rows_per_day: float, field_bytes: int | None) -> None:
    """A growing table states its payload a day (rows x the fields' bytes) beside its bytes on disk, which adds row overhead and indexes."""
    figures = _figures(text)
    payload = figures[f"storage.payload_bytes_per_day.{table}"]
    disk = figures[f"storage.disk_bytes_per_day.{table}"]
    if field_bytes is not None:
        assert payload == pytest.approx(rows_per_day * field_bytes)
    assert disk > payload > 0


def test_payload_is_stated_in_the_table_section_ok() -> None:
    """design.md states a table's payload and its bytes on disk a day in the table's own section, next to its size."""
    arch = design_of(MESSAGES)
    text = render_markdown(arch, [])
    assert "- a day: 6.20 GB of payload (the fields' bytes)" in text
    assert "`storage.disk_bytes_per_day.notes`" in text


@pytest.mark.parametrize(
    ("text", "originals", "made"),
    [
        pytest.param(PHOTOS, 200e3 * 3e6, False, id="uploads-only"),
        pytest.param(LECTURES, 20e3 * 500e6, True, id="uploads-and-renditions"),
    ],
)
def test_originals_a_day_stated_beside_renditions_ok(text: str, originals: float, made: bool) -> None:
    """Object storage states the uploaded originals a day (uploads x size); renditions, when made, are a figure of their own beside them."""
    figures = _figures(text)
    assert figures["storage.object_store.originals_per_day"] == pytest.approx(originals)
    renditions = {k: v for k, v in figures.items() if k.startswith("media.renditions_bytes_per_day.")}
    assert bool(renditions) is made
    for key, value in renditions.items():
        subject = key.removeprefix("media.renditions_bytes_per_day.")
        assert figures[f"media.originals_bytes_per_day.{subject}"] == pytest.approx(originals)
        assert figures[f"media.bytes_per_day.{subject}"] == pytest.approx(originals + value)
    horizon = "3y" if made else "5y"
    if made:
        assert figures[f"bytes.{horizon}.object_store"] > figures[f"storage.object_store.originals_{horizon}"] > 0
    else:
        assert f"storage.object_store.originals_{horizon}" not in figures


def test_ingress_parts_state_bytes_a_request_ok() -> None:
    """Ingress is the sum of one figure per write, each its rate x (body + blob + headers); the payload figure leaves the headers out."""
    figures = {f.key: f for f in design_of(MESSAGES).figures}
    parts = {k: f for k, f in figures.items() if k.startswith("bandwidth.in.")}
    assert set(parts) == {"bandwidth.in.post-note", "bandwidth.in.open-note", "bandwidth.in.mark-seen"}
    assert figures["bandwidth.ingress"].value == pytest.approx(sum(p.value for p in parts.values()))
    headers = sum(p.inputs["avg_rate"] * p.inputs["header_bytes"] for p in parts.values())
    assert figures["bandwidth.ingress_payload"].value == pytest.approx(figures["bandwidth.ingress"].value - headers)
    # the update sends the one column it names, not the whole row
    assert parts["bandwidth.in.mark-seen"].inputs["body_bytes"] == 8 + JSON_FIELD_BYTES
    assert parts["bandwidth.in.post-note"].inputs["body_bytes"] == 16 + 100 + 8 + 3 * JSON_FIELD_BYTES
    assert all(p.inputs["header_bytes"] == REQUEST_OVERHEAD_BYTES for p in parts.values())


def test_ingress_payload_is_uploads_by_size_ok() -> None:
    """With uploads dominating, the payload ingress is about uploads x size: what a back-of-envelope checks."""
    figures = _figures(PHOTOS)
    uploads = 200e3 / 86_400 * 3e6
    assert uploads <= figures["bandwidth.ingress_payload"] <= uploads * 1.001
    assert figures["bandwidth.in.upload-photo"] > figures["bandwidth.ingress_payload"]
