"""``backend-architect fmt``: a spec rewritten in its canonical spelling, comments and layout kept.

The same spelling rules the loader applies (``normalize.SPELLING_RULES``) are applied to
a round-trip YAML tree, so a loose spec (``belongs_to: [User]``, ``order_by: created_at
desc``, ``auth: public``) can be normalised once and committed. Meaning never changes:
the formatted spec designs exactly like the original, which the tests check.
"""

from __future__ import annotations

import io
from typing import Any

from backend_architect.errors import InputError, Location
from backend_architect.spec.load import load_spec_bytes, quote_flow_types
from backend_architect.spec.normalize import SPELLING_RULES, Context
from backend_architect.spec.positions import Positions


def format_spec(raw: bytes, name: str = "<spec>") -> str:
    """The canonical text of the spec in ``raw``; raises ``InputError`` when the spec is not valid."""
    load_spec_bytes(raw, name)  # only a valid spec is rewritten: the loader has located every problem
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    text = raw.decode("utf-8-sig")
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    try:
        document: Any = yaml.load(text)
    except YAMLError:
        document = yaml.load(quote_flow_types(text)[0])
    if not isinstance(document, dict):
        raise InputError(Location(name), "a spec is a mapping with at least 'system' and 'entities'")
    context = Context(Positions(name))
    for rule in SPELLING_RULES:
        rule(document, context)
    out = io.StringIO()
    yaml.dump(_flow_new_parts(document), out)
    return out.getvalue()


def _flow_new_parts(node: Any) -> Any:
    """Lists and mappings of plain values that a rule wrote are emitted inline, as an author writes them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap | CommentedSeq):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            node[key] = _flow_new_parts(value)
        return node
    if isinstance(node, list | dict):
        plain = all(not isinstance(v, list | dict) for v in (node.values() if isinstance(node, dict) else node))
        converted: Any = (
            CommentedMap((k, _flow_new_parts(v)) for k, v in node.items()) if isinstance(node, dict) else CommentedSeq(_flow_new_parts(v) for v in node)
        )
        if plain:
            converted.fa.set_flow_style()
        return converted
    return node
