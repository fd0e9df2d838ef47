"""The service's runtime: configuration, database, auth, limits, errors, pagination, outbox, jobs.

Generated once for every deployable by backend-architect and owned by it: the modules under
``modules/`` call these helpers, and ``scaffold`` rewrites them when the generator improves.
"""

import re

from starlette.convertors import Convertor, register_url_convertor


class PathSegment(Convertor[str]):
    """A path parameter that stops at ``:``, so ``/orders/{order_id}`` never swallows ``/orders/7:cancel``.

    Custom methods (``POST /orders/{order_id}:cancel``) share their prefix with the item's
    path; with Starlette's default convertor a GET on the custom method's path would be
    routed to the item (a 400 for a malformed id) instead of answered 405.
    """

    regex = "[^/:]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class SegmentExcept(PathSegment):
    """A path parameter that is not one of the static segments beside it (``/books/{book_id}`` never matches ``/books/search``).

    A read with a path of its own (``GET /books/search``) shares its prefix with the item's
    path; a PATCH there must be answered 405 (the path has no PATCH), not routed to the item
    as a malformed id.
    """

    def __init__(self, words: tuple[str, ...]) -> None:
        self.regex = "(?!(?:" + "|".join(re.escape(w) for w in words) + ")(?:[/:]|$))[^/:]+"


def segment_convertor(*words: str) -> str:
    """The name of a convertor for a parameter that is none of ``words`` (registered on first use)."""
    name = "segment_not_" + "_".join(sorted(re.sub(r"[^A-Za-z0-9]", "_", w) for w in words))
    register_url_convertor(name, SegmentExcept(words))
    return name


register_url_convertor("segment", PathSegment())
