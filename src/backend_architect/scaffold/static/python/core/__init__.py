"""The service's runtime: configuration, database, auth, limits, errors, pagination, outbox, jobs.

Generated once for every deployable by backend-architect and owned by it: the modules under
``modules/`` call these helpers, and ``scaffold`` rewrites them when the generator improves.
"""

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


register_url_convertor("segment", PathSegment())
