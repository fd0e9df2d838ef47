"""A list filtered through a many-to-many relation is served: by the target's unique name (joined), or by its id (listed).

The spec filters videos by tag (a unique name: ``?tag=jazz`` joins the tags table) and by mood (no
name: ``?mood_id=``, the moods given out by the list the design adds). The generated service's own
tests, on PostgreSQL, read each list with the parameter its contract requires, through each designed index.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.spec.load import load_spec_bytes
from scaffold.test_mechanisms import _own_tests

CLIPS = b"""\
system: clips
scale: {users: 1M, daily_active: 100k, rates: average, peak_factor: 2}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Tag:
    avg_per_parent: 3
    max_per_parent: 10
    fields: {name: {type: string(40), unique: true}}
  Mood: {fields: {colour: string(20)}}
  Video:
    many_to_many: [Tag, Mood]
    fields: {uploader: ref(User), title: string(200)}
use_cases:
  - {name: upload video, actor: creator, kind: create, writes: [Video, Video.tags, Video.moods], rate: 100k/day}
  - {name: browse videos by tag, actor: viewer, auth: none, reads: [Video], filter: [tags], sort: [-created_at], rate: 1M/day}
  - {name: browse videos by mood, actor: viewer, auth: none, reads: [Video], filter: [moods], sort: [-created_at], rate: 100k/day}
"""


def _project(out: Path) -> tuple[Path, dict[str, set[str]]]:
    result = design_spec(load_spec_bytes(CLIPS, "clips.yaml"))
    params = {o.operation_id: {p.name for p in o.parameters if p.required} for a in result.architecture.apis for o in a.operations}
    (deployable,) = scaffold(from_files(result.architecture, result.files, "clips"), out).project.deployables
    return out / deployable.name, params


def test_link_filters_take_a_name_or_an_id_ok(tmp_path: Path) -> None:
    """The tag list requires ?tag (the name), the mood list ?mood_id, and the moods are listed for a client to learn their ids."""
    _, params = _project(tmp_path)
    assert params["browseVideosByTag"] == {"tag"}
    assert params["browseVideosByMood"] == {"mood_id"}
    assert "listMoods" in params
    assert "listTags" not in params


@pytest.mark.postgres
def test_generated_service_serves_link_filters_ok(postgres: object, tmp_path: Path) -> None:
    """The generated service's own tests pass on PostgreSQL: each list is read with its required link filter."""
    root, _ = _project(tmp_path)
    run = _own_tests(root, postgres)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    for name in ("browse_videos_by_tag", "browse_videos_by_mood", "list_moods"):
        assert f"PASSED tests/test_videos_use_cases.py::test_{name}_ok" in run.stdout, (name, run.stdout[-3000:])
