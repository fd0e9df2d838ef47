"""How use cases become operations: each class of contract error is impossible, proven over specs of different shapes."""

from __future__ import annotations

import sqlite3
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from backend_architect.api import DesignResult, design_spec
from backend_architect.importers.openapi import import_openapi_text
from backend_architect.ir.model import ApiSchema, Architecture, Operation
from backend_architect.ir.query import all_tables
from backend_architect.rules.registry import API_RULES, review
from design.helpers import spec_of

SOCIAL = """\
system: social
entities:
  User:
    fields:
      email: {type: email, unique: true, pii: true}
      handle: {type: string(30), unique: true}
      password_hash: {type: string(200), secret: true}
      followers_count: int
  Follow: {fields: {follower: ref(User), followee: ref(User)}}
  Post:
    append_only: true
    fields: {author: ref(User), body: string(280)}
  Like: {fields: {user: ref(User), post: ref(Post)}}
  Group: {fields: {title: string(80)}}
  Membership:
    belongs_to: Group
    fields: {user: ref(User), role: "enum[member,admin]"}
use_cases:
  - {name: sign up, actor: visitor, auth: none, writes: [User]}
  - {name: log in, actor: visitor, auth: none, reads: [User]}
  - {name: log out, actor: user, reads: [User]}
  - {name: view my profile, actor: user, reads: [User]}
  - {name: update my profile, actor: user, writes: [User.handle]}
  - {name: change password, actor: user, writes: [User.password_hash]}
  - {name: follow user, actor: user, writes: [Follow]}
  - {name: unfollow user, actor: user, writes: [Follow]}
  - {name: list following, actor: user, reads: [Follow], filter: [follower]}
  - {name: post update, actor: user, writes: [Post]}
  - {name: like post, actor: user, writes: [Like]}
  - {name: unlike post, actor: user, writes: [Like]}
  - {name: join group, actor: user, writes: [Membership]}
  - {name: leave group, actor: user, kind: delete, writes: [Membership]}
  - {name: view home timeline, actor: user, owner_only: true, reads: [Follow, Post], filter: [Follow.follower], sort: [-Post.created_at]}
  - {name: view user posts, actor: user, reads: [Post], filter: [author], sort: [-created_at]}
  - {name: search posts, actor: user, reads: [Post], search: [body]}
  - {name: list posts, actor: visitor, auth: none, reads: [Post], sort: [-created_at]}
"""

SHOP = """\
system: shop
entities:
  Customer:
    fields:
      email: {type: email, unique: true, pii: true}
      password_digest: {type: string(200), secret: true}
      api_key_hash: {type: string(200), secret: true, nullable: true}
      webhook_secret: {type: string(200), secret: true, nullable: true}
  Product:
    fields:
      name: string(100)
      price: money
      stock: int
      review_count: int
      popularity: {type: decimal(10,2), nullable: true}
      sku: {type: string(12), generated: true}
      location: geo?
  Order:
    fields:
      customer: ref(Customer)
      status: enum[pending,paid,shipped,cancelled]
      total: money
      note: text?
  OrderLine:
    part_of: Order
    fields: {product: ref(Product), quantity: int}
    max_per_parent: 50
  Link:
    key: short_code
    fields: {short_code: string(10), target: url}
  Ticket:
    fields:
      title: string(100)
      status: {type: "enum[draft,open]", generated: false}
      priority: enum[low,high]
use_cases:
  - {name: register, actor: visitor, auth: none, writes: [Customer]}
  - {name: place order, actor: customer, writes: [Order, OrderLine]}
  - {name: cancel order, actor: customer, writes: [Order.status]}
  - {name: update order note, actor: customer, writes: [Order.note]}
  - {name: add product, actor: staff, writes: [Product]}
  - {name: update product price, actor: staff, writes: [Product.price, Product.stock]}
  - {name: rank products, actor: scheduler, schedule: daily, writes: [Product.popularity]}
  - {name: find products near me, actor: visitor, auth: none, reads: [Product], near: Product.location, radius: 5km}
  - {name: find nearest products, actor: visitor, auth: none, kind: list, reads: [Product], near: Product.location}
  - {name: search products, actor: visitor, auth: none, reads: [Product], search: [name, stock]}
  - {name: view product, actor: visitor, auth: none, reads: [Product]}
  - {name: shorten link, actor: user, writes: [Link]}
  - {name: open link, actor: visitor, auth: none, reads: [Link]}
  - {name: open ticket, actor: staff, writes: [Ticket]}
  - {name: escalate ticket, actor: staff, writes: [Ticket.priority, Ticket.status]}
  - {name: list my orders, actor: customer, owner_only: true, reads: [Order], filter: [customer, status], sort: [-created_at]}
"""

