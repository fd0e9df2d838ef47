"""What each kind of operation must do, as the design and the contract say; the generated use-case tests call these.

Every response is checked against the contract (status declared, media type, schema) by
``Scenario.call``; the functions here check the behaviour behind it.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from design import OPERATIONS, TABLES
from seeding import BASE_DATE, BASE_TIME
from support import Scenario, different, expected_order

PAGE = 2
ROWS = 5


def _reader(op_id: str) -> str | None:
    """The GET of the same resource, to read back what an operation wrote."""
    op = OPERATIONS[op_id]
    return next((k for k, o in OPERATIONS.items() if o["table"] == op["table"] and o["kind"] == "get"), None)


def create(s: Scenario, op_id: str) -> dict[str, Any]:
    """201 with the new resource and its Location; the same Idempotency-Key replays the answer, another body with it is a 409; the events are in the outbox."""
    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    path = s.path_for(op_id, None, parent)
    body = s.body(op_id, 1)
    key = str(uuid.uuid4())
    first = s.call(op_id, path, json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    created = first.json()
    for name, value in body.items():
        if name in created and not isinstance(value, dict):
            assert same(created[name], value), f"{name}: sent {value!r}, got {created[name]!r}"
    replay = s.call(op_id, path, json=body, headers={"Idempotency-Key": key})
    assert (replay.status_code, replay.json()) == (201, created), "a retry with the same Idempotency-Key must replay the first answer"
    changed = different(op_id, body)
    if changed is not None:
        other = s.call(op_id, path, json=changed, headers={"Idempotency-Key": key})
        assert other.status_code == 409, "reusing an Idempotency-Key for another request must be refused"
    reader = _reader(op_id)
    if reader is not None:
        assert first.headers["Location"].endswith(str(created["id"])), first.headers.get("Location")
        owns_itself = OPERATIONS[reader]["owner"] == TABLES[op["table"]]["key"]
        read = s.client.get(first.headers["Location"], headers=s.headers(reader, subject=str(created["id"]) if owns_itself else None))
        assert read.status_code == 200 and read.json()["id"] == created["id"], read.text
    for event in op["events"]:
        assert event in s.outbox(op_id), f"{event} must be written to the outbox with the row"
    return created


def read(s: Scenario, op_id: str) -> None:
    """200 with the row; 404 for an unknown id; others' rows (owner-only) and other tenants' rows are 404 too."""
    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    row = s.visible(op_id, parent)
    found = s.call(op_id, s.path_for(op_id, row, parent))
    assert found.status_code == 200, found.text
    assert str(found.json()["id"]) == str(row["id"])
    if op["conditional"]:
        assert found.headers["ETag"] == f'"{row["version"]}"'
    missing = dict(s.path_for(op_id, row, parent), **{op["key_param"]: _other_key(op)})
    assert s.call(op_id, missing).status_code == 404
    if op["owner"]:
        stranger = s.call(op_id, s.path_for(op_id, row, parent), auth=s.headers(op_id, subject=str(uuid.uuid4())))
        assert stranger.status_code == 404, "another caller must not see an owner-only resource"
    if TABLES[op["table"]].get("tenant"):
        outsider = s.call(op_id, s.path_for(op_id, row, parent), auth=s.headers(op_id, tenant=str(uuid.uuid4())))
        assert outsider.status_code == 404, "another tenant must not see the row"


def listing(s: Scenario, op_id: str) -> None:
    """Every visible row exactly once, page after page, in the designed order; search finds by word; each designed index serves its query."""
    op = OPERATIONS[op_id]
    table = TABLES[op["table"]]
    parent = s.parent(op_id)
    shared = _filter_values(s, op_id)
    fixed = {*shared, *op["where_values"], table.get("tenant"), op["owner"], op["parent"]["column"] if op["parent"] else None}
    count = 1 if any(set(unique) <= fixed for unique in table["uniques"]) else ROWS
    rows = [s.visible(op_id, parent, **shared, **_sort_values(op, n)) for n in range(count)]
    if op["owner"]:
        s.visible(op_id, parent, **shared, **{op["owner"]: uuid.uuid4()})  # someone else's: never listed
    query = {f["param"]: _text(shared[f["column"]]) for f in op["filters"] if f["op"] == "eq" and f["column"] in shared}
    path = s.path_for(op_id, None, parent)
    for sort, keys in op["sorts"].items():
        seen: list[str] = []
        page_query = {**query, "limit": PAGE, **({"sort": sort} if sort else {})}
        while True:
            page = s.call(op_id, path, query=page_query)
            assert page.status_code == 200, page.text
            seen += [str(item["id"]) for item in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None or op["paging"] != "cursor":
                break
            page_query["cursor"] = cursor
        assert seen == expected_order(rows, keys), f"sort {sort!r}: pages must return every row once, in order"
    for index in op["indexes"]:
        if index["method"] == "btree":
            narrowed = {f["param"]: query[f["param"]] for f in op["filters"] if f["param"] in query and f["column"] in index["columns"]}
            sort = next((name for name, keys in op["sorts"].items() if name and keys[0][0] in index["columns"]), None)
            _uses_index(s, op_id, path, {**narrowed, **({"sort": sort} if sort else {})}, index["name"])
    if op["search"]:
        word = f"zebra{uuid.uuid4().hex[:6]}"
        needle = s.visible(op_id, parent, **shared, **{op["search"][0]: f"{word} crossing"})
        hits = s.call(op_id, path, query={**query, "q": word}).json()["items"]
        assert [str(h["id"]) for h in hits] == [str(needle["id"])], "full-text search must find the row holding the word"
        for index in op["indexes"]:
            if index["method"] == "gin":
                _uses_index(s, op_id, path, {"q": word}, index["name"])
    assert s.call(op_id, path, query={**query, "cursor": "not-a-cursor"}).status_code == 400


def _uses_index(s: Scenario, op_id: str, path: dict[str, Any], query: dict[str, Any], index: str) -> None:
    """The list query the service runs for ``query`` is planned on ``index`` (sequential scans priced out: the tables are tiny)."""
    s.statements.clear()
    assert s.call(op_id, path, query=query).status_code == 200
    statement, parameters = next((st, p) for st, p in reversed(s.statements) if " LIMIT " in st.upper())
    plan = s.plan(statement, parameters, OPERATIONS[op_id]["table"], index)
    assert s.index_names(index) & set(re.findall(r"\w+", plan)), f"{query} should be served by the designed index {index}:\n{plan}"


def change(s: Scenario, op_id: str) -> None:
    """200 with the changed row and a new ETag; a stale If-Match is a 412 and changes nothing; others' rows are 404; the events are in the outbox."""
    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    row = s.visible(op_id, parent)
    path = s.path_for(op_id, row, parent)
    body = s.body(op_id, 3)
    headers = {"Idempotency-Key": str(uuid.uuid4())} if op["idempotent"] else {}
    if op["conditional"]:
        headers["If-Match"] = f'"{row["version"]}"'
    done = s.call(op_id, path, json=body, headers=headers)
    assert done.status_code == 200, done.text
    for name, value in (body or {}).items():
        if name in done.json() and not isinstance(value, dict):
            assert same(done.json()[name], value), f"{name}: sent {value!r}, got {done.json()[name]!r}"
    if op["conditional"]:
        assert done.headers["ETag"] == f'"{row["version"] + 1}"', "each change bumps the version"
        if op["idempotent"]:
            replay = s.call(op_id, path, json=body, headers=headers)
            assert (replay.status_code, replay.json()) == (200, done.json()), "the same Idempotency-Key replays the answer"
        stale = {"If-Match": f'"{row["version"]}"', **({"Idempotency-Key": str(uuid.uuid4())} if op["idempotent"] else {})}
        assert s.call(op_id, path, json=body, headers=stale).status_code == 412
    if op["owner"]:
        stranger = s.call(op_id, path, json=body, auth=s.headers(op_id, subject=str(uuid.uuid4())))
        assert stranger.status_code == 404
    for event in op["events"]:
        assert event in s.outbox(op_id)


