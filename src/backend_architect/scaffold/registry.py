"""What a module declares for its workers and adapters: GEO sets, search documents, feeds, rankings, media and channels.

Each entry is a snippet of the module's ``resources.py`` built from the operation plans; the
application gathers them from every module (``app.py``) for the backends and the workers.
"""

from __future__ import annotations

from typing import Any

from backend_architect.scaffold.code import col, ref
from backend_architect.scaffold.naming import literal
from backend_architect.scaffold.plan import ModulePlan
from backend_architect.scaffold.plan_reads import FeedPlan, NearPlan, RankingPlan
from backend_architect.scaffold.tests_data import where_values


def _events_for(module: ModulePlan, entity: str, consumer: str) -> tuple[str, ...]:
    """The module's events about ``entity`` that ``consumer`` (a worker the design names) consumes."""
    design = {e.name: e for e in module_design_events(module)}
    return tuple(sorted(e.name for e in module.events if (d := design.get(e.name)) is not None and consumer in d.consumers and d.entity == entity))


def module_design_events(module: ModulePlan) -> list[Any]:
    return list(module.service_events)


def _call(head: str, args: list[str]) -> str:
    """``head(a, b)``, or one argument a line (indented for an item of a module-level tuple) when that would be long."""
    flat = f"{head}({', '.join(args)})"
    if len(flat) <= 140:
        return flat
    return f"{head}(\n" + "".join(f"        {a},\n" for a in args) + "    )"


def declarations(module: ModulePlan) -> str:
    """``GEO_SETS = (...)`` and the other registries, one item a line."""
    lines = []
    for name, items in module_registry(module).items():
        if not items:
            lines.append(f"{name.upper()}: tuple[Any, ...] = ()")
            continue
        lines.append(f"{name.upper()} = (")
        lines += [f"    {item}," for item in items]
        lines.append(")")
    return "\n".join(lines)


def module_registry(module: ModulePlan) -> dict[str, list[str]]:
    """Snippets for ``GEO_SETS``, ``SEARCHES``, ``FEEDS``, ``RANKINGS``, ``MEDIA`` and ``CHANNELS`` of a module."""
    out: dict[str, list[str]] = {"geo_sets": [], "searches": [], "feeds": [], "rankings": [], "media": [], "channels": [], "reactions": []}
    for op in module.operations:
        if op.gap is not None:
            continue
        res = op.resource
        if isinstance(op.detail, NearPlan) and op.detail.geo_key:
            members = where_values(" AND ".join(op.listing.where))
            out["geo_sets"].append(f"GeoSet({res.var}, {op.const}.near, {literal(members)})")
        if op.listing.engine:
            out["searches"].append(_call("Indexed", [res.var, f"{op.const}.search", literal(_events_for(module, res.entity, "search-indexer"))]))
        if isinstance(op.detail, FeedPlan):
            out["feeds"].append(f"FeedSpec({op.const}, {literal(_events_for(module, res.entity, op.detail.worker))})")
        if isinstance(op.detail, RankingPlan) and op.detail.sorted_set:
            out["rankings"].append(f"({res.var}, {op.const}_RANKING)")
    for media in module.media:
        table = media.table
        store = f"{module.schema or ''}.{module.runtime_names['objects']}"
        args = [table, col(table, media.key), col(table, media.field), col(table, media.status), media.renditions]
        outputs = literal(media.outputs)
        if len(outputs) > 100:
            outputs = "(\n" + "".join(f"            {literal(o)},\n" for o in media.outputs) + "        )"
        out["media"].append(_call("Processed", [*args, literal(media.owner), outputs, f"domain.{media.hook}", literal(store)]))
    for channel in module.channels:
        rate_key = "ip" if channel.auth == "none" else "subject"
        policy = f"Policy({literal('realtime:' + channel.name)}, {literal(channel.auth)}, {literal(channel.scopes)}, 'read', 0, 0, {literal(rate_key)})"
        args = [literal(channel.address), literal(channel.events), literal(channel.transport), policy]
        if channel.scope:
            args.append(f"scope={channel.scope}")
        if channel.owner:
            args.append(f"owner={ref(channel.owner)}")
        if channel.subject_param:
            args.append(f"subject_param={literal(channel.subject_param)}")
        out["channels"].append(_call("Channel", args))
    for reaction in module.reactions:
        args = [literal(reaction.use_case), literal(reaction.events), reaction.resource, literal(dict(reaction.from_event)), literal(dict(reaction.values))]
        out["reactions"].append(_call("Reaction", [*args, literal(reaction.stamped), "runtime_deliveries"]))
    return out


def runtime_tables(module: ModulePlan) -> list[str]:
    """The runtime tables (variables of ``tables.py``) the module's resources refer to."""
    names = ["runtime_deliveries"]
    if "sessions" in module.runtime:
        names.append("runtime_sessions")
    if "presence" in module.runtime:
        names.append("runtime_presence")
    return names
