"""An item restricted per country is refused where it is read: 451 (problem+json), shared caches keyed by country, the check and its cost stated.

Specs of different shapes, written as a user would: a JSON list of blocked countries on the row, a child entity with one
country a row (part of the item, and with the item as its only reference), an allow list, the spec's ``countries`` key on a
field whose name says nothing; and a user's country, which restricts nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.rules.registry import DESIGN_RULES, review
from backend_architect.spec.load import load_spec_bytes

LIST_ON_ROW = """
system: films
entities:
  Film: {fields: {title: string(200), blocked_countries: json}, rows: 1M}
use_cases:
  - {name: add film, writes: [Film], rate: 1k/day}
  - {name: watch film, kind: get, auth: none, reads: [Film], rate: 20M/day, consistency: eventual, staleness: 60s}
  - {name: browse films, kind: list, reads: [Film], rate: 1M/day}
"""
CHILD_PART_OF = """
system: videos
entities:
  Video:
    fields:
      title: string(200)
      data: {type: blob, avg_bytes: 50MB, media: {transcode: [h264], renditions: [720p]}}
  GeoBlock: {part_of: Video, fields: {country: string(2)}, unique: [[video, country]]}
use_cases:
  - {name: upload video, writes: [Video], rate: 10k/day}
  - {name: block video, writes: [GeoBlock], rate: 1k/day}
  - {name: get video, kind: get, reads: [Video], rate: 5M/day}
"""
CHILD_BY_REFERENCE = """
system: songs
entities:
  Song: {fields: {title: string(200), audio: {type: blob, avg_bytes: 5MB}}}
  CountryRestriction: {fields: {song: ref(Song), country: string(2)}}
use_cases:
  - {name: add song, writes: [Song], rate: 1k/day}
  - {name: restrict song, writes: [CountryRestriction], rate: 100/day}
  - {name: play song, kind: get, reads: [Song], rate: 1M/day}
"""
ALLOW_LIST = """
system: games
entities:
  Game: {fields: {name: string(100), licensed_countries: json}}
use_cases:
  - {name: publish game, writes: [Game], rate: 100/day}
  - {name: open game, kind: get, reads: [Game], rate: 100k/day}
"""
KEY_STATED = """
system: courses
entities:
  Course: {fields: {title: string(200), embargo: {type: json, countries: blocked}}}
use_cases:
  - {name: add course, writes: [Course], rate: 100/day}
  - {name: view course, kind: get, reads: [Course], rate: 100k/day}
"""
USER_COUNTRY = """
system: shop
entities:
  User: {fields: {name: string(80), country: string(2)}}
  Item: {fields: {title: string(200), seller: ref(User)}}
use_cases:
  - {name: list item, writes: [Item], rate: 1k/day}
  - {name: view item, kind: get, reads: [Item], rate: 100k/day}
  - {name: view user, kind: get, reads: [User], rate: 10k/day}
