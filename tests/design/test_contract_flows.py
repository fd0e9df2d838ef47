"""The contract carries out what the design says: a blob's signed upload and download URLs, one addressing per link.

Specs of different shapes, written as a user would: files on a part of a part, public photos
behind a CDN, screenshots with the spec's own bounds, two files on one row; links with a parent
(memberships, team roles, event registrations), a link between two references (follows), and a
unique pair that is not a link (an enrollment with a grade). Each contract is checked by
openapi-spec-validator and its examples against their schemas; the DDL is applied to real
PostgreSQL and SQLite.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from backend_architect.api import DesignResult, design_spec
from backend_architect.design import blob_contract
from backend_architect.importers.openapi import import_openapi_text
from backend_architect.ir.model import Architecture, Operation
from backend_architect.rules.registry import API_RULES, review
from design.helpers import spec_of

BLOBS = {
    "docstore": """\
system: docstore
scale: {users: 20k, daily_active: 5k}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Folder: {fields: {name: string(120), owner: ref(User)}}
  Document:
    part_of: Folder
    fields: {title: string(200), body: text}
  Attachment:
    part_of: Document
    fields: {uploaded_by: ref(User), file: {type: blob, avg_bytes: 800KB}}
use_cases:
  - {name: create folder, actor: user, writes: [Folder]}
  - {name: write document, actor: user, writes: [Document]}
  - {name: attach file, actor: user, writes: [Attachment], rate: 20k/day}
  - {name: open attachment, actor: user, kind: get, reads: [Attachment], rate: 100k/day}
""",
    "photoshare": """\
system: photoshare
scale: {users: 5M, daily_active: 1M}
entities:
  User: {fields: {handle: {type: string(30), unique: true}}}
  Photo:
    fields: {owner: ref(User), caption: string(300)?, photo: {type: blob, avg_bytes: 3MB}}
    growth: 2M/day
use_cases:
  - {name: share photo, actor: user, writes: [Photo], rate: 2M/day}
  - {name: view photo, actor: visitor, auth: none, kind: get, reads: [Photo], rate: 200M/day}
""",
    "helpdesk": """\
system: helpdesk
entities:
  Customer: {fields: {email: {type: email, unique: true}}}
  Ticket: {fields: {customer: ref(Customer), subject: string(200), status: "enum[open,pending,closed]"}}
  TicketFile:
    part_of: Ticket
    fields:
      screenshot: {type: blob, avg_bytes: 400KB, max_bytes: 8MB, content_types: [image/png, image/jpeg, application/pdf]}
use_cases:
  - {name: open ticket, actor: customer, writes: [Ticket]}
  - {name: add file to ticket, actor: customer, writes: [TicketFile]}
  - {name: see ticket file, actor: agent, kind: get, reads: [TicketFile]}
""",
    "rentals": """\
system: rentals
entities:
  Host: {fields: {name: string(80)}}
  Listing:
    fields:
      host: ref(Host)
      title: string(120)
      cover_image: {type: blob, avg_bytes: 1MB}
      floor_plan: {type: blob, avg_bytes: 2MB, content_types: [application/pdf]}
use_cases:
  - {name: publish listing, actor: host, writes: [Listing]}
  - {name: view listing, actor: guest, kind: get, reads: [Listing]}
""",
}

LINKS = {
    "groupchat": """\
system: groupchat
entities:
  User: {fields: {phone: {type: string(20), unique: true}}}
  Chat: {fields: {title: string(80)?}}
  Membership:
    part_of: Chat
    fields: {user: ref(User), last_read_at: datetime?}
    unique: [[chat, user]]
use_cases:
  - {name: create chat, actor: user, writes: [Chat]}
  - {name: join chat, actor: user, writes: [Membership]}
  - {name: leave chat, actor: user, kind: delete, writes: [Membership]}
  - {name: mark chat read, actor: user, writes: [Membership.last_read_at]}
""",
    "teams": """\
system: teams
entities:
  Person: {fields: {name: string(80)}}
  Project: {fields: {name: string(120)}}
  ProjectMember:
    part_of: Project
    fields: {person: ref(Person), role: "enum[viewer,editor,owner]"}
use_cases:
  - {name: start project, actor: person, writes: [Project]}
  - {name: add project member, actor: person, writes: [ProjectMember]}
  - {name: change member role, actor: person, writes: [ProjectMember.role]}
  - {name: remove project member, actor: person, kind: delete, writes: [ProjectMember]}
