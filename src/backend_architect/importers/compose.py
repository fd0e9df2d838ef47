"""A docker-compose file -> the services, databases and dependencies of an Architecture.

Database containers are recognised by their image (postgres, mysql, mariadb, mongo, redis...);
an application service uses a database when it depends on it or names it in an
environment value (``DATABASE_URL=postgres://...@orders-db:5432/...``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from backend_architect.errors import InputError, Location
from backend_architect.ir.model import Architecture, Datastore, Service
from backend_architect.spec.load import MAX_SPEC_BYTES, parse_document

DATABASE_IMAGES = {
    "postgres": "postgresql",
    "postgis": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mongo": "unknown",
    "redis": "redis",
    "valkey": "redis",
    "sqlite": "sqlite",
}


def is_compose(data: Any) -> bool:
    """A mapping whose ``services`` are containers (with an image or a build)."""
    services = data.get("services") if isinstance(data, dict) else None
    return isinstance(services, dict) and bool(services) and all(isinstance(s, dict) and ("image" in s or "build" in s) for s in services.values())


def _engine(image: str) -> str | None:
    name = image.split("/")[-1].split(":")[0].lower()
    return next((engine for prefix, engine in DATABASE_IMAGES.items() if name.startswith(prefix)), None)


def _environment(service: dict[str, Any]) -> list[str]:
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return [str(v) for v in env.values() if v is not None]
    return [str(v) for v in env]


def _depends(service: dict[str, Any]) -> list[str]:
    depends = service.get("depends_on") or []
    return sorted(depends) if isinstance(depends, dict) else sorted(str(d) for d in depends)


def import_compose(path: str | Path) -> Architecture:
    """Read a compose file into an Architecture; problems are ``InputError``s located in the file."""
    name = str(path)
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(Location(name), f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise InputError(Location(name), f"file is {len(raw) / 2**20:.1f} MiB; the limit is {MAX_SPEC_BYTES // 2**20} MiB")
    data, positions = parse_document(raw.decode("utf-8", errors="replace"), name)
    if not is_compose(data):
        raise InputError(Location(name), "not a docker-compose file: 'services' must map names to containers with an image or a build")
    containers: dict[str, dict[str, Any]] = data["services"]
    databases = {n: _engine(str(c.get("image", ""))) for n, c in containers.items()}
    databases = {n: e for n, e in databases.items() if e}
    services: list[Service] = []
    stores: dict[str, list[str]] = {}
    for service_name, container in containers.items():
        if service_name in databases:
            continue
        mentioned = {d for d in databases if any(re.search(rf"[@/]{re.escape(d)}[:/]", v) for v in _environment(container))}
        used = sorted((set(_depends(container)) & set(databases)) | mentioned)
        for db in used:
            stores.setdefault(db, []).append(service_name)
        deploy = container.get("deploy") or {}
        replicas = deploy.get("replicas", 1) if isinstance(deploy, dict) else 1
        services.append(
            Service(
                name=service_name,
                description=str(container.get("image") or "built from source"),
                datastore=used[0] if used else None,
                depends_on=sorted(set(_depends(container)) - set(databases)),
                replicas=int(replicas) if isinstance(replicas, int) else None,
                health_check="healthcheck" in container and not (container.get("healthcheck") or {}).get("disable", False),
                source_line=positions.locate(("services", service_name), key=True).line,
            )
        )
    datastores = [Datastore(name=db, engine=databases[db], service=users[0] if len(users) == 1 else None) for db, users in sorted(stores.items())]
    return Architecture(system=file.stem, description=f"imported from {name}", deployment="microservices", services=services, datastores=datastores)