BLOG = """\
system: blog
entities:
  Author: {fields: {name: string(100), country: string(2)}}
  Tag: {fields: {name: {type: string(40), unique: true}}}
  Article:
    fields:
      author: ref(Author)
      title: string(200)
      published_at: datetime
      word_count: int
      status: enum[draft,published,archived]
    many_to_many: [Tag]
  Chat: {fields: {topic: string(80)?}}
  ChatMember:
    belongs_to: Chat
    fields: {member: ref(Author)}
services:
  content: {owns: [Author, Tag, Article]}
  chat: {owns: [Chat, ChatMember]}
use_cases:
  - {name: browse articles, actor: visitor, auth: none, reads: [Article, Tag], filter: [Tag.name, status, published_at], sort: [-published_at]}
  - {name: browse articles by tag id, actor: visitor, auth: none, reads: [Article], filter: [tags]}
  - {name: list articles of author, actor: visitor, auth: none, reads: [Article, Author], filter: [author, Author.country]}
  - {name: search articles, actor: visitor, auth: none, reads: [Article], search: [title, word_count]}
  - {name: write article, actor: author, writes: [Article]}
  - {name: import article, actor: editor, writes: [Article]}
  - {name: tag article, actor: author, writes: [Article.tags]}
  - {name: untag article, actor: author, writes: [Article.tags]}
  - {name: publish article, actor: author, writes: [Article.status]}
  - {name: start chat, actor: author, writes: [Chat, ChatMember]}
"""

DELIVERY = """\
system: delivery
entities:
  Courier: {fields: {name: string(100), status: "enum[offline,available,busy]", position: geo?}}
  CourierLocation:
    append_only: true
    part_of: Courier
    fields: {lat: decimal(9,6), lon: decimal(9,6)}
  Order: {fields: {courier: ref(Courier)?, state: "enum[placed,picked,delivered]"}}
  Rating:
    fields: {order: ref(Order), stars: int}
use_cases:
  - {name: update courier location, actor: courier, writes: [CourierLocation], rate: 5k/s}
  - {name: fix courier location, actor: courier, kind: update, writes: [CourierLocation]}
  - {name: update courier position, actor: courier, writes: [Courier.position], latest: true, rate: 5k/s}
  - {name: rate order, actor: customer, writes: [Rating]}
  - {name: deliver order, actor: courier, writes: [Order.state]}
  - {name: list available couriers, actor: dispatcher, reads: [Courier], filter: [status=available]}
"""

SPECS = {"social": SOCIAL, "shop": SHOP, "blog": BLOG, "delivery": DELIVERY}


@cache
def designed(name: str) -> DesignResult:
    return design_spec(spec_of(SPECS[name]))


def operation(name: str, use_case: str) -> Operation:
    found = [o for api in designed(name).architecture.apis for o in api.operations if use_case in o.use_cases]
    assert len(found) == 1, f"{use_case}: {[(o.method, o.path) for o in found]}"
    return found[0]


