"""The HTTP API on SQLite and on a real PostgreSQL: conventions our own API stage writes, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend_architect.jobs import Jobs
from backend_architect.server.app import create_app
from backend_architect.server.store import Store
from conftest import ROOT
from server.conftest import ALICE, KEYS, auth

SPEC = (ROOT / "examples" / "bookstore.yaml").read_text()
AUTH = auth(ALICE)


def test_create_and_fetch_design_with_etag_ok(client: TestClient) -> None:
    """201 with Location and ETag; the ETag answers If-None-Match with 304, weakly compared, in a list or as *."""
    created = client.post("/v1/designs", json={"name": "bookstore", "spec": SPEC}, headers=AUTH)
    assert created.status_code == 201
    design_id = created.json()["id"]
    assert created.headers["Location"] == f"/v1/designs/{design_id}"
    assert created.json()["summary"]["services"] == ["books", "customers", "orders"]
    etag = created.headers["ETag"]
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        assert client.get(f"/v1/designs/{design_id}", headers={**AUTH, "If-None-Match": condition}).status_code == 304, condition
    assert client.get(f"/v1/designs/{design_id}", headers={**AUTH, "If-None-Match": '"other"'}).status_code == 200
    assert client.get(f"/v1/designs/{design_id}", headers=AUTH).json()["version"] == 1


def test_versions_need_if_match_and_diff_them_err(client: TestClient) -> None:
    """An update without If-Match is 428, with a stale or weak one 412, with a malformed one 400; a good one makes version 2, and the diff is classified."""
    created = client.post("/v1/designs", json={"name": "bookstore", "spec": SPEC}, headers=AUTH)
    design_id, etag = created.json()["id"], created.headers["ETag"]
    changed = SPEC.replace("      cover: blob?\n", "", 1)
    assert client.put(f"/v1/designs/{design_id}", json={"spec": changed}, headers=AUTH).status_code == 428
    assert client.put(f"/v1/designs/{design_id}", json={"spec": changed}, headers={**AUTH, "If-Match": '"stale"'}).status_code == 412
    assert client.put(f"/v1/designs/{design_id}", json={"spec": changed}, headers={**AUTH, "If-Match": f"W/{etag}"}).status_code == 412
    assert client.put(f"/v1/designs/{design_id}", json={"spec": changed}, headers={**AUTH, "If-Match": "no-quotes"}).status_code == 400
    updated = client.put(f"/v1/designs/{design_id}", json={"spec": changed}, headers={**AUTH, "If-Match": f'"x", {etag}'})
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    assert updated.headers["ETag"] != etag
    page = client.get(f"/v1/designs/{design_id}/versions", params={"limit": 1}, headers=AUTH).json()
    assert [v["number"] for v in page["items"]] == [2]
    following = client.get(f"/v1/designs/{design_id}/versions", params={"cursor": page["next_cursor"]}, headers=AUTH).json()
    assert [v["number"] for v in following["items"]] == [1]
    diff = client.get(f"/v1/designs/{design_id}/diff", params={"from": 1, "to": 2}, headers=AUTH).json()
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
    assert second.headers["Location"] == first.headers["Location"]
    assert len(client.get("/v1/designs", headers=AUTH).json()["items"]) == 1
    reused = client.post("/v1/designs", json={"name": "b", "spec": SPEC}, headers=headers)
    assert reused.status_code == 409
    assert reused.headers["content-type"] == "application/problem+json"


def test_invalid_spec_is_problem_with_located_errors_err(client: TestClient) -> None:
    """A spec the loader refuses is 422 problem+json listing every file:line:col error; validation says the same, without a key."""
    bad = client.post("/v1/designs", json={"name": "x", "spec": "system: x\nentities:\n  A: {fields: {n: strnig}}\n"}, headers=AUTH)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"] == ["spec.yaml:3:19: 'n': unknown field type 'strnig' (did you mean 'string'?)"]
    check = client.post("/v1/validations", json={"spec": "system: x\nentities:\n  A: {fields: {n: strnig}}\n"})
    assert check.json() == {"valid": False, "errors": ["spec.yaml:3:19: 'n': unknown field type 'strnig' (did you mean 'string'?)"]}


def test_reviews_take_text_only_ok(client: TestClient) -> None:
    """Reviews of SQL and OpenAPI text; a $ref to a file on the server is refused, not read."""
    sql = client.post("/v1/reviews", json={"kind": "sql", "content": "CREATE TABLE t (x int);"}, headers=AUTH)
    assert sql.status_code == 201
    assert [f["code"] for f in sql.json()["findings"]] == ["SQL001"]
    document = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /v1/x:\n    get: {responses: {'200': {$ref: 'file:///etc/passwd#/x'}}}\n"
    refused = client.post("/v1/reviews", json={"kind": "openapi", "content": document}, headers=AUTH)
    assert refused.status_code == 422
    assert "is not followed" in refused.json()["errors"][0]


def test_version_page_is_rendered_once_ok(client: TestClient, store: Store) -> None:
    """design.html is rendered on the first request and kept with the version; later requests read it."""
    design_id = client.post("/v1/designs", json={"name": "b", "spec": SPEC}, headers=AUTH).json()["id"]
    assert store.html(design_id, 1) is None
    first = client.get(f"/v1/designs/{design_id}/versions/1/html", headers=AUTH)
    assert first.status_code == 200
    assert "<html" in first.text
    assert store.html(design_id, 1) == first.text
    assert client.get(f"/v1/designs/{design_id}/versions/1/html", headers=AUTH).text == first.text


def test_migrations_bring_an_older_database_forward_ok(tmp_path: Path) -> None:
    """A database made by the numbered migrations of the earlier store is brought to Alembic's head, its designs kept (owned by 'legacy')."""
    import sqlite3

    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY); INSERT INTO schema_migrations VALUES (1), (2);"
        "CREATE TABLE designs (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, latest INTEGER NOT NULL);"
        "CREATE TABLE versions (design_id TEXT NOT NULL REFERENCES designs (id), number INTEGER NOT NULL, spec TEXT NOT NULL, summary TEXT NOT NULL,"
        " findings TEXT NOT NULL, files TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (design_id, number));"
        "CREATE TABLE reviews (id TEXT PRIMARY KEY, kind TEXT NOT NULL, findings TEXT NOT NULL, created_at TEXT NOT NULL);"
        "CREATE TABLE idempotency (key TEXT NOT NULL, route TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,"
        " headers TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (key, route));"
        "CREATE INDEX ix_designs_updated_at_id ON designs (updated_at, id);"
        "INSERT INTO designs VALUES ('d1', 'old', 't', 't', 1);"
        "INSERT INTO versions VALUES ('d1', 1, 'system: x', '{}', '[]', '{}', 't');"
    )
    connection.close()
    store = Store(f"sqlite:///{path}")
    assert store.migrate() == "0002"
    assert store.design("d1") == {"id": "d1", "owner": "legacy", "name": "old", "shared": False, "created_at": "t", "updated_at": "t", "latest": 1}
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "schema_migrations" not in tables
    store.close()


