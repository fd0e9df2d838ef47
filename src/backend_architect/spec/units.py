"""Quantities written the way people write them in a spec: ``2M``, ``800/s``, ``30s``, ``99.9%``.

Each parser takes the raw YAML value and returns a number in a base unit, or raises
``ValueError`` with a message that says what was expected. Every quantity is finite and
bounded: NaN, infinities and numbers past what any real system reaches (a 400-digit row
count, ``1e400/s``) are refused here, so ``validate`` refuses what ``design`` could not
compute with, and every figure the design derives from them stays a finite float.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

SECONDS_PER_MINUTE = 60
SECONDS_PER_HOUR = 3_600
SECONDS_PER_DAY = 86_400
#: A calendar year of 365 days; leap days change capacity figures by 0.07 %.
DAYS_PER_YEAR = 365
#: The mean month, 365/12 days, so twelve months make a year exactly.
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

#: Rows, users, fan-out: a quadrillion is past any real table or audience.
MAX_COUNT = 1e15
#: Events per second: a billion is past the busiest systems there are.
MAX_RATE_PER_SECOND = 1e9
#: Durations (retention, staleness): a century.
MAX_SECONDS = 100 * DAYS_PER_YEAR * SECONDS_PER_DAY
#: Sizes: a pebibyte per value.
MAX_BYTES = 2**50
#: Distances (a search radius): 100,000 km, past twice the Earth's circumference.
MAX_METRES = 1e8


def bounded(value: float | int, maximum: float, what: str) -> float:
    """``value`` as a float when it is a finite number from 0 to ``maximum``; ``ValueError`` naming ``what`` otherwise.

    Integers are compared before they become floats, so a 400-digit one is refused rather than overflowing.

    >>> bounded(12, 100, "a count")
    12.0
    >>> bounded(float("nan"), 100, "a count")
    Traceback (most recent call last):
    ValueError: a count must be a finite number, got nan
    >>> bounded(10**400, 1e15, "a count")
    Traceback (most recent call last):
    ValueError: a count must be at most 1e+15, got a 401-digit number
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    if value > maximum:
        shown = f"a {len(str(value))}-digit number" if isinstance(value, int) and value > 10**30 else f"{value:g}"
        raise ValueError(f"{what} must be at most {maximum:g}, got {shown}")
    return float(value)


_SUFFIX = {"": 1.0, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "b": 1e9, "B": 1e9, "G": 1e9, "T": 1e12}
_NUMBER = r"(?P<num>\d+(?:[.,_]\d+)*(?:\.\d+)?)\s*(?P<suffix>[kKmMbBGT]?)"

RATE_UNITS: dict[str, float] = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "min": SECONDS_PER_MINUTE,
    "minute": SECONDS_PER_MINUTE,
    "h": SECONDS_PER_HOUR,
    "hour": SECONDS_PER_HOUR,
    "day": SECONDS_PER_DAY,
    "d": SECONDS_PER_DAY,
    "week": 7 * SECONDS_PER_DAY,
    "month": DAYS_PER_MONTH * SECONDS_PER_DAY,
    "year": DAYS_PER_YEAR * SECONDS_PER_DAY,
}


def _number(text: str, suffix: str) -> float:
    # 4,000 digits of text still parse as a float (inf), so the bound is checked on the value
    return float(text.replace(",", "").replace("_", "")) * _SUFFIX[suffix]


