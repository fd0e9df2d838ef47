"""Every way a spec can be wrong gets a message in the spec's words, located, word for word.

A message names the key (as the author wrote it), what it accepts, and an example or a
suggestion; all problems come in one run, in file order. The table pins each message
exactly, so a regression to a validator's own wording ("Input should be a valid string")
fails here.
"""

from __future__ import annotations

import pytest

from backend_architect.errors import InputError
from backend_architect.spec.load import load_spec_bytes

BASE = """\
system: shop
scale: {users: 2M}
external: {stripe: {kind: payment}}
entities:
  Customer:
    fields:
      email: {type: email, unique: true}
      password_hash: {type: string, secret: true}
  Book:
    fields:
      title: string(100)
      author: ref(Author)
      status: enum[draft,live]
  Author:
    fields:
      name: string(100)
  Review:
    part_of: Book
    fields:
      rating: int
use_cases:
  - name: browse books
    reads: [Book]
    filter: [author]
    rate: 10/s
"""


def messages(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        load_spec_bytes(text.encode(), "spec.yaml")
    return str(info.value).splitlines()


def test_base_is_valid_ok() -> None:
    """The base spec every case edits is valid."""
    assert load_spec_bytes(BASE.encode(), "spec.yaml").spec.system == "shop"


CASES = [
    # --- YAML and document shape
    pytest.param("system: shop", "system: [shop", ["spec.yaml:2:6: invalid YAML: did not find expected ',' or ']'"], id="malformed-yaml"),
    pytest.param("system: shop\n", "system: shop\nsystem: other\n", ["spec.yaml:2:1: duplicate key 'system'"], id="duplicate-key"),
    pytest.param("system: shop\n", "", ["spec.yaml:1:1: missing required key 'system' (e.g. system: bookstore)"], id="missing-system"),
    pytest.param("entities:\n", "entitys:\n", ["spec.yaml:4:1: unknown key 'entitys' (did you mean 'entities'?)"], id="misspelt-required-key-read-as-meant"),
    pytest.param(
        "system: shop",
        "system: 'shop!'",
        ["spec.yaml:1:9: 'system' takes a name of letters, digits, spaces, '-' and '_', starting with a letter, got 'shop!' (e.g. system: bookstore)"],
        id="bad-system-name",
    ),
    # --- scale, team, constraints, external
    pytest.param("users: 2M", "users: lots", ["spec.yaml:2:16: 'users': expected a count such as 2M or 1500, got 'lots'"], id="bad-count"),
    pytest.param(
        "scale: {users: 2M}",
        "scale: {users: 2M, availabilty: 99.9%}",
        ["spec.yaml:2:20: unknown key 'availabilty' (did you mean 'availability'?)"],
        id="scale-typo",
    ),
    pytest.param(
        "scale: {users: 2M}",
        "scale: {users: 2M, rates: peaky}",
        ["spec.yaml:2:27: 'rates' takes one of peak or average, got 'peaky' (did you mean 'peak'?) (e.g. rates: average)"],
        id="bad-rates-word",
    ),
    pytest.param(
        "scale: {users: 2M}",
        "scale: {users: 2M, peak_factor: 0.5}",
        ["spec.yaml:2:33: 'peak_factor' takes a number of at least 1, got 0.5 (e.g. peak_factor: 3)"],
        id="peak-below-one",
    ),
    pytest.param(
        "scale: {users: 2M}",
        "scale: {users: 2M}\nteam: {size: five}",
        ["spec.yaml:3:14: 'size' takes a whole number, got 'five' (e.g. size: 5)"],
        id="bad-team-size",
    ),
    pytest.param(
        "scale: {users: 2M}",
        "scale: {users: 2M}\nconstraints: {compliance: [gdpr, iso]}",
        ["spec.yaml:3:34: 'compliance' takes one of gdpr, pci, hipaa or soc2, got 'iso' (e.g. compliance: [gdpr, pci])"],
        id="bad-compliance",
    ),
    pytest.param(
        "{stripe: {kind: payment}}",
        "{stripe: {kind: payment, latency_ms: fast}}",
        ["spec.yaml:3:48: 'latency_ms' takes a number, got 'fast' (e.g. latency_ms: 250)"],
        id="bad-external-latency",
    ),
    # --- entities and fields
    pytest.param(
        "      title: string(100)",
        "      title: strnig(100)",
        ["spec.yaml:11:14: 'title': unknown field type 'strnig' (did you mean 'string'?)"],
        id="unknown-type",
    ),
    pytest.param(
        "      title: string(100)",
        "      title: string(0)",
        ["spec.yaml:11:14: 'title': 'string' takes positive whole numbers in parentheses, got (0)"],
        id="zero-length",
    ),
    pytest.param(
        "      title: string(100)",
        "      title: enum[]",
        ["spec.yaml:11:14: 'title': enum needs its values, as in enum[draft,published] or enum(draft|published)"],
        id="empty-enum",
    ),
    pytest.param("ref(Author)", "ref(Autor)", ["spec.yaml:12:15: unknown entity 'Autor' (did you mean 'Author'?)"], id="dangling-ref"),
    pytest.param(
        "  Author:\n",
        "  bad name:\n",
        [
            "spec.yaml:12:15: unknown entity 'Author' (expected one of the spec's entities: Book, Customer, Review)",
            "spec.yaml:14:3: 'bad name' is not an entity name: use letters, digits and '_' starting with a letter, e.g. Book or OrderLine",
        ],
        id="bad-entity-name",
    ),
    pytest.param(
        "      rating: int\n",
        "      Rating-Stars: int\n",
        ["spec.yaml:20:7: 'Rating-Stars' is not a field name: use letters, digits and '_' starting with a letter, e.g. title or published_at (snake_case)"],
        id="bad-field-name",
    ),
    pytest.param(
        "    fields:\n      name", "    feilds:\n      name", ["spec.yaml:15:5: unknown key 'feilds' (did you mean 'fields'?)"], id="unknown-entity-key"
    ),
    pytest.param("part_of: Book", "part_of: Bok", ["spec.yaml:18:14: unknown entity 'Bok' (did you mean 'Book'?)"], id="dangling-part-of"),
    pytest.param(
        "part_of: Book",
        "part_of: Review",
        ["spec.yaml:18:14: an entity cannot be part of itself; use a nullable ref(Self) for a hierarchy"],
        id="part-of-itself",
    ),
    pytest.param(
        "  Book:\n    fields:\n",
        "  Book:\n    part_of: Review\n    fields:\n",
        ["spec.yaml:10:14: part_of forms a cycle: Book -> Review -> Book"],
        id="part-of-cycle",
    ),
    pytest.param(
        "      rating: int\n",
        "      rating: int\n      id: string\n",
        ["spec.yaml:21:11: 'id' is the primary key: declare it uuid or bigint (or leave it out); got 'string'"],
        id="id-of-wrong-type",
    ),
    pytest.param(
        "      rating: int\n",
        "      rating: int\n      created_at: int\n",
        ["spec.yaml:21:19: 'created_at' is a standard column of type datetime; declare it datetime or leave it out (got 'int')"],
        id="created-at-of-wrong-type",
    ),
    pytest.param(
        "      rating: int\n",
        "      rating: int\n      book_id: text\n",
        ["spec.yaml:20:7: two fields of 'Review' both become column 'book_id'"],
        id="column-collision",
    ),
    pytest.param(
        "  Author:\n    fields:\n",
        "  Author:\n    belongs_to: Customer\n    fields:\n      customer: text\n",
        ["spec.yaml:17:17: field 'customer' and belongs_to: Customer both define the column customer_id; drop the field or make it ref(Customer)"],
        id="belongs-to-conflicts-with-field",
    ),
    pytest.param(
        "      rating: int\n",
        "      rating: int\n    avg_per_parent: -3\n",
        ["spec.yaml:21:21: 'avg_per_parent' takes a number of at least 0, got -3 (e.g. avg_per_parent: 12)"],
        id="negative-per-parent",
    ),
    pytest.param(
        "  Author:\n    fields:\n",
        "  Author:\n    avg_per_parent: 3\n    fields:\n",
        [
            "spec.yaml:15:21: avg_per_parent needs a parent to count Author rows by: part_of: X, belongs_to: X, a required ref(X) field, "
            "or many_to_many: [Author] on the entity whose links it counts"
        ],
        id="per-parent-without-parent",
    ),
    pytest.param(
        "      rating: int\n",
        "      rating: {type: int, many: true}\n",
        ["spec.yaml:20:15: 'many: true' needs a ref(...) type: a list of plain values is a json field"],
        id="many-on-a-value",
    ),
    pytest.param(
        "      rating: int\n",
        "      rating: {type: int, on_delete: cascade}\n",
        ["spec.yaml:20:38: on_delete applies to references only (type: ref(Entity))"],
        id="on-delete-on-a-value",
    ),
    pytest.param(
        "author: ref(Author)",
        "author: {type: ref(Author), on_delete: set_null}",
        ["spec.yaml:12:46: on_delete: set_null needs a nullable reference: write ref(Author)? or nullable: true"],
        id="set-null-on-required",
    ),
    pytest.param(
        "      rating: int\n",
        "      rating: int\n    unique: [[book, raiting]]\n",
        ["spec.yaml:21:21: 'Review' has no field or relation 'raiting' (did you mean 'rating'?)"],
        id="bad-unique-key",
    ),
    pytest.param(
        "      rating: int\n",
        "      rating: int\n    key: random\n",
        ["spec.yaml:21:10: 'key' takes one of auto, uuid, identity, short_code or slug, got 'random' (e.g. key: uuid)"],
        id="bad-key-strategy",
    ),
    pytest.param("  Author:\n", "  Book:\n    fields: {}\n  Author:\n", ["spec.yaml:14:3: duplicate key 'Book'"], id="duplicate-entity"),
    pytest.param(
        "      rating: int\n",
        "      rating: int\n    many_to_many: [Author]\n  ReviewAuthor:\n    fields: {y: int}\n",
        [
            "spec.yaml:21:20: the join table of Review and Author would be 'review_authors', already the table of entity "
            "'ReviewAuthor'; if ReviewAuthor is the link, drop this many_to_many and give ReviewAuthor a ref to each side"
        ],
        id="join-table-collides",
    ),
    # --- use cases
    pytest.param("reads: [Book]", "reads: [Books]", ["spec.yaml:23:13: unknown entity 'Books' (did you mean 'Book'?)"], id="dangling-read"),
    pytest.param(
        "filter: [author]", "filter: [Author.nam]", ["spec.yaml:24:14: 'Author' has no field or relation 'nam' (did you mean 'name'?)"], id="dangling-field"
    ),
    pytest.param(
        "filter: [author]",
        "filter: [Customer.email]",
        [
            "spec.yaml:24:14: no relation joins 'Customer' to 'Book', so 'Customer.email' cannot select Book rows: add one (e.g. a "
            "ref(Book) field on Customer, a ref(Customer) field on Book, or many_to_many: [Customer] on Book), or list Customer in reads"
        ],
        id="filter-without-a-relation",
    ),
    pytest.param("filter: [author]", "filter: [status=gone]", ["spec.yaml:24:14: 'gone' is not a value of Book.status"], id="bad-constant"),
    pytest.param(
        "filter: [author]",
        "filter: [author=5]",
        ["spec.yaml:24:14: a constant filter needs an enum, bool, integer or string field; Book.author is not one"],
        id="constant-on-ref",
    ),
    pytest.param(
        "rate: 10/s",
        "rate: 10/fortnight",
        ["spec.yaml:25:11: 'rate': cannot read rate '10/fortnight': write a count per unit such as 800/s or 2M/day (units: day, h, min, month, s, week, year)"],
        id="bad-rate",
    ),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\n    auth: maybe\n",
        ["spec.yaml:26:11: 'auth' takes one of required, optional or none, got 'maybe' (e.g. auth: none)"],
        id="bad-auth",
    ),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\n    page: {style: cursor, limit: 200, max: 100}\n",
        ["spec.yaml:26:11: 'page': page.limit (200) must be at most page.max (100)"],
        id="page-limit-above-max",
    ),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\n    consistency: sometimes\n",
        ["spec.yaml:26:18: 'consistency' takes one of strong or eventual, got 'sometimes' (e.g. consistency: eventual)"],
        id="bad-consistency",
    ),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\n    calls: [strype]\n",
        ["spec.yaml:26:13: unknown external system 'strype' (did you mean 'stripe'?)"],
        id="unknown-external",
    ),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\n  - name: Browse Books\n    reads: [Book]\n",
        ["spec.yaml:26:11: duplicate use case name 'Browse Books' (also use case 1)"],
        id="duplicate-use-case",
    ),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\n  - name: nothing\n",
        ["spec.yaml:26:11: use case 'nothing' reads and writes nothing; add reads: or writes: (e.g. reads: [Book])"],
        id="use-case-touching-nothing",
    ),
    pytest.param(
        "  - name: browse books\n",
        "  - reads: [Author]\n  - name: browse books\n",
        ["spec.yaml:22:5: missing required key 'name' (e.g. name: browse books)"],
        id="use-case-without-name",
    ),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\n    staleness: soon\n",
        ["spec.yaml:26:16: 'staleness': expected a duration such as 250ms, 30s, 5m, 1h or 7d, got 'soon'"],
        id="bad-duration",
    ),
    pytest.param("    rate: 10/s\n", "    rate: 10/s\n    reads: [Author]\n", ["spec.yaml:26:5: duplicate key 'reads'"], id="duplicate-use-case-key"),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\n    order_by: title\n    sort: [title]\n",
        ["spec.yaml:26:5: 'order_by' and 'sort' mean the same thing here; keep one ('sort')"],
        id="alias-and-key-together",
    ),
    # --- services
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\nservices:\n  catalog: {owns: [Book, Author, Review]}\n  people: {owns: [Customer, Book]}\n",
        ["spec.yaml:28:29: 'Book' is already owned by service 'catalog'"],
        id="entity-owned-twice",
    ),
    pytest.param(
        "    rate: 10/s\n",
        "    rate: 10/s\nservices:\n  catalog: {owns: [Book, Author, Review], calls: [peple]}\n  people: {owns: [Customer]}\n",
        ["spec.yaml:27:51: unknown service 'peple' (did you mean 'people'?)"],
        id="unknown-service",
    ),
]


