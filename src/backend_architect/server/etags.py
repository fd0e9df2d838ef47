"""Entity tags and the conditional headers that carry them, compared as RFC 9110 (section 13.1) says.

``If-Match`` uses the strong comparison (a weak tag never matches), ``If-None-Match`` the weak
one (``W/"x"`` matches ``"x"``); both take a comma-separated list, or ``*`` for "any current
version". A header that is not a list of entity tags is refused (400), not read as a miss.
"""

from __future__ import annotations

import re

#: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text
_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


class BadConditional(ValueError):
    """A conditional header that is neither ``*`` nor a list of entity tags."""


def parse(header: str) -> list[tuple[bool, str]] | None:
    """The (weak, opaque tag) pairs of a header; None for ``*``.

    >>> parse('W/"a", "b"'), parse(" * ")
    ([(True, '"a"'), (False, '"b"')], None)
    """
    text = header.strip()
    if text == "*":
        return None
    tags, position = [], 0
    while position < len(text):
        match = _TAG.match(text, position)
        if match is None or match.end() == position:
            raise BadConditional(f"not a list of entity tags: {header[:80]!r}")
        tags.append((match[1] is not None, match[2]))
        position = match.end()
    if not tags:
        raise BadConditional("an empty list of entity tags")
    return tags


def if_match(header: str, current: str) -> bool:
    """Whether ``If-Match: header`` lets a change to the resource tagged ``current`` (a strong tag) go ahead.

    >>> if_match('"v2"', '"v2"'), if_match('W/"v2"', '"v2"'), if_match('"v1", "v2"', '"v2"'), if_match("*", '"v2"')
    (True, False, True, True)
    """
    tags = parse(header)
    return tags is None or any(not weak and tag == current for weak, tag in tags)


def if_none_match(header: str, current: str) -> bool:
    """Whether ``If-None-Match: header`` names the current version (so a GET answers 304).

    >>> if_none_match('W/"v2"', '"v2"'), if_none_match('"v1"', '"v2"'), if_none_match("*", '"v2"')
    (True, False, True)
    """
    tags = parse(header)
    return tags is None or any(tag == current for _, tag in tags)
