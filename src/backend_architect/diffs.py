"""The library's front door for diffs: two versions of an API or a schema, wherever they are, to one ``DiffResult``.

A version is a file, a folder (a split description, several services' documents, SQL files
or migrations), a database URL, a git revision (``main:openapi.yaml``, no checkout), or
text given by the caller (stdin). Whatever they are, the result names what the user named,
so a change in ``main:api/openapi.yaml`` says so, not a temporary path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backend_architect.diff.model import Accepted, Anchor, Change, DiffResult, Impact, VersionCheck
from backend_architect.errors import InputError, InputErrors, Location
from backend_architect.importers import is_database_url
from backend_architect.ir.anchors import located

if TYPE_CHECKING:
    from backend_architect.diff.accept import Entry
    from backend_architect.ir.contract import ApiContract
    from backend_architect.ir.model import Architecture


@dataclass(frozen=True)
class DiffOptions:
    """How to diff: what references may reach, the SQL dialect, accepted changes and the version policy."""

    allow_external_refs: bool = False
    dialect: str | None = None
    #: An accepted-changes file (see ``diff/accept.py``).
    accepted: Path | None = None
    #: Report an ``info.version`` bump smaller than the changes need as a breaking change.
    check_version: bool = False
    #: The day sunset dates and acceptance expiries are judged on (default: today).
    today: dt.date | None = None
    #: Text for an input named "-" (read from stdin by the command line), and the name to report it under.
    stdin: bytes | None = None
    stdin_name: str = "stdin"


def diff_paths(
    old: str | Path, new: str | Path, *, allow_external_refs: bool = False, dialect: str | None = None, options: DiffOptions | None = None
) -> DiffResult:
    """Every change between two versions of an API document (or folder of them), or of a database schema, located in both."""
    from backend_architect.api import _collector_paused

    options = options or DiffOptions(allow_external_refs=allow_external_refs, dialect=dialect)
    # both versions' trees live until the end; collections in between find nothing to free and took half the time on GitHub's
    with ExitStack() as stack, _collector_paused():
        names: dict[str, str] = {}
        before = _prepared(str(old), options, stack, names)
        after = _prepared(str(new), options, stack, names)
        kinds = [_schema_kind(p) for p in (before, after)]
        if any(kinds):
            if not all(kinds):
                odd = old if not kinds[0] else new
                raise InputError(Location(str(odd)), "diff compares like with like: the other side is a database schema, this is not SQL or a database URL")
            result = _diff_schema_paths(before, after, options.dialect)
        else:
            result = _diff_documents(before, after, options)
        result = _renamed(dataclasses.replace(result, old=str(old), new=str(new)), names)
    return _settled(result, options)


def diff_texts(old: str, new: str, old_name: str = "old.yaml", new_name: str = "new.yaml", *, today: dt.date | None = None) -> DiffResult:
    """``diff_paths`` for two documents given as text (they may only reference themselves)."""
    from backend_architect.diff.api import diff_contracts
    from backend_architect.importers.openapi import import_openapi_text

    before, after = import_openapi_text(old, old_name), import_openapi_text(new, new_name)
    changes = diff_contracts(before, after, today=today)
    return DiffResult(old_name, new_name, locate_changes(changes, before, after), version=_version_check(before, after, changes))


def diff_schema_texts(old: str, new: str, dialect: str | None = None, old_name: str = "old.sql", new_name: str = "new.sql") -> DiffResult:
    """``diff_paths`` for two SQL schemas given as text; locations name ``old_name`` and ``new_name`` (nothing touches the file system)."""
    from backend_architect.diff.sql import diff_schemas
    from backend_architect.importers.sql import import_sql_text

    before, after = (_parsed_schema(import_sql_text(text, name, dialect)) for text, name in ((old, old_name), (new, new_name)))
    return DiffResult(old_name, new_name, diff_schemas(before, after), subject="schema")


def load_accepted(path: Path) -> list[Entry]:
    """Read an accepted-changes file (see ``diff/accept.py``); every problem is located."""
    from pydantic import ValidationError

    from backend_architect.diff.accept import AcceptedFile, Entry
    from backend_architect.spec.load import parse_document

    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Location(name), f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    data, positions = parse_document(text, name) if text.strip() else ({}, None)
    if not isinstance(data, dict):
        raise InputError(Location(name), "an accepted-changes file is a mapping with an 'accepted' list")
    try:
        parsed = AcceptedFile.model_validate(data)
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
            where = positions.locate(loc) if positions is not None else Location(name)
            errors.append(InputError(where, f"{'.'.join(map(str, loc)) or 'accepted'}: {error['msg']}"))
        raise InputErrors(errors) from None
    return [Entry(rule, positions.locate(("accepted", i)) if positions else Location(name)) for i, rule in enumerate(parsed.accepted)]


# --- inputs ----------------------------------------------------------------------------------


def _prepared(given: str, options: DiffOptions, stack: ExitStack, names: dict[str, str]) -> str:
    """A path (or database URL) to read ``given`` from: stdin and git revisions are copied to a temporary folder first."""
    if given == "-":
        if options.stdin is None:
            raise InputError(Location("-"), "'-' reads the document from standard input, but none was given")
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ba-stdin-")))
        suffix = ".sql" if _looks_like_sql(options.stdin) else ".yaml"
        path = folder / (Path(options.stdin_name).name if Path(options.stdin_name).suffix else f"stdin{suffix}")
        path.write_bytes(options.stdin)
        names[str(path)] = options.stdin_name
        return str(path)
    if is_database_url(given):
        return given
    from backend_architect.importers.git import materialise, parse_revision

    revision = parse_revision(given)
    if revision is None:
        return given
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ba-git-")))
    path = materialise(revision, folder)
    base = revision.path if path == folder else str(Path(revision.path).parent)
    names[str(folder)] = f"{revision.revision}:{'' if base == '.' else base}".rstrip("/")
    return str(path)


def _looks_like_sql(text: bytes) -> bool:
    from backend_architect.api import is_api_document

    head = text[:65536].decode("utf-8", errors="replace")
    return not is_api_document(head) and any(word in head.upper() for word in ("CREATE ", "ALTER ", "INSERT ", "DROP "))


def _schema_kind(path: str) -> str | None:
    """ "database" for a database URL, "sql" for SQL files or folders, None for anything else."""
    from backend_architect.api import _is_sql

    if is_database_url(path):
        return "database"
    return "sql" if _is_sql(Path(path)) else None


# --- API documents ---------------------------------------------------------------------------


def _diff_documents(old: str, new: str, options: DiffOptions) -> DiffResult:
    """One document against another, or a folder of documents against another (paired by their place in it)."""
    from backend_architect.diff.api import diff_contracts
    from backend_architect.importers.openapi import import_openapi

    before = import_openapi(old, allow_external=options.allow_external_refs)
    after = import_openapi(new, allow_external=options.allow_external_refs)
    if len(before) == 1 and len(after) == 1:
        changes = diff_contracts(before[0], after[0], today=options.today)
        version = _version_check(before[0], after[0], changes)
        extra = _version_changes(version, before[0], after[0]) if options.check_version else []
        return DiffResult(old, new, locate_changes(changes + extra, before[0], after[0]), version=version)
    return _diff_folders(old, new, before, after, options)


def _diff_folders(old: str, new: str, before: list[ApiContract], after: list[ApiContract], options: DiffOptions) -> DiffResult:
    """Several documents on each side (one per service), paired by their path inside the folder."""
    from backend_architect.diff.api import diff_contracts

    old_by_name = {_relative(c.name, old): c for c in before}
    new_by_name = {_relative(c.name, new): c for c in after}
    changes: list[Change] = []
    for name, contract in old_by_name.items():
        paired = new_by_name.get(name)
        if paired is None:
            changes.append(
                Change(name, "document-removed", "the document and every operation in it were removed", Impact.BREAKING, (contract.root.name, ()), None)
            )
            continue
        found = diff_contracts(contract, paired, today=options.today)
        if options.check_version:
            found += _version_changes(_version_check(contract, paired, found), contract, paired)
        located = locate_changes(found, contract, paired)
        changes += [dataclasses.replace(c, where=f"{name}: {c.where}") for c in located]
    for name, contract in new_by_name.items():
        if name not in old_by_name:
            changes.append(Change(name, "document-added", "new document", Impact.SAFE, None, (contract.root.name, ())))
    return DiffResult(old, new, sorted(changes))


def _relative(name: str, root: str) -> str:
    try:
        return Path(name).relative_to(root).as_posix()
    except ValueError:
        return Path(name).name


def _version_check(old: ApiContract, new: ApiContract, changes: list[Change]) -> VersionCheck:
    from backend_architect.diff.semver import check

    return check(_info_version(old), _info_version(new), changes)


def _info_version(contract: ApiContract) -> str | None:
    info = contract.document.get("info")
    version = info.get("version") if isinstance(info, dict) else None
    return str(version) if version is not None else None


def _version_changes(version: VersionCheck, old: ApiContract, new: ApiContract) -> list[Change]:
    from backend_architect.diff.semver import version_change

    anchors = [(c.root.name, ("info", "version")) if _info_version(c) is not None else None for c in (old, new)]
    change = version_change(version, anchors[0], anchors[1])
    return [change] if change is not None else []


def locate_changes(changes: list[Change], old: ApiContract, new: ApiContract) -> list[Change]:
    """Fill in each change's line and column in both documents: one pass per file."""
    wanted: dict[tuple[str, str], set[tuple[str | int, ...]]] = {}
    for change in changes:
        for side, anchor in (("old", change.old), ("new", change.new)):
            if anchor is not None:
                wanted.setdefault((side, anchor[0]), set()).add(anchor[1])
    sides = {"old": old, "new": new}
    found = {key: sides[key[0]].files[key[1]].locator.locate_many(pointers) for key, pointers in wanted.items() if key[1] in sides[key[0]].files}

    def at(side: str, anchor: Anchor | None) -> Location | None:
        positions = found.get((side, anchor[0])) if anchor else None
        if anchor is None or positions is None:
            return None
        return located(anchor[0], anchor[1], *positions[anchor[1]])

    return [dataclasses.replace(c, old_location=at("old", c.old), new_location=at("new", c.new)) for c in changes]


