"""The scaffold makes the ids the design says carry their shard: each new row's UUIDv7 holds its shard key's logical shard.

Specs of two shapes (a log sharded by its source and read by id, a room's posts checked by id from another service) make
sharded ids; a part fetched under its parent's path keeps plain ones. The generated ``core/ids.py`` is loaded and run.
"""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from typing import Any

import pytest

from backend_architect import design_spec
from backend_architect.scaffold import build, from_files
from backend_architect.spec.load import load_spec_bytes

from ..design.test_shard_ids import ALBUMS, LOGS, ROOMS

IDS = Path(__file__).parents[2] / "src/backend_architect/scaffold/static/python/core/ids.py"


def _ids() -> Any:
    spec = importlib.util.spec_from_file_location("scaffold_core_ids", IDS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resources(text: str) -> str:
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    files = build(from_files(result.architecture, result.files, "project"))
    return "\n".join(f.text for path, f in files.items() if path.endswith("resources.py") and "/core/" not in path)


@pytest.mark.parametrize(
    ("text", "table", "key"),
    [pytest.param(LOGS, "log_lines", "source_id", id="log-by-source"), pytest.param(ROOMS, "posts", "room_id", id="posts-by-room")],
)
def test_the_service_makes_ids_carrying_the_shard_ok(text: str, table: str, key: str) -> None:
    """The resource of a table whose ids carry their shard names the shard key its new ids take their logical shard from."""
    code = _resources(text)
    assert f"id_shard={table}.c['{key}']" in code or f'id_shard={table}.c["{key}"]' in code, code[:2000]


def test_a_part_under_its_parents_path_keeps_plain_ids_ok() -> None:
    """Photos routed by the album id their path carries make plain UUIDv7 ids."""
    code = _resources(ALBUMS)
    assert "new_key=new_uuid" in code
    assert "id_shard=" not in code


@pytest.mark.parametrize("value", [pytest.param("room-1", id="text"), pytest.param(uuid.UUID(int=7), id="uuid"), pytest.param(42, id="int")])
def test_an_id_carries_the_logical_shard_of_its_key_ok(value: object) -> None:
    """A sharded id is a UUIDv7 (version and variant intact, time-ordered) whose 12 rand_a bits give back its key's logical shard."""
    ids = _ids()
    first, second = ids.new_sharded_uuid(value), ids.new_sharded_uuid(value)
    assert first.version == 7
    assert first.variant == uuid.RFC_4122
    assert ids.shard_of(first) == ids.shard_of(second) == ids.logical_shard(value) < ids.LOGICAL_SHARDS
    assert first != second
    assert first.bytes[:6] <= second.bytes[:6]
