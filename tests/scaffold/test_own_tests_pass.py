"""Every bundled example's scaffolded project passes its own generated tests on PostgreSQL, and so do small specs of the shapes
that once failed there: a scope created with its parts (its readers members-only) and a file uploaded under its parent.

The examples' runs are among the slowest tests of the suite (70 to 100 s for the five on a busy two-core machine, most of it
each deployable's pytest starting); the longest carry the ``slow`` mark so ``-m "not slow"`` leaves them out of a quick run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import ScaffoldResult, from_files, scaffold
from backend_architect.spec.load import load_spec_bytes
from conftest import EXAMPLE_IDS, designed

#: Examples whose own tests take the longest (17-27 s each on a busy two-core machine, against 7-14 s for the others); the
#: bookstore's also run, installed, in test_end_to_end.py.
SLOW = {"bookstore", "delivery", "helpdesk"}


def _own_tests(result: ScaffoldResult, out: Path, postgres: object, *args: str) -> dict[str, subprocess.CompletedProcess[str]]:
    """Each deployable's own tests (``args`` go to its pytest), all at once: each makes its own database on the server, and the
    second core is otherwise idle while one pytest starts."""
    url = f"postgresql://postgres@127.0.0.1:{postgres.port}/postgres"  # type: ignore[attr-defined]
    command = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", *args]
    running = {}
    for deployable in result.project.deployables:
        root = out / deployable.name
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(root / "src")}
        running[deployable.name] = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    runs = {}
    for name, process in running.items():
        stdout, stderr = process.communicate(timeout=900)
        runs[name] = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return runs


@pytest.mark.postgres
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in EXAMPLE_IDS])
def test_bundled_example_passes_its_own_tests_ok(name: str, postgres: object, tmp_path: Path) -> None:
    """Every deployable of the example's project passes every test it was generated with (none fails, none errors)."""
    result = designed(name)
    scaffolded = scaffold(from_files(result.architecture, result.files, name), tmp_path)
    for deployable, run in _own_tests(scaffolded, tmp_path, postgres).items():
        assert run.returncode == 0, f"{deployable}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
        assert " passed" in run.stdout.splitlines()[-1], run.stdout[-2000:]


#: A scope whose parts (its members, each naming a person of the same service) are sent with it, whose own row only members read,
#: and a file attached to a row under the scope: one service, two services in one deployable, and a scope without a members-only read.
CLUBS = """\
system: clubs
services:
  clubs: {owns: [User, Club, ClubMember, Photo]}
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Club: {fields: {name: string(80), founder: ref(User)}, rows: 50k}
  ClubMember: {part_of: Club, fields: {user: ref(User), role: "enum[owner,member]"}, unique: [[club, user]], avg_per_parent: 6}
  Photo: {part_of: Club, fields: {caption: string(200)?, image: blob}, growth: 20k/day}
use_cases:
  - {name: found club, actor: user, writes: [Club, ClubMember], rate: 2/s}
  - {name: view club, actor: user, kind: get, reads: [Club], rate: 50/s}
  - {name: post photo, actor: user, writes: [Photo], rate: 10/s}
  - {name: list club photos, actor: user, reads: [Photo], filter: [club], rate: 80/s}
"""
PROJECTS = """\
system: projects
services:
  accounts: {owns: [Account]}
  work: {owns: [Project, Seat, Document], calls: [accounts]}
entities:
  Account: {fields: {handle: {type: string(40), unique: true}}, rows: 200k}
  Project: {fields: {title: string(120), visibility: "enum[private,team]", owner: ref(Account)}, rows: 1M}
  Seat: {part_of: Project, fields: {member: ref(Account), joined_at: datetime?}, unique: [[project, member]], avg_per_parent: 3}
  Document: {part_of: Project, fields: {name: string(100), file: blob?}, growth: 5k/day}
use_cases:
  - {name: create account, actor: user, writes: [Account], rate: 1/s}
  - {name: start project, actor: user, writes: [Project, Seat], rate: 3/s}
  - {name: open project, actor: user, kind: get, reads: [Project], rate: 40/s}
  - {name: attach document, actor: user, writes: [Document], rate: 4/s}
"""
TRIPS = """\
system: trips
services:
  travel: {owns: [Person, Trip, Traveller, Receipt]}
entities:
  Person: {fields: {name: string(80)}, rows: 500k}
  Trip: {fields: {destination: string(100), starts_on: date, organiser: ref(Person)}, rows: 2M}
  Traveller: {part_of: Trip, fields: {person: ref(Person), seat: string(4)?}, unique: [[trip, person]], avg_per_parent: 4}
  Receipt: {part_of: Trip, fields: {amount: decimal, scan: blob}, growth: 30k/day}
use_cases:
  - {name: plan trip, actor: user, writes: [Trip, Traveller], rate: 5/s}
  - {name: show trip, actor: user, kind: get, reads: [Trip], rate: 60/s}
  - {name: file receipt, actor: user, writes: [Receipt], rate: 8/s}
"""


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("spec", "module", "create", "upload"),
    [
        pytest.param(CLUBS, "clubs", "found_club", "create_photo_upload", id="members-in-one-service"),
        pytest.param(PROJECTS, "work", "start_project", "create_document_upload", id="members-across-services"),
        pytest.param(TRIPS, "travel", "plan_trip", "create_receipt_upload", id="travellers"),
    ],
)
def test_parts_and_uploads_under_a_parent_pass_own_tests_ok(spec: str, module: str, create: str, upload: str, postgres: object, tmp_path: Path) -> None:
    """The create sends parts naming real rows and counts them before the read-back makes the caller a member; the upload route
    under a parent answers 404 for a parent that does not exist and a URL that stores the file for one that does."""
    loaded = load_spec_bytes(textwrap.dedent(spec).encode(), "spec.yaml")
    result = design_spec(loaded.spec)
    scaffolded = scaffold(from_files(result.architecture, result.files, "spec"), tmp_path)
    # only the two use cases' tests: the rest of the project is the examples' business, and pytest's start is most of the cost
    runs = _own_tests(scaffolded, tmp_path, postgres, "-k", f"test_{create}_ok or test_{upload}_ok")
    for deployable, run in runs.items():
        assert run.returncode == 0, f"{deployable}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    stdout = "\n".join(run.stdout for run in runs.values())
    for test in (create, upload):
        assert f"PASSED tests/test_{module}_use_cases.py::test_{test}_ok" in stdout, stdout[-3000:]
