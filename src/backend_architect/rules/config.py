"""The review configuration: which rules run, at what severity, on what.

It is ``.backend-architect.yaml``, or the ``[tool.backend-architect]`` table of a
``pyproject.toml``, found in the current folder or the nearest parent that has one (or
given with ``--config``):

```yaml
select: [API, SQL0]         # codes, code prefixes or names; replaces the recommended rules (ALL: every rule)
extend-select: [API035]     # adds to them
ignore:                     # codes, prefixes or names to leave out ...
  - API036
  - path: /internal/*       # ... or findings to drop, by where they are (globs); `rules` narrows an entry
  - file: vendor/**
  - where: public.audit_*
    rules: [SQL001]
preview: false              # run preview rules too
pg-version: 14              # the PostgreSQL the SQL runs on, for version-dependent rules
rules:                      # severities by code or name: off, info, warning or error
  API036: off
  missing-rate-limit: warning
diff:                       # defaults for backend-architect diff
  accepted: accepted-changes.yaml
  check-version: true
custom_rules: [...]         # declarative rules, see rules/custom.py
plugins: [my_rules:RULES]   # Python rules from installed packages: module:attribute holding a Rule or a tuple of them
```
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from backend_architect.errors import InputError, InputErrors, Location
from backend_architect.rules import CONFIG_FILE, PYPROJECT, TOOL_TABLE
from backend_architect.rules.custom import CustomRule, compile_rule
from backend_architect.rules.model import Finding, Rule, Severity

Level = Literal["off", "info", "warning", "error"]


class Ignore(BaseModel):
    """One class of findings to drop."""

    model_config = ConfigDict(extra="forbid")

    path: str | None = Field(default=None, description="Glob on the API path of an operation or path finding.")
    file: str | None = Field(default=None, description="Glob on the file the finding is in.")
    where: str | None = Field(default=None, description="Glob on the finding's subject: a table, a service, a schema pointer.")
    rules: list[str] = Field(default_factory=list, description="Only these rules (codes or names); all when empty.")

    def drops(self, finding: Finding) -> bool:
        if self.rules and finding.code not in self.rules and finding.rule not in self.rules:
            return False
        checks = []
        if self.path is not None:
            path = finding.where.split(" ", 1)[1] if " " in finding.where and finding.where.split(" ", 1)[0].isupper() else finding.where
            checks.append(fnmatch.fnmatchcase(path, self.path))
        if self.file is not None:
            checks.append(finding.location is not None and fnmatch.fnmatchcase(finding.location.file, self.file))
        if self.where is not None:
            checks.append(fnmatch.fnmatchcase(finding.where, self.where))
        return bool(checks) and all(checks)


class DiffSettings(BaseModel):
    """Defaults for ``backend-architect diff``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    accepted: str | None = Field(default=None, description="The accepted-changes file, relative to the config file.")
    check_version: bool = Field(default=False, alias="check-version", description="Fail when info.version was not bumped as the changes need.")


