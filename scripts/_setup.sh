# Shared by demo.sh and test.sh: a project virtualenv with the package installed.
# Sourced, not run. Uses python3 (3.11+) from PATH, or $PYTHON.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
  if [ -z "${_BA_APT_UPDATED:-}" ]; then as_root apt-get update -qq >/dev/null; _BA_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

setup_venv() {  # $1: the extras to install, e.g. "[test]" or ""
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then "$python" -m venv .venv; fi
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$1" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import backend_architect" # fail here, clearly, if the install did not work
}
