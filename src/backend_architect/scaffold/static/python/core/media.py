"""The media worker: every row whose uploaded file is pending gets the designed renditions, recorded beside it.

``python -m <package> media`` polls each processed field's rows with ``<field>_status =
'pending'`` (skipping locked ones, so several workers share the work), fetches the
original from the object store, renders each rendition with the module's ``domain.py``
function, stores the outputs under ``renditions/<key>/`` and records them in the
renditions table; the row becomes ``ready``, or ``failed`` after ``ATTEMPTS`` tries.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Column, Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger(__name__)

ATTEMPTS = 3
Render = Callable[[bytes, str, str], bytes]


@dataclass(frozen=True)
class Processed:
    """A field whose uploads are processed: its row's table, key, field and status columns, the renditions and where they go."""

    table: Table
    key: Column[Any]
    field: Column[Any]
    status: Column[Any]
    renditions: Table
    owner: str
    outputs: tuple[tuple[str, str], ...]
    render: Render
    #: Where the local object store keeps the files (``schema.table``); the S3 adapter ignores it.
    store: str


async def process_one(engine: AsyncEngine, objects: Any, spec: Processed, failures: dict[Any, int]) -> bool:
    """Process one pending row; False when none is waiting. A row that fails ``ATTEMPTS`` times is marked failed."""
    try:
        return await _process(engine, objects, spec)
    except _Failed as failed:
        tries = failures[failed.key] = failures.get(failed.key, 0) + 1
        log.exception("media processing failed", table=spec.table.name, attempt=tries)
        if tries >= ATTEMPTS:
            async with engine.begin() as conn:
                await conn.execute(update(spec.table).where(spec.key == failed.key).values({spec.status.name: "failed"}))
        return True


class _Failed(Exception):
    def __init__(self, key: Any) -> None:
        super().__init__(str(key))
        self.key = key


async def _process(engine: AsyncEngine, objects: Any, spec: Processed) -> bool:
    async with engine.begin() as conn:
        query = select(spec.key, spec.field).where(spec.status == "pending", spec.field.is_not(None)).limit(1).with_for_update(skip_locked=True)
        found = (await conn.execute(query)).first()
        if found is None:
            return False
        key, object_key = found
        await conn.execute(update(spec.table).where(spec.key == key).values({spec.status.name: "processing"}))
        original = await objects.fetch(spec.store, object_key)
        if original is None:
            log.warning("upload not found yet", object_key=object_key)
            await conn.execute(update(spec.table).where(spec.key == key).values({spec.status.name: "pending"}))
            return False
        for name, codec in spec.outputs:
            try:
                output = await asyncio.to_thread(spec.render, original, name, codec)
            except Exception as exc:
                raise _Failed(key) from exc
            output_key = f"renditions/{object_key}/{name}.{codec}"
            await objects.store(spec.store, output_key, "application/octet-stream", output)
            row = {spec.owner: key, "rendition": name, "codec": codec, "object_key": output_key, "bytes": len(output)}
            statement = pg_insert(spec.renditions).values(row)
            await conn.execute(
                statement.on_conflict_do_update(index_elements=[spec.owner, "rendition", "codec"], set_={"object_key": output_key, "bytes": len(output)})
            )
        streams = [(name, codec) for name, codec in spec.outputs if codec != "image" and name != "compressed"]
        if streams:
            # the manifests the playback contract signs: every rendition, by its file (segmenting is domain.py's encoder's work)
            for name, text in manifests(streams).items():
                await objects.store(spec.store, f"renditions/{object_key}/{name}", "text/plain", text.encode())
        await conn.execute(update(spec.table).where(spec.key == key).values({spec.status.name: "ready"}))
        return True


def manifests(streams: Sequence[tuple[str, str]]) -> dict[str, str]:
    """An HLS master playlist and a DASH manifest naming each rendition's file (``1080p.h264``)."""
    hls = ["#EXTM3U"] + [line for name, codec in streams for line in (f'#EXT-X-STREAM-INF:BANDWIDTH=1,NAME="{name}/{codec}"', f"{name}.{codec}")]
    sets = "".join(f'<Representation id="{name}-{codec}" bandwidth="1"><BaseURL>{name}.{codec}</BaseURL></Representation>' for name, codec in streams)
    dash = f'<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"><Period><AdaptationSet>{sets}</AdaptationSet></Period></MPD>'
    return {"master.m3u8": "\n".join(hls) + "\n", "manifest.mpd": dash}


async def run(engine: AsyncEngine, objects: Any, specs: Sequence[Processed], stop: asyncio.Event, poll_s: float = 2.0) -> None:
    """Process pending uploads until ``stop`` is set; a failing row is retried, then marked failed."""
    failures: dict[Any, int] = {}
    while not stop.is_set():
        worked = False
        for spec in specs:
            try:
                worked = await process_one(engine, objects, spec, failures) or worked
            except Exception:
                log.exception("media poll failed", table=spec.table.name)
        if not worked:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll_s)
