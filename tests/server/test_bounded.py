"""Bounded work over real sockets: exactly-once creation under concurrency, bodies bounded on the stream and in time, slow heads cut off.

Then forwarded addresses believed only from trusted proxies, quotas, deadlines and reconnects.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from backend_architect.jobs import Jobs
from backend_architect.server.app import create_app
from backend_architect.server.bounds import HeaderTimeoutProtocol
from backend_architect.server.models import MAX_BODY_BYTES
from backend_architect.server.store import Store
from backend_architect.server.throttle import trusted_networks
from conftest import ROOT
from server.conftest import ALICE, KEYS, auth, live, make_store

SPEC = (ROOT / "examples" / "bookstore.yaml").read_text()
SMALL = "system: tiny\nentities:\n  Note: {fields: {body: string(200)}}\n"


def test_concurrent_posts_with_one_key_make_one_design_ok(store: Store, jobs: Jobs) -> None:
    """Six simultaneous POSTs with one Idempotency-Key: one design, six 201s naming it (or replays of it), no 5xx."""
    with live(create_app(store, KEYS, rate_per_minute=100_000, jobs=jobs)) as url:
        answers: list[httpx.Response] = []
        gate = threading.Barrier(6)

        def post() -> None:
            gate.wait()
            answers.append(
                httpx.post(f"{url}/v1/designs", json={"name": "once", "spec": SPEC}, headers={**auth(ALICE), "Idempotency-Key": "race-1"}, timeout=120)
            )

        threads = [threading.Thread(target=post) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(a.status_code for a in answers) == [201] * 6, [a.text[:200] for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        assert len(store.designs("alice", 100, None)) == 1


def _raw(url: str, payload: bytes, pause_s: float = 0.0) -> bytes:
    """Send ``payload`` over a plain socket (optionally pausing after it) and return what the server answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=30) as connection:
        connection.sendall(payload)
        time.sleep(pause_s)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
        return b"".join(chunks)


def test_streamed_body_without_length_is_cut_at_the_limit_err(tmp_path: Path, jobs: Jobs) -> None:
    """A chunked body past 8 MiB is refused with 413 as it streams, and a Content-Length past it before any byte is read."""
    store = Store(f"sqlite:///{tmp_path / 'b.db'}")
    with live(create_app(store, KEYS, jobs=jobs)) as url:
        head = f"POST /v1/designs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ALICE}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunk = b"x" * 2**20
        body = b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(MAX_BODY_BYTES // 2**20 + 2))
        answer = _raw(url, head.encode() + body)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"application/problem+json" in answer
        declared = f"POST /v1/designs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ALICE}\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n{{}}"
        assert _raw(url, declared.encode()).startswith(b"HTTP/1.1 413")
        assert httpx.get(f"{url}/v1/designs", headers=auth(ALICE)).status_code == 200
    store.close()


def test_trickled_body_times_out_err(tmp_path: Path, jobs: Jobs) -> None:
    """A body whose next part does not come within the idle timeout is answered 408 instead of holding the request open."""
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    with live(create_app(store, KEYS, jobs=jobs, body_idle_timeout_s=0.5)) as url:
        head = "POST /v1/validations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        started = time.monotonic()
        answer = _raw(url, head.encode() + b'{"spec": "', pause_s=0.1)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert time.monotonic() - started < 5
    store.close()


class QuickHeads(HeaderTimeoutProtocol):
    header_timeout_s = 0.5


def test_trickled_headers_are_disconnected_err(tmp_path: Path, jobs: Jobs) -> None:
    """A client that sends half a request head and waits is disconnected when the head timeout passes (slowloris)."""
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    with live(create_app(store, KEYS, jobs=jobs), protocol=QuickHeads) as url:
        started = time.monotonic()
        answer = _raw(url, b"GET /v1/designs HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        assert answer == b""
        assert time.monotonic() - started < 5
        assert httpx.get(f"{url}/v1/validations").status_code == 405  # the server still answers
    store.close()


def test_forwarded_addresses_count_only_from_trusted_proxies_err(tmp_path: Path, jobs: Jobs) -> None:
    """A made-up X-Forwarded-For does not buy a fresh budget from an untrusted peer; behind a trusted proxy each client has its own."""
    store = Store(f"sqlite:///{tmp_path / 'f.db'}")

    def statuses(url: str) -> list[int]:
        return [httpx.post(f"{url}/v1/validations", json={"spec": SMALL}, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(3)]

    with live(create_app(store, KEYS, rate_per_minute=2, jobs=jobs)) as url:
        assert statuses(url) == [200, 200, 429]
    with live(create_app(store, KEYS, rate_per_minute=2, jobs=jobs, trusted_proxies=trusted_networks(["127.0.0.1"]))) as url:
        assert statuses(url) == [200, 200, 200]
    store.close()


def test_quotas_bound_designs_and_versions_err(tmp_path: Path, jobs: Jobs, request: pytest.FixtureRequest) -> None:
    """Past its design quota a key gets 403; a design past its version quota too."""
    store = Store(f"sqlite:///{tmp_path / 'q.db'}", max_designs=2, max_versions=2)
    client = TestClient(create_app(store, KEYS, jobs=jobs))
    made = [client.post("/v1/designs", json={"name": f"d{n}", "spec": SMALL}, headers=auth(ALICE)) for n in range(3)]
    assert [m.status_code for m in made] == [201, 201, 403]
    assert made[2].json()["title"] == "Quota exceeded"
    design_id = made[0].json()["id"]
    second = client.put(f"/v1/designs/{design_id}", json={"spec": SMALL}, headers={**auth(ALICE), "If-Match": "*"})
    third = client.put(f"/v1/designs/{design_id}", json={"spec": SMALL}, headers={**auth(ALICE), "If-Match": "*"})
    assert (second.status_code, third.status_code) == (200, 403)
    store.close()


def test_work_past_its_deadline_is_stopped_and_the_server_answers_err(tmp_path: Path) -> None:
    """A design that takes longer than the deadline is stopped (422, problem+json), and the next request is answered at once."""
    store = Store(f"sqlite:///{tmp_path / 'd.db'}")
    quick = Jobs(workers=1, deadline_s=0.05)
    try:
        client = TestClient(create_app(store, KEYS, jobs=quick))
        slow = client.post("/v1/designs", json={"name": "big", "spec": (ROOT / "examples" / "chat.yaml").read_text()}, headers=auth(ALICE))
        assert slow.status_code == 422
        assert slow.json()["title"] == "Processing limit exceeded"
        assert client.get("/v1/designs", headers=auth(ALICE)).status_code == 200
    finally:
        quick.close()
        store.close()


@pytest.mark.postgres
def test_store_reconnects_after_the_database_drops_its_connections_ok(request: pytest.FixtureRequest, tmp_path: Path, jobs: Jobs, postgres: Any) -> None:
    """After PostgreSQL ends every connection of the pool, the next request is answered on a new one."""
    store = make_store(request, tmp_path, "postgresql")
    client = TestClient(create_app(store, KEYS, jobs=jobs), raise_server_exceptions=False)
    assert client.post("/v1/designs", json={"name": "r", "spec": SMALL}, headers=auth(ALICE)).status_code == 201
    database = store.engine.url.database
    postgres.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid();")
    assert client.get("/v1/designs", headers=auth(ALICE)).status_code == 200
    store.close()