@pytest.mark.parametrize(("replace", "by", "expected"), CASES)
def test_invalid_spec_message_err(replace: str, by: str, expected: list[str]) -> None:
    """Each mistake gets its located message, word for word (a trailing '...' allows the rest to differ)."""
    assert replace in BASE, replace
    got = messages(BASE.replace(replace, by, 1))
    assert len(got) == len(expected), got
    for line, want in zip(got, expected, strict=True):
        if want.endswith("..."):
            assert line.startswith(want.removesuffix("...")), line
        else:
            assert line == want


def test_there_are_forty_messages_ok() -> None:
    """The table pins at least forty distinct mistakes."""
    assert len(CASES) >= 40


def test_every_problem_reported_in_one_run_err() -> None:
    """Unknown keys, bad values and dangling references in different places all come in one run, in file order."""
    text = (
        BASE.replace("ref(Author)", "ref(Autor)")
        .replace("reads: [Book]", "reads: [Bok]")
        .replace("      rating: int", "      rating: strnig\n    grwth: 5/day")
        .replace("users: 2M", "users: lots")
    )
    got = messages(text)
    assert [line.split(": ", 1)[0] for line in got] == ["spec.yaml:2:16", "spec.yaml:12:15", "spec.yaml:20:15", "spec.yaml:21:5", "spec.yaml:24:13"]


def test_bad_use_case_does_not_hide_the_next_err() -> None:
    """A use case set aside for a bad value still lets the next one's references be checked, at their own lines."""
    text = BASE.replace("    rate: 10/s\n", "    rate: 10/s\n  - {reads: [Book]}\n  - name: view author\n    reads: [Autorh]\n")
    assert messages(text) == [
        "spec.yaml:26:5: missing required key 'name' (e.g. name: browse books)",
        "spec.yaml:28:13: unknown entity 'Autorh' (did you mean 'Author'?)",
    ]