def parse_count(value: object) -> float:
    """Parse a count such as ``2M``, ``200k``, ``1_000`` or ``1500``.

    >>> parse_count("2.5M")
    2500000.0
    >>> parse_count(40)
    40.0
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a count such as 2M or 1500, got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"expected a count such as 2M or 1500 (not negative), got {value}")
        return bounded(value, MAX_COUNT, "a count")
    if isinstance(value, str):
        match = re.fullmatch(_NUMBER, value.strip())
        if match:
            return bounded(_number(match["num"], match["suffix"]), MAX_COUNT, "a count")
    raise ValueError(f"expected a count such as 2M or 1500, got {value!r}")


@dataclass(frozen=True)
class Rate:
    """A rate as written (``2M/day``) and its value in events per second."""

    text: str
    per_second: float
    count: float = 0.0
    period_s: float = 1.0

    def __str__(self) -> str:
        return self.text


def parse_rate(value: object) -> Rate:
    """Parse ``800/s``, ``2M/day``, ``10M/month``, ``50/min`` or ``3 per hour``.

    >>> round(parse_rate("2M/day").per_second, 3)
    23.148
    >>> parse_rate(" 10 per minute ").text
    '10/minute'
    """
    if isinstance(value, Rate):
        return value
    if isinstance(value, str):
        text = value.strip()
        match = re.fullmatch(_NUMBER + r"\s*(?:/|per\s+)\s*(?P<unit>[a-z]+?)s?", text)
        if match and match["unit"] in RATE_UNITS:
            count = _number(match["num"], match["suffix"])
            bounded(count / RATE_UNITS[match["unit"]], MAX_RATE_PER_SECOND, "a rate in events per second")
            normal = f"{match['num']}{match['suffix']}/{match['unit']}"
            return Rate(normal, count / RATE_UNITS[match["unit"]], count, RATE_UNITS[match["unit"]])
    units = ", ".join(sorted({"s", "min", "h", "day", "week", "month", "year"}))
    raise ValueError(f"cannot read rate {value!r}: write a count per unit such as 800/s or 2M/day (units: {units})")


_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "day": 86400, "days": 86400}


def parse_duration(value: object) -> float:
    """Parse a duration into seconds: ``30s``, ``5m``, ``250ms``, ``1h``, ``7d`` (a bare number is seconds).

    >>> parse_duration("5m")
    300.0
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30s or 5m, got {value!r}")
    if isinstance(value, int | float):
        return bounded(value, MAX_SECONDS, "a duration in seconds")
    if isinstance(value, str):
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]+)", value.strip())
        if match and match[2] in _DURATION_UNITS:
            return bounded(float(match[1]) * _DURATION_UNITS[match[2]], MAX_SECONDS, "a duration in seconds")
    raise ValueError(f"expected a duration such as 250ms, 30s, 5m, 1h or 7d, got {value!r}")


def parse_fraction(value: object) -> float:
    """Parse a percentage or fraction into a fraction: ``99.9%``, ``99.9``, ``0.5`` or ``50%``.

    Numbers above 1 are read as percentages, so ``availability: 99.95`` means 0.9995.

    >>> parse_fraction("99.9%")
    0.9990000000000001
    >>> parse_fraction(0.5)
    0.5
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a percentage such as 99.9% or a fraction such as 0.5, got {value!r}")
    number: float | None = None
    if isinstance(value, int | float):
        number = bounded(value, 1000, "a percentage")
        if number > 1:
            number /= 100
    elif isinstance(value, str):
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%?)", value.strip())
        if match:
            number = float(match[1]) / 100 if match[2] or float(match[1]) > 1 else float(match[1])
    if number is None or not 0 <= number <= 10:
        raise ValueError(f"expected a percentage such as 99.9% or a fraction such as 0.5, got {value!r}")
    return number


_BYTE_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}


def parse_bytes(value: object) -> int:
    """Parse a size in bytes: ``512``, ``2KB``, ``1.5MiB``.

    >>> parse_bytes("2KiB")
    2048
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return int(bounded(value, MAX_BYTES, "a size in bytes"))
    if isinstance(value, str):
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]*)", value.strip())
        if match and match[2].lower() in _BYTE_UNITS | {"": 1}:
            return round(bounded(float(match[1]) * _BYTE_UNITS.get(match[2].lower(), 1), MAX_BYTES, "a size in bytes"))
    raise ValueError(f"expected a size such as 512, 2KB or 1.5MiB, got {value!r}")


_DISTANCE_UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344}


def parse_distance(value: object) -> float:
    """Parse a distance into metres: ``500m``, ``5km``, ``3mi`` (a bare number is metres).

    >>> parse_distance("5km")
    5000.0
    """
    if isinstance(value, int | float) and not isinstance(value, bool) and not value < 0:
        return bounded(value, MAX_METRES, "a distance in metres")
    if isinstance(value, str):
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(m|km|mi)", value.strip().lower())
        if match:
            return bounded(float(match[1]) * _DISTANCE_UNITS[match[2]], MAX_METRES, "a distance in metres")
    raise ValueError(f"expected a distance such as 500m, 5km or 3mi, got {value!r}")
