"""Security: what an operation requires of its callers, and how each security scheme is presented.

A new requirement, or a requirement that asks for more scopes, turns away callers that
were admitted; a scheme whose type, header name or token endpoint changed turns away every
caller using it, whatever the operations say.
"""

from __future__ import annotations

from typing import Any

from backend_architect.diff.model import Change, Impact
from backend_architect.ir.contract import ApiContract, ContractOperation, Node

Requirement = dict[str, list[str]]
#: Fields of a scheme a client is built around, and what changing each does to it.
_SCHEME_FIELDS = (
    ("type", Impact.BREAKING),
    ("in", Impact.BREAKING),
    ("name", Impact.BREAKING),
    ("scheme", Impact.BREAKING),
    ("bearerFormat", Impact.POSSIBLY_BREAKING),
    ("openIdConnectUrl", Impact.POSSIBLY_BREAKING),
    ("flow", Impact.BREAKING),
    ("tokenUrl", Impact.POSSIBLY_BREAKING),
    ("authorizationUrl", Impact.POSSIBLY_BREAKING),
)
_FLOW_URLS = ("tokenUrl", "authorizationUrl", "refreshUrl")


def requirement_changes(where: str, old: ContractOperation, new: ContractOperation) -> list[Change]:
    """Changes of an operation's security requirements (alternatives of schemes with scopes)."""
    before, after = _requirements(old), _requirements(new)
    found: list[Change] = []
    anchors = ((old.node.file, old.node.pointer), (new.node.file, new.node.pointer))
    if before == after:
        return found
    if not before and after:
        return [Change(where, "security-added", f"the operation now requires {_describe(after)}", Impact.BREAKING, *anchors)]
    if before and not after:
        return [Change(where, "security-removed", "the operation no longer requires authentication", Impact.SAFE, *anchors)]
    # A caller satisfies one old requirement; it keeps access when some new requirement asks no more of it.
    for requirement in before:
        if not any(_within(new_requirement, requirement) for new_requirement in after):
            replaced = [r for r in after if set(r) & set(requirement)]
            code = "security-requirement-tightened" if replaced else "security-requirement-removed"
            message = (
                f"callers using {_describe([requirement])} now need {_describe(replaced)}"
                if replaced
                else f"callers using {_describe([requirement])} are no longer accepted"
            )
            found.append(Change(where, code, message, Impact.BREAKING, *anchors))
    for requirement in after:
        if not any(set(requirement) & set(was) for was in before):
            found.append(Change(where, "security-requirement-added", f"callers may also use {_describe([requirement])}", Impact.SAFE, *anchors))
    return found


def scheme_changes(old: ApiContract, new: ApiContract) -> list[Change]:
    """Changes of the security schemes themselves (``components.securitySchemes``, or Swagger's ``securityDefinitions``)."""
    before, after = _schemes(old), _schemes(new)
    found: list[Change] = []
    for name, scheme in before.items():
        where = f"security scheme {name}"
        changed = after.get(name)
        if changed is None:
            found.append(Change(where, "security-scheme-removed", "the security scheme was removed", Impact.SAFE, (scheme.file, scheme.pointer), None))
            continue
        anchors = ((scheme.file, scheme.pointer), (changed.file, changed.pointer))
        was, now = scheme.value, changed.value
        for field, impact in _SCHEME_FIELDS:
            if was.get(field) != now.get(field) and (field in was or field in now):
                found.append(
                    Change(where, f"security-scheme-{_kebab(field)}-changed", f"{field} {was.get(field)!r} became {now.get(field)!r}", impact, *anchors)
                )
        found += _flow_changes(where, was.get("flows"), now.get("flows"), anchors)
        if isinstance(was.get("scopes"), dict) and isinstance(now.get("scopes"), dict):
            found += _scope_changes(where, "", was["scopes"], now["scopes"], anchors)
    for name, scheme in after.items():
        if name not in before:
            found.append(Change(f"security scheme {name}", "security-scheme-added", "new security scheme", Impact.SAFE, None, (scheme.file, scheme.pointer)))
    return found


def _flow_changes(where: str, before: Any, after: Any, anchors: Any) -> list[Change]:
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    found = []
    for flow, settings in before.items():
        if flow not in after:
            found.append(Change(where, "security-scheme-flow-removed", f"OAuth flow {flow} was removed", Impact.BREAKING, *anchors))
            continue
        now = after[flow] if isinstance(after[flow], dict) else {}
        was = settings if isinstance(settings, dict) else {}
        for url in _FLOW_URLS:
            if was.get(url) != now.get(url):
                found.append(
                    Change(
                        where,
                        f"security-scheme-{_kebab(url)}-changed",
                        f"{flow} {url} {was.get(url)!r} became {now.get(url)!r}",
                        Impact.POSSIBLY_BREAKING,
                        *anchors,
                    )
                )
        if isinstance(was.get("scopes"), dict) and isinstance(now.get("scopes"), dict):
            found += _scope_changes(where, f"{flow} ", was["scopes"], now["scopes"], anchors)
    for flow in after:
        if flow not in before:
            found.append(Change(where, "security-scheme-flow-added", f"OAuth flow {flow} was added", Impact.SAFE, *anchors))
    return found


def _scope_changes(where: str, flow: str, before: dict[str, Any], after: dict[str, Any], anchors: Any) -> list[Change]:
    found = []
    removed = sorted(set(before) - set(after))
    if removed:
        found.append(Change(where, "security-scheme-scope-removed", f"{flow}scopes removed: {removed}", Impact.POSSIBLY_BREAKING, *anchors))
    added = sorted(set(after) - set(before))
    if added:
        found.append(Change(where, "security-scheme-scope-added", f"{flow}scopes added: {added}", Impact.SAFE, *anchors))
    return found


def _schemes(contract: ApiContract) -> dict[str, Node]:
    holder = contract.top("securityDefinitions") if contract.version == "2.0" else None
    if contract.version != "2.0":
        components = contract.resolve(contract.top("components"))
        holder = components.child("securitySchemes") if components is not None else None
    holder = contract.resolve(holder)
    found: dict[str, Node] = {}
    if holder is not None and isinstance(holder.value, dict):
        for name in holder.value:
            scheme = contract.resolve(holder.child(name))
            if scheme is not None and isinstance(scheme.value, dict):
                found[str(name)] = scheme
    return found


def _requirements(operation: ContractOperation) -> list[Requirement]:
    requirements = [r for r in operation.security or () if isinstance(r, dict)]
    if any(not r for r in requirements):
        return []  # an empty requirement makes the operation public
    return [{k: sorted(v) if isinstance(v, list) else [] for k, v in r.items()} for r in requirements]


def _within(requirement: Requirement, held: Requirement) -> bool:
    """Whether a caller holding ``held`` (schemes with scopes) satisfies ``requirement``."""
    return set(requirement) <= set(held) and all(set(requirement[s]) <= set(held[s]) for s in requirement)


def _describe(requirements: list[Requirement]) -> str:
    return " or ".join(" + ".join(f"{name}{'(' + ', '.join(scopes) + ')' if scopes else ''}" for name, scopes in sorted(r.items())) for r in requirements)


def _kebab(name: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