""",
    "events": """\
system: events
entities:
  Attendee: {fields: {email: {type: email, unique: true}}}
  Event: {fields: {title: string(120), starts_at: datetime}}
  Registration:
    part_of: Event
    fields: {attendee: ref(Attendee), status: "enum[registered,checked_in,cancelled]"}
use_cases:
  - {name: create event, actor: organiser, writes: [Event]}
  - {name: register for event, actor: attendee, writes: [Registration]}
  - {name: check in attendee, actor: organiser, kind: action, writes: [Registration.status]}
  - {name: view registration, actor: attendee, kind: get, reads: [Registration]}
  - {name: cancel registration, actor: attendee, kind: delete, writes: [Registration]}
""",
    "follows": """\
system: follows
entities:
  User: {fields: {handle: {type: string(30), unique: true}}}
  Follow: {fields: {follower: ref(User), followee: ref(User), muted: bool}}
use_cases:
  - {name: follow user, actor: user, writes: [Follow]}
  - {name: mute followed user, actor: user, writes: [Follow.muted]}
  - {name: unfollow user, actor: user, kind: delete, writes: [Follow]}
""",
    "enrollments": """\
system: enrollments
entities:
  Course: {fields: {title: string(120)}}
  Student: {fields: {name: string(80)}}
  Enrollment:
    fields: {course: ref(Course), student: ref(Student), grade: decimal(4,2)?, notes: text?}
    unique: [[course, student]]
use_cases:
  - {name: enroll student, actor: registrar, writes: [Enrollment]}
  - {name: grade enrollment, actor: teacher, writes: [Enrollment.grade]}
  - {name: view enrollment, actor: student, kind: get, reads: [Enrollment]}
""",
}


@cache
def designed(name: str) -> DesignResult:
    return design_spec(spec_of({**BLOBS, **LINKS}[name]))


def _documents(result: DesignResult) -> dict[str, dict[str, Any]]:
    return {path: yaml.safe_load(text) for path, text in sorted(result.files.items()) if path.startswith("openapi/")}


def _operations(result: DesignResult) -> list[Operation]:
    return [op for api in result.architecture.apis for op in api.operations]


# --- every shape meets its consumers ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted({**BLOBS, **LINKS}))
def test_contracts_validate_and_examples_fit_ok(name: str) -> None:
    """openapi-spec-validator accepts every document, every example fits its schema, and the review finds nothing above info."""
    result = designed(name)
    contracts = []
    for path, document in _documents(result).items():
        validate(document)
        registry = Registry().with_resource("urn:c", Resource.from_contents(document, default_specification=DRAFT202012))
        for item in document["paths"].values():
            for op in item.values():
                contents = [*op.get("requestBody", {}).get("content", {}).values()]
                contents += [c for r in op["responses"].values() for c in r.get("content", {}).values() if "example" in c]
                for content in contents:
                    schema = {"$ref": "urn:c#" + content["schema"]["$ref"].removeprefix("#")}
                    jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker()).validate(content["example"])
        contracts.append(import_openapi_text(result.files[path], path))
    assert [f"{f.location}: {f.code} {f.message}" for f in review(Architecture(system="t", contracts=contracts), API_RULES)] == []
    assert [f"{f.code} {f.message}" for f in review(result.architecture) if f.severity > 1] == []


@pytest.mark.postgres
def test_ddl_applies_to_postgres_and_sqlite_ok(postgres: object) -> None:
    """Every design's DDL (blob key, size, content type, checksum; link pairs) applies to PostgreSQL and SQLite and takes a row per table."""
    from ddl_checks import apply_postgres, apply_sqlite, postgres_rows_insert

    for number, name in enumerate(sorted({**BLOBS, **LINKS})):
        result = designed(name)
        apply_sqlite(result)
        scripts = [text for path, text in sorted(result.files.items()) if path.endswith(".postgresql.sql")]
        apply_postgres(postgres, f"flows_{number}", scripts)
        postgres_rows_insert(postgres, f"flows_{number}", result.architecture.datastores)


# --- a blob: upload URL, confirmed key, download URL ------------------------------------------


