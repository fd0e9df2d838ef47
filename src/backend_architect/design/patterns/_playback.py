"""How a processed video is read (PAT025 for a field with video renditions): a playback contract, never the stored object.

Private to the pattern family. ``GET {item}/playback`` (``{item}/{field}-playback`` when the
entity holds several blobs) selects renditions and answers where to play them:

- ``codec`` (one of the transcoded codecs) and ``resolution`` (the highest rendition offered;
  the player adapts below it) narrow the renditions; left out, every one is offered;
- ``offset`` (seconds) is where playback starts: the manifest's start (HLS ``EXT-X-START``), a
  resume position or a deep link's ``t=``;
- the answer holds an HLS master playlist URL and a DASH manifest URL for the selected
  renditions, and each rendition's own playlist URL with its bandwidth, all signed for the CDN
  and valid ``PLAYBACK_URL_TTL_S`` (a token that also covers the segments, so a two-hour film
  plays through), with ``expires_at``; ``Cache-Control: no-store`` (the URLs are credentials);
- 404 when the item does not exist or the caller may not see it; 409 while the video is still
  processing (its ``<field>_status`` is not ``ready``).

The item's read shape drops the object key of the original: clients play renditions, and the
original stays private in object storage.
"""

from __future__ import annotations

import re
from typing import Any

from backend_architect.design.api.paths import camel
from backend_architect.design.api.schemas import is_page_of
from backend_architect.design.examples import EXAMPLE_TIME
from backend_architect.design.patterns._api import new_operation
from backend_architect.design.patterns._uploads import blob_fields
from backend_architect.ir.model import ApiProperty, ApiSchema, Architecture, Operation, Parameter
from backend_architect.ir.query import answers_item
from backend_architect.spec.model import FieldSpec, MediaSpec, Spec, UseCaseSpec
from backend_architect.spec.naming import kebab

#: How long playback URLs work: a CDN token covering the manifest and its segments, long enough for a long film and a pause.
PLAYBACK_URL_TTL_S = 6 * 3600
#: The CDN host the examples show.
EXAMPLE_CDN = "https://cdn.example.com"

Added = tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]


def is_video(media: MediaSpec) -> bool:
    """Whether a media field is video: transcoded, or with renditions named by their lines (``1080p``) or ``4k``."""
    return bool(media.transcode) or any(re.fullmatch(r"\d{3,4}p|[248]k", r.lower()) for r in media.renditions)


#: A use case's first word that says it plays what it reads (``stream video``, ``watch film``), not that it shows its details.
PLAYING_VERBS = frozenset({"play", "stream", "watch"})


def plays_video(spec: Spec, use_case: UseCaseSpec) -> tuple[str, str] | None:
    """The ``(entity, field)`` a read plays, which the playback operation serves (signed manifests, ``no-store``), not the
    item's read; None for any other use case.

    A get plays a video when it names the video blob in its reads (``reads: [Video.data]``), or when it reads the whole row
    of an entity holding one video blob and its name says it plays it (``stream video``, ``watch film``, ``play clip``):
    a whole-row read named otherwise (``clip details``) answers the metadata.
    """
    if use_case.kind not in {None, "get"}:
        return None
    for read in use_case.reads:
        entity, _, field = read.partition(".")
        if entity not in spec.entities:
            continue
        if not field:
            videos = [name for name, declared in spec.entities[entity].fields.items() if _is_video_blob(declared)]
            if len(videos) == 1 and kebab(use_case.name).split("-")[0] in PLAYING_VERBS:
                return entity, videos[0]
            continue
        declared = spec.entities[entity].fields.get(field)
        if declared is not None and _is_video_blob(declared):
            return entity, field
    return None


def _is_video_blob(declared: FieldSpec) -> bool:
    return declared.type.kind == "blob" and declared.media is not None and is_video(declared.media)


def playback_path(spec: Spec, item: str, entity: str, field: str) -> str:
    """``{item}/playback``; ``{item}/{field}-playback`` when the entity holds several blobs."""
    return f"{item}/playback" if len(blob_fields(spec, entity)) == 1 else f"{item}/{kebab(field)}-playback"