# --- database schemas ------------------------------------------------------------------------


def _diff_schema_paths(old: str, new: str, dialect: str | None) -> DiffResult:
    from backend_architect.diff.sql import diff_schemas

    before, old_name = _schema_of(old, dialect)
    after, new_name = _schema_of(new, dialect)
    return DiffResult(old_name, new_name, diff_schemas(before, after), subject="schema")


def _schema_of(path: str | Path, dialect: str | None) -> tuple[Architecture, str]:
    """The schema at ``path``; a statement that does not parse stops the diff (what it defines would show as removed)."""
    if _schema_kind(str(path)) == "database":
        from backend_architect.importers.live import import_live, redacted

        return import_live(str(path)), redacted(str(path))
    from backend_architect.importers.sql import import_sql

    return _parsed_schema(import_sql(Path(path), dialect)), str(path)


def _parsed_schema(arch: Architecture) -> Architecture:
    """``arch``, refused at its first statement that does not parse (what it defines would otherwise show as removed)."""
    if arch.parse_problems:
        problem = arch.parse_problems[0]
        where = Location(problem.source.file, problem.source.line, problem.source.col)
        raise InputError(where, f"{problem.message}; fix it first, or the diff would report what it defines as removed")
    return arch


# --- results ---------------------------------------------------------------------------------


