"""A processed video is read through a playback contract: codec, resolution and offset select renditions; the answer is signed manifests."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture, Operation
from backend_architect.rules.registry import API_RULES, DESIGN_RULES, review
from backend_architect.spec.load import load_spec_bytes

ONE_VIDEO = """\
system: tube
entities:
  Video:
    fields:
      title: string(200)
      file: {type: blob, avg_bytes: 200MB, media: {transcode: [h264, av1], renditions: [2160p, 1080p, 480p]}}
use_cases:
  - {name: upload video, writes: [Video], rate: 10k/day}
  - {name: stream video, kind: get, reads: [Video], rate: 5M/day}
"""
TWO_BLOBS = """\
system: courses
entities:
  Lesson:
    fields:
      title: string(200)
      lecture: {type: blob, avg_bytes: 500MB, media: {renditions: [1080p, 720p]}}
      slides: {type: blob, avg_bytes: 2MB, content_types: [application/pdf]}
use_cases:
  - {name: publish lesson, writes: [Lesson], rate: 1k/day}
  - {name: watch lesson, kind: get, reads: [Lesson], rate: 200k/day}
"""
PRIVATE_CLIPS = """\
system: cams
entities:
  User: {fields: {name: string(80)}}
  Recording:
    fields:
      owner: ref(User)
      footage: {type: blob, avg_bytes: 50MB, media: {transcode: [h265], renditions: [720p]}}
use_cases:
  - {name: save recording, actor: user, writes: [Recording], rate: 100k/day}
  - {name: replay recording, actor: user, kind: get, owner_only: true, reads: [Recording], rate: 300k/day}
"""
PUBLIC_TRAILERS = """\
system: trailers
entities:
  Trailer:
    fields:
      title: string(200)
      clip: {type: blob, avg_bytes: 80MB, media: {transcode: [vp9], renditions: [1080p, 720p, 360p]}}
use_cases:
  - {name: add trailer, writes: [Trailer], rate: 500/day}
  - {name: watch trailer, actor: visitor, auth: none, kind: get, reads: [Trailer], rate: 2M/day}
"""


def _design(text: str) -> tuple[Architecture, dict[str, Any]]:
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    documents = {p: yaml.safe_load(t) for p, t in result.files.items() if p.startswith("openapi/")}
    return result.architecture, documents


def _playback(arch: Architecture) -> Operation:
    return next(o for a in arch.apis for o in a.operations if o.response_schema and o.response_schema.endswith("Playback"))


@pytest.mark.parametrize(
    ("text", "entity", "field", "path", "codecs", "sizes", "use_case"),
    [
        pytest.param(ONE_VIDEO, "Video", "file", "/videos/{video_id}/playback", ["av1", "h264"], ["1080p", "2160p", "480p"], "stream video", id="one-video"),
        pytest.param(TWO_BLOBS, "Lesson", "lecture", "/lessons/{lesson_id}/lecture-playback", ["h264"], ["1080p", "720p"], "watch lesson", id="two-blobs"),
        pytest.param(PRIVATE_CLIPS, "Recording", "footage", "/recordings/{recording_id}/playback", ["h265"], ["720p"], "replay recording", id="owner-only"),
        pytest.param(PUBLIC_TRAILERS, "Trailer", "clip", "/trailers/{trailer_id}/playback", ["vp9"], ["1080p", "360p", "720p"], "watch trailer", id="public"),
    ],
)
def test_playback_selects_renditions_and_answers_manifests_ok(
    text: str, entity: str, field: str, path: str, codecs: list[str], sizes: list[str], use_case: str
) -> None:
    """codec and resolution are the designed renditions, offset is seconds from 0; the answer is signed HLS and DASH manifests and each
    rendition's URL with its bandwidth, never cached; 409 while processing; the item's reads no longer carry the original's key."""
    arch, documents = _design(text)
    op = _playback(arch)
    assert op.path == path
    (served,) = [o for a in arch.apis for o in a.operations if use_case in o.use_cases]
    # a use case named for playing the item (stream, watch, play) is playback's; any other read of it says where the video plays
    assert served is op if use_case.split()[0] in {"stream", "watch", "play"} else f"plays through GET {path}" in served.description
    params = {p.name: p for p in op.parameters if p.location == "query"}
    assert sorted(params["codec"].enum) == codecs
    assert sorted(params["resolution"].enum) == sizes
    assert (params["offset"].type, params["offset"].minimum, params["offset"].default) == ("integer", 0, 0)
    assert 409 in op.error_statuses
    assert op.cache_control == "no-store"
    schema = next(s for a in arch.apis for s in a.schemas if s.name == op.response_schema)
    assert {p.name for p in schema.properties} == {"manifest_url", "dash_manifest_url", "renditions", "start_offset", "expires_at"}
    example = op.example_response
    assert {(r["resolution"], r["codec"]) for r in example["renditions"]} == {(s, c) for s in sizes for c in codecs}
    shape = next(s for a in arch.apis for s in a.schemas if s.name == entity)
    assert field not in {p.name for p in shape.properties}, "the original's key is never read"
    for document in documents.values():
        validate(document)
    assert [f.message for f in review(arch, DESIGN_RULES)] == []
    assert [f.message for f in review(arch, API_RULES) if f.severity.value not in {"info", "hint"}] == []


