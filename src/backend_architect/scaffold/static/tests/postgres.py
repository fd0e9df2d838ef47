"""A real PostgreSQL for the tests: the server DATABASE_URL names, or a throwaway one started here.

Either way the tests get a fresh database, migrated by its owner, and a second login role
that does not own the tables: the service connects as that role, so row-level security
applies to it exactly as in production.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class FreshDatabase:
    owner_url: str
    app_url: str
    app_role: str


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).resolve().parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _throwaway_server() -> Iterator[str]:
    """initdb + pg_ctl on a free loopback port; as root the server runs as the postgres user (it refuses root)."""
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("set DATABASE_URL, or install the PostgreSQL server binaries (Debian: apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="svc-pg-"))
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        shutil.chown(root, user)
        os.chmod(root, 0o700)

    def run(*args: str) -> None:
        command = ["runuser", "-u", user, "--", *args] if user else list(args)
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    port = _free_port()
    data = root / "data"
    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "-t", "60", "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        try:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def fresh_database(migrate: object) -> Iterator[FreshDatabase]:
    """A fresh database on DATABASE_URL's server (or a throwaway server), migrated, with an app role; dropped afterwards."""
    given = os.environ.get("DATABASE_URL")
    with _given(given) if given else _throwaway_server() as server:
        _wait(server)
        suffix = secrets.token_hex(4)
        name, role, password = f"test_{suffix}", f"app_{suffix}", secrets.token_hex(16)
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        base = make_url(server)
        owner_url = base.set(database=name).render_as_string(hide_password=False)
        app_url = base.set(database=name, username=role, password=password).render_as_string(hide_password=False)
        try:
            migrate(owner_url, role, password)  # type: ignore[operator]
            yield FreshDatabase(owner_url, app_url, role)
        finally:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url
