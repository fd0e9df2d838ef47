"""Public short keys the server makes: random base62 codes, codes from claimed counter ranges, or slugs of a title.

Random codes are drawn from the operating system's generator and rely on the unique index
(a taken one is drawn again). Ranges never collide: the process claims ``RANGE_SIZE`` counter
values at a time with one ``UPDATE ... RETURNING`` on the allocator table and maps each
through a keyed permutation (``SHORT_KEY_SECRET``), so consecutive values give unrelated codes.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import secrets
import unicodedata
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .resources import ShortKey

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANGE_SIZE = 10_000
_SUFFIX = "0123456789abcdefghijklmnopqrstuvwxyz"


def random_code(length: int) -> str:
    """``length`` base62 characters from the operating system's generator."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def base62(number: int, length: int) -> str:
    """
    >>> base62(0, 3), base62(61, 3), base62(62, 3)
    ('000', '00z', '010')
    """
    digits = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def permute(value: int, length: int, secret: bytes) -> int:
    """A keyed bijection of ``[0, 62^length)``: x -> (a x + b) mod 62^length, with a and b from the secret (a coprime to 62)."""
    space = 62**length
    digest = hashlib.sha256(secret + length.to_bytes(2, "big")).digest()
    a = int.from_bytes(digest[:8], "big") % space | 1
    while math.gcd(a, space) != 1:
        a += 2
    b = int.from_bytes(digest[8:16], "big") % space
    return (a * value + b) % space


def slugify(text: str, length: int) -> str:
    """
    >>> slugify("Ada Lovelace: Notes on the Analytical Engine!", 20)
    'ada-lovelace-notes-o'
    """
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", flat).strip("-")[:length].strip("-") or "item"


class _Ranges:
    """The counter values this process has claimed, per allocator table."""

    def __init__(self) -> None:
        self.claimed: dict[str, tuple[int, int]] = {}
        self.lock = asyncio.Lock()

    async def next(self, conn: AsyncConnection, key: ShortKey) -> int:
        assert key.ranges is not None
        name = key.column.table.name
        async with self.lock:
            start, end = self.claimed.get(name, (0, 0))
            if start >= end:
                # claimed in a transaction of its own: a request that rolls back must not give its range back to others
                table = key.ranges
                async with conn.engine.begin() as own:
                    await own.execute(pg_insert(table).values(name=name, next_value=0).on_conflict_do_nothing(index_elements=["name"]))
                    claimed = await own.execute(
                        update(table).where(table.c.name == name).values(next_value=table.c.next_value + RANGE_SIZE).returning(table.c.next_value)
                    )
                    end = int(claimed.scalar_one())
                start = end - RANGE_SIZE
            self.claimed[name] = (start + 1, end)
            return start


RANGES = _Ranges()
#: The permutation's key; configure SHORT_KEY_SECRET in production (core.config), or codes are only as unguessable as this default.
SECRET = {"value": b"backend-architect-short-keys"}
#: The API's public URL with its base path (set at startup from PUBLIC_BASE_URL, else the host and port): short URLs open under it.
BASE = {"url": "http://127.0.0.1:8000/v1"}


def short_url(code: str) -> str:
    """The link to share for a short code: ``GET /s/{code}`` on this API redirects to what it leads to."""
    return f"{BASE['url']}/s/{code}"


async def make(conn: AsyncConnection, key: ShortKey, values: dict[str, Any]) -> str:
    """A new public key for a row about to be inserted with ``values``."""
    if key.method == "slug":
        source = values.get(key.source.name) if key.source is not None else None
        base = slugify(str(source or ""), key.length - 5)
        return base if key.column.name not in values else f"{base}-{''.join(secrets.choice(_SUFFIX) for _ in range(4))}"
    if key.method == "ranges":
        value = await RANGES.next(conn, key)
        return base62(permute(value, key.length, SECRET["value"]), key.length)
    return random_code(key.length)