def schemas(name: str) -> dict[str, ApiSchema]:
    return {s.name: s for api in designed(name).architecture.apis for s in api.schemas}


def props(name: str, schema: str | None) -> dict[str, Any]:
    assert schema is not None
    return {p.name: p for p in schemas(name)[schema].properties}


def route(name: str, use_case: str) -> tuple[str, str, int]:
    op = operation(name, use_case)
    return op.method, op.path, op.success_status


# --- every shape designs into valid, reviewed contracts ----------------------------------


@pytest.mark.parametrize("name", sorted(SPECS))
def test_contracts_validate_and_review_clean_ok(name: str) -> None:
    """openapi-spec-validator accepts every contract, every example fits its schema, and no review finding is above info."""
    result = designed(name)
    documents = []
    for path, text in sorted(result.files.items()):
        if not path.startswith("openapi/"):
            continue
        document = yaml.safe_load(text)
        validate(document)
        registry = Registry().with_resource("urn:c", Resource.from_contents(document, default_specification=DRAFT202012))
        for item in document["paths"].values():
            for op in item.values():
                contents = [*op.get("requestBody", {}).get("content", {}).values()]
                contents += [c for r in op["responses"].values() for c in r.get("content", {}).values() if "example" in c]
                for content in contents:
                    schema = {"$ref": "urn:c#" + content["schema"]["$ref"].removeprefix("#")}
                    jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker()).validate(content["example"])
        documents.append(import_openapi_text(text, path))
    contract_findings = review(Architecture(system="t", contracts=documents), API_RULES)
    assert [f"{f.location}: {f.code} {f.message}" for f in contract_findings] == []
    assert [f"{f.code} {f.message}" for f in review(result.architecture) if f.severity > 1] == []


@pytest.mark.parametrize("name", sorted(SPECS))
def test_ddl_applies_to_sqlite_ok(name: str) -> None:
    """The DDL with the server-owned defaults and link uniques applies to SQLite."""
    for path, text in designed(name).files.items():
        if path.endswith(".sqlite.sql"):
            connection = sqlite3.connect(":memory:")
            connection.executescript(text)
            connection.close()


# --- append-only entities only get creates -----------------------------------------------


@pytest.mark.parametrize(
    ("use_case", "path"),
    [
        pytest.param("update courier location", "/couriers/{courier_id}/courier-locations", id="update-verb"),
        pytest.param("fix courier location", "/couriers/{courier_id}/courier-locations", id="kind-update-given"),
    ],
)
def test_append_only_write_is_a_create_ok(use_case: str, path: str) -> None:
    """A write to an append-only entity is a POST create answering 201, never a conditional PATCH."""
    op = operation("delivery", use_case)
    assert (op.method, op.path.split(":")[0], op.success_status, op.conditional) == ("post", path, 201, False)


def test_append_only_table_has_no_version_ok() -> None:
    """An append-only table gets no version column and no update or patch operation."""
    arch = designed("delivery").architecture
    locations = next(t for _, t in all_tables(arch) if t.name == "courier_locations")
    assert "version" not in {c.name for c in locations.columns}
    assert not [o for api in arch.apis for o in api.operations if o.entity == "CourierLocation" and o.method in {"patch", "put"}]


def test_latest_value_is_overwritten_unconditionally_ok() -> None:
    """A ``latest`` write (a position) is last-write-wins: a PUT of the value (PAT020), no If-Match, no 412, no version column for it."""
    op = operation("delivery", "update courier position")
    assert (op.method, op.conditional, 412 in op.error_statuses) == ("put", False, False)
    couriers = next(t for _, t in all_tables(designed("delivery").architecture) if t.name == "couriers")
    assert "version" not in {c.name for c in couriers.columns}
    assert set(props("delivery", op.request_schema)) == {"position"}