def remove(s: Scenario, op_id: str) -> None:
    """204, then the row is gone (or soft-deleted: invisible) for readers."""
    parent = s.parent(op_id)
    row = s.visible(op_id, parent)
    path = s.path_for(op_id, row, parent)
    headers = {"If-Match": f'"{row["version"]}"'} if OPERATIONS[op_id]["conditional"] else {}
    assert s.call(op_id, path, headers=headers).status_code == 204
    reader = _reader(op_id)
    if reader is not None:
        assert s.call(reader, s.path_for(reader, row, parent)).status_code == 404


def guarded(s: Scenario, op_id: str) -> None:
    """Without a token: 401; with a token lacking the operation's scopes: 403."""
    op = OPERATIONS[op_id]
    if op["auth"] != "required":
        return
    parent = s.parent(op_id) if op["parent"] else None
    path = s.path_for(op_id, {TABLES[op["table"]]["key"]: _other_key(op)} if op["key_param"] else None, parent)
    body = s.body(op_id, 9) if op["has_body"] else None
    assert s.call(op_id, path, json=body, auth={}).status_code == 401
    if op["scopes"]:
        assert s.call(op_id, path, json=body, auth=s.headers(op_id, scopes=[])).status_code == 403


def _other_key(op: dict[str, Any]) -> Any:
    return str(uuid.uuid4()) if TABLES[op["table"]]["key_kind"] == "uuid" else 2_000_000_000


