"""A scaffolded project, as a user runs it: installed in a fresh virtualenv, its own tests passing against a real
PostgreSQL, and the running service holding to its contract under schemathesis.

The bookstore example runs in the default suite (one to five minutes, depending on how busy
the machine is; most of it is pip); the other bundled examples run with BA_SCAFFOLD_ALL=1
(``benchmarks/scaffold_throughput.py --end-to-end`` sets it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from backend_architect.scaffold import from_files, scaffold
from conftest import EXAMPLE_IDS, designed
from scaffold_harness import Signer, module_token, operation_config, owner_only_reads, running_service

ALL = os.environ.get("BA_SCAFFOLD_ALL") == "1"
EXAMPLES = EXAMPLE_IDS if ALL else ["bookstore"]
#: Schemathesis examples per operation and phase; the full runs use more.
MAX_EXAMPLES = int(os.environ.get("BA_SCHEMATHESIS_EXAMPLES", "25" if ALL else "10"))
HERE = Path(__file__).resolve().parent
#: Statuses a schema-valid request may get besides schemathesis' defaults: 412 is the contract's answer to a stale If-Match.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]

[generation]
allow-x00 = false
"""


def _schemathesis(base: str, module: str, token: str, owner_only: list[str], config: Path) -> subprocess.CompletedProcess[str]:
    """``st run`` against one module, from the run's scratch folder (schemathesis keeps its cache in the working directory)."""
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(config),
        "run",
        f"{base}/openapi/{module}.json",
        "--url",
        f"{base}/v1",
        "-H",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--seed",
        "20",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(HERE), "BA_OWNER_ONLY_READS": json.dumps(owner_only)}
    return subprocess.run(command, capture_output=True, text=True, timeout=900, env=env, cwd=config.parent)


@pytest.mark.postgres
@pytest.mark.parametrize("name", EXAMPLES)
def test_scaffolded_project_installs_tests_and_keeps_its_contract_ok(name: str, postgres: object, tmp_path: Path) -> None:
    """scripts/test.sh installs the project and its tests pass on real PostgreSQL; schemathesis finds no server error,
    no answer outside the contract and no valid request refused, for every module of every deployable."""
    result = designed(name)
    out = tmp_path / "service"
    scaffolded = scaffold(from_files(result.architecture, result.files, name), out)
    url = f"postgresql://postgres@127.0.0.1:{postgres.port}/postgres"  # type: ignore[attr-defined]
    command = ["bash", "scripts/test.sh", "-q", "-p", "no:cacheprovider"]
    tests = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=1800, env={**os.environ, "DATABASE_URL": url})
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-3000:]  # pytest exits 5 when it collects nothing
    python = out / ".venv" / "bin" / "python"
    signer = Signer()
    for deployable in scaffolded.project.deployables:
        with running_service(postgres, python, out / deployable.name, deployable, signer) as service:
            for module in deployable.modules:
                config = tmp_path / f"schemathesis-{module.package}.toml"
                config.write_text(CONFIG + "\n" + operation_config(scaffolded, module.name), encoding="utf-8")
                token = module_token(scaffolded, signer, module.name)
                run = _schemathesis(service.base_url, module.name, token, owner_only_reads(scaffolded, module.name), config)
                assert run.returncode == 0, f"{deployable.name}/{module.name}:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}\n{service.log.read_text()[-3000:]}"
                generated = re.search(r"(\d+) generated", run.stdout)
                assert generated, run.stdout[-2000:]
                assert int(generated.group(1)) > 0, run.stdout[-2000:]
