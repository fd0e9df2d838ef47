"""A pushed row shows strangers what a read shows them: its personal (pii) fields stay with the people the row names.

A read answering rows that may be other users' leaves out their pii fields (``design.api.personal_views``: the
public view of a driver has no phone). A real-time push is a read the server makes on the recipient's behalf, so it
follows the same rule, or the live-location stream hands every customer the phone number the nearby search withholds.
Whom a row may show its personal fields to is read off its route (``Route.parties``): the people it names through its
own references (a trip's customer, a receipt's message's sender), the members of the room it belongs to, a person's
own channel. Anyone else (an item's watchers, the whole stream, the people a proximity query picks, a person named on
another row) gets the row without them: the channel's message leaves them out, the gateway's document types the
message without them, and the bytes it sends are counted without them.
"""

from __future__ import annotations

from backend_architect.design.patterns._routes import Route
from backend_architect.ir.model import Table


def withheld_fields(table: Table | None, where: Route) -> list[str]:
    """The pii columns of ``table`` a push on ``where`` leaves out: all of them unless the row names its recipients.

    >>> from backend_architect.ir.model import Column
    >>> table = Table(name="drivers", entity="Driver", columns=[Column(name="id", type="uuid"),
    ...     Column(name="phone", type="text", pii=True)], primary_key=["id"])
    >>> stranger = Route("Customer", "customers/{customer_id}/drivers", "customer-drivers", 1.0, "to: Trip.customer", True)
    >>> withheld_fields(table, stranger), withheld_fields(table, Route("Driver", "drivers/{driver_id}", "d", 1.0, "own", True, parties=True))
    (['phone'], [])
    """
    if table is None or where.parties:
        return []
    return [c.name for c in table.columns if c.pii]


__all__ = ["withheld_fields"]