class ReviewConfig(BaseModel):
    """What a team decided about the reviewer's rules."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    select: list[str] | None = Field(default=None, description="Rules to run (codes, prefixes, names, ALL) instead of the recommended ones.")
    extend_select: list[str] = Field(default_factory=list, alias="extend-select", description="Rules to run as well.")
    ignore: list[str | Ignore] = Field(default_factory=list, description="Rules to leave out (codes, prefixes, names), or findings to drop by place.")
    preview: bool = Field(default=False, description="Run preview rules too.")
    pg_version: int | None = Field(default=None, alias="pg-version", ge=9, le=30, description="Major PostgreSQL version of the SQL reviewed.")
    rules: dict[str, Level] = Field(default_factory=dict, description="Severities by rule code or name: off, info, warning or error.")
    custom_rules: list[CustomRule] = Field(default_factory=list, alias="custom-rules", description="House rules without Python: a JSONPath and assertions.")
    plugins: list[str] = Field(default_factory=list, description="Python rules: module:attribute holding a Rule made with @rule, or a tuple of them.")
    diff: DiffSettings = Field(default_factory=DiffSettings, description="Defaults for backend-architect diff.")
    #: Where the config was read from (paths in it are relative to its folder).
    source: str | None = Field(default=None, exclude=True)
    #: Plugin rules loaded by ``load_config`` (installed packages only) and ``--plugin``, never by the model itself.
    _plugged: tuple[Rule, ...] = PrivateAttr(default=())

    @property
    def ignored_rules(self) -> list[str]:
        """The rule selectors of ``ignore``."""
        return [i for i in self.ignore if isinstance(i, str)]

    @property
    def ignored_places(self) -> list[Ignore]:
        """The findings ``ignore`` drops by where they are."""
        return [i for i in self.ignore if isinstance(i, Ignore)]

    @field_validator("rules", mode="before")
    @classmethod
    def _yaml_off(cls, rules: Any) -> Any:
        """YAML 1.1 reads a bare ``off`` as false; the user meant the level."""
        if isinstance(rules, dict):
            return {key: "off" if value is False else value for key, value in rules.items()}
        return rules

    def catalogue(self, catalogue: tuple[Rule, ...]) -> tuple[Rule, ...]:
        """The catalogue with the custom and loaded plugin rules, minus those turned off (selection happens after)."""
        extra = tuple(compile_rule(c) for c in self.custom_rules) + self._plugged
        return tuple(r for r in (*catalogue, *extra) if self._level(r) != "off")

    def with_plugins(self, rules: tuple[Rule, ...]) -> ReviewConfig:
        """This configuration with ``rules`` (loaded plugins) added to what it runs."""
        copy = self.model_copy()
        copy._plugged = (*self._plugged, *rules)
        return copy

    def settle(self, findings: list[Finding]) -> list[Finding]:
        """Findings with the configured severities, without the ignored ones."""
        kept = []
        for finding in findings:
            if any(i.drops(finding) for i in self.ignored_places):
                continue
            level = self.rules.get(finding.code) or self.rules.get(finding.rule)
            if level is not None and level != "off":
                finding = dataclasses.replace(finding, severity=Severity[level.upper()])
            kept.append(finding)
        return kept

    def _level(self, rule: Rule) -> Level | None:
        return self.rules.get(rule.code) or self.rules.get(rule.name)


def load_plugin(reference: str, *, installed_only: bool = True) -> tuple[Rule, ...]:
    """The rules a ``module:attribute`` reference names (a Rule, or a tuple/list of them).

    A configuration file travels with the repository under review, so a plugin it names must
    be an installed package (``installed_only``): a ``my_rules.py`` in the working directory,
    which ``python -m`` puts on the import path, is not run. The command line's ``--plugin``
    loads from anywhere on the path, the working directory included, because its user asked.
    """
    module_name, _, attribute = reference.partition(":")
    if installed_only and not _installed(module_name.partition(".")[0]):
        raise InputError(
            Location(CONFIG_FILE),
            f"plugin '{reference}' is not an installed package: install it, or load it from here with --plugin {reference}",
        )
    try:
        value: Any = importlib.import_module(module_name)
        for part in attribute.split(".") if attribute else ():
            value = getattr(value, part)
    except (ImportError, AttributeError) as exc:
        raise InputError(Location(CONFIG_FILE), f"plugin '{reference}' cannot be loaded: {exc}") from None
    rules = (value,) if isinstance(value, Rule) else tuple(value) if isinstance(value, list | tuple) else ()
    if not rules or not all(isinstance(r, Rule) for r in rules):
        raise InputError(Location(CONFIG_FILE), f"plugin '{reference}' is not a Rule nor a tuple of Rules (make them with @rule)")
    return rules


def _installed(top: str) -> bool:
    """Whether the top-level module ``top`` comes from the import path without the working directory (an installed package)."""
    import sys
    from importlib.machinery import PathFinder

    here = Path.cwd().resolve()
    loaded = sys.modules.get(top)
    if loaded is not None:
        origin = getattr(loaded, "__file__", None)
        if origin is None:
            return True
        entry = Path(origin).parent.parent if Path(origin).name == "__init__.py" else Path(origin).parent
        return entry.resolve() != here
    search = [entry for entry in sys.path if entry not in {"", "."} and Path(entry).resolve() != here]
    return PathFinder.find_spec(top, search) is not None


class _TomlPositions:
    """Lines of a pyproject's keys, found by their text: tomllib keeps none, and a located error needs one."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = text.splitlines()
        self.start = next((i for i, line in enumerate(self.lines) if line.strip().startswith(f"[{TOOL_TABLE}")), 0)

    def locate(self, path: tuple[str | int, ...], *, key: bool = False) -> Location:
        names = [p for p in path if isinstance(p, str)]
        for wanted in reversed(names):
            pattern = re.compile(rf"^\s*\"?{re.escape(wanted)}\"?\s*=|[{{,]\s*\"?{re.escape(wanted)}\"?\s*=|\"{re.escape(wanted)}\"")
            for number in range(self.start, len(self.lines)):
                match = pattern.search(self.lines[number])
                if match:
                    return Location(self.name, number + 1, match.start() + 1 + (len(match.group(0)) - len(match.group(0).lstrip())))
        return Location(self.name, self.start + 1, 1)