"""


def _design(text: str) -> tuple[Architecture, dict[str, Any]]:
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    return result.architecture, {p: yaml.safe_load(t) for p, t in sorted(result.files.items()) if p.startswith("openapi/")} | {
        "design.md": result.files["design.md"]
    }


@pytest.mark.parametrize(
    ("text", "item", "mode", "where", "reads"),
    [
        pytest.param(LIST_ON_ROW, "Film", "blocked", ("films", "blocked_countries", None), {"/films/{film_id}"}, id="json-list-on-the-row"),
        pytest.param(
            CHILD_PART_OF, "Video", "blocked", ("geo_blocks", "country", "video_id"), {"/videos/{video_id}", "/videos/{video_id}/playback"}, id="child-part-of"
        ),
        pytest.param(
            CHILD_BY_REFERENCE,
            "Song",
            "blocked",
            ("country_restrictions", "country", "song_id"),
            {"/songs/{song_id}", "/songs/{song_id}/download-url"},
            id="child-by-its-one-reference",
        ),
        pytest.param(ALLOW_LIST, "Game", "allowed", ("games", "licensed_countries", None), {"/games/{game_id}"}, id="allow-list"),
        pytest.param(KEY_STATED, "Course", "blocked", ("courses", "embargo", None), {"/courses/{course_id}"}, id="countries-key-on-a-plain-name"),
    ],
)
def test_restricted_item_is_refused_where_it_is_read_ok(text: str, item: str, mode: str, where: tuple[str, str, str | None], reads: set[str]) -> None:
    """Every read of the item answers 451 with a problem example and Vary, its decision states the check and its cost, and the design reviews clean."""
    arch, files = _design(text)
    restricted = {o.path: o for a in arch.apis for o in a.operations if o.country_rule is not None}
    assert set(restricted) == reads
    for op in restricted.values():
        rule = op.country_rule
        assert rule is not None
        assert (rule.item, rule.mode, (rule.table, rule.column, rule.item_column)) == (item, mode, where)
        assert 451 in op.error_statuses
        assert rule.header in op.description
    lists = [o for a in arch.apis for o in a.operations if o.kind == "list"]
    assert all(o.country_rule is None for o in lists)
    made = next(d for d in arch.decisions if d.id.startswith("geo-restriction."))
    assert "451" in made.choice
    assert ("no extra read" in made.rationale) == (where[2] is None)
    assert f"Geo-restriction of {item}" in files["design.md"]
    for path, document in files.items():
        if not path.startswith("openapi/"):
            continue
        validate(document)
        for route, methods in document["paths"].items():
            for response_status, response in methods.get("get", {}).get("responses", {}).items():
                if response_status == "451":
                    assert route in reads
                    assert response["content"]["application/problem+json"]["example"]["status"] == 451
                    assert methods["get"]["responses"]["200"]["headers"]["Vary"]["example"] == "X-Client-Country"
    if where[2] is None:
        # a list of countries is what the contract says it is: an array of ISO codes, shown as one in the examples
        shapes = [d["components"]["schemas"] for p, d in files.items() if p.startswith("openapi/")]
        listed = [s[item]["properties"][where[1]] for s in shapes if item in s]
        assert listed
        assert all(p["items"] == {"type": "string", "pattern": "^[A-Z]{2}$"} for p in listed)
    assert [f.message for f in review(arch, DESIGN_RULES)] == []


def test_shared_cache_of_a_restricted_read_is_keyed_by_country_ok() -> None:
    """A CDN in front of a restricted read keys its entries by the caller's country, so one country's copy never answers another."""
    arch, _ = _design(LIST_ON_ROW)
    cache = next(c for c in arch.caches if c.use_case == "watch film")
    assert cache.strategy in {"cdn", "http"}
    assert cache.key is not None
    assert "X-Client-Country" in cache.key


def test_a_users_country_restricts_nothing_err() -> None:
    """A country that says where someone lives blocks no item: no 451, no geo-restriction decision."""
    arch, _ = _design(USER_COUNTRY)
    assert not any(o.country_rule or 451 in o.error_statuses for a in arch.apis for o in a.operations)
    assert not any(d.id.startswith("geo-restriction.") for d in arch.decisions)


@pytest.mark.parametrize("key", ["PAT056", "geo-restriction.film"])
def test_forbidden_geo_restriction_builds_nothing_ok(key: str) -> None:
    """Forbidden by the spec author (by code or by decision id), no read answers 451 and the record says why."""
    from backend_architect.design.pipeline import design
    from backend_architect.spec.model import DecisionOverride

    spec = load_spec_bytes(LIST_ON_ROW.encode(), "spec.yaml").spec
    arch = design(spec.model_copy(update={"decisions": {key: DecisionOverride(forbid=True, reason="licences are enforced by the CDN")}}))
    assert not any(o.country_rule or 451 in o.error_statuses for a in arch.apis for o in a.operations)
    (made,) = [d for d in arch.decisions if d.id.startswith("geo-restriction.")]
    assert made.author_reason == "licences are enforced by the CDN"
    assert "forbidden" in made.choice


#: Films behind a gateway (several services, no team size at a high peak): the restricted read is not cached at the CDN.
GATEWAY = """
system: cinema
scale: {peak_factor: 3}
entities:
  Studio: {fields: {name: string(80)}, rows: 10k}
  Film: {fields: {title: string(200), studio: ref(Studio), blocked_countries: json}, rows: 1M}
  Review: {fields: {film: ref(Film), body: text}, growth: 5M/day}
use_cases:
  - {name: add film, writes: [Film], rate: 1k/day}
  - {name: watch film, kind: get, reads: [Film], rate: 20k/s}
  - {name: write review, writes: [Review], rate: 5M/day}
  - {name: list reviews, reads: [Review], filter: [film], rate: 20k/s}
  - {name: list studios, reads: [Studio], rate: 5k/s}
"""


@pytest.mark.parametrize(
    ("text", "edges"),
    [
        pytest.param(LIST_ON_ROW, {"watch film": "the CDN"}, id="a-read-the-cdn-caches"),
        pytest.param(CHILD_PART_OF, {"get video": "the load balancer"}, id="media-on-the-cdn-the-api-behind-the-load-balancer"),
        pytest.param(GATEWAY, {"watch film": "the API gateway"}, id="behind-a-gateway"),
    ],
)
def test_the_country_is_set_by_the_edge_the_read_passes_ok(text: str, edges: dict[str, str]) -> None:
    """The CDN sets the country only for reads it caches; an API read behind the load balancer (or gateway) gets it from there."""
    arch, _ = _design(text)
    made = next(d for d in arch.decisions if d.id.startswith("geo-restriction."))
    cdn = {c.use_case for c in arch.caches if c.strategy == "cdn"}
    for use_case, edge in edges.items():
        op = next(o for a in arch.apis for o in a.operations if use_case in o.use_cases and o.country_rule is not None)
        assert f"set by {edge}" in op.description
        assert (use_case in cdn) is (edge == "the CDN")
        assert made.choice.startswith(f"geo-blocking per country: {edge}")
    if "the CDN" not in edges.values():
        assert "the CDN" not in made.choice
