"""Geo-restricted items: a read from a country the item may not be shown in answers 451 (problem+json).

The edge geolocates the client's IP and sets the country header, replacing any value the
client sent, so the service trusts it. The check runs before the read (and before any cache),
on the item's own row (a JSON list of codes) or its child table (one code a row); every
answer of a restricted read varies by the header, so a shared cache keeps one copy per
country. A request with no country (one that did not pass the edge) is served an item that
only blocks, and refused one that is only allowed somewhere.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import exists, select

from .access import reading
from .db import one
from .problems import Problem
from .resources import Operation
from .services import Context


async def refuse(ctx: Context, op: Operation, key: Any) -> None:
    """Raise 451 when the caller's country may not see the item ``key`` names; add ``Vary`` to every answer of the read."""
    rule = op.countries
    if rule is None:
        return
    ctx.headers["Vary"] = rule.header
    country = (ctx.request.headers.get(rule.header) or "").strip().upper()[:2]
    listed = False
    resource = op.resource
    async with reading(ctx, resource) as conn:
        if rule.item_column is None:
            row = one(await conn.execute(select(rule.column).where(resource.lookup == key)))
            codes = row[rule.column.name] if row is not None else None
            if isinstance(codes, str):
                codes = json.loads(codes)
            listed = bool(country) and isinstance(codes, list) and country in {str(c).upper() for c in codes}
        elif country:
            item = select(resource.key).where(resource.lookup == key).scalar_subquery()
            listed = bool((await conn.execute(select(exists().where(rule.item_column == item, rule.column == country)))).scalar())
    if listed == (rule.mode == "blocked") and (country or rule.mode == "allowed"):
        raise Problem(451, f"This {resource.name} may not be shown in {country or 'an unknown country'}.", headers={"Vary": rule.header})
