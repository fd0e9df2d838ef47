#!/usr/bin/env bash
# Installs what the tests need on a fresh machine, then runs lint, type checks and the tests.
#   - the package with its test extras, into .venv
#   - PostgreSQL server binaries (Debian's postgresql) and HypoPG; the tests start a throwaway server
#   - Redis (Debian's redis-server); the scaffold's tests start a throwaway server
#   - Node.js and Mermaid's parser (tests/js, from package-lock.json); Chromium for the HTML report
#     (driven by Playwright with executable_path; Playwright's own browser download is never used)
# Extra arguments go to pytest, e.g.  scripts/test.sh -k openapi
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh

setup_venv "[test]"

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
  echo "installing PostgreSQL (Debian package postgresql)"
  apt_install postgresql
fi

# HypoPG (hypothetical indexes) for the index advisor's tests, from Debian's package for the installed major version.
pg_major="$(ls -d /usr/lib/postgresql/*/ 2>/dev/null | sort -V | tail -1 | xargs -r basename)"
if [ -n "$pg_major" ] && ! ls "/usr/share/postgresql/$pg_major/extension/hypopg.control" >/dev/null 2>&1; then
  echo "installing HypoPG (Debian package postgresql-$pg_major-hypopg)"
  apt_install "postgresql-$pg_major-hypopg"
fi

# Redis, so the scaffolded services' Redis adapters are tested against the real server (tests/scaffold/test_mechanisms.py).
if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Redis (Debian package redis-server) for the scaffold's Redis adapter tests"
  apt_install redis-server
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Chromium (Debian package chromium) for the HTML report's browser tests"
  apt_install chromium
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing Node.js (Debian packages nodejs, npm)"
  apt_install nodejs npm
fi
stamp="tests/js/node_modules/.ba-lock-sha"
lock_sha="$(sha256sum tests/js/package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sha" ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sha" > "$stamp"
fi

echo "ruff check"; .venv/bin/ruff check src tests
echo "ruff format --check"; .venv/bin/ruff format --check src tests
echo "mypy --strict"; .venv/bin/mypy
.venv/bin/python -m pytest "$@"