BLOB_CASES = [
    pytest.param("docstore", "Attachment", "file", "/folders/{folder_id}/documents/{document_id}/attachments", None, id="part-of-a-part"),
    pytest.param("photoshare", "Photo", "photo", "/photos", "image/jpeg", id="public-behind-a-cdn"),
    pytest.param("helpdesk", "TicketFile", "screenshot", "/tickets/{ticket_id}/ticket-files", "image/png", id="bounds-from-the-spec"),
    pytest.param("rentals", "Listing", "cover_image", "/listings", "image/jpeg", id="first-of-two-files"),
    pytest.param("rentals", "Listing", "floor_plan", "/listings", "application/pdf", id="second-of-two-files"),
]


def _schema(document: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return dict(document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]])


def _blob_ops(result: DesignResult, entity: str, field: str) -> tuple[Operation, Operation, Operation]:
    ops = _operations(result)
    several = len([f for f in spec_of({**BLOBS}[result.architecture.system]).entities[entity].fields.values() if f.type.kind == "blob"]) > 1
    suffix = field.replace("_", " ").title().replace(" ", "") if several else ""
    upload = next(o for o in ops if o.response_schema == f"{entity}{suffix}Upload")
    download = next(o for o in ops if o.response_schema == f"{entity}{suffix}Download")
    create = next(o for o in ops if o.entity == entity and o.kind == "create" and o.request_schema == f"{entity}Create")
    return upload, download, create


@pytest.mark.parametrize(("name", "entity", "field", "collection", "first_type"), BLOB_CASES)
def test_blob_is_uploaded_by_a_presigned_url_ok(name: str, entity: str, field: str, collection: str, first_type: str | None) -> None:
    """POST .../uploads takes an allowed content type and a bounded size, and answers a PUT URL with the key the create then takes."""
    result = designed(name)
    definition = spec_of(BLOBS[name]).entities[entity].fields[field]
    upload, _download, create = _blob_ops(result, entity, field)
    assert upload.path.startswith(collection + "/")
    assert upload.path.endswith("uploads")
    assert upload.method == "post"
    assert upload.success_status == 201
    document = next(d for d in _documents(result).values() if upload.path in d["paths"])
    op = document["paths"][upload.path]["post"]
    request = _schema(document, op["requestBody"]["content"]["application/json"]["schema"])
    assert request["properties"]["content_type"]["enum"] == blob_contract.content_types(field, definition)
    if first_type:
        assert request["properties"]["content_type"]["enum"][0] == first_type
    assert request["properties"]["bytes"]["maximum"] == blob_contract.max_bytes(definition)
    assert request["properties"]["bytes"]["minimum"] == 1
    answer = op["responses"]["201"]["content"]["application/json"]["example"]
    assert set(answer) == {"upload_url", "object_key", "expires_at"}
    assert answer["upload_url"].startswith("https://")
    assert re.fullmatch(blob_contract.KEY_PATTERN, answer["object_key"])
    assert {"400", "401", "403", "422", "429"} <= set(op["responses"]), "errors are problem+json responses"
    body = document["paths"][create.path]["post"]["requestBody"]["content"]["application/json"]
    taken = _schema(document, body["schema"])["properties"][field]
    assert taken["pattern"] == blob_contract.KEY_PATTERN, "the create takes only a key the upload operation issued"
    assert body["example"][field] == answer["object_key"], "the create's example sends the key the upload answered"
    assert "confirms the upload" in create.description
    assert "422" in create.description


@pytest.mark.parametrize(("name", "entity", "field", "collection", "first_type"), BLOB_CASES)
def test_blob_is_read_by_a_signed_download_url_ok(name: str, entity: str, field: str, collection: str, first_type: str | None) -> None:
    """GET {item}/download-url answers a short-lived signed URL, the size and the type, with the item's own authorization."""
    result = designed(name)
    _upload, download, _create = _blob_ops(result, entity, field)
    read = next(o for o in _operations(result) if o.entity == entity and o.kind == "get" and o.response_schema == entity)
    assert download.path.startswith(read.path + "/")
    assert download.path.endswith("download-url")
    assert download.auth == read.auth
    assert download.scopes == read.scopes
    assert f"{blob_contract.DOWNLOAD_URL_TTL_S // 60} minutes" in download.description
    assert download.path in read.description, "the item's read says where its file is fetched"
    document = next(d for d in _documents(result).values() if download.path in d["paths"])
    op = document["paths"][download.path]["get"]
    assert op["x-cache-control"] == "no-store"
    assert set(op["responses"]["200"]["content"]["application/json"]["example"]) == {"download_url", "expires_at", "content_type", "bytes"}
    assert "404" in op["responses"]
    assert op["responses"]["404"]["content"].keys() == {"application/problem+json"}


