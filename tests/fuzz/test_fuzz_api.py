"""Fuzzing the HTTP API: hostile methods, paths, numbers, headers and bodies never get a 5xx, and every error is problem+json.

schemathesis (tests/server) generates requests from the API's own OpenAPI; this goes where a
schema does not: numbers past 2^63 in paths and cursors, malformed conditional and
authorization headers, bodies of the wrong JSON types, NaN, huge integers and duplicate keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_architect.jobs import Jobs
from backend_architect.server.app import create_app
from backend_architect.server.store import Store
from fuzz.outcome import bounded
from fuzz.test_fuzz_inputs import HOSTILE_SCALARS
from server.conftest import ALICE, KEYS, auth

SMALL = "system: tiny\nentities:\n  Note: {fields: {body: string(200)}}\n"
NUMBERS = st.one_of(st.integers(min_value=-5, max_value=5), st.sampled_from([2**63 - 1, 2**63, 2**64, 10**30, -(2**63)]), st.text(max_size=12))
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Authorization": st.sampled_from([f"Bearer {ALICE}", ALICE, f"bearer {ALICE}", "Bearer", f"Basic {ALICE}", "Bearer x" * 100, "Bearer \\xe9-not-ascii"]),
        "If-Match": st.sampled_from(["*", '"x"', 'W/"x"', "x", '"', ",,", '"a", W/"b"', "\\xe9"]),
        "If-None-Match": st.sampled_from(["*", '"x"', "garbage", 'W/""']),
        "Idempotency-Key": st.text(min_size=0, max_size=250).filter(lambda t: t.isprintable() and t.isascii()),
        "Content-Type": st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"]),
    },
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    store = Store(f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'api.db'}")
    pool = Jobs(workers=2, deadline_s=20)
    client = TestClient(create_app(store, KEYS, rate_per_minute=1_000_000, jobs=pool), raise_server_exceptions=False)
    design_id = client.post("/v1/designs", json={"name": "seed", "spec": SMALL}, headers=auth(ALICE)).json()["id"]
    try:
        yield client, design_id
    finally:
        pool.close()
        store.close()


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes | None]:
    template = draw(
        st.sampled_from(
            [
                ("GET", "/v1/designs?limit={n}&cursor={c}"),
                ("GET", "/v1/designs/{id}"),
                ("PUT", "/v1/designs/{id}"),
                ("DELETE", "/v1/designs/{other}"),
                ("PUT", "/v1/designs/{id}/sharing"),
                ("GET", "/v1/designs/{id}/versions?cursor={c}&limit={n}"),
                ("GET", "/v1/designs/{id}/versions/{n}"),
                ("GET", "/v1/designs/{id}/diff?from={n}&to={m}"),
                ("POST", "/v1/designs"),
                ("POST", "/v1/reviews"),
                ("POST", "/v1/validations"),
                ("PATCH", "/v1/designs/{id}"),
            ]
        )
    )
    method, path = template
    path = path.replace("{n}", quote(str(draw(NUMBERS)))).replace("{m}", quote(str(draw(NUMBERS)))).replace("{c}", quote(draw(st.text(max_size=40))))
    path = path.replace("{other}", draw(st.sampled_from(["x", "../../etc", "%00", "a" * 300])))
    body: bytes | None = None
    if method in {"POST", "PUT"}:
        shape = draw(
            st.one_of(
                st.fixed_dictionaries({"name": HOSTILE_SCALARS, "spec": st.one_of(st.just(SMALL), HOSTILE_SCALARS), "shared": HOSTILE_SCALARS}),
                st.fixed_dictionaries({"kind": st.sampled_from(["sql", "openapi", "spec", "x"]), "content": st.one_of(st.text(max_size=200), HOSTILE_SCALARS)}),
                st.fixed_dictionaries({"spec": st.one_of(st.just(SMALL), HOSTILE_SCALARS)}),
                HOSTILE_SCALARS,
            )
        )
        body = json.dumps(shape, default=str, allow_nan=True).encode()
        if draw(st.booleans()):
            body = body.replace(b"{", b'{"name": "dup", "name": "dup2", ', 1)
    return method, path, draw(HEADERS), body


@given(request=requests())
@settings(max_examples=80, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_hostile_requests_never_get_a_server_error_ok(api: tuple[TestClient, str], request: tuple[str, str, dict[str, str], bytes | None]) -> None:
    """Any method, path, number, header and body: an answer below 500, and problem+json for every error."""
    client, design_id = api
    method, path, headers, body = request
    with bounded():
        answer = client.request(method, path.replace("{id}", design_id), headers=headers, content=body)
    assert answer.status_code < 500, (method, path, headers, body, answer.status_code, answer.text[:300])
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json", (method, path, answer.status_code)
        problem: Any = answer.json()
        assert problem["status"] == answer.status_code
