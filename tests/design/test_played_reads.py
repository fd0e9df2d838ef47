"""A read that plays a video is served by the playback operation: its rate, cache and latency attach there (issue 22-c7).

A use case naming a video blob in its reads (``reads: [Video.data]``) plays it: the media pattern's playback
operation answers it (signed manifests, ``no-store``), so the use case is that operation's, the item's read
answers the metadata and says where the video plays, and no edge cache keeps the signed answer.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.patterns._playback import plays_video
from backend_architect.ir.model import Architecture, Operation

#: A film read by its id, played by a member (token) and by anyone (public), beside a read of its details.
FILMS = """
system: films
scale: {rates: peak}
entities:
  Film:
    rows: 100k
    fields:
      title: string(120)
      master: {type: blob, avg_bytes: 2GB, media: {transcode: [h264], renditions: [1080p, 480p]}}
use_cases:
  - {name: add film, actor: studio, writes: [Film], rate: 1/s}
  - {name: play film, actor: member, auth: AUTH, kind: get, reads: [Film.master], rate: 3000/s, latency_ms: 150}
"""

#: A short-coded clip whose details and video are read by two use cases: only the one reading the video plays.
CLIPS = """
system: clips
scale: {rates: peak}
entities:
  Clip:
    key: short_code
    rows: 1M
    fields:
      title: string(120)
      data: {type: blob, avg_bytes: 40MB, media: {transcode: [h264], renditions: [720p]}}
use_cases:
  - {name: post clip, actor: creator, writes: [Clip], rate: 10/s}
  - {name: watch clip, actor: viewer, kind: get, reads: [Clip.data], rate: 900/s}
  - {name: clip details, actor: viewer, kind: get, reads: [Clip], rate: 400/s}
"""

#: A lecture holding two videos: a whole-row read cannot say which one it plays, so it plays neither.
TWO_BLOBS = """
system: lectures
scale: {rates: peak}
entities:
  Lecture:
    fields:
      title: string(120)
      recording: {type: blob, avg_bytes: 1GB, media: {transcode: [h264], renditions: [720p]}}
      teaser: {type: blob, avg_bytes: 20MB, media: {transcode: [h264], renditions: [720p]}}
use_cases:
  - {name: add lecture, actor: teacher, writes: [Lecture], rate: 1/s}
  - {name: stream lecture, actor: student, kind: get, reads: [Lecture], rate: 100/s}
  - {name: stream lecture slides, actor: student, kind: get, reads: [Lecture.recording], rate: 100/s}
"""


def _ops(arch: Architecture) -> list[Operation]:
    return [o for a in arch.apis for o in a.operations]


@pytest.mark.parametrize(
    ("text", "use_case", "plays"),
    [
        pytest.param(FILMS.replace("AUTH", "required"), "play film", ("Film", "master"), id="blob-read"),
        pytest.param(CLIPS, "watch clip", ("Clip", "data"), id="short-coded-blob-read"),
        pytest.param(CLIPS, "clip details", None, id="whole-row-read"),
        pytest.param(CLIPS, "post clip", None, id="create"),
        pytest.param(CLIPS.replace("reads: [Clip.data]", "reads: [Clip]"), "watch clip", ("Clip", "data"), id="whole-row-read-named-watch"),
        pytest.param(TWO_BLOBS, "stream lecture", None, id="whole-row-read-of-two-videos-names-neither"),
        pytest.param(TWO_BLOBS, "stream lecture slides", ("Lecture", "recording"), id="field-read-names-one"),
    ],
)
def test_a_read_of_the_video_field_plays_it_ok(text: str, use_case: str, plays: tuple[str, str] | None) -> None:
    """Only a get naming the video blob in its reads plays it; a read of the whole row and a write do not."""
    spec = spec_of(text)
    assert plays_video(spec, next(u for u in spec.use_cases if u.name == use_case)) == plays


@pytest.mark.parametrize("auth", ["required", "none"])
def test_the_playing_use_case_is_the_playback_operations_ok(auth: str) -> None:
    """The use case reading the video is the playback operation's; the item's read keeps none and says where it plays."""
    arch = design_of(FILMS.replace("AUTH", auth))
    playback = next(o for o in _ops(arch) if (o.response_schema or "").endswith("Playback"))
    assert playback.use_cases == ["play film"]
    assert playback.cache_control == "no-store"
    item = next(o for o in _ops(arch) if o.method == "get" and o.path == playback.path.removesuffix("/playback"))
    assert item.use_cases == []
    assert f"'play film' is served by GET {playback.path}" in item.description
    assert playback.auth == item.auth


@pytest.mark.parametrize("auth", ["required", "none"])
def test_no_edge_cache_keeps_a_played_answer_ok(auth: str) -> None:
    """A played read answers signed URLs: its plan is never a CDN or browser cache, even when anyone may call it."""
    plan = next(c for c in design_of(FILMS.replace("AUTH", auth)).caches if c.use_case == "play film")
    assert plan.strategy not in {"cdn", "http"}


def test_short_coded_play_and_details_reads_are_apart_ok() -> None:
    """A short-coded clip: 'watch clip' on playback (cached beside the service), 'clip details' on the item's read."""
    arch = design_of(CLIPS)
    by_use_case = {u: o for o in _ops(arch) for u in o.use_cases}
    assert by_use_case["watch clip"].path.endswith("/playback")
    assert by_use_case["clip details"].path.startswith(by_use_case["watch clip"].path.removesuffix("/playback"))
    assert not by_use_case["clip details"].path.endswith("/playback")
    assert next(c for c in arch.caches if c.use_case == "watch clip").strategy == "cache-aside"


def test_a_whole_row_read_named_for_playing_is_the_playback_operations_ok() -> None:
    """'stream video' reading the whole Video is served by playback and carries its name (the twelfth trial run's netflix:
    streamVideo stayed on the metadata GET while playback was getVideoPlayback)."""
    arch = design_of(FILMS.replace("AUTH", "required").replace("name: play film", "name: stream film").replace("reads: [Film.master]", "reads: [Film]"))
    playback = next(o for o in _ops(arch) if (o.response_schema or "").endswith("Playback"))
    assert (playback.operation_id, playback.use_cases) == ("streamFilm", ["stream film"])
    item = next(o for o in _ops(arch) if o.method == "get" and o.path == playback.path.removesuffix("/playback"))
    assert (item.operation_id, item.use_cases) == ("getFilm", [])
