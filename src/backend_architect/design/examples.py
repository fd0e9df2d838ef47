"""Deterministic, realistic example values for API properties.

An ``email`` looks like one, an ``isbn`` like one; the same property always gets the
same value, so golden files stay stable. Every value satisfies the property's schema.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from backend_architect.design import blob_contract
from backend_architect.ir.model import ApiProperty

#: The one instant every example row was made at: its date-time fields show it and its UUIDv7 ids carry it (``example_uuid``),
#: so decoding an example id gives the row's created_at.
EXAMPLE_TIME = "2026-03-14T09:26:53Z"
EXAMPLE_DATE = EXAMPLE_TIME[:10]

_BY_NAME: dict[str, Any] = {
    "name": "Ada Lovelace",
    "full_name": "Ada Lovelace",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "display_name": "ada",
    "username": "ada",
    "handle": "ada",
    "title": "Notes on the Analytical Engine",
    "subject": "Cannot sign in after password reset",
    "isbn": "978-0-13-468599-1",
    "phone": "+44 20 7946 0958",
    "phone_number": "+44 20 7946 0958",
    "country": "GB",
    "country_code": "GB",
    "currency": "EUR",
    "language": "en",
    "locale": "en-GB",
    "timezone": "Europe/London",
    "city": "London",
    "slug": "analytical-engine",
    "sku": "SKU-10442",
    "code": "A1B2C3",
    "postcode": "EC1A 1BB",
    "zip": "94103",
    "address": "10 Downing Street",
    "street": "10 Downing Street",
    "description": "A short description written by a person.",
    "body": "Clear, well argued and a pleasure to read.",
    "content": "Hello! Are we still on for Thursday?",
    "text": "Hello! Are we still on for Thursday?",
    "comment": "Looks good to me.",
    "summary": "A one-line summary.",
    "color": "#3366ff",
    "ip": "203.0.113.7",
    "ip_address": "203.0.113.7",
    "user_agent": "Mozilla/5.0",
    "password": "correct horse battery staple",
    "token": "tok_3f9a8b7c6d5e",
    "secret": "s3cr3t-v4lue",
    "device_id": "sensor-0042",
    "serial": "SN-2026-000042",
    "unit": "celsius",
    "metric": "temperature",
    "genre": "science",
    "category": "books",
    "status": "active",
    "role": "member",
    "plan": "pro",
    "domain": "example.com",
    "hostname": "api.example.com",
    "version": "1.4.2",
    "mime_type": "image/png",
    "content_type": "image/png",
    "filename": "report.pdf",
    "file_name": "report.pdf",
}
_INTS = {
    "quantity": 2,
    "rating": 5,
    "stars": 4,
    "count": 3,
    "age": 36,
    "year": 1843,
    "priority": 2,
    "position": 1,
    "page_count": 352,
    "pages": 352,
    "stock": 120,
    "seats": 4,
    "capacity": 120,
    "duration": 90,
    "size": 2048,
}
_NUMBERS = {
    "latitude": 51.5072,
    "lat": 51.5072,
    "longitude": -0.1276,
    "lon": -0.1276,
    "lng": -0.1276,
    "temperature": 21.5,
    "value": 21.5,
    "humidity": 48.2,
    "score": 0.87,
    "weight": 1.2,
}


def uuid7_millis(stamp: str) -> int:
    """The 48-bit Unix milliseconds a UUIDv7 made at ``stamp`` (RFC 3339) starts with.

    >>> uuid7_millis("1970-01-01T00:00:01Z")
    1000
    """
    return round(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def uuid7_time(value: str) -> str:
    """The instant a UUIDv7 was made at, read back from its first 48 bits (RFC 9562 section 5.7), to the second.

    >>> uuid7_time(example_uuid("Book"))
    '2026-03-14T09:26:53Z'
    """
    millis = int(uuid.UUID(value).hex[:12], 16)
    return datetime.fromtimestamp(millis // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=65_536)
def example_uuid(seed: str, at: str = EXAMPLE_TIME) -> str:
    """A stable UUIDv7 derived from ``seed``, made at ``at``: its time bits are the example rows' own created_at, not a
    constant of their own, because a reader decoding a time-ordered key checks it against the row (uber run 20 C9).

    >>> example_uuid("Book")
    '019cebab-8748-709c-b811-27c5e1944b16'
    """
    digest = hashlib.sha256(seed.encode()).digest()
    raw = bytearray(uuid7_millis(at).to_bytes(6, "big") + digest[:10])
    raw[6] = 0x70 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    return str(uuid.UUID(bytes=bytes(raw)))


def example_value(prop: ApiProperty, owner: str) -> Any:
    """An example for one property of schema ``owner``."""
    name = prop.name
    if prop.enum:
        return prop.enum[0]
    if prop.type == "boolean":
        return not name.startswith(("is_deleted", "deleted", "archived", "disabled"))
    if prop.type == "integer":
        if name == "id" or name.endswith("_id"):
            return 1 + int(hashlib.sha256(f"{owner}.{name}".encode()).hexdigest()[:4], 16) % 9000
        return _INTS.get(name, 42)
    if prop.type == "number":
        return _NUMBERS.get(name, 12.5)
    if prop.type == "object":
        if "address" in name:
            return {"line1": "10 Downing Street", "city": "London", "postcode": "SW1A 2AA", "country": "GB"}
        return {"source": "web", "tags": ["priority"]}
    if prop.type != "string":
        return None
    return _clip(_string(prop, owner), prop.max_length)


def _string(prop: ApiProperty, owner: str) -> str:
    name = prop.name
    fmt = prop.format
    if fmt == "uuid":
        return example_uuid(f"{owner.removesuffix('Create').removesuffix('Update')}.{name}" if name != "id" else owner)
    if fmt == "date-time":
        return EXAMPLE_TIME
    if fmt == "date":
        return EXAMPLE_DATE
    if fmt == "email":
        return "ada@example.com"
    if fmt == "uri":
        if "image" in name or "avatar" in name or "photo" in name:
            return "https://cdn.example.com/images/4f1c.png"
        return f"https://example.com/{name.replace('_', '-')}"
    if fmt == "decimal":
        return _decimal(prop.pattern)
    if prop.pattern == "^[A-Z]{3}$":
        return "EUR"
    if name.endswith("_sha256"):
        return "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    if name.endswith("_content_type"):
        return "image/jpeg"
    if prop.pattern == blob_contract.KEY_PATTERN:
        entity = owner.removesuffix("Create").removesuffix("Update").removesuffix("Replace")
        return blob_contract.example_key(entity, name, example_uuid(f"{entity}.{name}.upload"))
    if name in _BY_NAME:
        return str(_BY_NAME[name])
    for key, value in _BY_NAME.items():
        if name.endswith("_" + key):
            return str(value)
    if name.endswith("_key") or "file" in name or "image" in name or "attachment" in name:
        return f"uploads/2026/03/{name}.bin"
    return name.replace("_", " ").capitalize() + " example"


def _decimal(pattern: str | None) -> str:
    """19.99, cut to the digits the column's numeric(precision, scale) pattern allows (4.5 in numeric(2,1), 9.99 in numeric(3,2)).

    >>> [_decimal(None), _decimal(r"^-?\\d{1,1}(\\.\\d{1,2})?$"), _decimal(r"^-?\\d{1,1}(\\.\\d{1,1})?$"), _decimal(r"^-?\\d{1,4}$")]
    ['19.99', '9.99', '4.5', '19']
    """
    found = re.search(r"\\d\{1,(\d+)\}(?:\(\\\.\\d\{1,(\d+)\}\)\?)?", pattern or "")
    if found is None:
        return "19.99"
    digits, scale = int(found[1]), int(found[2] or 0)
    whole = "19"[-digits:] if digits < 2 else "19"
    if not scale:
        return whole
    return "4.5" if (digits, scale) == (1, 1) else f"{whole}.{'99'[:scale]}"


def _clip(text: str, limit: int | None) -> str:
    return text if limit is None else text[:limit]