@pytest.mark.parametrize(("name", "entity", "field", "collection", "first_type"), BLOB_CASES)
def test_blob_row_keeps_key_size_type_and_checksum_ok(name: str, entity: str, field: str, collection: str, first_type: str | None) -> None:
    """The row keeps the object's key (bounded) and the size, content type and SHA-256 the service records, all server-owned but the key."""
    result = designed(name)
    table = next(t for s in result.architecture.datastores for t in s.tables if t.entity == entity)
    columns = {c.name: c for c in table.columns}
    size, content_type, checksum = blob_contract.meta_columns(field)
    assert columns[field].type == "varchar"
    assert columns[field].length == blob_contract.KEY_LENGTH
    assert (columns[size].type, columns[content_type].type, columns[checksum].length) == ("bigint", "varchar", 44)
    assert all(columns[c].generated for c in (size, content_type, checksum))
    ddl = next(text for path, text in result.files.items() if path.endswith(".postgresql.sql") and re.search(rf"CREATE TABLE (\w+\.)?{table.name} \(", text))
    body = re.split(rf"CREATE TABLE (?:\w+\.)?{table.name} \(", ddl, maxsplit=1)[1].split(");", 1)[0]
    assert all(re.search(rf"^\s+{c} ", body, re.MULTILINE) for c in (field, size, content_type, checksum)), body


@pytest.mark.parametrize(("name", "entity", "field", "collection", "first_type"), BLOB_CASES)
def test_every_document_states_the_same_flow_ok(name: str, entity: str, field: str, collection: str, first_type: str | None) -> None:
    """design.md (storage, security, ADR), handoff.json and the assumptions state the flow with the contract's lifetimes and bounds."""
    result = designed(name)
    definition = spec_of(BLOBS[name]).entities[entity].fields[field]
    limit = blob_contract.max_bytes(definition)
    made = next(d for d in result.architecture.decisions if d.id == "object-storage")
    assert f"{blob_contract.UPLOAD_URL_TTL_S // 60} min" in made.choice
    assert f"{blob_contract.DOWNLOAD_URL_TTL_S // 60} min" in made.choice
    assert "download-url" in made.choice
    assert "confirms the upload" in made.choice
    design_md = result.files["design.md"]
    assert "Files are uploaded only by pre-signed PUT URLs" in design_md
    assert "Files are downloaded only by signed URLs" in design_md
    assert "uploaded and downloaded by signed URLs" in design_md, "the storage table says how the files travel"
    handoff = result.files["handoff.json"]
    assert "download-url" in handoff
    assert "pre-signed URL (PUT)" in handoff
    assumed = [a for a in result.architecture.assumptions if a.startswith(f"entities.{entity}.fields.{field}.")]
    assert bool([a for a in assumed if ".max_bytes:" in a]) == (definition.max_bytes is None)
    assert bool([a for a in assumed if ".content_types:" in a]) == (not definition.content_types)
    from backend_architect.design.patterns._common import size

    assert f"at most {size(limit)}" in made.choice


def test_content_type_that_is_not_one_err() -> None:
    """A content type that is not type/subtype, or bounds on a field that is not a blob, are located input errors."""
    from backend_architect.errors import InputError

    bad = BLOBS["helpdesk"].replace("application/pdf]", "pdf]")
    with pytest.raises(InputError, match="'pdf' is not a content type"):
        spec_of(bad)
    with pytest.raises(InputError, match="'max_bytes' bounds uploaded files"):
        spec_of(BLOBS["helpdesk"].replace("subject: string(200)", "subject: {type: string(200), max_bytes: 1MB}"))


