"""Every route against every kind of caller: no key, the owner, the owner's read-only key, another owner, an admin, and bad credentials."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import ROOT
from server.conftest import ADMIN, ALICE, ALICE_READER, BOB, auth

SPEC = (ROOT / "examples" / "bookstore.yaml").read_text()
SMALL = "system: tiny\nentities:\n  Note: {fields: {body: string(200)}}\nuse_cases:\n  - {name: list notes, reads: [Note], rate: 5/s}\n"
CALLERS = {"none": {}, "alice": auth(ALICE), "alice-ro": auth(ALICE_READER), "bob": auth(BOB), "admin": auth(ADMIN)}

# route -> status per caller (none, alice, alice-ro, bob, admin); PRIVATE is alice's unshared design, SHARED her shared one
MATRIX: list[tuple[str, str, dict[str, Any], tuple[int, int, int, int, int]]] = [
    ("POST", "/v1/validations", {"json": {"spec": SMALL}}, (200, 200, 200, 200, 200)),
    ("POST", "/v1/designs", {"json": {"name": "n", "spec": SMALL}}, (401, 201, 403, 201, 201)),
    ("GET", "/v1/designs", {}, (401, 200, 200, 200, 200)),
    ("GET", "/v1/designs/PRIVATE", {}, (404, 200, 200, 404, 200)),
    ("GET", "/v1/designs/SHARED", {}, (200, 200, 200, 200, 200)),
    ("GET", "/v1/designs/PRIVATE/versions", {}, (404, 200, 200, 404, 200)),
    ("GET", "/v1/designs/SHARED/versions", {}, (200, 200, 200, 200, 200)),
    ("GET", "/v1/designs/PRIVATE/versions/1", {}, (404, 200, 200, 404, 200)),
    ("GET", "/v1/designs/PRIVATE/versions/1/html", {}, (404, 200, 200, 404, 200)),
    ("GET", "/v1/designs/SHARED/versions/1/html", {}, (200, 200, 200, 200, 200)),
    ("GET", "/v1/designs/PRIVATE/diff?from=1&to=1", {}, (404, 200, 200, 404, 200)),
    ("PUT", "/v1/designs/PRIVATE", {"json": {"spec": SMALL}, "headers": {"If-Match": "*"}}, (401, 200, 403, 404, 200)),
    ("PUT", "/v1/designs/SHARED", {"json": {"spec": SMALL}, "headers": {"If-Match": "*"}}, (401, 200, 403, 403, 200)),
    ("PUT", "/v1/designs/PRIVATE/sharing", {"json": {"shared": False}}, (401, 200, 403, 404, 200)),
    ("DELETE", "/v1/designs/DOOMED", {}, (401, 204, 403, 404, 404)),
    ("POST", "/v1/reviews", {"json": {"kind": "sql", "content": "CREATE TABLE t (id int PRIMARY KEY);"}}, (401, 201, 403, 201, 201)),
]


def test_every_route_authorizes_every_caller_ok(client: TestClient) -> None:
    """The matrix: reads need a key unless the design is shared, writes need the write scope and ownership (or admin), and a design one may not read is 404."""
    private = client.post("/v1/designs", json={"name": "private", "spec": SMALL}, headers=auth(ALICE)).json()["id"]
    shared = client.post("/v1/designs", json={"name": "shared", "spec": SMALL, "shared": True}, headers=auth(ALICE)).json()["id"]
    doomed = client.post("/v1/designs", json={"name": "doomed", "spec": SMALL}, headers=auth(ALICE)).json()["id"]
    got: dict[tuple[str, str], int] = {}
    for method, path, options, statuses in MATRIX:
        for (caller, headers), expected in zip(CALLERS.items(), statuses, strict=True):
            url = path.replace("PRIVATE", private).replace("SHARED", shared).replace("DOOMED", doomed)
            answer = client.request(method, url, headers={**options.get("headers", {}), **headers}, json=options.get("json"))
            got[(f"{method} {path}", caller)] = answer.status_code
            if answer.status_code >= 400:
                assert answer.headers["content-type"] == "application/problem+json"
            if answer.status_code == 401:
                assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            assert answer.status_code == expected, (method, path, caller, answer.status_code, answer.text[:200])
    assert len(got) == len(MATRIX) * len(CALLERS)


def test_lists_show_only_the_callers_designs_ok(client: TestClient) -> None:
    """A key lists its owner's designs (its read-only sibling too); another owner sees none of them; an admin sees all."""
    mine = client.post("/v1/designs", json={"name": "mine", "spec": SMALL}, headers=auth(ALICE)).json()["id"]
    theirs = client.post("/v1/designs", json={"name": "theirs", "spec": SMALL}, headers=auth(BOB)).json()["id"]

    def listed(key: str) -> set[str]:
        return {d["id"] for d in client.get("/v1/designs", headers=auth(key)).json()["items"]}

    assert listed(ALICE) == listed(ALICE_READER) == {mine}
    assert listed(BOB) == {theirs}
    assert listed(ADMIN) >= {mine, theirs}


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(ALICE, id="bare-key"),
        pytest.param(f"Basic {ALICE}", id="other-scheme"),
        pytest.param(f"Bearer {ALICE}x", id="unknown-key"),
        pytest.param(f"Bearer  {ALICE} extra", id="junk-after"),
        pytest.param("Bearer", id="no-key"),
    ],
)
def test_credentials_other_than_bearer_key_are_refused_err(client: TestClient, header: str) -> None:
    """Only 'Authorization: Bearer <known key>' is accepted, on public routes too: anything else is 401, never read as anonymous."""
    for method, path, body in (
        ("GET", "/v1/designs", None),
        ("POST", "/v1/validations", {"spec": SMALL}),
        ("POST", "/v1/designs", {"name": "x", "spec": SMALL}),
    ):
        answer = client.request(method, path, headers={"Authorization": header}, json=body)
        assert answer.status_code == 401, (path, answer.status_code)


def test_idempotency_keys_are_per_owner_ok(client: TestClient) -> None:
    """Two owners using the same Idempotency-Key get their own designs; neither sees the other's answer."""
    key = {"Idempotency-Key": "same-key"}
    first = client.post("/v1/designs", json={"name": "a", "spec": SMALL}, headers={**auth(ALICE), **key})
    second = client.post("/v1/designs", json={"name": "b", "spec": SMALL}, headers={**auth(BOB), **key})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert second.json()["owner"] == "bob"


def test_own_openapi_declares_security_and_passes_review_ok(client: TestClient) -> None:
    """/v1/openapi.json declares the bearer scheme with scopes per operation (optional where shared designs are public); our review finds no error in it."""
    from backend_architect.api import review_text

    document = client.get("/v1/openapi.json").json()
    assert document["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "description": "An API key as `Authorization: Bearer <key>`. Keys carry the scopes read, write and admin.",
        "scheme": "bearer",
    }
    operations = {f"{m.upper()} {p}": op for p, item in document["paths"].items() for m, op in item.items()}
    assert operations["POST /v1/designs"]["security"] == [{"apiKey": ["write"]}]
    assert operations["GET /v1/designs"]["security"] == [{"apiKey": ["read"]}]
    assert operations["GET /v1/designs/{design_id}"]["security"] == [{"apiKey": ["read"]}, {}]
    import json

    errors = [f for f in review_text("openapi", json.dumps(document), "openapi.json") if f.severity.name == "ERROR"]
    assert errors == [], [str(f) for f in errors]