# --- relationships -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "use_case", "expected"),
    [
        pytest.param("social", "follow user", ("put", "/users/{user_id}/following/{followee_id}", 204), id="follow"),
        pytest.param("social", "unfollow user", ("delete", "/users/{user_id}/following/{followee_id}", 204), id="unfollow"),
        pytest.param("social", "like post", ("put", "/users/{user_id}/likes/{post_id}", 204), id="like"),
        pytest.param("social", "unlike post", ("delete", "/users/{user_id}/likes/{post_id}", 204), id="unlike"),
        pytest.param("social", "join group", ("put", "/groups/{group_id}/memberships/{user_id}", 204), id="membership"),
        pytest.param("social", "leave group", ("delete", "/groups/{group_id}/memberships/{user_id}", 204), id="leave"),
        pytest.param("blog", "tag article", ("put", "/articles/{article_id}/tags/{tag_id}", 204), id="many-to-many"),
        pytest.param("blog", "untag article", ("delete", "/articles/{article_id}/tags/{tag_id}", 204), id="many-to-many-undo"),
    ],
)
def test_link_is_a_relationship_resource_ok(name: str, use_case: str, expected: tuple[str, str, int]) -> None:
    """Making a link is an idempotent PUT on the relationship and unmaking it a DELETE on the same path, both 204."""
    assert route(name, use_case) == expected
    assert operation(name, use_case).idempotency_key is False


def test_link_extra_fields_are_the_put_body_ok() -> None:
    """A link with fields of its own (a membership's role) takes them as the PUT body, and only them."""
    op = operation("social", "join group")
    assert set(props("social", op.request_schema)) == {"role"}


def test_link_table_has_a_unique_pair_ok() -> None:
    """A link entity's two references are unique together, so making the link again finds the row."""
    likes = next(t for _, t in all_tables(designed("social").architecture) if t.name == "likes")
    assert ["user_id", "post_id"] in [u.columns for u in likes.uniques]


# --- authentication flows ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("use_case", "expected", "auth"),
    [
        pytest.param("sign up", ("post", "/users", 201), "none", id="register"),
        pytest.param("log in", ("post", "/sessions", 201), "none", id="login"),
        pytest.param("log out", ("delete", "/sessions/current", 204), "required", id="logout"),
        pytest.param("view my profile", ("get", "/me", 200), "required", id="me"),
        pytest.param("update my profile", ("patch", "/me", 200), "required", id="me-update"),
        pytest.param("change password", ("put", "/me/password", 204), "required", id="password"),
    ],
)
def test_authentication_flow_ok(use_case: str, expected: tuple[str, str, int], auth: str) -> None:
    """Register, log in, log out, me and password change each have their own operation and access."""
    assert route("social", use_case) == expected
    assert operation("social", use_case).auth == auth


def test_login_answers_a_token_not_accounts_ok() -> None:
    """Logging in takes the login field and a write-only password and answers an access token; no list of users exists."""
    op = operation("social", "log in")
    assert set(props("social", op.request_schema)) == {"email", "password"}
    assert {"access_token", "token_type", "expires_in"} <= set(props("social", op.response_schema))
    assert not [o for api in designed("social").architecture.apis for o in api.operations if o.path == "/users" and o.method == "get"]


@pytest.mark.parametrize(
    ("name", "schema", "plaintext"),
    [
        pytest.param("social", "UserCreate", "password", id="password-hash"),
        pytest.param("shop", "CustomerCreate", "password", id="password-digest"),
        pytest.param("social", "UserPasswordRequest", "password", id="password-change"),
    ],
)
def test_hashed_credential_is_taken_as_plaintext_ok(name: str, schema: str, plaintext: str) -> None:
    """A hashed credential is sent as its write-only plaintext, format password, at least 8 characters."""
    prop = props(name, schema)[plaintext]
    assert (prop.write_only, prop.format, prop.min_length) == (True, "password", 8)


