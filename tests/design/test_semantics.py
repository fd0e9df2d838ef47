"""How a use case is read: its kind and flow from what it touches, the verb only a hint; the name's disagreement reported."""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import action_name, analyse
from design.helpers import spec_of

ENTITIES = """\
system: semantics
entities:
  User:
    fields:
      email: {type: email, unique: true}
      password_hash: {type: string(200), secret: true}
      name: string(100)
  Account:
    fields:
      login: {type: string(40), unique: true}
      passcode: {type: string(100), secret: true}
  Follow: {fields: {follower: ref(User), followee: ref(User)}}
  Like: {fields: {user: ref(User), post: ref(Post), kind: "enum[like,love]"}}
  Group: {fields: {title: string(80)}}
  GroupMember:
    belongs_to: Group
    fields: {user: ref(User)}
  Post:
    fields: {author: ref(User), body: text}
    many_to_many: [Tag]
  Tag: {fields: {name: string(40)}}
  Location:
    append_only: true
    fields: {courier: ref(User), lat: decimal(9,6), lon: decimal(9,6)}
  Order: {fields: {status: "enum[open,paid]", note: text?}}
  Rating: {fields: {order: ref(Order), stars: int}}
  ShareLink:
    key: short_code
    fields: {post: ref(Post), created_by: ref(User)}
use_cases:
"""

CASES = [
    # (use case, kind, flow, a warning is expected)
    pytest.param("{name: update courier location, writes: [Location]}", "create", None, True, id="append-only-update-verb"),
    pytest.param("{name: move courier, writes: [Location.lat, Location.lon]}", "create", None, False, id="append-only-field-writes"),
    pytest.param("{name: fix location, kind: update, writes: [Location]}", "create", None, True, id="append-only-kind-given"),
    pytest.param("{name: purge orders, kind: delete, schedule: daily, writes: [Order]}", "job", None, False, id="scheduled-delete-is-a-job"),
    pytest.param("{name: close orders, kind: update, schedule: hourly, writes: [Order.status]}", "job", None, False, id="scheduled-update-is-a-job"),
    pytest.param("{name: unfollow idle users, kind: delete, schedule: weekly, writes: [Follow]}", "job", None, False, id="scheduled-unlink-is-a-job"),
    pytest.param("{name: rate order, writes: [Rating]}", "create", None, False, id="rate-creates-a-rating"),
    pytest.param("{name: follow user, writes: [Follow]}", "create", "relate", False, id="link-follow"),
    pytest.param("{name: unfollow user, writes: [Follow]}", "delete", "unrelate", False, id="link-unfollow"),
    pytest.param("{name: remove follow, writes: [Follow]}", "delete", "unrelate", False, id="link-remove"),
    pytest.param("{name: love post, writes: [Like]}", "create", "relate", False, id="link-with-enum"),
    pytest.param("{name: join group, writes: [GroupMember]}", "create", "relate", False, id="link-belongs-to"),
    pytest.param("{name: leave group, kind: delete, writes: [GroupMember]}", "delete", "unrelate", False, id="link-kind-given"),
    pytest.param("{name: tag post, writes: [Post.tags]}", "create", "relate", False, id="many-to-many-tag"),
    pytest.param("{name: untag post, writes: [Post.tags]}", "delete", "unrelate", False, id="many-to-many-untag"),
    pytest.param("{name: share post, writes: [ShareLink]}", "create", None, False, id="short-code-entity-is-no-link"),
    pytest.param("{name: sign up, auth: none, writes: [User]}", "create", "register", False, id="register"),
    pytest.param("{name: create account, auth: none, writes: [Account]}", "create", "register", False, id="register-account"),
    pytest.param("{name: log in, auth: none, reads: [User]}", "create", "login", False, id="login"),
    pytest.param("{name: sign in, auth: none, reads: [Account]}", "create", "login", False, id="sign-in"),
    pytest.param("{name: log out, reads: [User]}", "delete", "logout", False, id="logout"),
    pytest.param("{name: view my profile, reads: [User]}", "get", "me", False, id="me"),
    pytest.param("{name: update my profile, writes: [User.name]}", "update", "me", False, id="me-update"),
    pytest.param("{name: change password, writes: [User.password_hash]}", "update", "password", False, id="password"),
    pytest.param("{name: reset passcode, writes: [Account.passcode]}", "update", "password", False, id="passcode"),
    pytest.param("{name: cancel order, writes: [Order.status]}", "action", None, False, id="action"),
    pytest.param("{name: update order note, writes: [Order.note]}", "update", None, False, id="partial-update"),
    pytest.param("{name: view orders, reads: [Order], filter: [status]}", "list", None, False, id="filters-make-a-list"),
]


