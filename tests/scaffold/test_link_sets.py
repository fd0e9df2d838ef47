"""A create that sets its many-to-many relations stores them: the generated service, on PostgreSQL, writes the join rows.

The spec has a relation sent by name (tags: a name not yet known is inserted), one sent by id
(genres: real rows seeded by the generated tests), and a create of the same entity naming neither.
The service's own tests post each create's example and count the join rows it made; the plan
records where each set of links goes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.scaffold.plan import plan_project
from backend_architect.scaffold.plan_writes import CreatePlan, LinkSetPlan
from backend_architect.spec.load import load_spec_bytes
from scaffold.test_mechanisms import _own_tests

#: Tags by name, genres by id, and a second create that sets no links.
CLIPS = b"""\
system: clips
scale: {users: 1M, daily_active: 100k, rates: average, peak_factor: 2}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Tag:
    avg_per_parent: 5
    max_per_parent: 20
    fields: {name: {type: string(40), unique: true}}
  Genre: {fields: {label: string(80)}}
  Video:
    many_to_many: [Tag, Genre]
    fields: {uploader: ref(User), title: string(200)}
use_cases:
  - {name: upload video, actor: creator, kind: create, writes: [Video, Video.tags, Video.genres], rate: 100k/day}
  - {name: import video, actor: admin, kind: create, writes: [Video], rate: 1k/day}
  - {name: get video, actor: viewer, kind: get, reads: [Video], rate: 1M/day}
  - {name: add genre, actor: admin, kind: create, writes: [Genre], rate: 10/day}
"""


def _project(out: Path) -> tuple[Path, dict[str, CreatePlan]]:
    result = design_spec(load_spec_bytes(CLIPS, "clips.yaml"))
    design = from_files(result.architecture, result.files, "clips")
    plans = {op.op.operation_id: op.detail for d in plan_project(design).deployables for m in d.modules for op in m.operations}
    (deployable,) = scaffold(design, out).project.deployables
    return out / deployable.name, {k: v for k, v in plans.items() if isinstance(v, CreatePlan)}


def test_create_plans_its_link_sets_ok(tmp_path: Path) -> None:
    """The upload writes video_tags by name (the tags table's name column) and video_genres by id; the import writes none."""
    _, plans = _project(tmp_path)
    tags, genres = plans["uploadVideo"].links
    assert tags == LinkSetPlan("tags", "tags", "video_tags", "video_id", "tag_id", "tags", "id", "name", False)
    assert (genres.table, genres.target_column, genres.name) == ("video_genres", "genre_id", None)
    assert plans["importVideo"].links == ()


@pytest.mark.postgres
def test_generated_service_stores_links_ok(postgres: object, tmp_path: Path) -> None:
    """The generated service's own tests pass on PostgreSQL: each create's links are stored as join rows, names made once."""
    root, _ = _project(tmp_path)
    run = _own_tests(root, postgres)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "PASSED tests/test_videos_use_cases.py::test_upload_video_ok" in run.stdout, run.stdout[-3000:]