def playback_contract(
    spec: Spec, arch: Architecture, service: str, entity: str, field: str, codecs: list[str], sizes: list[str], bandwidth: dict[tuple[str, str], float]
) -> Added:
    """The playback operation and its shapes; the item reads without the original's key (examples too)."""
    api = next((a for a in arch.apis if a.service == service), None)
    reads = [o for o in (api.operations if api else []) if o.entity == entity and o.kind == "get" and o.method == "get" and o.path.endswith("}")]
    if api is None or not reads:
        return (), ()
    # the item's own read (the one a use case names), never a short link's public redirect: playback authorizes as the item does
    read = min(reads, key=lambda o: (not o.use_cases, len(o.path), o.path))
    by_name = {u.name: u for u in spec.use_cases}
    # a use case reading the video itself is served by playback: its rate, cache and latency attach there, not to the metadata read
    moved = [name for name in read.use_cases if name in by_name and plays_video(spec, by_name[name]) == (entity, field)]
    suffix = "" if len(blob_fields(spec, entity)) == 1 else kebab(field).title().replace("-", "")
    # the operation serving a use case carries the name made from it: playback takes the read's id, the read a neutral one
    played_id, item_id = serving_names(api.operations, read, moved, f"get{entity}{suffix}Playback")
    ttl_h = PLAYBACK_URL_TTL_S // 3600
    rendition = ApiSchema(
        name=f"{entity}{suffix}Rendition",
        entity=entity,
        properties=[
            _prop("resolution", "string", "The rendition's resolution.", enum=sizes),
            _prop("codec", "string", "The rendition's codec.", enum=codecs),
            _prop("bandwidth", "integer", "Peak bits per second of the rendition (the player's bitrate ladder).", fmt="int64"),
            _prop("url", "string", f"Signed URL of the rendition's own playlist on the CDN; valid {ttl_h} h.", fmt="uri", max_length=2048),
        ],
    )
    playback = ApiSchema(
        name=f"{entity}{suffix}Playback",
        entity=entity,
        properties=[
            _prop("manifest_url", "string", f"Signed HLS master playlist (.m3u8) of the selected renditions on the CDN; valid {ttl_h} h.", fmt="uri",
                  max_length=2048),
            _prop("dash_manifest_url", "string", "Signed DASH manifest (.mpd) of the same renditions.", fmt="uri", max_length=2048),
            ApiProperty(name="renditions", type="array", items=rendition.name, required=True, read_only=True, min_items=1,
                        description="The selected renditions, highest resolution first."),
            _prop("start_offset", "integer", "Where playback starts, in seconds (the offset asked for; 0 when none).", fmt="int32"),
            _prop("expires_at", "string", "When the URLs stop working; ask again after.", fmt="date-time"),
        ],
    )  # fmt: skip
    params = [p for p in read.parameters if p.location == "path"] + [
        Parameter(name="codec", location="query", enum=codecs, description="Only renditions in this codec (one the device decodes); all when left out."),
        Parameter(name="resolution", location="query", enum=sizes, description="The highest resolution offered (the player adapts below); all when left out."),
        Parameter(name="offset", location="query", type="integer", format="int32", minimum=0, default=0,
                  description="Where playback starts, in seconds: a resume position or a deep link's t= (HLS EXT-X-START)."),
    ]  # fmt: skip
    example = _example(entity, codecs, sizes, bandwidth)
    op = new_operation(
        operation_id=played_id,
        method="get",
        path=playback_path(spec, read.path, entity, field),
        summary=f"Play {_article(entity)}'s {field}",
        description=f"Selects renditions (codec, the highest resolution) and answers signed HLS and DASH manifest URLs on the CDN, each rendition's "
        f"playlist URL and bandwidth, and where playback starts (offset), valid {ttl_h} h, after the same authorization as "
        f"'{_metadata_only(read, moved, '', entity).summary}'; "
        f"404 when the {entity} does not exist or the caller may not see it; 409 while it is still processing. The original upload is never served.",
        entity=entity,
        kind="get",
        tag=read.tag,
        parameters=params,
        scopes=list(read.scopes),
        use_cases=moved,
        response_schema=playback.name,
        example_response=example,
        owner_only=read.owner_only,
        shown_by=read,
    )
    op = op.model_copy(
        update={"cache_control": "no-store", "auth": read.auth, "scopes": list(read.scopes) if read.auth != "none" else [],
                "error_statuses": sorted({*op.error_statuses, 409}) if read.auth != "none" else sorted({*op.error_statuses, 409} - {401, 403})}
    )  # fmt: skip
    note = f"The {field} plays through GET {op.path} (codec, resolution, offset): signed manifests, never the original."
    item = _metadata_only(read, moved, op.path, entity).model_copy(update={"operation_id": item_id})
    operations = [item if o.operation_id == read.operation_id else o for o in api.operations]
    kept = _without_key(operations, service, entity, field, note)
    metadata = () if not moved or any(o.operation_id == item.operation_id for _, o in kept) else ((service, item),)
    return ((service, op), *kept, *metadata), ((service, rendition), (service, playback))


