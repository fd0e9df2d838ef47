"""The words of issue 15 name what they work on: misuse gets a located message in the spec's words."""

from __future__ import annotations

import pytest

from backend_architect.errors import InputError
from backend_architect.spec.load import load_spec_bytes

BASE = """\
system: rides
entities:
  Driver: {fields: {name: string(80), location: geo?, rating: int}}
  Ride: {fields: {driver: ref(Driver), note: text}}
use_cases:
  - name: request ride
    writes: [Ride]
    deliver: {mode: realtime, to: Ride.driver}
"""


TO = "'to' names who receives the delivery: a reference such as Message.recipient;"


def _messages(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        load_spec_bytes(text.encode(), "spec.yaml")
    return str(info.value).splitlines()


def test_base_is_valid_ok() -> None:
    """Delivering to the rows a reference names is valid."""
    assert load_spec_bytes(BASE.encode(), "spec.yaml").spec.use_cases[0].deliver is not None


@pytest.mark.parametrize(
    ("to", "message"),
    [
        pytest.param("Rider.id", "spec.yaml:8:35: unknown entity 'Rider' (did you mean 'Ride'?)", id="unknown-entity"),
        pytest.param("Ride.note", f"spec.yaml:8:35: {TO} Ride.note is text", id="not-a-reference"),
        pytest.param("Ride.drivr", f"spec.yaml:8:35: {TO} Ride.drivr is not a field", id="no-such-field"),
    ],
)
def test_deliver_to_names_a_reference_err(to: str, message: str) -> None:
    """deliver.to as Entity.field must name a reference of an entity that exists, located at the value."""
    assert _messages(BASE.replace("to: Ride.driver", f"to: {to}")) == [message]
