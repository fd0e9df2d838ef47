"""Every key of the language, given a wrong value, gets a message that names the key and what it takes.

The cases are generated from the models themselves, so a key added later is covered
without anyone remembering to: the test puts wrong values of several shapes into every
key of every part of a spec and checks each message.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from pydantic import BaseModel

from backend_architect.errors import InputError
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.messages import EXAMPLES
from backend_architect.spec.model import (
    ConstraintsSpec,
    DecisionOverride,
    DeliverSpec,
    EntitySpec,
    ExternalSpec,
    FieldSpec,
    MediaSpec,
    PageSpec,
    PresenceSpec,
    ScaleSpec,
    SeriesSpec,
    ServiceSpec,
    Spec,
    TeamSpec,
    TopSpec,
    TraverseSpec,
    UseCaseSpec,
)

VALID: dict[str, Any] = {
    "system": "shop",
    "scale": {"users": "2M"},
    "team": {"size": 3},
    "constraints": {"language": "python"},
    "external": {"stripe": {"kind": "payment"}},
    "entities": {
        "Book": {"fields": {"title": {"type": "string"}, "cover": {"type": "blob", "media": {"thumbnails": True}}, "sold": "int"}},
        "Author": {"fields": {"name": "string"}, "presence": {"offline_after": "30s"}},
        "Follow": {"fields": {"follower": "ref(Author)", "followee": "ref(Author)"}},
    },
    "use_cases": [
        {
            "name": "browse books",
            "reads": ["Book"],
            "page": {"style": "cursor"},
            "top": {"by": "count", "field": "title"},
            "series": {"field": "sold"},
            "traverse": {"via": "Follow.followee"},
            "deliver": {"mode": "realtime"},
        }
    ],
    "services": {"catalog": {"owns": ["Book", "Author", "Follow"]}},
    "decisions": {"messaging": {"choose": "Apache Kafka", "reason": "the platform runs it"}},
}

#: Where each part of the language sits in VALID, and the section its examples are under.
PARTS: list[tuple[type[BaseModel], tuple[str | int, ...], str]] = [
    (Spec, (), "spec"),
    (ScaleSpec, ("scale",), "scale"),
    (TeamSpec, ("team",), "team"),
    (ConstraintsSpec, ("constraints",), "constraints"),
    (ExternalSpec, ("external", "stripe"), "external"),
    (EntitySpec, ("entities", "Book"), "entity"),
    (FieldSpec, ("entities", "Book", "fields", "title"), "field"),
    (UseCaseSpec, ("use_cases", 0), "use_case"),
    (PageSpec, ("use_cases", 0, "page"), "page"),
    (TopSpec, ("use_cases", 0, "top"), "top"),
    (SeriesSpec, ("use_cases", 0, "series"), "series"),
    (TraverseSpec, ("use_cases", 0, "traverse"), "traverse"),
    (DeliverSpec, ("use_cases", 0, "deliver"), "deliver"),
    (PresenceSpec, ("entities", "Author", "presence"), "presence"),
    (MediaSpec, ("entities", "Book", "fields", "cover", "media"), "media"),
    (ServiceSpec, ("services", "catalog"), "service"),
    (DecisionOverride, ("decisions", "messaging"), "decision"),
]

WRONG_VALUES: list[Any] = [{"nested": {"deep": 1}}, [["a"], ["b"]], "?!?", -7, True]

#: Words that say what a key takes.
EXPECTING = ("e.g.", "expected", "takes", "write ", "as in", "did you mean", "needs", "must", "is not")


def _set(document: dict[str, Any], path: tuple[str | int, ...], key: str, value: Any) -> None:
    node: Any = document
    for part in path:
        node = node[part]
    node[key] = value


def _cases() -> list[Any]:
    cases = []
    for model, path, section in PARTS:
        for key in model.model_fields:
            if key == "notes":
                continue
            cases.append(pytest.param(model, path, section, key, id=f"{section}.{key}"))
    return cases


@pytest.mark.parametrize(("model", "path", "section", "key"), _cases())
def test_wrong_value_names_key_and_expectation_err(model: type[BaseModel], path: tuple[str | int, ...], section: str, key: str) -> None:
    """Wrong values of every shape in this key give messages naming the key and what it takes (or load, if the shape is valid)."""
    import yaml

    refused = 0
    for wrong in WRONG_VALUES:
        document = copy.deepcopy(VALID)
        _set(document, path, key, wrong)
        try:
            load_spec_bytes(yaml.safe_dump(document).encode(), "spec.yaml")
        except InputError as exc:
            refused += 1
            for line in str(exc).splitlines():
                message = line.split(": ", 1)[1]
                assert any(word in message for word in EXPECTING), line
                # the key, the wrong name inside the value, or the required key the value lacks
                assert re.search(r"'[^']+'", message) or "no service owns" in message, line
    assert refused, f"{section}.{key} accepted every wrong value"


def test_every_key_has_an_example_ok() -> None:
    """Each key of each part of the language has an example of its right form."""
    missing = [f"{section}.{key}" for model, _path, section in PARTS for key in model.model_fields if key not in EXAMPLES.get(section, {})]
    assert missing == []
