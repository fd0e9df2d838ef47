"""The library's front door: one call per job, no printing, no exiting."""

from __future__ import annotations

import dataclasses
import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from backend_architect.errors import InputError, Location
from backend_architect.importers import is_database_url
from backend_architect.ir.model import IR_VERSION, Architecture
from backend_architect.rules.model import Finding, Rule
from backend_architect.rules.registry import RULES, review

if TYPE_CHECKING:
    # loaded where used: a review without a config file, or without a diff, does not pay for them
    from backend_architect.diff.model import Change, DiffResult

    # The design pipeline and renderers (SQLAlchemy among them) load on first use: a review
    # of an OpenAPI document should not pay 0.4 s to import what it never runs.
    from backend_architect.render.files import Previous
    from backend_architect.rules.config import ReviewConfig
    from backend_architect.spec.load import LoadedSpec
    from backend_architect.spec.model import Spec


@dataclass(frozen=True)
class DesignResult:
    """A finished design: the IR, the self-review findings and every rendered file."""

    spec: Spec
    architecture: Architecture
    findings: list[Finding]
    files: dict[str, str]
    warnings: tuple[str, ...] = ()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one job, then restore it.

    A design allocates hundreds of thousands of objects that all live until the job ends;
    collections in between find nothing to free and took a third of the time at 1,000
    entities (BENCHMARKS.md). Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def design_spec(spec: Spec | LoadedSpec, previous: Previous | None = None) -> DesignResult:
    """Design ``spec``, review the result, render every artefact (with migrations from ``previous``).

    Given the ``LoadedSpec``, its warnings (located in the file) join the design's
    assumptions and the result's ``warnings``.
    """
    from backend_architect.design.pipeline import design_with_analysis
    from backend_architect.render.files import render_files
    from backend_architect.spec.load import LoadedSpec

    loaded = spec if isinstance(spec, LoadedSpec) else None
    model = loaded.spec if loaded is not None else spec
    assert not isinstance(model, LoadedSpec)
    with _collector_paused():
        arch, analysis = design_with_analysis(model)
        warnings = (*(str(w) for w in loaded.warnings), *(f"warning: {w}" for w in analysis.warnings)) if loaded else analysis.warnings
        warnings = (*warnings, *override_warnings(arch, loaded))
        if loaded and loaded.warnings:
            arch = arch.model_copy(update={"assumptions": [*arch.assumptions, *(f"{w.location}: {w.message}" for w in loaded.warnings)]})
        findings = review(arch)
        return DesignResult(model, arch, findings, render_files(arch, findings, previous), tuple(warnings))


def override_warnings(arch: Architecture, loaded: LoadedSpec | None) -> list[str]:
    """The design's notes on the spec's ``decisions:`` entries it did not honour, located at the entry when the spec's positions are known."""
    out = []
    for note in arch.assumptions:
        if not note.startswith("decisions."):
            continue
        key = note.split(":", 1)[0].removeprefix("decisions.")
        where = f"{loaded.positions.locate(('decisions', key), key=True)}: " if loaded is not None else ""
        out.append(f"{where}warning: {note}")
    return out


def spec_warnings(loaded: LoadedSpec) -> list[str]:
    """What ``validate`` warns about: the loader's notes and the analysis' surprising readings (e.g. a kind the entity contradicts)."""
    from backend_architect.design.analysis import analyse

    return [*(str(w) for w in loaded.warnings), *(f"warning: {w}" for w in analyse(loaded.spec).warnings)]


def design_file(path: str | Path, previous: str | Path | None = None) -> DesignResult:
    """Load the spec at ``path`` (raising ``InputError`` on any problem in it) and design it.

    ``previous`` is the output folder of an earlier design: its migrations are carried over
    and the next migration is written from the schema difference.
    """
    from backend_architect.spec.load import load_spec

    return design_spec(load_spec(path), load_previous(previous) if previous is not None else None)


#: A hand-off of a 1,000-entity design is about 60 MB.
MAX_HANDOFF_BYTES = 512 * 2**20
MAX_MIGRATION_BYTES = 16 * 2**20
_MIGRATION_NAME = re.compile(r"\d{4}_[A-Za-z0-9_]+\.sql")


