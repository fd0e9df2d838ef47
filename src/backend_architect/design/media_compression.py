"""How a media field's uploads are compressed (``media: {compress: ...}``), stated once for every stage that sizes them.

A compressed copy replaces the upload in object storage: the capacity stage counts each
original at its stored share, the media pipeline sizes the workers from the bytes they read
and states the bytes saved, and the scaffold's worker records the copy beside the renditions.

Each content kind is compressed its own way, with the share of bytes it keeps and the bytes of
input one core gets through a second (published figures, rounded towards the cautious side):

| kind | how | share kept | input per core |
|---|---|---|---|
| image | re-encoded as WebP at quality 80, the long side at most 1600 px | 0.5 | 20 MB/s |
| video | re-encoded as H.264 (CRF 23) | 0.6 | the transcoder's: 1 MB/s of 8 Mbit/s video at 3 core-seconds a second |
| audio | re-encoded as Opus at 64 kbit/s | 0.5 | 5 MB/s |
| other files | zstd level 3, lossless (PDFs and office files are already deflated) | 0.8 | 100 MB/s |

A field accepting several kinds keeps the largest share among them and is read at the slowest
rate (storage and workers are planned for the worst mix); ``compress: 0.4`` states the share
the author measured instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.blob_contract import DEFAULT_BLOB_BYTES, content_types
from backend_architect.spec.model import FieldSpec

#: The long side of a compressed image, in pixels (a phone screen's width at 2x and more): larger photos are scaled down.
IMAGE_MAX_SIDE = 1600
#: Per content kind: the codec of the compressed copy, how it is made, the share of bytes kept, and input bytes per core-second.
KINDS: dict[str, tuple[str, str, float, float]] = {
    "image": ("webp", f"WebP at quality 80, at most {IMAGE_MAX_SIDE} px on the long side", 0.5, 20e6),
    "video": ("h264", "H.264 at CRF 23", 0.6, 1e6 / 3.0),
    "audio": ("opus", "Opus at 64 kbit/s", 0.5, 5e6),
    "file": ("zstd", "zstd level 3 (lossless)", 0.8, 100e6),
}


@dataclass(frozen=True)
class Compression:
    """The compression of one field: its kinds, the share of bytes kept (and whether the spec stated it), the input rate of one core."""

    kinds: tuple[str, ...]
    kept: float
    stated: bool
    bytes_per_core_s: float

    @property
    def codec(self) -> str:
        """The codec the copy is recorded under: the kind's, or ``by-type`` when the field mixes kinds."""
        return KINDS[self.kinds[0]][0] if len(self.kinds) == 1 else "by-type"

    @property
    def method(self) -> str:
        """``WebP at quality 80 ...``; for several kinds each named: ``images: WebP ...; other files: zstd ...``."""
        if len(self.kinds) == 1:
            return KINDS[self.kinds[0]][1]
        return "; ".join(f"{'other files' if k == 'file' else k + 's'}: {KINDS[k][1]}" for k in self.kinds)


def kind_of(content_type: str) -> str:
    """``image``, ``video``, ``audio`` or ``file`` for a content type.

    >>> kind_of("image/webp"), kind_of("application/pdf")
    ('image', 'file')
    """
    top = content_type.split("/", 1)[0].lower()
    return top if top in {"image", "video", "audio"} else "file"


def compression(name: str, field: FieldSpec) -> Compression | None:
    """The compression of field ``name``, None when its media does not ask for it.

    >>> from backend_architect.spec.model import FieldSpec
    >>> c = compression("photo", FieldSpec(type="blob", content_types=["image/jpeg"], media={"compress": True}))
    >>> c.kept, c.codec
    (0.5, 'webp')
    >>> compression("scan", FieldSpec(type="blob", content_types=["image/png", "application/pdf"], media={"compress": 0.4})).kept
    0.4
    """
    media = field.media
    if media is None or media.compress is False:
        return None
    kinds = tuple(k for k in KINDS if k in {kind_of(t) for t in content_types(name, field)})
    stated = not isinstance(media.compress, bool)
    kept = float(media.compress) if stated else max(KINDS[k][2] for k in kinds)
    return Compression(kinds, kept, stated, min(KINDS[k][3] for k in kinds))


def stored_bytes(name: str, field: FieldSpec) -> float:
    """Bytes object storage keeps for one upload's original: its average size, times the share kept when compressed.

    >>> from backend_architect.spec.model import FieldSpec
    >>> stored_bytes("file", FieldSpec(type="blob", avg_bytes=100_000, content_types=["application/pdf"], media={"compress": True}))
    80000.0
    """
    size = float(field.avg_bytes or DEFAULT_BLOB_BYTES)
    found = compression(name, field)
    return size * found.kept if found else size


__all__ = ["IMAGE_MAX_SIDE", "KINDS", "Compression", "compression", "kind_of", "stored_bytes"]