def serving_names(operations: list[Operation], read: Operation, moved: list[str], fallback: str) -> tuple[str, str]:
    """The ids of the playback operation and of the item's read, so each carries the name of the use cases it serves.

    The read's id made from a use case that moved to playback goes with it, and the read takes the neutral ``get<Entity>``;
    a read named otherwise keeps its id, and playback takes the name of the one use case it serves. Where that name is
    held by another operation, the ids stay as made (``fallback`` for playback).

    >>> from backend_architect.ir.model import Operation
    >>> read = Operation(operation_id="streamVideo", method="get", path="/videos/{id}", summary="", entity="Video", kind="get", tag="videos")
    >>> serving_names([read], read, ["stream video"], "getVideoPlayback"), serving_names([read], read, [], "getVideoPlayback")
    (('streamVideo', 'getVideo'), ('getVideoPlayback', 'streamVideo'))
    >>> details = read.model_copy(update={"operation_id": "videoDetails"})
    >>> serving_names([details], details, ["stream video"], "getVideoPlayback")
    ('streamVideo', 'videoDetails')
    """
    taken = {o.operation_id for o in operations}
    neutral = f"get{read.entity}"
    if any(camel(name) == read.operation_id for name in moved):
        return (read.operation_id, neutral) if neutral not in taken else (fallback, read.operation_id)
    named = camel(moved[0]) if len(moved) == 1 else fallback
    return (named if named not in taken else fallback), read.operation_id


def _metadata_only(read: Operation, moved: list[str], playback: str, entity: str) -> Operation:
    """The item's read once the use cases playing its video moved to playback: it answers the metadata and says where they play."""
    if not moved:
        return read
    names = ", ".join(f"'{m}'" for m in moved)
    # the read's description is its first use case's: one that moved to playback describes playing (a codec, an offset), which
    # this operation no longer does, so it goes with the use case
    if read.description.startswith("Use case '"):
        own = read.description.split(").", 1)[-1].strip()
    else:
        own = "" if read.use_cases and read.use_cases[0] in moved else read.description
    return read.model_copy(
        update={
            "use_cases": [u for u in read.use_cases if u not in moved],
            "summary": f"Get {_article(entity)}",
            "description": (
                f"Answers the {entity}'s metadata; {names} is served by GET {playback} (its rate, cache and latency are that operation's). {own}"
            ).strip(),
        }
    )


def height(name: str) -> int:
    """Lines of a rendition by its name (``1080p`` is 1080, ``4k`` 2160), to order them highest first; 0 for other names.

    >>> height("720p"), height("4k"), height("thumb")
    (720, 2160, 0)
    """
    found = re.fullmatch(r"(\d{3,4})p|(\d)k", name.lower())
    if found is None:
        return 0
    return int(found.group(1)) if found.group(1) else int(found.group(2)) * 540


def _example(entity: str, codecs: list[str], sizes: list[str], bandwidth: dict[tuple[str, str], float]) -> dict[str, Any]:
    base = f"{EXAMPLE_CDN}/renditions/{kebab(entity)}/example"
    token = f"token=exp{PLAYBACK_URL_TTL_S}~sig"
    return {
        "manifest_url": f"{base}/master.m3u8?{token}",
        "dash_manifest_url": f"{base}/manifest.mpd?{token}",
        "renditions": [
            {"resolution": s, "codec": c, "bandwidth": int(bandwidth.get((s, c), 0)), "url": f"{base}/{s}_{c}.m3u8?{token}"}
            for s in sorted(sizes, key=lambda s: (-height(s), s))
            for c in codecs
        ],
        "start_offset": 0,
        "expires_at": EXAMPLE_TIME,
    }


def _without_key(operations: list[Operation], service: str, entity: str, field: str, note: str) -> tuple[tuple[str, Any], ...]:
    """The entity's read operations with the original's key gone from their examples (the schema change is the caller's); the item's
    read (the use case's own operation) says where the video plays."""
    out = []
    for op in operations:
        if (answers_item(op, entity) or (op.entity == entity and is_page_of(op.response_schema or "", entity))) and op.example_response is not None:
            item = op.kind == "get" and op.path.endswith("}") and note not in op.description
            described = f"{op.description} {note}".strip() if item else op.description
            out.append((service, op.model_copy(update={"example_response": _drop(op.example_response, field), "description": described})))
    return tuple(out)


def read_shape(schemas: list[ApiSchema], entity: str, field: str) -> ApiSchema | None:
    """The entity's read shape without the original's object key (None when it has no such property)."""
    read = next((s for s in schemas if s.name == entity), None)
    if read is None or not any(p.name == field for p in read.properties):
        return None
    return read.model_copy(update={"properties": [p for p in read.properties if p.name != field]})


def _drop(example: Any, field: str) -> Any:
    if isinstance(example, list):
        return [_drop(e, field) for e in example]
    if isinstance(example, dict):
        return {k: _drop(v, field) for k, v in example.items() if k != field}
    return example


def _prop(name: str, kind: str, description: str, *, fmt: str | None = None, enum: list[str] | None = None, max_length: int | None = None) -> ApiProperty:
    return ApiProperty(name=name, type=kind, format=fmt, enum=enum or [], required=True, read_only=True, max_length=max_length, description=description)


def _article(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


__all__ = ["PLAYBACK_URL_TTL_S", "is_video", "playback_contract", "playback_path", "plays_video", "read_shape"]
