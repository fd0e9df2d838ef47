"""API stage: resources, methods, conventions and examples of the generated contracts."""

from __future__ import annotations

from backend_architect.ir.model import Architecture, Operation
from design.helpers import design_of

STORE = """\
system: store
team: {size: 3}
entities:
  Customer:
    fields:
      email: {type: email, unique: true, pii: true}
      password_hash: {type: string(200), secret: true}
  Order:
    fields:
      customer: ref(Customer)
      status: enum[open,paid,cancelled]
  OrderLine:
    part_of: Order
    fields: {qty: int}
use_cases:
  - {name: sign up, actor: visitor, auth: none, writes: [Customer], rate: 1/s}
  - {name: place order, writes: [Order, OrderLine], rate: 2/s}
  - {name: list orders, reads: [Order], filter: [status], sort: [-created_at], page: cursor, rate: 5/s}
  - {name: cancel order, owner_only: true, writes: [Order.status], rate: 1/min}
  - {name: rename line, writes: [OrderLine.qty], kind: update, rate: 1/min}
  - {name: remove line, writes: [OrderLine], rate: 1/min}
"""


def op(arch: Architecture, method: str, path: str) -> Operation:
    found = [o for api in arch.apis for o in api.operations if (o.method, o.path) == (method, path)]
    assert found, [(o.method, o.path) for api in arch.apis for o in api.operations]
    return found[0]


def test_collections_are_plural_kebab_and_children_nest_ok() -> None:
    """Collections are plural nouns; a child nests once under its parent."""
    arch = design_of(STORE)
    paths = {o.path for api in arch.apis for o in api.operations}
    assert "/orders" in paths
    assert "/orders/{order_id}/order-lines/{order_line_id}" in paths


def test_list_is_cursor_paginated_with_typed_filters_ok() -> None:
    """A list takes its filters, a sort enum, and a bounded limit with an opaque cursor."""
    listing = op(design_of(STORE), "get", "/orders")
    params = {p.name: p for p in listing.parameters}
    assert params["status"].enum == ["open", "paid", "cancelled"]
    assert params["sort"].enum == ["-created_at"]
    assert (params["limit"].minimum, params["limit"].maximum) == (1, 100)
    assert "cursor" in params
    assert "offset" not in params
    assert listing.paginated


def test_create_is_201_with_idempotency_key_ok() -> None:
    """Creation is POST on the collection: 201, idempotency key, 409/422 declared."""
    create = op(design_of(STORE), "post", "/orders")
    assert create.success_status == 201
    assert create.idempotency_key
    assert {409, 422} <= set(create.error_statuses)


def test_custom_command_is_colon_method_ok() -> None:
    """A state change that is not CRUD is a custom method with If-Match and 412."""
    cancel = op(design_of(STORE), "post", "/orders/{order_id}:cancel")
    assert cancel.conditional
    assert 412 in cancel.error_statuses
    assert cancel.owner_only


def test_update_is_merge_patch_ok() -> None:
    """A field update is PATCH on the item with a body of the fields it writes; delete is 204 without a body."""
    arch = design_of(STORE)
    assert op(arch, "patch", "/orders/{order_id}/order-lines/{order_line_id}").request_schema == "RenameLineRequest"
    remove = op(arch, "delete", "/orders/{order_id}/order-lines/{order_line_id}")
    assert (remove.success_status, remove.response_schema) == (204, None)


def test_secret_fields_never_in_responses_ok() -> None:
    """A hashed credential is taken as a write-only password in the create, never in read schemas or response examples."""
    arch = design_of(STORE)
    schemas = {s.name: s for api in arch.apis for s in api.schemas}
    assert "password" in {p.name for p in schemas["CustomerCreate"].properties}
    assert "password_hash" not in {p.name for s in schemas.values() for p in s.properties}
    for api in arch.apis:
        for o in api.operations:
            assert "password_hash" not in str(o.example_response)


def test_public_create_does_not_make_personal_reads_public_ok() -> None:
    """A public sign-up adds a GET that needs a token and the owner, because the data is personal."""
    get = op(design_of(STORE), "get", "/customers/{customer_id}")
    assert (get.auth, get.owner_only, get.scopes) == ("required", True, ["customers:read"])


def test_public_operation_has_no_scopes_ok() -> None:
    """auth: none operations are public with no scopes; others carry resource scopes."""
    arch = design_of(STORE)
    assert op(arch, "post", "/customers").scopes == []
    assert op(arch, "post", "/orders").scopes == ["orders:write"]


def test_every_operation_has_examples_ok() -> None:
    """Every operation has a success example (unless 204) and a problem+json error example."""
    for api in design_of(STORE).apis:
        for o in api.operations:
            assert o.example_error is not None
            assert o.example_error["status"] == o.example_error_status
            assert o.example_response is not None or o.success_status == 204
            assert (o.example_request is not None) == (o.request_schema is not None)


SAGA = """\
system: shop
team: {size: 20}
services:
  orders: {owns: [Order]}
  payments: {owns: [Payment]}
  catalog: {owns: [Product]}
entities:
  Order: {fields: {product: ref(Product)}}
  Payment: {fields: {order: ref(Order), amount: money}}
  Product: {fields: {name: string}}
use_cases:
  - {name: place order, writes: [Order, Payment], reads: [Product], rate: 5/s}
  - {name: browse products, reads: [Product], rate: 50/s}
"""


def test_saga_step_gets_internal_idempotent_create_ok() -> None:
    """A service written by another's saga gets an internal, idempotent create marked with its consumer."""
    create = op(design_of(SAGA), "post", "/payments")
    assert (create.internal, create.consumers, create.idempotency_key) == (True, ["orders"], True)
    assert create.success_status == 201


def test_fresh_remote_read_gets_internal_get_ok() -> None:
    """A strongly consistent read of another service's entity is served by a GET marked with its consumer."""
    get = op(design_of(SAGA), "get", "/products/{product_id}")
    assert (get.internal, get.consumers) == (True, ["orders"])


def test_existing_operation_gains_consumer_ok() -> None:
    """When the owner already exposes the read, it is reused and lists the consumer, not duplicated."""
    text = SAGA + "  - {name: view product, reads: [Product], rate: 20/s}\n"
    get = op(design_of(text), "get", "/products/{product_id}")
    assert (get.internal, get.consumers, get.use_cases) == (False, ["orders"], ["view product"])