@pytest.mark.parametrize(("use_case", "kind", "flow", "warned"), CASES)
def test_use_case_reading_ok(use_case: str, kind: str, flow: str | None, warned: bool) -> None:
    """Each use case reads as the kind and flow its entity and writes say, with a warning only when the verb said otherwise."""
    analysis = analyse(spec_of(ENTITIES + f"  - {use_case}\n"))
    (read,) = analysis.use_cases
    assert (read.kind, read.flow) == (kind, flow), read.reading
    assert bool(analysis.warnings) == warned, analysis.warnings


def test_many_to_many_write_names_its_relation_ok() -> None:
    """A write of ``Post.tags`` carries the relation's name for the API's relationship path."""
    (read,) = analyse(spec_of(ENTITIES + "  - {name: tag post, writes: [Post.tags]}\n")).use_cases
    assert (read.entity, read.relation) == ("Post", "tags")


@pytest.mark.parametrize(
    ("actor", "auth", "caller"),
    [
        pytest.param("user", "required", "User", id="named-like-the-actor"),
        pytest.param("member", "required", "User", id="person-word-is-the-people-entity"),
        pytest.param("account", "required", "Account", id="entity-named-by-actor-wins"),
        pytest.param("staff", "required", None, id="staff-is-nobody's-row"),
        pytest.param("user", "none", None, id="anonymous-has-no-caller"),
    ],
)
def test_caller_entity_ok(actor: str, auth: str, caller: str | None) -> None:
    """The caller is the entity named like the actor, else the people entity for a person's word; nobody when anonymous."""
    text = ENTITIES + f"  - {{name: list posts, actor: {actor}, auth: {auth}, reads: [Post]}}\n"
    (read,) = analyse(spec_of(text)).use_cases
    assert read.caller == caller


@pytest.mark.parametrize(
    ("name", "entity", "fields", "expected"),
    [
        pytest.param("cancel order", "Order", (), "cancel", id="verb-alone"),
        pytest.param("mark message read", "Message", (), "mark-read", id="resource-words-dropped"),
        pytest.param("edit order note", "Order", ("note",), "note", id="crud-verb-dropped"),
        pytest.param("set order", "Order", ("status",), "status", id="crud-verb-alone-takes-the-field"),
        pytest.param("record payment result", "Payment", (), "record-result", id="kebab-case"),
    ],
)
def test_custom_method_name_ok(name: str, entity: str, fields: tuple[str, ...], expected: str) -> None:
    """A custom method is named by the use case's words less its resource's, fillers and a CRUD verb, in kebab case."""
    assert action_name(name, entity, fields) == expected


def test_append_only_overrule_is_an_assumption_ok() -> None:
    """When the entity overrules the name, the design's Assumptions say so."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(ENTITIES + "  - {name: update courier location, writes: [Location]}\n"))
    assert any("update courier location" in a and "append-only" in a for a in arch.assumptions)


def test_many_to_many_write_of_unknown_relation_err() -> None:
    """Writing ``Post.labels`` when Post has no such field or relation is a located spec error."""
    from backend_architect.errors import InputError

    with pytest.raises(InputError, match="labels"):
        spec_of(ENTITIES + "  - {name: label post, writes: [Post.labels]}\n")
