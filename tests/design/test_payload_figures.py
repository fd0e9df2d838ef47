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
    assert "- a day: 5.00 GB of content (the text and blob fields users write; blobs in object storage), 6.20 GB of payload (the fields' bytes)" in text
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


@pytest.mark.parametrize(
    ("field", "share"),
    [
        pytest.param("{type: blob?, avg_bytes: 3MB}", 1.0, id="optional-without-share-every-row"),
        pytest.param("{type: blob?, avg_bytes: 3MB, share: 5%}", 0.05, id="one-in-twenty-rows-has-a-file"),
        pytest.param("{type: blob?, avg_bytes: 3MB, share: 0.4}", 0.4, id="stated-as-a-fraction"),
    ],
)
def test_an_optional_blob_counts_the_share_of_rows_that_set_it_ok(field: str, share: float) -> None:
    """An optional blob's stated ``share`` scales the originals a day and the content figure: 5% of rows carry a file, 5% of the bytes."""
    figures = _figures(PHOTOS.replace("{type: blob, avg_bytes: 3MB}", field))
    assert figures["storage.object_store.originals_per_day"] == pytest.approx(200e3 * 3e6 * share)
    assert figures["storage.content_bytes_per_day.photos"] == pytest.approx(200e3 * (80 + 3e6 * share), rel=0.02)
    ingress = next(f for f in design_of(PHOTOS.replace("{type: blob, avg_bytes: 3MB}", field)).figures if f.key == "bandwidth.in.upload-photo")
    assert ingress.inputs["blob_bytes"] == pytest.approx(3e6 * share)


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


#: Tickets kept 30 days: blobs whose retention is shorter than the horizon, growing 50% a year.
TICKETS = """
system: ticket-desk
scale: {users: 100k, retention_years: 4, growth_per_year: 50%}
entities:
  Ticket:
    retention: 30d
    fields:
      subject: string(120)
      details: {type: text, avg_bytes: 2000}
      priority: enum[low,high]
      screenshot: {type: blob, avg_bytes: 400KB}
use_cases:
  - {name: open ticket, actor: customer, kind: create, writes: [Ticket], rate: 100k/day}
"""


@pytest.mark.parametrize(
    ("text", "table", "content_per_row"),
    [
        pytest.param(MESSAGES, "notes", 100, id="text-body-without-its-ids-and-timestamp"),
        pytest.param(PHOTOS, "photos", 80 + 3e6, id="caption-and-blob"),
        pytest.param(TICKETS, "tickets", 120 + 2000 + 400e3, id="string-text-and-blob-no-enum"),
    ],
)
def test_content_is_text_and_blob_fields_beside_payload_ok(text: str, table: str, content_per_row: float) -> None:
    """A table's content a day counts the text and blob fields users write (no ids, enums, timestamps), beside its payload and disk bytes."""
    figures = {f.key: f for f in design_of(text).figures}
    content = figures[f"storage.content_bytes_per_day.{table}"]
    rows = figures[f"storage.payload_bytes_per_day.{table}"].inputs["rows_per_day"]
    assert content.value == pytest.approx(rows * content_per_row, rel=0.02)
    total = figures["storage.content_bytes_per_day"]
    assert total.value == pytest.approx(total.inputs["text_bytes_per_day"] + total.inputs["blob_bytes_per_day"])
    blobs = figures.get("storage.object_store.originals_per_day")
    assert total.inputs["blob_bytes_per_day"] == pytest.approx(blobs.value if blobs else 0.0)


def test_no_content_figure_for_rows_of_ids_only_err() -> None:
    """A table of references and timestamps alone has a payload but no content figure: nothing a user writes is in it."""
    figures = _figures(MESSAGES)
    assert "storage.payload_bytes_per_day.readers" in figures
    assert "storage.content_bytes_per_day.readers" not in figures


@pytest.mark.parametrize(
    ("text", "years", "days", "per_day"),
    [
        pytest.param(PHOTOS, 5, 5 * 365, 200e3 * 3e6, id="kept-for-the-horizon"),
        pytest.param(TICKETS, 4, 30, 100e3 * 400e3, id="retention-shorter-than-the-horizon"),
    ],
)
def test_object_storage_at_todays_rate_beside_compounded_ok(text: str, years: int, days: int, per_day: float) -> None:
    """Object storage states what the uploads add over the horizon at today's rate (uploads a day x days kept) beside the compounded total."""
    figures = _figures(text)
    flat = figures[f"storage.object_store.at_today_rate_{years}y"]
    assert flat == pytest.approx(per_day * days)
    assert figures[f"bytes.{years}y.object_store"] >= flat


@pytest.mark.parametrize("text", [pytest.param(MESSAGES, id="text"), pytest.param(PHOTOS, id="blobs"), pytest.param(TICKETS, id="both")])
def test_summary_states_comparable_volumes_first_ok(text: str) -> None:
    """The summary names the content a day, the payload ingress before the ingress with headers, and the horizon at today's rate first."""
    arch = design_of(text)
    figures = {f.key: f.value for f in arch.figures}
    summary = render_markdown(arch, []).split("## Architecture")[0]
    assert "| content users write a day |" in summary
    assert "(`storage.content_bytes_per_day`)" in summary
    line = next(x for x in summary.splitlines() if x.startswith("| client ingress (request bodies and uploads) |"))
    assert line.index("`bandwidth.ingress_payload`") < line.index("with headers")
    assert ("at today's upload rate" in summary) is any(k.startswith("storage.object_store.at_today_rate_") for k in figures)
    keys = [f.key for f in arch.figures]
    assert keys.index("bandwidth.ingress_payload") < keys.index("bandwidth.ingress")
