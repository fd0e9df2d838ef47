"""Running a scaffolded project for real: a fresh virtualenv, a migrated database, the service on loopback.

Shared by the end-to-end tests (tests/scaffold/test_end_to_end.py) and the throughput
benchmark (benchmarks/scaffold_throughput.py), so both exercise the project the way a
user would: ``pip install``, ``python -m <package> migrate``, ``python -m <package> serve``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from backend_architect.scaffold import ScaffoldResult
from backend_architect.scaffold.plan import DeployablePlan

ISSUER = "https://identity.harness/"
AUDIENCE = "api.harness"


def create_venv(folder: Path, projects: Sequence[Path], timeout: float = 900) -> Path:
    """A fresh virtualenv holding ``projects`` with their test extras, installed by pip; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--disable-pip-version-check"]
    for project in projects:
        command += ["-e", f"{project}[test]"]
    subprocess.run(command, check=True, timeout=timeout, capture_output=True, text=True)
    return python


class Signer:
    """The identity provider stand-in: a key pair, its JWKS, and tokens."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update(kid="harness", alg="RS256", use="sig")
        self.jwks = json.dumps({"keys": [public]})
        #: The same key, private: services that open sessions (log in) sign their tokens with it.
        private = json.loads(RSAAlgorithm.to_jwk(self.key))
        private.update(kid="harness", alg="RS256", use="sig")
        self.private_jwk = json.dumps(private)

    def token(self, subject: str, scopes: Sequence[str], tenant: str | None = None, lifetime_s: int = 3600) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "iat": now, "exp": now + lifetime_s, "scope": " ".join(scopes)}
        if tenant:
            claims["tenant_id"] = tenant
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "harness"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RunningService:
    base_url: str
    deployable: DeployablePlan
    log: Path
    #: The database it serves (on the server the caller gave), migrated and dropped afterwards.
    database: str
    #: The server process (one uvicorn worker unless asked otherwise).
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time the service process has used so far (user + system), from /proc."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _psql_url(server: object, database: str, user: str = "postgres", password: str | None = None) -> str:
    port = server.port  # type: ignore[attr-defined]
    auth = f"{user}:{password}" if password else user
    return f"postgresql://{auth}@127.0.0.1:{port}/{database}"


@contextmanager
def running_service(
    server: object, python: Path, project: Path, deployable: DeployablePlan, signer: Signer, *, rate_limit_scale: float = 10_000.0, workers: int = 1
) -> Iterator[RunningService]:
    """Migrate a fresh database on ``server`` as its owner, then serve the deployable as a role that does not own the tables."""
    name = f"{deployable.package}_{secrets.token_hex(3)}"
    role, password = f"app_{secrets.token_hex(3)}", secrets.token_hex(12)
    server.psql(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    env = {**os.environ, "MIGRATIONS_DATABASE_URL": _psql_url(server, name), "APP_ROLE_PASSWORD": password}
    subprocess.run([str(python), "-m", deployable.package, "migrate", "--app-role", role], check=True, timeout=300, env=env, capture_output=True, text=True)
    port = _free_port()
    log = project / f".{deployable.name}.log"
    env = {
        **os.environ,
        "DATABASE_URL": _psql_url(server, name, role, password),
        "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE,
        "AUTH_JWKS": signer.jwks,
        "AUTH_SIGNING_KEY": signer.private_jwk,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "RATE_LIMIT_SCALE": str(rate_limit_scale),
        "LOG_LEVEL": "WARNING",
        "WORKERS": str(workers),
    }
    with log.open("w") as output:
        process = subprocess.Popen([str(python), "-m", deployable.package, "serve"], env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{deployable.name} did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.2)
        yield RunningService(base, deployable, log, name, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        server.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        server.psql(f'DROP ROLE IF EXISTS "{role}"')  # type: ignore[attr-defined]


def module_token(result: ScaffoldResult, signer: Signer, module_name: str) -> str:
    """A token for schemathesis: every scope of the module's API, the subject its create examples name as owner, a tenant."""
    module = next(m for d in result.project.deployables for m in d.modules if m.name == module_name)
    subject = str(uuid.uuid4())
    for op in module.operations:
        example = op.op.example_request if isinstance(op.op.example_request, dict) else {}
        if op.op.kind == "create" and op.owner and not op.owner.via and isinstance(example.get(op.owner.column), str):
            subject = example[op.owner.column]
    return signer.token(subject, sorted(module.api.scopes), str(uuid.uuid4()))


def owner_only_reads(result: ScaffoldResult, module_name: str) -> list[str]:
    """Labels ("GET /customers/{customer_id}") of owner-only reads: a resource created for someone else is, rightly, not found there."""
    module = next(m for d in result.project.deployables for m in d.modules if m.name == module_name)
    # a members-only get is, rightly, not found by a caller who is not a member of the scope it is in
    return [f"GET {op.op.path}" for op in module.operations if op.op.kind == "get" and (op.owner or op.members)]


def operation_config(result: ScaffoldResult, module_name: str) -> str:
    """Schemathesis settings per operation (TOML): what answers 501 by design (a gap, domain logic to write) is left out,
    and a log in or password change may refuse schema-valid credentials with the 400 the design specifies."""
    module = next(m for d in result.project.deployables for m in d.modules if m.name == module_name)
    blocks = []
    for op in module.operations:
        if op.gap or op.todo:
            blocks.append(f'[[operations]]\ninclude-operation-id = "{op.op.operation_id}"\nenabled = false\n')
        elif op.op.flow in {"login", "password"} or (op.members is not None and op.members.status == 422):
            # a members-only write naming its scope in the body refuses a stranger (schemathesis' caller) with 422
            statuses = '["2xx", "400", "401", "403", "404", "409", "429"]' if op.members is None else '["2xx", "401", "403", "404", "409", "422", "429"]'
            blocks.append(
                f'[[operations]]\ninclude-operation-id = "{op.op.operation_id}"\n[operations.checks.positive_data_acceptance]\nexpected-statuses = {statuses}\n'
            )
    return "\n".join(blocks)
