"""A contract's examples tell what its use case does: a write named for a value sends and answers that value, and the
examples of one file's flow (upload URL, confirming write, reads, download URL) show one file, of one size and type.

Specs of different shapes, written as a user would: a receipt's status set by an update of one field, a create named for
a state, an action, a whole-row update named for its outcome, flags set and cleared; files beside fields that restate
their type and size, a video through the media pipeline, a photo whose average size is over the maximum, two files on a row.
"""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.ir.model import Architecture, Operation
from design.helpers import design_of

STATES = """
system: states
entities:
  User: {fields: {name: string(80)}}
  Chat: {fields: {title: string(100), kind: "enum[direct,group]", archived: bool}}
  Message: {fields: {chat: ref(Chat), body: text}}
  Receipt: {fields: {message: ref(Message), user: ref(User), status: "enum[delivered,read]"}, unique: [[message, user]]}
  Expense: {fields: {amount: decimal, state: "enum[submitted,approved,rejected]"}}
  Ticket: {fields: {subject: string(200), status: "enum[open,pending,resolved,closed]"}}
  Post: {fields: {body: text, published: bool}}
use_cases:
  - {name: mark a message read, kind: update, writes: [Receipt.status], rate: 10/s}
  - {name: mark a message delivered, kind: create, writes: [Receipt], rate: 10/s}
  - {name: create a group, kind: create, writes: [Chat], rate: 1/s}
  - {name: archive chat, kind: update, writes: [Chat.archived], rate: 1/s}
  - {name: approve expense, kind: action, writes: [Expense.state], rate: 1/s}
  - {name: reject expense, kind: action, writes: [Expense.state], rate: 1/s}
  - {name: resolve ticket, kind: update, writes: [Ticket.status, Ticket.subject], rate: 1/s}
  - {name: close ticket, kind: update, writes: [Ticket], rate: 1/s}
  - {name: unpublish post, kind: update, writes: [Post.published], rate: 1/s}
"""


def _op(arch: Architecture, use_case: str) -> Operation:
    return next(o for a in arch.apis for o in a.operations if use_case in o.use_cases)


@pytest.mark.parametrize(
    ("use_case", "field", "value"),
    [
        pytest.param("mark a message read", "status", "read", id="update-of-one-field"),
        pytest.param("create a group", "kind", "group", id="create-named-for-a-kind"),
        pytest.param("archive chat", "archived", True, id="flag-set"),
        pytest.param("unpublish post", "published", False, id="flag-cleared"),
        pytest.param("approve expense", "state", "approved", id="action-past-tense"),
        pytest.param("reject expense", "state", "rejected", id="second-action-on-one-field"),
        pytest.param("resolve ticket", "status", "resolved", id="update-of-two-fields"),
    ],
)
def test_write_example_carries_the_value_it_is_named_for_ok(use_case: str, field: str, value: Any) -> None:
    """The example of a write named for a value sends that value when its body carries the field, and answers it."""
    op = _op(design_of(STATES), use_case)
    sent = op.example_request or {}
    if field in sent:
        assert sent[field] == value, op.example_request
    assert field in sent or op.kind == "action", (use_case, op.example_request)
    if op.success_status != 204:
        assert isinstance(op.example_response, dict)
        assert op.example_response[field] == value, op.example_response


def test_write_that_cannot_set_its_state_claims_none_err() -> None:
    """A whole-row update named for a state the server owns ('close ticket' on a ticket whose status only actions set) neither
    sends nor answers that state: the example shows what the operation does, not what its name hopes."""
    op = _op(design_of(STATES), "close ticket")
    assert "status" not in (op.example_request or {})
    assert isinstance(op.example_response, dict)
    assert op.example_response["status"] == "open"


FILES = """
system: files
entities:
  User: {fields: {name: string(80)}}
  Attachment:
    fields:
      uploader: ref(User)
      file: {type: blob, avg_bytes: 250KB, content_types: [application/pdf, image/png]}
      content_type: string(100)
      size_bytes: bigint
  Clip:
    fields:
      title: string(200)
      footage: {type: blob, avg_bytes: 40MB, max_bytes: 2GB, media: {transcode: [h264], renditions: [720p]}}
  Photo:
    fields:
      caption: string(200)
      image: {type: blob, avg_bytes: 30MB, max_bytes: 10MB}
  Product:
    fields:
      name: string(100)
      manual: {type: blob, avg_bytes: 2MB, content_types: [application/pdf]}
      picture: {type: blob, avg_bytes: 500KB}
use_cases:
  - {name: attach file, writes: [Attachment], rate: 10/s}
  - {name: get attachment, kind: get, reads: [Attachment], rate: 50/s}
  - {name: upload clip, writes: [Clip], rate: 1/s}
  - {name: post photo, writes: [Photo], rate: 5/s}
  - {name: view photo, kind: get, reads: [Photo], rate: 50/s}
  - {name: add product, writes: [Product], rate: 1/s}
  - {name: get product, kind: get, reads: [Product], rate: 20/s}
"""


def _story(arch: Architecture, entity: str, field: str) -> tuple[str, int]:
    """What the upload operation of ``entity.field`` declares: the type and the size the URL is bound to."""
    uploads = [o for a in arch.apis for o in a.operations if o.entity == entity and o.response_schema and o.response_schema.endswith("Upload")]
    op = next(o for o in uploads if len(uploads) == 1 or field.replace("_", "-") in o.path)
    assert op.example_request is not None
    return op.example_request["content_type"], op.example_request["bytes"]


def _shown(example: Any) -> list[dict[str, Any]]:
    """Every row an example shows (an item, or each item of a page)."""
    if not isinstance(example, dict):
        return []
    items = example.get("items")
    return [r for r in items if isinstance(r, dict)] if isinstance(items, list) else [example]


@pytest.mark.parametrize(
    ("entity", "fields", "restated"),
    [
        pytest.param("Attachment", ["file"], {"content_type": 0, "size_bytes": 1}, id="fields-restating-the-file"),
        pytest.param("Clip", ["footage"], {}, id="video-through-the-media-pipeline"),
        pytest.param("Photo", ["image"], {}, id="average-over-the-maximum"),
        pytest.param("Product", ["manual", "picture"], {}, id="two-files-on-a-row"),
    ],
)
def test_file_flow_examples_are_one_story_ok(entity: str, fields: list[str], restated: dict[str, int]) -> None:
    """The confirming write and every read show the size and type the upload URL was asked for, and a download URL the same."""
    arch = design_of(FILES)
    checked = 0
    for field in fields:
        kind, size = _story(arch, entity, field)
        assert size <= 10_000_000 or entity != "Photo"
        for op in (o for a in arch.apis for o in a.operations if o.entity == entity):
            for example in (op.example_request, op.example_response):
                for row in _shown(example):
                    expected = {f"{field}_bytes": size, f"{field}_content_type": kind, "bytes": size, "content_type": kind}
                    if len(fields) > 1 and ("download_url" in row or "upload_url" in row) and field.replace("_", "-") not in op.path:
                        continue
                    if "download_url" not in row and "upload_url" not in row:
                        expected = {k: v for k, v in expected.items() if k.startswith(field)} | {k: (kind, size)[i] for k, i in restated.items()}
                    for key, value in expected.items():
                        if key in row:
                            assert row[key] == value, (op.operation_id, key, row[key], value)
                            checked += 1
    assert checked >= 2 * len(fields)
