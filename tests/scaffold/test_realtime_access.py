"""The scaffolded gateway takes visitors on public channels and asks a token for private ones, as the design and AsyncAPI say."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.spec.load import load_spec_bytes
from scaffold.test_mechanisms import _own_tests

#: Visitors watching a question (a read needing no login) beside signed-in users receiving their own notices.
SPEC = """\
system: qa
scale: {daily_active: 200k}
entities:
  User: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Question: {fields: {asker: ref(User), title: string(200)}, rows: 100k}
  Notice: {fields: {user: ref(User), text: string(200)}, growth: 1M/day}
use_cases:
  - {name: view question, actor: visitor, auth: none, kind: get, reads: [Question], rate: 500/s, deliver: {mode: realtime, subscribers: 300k}}
  - {name: ask question, actor: user, writes: [Question], rate: 5/s}
  - {name: send notice, actor: admin, writes: [Notice], rate: 1M/day, deliver: {mode: realtime, to: Notice.user}}
  - {name: list my notices, actor: user, reads: [Notice], filter: [user], owner_only: true, rate: 10/s}
"""


@pytest.mark.postgres
def test_generated_gateway_takes_visitors_on_public_channels_only_ok(postgres: object, tmp_path: Path) -> None:
    """The generated service passes its own runtime tests: an anonymous client subscribes to the question's public channel
    and is refused (401) the private notices channel; the policies follow each channel's designed access."""
    result = design_spec(load_spec_bytes(textwrap.dedent(SPEC).encode(), "qa.yaml"))
    (deployable,) = scaffold(from_files(result.architecture, result.files, "qa"), tmp_path).project.deployables
    run = _own_tests(tmp_path / deployable.name, postgres)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "PASSED tests/test_runtime.py::test_gateway_takes_visitors_on_public_channels_only_ok" in run.stdout
    policies = {c.address: c.access for c in result.architecture.channels}
    assert policies == {"questions/{question_id}": "public", "users/{user_id}/notices": "private"}
