"""Natural spellings from Rails, Django, Prisma and JPA load with their one documented meaning.

Each case is a spec written the way a user of some framework would write it, and the same
spec in canonical form: both must load to the same model (so the spelling means exactly
what docs/spec.md says, nothing more), and ``fmt`` must rewrite the natural one into a
spec that loads the same way too.
"""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.spec.fmt import format_spec
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import Spec

HEAD = "system: blog\n"


def meaning(spec: Spec) -> dict[str, object]:
    """The model as data, with nullability in one place: ``string?`` and ``nullable: true`` say the same."""
    fields = {(e, f): field.is_nullable for e, entity in spec.entities.items() for f, field in entity.fields.items()}
    data = spec.model_dump(mode="json")
    for (entity, name), nullable in fields.items():
        field = data["entities"][entity]["fields"][name]
        field["nullable"], field["type"]["nullable"] = nullable, False
    return data


def spec_of(text: str) -> dict[str, object]:
    return meaning(load_spec_bytes((HEAD + textwrap.dedent(text)).encode(), "spec.yaml").spec)


USER = """\
entities:
  User:
    fields: {email: email, password_hash: {type: string, secret: true}}
"""

CASES = [
    # --- relations: Rails belongs_to / has_many, Prisma relation fields, JPA join tables
    pytest.param(
        USER + "  Post:\n    belongs_to: User\n    fields: {title: string}\n",
        USER + "  Post:\n    fields: {user: ref(User), title: string}\n",
        id="belongs-to-name-is-a-required-reference",
    ),
    pytest.param(
        USER + "  Post:\n    belongs_to: [User]\n    fields: {title: string}\n",
        USER + "  Post:\n    fields: {user: ref(User), title: string}\n",
        id="belongs-to-list-of-one",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: string}\n  Comment:\n    belongs_to: [Post, User]\n    fields: {body: text}\n",
        USER + "  Post:\n    fields: {title: string}\n  Comment:\n    fields: {post: ref(Post), user: ref(User), body: text}\n",
        id="belongs-to-list-of-two",
    ),
    pytest.param(
        USER + "  Post:\n    belongs_to: user\n    fields: {title: string}\n",
        USER + "  Post:\n    fields: {user: ref(User), title: string}\n",
        id="belongs-to-lower-case-rails-symbol",
    ),
    pytest.param(
        USER + "  Post:\n    belongs_to: User\n    fields: {user_id: uuid, title: string}\n",
        USER + "  Post:\n    fields: {user: ref(User), title: string}\n",
        id="belongs-to-with-explicit-parent-id-field",
    ),
    pytest.param(
        USER + "  Post:\n    belongs_to: User\n    fields: {user_id: {type: uuid, nullable: true}, title: string}\n",
        USER + "  Post:\n    fields: {user: {type: ref(User), nullable: true}, title: string}\n",
        id="belongs-to-with-optional-parent-id-field",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {author_id: ref(User), title: string}\n",
        USER + "  Post:\n    fields: {author: ref(User), title: string}\n",
        id="ref-field-named-with-id-suffix",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: string}\n    has_many: [Comment]\n  Comment:\n    fields: {body: text}\n",
        USER + "  Post:\n    fields: {title: string}\n  Comment:\n    fields: {body: text, post: ref(Post)}\n",
        id="has-many-adds-the-child-reference",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: string}\n    has_many: comments\n  Comment:\n    fields: {body: text}\n",
        USER + "  Post:\n    fields: {title: string}\n  Comment:\n    fields: {body: text, post: ref(Post)}\n",
        id="has-many-rails-plural-symbol",
    ),
    pytest.param(
        USER + "  Profile:\n    fields: {bio: text}\n  Account:\n    fields: {plan: string}\n    has_one: Profile\n",
        USER + "  Profile:\n    fields: {bio: text, account: {type: ref(Account), unique: true}}\n  Account:\n    fields: {plan: string}\n",
        id="has-one-is-a-unique-reference",
    ),
    pytest.param(
        USER + "  Tag:\n    fields: {name: string}\n  Post:\n    fields: {title: string, tags: {type: ref(Tag), many: true}}\n",
        USER + "  Tag:\n    fields: {name: string}\n  Post:\n    fields: {title: string}\n    many_to_many: [Tag]\n",
        id="many-reference-is-many-to-many",
    ),
    pytest.param(
        USER + "  Tag:\n    fields: {name: string}\n  Post:\n    fields: {title: string, tags: ref(Tag)[]}\n",
        USER + "  Tag:\n    fields: {name: string}\n  Post:\n    fields: {title: string}\n    many_to_many: [Tag]\n",
        id="prisma-list-of-references",
    ),
    pytest.param(
        USER + "  Tag:\n    fields: {name: string}\n  Post:\n    fields: {title: string}\n    has_and_belongs_to_many: [Tag]\n",
        USER + "  Tag:\n    fields: {name: string}\n  Post:\n    fields: {title: string}\n    many_to_many: [Tag]\n",
        id="rails-habtm",
    ),
    pytest.param(
        USER.replace("password_hash", "following: {type: ref(User), many: true}, password_hash"),
        USER + "    many_to_many: {following: User}\n",
        id="self-many-to-many-named",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {author: {ref: User}, title: string}\n",
        USER + "  Post:\n    fields: {author: ref(User), title: string}\n",
        id="long-form-ref-key",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {author: {references: User, on_delete: CASCADE}, title: string}\n",
        USER + "  Post:\n    fields: {author: {type: ref(User), on_delete: cascade}, title: string}\n",
        id="django-on-delete",
    ),
    # --- standard columns declared anyway
    pytest.param(
        USER + "  Post:\n    fields: {id: uuid, title: string, created_at: datetime, updated_at: timestamp}\n",
        USER + "  Post:\n    key: uuid\n    fields: {title: string}\n",
        id="declared-standard-columns-merge",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {id: bigint, title: string}\n",
        USER + "  Post:\n    key: identity\n    fields: {title: string}\n",
        id="declared-bigint-id-chooses-identity",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: string, deleted_at: datetime?}\n",
        USER + "  Post:\n    soft_delete: true\n    fields: {title: string}\n",
        id="declared-deleted-at-is-soft-delete",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: string, createdAt: DateTime, authorId: ref(User)}\n",
        USER + "  Post:\n    fields: {title: string, author: ref(User)}\n",
        id="prisma-camel-case-names",
    ),
    # --- field types and options
    pytest.param(
        USER + "  Post:\n    fields: {title: {type: String, max_length: 200}, views: Int, ok: Boolean, at: DateTime}\n",
        USER + "  Post:\n    fields: {title: string(200), views: int, ok: bool, at: datetime}\n",
        id="django-and-prisma-type-names",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: varchar(120), body: text, price: {type: decimal, max_digits: 10, decimal_places: 2}}\n",
        USER + "  Post:\n    fields: {title: string(120), body: text, price: decimal(10,2)}\n",
        id="sql-type-names-and-django-decimal",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {status: {type: enum, choices: [draft, published]}}\n",
        USER + "  Post:\n    fields: {status: 'enum[draft,published]'}\n",
        id="django-choices",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {status: {type: string, values: [draft, published]}}\n",
        USER + "  Post:\n    fields: {status: 'enum[draft,published]'}\n",
        id="enum-values-list",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {status: enum(draft|published)}\n",
        USER + "  Post:\n    fields: {status: 'enum[draft,published]'}\n",
        id="enum-with-bars-survives-flow-mappings",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {status: enum[draft,published], price: decimal(10,2)}\n",
        USER + "  Post:\n    fields: {status: 'enum[draft,published]', price: 'decimal(10,2)'}\n",
        id="unquoted-commas-inside-flow-mapping",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {labels: String[], title: string}\n",
        USER + "  Post:\n    fields: {labels: json, title: string}\n",
        id="prisma-scalar-list-is-json",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: {type: string, required: false}, body: {type: text, optional: true}, slug: {type: string, null: false}}\n",
        USER + "  Post:\n    fields: {title: string?, body: text?, slug: {type: string, nullable: false}}\n",
        id="required-optional-null",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: {type: string, db_index: true, help_text: shown in lists, sensitive: true}}\n",
        USER + "  Post:\n    fields: {title: {type: string, index: true, description: shown in lists, pii: true}}\n",
        id="django-field-options",
    ),
    # --- entity options
    pytest.param(
        USER + "  Like:\n    fields: {user: ref(User), post: ref(User)}\n    unique_together: [[user, post]]\n",
        USER + "  Like:\n    fields: {user: ref(User), post: ref(User)}\n    unique: [[user, post]]\n",
        id="django-unique-together",
    ),
    pytest.param(
        USER + "  Event:\n    fields: {kind: string}\n    immutable: true\n    ttl: 30d\n",
        USER + "  Event:\n    fields: {kind: string}\n    append_only: true\n    retention: 30d\n",
        id="immutable-and-ttl",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: string}\n    paranoid: true\n    primary_key: uuidv7\n",
        USER + "  Post:\n    fields: {title: string}\n    soft_delete: true\n    key: uuid\n",
        id="paranoid-and-primary-key",
    ),
    pytest.param(
        "models:\n  - name: User\n    fields: {email: email}\n",
        "entities:\n  User:\n    fields: {email: email}\n",
        id="entities-as-a-list-of-models",
    ),
    # --- use cases
    pytest.param(
        USER + "use_cases:\n  list users:\n    reads: [User]\n    rate: 10/s\n",
        USER + "use_cases:\n  - name: list users\n    reads: [User]\n    rate: 10/s\n",
        id="use-cases-as-a-mapping",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: list users, reads: User, order_by: created_at desc}\n",
        USER + "use_cases:\n  - {name: list users, reads: [User], sort: [-created_at]}\n",
        id="order-by-desc",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: list users, reads: [User], sort: {created_at: desc, email: asc}}\n",
        USER + "use_cases:\n  - {name: list users, reads: [User], sort: [-created_at, email]}\n",
        id="sort-as-mapping",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: list users, reads: [User], where: {email: null}}\n",
        USER + "use_cases:\n  - {name: list users, reads: [User], filter: [email]}\n",
        id="where-mapping-parameter",
    ),
    pytest.param(
        USER + "  Post:\n    fields: {title: string, status: 'enum[draft,published]'}\n"
        "use_cases:\n  - {name: list posts, reads: [Post], filter: {status: published}}\n",
        USER + "  Post:\n    fields: {title: string, status: 'enum[draft,published]'}\n"
        "use_cases:\n  - {name: list posts, reads: [Post], filter: [status=published]}\n",
        id="filter-mapping-constant",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: list users, reads: [User], page: {limit_default: 20}}\n",
        USER + "use_cases:\n  - {name: list users, reads: [User], page: {style: cursor, limit: 20}}\n",
        id="page-limit-default",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: list users, reads: [User], pagination: {type: offset, per_page: 50, max_per_page: 200}}\n",
        USER + "use_cases:\n  - {name: list users, reads: [User], page: {style: offset, limit: 50, max: 200}}\n",
        id="pagination-mapping",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: list users, reads: [User], paginate: true}\n",
        USER + "use_cases:\n  - {name: list users, reads: [User], page: cursor}\n",
        id="paginate-true",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: view user, reads: [User], public: true, latency: 200ms}\n",
        USER + "use_cases:\n  - {name: view user, reads: [User], auth: none, latency_ms: 200}\n",
        id="public-and-latency",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: view user, reads: [User], auth: anonymous, consistency: eventually consistent}\n",
        USER + "use_cases:\n  - {name: view user, reads: [User], auth: none, consistency: eventual}\n",
        id="auth-and-consistency-words",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: view user, reads: [User], rps: 5k/s, type: query, cache_ttl: 30s}\n",
        USER + "use_cases:\n  - {name: view user, reads: [User], rate: 5k/s, kind: list, staleness: 30s}\n",
        id="rps-type-cache-ttl",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: purge users, writes: [User], cron: '@daily'}\n",
        USER + "use_cases:\n  - {name: purge users, writes: [User], schedule: daily}\n",
        id="cron-at-daily",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: edit email, writes: [User.email], kind: PATCH}\n",
        USER + "use_cases:\n  - {name: edit email, writes: [User.email], kind: update}\n",
        id="kind-as-http-verb",
    ),
    # --- scale, team, constraints, external
    pytest.param(
        USER + "scale: {dau: 150k, total_users: 2M, sla: 99.9%, region: eu-west-1, retention: 7 years, peak_factor: 3x}\n",
        USER + "scale: {daily_active: 150k, users: 2M, availability: 99.9%, regions: [eu-west-1], retention_years: 7, peak_factor: 3}\n",
        id="scale-words",
    ),
    pytest.param(
        USER + "team: 12\nconstraints: {language: Python, compliance: [GDPR, PCI-DSS, SOC 2], avoid: kafka, provider: aws}\n",
        USER + "team: {size: 12}\nconstraints: {language: python, compliance: [gdpr, pci, soc2], avoid: [kafka], cloud: aws}\n",
        id="team-number-and-constraint-words",
    ),
    pytest.param(
        USER + "external: {stripe: payment, postmark: email}\n",
        USER + "external: {stripe: {kind: payment}, postmark: {kind: email}}\n",
        id="external-kinds-as-words",
    ),
    pytest.param(
        USER + "use_cases:\n  - {name: view user, reads: [User], rate: 20}\n",
        USER + "use_cases:\n  - {name: view user, reads: [User], rate: 20/s}\n",
        id="bare-rate-is-per-second",
    ),
    pytest.param(
        USER + "  Order:\n    fields: {total: {type: money, computed: true}, code: {type: string(8), read_only: true}}\n",
        USER + "  Order:\n    fields: {total: {type: money, generated: true}, code: {type: string(8), generated: true}}\n",
        id="computed-and-read-only-are-generated",
    ),
]


@pytest.mark.parametrize(("natural", "canonical"), CASES)
def test_natural_spelling_means_the_canonical_form_ok(natural: str, canonical: str) -> None:
    """The natural spelling loads to exactly the model its canonical form loads to."""
    assert spec_of(natural) == spec_of(canonical)


@pytest.mark.parametrize(("natural", "canonical"), CASES)
def test_fmt_keeps_the_meaning_ok(natural: str, canonical: str) -> None:
    """``fmt`` rewrites the natural spelling into text that still loads to the same model."""
    text = format_spec((HEAD + textwrap.dedent(natural)).encode(), "spec.yaml")
    assert meaning(load_spec_bytes(text.encode(), "spec.yaml").spec) == spec_of(canonical)


def test_there_are_forty_spellings_ok() -> None:
    """The table covers at least forty natural spellings."""
    assert len(CASES) >= 40
