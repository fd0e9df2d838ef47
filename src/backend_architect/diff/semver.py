"""``info.version`` against the changes: a breaking change needs a major bump, an addition a minor one.

Only semantic versions are judged (a leading ``v`` is accepted; pre-release and build parts
are ignored). Below 1.0.0 the minor number plays the major's role, as semver says: ``0.3.0``
to ``0.4.0`` may break clients, ``0.3.0`` to ``0.3.1`` may not.
"""

from __future__ import annotations

import re

from backend_architect.diff.model import VERSION_CODE, Change, Impact, VersionCheck, required_bump

_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")


def parse(version: str | None) -> tuple[int, int, int] | None:
    """The (major, minor, patch) of a semantic version, or None.

    >>> parse("v1.2.3-rc.1"), parse("2024-06-01"), parse("1.2")
    ((1, 2, 3), None, None)
    """
    match = _SEMVER.match(version.strip()) if isinstance(version, str) else None
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def bump_made(old: str | None, new: str | None) -> str | None:
    """Which bump took ``old`` to ``new``: major, minor, patch, none or decreased; None when either is not semantic.

    >>> bump_made("1.2.3", "2.0.0"), bump_made("0.3.1", "0.4.0"), bump_made("0.3.1", "0.3.2"), bump_made("1.2.3", "1.2.3"), bump_made("1.2.3", "1.1.9")
    ('major', 'major', 'minor', 'none', 'decreased')
    """
    before, after = parse(old), parse(new)
    if before is None or after is None:
        return None
    if after < before:
        return "decreased"
    if after == before:
        return "none"
    if before[0] == after[0] == 0:
        # below 1.0.0 each number moves up one role: minor may break, patch may add
        return "major" if after[1] > before[1] else "minor"
    if after[0] > before[0]:
        return "major"
    return "minor" if after[1] > before[1] else "patch"


def check(old: str | None, new: str | None, changes: list[Change]) -> VersionCheck:
    """The version bump made against the one ``changes`` call for."""
    return VersionCheck(old, new, required_bump(changes), bump_made(old, new))


def version_change(
    result: VersionCheck, anchor_old: tuple[str, tuple[str | int, ...]] | None, anchor_new: tuple[str, tuple[str | int, ...]] | None
) -> Change | None:
    """The version check as a breaking change, for ``--check-version``: None when the bump is enough or cannot be judged."""
    if result.ok is not False:
        return None
    code = {"none": "not-bumped", "decreased": "decreased"}.get(result.made or "", "bump-too-small")
    return Change("info.version", VERSION_CODE + code, result.message, Impact.BREAKING, anchor_old, anchor_new)