@pytest.mark.parametrize("name", ["social", "shop"])
def test_hash_never_in_any_schema_ok(name: str) -> None:
    """No request or response anywhere carries a hash field, and no response carries a secret."""
    for schema in schemas(name).values():
        for prop in schema.properties:
            assert not prop.name.endswith(("_hash", "_digest")), (schema.name, prop.name)
            if not schema.name.endswith(("Create", "Update", "Request")):
                assert not prop.write_only, (schema.name, prop.name)


def test_other_secrets_are_write_only_input_ok() -> None:
    """A secret the client chooses (a webhook secret) is write-only in the create and absent from responses."""
    assert props("shop", "CustomerCreate")["webhook_secret"].write_only
    assert "webhook_secret" not in props("shop", "Customer")


def test_anonymous_operations_demand_no_scopes_ok() -> None:
    """An operation anonymous callers use has no scopes and answers no 401 or 403."""
    public = [o for name in SPECS for api in designed(name).architecture.apis for o in api.operations if o.auth == "none"]
    assert len(public) >= 8
    for op in public:
        assert op.scopes == [], (op.method, op.path)
        assert not {401, 403} & set(op.error_statuses), (op.method, op.path)


# --- server-owned fields -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "read", "create", "field"),
    [
        pytest.param("shop", "Order", "OrderCreate", "status", id="state-enum"),
        pytest.param("shop", "Order", "OrderCreate", "total", id="total-over-parts"),
        pytest.param("shop", "Order", "OrderCreate", "customer_id", id="caller-reference"),
        pytest.param("shop", "Product", "ProductCreate", "review_count", id="counter"),
        pytest.param("shop", "Product", "ProductCreate", "popularity", id="job-written"),
        pytest.param("shop", "Product", "ProductCreate", "sku", id="generated-true"),
        pytest.param("shop", "Link", "LinkCreate", "short_code", id="short-code-key"),
        pytest.param("blog", "Article", "ArticleCreate", "status", id="state-of-a-post"),
        pytest.param("blog", "Article", "ArticleCreate", "word_count", id="counter-of-a-post"),
        pytest.param("social", "User", "UserCreate", "followers_count", id="followers-counter"),
        pytest.param("social", "Post", "PostCreate", "author_id", id="author-is-the-caller"),
    ],
)
def test_server_owned_field_is_never_in_a_request_ok(name: str, read: str, create: str, field: str) -> None:
    """A server-owned field is in the response (readOnly) and in no request body."""
    assert field in props(name, read)
    if field != "customer_id" and field != "author_id":
        assert props(name, read)[field].read_only
    assert field not in props(name, create)


@pytest.mark.parametrize(
    ("name", "create", "field"),
    [
        pytest.param("shop", "TicketCreate", "status", id="generated-false-keeps-status"),
        pytest.param("shop", "TicketCreate", "priority", id="plain-enum-is-client-owned"),
        pytest.param("shop", "ProductCreate", "stock", id="plain-int-is-client-owned"),
    ],
)
def test_client_owned_field_stays_in_the_request_ok(name: str, create: str, field: str) -> None:
    """A field no rule makes server-owned (or that ``generated: false`` gives back) stays in the create."""
    assert field in props(name, create)


@pytest.mark.parametrize(
    ("table", "column", "default"),
    [
        pytest.param("orders", "status", "'pending'", id="state-starts-at-first-value"),
        pytest.param("products", "review_count", "0", id="counter-starts-at-zero"),
        pytest.param("articles", "status", "'draft'", id="article-state"),
    ],
)
def test_server_owned_field_has_its_start_in_the_ddl_ok(table: str, column: str, default: str) -> None:
    """A server-owned state starts at its first value, a counter at 0, as DDL defaults."""
    arch = designed("blog" if table == "articles" else "shop").architecture
    found = next(t for _, t in all_tables(arch) if t.name == table)
    assert next(c for c in found.columns if c.name == column).default == default


