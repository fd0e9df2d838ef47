#!/usr/bin/env bash
# Installs backend-architect into .venv and designs the bundled bookstore example into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
setup_venv ""
.venv/bin/backend-architect design "${1:-examples/bookstore.yaml}" -o "${2:-out}"
