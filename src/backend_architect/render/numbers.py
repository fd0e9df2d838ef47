"""Numbers rounded for people; the exact values stay in the data."""

from __future__ import annotations


def human(value: float, unit: str) -> str:
    """Format ``value`` in ``unit`` for reading.

    >>> human(1_234_567_890, "bytes")
    '1.23 GB'
    >>> human(0.25, "ratio")
    '25.0%'
    >>> human(0.9997, "ratio")
    '99.970%'
    >>> human(13.8889, "req/s")
    '13.9 req/s'
    >>> human(152_973_796, "bytes/s")
    '152.97 MB/s'
    >>> human(3.65e16, "bytes")
    '36.50 PB'
    >>> human(2e11, "bytes/day")
    '200.00 GB/day'
    """
    if unit in {"bytes", "bytes/s", "bytes/day"}:
        rate = unit[len("bytes") :]
        for size, name in ((1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
            if abs(value) >= size:
                return f"{value / size:.2f} {name}{rate}"
        return f"{value:.0f} B{rate}"
    if unit == "ratio":
        # availabilities live in the nines: 99.97% must not read as 100.0%
        return f"{value:.3%}" if 0.99 <= value < 1 else f"{value:.1%}"
    if unit in {"rows", "instances", "connections", "replicas", "standbys", "copies", "nodes"}:
        return f"{value:,.0f} {unit}"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:,.1f} {unit}" if abs(value) >= 1 else f"{value:.3g} {unit}"


def short(value: float) -> str:
    """A compact number for formula inputs: ``1200`` -> ``1,200``, ``0.00694`` -> ``0.00694``."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if 0.99 <= value < 1:
        return f"{value:.6g}"  # an availability's nines: 0.9993 must not read as 0.999
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"