def test_short_code_addresses_the_item_ok() -> None:
    """An entity keyed by a short code is read by it: ``GET /links/{short_code}``."""
    assert route("shop", "open link") == ("get", "/links/{short_code}", 200)


# --- request bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "use_case", "fields"),
    [
        pytest.param("shop", "update product price", {"price", "stock"}, id="partial-update"),
        pytest.param("shop", "update order note", {"note"}, id="one-field"),
        pytest.param("shop", "escalate ticket", {"priority"}, id="action-moves-state-itself"),
        pytest.param("social", "update my profile", {"handle"}, id="me-update"),
        pytest.param("shop", "place order", {"note", "lines"}, id="create-with-parts"),
    ],
)
def test_body_is_exactly_what_the_use_case_writes_ok(name: str, use_case: str, fields: set[str]) -> None:
    """A request body holds the fields its use case writes, nothing more."""
    assert set(props(name, operation(name, use_case).request_schema)) == fields


def test_bodiless_action_has_no_request_ok() -> None:
    """A custom method that only moves a state (cancel) has no body: its name is the target."""
    op = operation("shop", "cancel order")
    assert (op.method, op.path, op.request_schema) == ("post", "/orders/{order_id}:cancel", None)


@pytest.mark.parametrize(
    ("name", "use_case", "part", "item", "most"),
    [
        pytest.param("shop", "place order", "lines", "OrderLineCreate", 50, id="part-of"),
        pytest.param("blog", "start chat", "members", "ChatMemberCreate", 100, id="belongs-to"),
    ],
)
def test_parts_are_written_with_their_parent_ok(name: str, use_case: str, part: str, item: str, most: int) -> None:
    """A create writing an aggregate and its parts takes the parts as an array of at least one, without the parent's id."""
    op = operation(name, use_case)
    prop = props(name, op.request_schema)[part]
    assert (prop.items, prop.min_items, prop.max_items, prop.required) == (item, 1, most, True)
    assert not {p for p in props(name, item) if p.endswith(("order_id", "chat_id"))}
    assert "one transaction" in op.description


# --- reads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "use_case", "path"),
    [
        pytest.param("social", "view home timeline", "/me/home-timeline", id="caller-scoped"),
        pytest.param("social", "list following", "/users/{user_id}/following", id="link-source-is-the-relationship"),
        pytest.param("social", "view user posts", "/users/{user_id}/posts", id="nested-under-named-reference"),
        pytest.param("social", "search posts", "/posts", id="first-list-takes-the-collection"),
        pytest.param("social", "list posts", "/posts/all", id="crud-verb-alone-is-all"),
        pytest.param("blog", "browse articles", "/articles", id="browse"),
        pytest.param("blog", "browse articles by tag id", "/articles/by-tag-id", id="by-criterion"),
        pytest.param("blog", "list articles of author", "/authors/{author_id}/articles", id="of-author"),
        pytest.param("blog", "search articles", "/articles/search", id="blog-search"),
        pytest.param("shop", "list my orders", "/me/orders", id="my-orders"),
        pytest.param("shop", "find nearest products", "/products/nearest", id="second-product-list"),
    ],
)
def test_every_read_has_its_own_operation_ok(name: str, use_case: str, path: str) -> None:
    """Each read use case is served by one GET of its own, on the path the read rules give it."""
    assert route(name, use_case)[:2] == ("get", path)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_no_operation_serves_two_use_cases_ok(name: str) -> None:
    """No two use cases share an operation."""
    for api in designed(name).architecture.apis:
        for op in api.operations:
            assert len(op.use_cases) <= 1, (op.path, op.use_cases)


