"""Names in the generated code: every name read from a design becomes a safe Python identifier or literal.

Nothing from the design is pasted into code as it is: identifiers pass ``identifier()``,
strings go through ``repr`` (``literal``), so a name such as ``class`` or ``order-line``
yields valid code and a string with quotes stays a string.
"""

from __future__ import annotations

import keyword
import re
import sys
from typing import Any

#: Attribute names pydantic models already use; a field with one of these names is aliased.
_MODEL_ATTRIBUTES = frozenset(
    {"copy", "dict", "json", "schema", "validate", "construct", "fields", "parse_obj", "parse_raw", "from_orm", "update_forward_refs"}
)


def snake(text: str) -> str:
    """Lower snake case of any name.

    >>> snake("Fleet Telemetry"), snake("list-my orders"), snake("OrderLine"), snake("alert-rules:read"), snake("listReviewsOfABook")
    ('fleet_telemetry', 'list_my_orders', 'order_line', 'alert_rules_read', 'list_reviews_of_a_book')
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def kebab(text: str) -> str:
    """
    >>> kebab("Fleet Telemetry")
    'fleet-telemetry'
    """
    return snake(text).replace("_", "-")


def identifier(text: str, *, avoid: frozenset[str] = frozenset()) -> str:
    """A valid Python identifier for ``text``: snake case, never a keyword, never starting with a digit.

    >>> identifier("class"), identifier("2fa code"), identifier("")
    ('class_', 'n_2fa_code', 'x')
    """
    name = snake(text) or "x"
    if name[0].isdigit():
        name = "n_" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in avoid:
        name += "_"
    return name


def constant(text: str) -> str:
    """
    >>> constant("browseBooks")
    'BROWSE_BOOKS'
    """
    return identifier(text).upper()


def pascal(text: str) -> str:
    """
    >>> pascal("book_create"), pascal("BookCreate")
    ('BookCreate', 'BookCreate')
    """
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", text):
        return text
    return "".join(part.capitalize() for part in identifier(text).split("_")) or "X"


#: Module names the generated project uses besides its package: its tests' helpers and its own parts.
_TAKEN = frozenset({"core", "tests", "app", "checks", "conftest", "contract", "design", "keys", "mechanisms", "postgres", "seeding", "support"})


def package(text: str) -> str:
    """A top-level package name that shadows no standard-library module and none of the tests' helpers.

    >>> package("bookstore"), package("email"), package("Fleet Telemetry"), package("mechanisms")
    ('bookstore', 'email_service', 'fleet_telemetry', 'mechanisms_service')
    """
    name = identifier(text)
    return name + "_service" if name in sys.stdlib_module_names or name in _TAKEN else name


def field_name(text: str) -> str:
    """The Python attribute for a schema property (aliased in the model when it differs).

    >>> field_name("price"), field_name("schema"), field_name("model_type"), field_name("e-mail")
    ('price', 'schema_', 'model_type_', 'e_mail')
    """
    name = identifier(text, avoid=_MODEL_ATTRIBUTES)
    return name + "_" if name.startswith("model_") else name


def literal(value: Any) -> str:
    """A Python literal for a JSON-shaped value (strings via repr, so quotes and backslashes stay data).

    >>> print(literal("it's"), literal('a "b"'), literal("x\\ny"), literal(None))
    "it's" 'a "b"' "x\\ny" None
    """
    if isinstance(value, str):
        text = repr(value)
        return '"' + text[1:-1] + '"' if text.startswith("'") and '"' not in value else text
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + literal(value[0]) + ",)" if len(value) == 1 else "(" + ", ".join(literal(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def doc(text: object) -> str:
    """Design text made safe inside a triple-quoted docstring: one line, no backslash escapes, no closing quotes.

    >>> print(doc('say "hi"'), doc("C:\\\\New\\n  line"))
    say 'hi' C:/New line
    """
    flat = " ".join(str(text).replace("\\", "/").split())
    return flat.replace('"', "'")
