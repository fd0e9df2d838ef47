"""English noun number, for resource names: one answer for the designer and the reviewer.

The designer names tables and collections in the plural (``order_lines``, ``/people``); the
reviewer asks whether a path segment is plural. If each had its own rules, the reviewer
would call the designer's own ``/people`` singular. Both go through ``pluralizer`` (a port
of the ``pluralize`` library: ordered rules, irregular words such as person/people, and
uncountable ones such as news, media, equipment). ``inflect`` was measured too and takes
seconds to import (typeguard instruments it at import), which every review would pay.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

_WORDS = re.compile(r"[-_]|(?<=[a-z0-9])(?=[A-Z])")


@cache
def _engine() -> Any:
    from pluralizer import Pluralizer

    return Pluralizer()  # type: ignore[no-untyped-call]


def split_last(name: str) -> tuple[str, str]:
    """A compound name as (everything before its last word, its last word); snake, kebab, camel and Pascal case.

    >>> split_last("order_line"), split_last("shipping-address"), split_last("MessagingService"), split_last("pets")
    (('order_', 'line'), ('shipping-', 'address'), ('Messaging', 'Service'), ('', 'pets'))
    """
    parts = list(_WORDS.finditer(name))
    if not parts:
        return "", name
    last = parts[-1]
    return name[: last.end()], name[last.end() :]


@lru_cache(maxsize=65_536)
def plural(name: str) -> str:
    """The plural of a name: its last word made plural, the rest kept.

    >>> [plural(w) for w in ["book", "category", "address", "status", "key", "person", "order_line", "media"]]
    ['books', 'categories', 'addresses', 'statuses', 'keys', 'people', 'order_lines', 'media']
    """
    head, last = split_last(name)
    return head + str(_engine().plural(last)) if last else name


@lru_cache(maxsize=65_536)
def singular(name: str) -> str:
    """The singular of a name: its last word made singular.

    >>> [singular(w) for w in ["books", "people", "order_lines", "statuses"]]
    ['book', 'person', 'order_line', 'status']
    """
    head, last = split_last(name)
    return head + str(_engine().singular(last)) if last else name


@lru_cache(maxsize=65_536)
def is_plural(name: str) -> bool:
    """Whether a name reads as plural (or is a word with no plural, such as ``news``): by its last word.

    >>> [is_plural(w) for w in ["pets", "people", "person", "codes_of_conduct", "news", "AddOnResults", "history"]]
    [True, True, False, True, True, True, False]
    """
    words = [w for w in _WORDS.split(name) if w]
    if len(words) > 2 and words[-2].lower() == "of":
        words = words[:-2]  # codes_of_conduct: the noun before "of" carries the number
    last = words[-1].lower() if words else name.lower()
    return bool(_engine().is_plural(last))