def load_previous(folder: str | Path) -> Previous:
    """Read an earlier design's ``handoff.json`` and migrations from its output folder.

    Only ``handoff.json`` and ``schema/*/migrations/NNNN_*.sql`` are read; links are not followed.
    """
    from backend_architect.render.files import Previous

    root = Path(folder)
    handoff = root / "handoff.json"
    where = Location(str(handoff))
    if not handoff.is_file() or handoff.is_symlink():
        raise InputError(where, "not found: --previous takes the output folder of an earlier design (it holds handoff.json)")
    if handoff.stat().st_size > MAX_HANDOFF_BYTES:
        raise InputError(where, f"larger than {MAX_HANDOFF_BYTES // 2**20} MiB")
    try:
        document = json.loads(handoff.read_bytes())
    except json.JSONDecodeError as exc:
        raise InputError(Location(str(handoff), exc.lineno, exc.colno), f"invalid JSON: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(where, f"cannot read: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("architecture"), dict):
        raise InputError(where, "not a backend-architect hand-off (no 'architecture')")
    version = str(document["architecture"].get("ir_version", ""))
    if version.split(".")[0] != IR_VERSION.split(".")[0]:
        raise InputError(where, f"made by an incompatible version (IR {version or 'unknown'}; this is {IR_VERSION})")
    try:
        architecture = Architecture.model_validate(document["architecture"])
    except ValidationError as exc:
        first = exc.errors()[0]
        field_path = ".".join(str(p) for p in first["loc"])
        raise InputError(where, f"invalid hand-off at architecture.{field_path}: {first['msg']}") from None
    migrations: dict[str, str] = {}
    for path in sorted((root / "schema").glob("*/migrations/*.sql")):
        if path.is_symlink() or not path.is_file() or not _MIGRATION_NAME.fullmatch(path.name):
            continue
        if path.stat().st_size > MAX_MIGRATION_BYTES:
            raise InputError(Location(str(path)), f"larger than {MAX_MIGRATION_BYTES // 2**20} MiB")
        migrations[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return Previous(architecture, migrations)


def stale_files(out_dir: str | Path, files: dict[str, str]) -> list[Path]:
    """Files an earlier design wrote into ``out_dir`` (listed in its handoff.json) that this design no longer writes.

    Only paths the earlier hand-off lists, relative and inside ``out_dir``, are candidates:
    nothing else in the folder is ever touched.
    """
    root = Path(out_dir)
    try:
        listed = json.loads((root / "handoff.json").read_bytes()).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    stale = []
    for name in listed if isinstance(listed, list) else []:
        path = root / str(name)
        inside = not Path(str(name)).is_absolute() and ".." not in Path(str(name)).parts
        if inside and str(name) not in files and path.is_file() and not path.is_symlink():
            stale.append(path)
    return sorted(stale)


def write_files(files: dict[str, str], out_dir: str | Path) -> list[Path]:
    """Write rendered files under ``out_dir``, removing the earlier design's files it no longer produces."""
    root = Path(out_dir)
    for path in stale_files(root, files):
        path.unlink()
    written = []
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        written.append(target)
    return written


@dataclass(frozen=True)
class ReviewResult:
    """What a review looked at, the rules it ran and what they found."""

    target: str
    kind: str
    architecture: Architecture
    findings: list[Finding]
    rules: tuple[Rule, ...] = RULES


@dataclass(frozen=True)
class ReviewOptions:
    """How to review: what references may reach, and the team's rule configuration."""

    allow_external_refs: bool = False
    config: ReviewConfig | None = None
    #: The system's spec, reviewed together with API documents: its flows show the calls each use case makes.
    spec: Path | None = None
    #: The SQL dialect of schema files (postgresql, sqlite, mysql); guessed per file when None.
    dialect: str | None = None
    #: Rule selectors (codes, prefixes, names, ALL): ``select`` replaces the recommended rules, the others add or remove.
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: Run preview rules too.
    preview: bool = False
    #: Major PostgreSQL version the SQL runs on (a live database tells its own).
    pg_version: int | None = None

    def rules(self) -> tuple[Rule, ...]:
        """The rules to run: the config's catalogue (custom and plugin rules included), selected by the config and then these options."""
        from backend_architect.rules.selection import select_rules

        config = self.config
        catalogue = config.catalogue(RULES) if config else RULES
        select = self.select if self.select is not None else (config.select if config else None)
        extend = (*(config.extend_select if config else ()), *self.extend_select)
        ignore = (*(config.ignored_rules if config else ()), *self.ignore)
        preview = self.preview or bool(config and config.preview)
        return select_rules(catalogue, select=select, extend_select=extend, ignore=ignore, preview=preview)

    @property
    def postgres_version(self) -> int | None:
        return self.pg_version if self.pg_version is not None else (self.config.pg_version if self.config else None)


_OPENAPI_MARK = re.compile(r"""(^|[\n{,])\s*["']?(openapi|swagger)["']?\s*:""")


def is_api_document(head: str) -> bool:
    """Whether the start of a file reads like an OpenAPI or Swagger document.

    >>> is_api_document('{"openapi": "3.1.0"}'), is_api_document("swagger: '2.0'"), is_api_document("system: shop")
    (True, True, False)
    """
    return bool(_OPENAPI_MARK.search(head))


def review_path(path: str | Path, options: ReviewOptions | None = None) -> ReviewResult:
    """Review what ``path`` holds: OpenAPI documents (a file or a folder), a spec's design, or a docker-compose topology."""
    with _collector_paused():  # an imported schema or document lives until the review ends, as a design does
        return _review_path(path, options or ReviewOptions())


def _review_path(path: str | Path, options: ReviewOptions) -> ReviewResult:
    rules = options.rules()
    if is_database_url(str(path)):
        # each kind of input imports only its own importer: a review of one OpenAPI file should not load pglast and sqlglot
        from backend_architect.importers.live import import_live, redacted

        arch = import_live(str(path))
        if options.postgres_version is not None:
            arch.postgres_version = options.postgres_version
        tables = sum(len(s.tables) for s in arch.datastores)
        return ReviewResult(redacted(str(path)), f"live database ({tables} tables)", arch, _settled(_static(review(arch, rules)), options), rules)
    name = str(path)
    file = Path(path)
    if _is_sql(file):
        return _review_sql(file, rules, options)
    if file.is_dir() or (file.is_file() and (is_api_document(_head(file)) or _declares_api_at_top(file))):
        return _review_contracts(file, rules, options)
    from backend_architect.importers.compose import import_compose, is_compose
    from backend_architect.spec.load import MAX_SPEC_BYTES, parse_document

    try:
        if file.stat().st_size > MAX_SPEC_BYTES:
            raise InputError(Location(name), f"file is larger than {MAX_SPEC_BYTES // 2**20} MiB")
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Location(name), f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    data, _ = parse_document(text, name)
    if is_compose(data):
        arch = import_compose(file)
        return ReviewResult(name, "docker-compose topology", arch, _settled(review(arch, rules), options), rules)
    if isinstance(data, dict) and "entities" in data and "system" in data:
        result = design_file(file)
        return ReviewResult(name, "design of a spec", result.architecture, _settled(review(result.architecture, rules), options), rules)
    raise InputError(Location(name), "cannot review this file: expected an OpenAPI document, a backend-architect spec or a docker-compose file")


def _is_sql(file: Path) -> bool:
    """A .sql file, or a folder of them with no API documents."""
    if file.is_file():
        return file.suffix.lower() == ".sql"
    if not file.is_dir():
        return False
    return any(file.rglob("*.sql")) and not any(p.suffix in {".yaml", ".yml", ".json"} for p in file.rglob("*") if p.is_file())


def _review_sql(path: Path, rules: tuple[Rule, ...], options: ReviewOptions) -> ReviewResult:
    from backend_architect.importers.sql import import_sql

    arch = import_sql(path, options.dialect)
    arch.postgres_version = options.postgres_version
    tables = sum(len(s.tables) for s in arch.datastores)
    kind = f"SQL schema ({tables} tables" + (f", {len(arch.migrations)} migrations)" if arch.migrations else ")")
    return ReviewResult(str(path), kind, arch, _settled(_static(review(arch, rules)), options), rules)


def _static(findings: list[Finding]) -> list[Finding]:
    """Database findings not drawn from runtime statistics are judged from the schema alone: say so."""
    return [f if f.evidence else dataclasses.replace(f, evidence="static") for f in findings]


def _head(file: Path) -> str:
    try:
        with file.open("rb") as stream:
            return stream.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return ""


_TOP_LEVEL_API_KEY = re.compile(r"""^(openapi|swagger)\s*:|^\s{0,4}"(openapi|swagger)"\s*:""", re.MULTILINE)


def _declares_api_at_top(file: Path) -> bool:
    """Whether ``openapi:``/``swagger:`` is a top-level key further down (Stripe's sorted keys put it last)."""
    from backend_architect.importers.openapi.source import MAX_FILE_BYTES

    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            return False
        return bool(_TOP_LEVEL_API_KEY.search(file.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def _review_contracts(path: Path, rules: tuple[Rule, ...], options: ReviewOptions) -> ReviewResult:
    from backend_architect.importers.openapi import import_openapi

    contracts = import_openapi(path, allow_external=options.allow_external_refs)
    if options.spec is not None:
        arch = design_file(options.spec).architecture.model_copy(update={"contracts": contracts})
    else:
        # a container for the documents, built without validating it: validation would build the whole IR's schema
        arch = Architecture.model_construct(system=path.stem, contracts=contracts)
    try:
        findings = review(arch, rules)
    except RecursionError:
        raise InputError(Location(str(path)), "a schema nests too deep to review") from None
    kind = f"{len(contracts)} API documents" if len(contracts) > 1 else f"OpenAPI {contracts[0].version} document"
    return ReviewResult(str(path), kind, arch, _settled(findings, options), rules)


def _settled(findings: list[Finding], options: ReviewOptions) -> list[Finding]:
    return sorted(options.config.settle(findings)) if options.config else findings


def diff_paths(old: str | Path, new: str | Path, *, allow_external_refs: bool = False, dialect: str | None = None) -> DiffResult:
    """Every change between two versions of an API document, or of a database schema, located in both.

    A schema is a SQL file, a folder of SQL files or migrations (applied in order), or a
    database URL (read-only), so a file can be compared with the database it should describe.
    The diff's own front door, ``backend_architect.diffs``, also takes git revisions,
    accepted changes and the version policy.
    """
    from backend_architect import diffs

    return diffs.diff_paths(old, new, allow_external_refs=allow_external_refs, dialect=dialect)


def diff_texts(old: str, new: str, old_name: str = "old.yaml", new_name: str = "new.yaml") -> DiffResult:
    """``diff_paths`` for two documents given as text (they may only reference themselves)."""
    from backend_architect import diffs

    return diffs.diff_texts(old, new, old_name, new_name)


def diff_schema_texts(old: str, new: str, dialect: str | None = None, old_name: str = "old.sql", new_name: str = "new.sql") -> DiffResult:
    """``diff_paths`` for two SQL schemas given as text; locations name ``old_name`` and ``new_name`` (nothing touches the file system)."""
    from backend_architect import diffs

    return diffs.diff_schema_texts(old, new, dialect, old_name, new_name)


def review_text(kind: str, content: str, name: str | None = None) -> list[Finding]:
    """Review a document given as text — ``openapi``, ``sql`` or ``spec`` — with every rule.

    Nothing in the text can reach the file system or the network: an OpenAPI document's
    ``$ref`` may only point inside it. Raises ``InputError`` when the text cannot be read.
    """
    with _collector_paused():
        return _review_text(kind, content, name)


def _review_text(kind: str, content: str, name: str | None) -> list[Finding]:
    if kind == "openapi":
        from backend_architect.importers.openapi import import_openapi_text

        arch = Architecture(system="api", contracts=[import_openapi_text(content, name or "openapi.yaml")])
    elif kind == "sql":
        from backend_architect.importers.sql import import_sql_text

        arch = import_sql_text(content, name or "schema.sql")
    elif kind == "spec":
        from backend_architect.spec.load import load_spec_bytes

        return design_spec(load_spec_bytes(content.encode(), name or "spec.yaml").spec).findings
    else:
        raise ValueError(f"unknown kind of document: {kind!r}")
    return review(arch)


@dataclass(frozen=True)
class DesignComparison:
    """What changed between two designs of one system: API changes per service, schema changes, services."""

    api_changes: list[tuple[str, Change]]
    schema_changes: list[tuple[str, Any]]
    services_added: list[str]
    services_removed: list[str]

    @property
    def needs_major_version(self) -> bool:
        from backend_architect.diff.model import Impact

        return any(change.impact is Impact.BREAKING for _, change in self.api_changes)


def compare_designs(old: dict[str, str], new: dict[str, str]) -> DesignComparison:
    """Compare two designs from their rendered files (each OpenAPI document, and the hand-off's architecture)."""
    from backend_architect.diff.api import diff_contracts
    from backend_architect.diff.schema import diff_datastore
    from backend_architect.importers.openapi import import_openapi_text

    api_changes = []
    for path in sorted(set(old) & set(new)):
        if path.startswith("openapi/"):
            service = path.removeprefix("openapi/").removesuffix(".yaml")
            changes = diff_contracts(import_openapi_text(old[path], path), import_openapi_text(new[path], path))
            api_changes += [(service, change) for change in changes]
    before = Architecture.model_validate(json.loads(old["handoff.json"])["architecture"])
    after = Architecture.model_validate(json.loads(new["handoff.json"])["architecture"])
    previous = {store.name: store for store in before.datastores}
    schema_changes = [(store.name, change) for store in after.datastores for change in diff_datastore(previous.get(store.name), store)]
    old_services, new_services = {s.name for s in before.services}, {s.name for s in after.services}
    return DesignComparison(api_changes, schema_changes, sorted(new_services - old_services), sorted(old_services - new_services))
