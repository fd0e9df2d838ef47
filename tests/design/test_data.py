"""Data stage: types, keys, relationships and indexes derived from access patterns."""

from __future__ import annotations

from design.helpers import design_of, index_columns, table

CATALOG = """\
system: catalog
team: {size: 4}
tenant: Shop
entities:
  Shop: {fields: {name: string(100)}}
  Category:
    fields:
      name: string(100)
      parent: ref(Category)?
  Product:
    tenant_scoped: true
    soft_delete: true
    many_to_many: [Category]
    fields:
      sku: {type: string(40), unique: true}
      title: string(200)
      description: text
      price: money
      status: enum[draft,live,retired]
      released_at: datetime
      weight: decimal(8,3)
  Follow:
    fields:
      follower: ref(Shop)
      followee: ref(Shop)
    unique: [[follower, followee]]
use_cases:
  - name: browse products
    reads: [Product]
    filter: [status, released_at]
    sort: [-title]
    page: cursor
    rate: 40/s
  - name: products by status
    reads: [Product]
    filter: [status]
    rate: 1/s
  - name: live catalogue
    reads: [Product.title, Product.price]
    filter: [status=live]
    sort: [title]
    rate: 300/s
  - name: search products
    reads: [Product]
    search: [title, description]
    rate: 2/s
  - name: update product
    writes: [Product.title]
    rate: 1/s
"""


def test_money_is_exact_decimal_with_currency_ok() -> None:
    """Money becomes numeric(19,4) plus an ISO currency code, never a float."""
    products = table(design_of(CATALOG), "products")
    amount, currency = (next(c for c in products.columns if c.name == n) for n in ("price_amount", "price_currency"))
    assert (amount.type, amount.precision, amount.scale) == ("numeric", 19, 4)
    assert (currency.type, currency.length) == ("char", 3)
    assert not any(c.type == "float" for c in products.columns)


def test_esr_order_with_tenant_first_ok() -> None:
    """Index columns go tenant, equality, sort, range, then the id tiebreaker for cursors."""
    products = table(design_of(CATALOG), "products")
    assert ["tenant_id", "status", "title desc", "released_at", "id desc"] in index_columns(products)


def test_prefix_redundant_index_dropped_ok() -> None:
    """A filter on (tenant, status) is served by the wider browse index, so no separate index exists."""
    products = table(design_of(CATALOG), "products")
    assert ["tenant_id", "status"] not in index_columns(products)
    browse = next(i for i in products.indexes if [c.name for c in i.columns][:2] == ["tenant_id", "status"])
    assert browse.reasons == ["use case 'browse products'", "use case 'products by status'"]


def test_full_text_search_gets_gin_index_ok() -> None:
    """search: fields get a GIN full-text index, with the tenant inside it for tenant-scoped tables."""
    products = table(design_of(CATALOG), "products")
    gin = [i for i in products.indexes if i.method == "gin"]
    assert [[c.name for c in i.columns] for i in gin] == [["tenant_id", "title", "description"]]


def test_soft_delete_uniques_become_partial_ok() -> None:
    """With soft delete, unique keys hold among live rows: partial unique indexes, no constraint."""
    products = table(design_of(CATALOG), "products")
    assert products.uniques == []
    partial = [i for i in products.indexes if i.unique]
    assert [(i.where, [c.name for c in i.columns]) for i in partial] == [("deleted_at IS NULL", ["tenant_id", "sku"])]


def test_many_to_many_join_table_ok() -> None:
    """A many-to-many relation gets a join table keyed by both ids, each a cascading foreign key."""
    join = table(design_of(CATALOG), "product_categories")
    assert join.primary_key == ["product_id", "category_id"]
    assert {(fk.columns[0], fk.on_delete) for fk in join.foreign_keys} == {("product_id", "cascade"), ("category_id", "cascade")}
    assert ["category_id"] in index_columns(join)


