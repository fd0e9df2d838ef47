"""New primary keys: UUIDv7 (RFC 9562), time-ordered so new rows land at the right edge of the B-tree.

A table the design shards by another column than its id, and reads by id alone, has ids that carry the row's logical
shard: the 12 ``rand_a`` bits RFC 9562 leaves to the generator hold ``logical_shard(shard key)``, so a read by id finds
the shard from the id (``shard_of``) instead of asking every shard.
"""

from __future__ import annotations

import hashlib
import uuid

import uuid_utils.compat

#: Logical shards an id can name (its 12 rand_a bits); the design's shard map maps them onto the physical shards.
LOGICAL_SHARDS = 4096


def new_uuid() -> uuid.UUID:
    """A UUIDv7."""
    return uuid_utils.compat.uuid7()


def logical_shard(value: object) -> int:
    """The logical shard of a row whose shard key is ``value``: the first 4 bytes of SHA-256 of its text, mod 4,096.

    >>> logical_shard("7d3f0c1e-0000-7000-8000-000000000000") == logical_shard(uuid.UUID("7d3f0c1e-0000-7000-8000-000000000000"))
    True
    """
    return int.from_bytes(hashlib.sha256(str(value).encode()).digest()[:4], "big") % LOGICAL_SHARDS


def new_sharded_uuid(value: object) -> uuid.UUID:
    """A UUIDv7 whose rand_a bits hold the logical shard of ``value`` (the row's shard key); the time and the 62 random bits stay.

    >>> key = new_sharded_uuid("room-1")
    >>> key.version, shard_of(key) == logical_shard("room-1")
    (7, True)
    """
    raw = bytearray(new_uuid().bytes)
    shard = logical_shard(value)
    raw[6] = 0x70 | (shard >> 8)  # version 7 in the high nibble, then the shard's top 4 bits
    raw[7] = shard & 0xFF
    return uuid.UUID(bytes=bytes(raw))


def shard_of(key: uuid.UUID) -> int:
    """The logical shard an id made by ``new_sharded_uuid`` carries."""
    return ((key.bytes[6] & 0x0F) << 8) | key.bytes[7]
