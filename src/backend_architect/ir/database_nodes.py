"""What each PostgreSQL database runs as: its primary, the standbys the availability plan keeps, the read replicas its reads need,
and the pooler in front of it — said once, from the figures, for every section that states them.

A readable standby is not a read replica: it is there to take over, so the reads the replicas are sized for
never count on it (a failover would take that capacity away at the moment it is needed). The two counts come
from two figures (``db.standbys``, ``db.read_replicas[.<db>]``) and every artefact prints both.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture

#: The connection pooler the design deploys with every PostgreSQL primary (today, not a later stage).
POOLER = "PgBouncer in transaction mode"
#: The hand-off's statement of the pooling, built from the one pooler name.
POOLING = f"{POOLER} in front of the primary, deployed with it; application pools sized by the connections figures"


def read_replicas(arch: Architecture, db: str | None = None) -> float | None:
    """Read replicas the design runs for ``db`` (the busiest primary's when ``None``), from the database-load figures; standbys never count.

    >>> read_replicas(Architecture(system="s")) is None
    True
    """
    key = f"db.read_replicas.{db}" if db else "db.read_replicas"
    return next((f.value for f in arch.figures if f.key == key), None)


def standbys(arch: Architecture) -> float | None:
    """Standbys the availability plan keeps for each primary (``db.standbys``)."""
    return next((f.value for f in arch.figures if f.key == "db.standbys"), None)


def database_nodes(arch: Architecture, db: str | None = None) -> str:
    """'a primary + N standby(s) + M read replica(s)' for ``db`` (every database when ``None``), or '' before the figures exist.

    >>> database_nodes(Architecture(system="s"))
    ''
    """
    spare, replicas = standbys(arch), read_replicas(arch, db)
    if spare is None and replicas is None:
        return ""
    return f"a primary + {spare or 0:,.0f} standby(s) + {replicas or 0:,.0f} read replica(s)"


__all__ = ["POOLER", "POOLING", "database_nodes", "read_replicas", "standbys"]
