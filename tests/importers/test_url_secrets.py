"""A database URL's password never reaches output: not from user info, not from ?password=, in any report format or error."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

SECRET = "s3cret-Value-42"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend_architect.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.postgres
@pytest.mark.parametrize("report", ["text", "json", "sarif", "markdown", "junit", "github"])
def test_query_password_is_redacted_in_every_report_ok(postgres: Any, report: str) -> None:
    """A live review given ?password= (and user:password@) names the database in every finding without either."""
    postgres.psql("DROP DATABASE IF EXISTS secrets_db; CREATE DATABASE secrets_db;")
    postgres.psql(
        "CREATE TABLE nokey (a int); CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child (id int PRIMARY KEY, p int REFERENCES parent);",
        dbname="secrets_db",
    )
    url = f"postgresql://postgres:{SECRET}@127.0.0.1:{postgres.port}/secrets_db?sslmode=disable&password={SECRET}"
    result = cli("review", url, "--format", report)
    assert result.returncode == 1, result.stderr
    assert "nokey" in result.stdout
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"postgresql://app:{SECRET}@127.0.0.1:1/shop", id="user-info"),
        pytest.param(f"postgresql://app@127.0.0.1:1/shop?password={SECRET}", id="query"),
        pytest.param(f"postgresql://app@127.0.0.1:1/shop?sslpassword={SECRET}&password={SECRET}", id="ssl-and-query"),
    ],
)
def test_unreachable_database_error_hides_password_err(url: str) -> None:
    """A database that cannot be reached is one line on stderr, exit 2, without the password."""
    result = cli("review", url)
    assert result.returncode == 2
    assert "cannot connect" in result.stderr
    assert SECRET not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"postgresql://app:{SECRET}@127.0.0.1:1/shop", id="user-info"),
        pytest.param(f"postgresql://app@127.0.0.1:1/shop?password={SECRET}", id="query"),
    ],
)
def test_serve_with_unreachable_database_hides_password_err(url: str) -> None:
    """serve --database that cannot be opened says so on one line, exit 2, without the password."""
    result = cli("serve", "--database", url, "--port", "1")
    assert result.returncode == 2
    assert "cannot open" in result.stderr
    assert SECRET not in result.stderr + result.stdout
