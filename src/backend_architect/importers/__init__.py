"""Importers: existing artefacts -> the Architecture IR."""


def is_database_url(target: str) -> bool:
    """Whether ``target`` names a live database rather than a file (kept here, away from the importers' heavy imports).

    >>> is_database_url("postgresql://localhost/shop"), is_database_url("sqlite:///tmp/app.db"), is_database_url("schema.sql")
    (True, True, False)
    """
    return target.startswith(("postgresql://", "postgres://", "sqlite://"))