def same(answered: Any, sent: Any) -> bool:
    """Whether the service answered the value that was sent: the same number, instant, id (any case) or text."""
    if answered == sent or str(answered).lower() == str(sent).lower():
        return True
    for parse in (float, _instant):
        try:
            return bool(parse(answered) == parse(sent))
        except (TypeError, ValueError):
            continue
    return False


def _instant(value: Any) -> datetime.datetime:
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _filter_values(s: Scenario, op_id: str) -> dict[str, Any]:
    """One value per equality filter, shared by every seeded row, so filtering by all of them returns them all."""
    op = OPERATIONS[op_id]
    table = TABLES[op["table"]]
    values: dict[str, Any] = {}
    for item in op["filters"]:
        column = item["column"]
        if item["op"] != "eq" or column in values or column in op["where_values"]:
            continue
        if op["parent"] and column == op["parent"]["column"]:
            continue
        if op["owner"] == column:
            continue
        spec = next(c for c in table["columns"] if c["name"] == column)
        if column in table["foreign"]:
            target = TABLES[table["foreign"][column]]
            values[column] = s.seeder.seed(table["foreign"][column], **({target["tenant"]: uuid.UUID(s.tenant)} if target.get("tenant") else {}))[target["key"]]
        elif spec.get("enum"):
            values[column] = spec["enum"][0]
        elif spec["type"] == "uuid":
            values[column] = uuid.uuid4()
        elif spec["type"] in {"integer", "bigint", "smallint"}:
            values[column] = 7
        elif spec["type"] == "boolean":
            values[column] = True
        elif spec["type"] in {"varchar", "text"}:
            values[column] = f"filter-{uuid.uuid4().hex[:8]}"[: spec.get("length") or 64]
    return values


def _sort_values(op: dict[str, Any], n: int) -> dict[str, Any]:
    """Sort columns that differ between rows (and, where a sort column may be NULL, NULLs too)."""
    table = TABLES[op["table"]]
    values: dict[str, Any] = {}
    for keys in op["sorts"].values():
        for column, _descending in keys:
            if column == table["key"] or column in values:
                continue
            spec = next(c for c in table["columns"] if c["name"] == column)
            if spec["nullable"] and n < 2:
                values[column] = None
            elif spec["type"] == "timestamptz":
                values[column] = BASE_TIME + datetime.timedelta(minutes=(n * 7) % 5)
            elif spec["type"] == "date":
                values[column] = BASE_DATE + datetime.timedelta(days=(n * 7) % 5)
    return values