@pytest.mark.parametrize(
    ("name", "use_case", "params"),
    [
        pytest.param("blog", "browse articles", {"tag", "status", "published_at_from", "published_at_to", "sort"}, id="joined-label-and-range"),
        pytest.param("blog", "browse articles by tag id", {"tag"}, id="many-to-many-relation-by-its-unique-name"),
        pytest.param("blog", "search articles", {"q", "word_count"}, id="non-text-search-is-exact"),
        pytest.param("social", "view user posts", {"sort"}, id="path-fills-a-reference-of-another-service"),
        pytest.param("blog", "list articles of author", {"author_country"}, id="path-fills-the-author"),
        pytest.param("shop", "list my orders", {"status", "sort"}, id="caller-fills-the-customer"),
        pytest.param("shop", "find products near me", {"lat", "lon", "radius"}, id="near-radius"),
        pytest.param("shop", "find nearest products", {"lat", "lon", "limit"}, id="near-k"),
        pytest.param("shop", "search products", {"q", "stock"}, id="shop-search"),
    ],
)
def test_filters_become_parameters_ok(name: str, use_case: str, params: set[str]) -> None:
    """Every filter, sort, search and proximity a client chooses is a query parameter named by the parameter rules."""
    query = {p.name for p in operation(name, use_case).parameters if p.location == "query"}
    paging = {"cursor"} | ({"limit"} - params)
    assert query - paging == params


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_spec_filter_reaches_the_api_ok(name: str) -> None:
    """Each spec filter is a constant, a parameter carrying it, or filled by the caller: none is lost."""
    spec = spec_of(SPECS[name])
    for use_case in spec.use_cases:
        if use_case.schedule:
            continue
        op = operation(name, use_case.name)
        carried = {r for p in op.parameters if p.spec_ref for r in p.spec_ref.split(", ")} | set(op.caller_filters)
        links = spec.entities[op.entity or ""].many_to_many if op.entity in spec.entities else {}
        for written in [*use_case.filter, *use_case.search, *use_case.sort]:
            if "=" in written:
                continue
            # a many-to-many relation with a unique name is filtered by that name (Tag.name), as the create sets it
            named = {f"{links[written]}.{n}" for n in ("name", "slug", "label", "code", "title")} if written in links else set()
            assert written in carried or named & carried, (use_case.name, written, carried)


def test_caller_scoped_read_binds_the_caller_ok() -> None:
    """A read of the caller's own rows names the filter the token fills."""
    assert operation("social", "view home timeline").caller_filters == ["Follow.follower"]


@pytest.mark.parametrize(
    ("use_case", "expected"),
    [
        pytest.param("rate order", ("post", "/orders/{order_id}/ratings", 201), id="rate-creates-under-what-it-names"),
        pytest.param("deliver order", ("post", "/orders/{order_id}:deliver", 200), id="state-change-is-a-method"),
    ],
)
def test_entity_decides_over_the_verb_ok(use_case: str, expected: tuple[str, str, int]) -> None:
    """The operation follows the analysis (what the use case writes), not the verb alone."""
    assert route("delivery", use_case) == expected


def test_relate_on_missing_relation_err() -> None:
    """A write naming a relation the entity does not have is refused at load, with its location."""
    from backend_architect.errors import InputError

    with pytest.raises(InputError, match=r"test\.yaml:\d+:\d+"):
        spec_of(BLOG + "  - {name: tag author, writes: [Author.tags]}\n")


# --- any spec of these shapes ------------------------------------------------------------