# --- a link: one addressing, chosen once --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "entity", "item", "methods"),
    [
        pytest.param("groupchat", "Membership", "/chats/{chat_id}/memberships/{user_id}", {"put", "delete", "post"}, id="membership-by-its-pair"),
        pytest.param("teams", "ProjectMember", "/projects/{project_id}/members/{person_id}", {"put", "delete", "patch"}, id="team-role-by-its-pair"),
        pytest.param("events", "Registration", "/events/{event_id}/registrations/{attendee_id}", {"put", "delete", "get", "post"}, id="registration"),
        pytest.param("follows", "Follow", "/users/{user_id}/following/{followee_id}", {"put", "delete", "post", "patch"}, id="link-of-two-refs"),
        pytest.param("enrollments", "Enrollment", "/enrollments/{enrollment_id}", {"get", "patch", "post"}, id="unique-pair-with-data-own-id"),
    ],
)
def test_one_addressing_per_resource_ok(name: str, entity: str, item: str, methods: set[str]) -> None:
    """Every operation on one item of the entity (make, unmake, read, change, custom method) uses the same path parameters."""
    result = designed(name)
    on_item = [o for o in _operations(result) if o.entity == entity and (o.kind not in {"create", "list"} or o.flow == "relate")]
    assert on_item
    for op in on_item:
        assert op.path.split(":", 1)[0] == item, f"{op.operation_id} {op.method.upper()} {op.path}"
        assert [p.name for p in op.parameters if p.location == "path"] == re.findall(r"{(\w+)}", item)
        if isinstance(op.example_error, dict) and "instance" in op.example_error:
            assert op.example_error["instance"].count("/") == item.count("/") + 1, op.example_error["instance"]
    assert {o.method for o in on_item} <= methods


def test_review_finds_an_item_addressed_two_ways_err() -> None:
    """API061 flags a collection whose items are one key in some paths and another in a custom method's."""
    text = """\
openapi: 3.1.0
info: {title: Chat, version: 1.0.0}
paths:
  /v1/chats/{chat_id}/memberships/{user_id}:
    put: {responses: {'204': {description: Joined.}}}
  /v1/chats/{id}/memberships/{membership_id}:mark-read:
    post: {responses: {'204': {description: Marked.}}}
"""
    findings = review(Architecture(system="t", contracts=[import_openapi_text(text, "chat.yaml")]), API_RULES)
    flagged = [f for f in findings if f.code == "API061"]
    assert len(flagged) == 1
    assert "{membership_id} here but {user_id}" in flagged[0].message


#: A course site: lecture videos the media pipeline renders (played by manifests) beside slides downloaded as files.
COURSES = """
system: courses
entities:
  Lecture:
    fields:
      title: string(120)
      video: {type: blob, avg_bytes: 200MB, media: {transcode: [h264], renditions: [720p, 1080p]}}
      slides: {type: blob?, avg_bytes: 2MB}
use_cases:
  - {name: upload lecture, actor: teacher, writes: [Lecture], rate: 200/day}
  - {name: watch lecture, actor: student, kind: get, reads: [Lecture.video], rate: 50k/day}
  - {name: get lecture, actor: student, kind: get, reads: [Lecture], rate: 50k/day}
"""


@pytest.mark.parametrize(
    ("fields", "played", "fetched"),
    [
        pytest.param("both", ["lectures.video"], ["lectures.slides"], id="a-video-and-a-file"),
        pytest.param("video", ["lectures.video"], [], id="a-video-only"),
        pytest.param("slides", [], ["lectures.slides"], id="a-file-only"),
    ],
)
def test_the_security_checklist_states_each_signed_url_with_its_own_lifetime_ok(fields: str, played: list[str], fetched: list[str]) -> None:
    """A rendered video plays by signed manifests valid as long as the playback contract says (a film's length), a file downloads
    by a short-lived URL: the checklist names each field with its own lifetime, never one lifetime for both."""
    from backend_architect.design.patterns._playback import PLAYBACK_URL_TTL_S

    text = COURSES
    if fields == "video":
        text = text.replace("      slides: {type: blob?, avg_bytes: 2MB}\n", "")
    if fields == "slides":
        text = text.replace("      video: {type: blob, avg_bytes: 200MB, media: {transcode: [h264], renditions: [720p, 1080p]}}\n", "")
        text = text.replace("  - {name: watch lecture, actor: student, kind: get, reads: [Lecture.video], rate: 50k/day}\n", "")
    result = design_spec(spec_of(text))
    items = result.architecture.security.review_items if result.architecture.security else []
    playing = [i for i in items if i.startswith("Videos play only by signed manifest URLs")]
    downloading = [i for i in items if i.startswith("Files are downloaded only by signed URLs")]
    assert bool(playing) is bool(played)
    assert bool(downloading) is bool(fetched)
    for item in playing:
        assert f"valid {PLAYBACK_URL_TTL_S // 3600} h ({', '.join(played)}:" in item
    for item in downloading:
        assert f"valid {blob_contract.DOWNLOAD_URL_TTL_S // 60} min ({', '.join(fetched)})" in item
