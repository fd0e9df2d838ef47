"""Quantities as people write them."""

from __future__ import annotations

import pytest

from backend_architect.spec.units import DAYS_PER_MONTH, parse_bytes, parse_count, parse_duration, parse_fraction, parse_rate


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        pytest.param("800/s", 800.0, id="per-second"),
        pytest.param("2M/day", 2e6 / 86_400, id="millions-per-day"),
        pytest.param("10M/month", 10e6 / (DAYS_PER_MONTH * 86_400), id="per-month"),
        pytest.param("50/min", 50 / 60, id="per-minute"),
        pytest.param("3 per hour", 3 / 3600, id="per-words"),
        pytest.param("1,500/day", 1500 / 86_400, id="thousands-separator"),
        pytest.param("1.5k/s", 1500.0, id="decimal-suffix"),
        pytest.param("7/weeks", 1 / 86_400, id="plural-unit"),
    ],
)
def test_parse_rate_ok(text: str, per_second: float) -> None:
    """Rates in any unit convert to events per second."""
    assert parse_rate(text).per_second == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["800", "fast", "3/fortnight", "-5/s", "5/", 800, None])
def test_parse_rate_err(text: object) -> None:
    """Anything that is not a count per known unit is refused with the expected form."""
    with pytest.raises(ValueError, match="write a count per unit"):
        parse_rate(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [pytest.param("2M", 2e6, id="M"), pytest.param("150k", 150e3, id="k"), pytest.param(40, 40.0, id="int"), pytest.param("1_000", 1000.0, id="underscore")],
)
def test_parse_count_ok(value: object, expected: float) -> None:
    """Counts take k/M/B suffixes and separators."""
    assert parse_count(value) == expected


@pytest.mark.parametrize("value", ["lots", True, -3, "2X"])
def test_parse_count_err(value: object) -> None:
    """Negative, boolean and unknown-suffix counts are refused."""
    with pytest.raises(ValueError, match="count"):
        parse_count(value)


@pytest.mark.parametrize(("value", "expected"), [("99.9%", 0.999), (99.95, 0.9995), (0.5, 0.5), ("50%", 0.5), ("0.3", 0.3)])
def test_parse_fraction_ok(value: object, expected: float) -> None:
    """Percentages and fractions both read as fractions."""
    assert parse_fraction(value) == pytest.approx(expected)


@pytest.mark.parametrize(("value", "seconds"), [("250ms", 0.25), ("30s", 30), ("5m", 300), ("1h", 3600), ("7d", 604_800), (12, 12)])
def test_parse_duration_ok(value: object, seconds: float) -> None:
    """Durations convert to seconds."""
    assert parse_duration(value) == pytest.approx(seconds)


def test_parse_duration_err() -> None:
    """An unknown duration unit is refused."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration("3 fortnights")


@pytest.mark.parametrize(("value", "expected"), [(512, 512), ("2KB", 2000), ("2KiB", 2048), ("1.5MiB", 1_572_864)])
def test_parse_bytes_ok(value: object, expected: int) -> None:
    """Sizes take decimal and binary units."""
    assert parse_bytes(value) == expected
