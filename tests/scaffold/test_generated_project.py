"""The scaffolded project as files: deterministic, lint-clean by its own settings, and (bookstore) equal to its goldens.

Golden files cover what the scaffold renders; the runtime it copies verbatim
(src/<package>/core, the tests' helpers) and the design's own contracts and migrations are
checked for being exact copies instead, so a design change does not churn the goldens twice.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from backend_architect.scaffold import GeneratedFile, build, from_files
from backend_architect.scaffold.files import OWNED_NOTE
from conftest import EXAMPLE_IDS, designed

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "scaffold"
UPDATE = os.environ.get("BA_UPDATE_GOLDENS") == "1"
STATIC = Path(__file__).resolve().parents[2] / "src" / "backend_architect" / "scaffold" / "static"


def project(name: str) -> dict[str, GeneratedFile]:
    result = designed(name)
    return build(from_files(result.architecture, result.files, name))


def _copied(path: str) -> bool:
    """Files copied as they are: the runtime, the tests' helpers, the design's contracts and migrations."""
    parts = path.split("/")
    if "/contract/" in path or ("/migrations/" in path and not path.endswith("_runtime.sql")):
        return True
    return "core" in parts or (len(parts) == 3 and parts[1] == "tests" and (STATIC / "tests" / parts[2]).is_file())


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_scaffold_is_deterministic_ok(name: str) -> None:
    """Two builds of one design give byte-identical projects."""
    first, second = project(name), project(name)
    assert {k: v.text for k, v in first.items()} == {k: v.text for k, v in second.items()}


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_generated_python_parses_and_passes_ruff_ok(name: str, tmp_path: Path) -> None:
    """Every generated Python file parses, and ruff finds nothing with the project's own settings (pyflakes, isort, bugbear...)."""
    files = project(name)
    for path, generated in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(generated.text, encoding="utf-8")
        if path.endswith(".py"):
            ast.parse(generated.text, filename=path)
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    for pyproject in sorted(tmp_path.glob("*/pyproject.toml")):
        result = subprocess.run([ruff, "check", "--no-cache", "."], cwd=pyproject.parent, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_copies_are_exact_ok(name: str) -> None:
    """The runtime and helpers are the scaffold's static files as they are; contracts and migrations are the design's."""
    files = project(name)
    result = designed(name)
    for path, generated in files.items():
        parts = path.split("/")
        if "core" in parts:
            assert generated.text.endswith((STATIC / "python" / "core" / parts[-1]).read_text(encoding="utf-8")), path
        if "/contract/" in path:
            kind, module = parts[-2], parts[-1]
            assert generated.text == result.files[f"{kind}/{module}"], path
        if "/migrations/" in path and not path.endswith("_runtime.sql"):
            assert generated.text == result.files[f"schema/{parts[-2]}/migrations/{parts[-1]}"], path


def test_owned_files_say_so_ok() -> None:
    """Every owned file that has a comment syntax starts (after any shebang) with the ownership note; seeded ones do not."""
    for path, generated in project("bookstore").items():
        head = "\n".join(generated.text.splitlines()[:2])
        if generated.ownership == "seeded":
            assert OWNED_NOTE not in head, path
        elif (path.endswith((".py", ".toml", ".yaml", ".sh", ".md")) and not _copied(path)) or path.endswith("Dockerfile"):
            assert OWNED_NOTE in head, path


def test_bookstore_matches_goldens_ok() -> None:
    """What the scaffold renders for the bookstore equals tests/golden/scaffold/ (refresh: BA_UPDATE_GOLDENS=1)."""
    files = {path: f.text for path, f in project("bookstore").items() if not _copied(path)}
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, text in files.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    expected = {str(p.relative_to(GOLDEN)): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*") if p.is_file()}
    assert expected, "no golden files; run with BA_UPDATE_GOLDENS=1"
    assert sorted(files) == sorted(expected), "the set of rendered files changed"
    for path, text in files.items():
        assert text == expected[path], f"{path} differs from its golden file"


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_compose_file_reads_as_the_designed_topology_ok(name: str, tmp_path: Path) -> None:
    """The compose file is read by the topology importer: each deployable serves from its designed database (besides the
    stores the design adds, Redis, OpenSearch, object storage), runs two instances with a health check, and the reviewer
    finds nothing at error level in it."""
    from backend_architect.importers.compose import import_compose
    from backend_architect.rules.model import Severity
    from backend_architect.rules.registry import review
    from backend_architect.scaffold.plan import plan_project

    result = designed(name)
    design = from_files(result.architecture, result.files, name)
    (tmp_path / "compose.yaml").write_text(build(design)["compose.yaml"].text, encoding="utf-8")
    topology = import_compose(tmp_path / "compose.yaml")
    services = {s.name: s for s in topology.services}
    compose = yaml.safe_load((tmp_path / "compose.yaml").read_text(encoding="utf-8"))
    for deployable in plan_project(design).deployables:
        assert f"@{deployable.database}:5432/" in compose["services"][deployable.name]["environment"]["DATABASE_URL"]
        assert services[deployable.name].datastore in {deployable.database, "redis", "opensearch", "object-storage"}
        assert services[deployable.name].replicas == 2
        assert services[deployable.name].health_check
    assert not [f for f in review(topology) if f.severity >= Severity.ERROR]


def test_hostile_design_text_stays_data_ok() -> None:
    """Quotes, triple quotes, backslash escapes and keywords in a design's names and texts give valid Python: design text
    reaches the code only through literals and sanitised docstrings."""
    from backend_architect.render.openapi import render_openapi
    from backend_architect.render.yaml_text import to_yaml

    result = designed("bookstore")
    nasty = 'it\'s "odd" \\N{x} """ class'
    arch = result.architecture.model_copy(deep=True)
    for api in arch.apis:
        api.operations = [op.model_copy(update={"summary": nasty, "description": nasty}) for op in api.operations]
        for schema in api.schemas:
            for prop in schema.properties:
                if prop.enum:
                    prop.enum = [*prop.enum, nasty]
    for service in arch.services:
        service.description = nasty
    files = dict(result.files)
    for api in arch.apis:
        files[f"openapi/{api.service}.yaml"] = to_yaml(render_openapi(api, arch))
    generated = build(from_files(arch, files, "bookstore"))
    for path, item in generated.items():
        if path.endswith(".py"):
            ast.parse(item.text, filename=path)
    assert any(repr(nasty)[1:-1] in item.text or nasty.replace('"', '\\"') in item.text for item in generated.values())