def _read_pyproject(path: Path, text: str) -> tuple[Any, _TomlPositions]:
    import tomllib

    name = str(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+), column (\d+)", str(exc))
        where = Location(name, int(found.group(1)), int(found.group(2))) if found else Location(name)
        raise InputError(where, f"invalid TOML: {str(exc).split(' (at')[0]}") from None
    table = document.get("tool", {}).get("backend-architect", {})
    return table, _TomlPositions(name, text)


def load_config(path: Path, catalogue: tuple[Rule, ...]) -> ReviewConfig:
    """Read and check a config file (YAML, or a pyproject.toml's table); unknown keys, levels and rule names are located errors."""
    from backend_architect.spec.load import parse_document

    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Location(name), f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    positions: Any
    if path.name == PYPROJECT:
        data, positions = _read_pyproject(path, text)
    else:
        data, positions = parse_document(text, name) if text.strip() else ({}, None)
    if not isinstance(data, dict):
        raise InputError(Location(name), "a config is a mapping with 'select', 'ignore', 'rules', 'custom_rules' or 'plugins'")
    try:
        config = ReviewConfig.model_validate({**data, "source": name})
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
            where = positions.locate(loc) if positions is not None else Location(name)
            errors.append(InputError(where, f"{'.'.join(map(str, loc)) or 'config'}: {error['msg']}"))
        raise InputErrors(errors) from None
    plugged = [r for plugin in config.plugins for r in load_plugin(plugin)]
    config = config.with_plugins(tuple(plugged))
    known = {r.code for r in (*catalogue, *plugged)} | {r.name for r in (*catalogue, *plugged)}
    known |= {c.code for c in config.custom_rules} | {c.name for c in config.custom_rules}
    unknown = [key for key in config.rules if key not in known]
    if unknown and positions is not None:
        from backend_architect.spec.field_types import suggest

        raise InputErrors([InputError(positions.locate(("rules", key), key=True), f"unknown rule '{key}'{suggest(key, sorted(known))}") for key in unknown])
    _check_selectors(config, (*catalogue, *plugged), positions, name)
    return config


def _check_selectors(config: ReviewConfig, catalogue: tuple[Rule, ...], positions: Any, name: str) -> None:
    """Every selector of ``select``, ``extend-select`` and ``ignore`` names some rule (located, with a suggestion)."""
    from backend_architect.rules.selection import matches

    errors = []
    for key, selectors in (("select", config.select or []), ("extend-select", config.extend_select), ("ignore", config.ignore)):
        for i, selector in enumerate(selectors):
            if isinstance(selector, str) and not any(matches(selector, r) for r in catalogue):
                from backend_architect.spec.field_types import suggest

                where = positions.locate((key, i)) if positions is not None else Location(name)
                names = sorted({r.code for r in catalogue} | {r.name for r in catalogue})
                errors.append(InputError(where, f"unknown rule selector '{selector}'{suggest(selector, names)}"))
    if errors:
        raise InputErrors(errors)
