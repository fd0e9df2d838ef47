"""The HTTP API on SQLite and on a real PostgreSQL: conventions our own API stage writes, end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend_architect.server.app import create_app
from backend_architect.server.store import Store
from conftest import ROOT

KEY = "test-key-1"
AUTH = {"Authorization": f"Bearer {KEY}"}
SPEC = (ROOT / "examples" / "bookstore.yaml").read_text()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'api.db'}")
    else:
        server: Any = request.getfixturevalue("postgres")
        name = "api_" + request.node.name.split("[")[0].removeprefix("test_")[:40]
        server.psql(f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};")
        store = Store(f"postgresql://postgres@127.0.0.1:{server.port}/{name}")
    try:
        yield TestClient(create_app(store, {KEY}))
    finally:
        store.close()


def test_create_and_fetch_design_with_etag_ok(client: TestClient) -> None:
    """201 with Location and ETag; the ETag answers If-None-Match with 304."""
    created = client.post("/v1/designs", json={"name": "bookstore", "spec": SPEC}, headers=AUTH)
    assert created.status_code == 201
    design_id = created.json()["id"]
    assert created.headers["Location"] == f"/v1/designs/{design_id}"
    assert created.json()["summary"]["services"] == ["books", "customers", "orders"]
    etag = created.headers["ETag"]
    again = client.get(f"/v1/designs/{design_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get(f"/v1/designs/{design_id}").json()["version"] == 1


def test_versions_need_if_match_and_diff_them_err(client: TestClient) -> None:
    """An update without If-Match is 428, with a stale one 412; a good one makes version 2, and the diff between them is classified."""
    created = client.post("/v1/designs", json={"name": "bookstore", "spec": SPEC}, headers=AUTH)
    design_id, etag = created.json()["id"], created.headers["ETag"]
    changed = SPEC.replace("      cover: blob?\n", "", 1)
    assert client.put(f"/v1/designs/{design_id}", json={"spec": changed}, headers=AUTH).status_code == 428
    assert client.put(f"/v1/designs/{design_id}", json={"spec": changed}, headers={**AUTH, "If-Match": '"stale"'}).status_code == 412
    updated = client.put(f"/v1/designs/{design_id}", json={"spec": changed}, headers={**AUTH, "If-Match": etag})
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    assert updated.headers["ETag"] != etag
    page = client.get(f"/v1/designs/{design_id}/versions", params={"limit": 1}).json()
    assert [v["number"] for v in page["items"]] == [2]
    assert [v["number"] for v in client.get(f"/v1/designs/{design_id}/versions", params={"cursor": page["next_cursor"]}).json()["items"]] == [1]
    diff = client.get(f"/v1/designs/{design_id}/diff", params={"from": 1, "to": 2}).json()
    assert any(c["code"] == "response-property-removed" and "cover" in c["message"] for c in diff["api_changes"])
    assert diff["needs_major_version"] is True
    assert any(c["kind"] == "drop_column" and c["name"].startswith("cover") for c in diff["schema_changes"])


def test_idempotency_key_replays_and_refuses_reuse_err(client: TestClient) -> None:
    """The same key and body replays the first answer; the same key with another body is 409."""
    headers = {**AUTH, "Idempotency-Key": "k-1"}
    first = client.post("/v1/designs", json={"name": "a", "spec": SPEC}, headers=headers)
    second = client.post("/v1/designs", json={"name": "a", "spec": SPEC}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert len(client.get("/v1/designs").json()["items"]) == 1
    reused = client.post("/v1/designs", json={"name": "b", "spec": SPEC}, headers=headers)
    assert reused.status_code == 409
    assert reused.headers["content-type"] == "application/problem+json"


def test_invalid_spec_is_problem_with_located_errors_err(client: TestClient) -> None:
    """A spec the loader refuses is 422 problem+json listing every file:line:col error."""
    bad = client.post("/v1/designs", json={"name": "x", "spec": "system: x\nentities:\n  A: {fields: {n: strnig}}\n"}, headers=AUTH)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"] == ["spec.yaml:3:19: 'n': unknown field type 'strnig' (did you mean 'string'?)"]
    check = client.post("/v1/validations", json={"spec": "system: x\nentities:\n  A: {fields: {n: strnig}}\n"})
    assert check.json()["valid"] is False


def test_writes_need_a_key_and_bodies_are_bounded_err(client: TestClient) -> None:
    """No key: 401 with WWW-Authenticate; an oversized body: 413; unknown design: 404 problem."""
    assert client.post("/v1/designs", json={"name": "a", "spec": SPEC}).status_code == 401
    assert client.post("/v1/designs", content=b"x" * (9 * 2**20), headers={**AUTH, "Content-Type": "application/json"}).status_code == 413
    missing = client.get("/v1/designs/nope")
    assert (missing.status_code, missing.json()["title"]) == (404, "Not found")


def test_reviews_take_text_only_ok(client: TestClient) -> None:
    """Reviews of SQL and OpenAPI text; a $ref to a file on the server is refused, not read."""
    sql = client.post("/v1/reviews", json={"kind": "sql", "content": "CREATE TABLE t (x int);"}, headers=AUTH)
    assert sql.status_code == 201
    assert [f["code"] for f in sql.json()["findings"]] == ["SQL001"]
    document = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /v1/x:\n    get: {responses: {'200': {$ref: 'file:///etc/passwd#/x'}}}\n"
    refused = client.post("/v1/reviews", json={"kind": "openapi", "content": document}, headers=AUTH)
    assert refused.status_code == 422
    assert "is not followed" in refused.json()["errors"][0]


def test_rate_limit_answers_429_with_retry_after_err(tmp_path: Path) -> None:
    """Past its budget a client gets 429 problem+json with Retry-After; every answer carries RateLimit headers."""
    store = Store(f"sqlite:///{tmp_path / 'rl.db'}")
    client = TestClient(create_app(store, {KEY}, rate_per_minute=3))
    answers = [client.get("/v1/designs") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert int(answers[-1].headers["Retry-After"]) >= 1
    store.close()


def test_migrations_bring_an_older_database_forward_ok(tmp_path: Path) -> None:
    """A database made by the first migration only is brought to the latest schema on start, once."""
    import sqlite3

    from backend_architect.server.store import MIGRATIONS

    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    connection.executescript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY); INSERT INTO schema_migrations VALUES (1);" + MIGRATIONS[0])
    connection.close()
    store = Store(f"sqlite:///{path}")
    assert store.migrate() == 0
    names = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'index'")]
    assert "ix_designs_updated_at_id" in names
    store.close()


def test_made_up_tokens_share_the_address_budget_err(tmp_path: Path) -> None:
    """Sending a different invalid token each time does not escape the limit: unknown tokens count against the address."""
    store = Store(f"sqlite:///{tmp_path / 'rl2.db'}")
    client = TestClient(create_app(store, {KEY}, rate_per_minute=2))
    statuses = [client.get("/v1/designs", headers={"Authorization": f"Bearer fake-{n}"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/v1/designs", headers=AUTH).status_code == 200
    store.close()
