"""New primary keys: UUIDv7 (RFC 9562), time-ordered so new rows land at the right edge of the B-tree."""

from __future__ import annotations

import uuid

import uuid_utils.compat


def new_uuid() -> uuid.UUID:
    """A UUIDv7."""
    return uuid_utils.compat.uuid7()
