"""A row keyed by a short code is a link: every read carries short_url, and GET /s/{code} redirects (302, cacheable) to what it leads to."""

from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture, Operation
from backend_architect.rules.registry import DESIGN_RULES, review
from backend_architect.spec.load import load_spec_bytes

SHORTENER = """\
system: shortener
entities:
  ShortUrl:
    key: short_code
    fields: {target: url}
use_cases:
  - {name: shorten url, actor: user, writes: [ShortUrl], rate: 1M/day}
  - {name: follow short url, actor: visitor, auth: none, kind: get, reads: [ShortUrl], rate: 100M/day}
"""
SHARED_VIDEOS = """\
system: sharing
entities:
  User: {fields: {name: string(80)}}
  Video: {fields: {title: string(200), uploader: ref(User)}}
  Share:
    key: short_code
    fields: {video: ref(Video), sharer: ref(User)}
use_cases:
  - {name: upload video, actor: user, writes: [Video], rate: 10k/day}
  - {name: view video, actor: visitor, auth: none, kind: get, reads: [Video], rate: 1M/day}
  - {name: share video, actor: user, writes: [Share], rate: 200k/day}
  - {name: open shared video, actor: visitor, auth: none, kind: get, reads: [Share], rate: 2M/day}
"""
TRACKING = """\
system: parcels
entities:
  User: {fields: {name: string(80)}}
  Parcel: {fields: {sender: ref(User), status: "enum[created,in_transit,delivered]"}}
  TrackingLink:
    key: short_code
    fields: {parcel: ref(Parcel)}
use_cases:
  - {name: send parcel, actor: user, writes: [Parcel], rate: 100k/day}
  - {name: view my parcel, actor: user, kind: get, owner_only: true, reads: [Parcel], rate: 300k/day}
  - {name: share tracking, actor: user, writes: [TrackingLink], rate: 100k/day}
  - {name: track parcel, actor: visitor, auth: none, kind: get, reads: [TrackingLink], rate: 1M/day}
"""
INVITES = """\
system: invites
entities:
  Invite:
    key: short_code
    fields: {email: email, note: string(200)}
use_cases:
  - {name: invite someone, actor: user, writes: [Invite], rate: 5k/day}
  - {name: view invite, actor: user, kind: get, reads: [Invite], rate: 20k/day}
"""
ITEM_ITSELF = """\
system: clips
entities:
  User: {fields: {name: string(80)}}
  Video:
    key: short_code
    fields: {uploader: ref(User), title: string(200)}
use_cases:
  - {name: upload video, actor: user, writes: [Video], rate: 10k/day}
  - {name: watch video, actor: visitor, auth: none, kind: get, reads: [Video], rate: 1M/day}
"""
SHARER_FIRST = """\
system: sharing
entities:
  User: {fields: {name: string(80)}}
  Recipe: {fields: {title: string(200), author: ref(User)}}
  Share:
    key: short_code
    fields: {sharer: ref(User), recipe: ref(Recipe)}
use_cases:
  - {name: write recipe, actor: user, writes: [Recipe], rate: 10k/day}
  - {name: read recipe, actor: visitor, auth: none, kind: get, reads: [Recipe], rate: 1M/day}
  - {name: read profile, actor: visitor, auth: none, kind: get, reads: [User], rate: 1M/day}
  - {name: share recipe, actor: user, writes: [Share], rate: 200k/day}
  - {name: open share, actor: visitor, auth: none, kind: get, reads: [Share], rate: 2M/day}
"""
NAMED_FOR_ITS_ITEM = """\
system: boards
entities:
  Board: {fields: {name: string(80)}}
  Card: {fields: {title: string(200), board: ref(Board)}}
  CardLink:
    key: short_code
    fields: {board: ref(Board), card: ref(Card), expires_at: timestamp}
use_cases:
  - {name: add card, actor: user, writes: [Card], rate: 10k/day}
  - {name: view card, actor: user, kind: get, reads: [Card], rate: 1M/day}
  - {name: view board, actor: user, kind: get, reads: [Board], rate: 1M/day}
  - {name: link card, actor: user, writes: [CardLink], rate: 20k/day}
  - {name: open card link, actor: user, kind: get, reads: [CardLink], rate: 50k/day}
"""
UNOPENED = """\
system: coupons
entities:
  Coupon:
    key: short_code
    fields: {percent: int}
use_cases:
  - {name: issue coupon, actor: user, writes: [Coupon], rate: 1k/day}
"""