SHAPES = {
    "User": {"fields": {"email": {"type": "email", "unique": True}, "nickname": "string(40)"}},
    "Follow": {"fields": {"follower": "ref(User)", "followee": "ref(User)"}},
    "Order": {"fields": {"buyer": "ref(User)", "status": "enum[open,paid]", "total": "money", "note": "text?"}, "many_to_many": ["Tag"]},
    "Line": {"part_of": "Order", "fields": {"qty": "int", "line_count": "int"}},
    "Tag": {"fields": {"name": {"type": "string(40)", "unique": True}}},
    "Event": {"append_only": True, "fields": {"order": "ref(Order)", "kind": "enum[seen,clicked]", "at": "datetime"}},
}
TEMPLATES = [
    "{name: sign up, writes: [User]}",
    "{name: log in, reads: [User]}",
    "{name: log out, reads: [User]}",
    "{name: view my profile, reads: [User]}",
    "{name: change password, writes: [User.CREDENTIAL]}",
    "{name: rotate token, writes: [User.token_hash]}",
    "{name: follow user, writes: [Follow]}",
    "{name: unfollow user, writes: [Follow]}",
    "{name: place order, writes: [Order, Line]}",
    "{name: pay order, writes: [Order.status]}",
    "{name: edit order note, writes: [Order.note]}",
    "{name: tag order, writes: [Order.tags]}",
    "{name: untag order, writes: [Order.tags]}",
    "{name: list my orders, owner_only: true, reads: [Order], filter: [buyer, status], sort: [-created_at]}",
    "{name: list orders by tag, reads: [Order, Tag], filter: [Tag.name]}",
    "{name: search orders, reads: [Order], search: [note, status]}",
    "{name: update event, writes: [Event]}",
    "{name: list order events, reads: [Event], filter: [order, at]}",
    "{name: view order, reads: [Order]}",
]


@st.composite
def shaped_specs(draw: Any) -> str:
    credential = draw(st.sampled_from(["password_hash", "password", None]))
    entities = {name: {**body, "fields": dict(body["fields"])} for name, body in SHAPES.items()}
    entities["User"]["fields"]["token_hash"] = {"type": "string(200)", "secret": True, "nullable": True}
    if credential:
        entities["User"]["fields"][credential] = {"type": "string(200)", "secret": True}
    chosen = draw(st.lists(st.sampled_from(TEMPLATES), min_size=2, max_size=8, unique=True))
    if not credential:
        chosen = [t for t in chosen if "CREDENTIAL" not in t]
    lines = []
    for template in chosen or TEMPLATES[5:7]:
        auth = draw(st.sampled_from(["required", "optional", "none"]))
        actor = draw(st.sampled_from(["user", "staff"]))
        lines.append("  - " + template[:-1].replace("CREDENTIAL", credential or "") + f", actor: {actor}, auth: {auth}}}")
    return yaml.safe_dump({"system": "shaped", "entities": entities}) + "use_cases:\n" + "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(shaped_specs())
def test_any_shape_keeps_the_contract_rules_ok(text: str) -> None:
    """Generated specs keep one operation per use case, no server-owned or hash field in requests, no anonymous scopes, every filter."""
    spec = spec_of(text)
    result = design_spec(spec)
    arch = result.architecture
    ops = [o for api in arch.apis for o in api.operations]
    requests = {op.request_schema for op in ops if op.request_schema}
    all_schemas = {s.name: s for api in arch.apis for s in api.schemas}
    for name in requests:
        for prop in all_schemas[name].properties:
            assert not prop.read_only, (name, prop.name)
            assert prop.name not in {"id", "created_at", "updated_at", "version", "tenant_id"}, (name, prop.name)
            assert not prop.name.endswith(("_hash", "_digest")), (name, prop.name)
    for use_case in spec.use_cases:
        serving = [o for o in ops if use_case.name in o.use_cases]
        assert len(serving) == 1, (use_case.name, [(o.method, o.path) for o in serving])
        carried = {r for p in serving[0].parameters if p.spec_ref for r in p.spec_ref.split(", ")} | set(serving[0].caller_filters)
        assert {f for f in [*use_case.filter, *use_case.search, *use_case.sort] if "=" not in f} <= carried, use_case.name
    for op in ops:
        if op.auth == "none":
            assert op.scopes == [], op.path
            assert not {401, 403} & set(op.error_statuses), op.path
        if op.entity == "Event":
            assert op.method not in {"patch", "put"}, op.path
    for path, document in result.files.items():
        if path.startswith("openapi/"):
            validate(yaml.safe_load(document))
