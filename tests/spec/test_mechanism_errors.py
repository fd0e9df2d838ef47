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


PUSHES = """\
system: chat
external:
  fcm: {kind: push, share: FCM}
  apns: {kind: push, share: APNS}
  mailer: {kind: email MAILER}
entities:
  Message: {fields: {body: text}}
use_cases:
  - {name: send message, writes: [Message], rate: 10/s, notify: [fcm, apns], deliver: realtime}
  - {name: report presence, writes: [Message], rate: RATE EVERY}
"""


def _pushes(fcm: str = "60%", apns: str = "40%", mailer: str = "", rate: str = "10/s", every: str = ", every: 5s") -> str:
    return PUSHES.replace("FCM", fcm).replace("APNS", apns).replace(" MAILER", mailer).replace("RATE", rate).replace(" EVERY", every)


def test_push_shares_and_every_are_valid_ok() -> None:
    """Shares of push providers summing to 100% and a periodic use case with its rate are valid."""
    spec = load_spec_bytes(_pushes().encode(), "spec.yaml").spec
    assert (spec.external["fcm"].share, spec.use_cases[1].every) == (0.6, 5.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            _pushes(fcm="70%", apns="50%"),
            "spec.yaml:4:29: the push providers' shares add up to 120%; together they may carry at most 100% of the notifications",
            id="shares-over-the-whole",
        ),
        pytest.param(
            _pushes(mailer=", share: 10%", apns="30%"),
            "spec.yaml:5:32: 'mailer' is not a push provider (kind: push): a share splits push notifications between providers",
            id="share-on-a-non-push-system",
        ),
        pytest.param(
            _pushes(rate="null"),
            "spec.yaml:10:67: 'every' counts the clients online as the peak rate x every: give the use case's rate too",
            id="every-without-a-rate",
        ),
    ],
)
def test_push_shares_and_every_misuse_err(text: str, message: str) -> None:
    """Push shares are parts of one whole on push providers; every needs a rate: each misuse is located at the value."""
    assert _messages(text) == [message]