def _design(text: str) -> tuple[Architecture, list[dict[str, object]]]:
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    return result.architecture, [yaml.safe_load(t) for p, t in sorted(result.files.items()) if p.startswith("openapi/")]


def _redirect(arch: Architecture) -> Operation:
    return next(o for a in arch.apis for o in a.operations if o.success_status == 302)


@pytest.mark.parametrize(
    ("text", "entity", "location", "opens"),
    [
        pytest.param(SHORTENER, "ShortUrl", "{target}", ["follow short url"], id="url-shortener-to-its-target"),
        pytest.param(SHARED_VIDEOS, "Share", "/v1/videos/{video_id}", ["open shared video"], id="share-link-to-the-video"),
        pytest.param(TRACKING, "TrackingLink", "/v1/tracking-links/{code}", ["track parcel"], id="public-link-to-a-private-read-stays-on-the-link"),
        pytest.param(INVITES, "Invite", "/v1/invites/{code}", ["view invite"], id="no-target-the-row-itself"),
        pytest.param(UNOPENED, "Coupon", "/v1/coupons/{code}", [], id="nobody-opens-it-yet"),
        pytest.param(ITEM_ITSELF, "Video", "/v1/videos/{code}", ["watch video"], id="the-shared-item-itself-never-its-uploader"),
        pytest.param(SHARER_FIRST, "Share", "/v1/recipes/{recipe_id}", ["open share"], id="share-leads-to-the-item-not-the-sharer"),
        pytest.param(NAMED_FOR_ITS_ITEM, "CardLink", "/v1/cards/{card_id}", ["open card link"], id="link-leads-to-the-entity-it-is-named-for"),
    ],
)
def test_short_code_is_a_link_ok(text: str, entity: str, location: str, opens: list[str]) -> None:
    """GET /s/{code} answers 302 with the target in Location, public and cacheable at the edge (no 401/403), named by the use case that
    opens the link; the read shape, and so the create's answer, carries short_url; the contracts validate and the design reviews clean."""
    arch, documents = _design(text)
    op = _redirect(arch)
    assert (op.method, op.path, op.redirect, op.auth) == ("get", "/s/{code}", location, "none")
    # each use case keeps its one operation; the one that opens the link says where browsers open it
    for name in opens:
        (served,) = [o for a in arch.apis for o in a.operations if name in o.use_cases]
        assert "Browsers open the link at GET /s/{code}" in served.description
    assert not {401, 403} & set(op.error_statuses)
    assert 404 in op.error_statuses
    assert op.cache_control is not None
    assert "s-maxage" in op.cache_control
    read = next(s for a in arch.apis for s in a.schemas if s.name == entity)
    url = next(p for p in read.properties if p.name == "short_url")
    assert (url.format, url.read_only, url.required) == ("uri", True, True)
    create = next(o for a in arch.apis for o in a.operations if o.entity == entity and o.kind == "create")
    assert create.example_response["short_url"].endswith("/s/" + create.example_response["code"])
    for document in documents:
        validate(document)
        responses = [r for path in document["paths"].values() for o in path.values() for s, r in o["responses"].items() if s == "302"]
        assert all("content" not in r and "Location" in r["headers"] for r in responses)
    assert [f.message for f in review(arch, DESIGN_RULES)] == []


def test_unopened_links_are_an_assumption_ok() -> None:
    """With no use case opening the links, the redirect is served but its rate is not counted: an assumption says so."""
    arch, _ = _design(UNOPENED)
    assert any("no use case opens Coupon links" in a for a in arch.assumptions)


def test_resolve_rate_is_cached_at_the_edge_ok() -> None:
    """The public resolve rate reaches the short-keys decision, its cache and its figures: the CDN takes repeated opens."""
    arch, _ = _design(SHORTENER)
    made = next(d for d in arch.decisions if d.id == "short-keys.short_url")
    assert "GET /s/{code} answers 302 Found" in made.choice
    assert "base62" in made.choice
    cache = next(c for c in arch.caches if c.use_case == "follow short url")
    assert cache.strategy == "cdn"
    assert any(f.key.startswith("keys.length.") for f in arch.figures)


def test_slugs_are_no_short_links_ok() -> None:
    """A readable slug addresses its row, but is no link to share: no short_url, no redirect."""
    arch, _ = _design(INVITES.replace("key: short_code", "key: slug").replace("{email: email, note: string(200)}", "{title: string(100)}"))
    assert not any(o.success_status == 302 for a in arch.apis for o in a.operations)
    assert not any(p.name == "short_url" for a in arch.apis for s in a.schemas for p in s.properties)