def test_every_error_is_problem_json_err(client: TestClient) -> None:
    """Unknown routes, wrong methods, bad bodies, bad cursors, huge numbers and internal errors all answer application/problem+json."""
    design_id = client.post("/v1/designs", json={"name": "b", "spec": SPEC}, headers=AUTH).json()["id"]
    answers = {
        "unknown route": client.get("/v1/nothing", headers=AUTH),
        "wrong method": client.patch("/v1/designs", headers=AUTH),
        "bad json": client.post("/v1/designs", content=b"{", headers={**AUTH, "Content-Type": "application/json"}),
        "bad cursor": client.get("/v1/designs", params={"cursor": "bm90IGEgY3Vyc29y"}, headers=AUTH),
        "version 2^63": client.get(f"/v1/designs/{design_id}/versions/{2**63}", headers=AUTH),
        "version 10^30": client.get(f"/v1/designs/{design_id}/versions/{10**30}", headers=AUTH),
        "diff 2^64": client.get(f"/v1/designs/{design_id}/diff", params={"from": 2**64, "to": 1}, headers=AUTH),
        "cursor 2^63": client.get(f"/v1/designs/{design_id}/versions", params={"cursor": "WzkyMjMzNzIwMzY4NTQ3NzU4MDhd"}, headers=AUTH),
        "long id": client.get("/v1/designs/" + "x" * 5000, headers=AUTH),
    }
    for what, answer in answers.items():
        assert 400 <= answer.status_code < 500, (what, answer.status_code, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", what
        assert answer.json()["status"] == answer.status_code, what
    assert answers["wrong method"].headers["Allow"] == "GET, POST"
    assert client.get(f"/v1/designs/{design_id}/versions/{2**63 - 1}", headers=AUTH).status_code == 404


def test_internal_error_is_problem_json_err(store: Store, jobs: Jobs, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug answers 500 as problem+json, without a traceback in the body."""
    client = TestClient(create_app(store, KEYS, jobs=jobs), raise_server_exceptions=False)

    def broken(*args: object) -> None:
        raise RuntimeError("a bug with a secret path /srv/x")

    monkeypatch.setattr(store, "designs", broken)
    answer = client.get("/v1/designs", headers=AUTH)
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "/srv/x" not in answer.text


@pytest.mark.parametrize("query", ["limt=5", "=", "limit=5&extra=1"])
def test_unknown_query_parameter_is_refused_err(client: TestClient, query: str) -> None:
    """A query parameter the operation does not declare (misspelt, empty, extra) is a 400 problem, never silently ignored."""
    answer = client.get(f"/v1/designs?{query}", headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "unknown query parameter" in answer.json()["detail"]
    assert client.get("/v1/designs?limit=5", headers=AUTH).status_code == 200
