"""The routes' signatures and bodies: authenticate, parse the body, hand over to the core function serving the mechanism."""

from __future__ import annotations

import re
import textwrap

from backend_architect.scaffold.code import values_function
from backend_architect.scaffold.naming import literal
from backend_architect.scaffold.plan_api import OpPlan
from backend_architect.scaffold.plan_reads import RedirectPlan
from backend_architect.scaffold.plan_writes import CreatePlan, LoginPlan, PasswordPlan


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/")


def _param(segment: str) -> str | None:
    """The parameter a path segment is (``{book_id}``, ``{order_id}:cancel``), or None for a static one."""
    found = re.fullmatch(r"\{([A-Za-z0-9_]+)\}(:.*)?", segment)
    return found.group(1) if found else None


def siblings(path: str, paths: list[str], index: int) -> tuple[str, ...]:
    """The static segments other paths have where ``path`` has a parameter, after the same prefix.

    >>> siblings("/books/{book_id}", ["/books/{book_id}", "/books/search", "/authors/x"], 1)
    ('search',)
    """
    mine = _segments(path)
    found = set()
    for other in paths:
        theirs = _segments(other)
        if len(theirs) <= index or _param(theirs[index]) is not None:
            continue
        if all(_param(a) is not None or _param(b) is not None or a == b for a, b in zip(mine[:index], theirs[:index], strict=False)):
            found.add(theirs[index].split(":", 1)[0])
    return tuple(sorted(found))


def convertor_name(words: tuple[str, ...]) -> str:
    """The name ``core.segment_convertor`` registers for a parameter that is none of ``words``."""
    return "segment_not_" + "_".join(sorted(re.sub(r"[^A-Za-z0-9]", "_", w) for w in words))


def route_path(path: str, paths: list[str]) -> str:
    """The route's path with each parameter typed: a segment that stops at ``:``, and is none of its static siblings."""
    out = []
    for index, segment in enumerate(_segments(path)):
        name = _param(segment)
        if name is None:
            out.append(segment)
            continue
        words = siblings(path, paths, index)
        convertor = convertor_name(words) if words else "segment"
        out.append(segment.replace("{" + name + "}", "{" + name + ":" + convertor + "}", 1))
    return "/" + "/".join(out)


def convertors(paths: list[str]) -> list[tuple[str, ...]]:
    """The static-sibling sets the module's routes need convertors for, in a stable order."""
    found = {siblings(p, paths, i) for p in paths for i, s in enumerate(_segments(p)) if _param(s) is not None}
    return sorted(w for w in found if w)


def signature(op: OpPlan) -> list[str]:
    """The route function's parameters after ``request``."""
    lines = []
    for param in sorted(op.params, key=lambda p: p.default is not None):
        default = f" = {param.default}" if param.default is not None else ""
        lines.append(f"{param.py}: {param.annotation}{default},")
    return lines


def wrapped(head: str, args: list[str], indent: str = "    ") -> list[str]:
    """``head(arg, ...)`` on one line, or one argument a line when that passes 140 characters.

    >>> wrapped("return f", ["a", "b=1"])
    ['return f(a, b=1)']
    """
    line = f"{head}({', '.join(args)})"
    if len(line) + len(indent) <= 150:
        return [line]
    return [f"{head}(", *(f"    {a}," for a in args), ")"]


def _params(op: OpPlan) -> str:
    """The values of filters, lookups and path columns, by parameter name."""
    names = {f.param: f.py for f in (*op.listing.filters, *op.lookup, *op.path_columns)}
    by_name = {p.name: p.py for p in op.params}
    return "{" + ", ".join(f"{literal(name)}: {by_name.get(name, py)}" for name, py in names.items()) + "}"