def _settled(result: DiffResult, options: DiffOptions) -> DiffResult:
    """The result with the team's accepted changes set apart (and entries that no longer apply reported)."""
    if options.accepted is None:
        return result
    from backend_architect.diff.accept import apply_accepted

    kept, accepted, stale = apply_accepted(result.changes, load_accepted(options.accepted), options.today)
    return dataclasses.replace(result, changes=kept, accepted=accepted, stale=stale)


def _renamed(result: DiffResult, names: dict[str, str]) -> DiffResult:
    """The result with temporary paths (of stdin and git revisions) replaced by what the user named."""
    if not names:
        return result

    def rename(file: str) -> str:
        for prefix, shown in names.items():
            if file == prefix:
                return shown
            if file.startswith(prefix + "/"):
                rest = file[len(prefix) + 1 :]
                return f"{shown}/{rest}" if not shown.endswith(":") else shown + rest
        return file

    def change(c: Change) -> Change:
        return dataclasses.replace(
            c,
            old=(rename(c.old[0]), c.old[1]) if c.old else None,
            new=(rename(c.new[0]), c.new[1]) if c.new else None,
            old_location=dataclasses.replace(c.old_location, file=rename(c.old_location.file)) if c.old_location else None,
            new_location=dataclasses.replace(c.new_location, file=rename(c.new_location.file)) if c.new_location else None,
        )

    accepted = [Accepted(change(a.change), a.reason, a.expires) for a in result.accepted]
    return dataclasses.replace(result, changes=[change(c) for c in result.changes], accepted=accepted)
