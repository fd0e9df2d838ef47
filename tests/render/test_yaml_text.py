"""Our YAML emitter round-trips through a YAML 1.1 reader (PyYAML), tricky strings included."""

from __future__ import annotations

import random

import pytest
import yaml

from backend_architect.render.yaml_text import to_yaml
from conftest import EXAMPLE_IDS, designed

TRICKY = [
    "yes", "No", "on", "OFF", "y", "n", "null", "~", "true", "1.0", "1e5", "0x1F", "012", "2026-03-14", "2026-03-14T09:26:53Z",
    "1.0.0", "", " leading", "trailing ", "a: b", "a #b", "#comment", "-dash", "- item", "? key", ": colon", "key:", "[list]",
    "{map}", "&anchor", "*alias", "!tag", "|", ">", "@at", "`tick", "%percent", "'quoted'", '"double"', "multi\nline",
    "tab\there", "uni\u2028sep", "ünïcödé", "emoji 🚀", "/books/{book_id}:cancel", "https://example.com/a?b=c#frag", "a,b",
    "=", "<<", "a\\b", "\x85next", ".inf", "-.inf", ".nan", "Null", "TRUE",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_string_round_trips_ok(text: str) -> None:
    """Every tricky string comes back as the same string, as a value and as a key."""
    document = {"value": text, text or "empty": [text], "nested": [{"k": text}]}
    assert yaml.safe_load(to_yaml(document)) == document


def test_random_documents_round_trip_ok() -> None:
    """Random nested documents of every JSON type round-trip exactly."""
    rng = random.Random(7)

    def value(depth: int) -> object:
        kind = rng.randrange(8 if depth < 4 else 5)
        if kind == 0:
            return rng.choice(TRICKY)
        if kind == 1:
            return rng.randint(-(10**12), 10**12)
        if kind == 2:
            return rng.choice([0.5, -1.25, 1e-7, 3.0, 1e21, 12.5])
        if kind == 3:
            return rng.choice([True, False, None])
        if kind == 4:
            return "".join(rng.choice("ab: #-'\"\n{}[]") for _ in range(rng.randint(0, 6)))
        if kind in (5, 6):
            return {f"k{i}{rng.choice(TRICKY)}": value(depth + 1) for i in range(rng.randint(0, 4))}
        return [value(depth + 1) for _ in range(rng.randint(0, 4))]

    for _ in range(300):
        document = {"root": value(0)}
        assert yaml.safe_load(to_yaml(document)) == document


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_contracts_round_trip_ok(name: str) -> None:
    """Every generated OpenAPI file parses back to the document it was written from."""
    for path, text in designed(name).files.items():
        if path.endswith(".yaml"):
            assert to_yaml(yaml.safe_load(text)) == text
