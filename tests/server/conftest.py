"""Fixtures for the HTTP API: stores on SQLite and on a real PostgreSQL, keys with every scope, one worker pool."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend_architect.jobs import Jobs
from backend_architect.server.app import create_app
from backend_architect.server.auth import parse_keys
from backend_architect.server.store import Store

ALICE = "alice-secret-key-0001"
ALICE_READER = "alice-reader-key-0002"
BOB = "bob-secret-key-000003"
ADMIN = "admin-secret-key-0004"
KEYS = parse_keys(f"alice:{ALICE}:read+write, alice-ro:{ALICE_READER}:read:alice, bob:{BOB}:read+write, ops:{ADMIN}:read+write+admin")


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="session")
def jobs() -> Iterator[Jobs]:
    pool = Jobs(workers=2, deadline_s=60)
    try:
        yield pool
    finally:
        pool.close()


def make_store(request: pytest.FixtureRequest, tmp_path: Path, kind: str, **limits: int) -> Store:
    if kind == "sqlite":
        return Store(f"sqlite:///{tmp_path / 'api.db'}", **limits)
    server: Any = request.getfixturevalue("postgres")
    name = "api_" + request.node.name.split("[")[0].removeprefix("test_")[:40]
    server.psql(f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};")
    return Store(f"postgresql://postgres@127.0.0.1:{server.port}/{name}", **limits)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made = make_store(request, tmp_path, request.param)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def client(store: Store, jobs: Jobs) -> TestClient:
    return TestClient(create_app(store, KEYS, rate_per_minute=100_000, jobs=jobs), raise_server_exceptions=False)


@contextmanager
def live(app: Any, protocol: Any = None) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port (with ``protocol`` as its HTTP protocol class), for the duration."""
    import socket
    import threading
    import time

    import uvicorn

    # the server is handed the socket this process bound: no window in which another server can take the port (a
    # probe closed before uvicorn binds let a test's requests reach a lingering server with other limits)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", proxy_headers=False, **({"http": protocol} if protocol else {}))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        listening.close()