@pytest.mark.parametrize(
    ("text", "auth", "errors"),
    [
        pytest.param(PRIVATE_CLIPS, "required", {401, 403, 404, 409}, id="owner-only-keeps-its-checks"),
        pytest.param(PUBLIC_TRAILERS, "none", {404, 409}, id="public"),
    ],
)
def test_playback_authorizes_as_reading_the_item_ok(text: str, auth: str, errors: set[int]) -> None:
    """Playback is authorized as reading the item is: an owner-only read stays owner-only, a public one needs no token."""
    arch, _ = _design(text)
    op = _playback(arch)
    assert op.auth == auth
    assert errors <= set(op.error_statuses)
    assert auth != "none" or not {401, 403} & set(op.error_statuses)


def test_bandwidths_are_the_renditions_bitrates_ok() -> None:
    """Each rendition's bandwidth in the example is its bytes x 8 / duration, the figures the storage plan uses."""
    arch, _ = _design(ONE_VIDEO)
    figures = {f.key: f for f in arch.figures}
    outputs = figures["media.rendition_bytes.videos.file"].inputs
    duration = 200e6 * 8 / 8e6
    for rendition in _playback(arch).example_response["renditions"]:
        assert rendition["bandwidth"] == int(outputs[f"{rendition['resolution']}_{rendition['codec']}"] * 8 / duration)


def test_images_are_fetched_by_rendition_not_played_ok() -> None:
    """Processed images have no playback: their download URL takes a rendition (the original, or a size the workers made)."""
    arch, _ = _design(ONE_VIDEO.replace("media: {transcode: [h264, av1], renditions: [2160p, 1080p, 480p]}", "media: {renditions: [thumb, large]}"))
    assert not any(o.response_schema and o.response_schema.endswith("Playback") for a in arch.apis for o in a.operations)
    op = next(o for a in arch.apis for o in a.operations if o.path.endswith("/download-url"))
    assert next(p for p in op.parameters if p.name == "rendition").enum == ["original", "large", "thumb"]


@pytest.mark.parametrize(
    ("text", "use_case", "entity"),
    [
        pytest.param(ONE_VIDEO, "stream video", "Video", id="one-video"),
        pytest.param(TWO_BLOBS, "watch lesson", "Lesson", id="two-blobs"),
        pytest.param(PUBLIC_TRAILERS, "watch trailer", "Trailer", id="public"),
    ],
)
def test_the_items_read_keeps_no_description_of_playing_ok(text: str, use_case: str, entity: str) -> None:
    """A playing use case's own description (codec, resolution, an offset) goes with it to playback: the item's read that stays
    answers the metadata only and says so, never "choose a codec" beside a contract taking only the id (fifteenth trial, netflix)."""
    said = "Open it for playback, choosing codec, resolution and an offset."
    described = text.replace(f"{{name: {use_case}, ", f"{{name: {use_case}, description: '{said}', ")
    assert described != text
    arch, _ = _design(described)
    playback = _playback(arch)
    assert use_case in playback.use_cases
    item = next(o for a in arch.apis for o in a.operations if o.operation_id == f"get{entity}")
    assert said not in item.description
    assert item.description.startswith(f"Answers the {entity}'s metadata; '{use_case}' is served by GET {playback.path}")
    assert {p.name for p in item.parameters} & {"codec", "resolution", "offset"} == set()
