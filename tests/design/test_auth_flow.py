"""The auth-flow decision: people sign in with OpenID Connect, machines with API keys, whatever fields they hold."""

from __future__ import annotations

import pytest

from design.helpers import design_of

BASE = """\
system: s
entities:
{entities}
use_cases:
{use_cases}
"""


def _flow(entities: str, use_cases: str) -> str:
    arch = design_of(BASE.format(entities=entities, use_cases=use_cases))
    return next(d for d in arch.decisions if d.id == "auth").choice.split(":")[0]


@pytest.mark.parametrize(
    ("entities", "use_cases", "flow"),
    [
        # a User with a username and nothing marked pii is a person (the seventh trial's chat and timeline specs)
        (
            "  User: {fields: {username: string(32)}}\n  Message: {fields: {author: ref(User), body: text}}",
            "  - {name: send message, actor: user, writes: [Message], rate: 10/s}",
            "OAuth 2.0 / OpenID Connect",
        ),
        (
            "  Driver: {fields: {plate: string(12)}}\n  Trip: {fields: {driver: ref(Driver)}}",
            "  - {name: start trip, actor: driver, writes: [Trip], rate: 1/s}",
            "OAuth 2.0 / OpenID Connect",
        ),
        # whoever logs in with a password is a person, whatever the entity is called
        (
            "  Operator: {fields: {login: string(40), password: {type: string(200), secret: true}}}\n  Alarm: {fields: {level: int}}",
            "  - {name: raise alarm, actor: operator, writes: [Alarm], rate: 1/s}",
            "OAuth 2.0 / OpenID Connect",
        ),
        # devices and partner systems holding no personal data are machines
        (
            "  Device: {fields: {serial: string(40)}}\n  Reading: {fields: {device: ref(Device), value: int}}",
            "  - {name: report reading, actor: device, writes: [Reading], rate: 100/s}",
            "API keys",
        ),
        (
            "  Partner: {fields: {code: string(20)}}\n  Order: {fields: {partner: ref(Partner), total: money}}",
            "  - {name: submit order, actor: partner, writes: [Order], rate: 5/s}",
            "API keys",
        ),
        # one person among the callers: people need a sign-in flow
        (
            "  Sensor: {fields: {serial: string(40)}}\n  Reading: {fields: {sensor: ref(Sensor), value: int}}\n  User: {fields: {username: string(32)}}",
            "  - {name: report reading, actor: sensor, writes: [Reading], rate: 100/s}\n  - {name: view readings, actor: user, reads: [Reading], rate: 5/s}",
            "OAuth 2.0 / OpenID Connect",
        ),
    ],
    ids=["user without pii", "driver without pii", "password login", "device", "partner system", "sensor and user"],
)
def test_people_sign_in_and_machines_use_keys_ok(entities: str, use_cases: str, flow: str) -> None:
    """People (named for people, or logging in with a password) get OpenID Connect even with no field marked pii;
    only callers that are all machines get API keys."""
    assert _flow(entities, use_cases) == flow