def call(op: OpPlan) -> list[str]:
    """The route's body: authenticate, parse the body, hand over to the mechanism with the operation's decisions."""
    const = f"resources.{op.const}"
    if op.gap is not None:
        reason = textwrap.wrap(f"Not implemented by the scaffold: {op.gap}", 100, drop_whitespace=False)
        return [f"await begin(request, {const}.policy)", "raise Problem(", "    501,", *(f"    {literal(part)}" for part in reason), ")"]
    lines = [f"ctx = await begin(request, {const}.policy)"]
    mechanism = op.mechanism
    key = op.key_param.py if op.key_param else "None"
    if op.countries is not None:
        # a geo-restricted item is refused before it is read, cached or signed
        lines.append(f"await countries.refuse(ctx, {const}, {key})")
    parent = [f"parent_key={op.parent_param.py}"] if op.parent_param else []
    headers = op.header
    if_match = [f"if_match={headers['If-Match'].py}"] if "If-Match" in headers else []
    idem = [f"idempotency_key={headers['Idempotency-Key'].py}"] if "Idempotency-Key" in headers else []
    params = [f"params={_params(op)}"] if op.listing.filters or op.lookup or op.path_columns else []
    mine = ["mine=True"] if op.op.flow == "me" else []
    if op.body_model:
        keep = "_" if mechanism in {"accounts.login", "accounts.change_password", "objects.create_upload"} else "sent"
        lines.append(f"body, {keep} = await parse(request, schemas.{op.body_model}, ctx.services.settings.max_body_bytes)")
    rule = op.members
    if rule is not None:
        # members only: probed before the row is read or written, so a non-member learns nothing about the scope
        scope = "None, " + key if rule.source == "row" else f"body.{rule.name}" if rule.source == "body" else rule.name
        lines.append(f"await members.require(ctx, {const}, {scope})")
    values = f"resources.{values_function(op.op.request_schema or '')}(body)" if op.body_model else "{}"
    if op.op.sets:
        # the state the operation is named for is stored by the server, never taken from the body ('mark message read')
        values = "{" + ", ".join([*([f"**{values}"] if op.body_model else []), *(f"{literal(k)}: {literal(v)}" for k, v in sorted(op.op.sets.items()))]) + "}"
    sent = "sent" if op.body_model else "None"
    if mechanism == "crud.list_page":
        limit = op.query("limit")
        args = [f"limit={limit.py if limit else 100}"]
        args += [f"{role}={param.py}" for role in ("sort", "cursor", "offset", "q") for param in [op.query(role)] if param]
        lat, lon, radius, depth = (op.query(n) for n in ("lat", "lon", "radius", "depth"))
        if lat and lon:
            args.append(f"near=({lat.py}, {lon.py}, {radius.py if radius else None})")
        if depth:
            args.append(f"depth={depth.py}")
        lines += wrapped("return await crud.list_page", ["ctx", const, _params(op), *args, *parent])
    elif mechanism == "crud.read":
        lines += wrapped("return await crud.read", ["ctx", const, key, *parent, *params, *mine])
    elif mechanism == "crud.create":
        parts = []
        if isinstance(op.detail, CreatePlan) and op.detail.children:
            items = [f"{literal(c.prop)}: [resources.{values_function(c.schema)}(item) for item in body.{c.attr} or []]" for c in op.detail.children]
            lines.append("parts = {" + ", ".join(items) + "}")
            parts = ["parts=parts"]
        if isinstance(op.detail, CreatePlan) and op.detail.links:
            sets = [f"{literal(k.prop)}: list(body.{k.attr} or [])" for k in op.detail.links]
            lines.append("link_sets = {" + ", ".join(sets) + "}")
            parts.append("links=link_sets")
        lines += wrapped("return await writes.create", ["ctx", const, values, sent, *idem, *parent, *params, *parts])
    elif mechanism == "crud.remove":
        lines += wrapped("return await writes.remove", ["ctx", const, key, *if_match, *parent, *params, *mine])
    elif mechanism == "crud.change":
        changes = values
        if op.hook and op.body_model:
            lines.append(f"values = {values}")
            changes = f"lambda row: {{**values, **domain.{op.hook}(row, body)}}"
        elif op.hook:
            changes = f"lambda row: {{**{values}, **domain.{op.hook}(row, None)}}" if op.op.sets else f"lambda row: domain.{op.hook}(row, None)"
        status = ["status=204"] if op.op.success_status == 204 else []
        lines += wrapped("return await writes.change", ["ctx", const, key, changes, *if_match, f"body={sent}", *idem, *parent, *params, *mine, *status])
    elif mechanism in {"links.relate", "links.unrelate"}:
        path = op.param("path")
        ends = [path[-2].py, path[-1].py]
        # the end naming the caller's own id must be the token's subject (design/api/caller_rows.py)
        mine = [f"caller={literal(end)}" for end, p in (("source", path[-2]), ("target", path[-1])) if p.name in op.op.caller_params]
        if mechanism == "links.relate":
            adds = op.joins
            # a link adding a member: the caller joins themselves, an admin adds others, and a full scope takes no more
            join = (
                [f"join=links.Join({literal(adds.member_column)}, {literal(adds.role)}, {literal(tuple(adds.admin_roles))}, {literal(adds.max_members)})"]
                if adds is not None
                else []
            )
            lines += wrapped("return await links.relate", ["ctx", const, f"resources.{op.const}_LINK", *ends, values, f"body={sent}", *idem, *join, *mine])
        else:
            lines += wrapped("return await links.unrelate", ["ctx", const, f"resources.{op.const}_LINK", *ends, *mine])
    elif mechanism == "accounts.login" and isinstance(op.detail, LoginPlan):
        table = op.resource.table.var
        login = op.detail
        args = [
            "ctx",
            const,
            "tables.runtime_sessions",
            f"tables.{table}.c[{literal(login.login_column)}]",
            f"tables.{table}.c[{literal(login.secret_column)}]",
        ]
        args += [f"body.{login.login_attr}", f"body.{login.secret_attr}", f"resources.{op.const}_SCOPES", *idem]
        lines += wrapped("return await accounts.login", args)
    elif mechanism == "accounts.logout":
        lines.append(f"return await accounts.logout(ctx, {const}, tables.runtime_sessions)")
    elif mechanism == "accounts.change_password" and isinstance(op.detail, PasswordPlan):
        table = op.resource.table.var
        detail = op.detail
        args = [
            "ctx",
            const,
            "tables.runtime_sessions",
            f"tables.{table}.c[{literal(detail.secret_column)}]",
            f"body.{detail.current_attr}",
            f"body.{detail.new_attr}",
        ]
        lines += wrapped("return await accounts.change_password", args)
    elif mechanism == "graph.path":
        to, depth = op.query("to"), op.query("max_depth")
        lines += wrapped("return await graph.path", ["ctx", const, key, to.py if to else "None", depth.py if depth else "1"])
    elif mechanism == "series.read":
        start, end = op.query("from"), op.query("to")
        lines += wrapped(
            "return await series.read", ["ctx", const, f"resources.{op.const}_SERIES", _params(op), start.py if start else "None", end.py if end else "None"]
        )
    elif mechanism == "ranking.read":
        limit = op.query("limit")
        lines += wrapped("return await ranking.read", ["ctx", const, f"resources.{op.const}_RANKING", limit.py if limit else "100"])
    elif mechanism == "objects.create_upload":
        lines += wrapped("return await objects.create_upload", ["ctx", const, f"resources.{op.const}_UPLOAD", "body.content_type", "body.bytes", *parent])
    elif mechanism == "objects.download_url":
        rendition = op.query("rendition")
        picked = [f"rendition={rendition.py}"] if rendition else []
        lines += wrapped("return await objects.download_url", ["ctx", const, key, f"resources.{op.const}_DOWNLOAD", *parent, *picked])
    elif mechanism == "objects.playback":
        chosen = [f"{name}={param.py}" for name in ("codec", "resolution", "offset") for param in [op.query(name)] if param]
        lines += wrapped("return await objects.playback", ["ctx", const, key, f"resources.{op.const}_PLAYBACK", *parent, *chosen])
    elif mechanism == "crud.redirect" and isinstance(op.detail, RedirectPlan):
        lines += wrapped("return await crud.redirect", ["ctx", const, key, literal(op.detail.location)])
    else:
        raise AssertionError(f"no route body for {mechanism}")
    return lines
