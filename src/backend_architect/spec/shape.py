"""The shape of the spec language, read off its models: which keys each mapping may hold.

The loader walks a document with it to report every unknown key at once (with the
closest known one), and to drop them so the rest of the document is still validated.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from backend_architect.spec.field_types import suggest
from backend_architect.spec.positions import Path, Positions
from backend_architect.spec.problems import Problem


def _models(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """How a field holds models: ``("one", M)``, ``("map", M)``, ``("list", M)``, or None for plain values."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _models(arg)
            if found:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("one", annotation)
    if origin is dict:
        inner = _models(typing.get_args(annotation)[1])
        return ("map", inner[1]) if inner and inner[0] == "one" else None
    if origin is list:
        inner = _models(typing.get_args(annotation)[0])
        return ("list", inner[1]) if inner and inner[0] == "one" else None
    return None


def _keys(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def unknown_keys(data: Any, model: type[BaseModel], positions: Positions, path: Path = ()) -> Iterator[Problem]:
    """Every key of ``data`` that ``model`` (and the models inside it) does not know, removed from ``data``."""
    if not isinstance(data, dict):
        return
    known = _keys(model)
    for key in list(data):
        if key in known:
            continue
        hint = suggest(str(key), known - {"notes"})
        listed = ", ".join(k for k in model.model_fields if k != "notes")
        yield Problem((*path, key), f"unknown key '{key}'{hint or f' (expected one of: {listed})'}", at_key=True)
        value = data.pop(key)
        meant = hint.split("'")[1] if hint else None
        if meant is not None and meant not in data and model.model_fields[meant].is_required():
            # read a misspelt required key as the one it resembles, so its contents are still checked
            data[meant] = value
            positions.move((*path, meant), (*path, key))
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        holder = _models(info.annotation)
        if holder is None:
            continue
        how, inner = holder
        value = data[name]
        if how == "one":
            yield from unknown_keys(value, inner, positions, (*path, name))
        elif how == "map" and isinstance(value, dict):
            for key, item in value.items():
                yield from unknown_keys(item, inner, positions, (*path, name, key))
        elif how == "list" and isinstance(value, list):
            for i, item in enumerate(value):
                yield from unknown_keys(item, inner, positions, (*path, name, i))
