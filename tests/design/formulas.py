"""Recompute a figure from the formula it states: the formula text is evaluated, so the text and the value cannot drift apart.

A formula is arithmetic over its inputs' names (``x`` multiplies, ``^`` raises, ``ceil``,
``floor``, ``max``, ``min``, ``log62``), optionally followed by ``with a = ..., b = ...``
definitions and a trailing note in parentheses. Aggregates say so in words ("sum of ...": the
inputs are the terms; "max over databases of E": E over the busiest database's inputs). The
few formulas that are prose by nature (a conditional, an argmin) are listed in ``PROSE`` with
their recomputation; any other formula that does not evaluate is an error, not a skip.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping

from backend_architect.ir.model import Figure

FUNCTIONS: dict[str, Callable[..., float]] = {"ceil": math.ceil, "floor": math.floor, "max": max, "min": min, "log62": lambda v: math.log(v, 62)}
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.Load, ast.operator, ast.unaryop)


def _grown_rows(i: Mapping[str, float]) -> float:
    """Rows after ``years``: a year's rows compounded by ``growth`` per whole year, the last part-year pro rata."""
    whole = math.floor(i["years"])
    per_year = i["rows_per_day"] * 365
    added = sum(per_year * (1 + i["growth"]) ** k for k in range(whole)) + per_year * (1 + i["growth"]) ** whole * (i["years"] - whole)
    return i["rows_now"] + added


def _geohash_precision(i: Mapping[str, float]) -> float:
    """The geohash precision reading the fewest pages, recomputed from the cell sizes."""
    from backend_architect.design.patterns.geo import GEOHASH_KM

    radius, density, per_page = i["radius_km"], i["density"], i["entries_per_page"]
    pages = {p: (c := (math.ceil(2 * radius / w) + 1) * (math.ceil(2 * radius / h) + 1)) + density * c * w * h / per_page for p, (w, h) in GEOHASH_KM.items()}
    return min(pages, key=lambda p: (pages[p], p))


def _paired(i: Mapping[str, float], suffix: str, other: str) -> float:
    return sum(v * i[k.removesuffix(suffix) + other] for k, v in i.items() if k.endswith(suffix))


#: Formulas stated in words, each with its recomputation (a new one must be added here or made arithmetic).
PROSE: dict[str, Callable[[Mapping[str, float]], float]] = {
    "rows_now + rows_per_day x 365 x sum((1+growth)^k for each year)": _grown_rows,
    "argmin over precision of cells + candidates / entries_per_page": _geohash_precision,
    "0 with a synchronous standby, else wal_archive_s": lambda i: 0.0 if i["standbys"] else i["wal_archive_s"],
    "2 when sharded, else the standbys of the cheapest level whose composite meets the target": lambda i: (
        2.0 if i["sharded"] else next((float(n) for n in (0, 1, 2) if i[f"composite_{n}_standbys"] >= i["target"]), 2.0)
    ),
    "product of the parts' availabilities": lambda i: math.prod(i.values()),
    "min(nodes, sum(out_degree^i, i <= depth))": lambda i: min(i["nodes"], sum(i["out_degree"] ** k for k in range(1, int(i["depth"]) + 1))),
    "min(nodes, sum(out_degree^i, i <= ceil(depth/2)) + sum(out_degree^i, i <= floor(depth/2)))": lambda i: min(
        i["nodes"],
        sum(i["out_degree"] ** k for k in range(1, math.ceil(i["depth"] / 2) + 1))
        + sum(i["out_degree"] ** k for k in range(1, math.floor(i["depth"] / 2) + 1)),
    ),
    "sum over hops i < depth of min(out_degree^i, shards)": lambda i: sum(min(i["out_degree"] ** k, i["shards"]) for k in range(int(i["hops"]))),
    "sum over tables of rows x blob bytes per row": lambda i: _paired(i, "_rows", "_bytes_per_row"),
    "sum over tables of rows x blob and body bytes per row": lambda i: _paired(i, "_rows", "_bytes_per_row"),
    "sum over tables of rows x blob bytes per row + the outputs processed from them": lambda i: (
        _paired(i, "_rows", "_bytes_per_row") + sum(v for k, v in i.items() if not k.endswith(("_rows", "_bytes_per_row")))
    ),
    "sum over the deliveries the gateway also makes of publishes x recipients": lambda i: sum(
        v * i["recipients_" + k.removeprefix("publishes_")] for k, v in i.items() if k.startswith("publishes_")
    ),
    "sum over channels of min(deliveries, publishes x nodes)": lambda i: sum(
        min(v, i["publishes_" + k.removeprefix("deliveries_")] * i["nodes"]) for k, v in i.items() if k.startswith("deliveries_")
    ),
    "max over databases and shard maps of their read replicas": lambda i: max(i.values(), default=0.0),
    "sum over channels of deliveries x (payload_bytes + framing_bytes)": lambda i: sum(
        v * (i["payload_bytes_" + k.removeprefix("deliveries_")] + i["framing_bytes"]) for k, v in i.items() if k.startswith("deliveries_")
    ),
}

#: Aggregates whose inputs are their terms, already multiplied out per term.
_SUMS = re.compile(r"^sum (of|over \w+ of) ")


def _arithmetic(text: str, names: Mapping[str, float]) -> float | None:
    """``text`` evaluated over ``names``, or None when it is not arithmetic over them."""
    try:
        tree = ast.parse(text.replace(" x ", " * ").replace("^", "**"), mode="eval")
    except SyntaxError:
        return None
    if not all(isinstance(node, _ALLOWED) for node in ast.walk(tree)):
        return None
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if used - set(names) - set(FUNCTIONS):
        return None
    # safe to evaluate: only names, numbers, operators and calls of FUNCTIONS pass _ALLOWED and the name check
    return float(eval(compile(tree, "<formula>", "eval"), {"__builtins__": {}}, {**FUNCTIONS, **names}))


def _with_definitions(text: str, inputs: Mapping[str, float]) -> tuple[str, dict[str, float]] | None:
    """Split ``E with a = A, b = B`` into E and the inputs extended by a and b (each evaluated in turn)."""
    head, _, tail = text.partition(" with ")
    names = dict(inputs)
    for part in tail.split(", "):
        name, eq, value = part.partition(" = ")
        result = _arithmetic(value, names) if eq else None
        if result is None:
            return None
        names[name.strip()] = result
    return head, names


def _without_note(text: str) -> str:
    """``text`` without a trailing parenthesised note in words ("(Little's law, 2x headroom)")."""
    found = re.match(r"^(.*\S)\s+\(([^()]*)\)$", text)
    return found.group(1) if found else text


def recompute(figure: Figure) -> float | None:
    """The value ``figure``'s formula gives from its inputs; None when the formula cannot be read."""
    formula, inputs = figure.formula.strip(), dict(figure.inputs)
    if formula in PROSE:
        return float(PROSE[formula](inputs))
    if formula.startswith("decided by the spec author"):
        return None
    for text in dict.fromkeys((formula, _without_note(formula))):
        if text in PROSE:
            return float(PROSE[text](inputs))
        if _SUMS.match(text):
            return float(sum(inputs.values()))
        body = text.removeprefix("max over databases of ")
        if " with " in body:
            split = _with_definitions(body, inputs)
            if split is not None:
                value = _arithmetic(*split)
                if value is not None:
                    return value
        value = _arithmetic(body, inputs)
        if value is not None:
            return value
    return None
