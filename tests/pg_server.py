"""A throwaway PostgreSQL server for the tests: initdb in a temp folder, loopback only.

Uses the server binaries Debian's postgresql package installs. PostgreSQL refuses to
run as root, so as root the server runs as the 'postgres' system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest PostgreSQL server bin folder on this machine, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    user: str | None

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def psql(self, sql: str, dbname: str = "postgres", *, on_error_stop: bool = True) -> subprocess.CompletedProcess[str]:
        """Run SQL through psql; raise CalledProcessError with psql's message on failure."""
        command = [
            str(self.bindir / "psql"),
            "-X",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            dbname,
            "-v",
            f"ON_ERROR_STOP={1 if on_error_stop else 0}",
            "-f",
            "-",
        ]
        return subprocess.run(command, input=sql, check=True, capture_output=True, text=True, timeout=300)

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PgServer:
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found; run the README's test command, which installs them")
    root = Path(tempfile.mkdtemp(prefix="ba-pg-"))
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        shutil.chown(root, user)
        os.chmod(root, 0o700)
    server = PgServer(bindir=bindir, root=root, port=_free_port(), user=user)
    data = root / "data"
    server._run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={root} -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        " -c shared_preload_libraries=pg_stat_statements"
    )
    server._run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "-t", "60", "start")
    deadline = time.monotonic() + 30
    while True:
        try:
            server.psql("SELECT 1")
            return server
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