def test_self_reference_nullable_set_null_ok() -> None:
    """A nullable self reference is a foreign key to its own table that nulls on delete, and is indexed."""
    categories = table(design_of(CATALOG), "categories")
    fk = next(fk for fk in categories.foreign_keys if fk.relation == "parent")
    assert (fk.ref_table, fk.on_delete) == ("categories", "set null")
    assert ["parent_id"] in index_columns(categories)


def test_two_references_to_one_entity_ok() -> None:
    """Two named references to one entity are two columns with their own foreign keys (same service)."""
    services = "services:\n  shops: {owns: [Shop, Follow]}\n  catalog: {owns: [Category, Product]}\n"
    follows = table(design_of(CATALOG + services), "follows")
    assert sorted(fk.columns[0] for fk in follows.foreign_keys) == ["followee_id", "follower_id"]
    assert {fk.ref_table for fk in follows.foreign_keys} == {"shops"}


def test_cross_service_reference_is_plain_indexed_id_ok() -> None:
    """A reference to another service's entity is an indexed id column without a foreign key."""
    follows = table(design_of(CATALOG), "follows")
    assert follows.foreign_keys == []
    assert ["followee_id"] in index_columns(follows)
    assert "owned by" in (next(c for c in follows.columns if c.name == "followee_id").comment or "")


def test_every_foreign_key_indexed_ok() -> None:
    """Every foreign key's columns lead some index, the primary key or a unique key."""
    arch = design_of(CATALOG)
    for store in arch.datastores:
        for t in store.tables:
            leading = [t.primary_key, *(u.columns for u in t.uniques), *([c.name for c in i.columns] for i in t.indexes)]
            for fk in t.foreign_keys:
                assert any(cols[: len(fk.columns)] == fk.columns for cols in leading), (t.name, fk.name)


def test_updated_entities_get_version_column_ok() -> None:
    """Entities changed by update use cases get an optimistic-concurrency version column."""
    arch = design_of(CATALOG)
    assert any(c.name == "version" for c in table(arch, "products").columns)
    assert not any(c.name == "version" for c in table(arch, "categories").columns)


def test_enum_is_check_constraint_ok() -> None:
    """An enum is a varchar with a CHECK listing its values."""
    products = table(design_of(CATALOG), "products")
    assert [(c.column, c.values) for c in products.checks] == [("status", ["draft", "live", "retired"])]


def test_key_strategy_uuid_when_exposed_ok() -> None:
    """Entities exposed through the API get UUID keys; internal ones bigint identity."""
    arch = design_of(CATALOG)
    assert table(arch, "products").columns[0].type == "uuid"
    assert table(arch, "follows").columns[0].type == "bigint"


def test_constant_filter_makes_partial_index_ok() -> None:
    """A constant filter (status=live) is the index predicate, not a key column."""
    products = table(design_of(CATALOG), "products")
    partial = next(i for i in products.indexes if i.where and "status = 'live'" in i.where)
    assert partial.where == "deleted_at IS NULL AND status = 'live'"
    assert [c.name for c in partial.columns] == ["tenant_id", "title", "id"]


def test_hot_read_of_named_fields_is_covering_ok() -> None:
    """A read of named fields at 300 req/s includes them in its index for index-only scans."""
    products = table(design_of(CATALOG), "products")
    partial = next(i for i in products.indexes if i.where and "status = 'live'" in i.where)
    assert partial.include == ["price_amount"]
    assert "covering" in partial.reasons[0]


def test_constant_filter_is_not_a_query_parameter_ok() -> None:
    """The API applies a constant filter itself: no query parameter, and the description says so."""
    arch = design_of(
        'system: s\nentities:\n  Alert: {fields: {state: "enum[firing,resolved]", level: int}}\n'
        "use_cases:\n  - {name: list firing alerts, reads: [Alert], filter: [state=firing, level], rate: 1/s}\n"
    )
    (op,) = (o for api in arch.apis for o in api.operations if o.kind == "list")
    assert {p.name for p in op.parameters} >= {"min_level", "max_level"}
    assert "state" not in {p.name for p in op.parameters}
    assert "state = firing" in op.description
