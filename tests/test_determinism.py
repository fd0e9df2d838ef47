"""The same spec gives byte-identical output, across processes and hash seeds."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _digest(out: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(out.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(out)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_two_runs_identical_bytes_ok(tmp_path: Path) -> None:
    """Two CLI runs with different PYTHONHASHSEEDs write identical files for every example."""
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        for spec in sorted((ROOT / "examples").glob("*.yaml")):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            command = [sys.executable, "-m", "backend_architect.cli", "design", str(spec), "-o", str(out / spec.stem)]
            subprocess.run(command, check=True, env=env, capture_output=True)
        digests.append(_digest(out))
    assert digests[0] == digests[1]
