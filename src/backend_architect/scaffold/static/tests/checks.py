"""What each kind of operation must do, as the design and the contract say; the generated use-case tests call these.

Every response is checked against the contract (status declared, media type, schema) by
``Scenario.call``; the functions here check the behaviour behind it. The mechanisms beyond
rows (links, sessions, walks, series, rankings, uploads) are in ``mechanisms``.
"""

from __future__ import annotations

import datetime
import os
import re
import uuid
from decimal import Decimal
from typing import Any

from design import OPERATIONS, TABLES
from seeding import BASE_DATE, BASE_TIME
from support import Scenario, different, expected_order

PAGE = 2
ROWS = 5


def _reader(op_id: str) -> str | None:
    """The GET of the same resource by its item path, to read back what an operation wrote."""
    op = OPERATIONS[op_id]
    return next(
        (k for k, o in OPERATIONS.items() if o["table"] == op["table"] and o["mechanism"] == "crud.read" and o["key_param"] and not o["lookup"]),
        None,
    )


def create(s: Scenario, op_id: str) -> dict[str, Any]:
    """201 with the new resource and its Location; the same Idempotency-Key replays the answer, another body with it is a 409; its
    parts, total, public key and point are written with it; the events are in the outbox."""
    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    path = s.path_for(op_id, None, parent)
    body = s.body(op_id, 1)
    if op["owner"]:
        s.caller_value(op["table"], op["owner"])
    for made in op.get("made", []):
        if made["caller"]:
            s.caller_value(made["table"], made["caller"])  # the caller's row the server's row names exists
    key = str(uuid.uuid4())
    first = s.call(op_id, path, json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    created = first.json()
    body = body or {}
    for name, value in body.items():
        if name in created and not isinstance(value, dict | list):
            assert same(created[name], value), f"{name}: sent {value!r}, got {created[name]!r}"
        if isinstance(value, dict) and {"lat", "lon"} <= set(value) and name in created:
            assert abs(created[name]["lat"] - value["lat"]) < 1e-5 and abs(created[name]["lon"] - value["lon"]) < 1e-5, f"{name}: the point"
    for prop in op["props"]:
        assert op["props"][prop].get("format") != "password" or prop not in created, f"{prop} must never be answered"
    replay = s.call(op_id, path, json=body or None, headers={"Idempotency-Key": key})
    assert (replay.status_code, replay.json()) == (201, created), "a retry with the same Idempotency-Key must replay the first answer"
    changed = different(op_id, body) if body else None
    if changed is not None:
        other = s.call(op_id, path, json=changed, headers={"Idempotency-Key": key})
        assert other.status_code == 409, "reusing an Idempotency-Key for another request must be refused"
    row = s.rows(op["table"], **{TABLES[op["table"]]["key"]: _key_of(op, created)})[0]
    for name, value in op["sets"].items():
        assert row[name] == value and created[name] == value, f"{name}: the state '{op_id}' is named for is {value!r}, stored {row[name]!r}"
    for child in op.get("children", []):
        parts = s.rows(child["table"], **{child["column"]: row[TABLES[op["table"]]["key"]]})
        assert len(parts) == len(body.get(child["prop"]) or []), f"the {child['prop']} must be written with the {op['table']}"
        _total_matches(op, row, body, child)
    _made(s, op, row)
    for link in op.get("links", []):
        sent = list(dict.fromkeys(body.get(link["prop"]) or []))
        made = s.rows(link["table"], **{link["column"]: row[TABLES[op["table"]]["key"]]})
        assert len(made) == len(sent), f"the {link['prop']} must be linked with the {op['table']} ({len(sent)} sent, {len(made)} stored)"
        for name in sent if link["name"] and link["target"] else ():
            assert s.rows(link["target"], **{link["name"]: name}), f"{link['prop']}: '{name}' must exist once linked"
    # read back last: a members-only reader makes the caller a member, one more row of a parts or link table counted above
    reader = _reader(op_id)
    if reader is not None:
        assert first.headers["Location"].endswith(str(row[op["address"]])), first.headers.get("Location")
        owns_itself = OPERATIONS[reader]["owner"] == TABLES[op["table"]]["key"]
        members = OPERATIONS[reader].get("members")
        creator = any(m["table"] == (members or {}).get("table") and m["caller"] == members["member_column"] for m in op.get("made", []))
        if members and members["source"] == "path" and not creator:
            # a scope's own row is its members' (the creator joins by another use case): read back as one, as every members-only call is
            s.join(reader, members, {members["name"]: created["id"]}, {}, None)
        read = s.client.get(first.headers["Location"], headers=s.headers(reader, subject=str(created["id"]) if owns_itself else None))
        assert read.status_code == 200 and read.json()["id"] == created["id"], read.text
    for column in TABLES[op["table"]]["columns"]:
        if column["name"].endswith("_cell") and row.get(column["name"][:-5] + "_lat") is not None:
            assert row[column["name"]], f"{column['name']}: the server computes the point's cell"
    for event in op["events"]:
        assert event in s.outbox(op_id), f"{event} must be written to the outbox with the row"
    return created


def _made(s: Scenario, op: dict[str, Any], row: dict[str, Any]) -> None:
    """Each row the design says the server writes with the create exists once, naming the new row: the caller's (its member column
    the token's subject), its constants (the creator's role, a part's first state) set, its times stamped."""
    for made in op.get("made", []):
        rows = s.rows(made["table"], **{made["column"]: row[TABLES[op["table"]]["key"]]})
        assert len(rows) == 1, f"the server must write one {made['table']} row with the {op['table']} ({len(rows)} written)"
        if made["caller"]:
            assert rows[0][made["caller"]] == s.caller_value(made["table"], made["caller"]), f"{made['caller']}: the caller's"
        for name, value in made["values"].items():
            assert rows[0][name] == value, f"{made['table']}.{name}: the design sets {value!r}, stored {rows[0][name]!r}"
        for name in made["stamped"]:
            assert rows[0][name] is not None, f"{made['table']}.{name}: the time of the request"


def _key_of(op: dict[str, Any], created: dict[str, Any]) -> Any:
    key = created["id"]
    return uuid.UUID(key) if TABLES[op["table"]]["key_kind"] == "uuid" else key


def _total_matches(op: dict[str, Any], row: dict[str, Any], body: dict[str, Any], child: dict[str, Any]) -> None:
    """A total the server computes from the parts' prices and quantities equals their sum."""
    total = next((c["name"] for c in TABLES[op["table"]]["columns"] if c["name"].startswith("total") and c["name"].endswith("_amount")), None)
    items = body.get(child["prop"]) or []
    prices = [next((v for v in item.values() if isinstance(v, dict) and "amount" in v), None) for item in items]
    if total is None or not items or any(p is None for p in prices):
        return
    quantity = next((k for k in ("quantity", "qty", "count", "units") if k in items[0]), None)
    expected = sum(Decimal(p["amount"]) * (item[quantity] if quantity else 1) for p, item in zip(prices, items, strict=True))  # type: ignore[index]
    assert Decimal(row[total]) == expected, f"{total}: {row[total]} is not the parts' {expected}"


def read(s: Scenario, op_id: str) -> None:
    """200 with the row; 404 for an unknown id; others' rows (owner-only) and other tenants' rows are 404 too."""
    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    if op["flow"] == "me":
        row = s.visible(op_id, parent)
        found = s.call(op_id, {}, auth=s.headers(op_id, subject=str(row[TABLES[op["table"]]["key"]])))
        assert found.status_code == 200 and str(found.json()["id"]) == str(row["id"]), found.text
        assert s.call(op_id, {}, auth=s.headers(op_id, subject=str(uuid.uuid4()))).status_code == 404
        return
    if op["lookup"]:
        values = {f["column"]: _filter_value(s, op, f["column"]) for f in op["lookup"] if not f["chain"]}
        row = s.visible(op_id, parent, **values)
        query = {f["param"]: _text(values[f["column"]]) for f in op["lookup"] if not f["chain"]}
        found = s.call(op_id, s.path_for(op_id, None, parent), query=query)
        assert found.status_code == 200 and str(found.json()["id"]) == str(row["id"]), found.text
        return
    row = s.visible(op_id, parent)
    found = s.call(op_id, s.path_for(op_id, row, parent))
    assert found.status_code == 200, found.text
    assert str(found.json()["id"]) == str(row["id"])
    if op["conditional"]:
        assert found.headers["ETag"] == f'"{row["version"]}"'
    if op["cache_control"]:
        _shared_only_when_anonymous(s, op_id, found, s.path_for(op_id, row, parent))
    if op.get("countries"):
        _refused_in_country(s, op_id, row, s.path_for(op_id, row, parent))
    missing = dict(s.path_for(op_id, row, parent), **{op["key_param"]: _other_key(op)})
    assert s.call(op_id, missing).status_code == 404
    if op["owner"] or op["owner_chain"]:
        stranger = s.call(op_id, s.path_for(op_id, row, parent), auth=s.headers(op_id, subject=str(uuid.uuid4())))
        assert stranger.status_code == 404, "another caller must not see an owner-only resource"
    if TABLES[op["table"]].get("tenant"):
        outsider = s.call(op_id, s.path_for(op_id, row, parent), auth=s.headers(op_id, tenant=str(uuid.uuid4())))
        assert outsider.status_code == 404, "another tenant must not see the row"


def _refused_in_country(s: Scenario, op_id: str, row: dict[str, Any], path: dict[str, Any]) -> None:
    """A geo-restricted item: 451 (problem+json) to a caller from a refused country, 200 from another; answers vary by the country."""
    from psycopg import sql
    from psycopg.types.json import Jsonb

    op = OPERATIONS[op_id]
    rule = op["countries"]
    key = row[TABLES[op["table"]]["key"]]
    if rule["item_column"]:
        s.seeder.seed(rule["table"], **{rule["item_column"]: key, rule["column"]: "GB"})
    else:
        update = sql.SQL("UPDATE {} SET {} = %s WHERE {} = %s").format(
            sql.Identifier(*rule["table"].split(".")), sql.Identifier(rule["column"]), sql.Identifier(TABLES[op["table"]]["key"])
        )
        s.db.execute(update, [Jsonb(["GB"]), key])
    refused, served = ("GB", "FR") if rule["mode"] == "blocked" else ("FR", "GB")
    answer = s.call(op_id, path, headers={rule["header"]: refused})
    assert answer.status_code == 451, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    found = s.call(op_id, path, headers={rule["header"]: served})
    assert found.status_code == 200, found.text
    assert found.headers.get("Vary") == rule["header"], found.headers


def _shared_only_when_anonymous(s: Scenario, op_id: str, found: Any, path: dict[str, Any]) -> None:
    """The designed Cache-Control: public only to an anonymous caller; a caller with a token gets a response no shared cache keeps."""
    op = OPERATIONS[op_id]
    public = op["cache_control"].startswith("public")
    tokened = bool(s.headers(op_id))
    assert found.headers.get("Cache-Control") == ("private, no-store" if public and tokened else op["cache_control"]), found.headers
    if op["auth"] == "optional":
        anonymous = s.call(op_id, path, auth={})
        assert anonymous.status_code == 200 and anonymous.headers.get("Cache-Control") == op["cache_control"], anonymous.headers


def listing(s: Scenario, op_id: str) -> None:
    """Every visible row exactly once, page after page, in the designed order; search finds by word; each designed index serves its query."""
    op = OPERATIONS[op_id]
    table = TABLES[op["table"]]
    parent = s.parent(op_id)
    shared = _filter_values(s, op_id)
    fixed = {*shared, *op["where_values"], table.get("tenant"), op["owner"], op["parent"]["column"] if op["parent"] else None}
    fixed |= {f["column"] for f in op["path_filters"]}
    count = 1 if any(set(unique) <= fixed for unique in table["uniques"]) else ROWS
    columns = {c["name"] for c in table["columns"]}
    own = {k: v for k, v in shared.items() if k in columns}
    rows = [s.visible(op_id, parent, _joined_sort_values(op, n), **own, **_sort_values(op, n)) for n in range(count)]
    for joined in (f for f in op["filters"] if f["chain"]):
        for row in rows:
            s.reach(row, joined["chain"], {joined["column"]: shared[joined["param"]]})
    if op["owner"] or op["owner_chain"]:
        s.seeder.seed(op["table"], **{**s.tenant_values(op["table"]), **own, **op["where_values"]})  # someone else's: never listed
    if op.get("feed"):
        s.fan_out(op_id, rows)
    query = {f["param"]: _text(shared[_shared_key(f)]) for f in op["filters"] if f["op"] == "eq" and _shared_key(f) in shared}
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
        wanted = expected_order(rows, keys)
        assert seen == (wanted if op["paging"] != "none" else wanted[:PAGE]), f"sort {sort!r}: pages must return every row once, in order"
    from_list = bool(op.get("feed") and os.environ.get("REDIS_URL"))  # the design's precomputed list answers, not the query
    for index in [] if from_list else op["indexes"]:
        if index["method"] == "btree":
            # a required filter is always sent (a list scoped by a many-to-many relation has it in the join, not this index)
            wanted = {f["param"] for f in op["filters"] if f["column"] in index["columns"]} | set(op["required_query"])
            narrowed = {f["param"]: query[f["param"]] for f in op["filters"] if f["param"] in query and f["param"] in wanted}
            sort = next((name for name, keys in op["sorts"].items() if name and keys[0][0] in index["columns"]), None)
            _uses_index(s, op_id, path, {**narrowed, **({"sort": sort} if sort else {})}, index["name"])
    if op["search"]:
        word = f"zebra{uuid.uuid4().hex[:6]}"
        needle = s.visible(op_id, parent, **own, **{op["search"][0]: f"{word} crossing"})
        hits = s.call(op_id, path, query={**query, "q": word}).json()["items"]
        assert [str(h["id"]) for h in hits] == [str(needle["id"])], "full-text search must find the row holding the word"
        for index in op["indexes"]:
            if index["method"] == "gin":
                _uses_index(s, op_id, path, {"q": word}, index["name"])
    if op["paging"] == "cursor":
        assert s.call(op_id, path, query={**query, "cursor": "not-a-cursor"}).status_code == 400


def _shared_key(item: dict[str, Any]) -> str:
    return str(item["param"] if item["chain"] else item["column"])


def _uses_index(s: Scenario, op_id: str, path: dict[str, Any], query: dict[str, Any], index: str) -> None:
    """The list query the service runs for ``query`` is planned on ``index`` (sequential scans priced out: the tables are tiny)."""
    s.statements.clear()
    assert s.call(op_id, path, query=query).status_code == 200
    statement, parameters = next((st, p) for st, p in reversed(s.statements) if " LIMIT " in st.upper())
    plan = s.plan(statement, parameters, OPERATIONS[op_id]["table"], index)
    assert s.index_names(index) & set(re.findall(r"\w+", plan)), f"{query} should be served by the designed index {index}:\n{plan}"


def change(s: Scenario, op_id: str) -> None:
    """200 with the changed row and a new ETag (204 for a heartbeat); a stale If-Match is a 412 and changes nothing; others' rows are 404;
    the events are in the outbox."""
    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    row = s.visible(op_id, parent)
    path = {} if op["flow"] == "me" else s.path_for(op_id, row, parent)
    auth = s.headers(op_id, subject=str(row[TABLES[op["table"]]["key"]])) if op["flow"] == "me" else None
    body = s.body(op_id, 3)
    headers = {"Idempotency-Key": str(uuid.uuid4())} if op["idempotent"] else {}
    if op["conditional"]:
        headers["If-Match"] = f'"{row["version"]}"'
    done = s.call(op_id, path, json=body, headers=headers, auth=auth)
    assert done.status_code == op["success"], done.text
    if op["success"] == 204:
        if op.get("heartbeat"):
            assert _online(s, op, row), "a heartbeat refreshes presence"
        return
    for name, value in (body or {}).items():
        if name in done.json() and not isinstance(value, dict | list):
            assert same(done.json()[name], value), f"{name}: sent {value!r}, got {done.json()[name]!r}"
    stored = s.rows(op["table"], **{TABLES[op["table"]]["key"]: row[TABLES[op["table"]]["key"]]})[0] if op["sets"] else {}
    for name, value in op["sets"].items():
        assert stored[name] == value and done.json()[name] == value, f"{name}: the state '{op_id}' is named for is {value!r}, stored {stored[name]!r}"
    if op["conditional"]:
        assert done.headers["ETag"] == f'"{row["version"] + 1}"', "each change bumps the version"
        if op["idempotent"]:
            replay = s.call(op_id, path, json=body, headers=headers, auth=auth)
            assert (replay.status_code, replay.json()) == (200, done.json()), "the same Idempotency-Key replays the answer"
        stale = {"If-Match": f'"{row["version"]}"', **({"Idempotency-Key": str(uuid.uuid4())} if op["idempotent"] else {})}
        assert s.call(op_id, path, json=body, headers=stale, auth=auth).status_code == 412
    if (op["owner"] or op["owner_chain"]) and op["flow"] != "me":
        stranger = s.call(op_id, path, json=body, auth=s.headers(op_id, subject=str(uuid.uuid4())))
        assert stranger.status_code == 404
    for event in op["events"]:
        assert event in s.outbox(op_id)


def _online(s: Scenario, op: dict[str, Any], row: dict[str, Any]) -> bool:
    """The row counts as online: its presence key in Redis (with REDIS_URL), else its row in the presence table."""
    key = str(row[TABLES[op["table"]]["key"]])
    if os.environ.get("REDIS_URL"):
        import redis

        return bool(redis.Redis.from_url(os.environ["REDIS_URL"]).exists(f"presence:{TABLES[op['table']]['name']}:{key}"))
    return any(str(r["key"]) == key for r in s.rows(_presence(op)))


def _presence(op: dict[str, Any]) -> str:
    schema = TABLES[op["table"]]["schema"]
    return next(k for k, t in TABLES.items() if t["schema"] == schema and t.get("runtime") == "presence")


def remove(s: Scenario, op_id: str) -> None:
    """204, then the row is gone (or soft-deleted: invisible) for readers."""
    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    row = s.visible(op_id, parent)
    path = {} if op["flow"] == "me" else s.path_for(op_id, row, parent)
    auth = s.headers(op_id, subject=str(row[TABLES[op["table"]]["key"]])) if op["flow"] == "me" else None
    headers = {"If-Match": f'"{row["version"]}"'} if op["conditional"] else {}
    assert s.call(op_id, path, headers=headers, auth=auth).status_code == 204
    reader = _reader(op_id)
    if reader is not None and op["flow"] != "me":
        assert s.call(reader, s.path_for(reader, row, parent)).status_code == 404


def guarded(s: Scenario, op_id: str) -> None:
    """Without a token: 401; with a token lacking the operation's scopes: 403."""
    op = OPERATIONS[op_id]
    if op["auth"] != "required":
        return
    parent = s.parent(op_id) if op["parent"] else None
    path = s.path_for(op_id, {op["address"]: _other_key(op)} if op["key_param"] else None, parent)
    for name, kind in op["path_kinds"].items():
        path.setdefault(name, uuid.uuid4() if kind == "uuid" else 1 if kind == "int" else "x")
    body = s.body(op_id, 9) if op["has_body"] else None
    query = op["required_query"]
    assert s.call(op_id, path, query=query, json=body, auth={}).status_code == 401
    if op["scopes"]:
        assert s.call(op_id, path, query=query, json=body, auth=s.headers(op_id, scopes=[])).status_code == 403


def unsigned(s: Scenario, op_id: str) -> None:
    """Called back without the external system's signature, with another secret's, or with a stale one (a replay): 401."""
    op = OPERATIONS[op_id]
    parent = s.parent(op_id) if op["parent"] else None
    path = s.path_for(op_id, {op["address"]: _other_key(op)} if op["key_param"] else None, parent)
    for name, kind in op["path_kinds"].items():
        path.setdefault(name, uuid.uuid4() if kind == "uuid" else 1 if kind == "int" else "x")
    body = s.body(op_id, 9) if op["has_body"] else None
    query = op["required_query"]
    assert s.call(op_id, path, query=query, json=body, headers={"X-Signature": ""}).status_code == 401
    url = op["path"].format(**{k: str(v) for k, v in path.items()})
    assert s.signed(op_id, url, query, body, {}, secret="not-the-shared-secret").status_code == 401
    assert s.signed(op_id, url, query, body, {}, age_s=3600).status_code == 401


def _other_key(op: dict[str, Any]) -> Any:
    kinds = op["path_kinds"]
    kind = kinds.get(op["key_param"] or "", TABLES[op["table"]]["key_kind"])
    return str(uuid.uuid4()) if kind == "uuid" else 2_000_000_000 if kind == "int" else "zzzzzz"


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


def _filter_value(s: Scenario, op: dict[str, Any], column: str, table_name: str | None = None) -> Any:
    table = TABLES[table_name or op["table"]]
    spec = next(c for c in table["columns"] if c["name"] == column)
    if column in table["foreign"]:
        target = TABLES[table["foreign"][column]]
        return s.seeder.seed(table["foreign"][column], **s.tenant_values(table["foreign"][column]))[target["key"]]
    if spec.get("enum"):
        return spec["enum"][0]
    if spec["type"] == "uuid":
        return uuid.uuid4()
    if spec["type"] in {"integer", "bigint", "smallint"}:
        return 7
    if spec["type"] == "boolean":
        return True
    if spec["type"] == "timestamptz":
        return BASE_TIME
    if spec["type"] == "date":
        return BASE_DATE
    return f"filter-{uuid.uuid4().hex[:8]}"[: spec.get("length") or 64]


def _filter_values(s: Scenario, op_id: str) -> dict[str, Any]:
    """One value per equality filter, shared by every seeded row, so filtering by all of them returns them all (joined ones by parameter)."""
    op = OPERATIONS[op_id]
    values: dict[str, Any] = {}
    for item in op["filters"]:
        if item["op"] != "eq":
            continue
        if item["chain"]:
            values[item["param"]] = _filter_value(s, op, item["column"], item["chain"]["table"])
            continue
        column = item["column"]
        if column in values or column in op["where_values"] or (op["parent"] and column == op["parent"]["column"]) or op["owner"] == column:
            continue
        spec = next(c for c in TABLES[op["table"]]["columns"] if c["name"] == column)
        simple = spec["type"] in {"varchar", "text", "uuid", "integer", "bigint", "smallint", "boolean"}
        if simple or spec.get("enum") or column in TABLES[op["table"]]["foreign"]:
            values[column] = _filter_value(s, op, column)
    return values


def _sort_values(op: dict[str, Any], n: int) -> dict[str, Any]:
    """Sort columns that differ between rows (and, where a sort column may be NULL, NULLs too)."""
    table = TABLES[op["table"]]
    values: dict[str, Any] = {}
    for keys in op["sorts"].values():
        for column, _descending, chain in keys:
            if chain or column == table["key"] or column in values:
                continue
            values.update(_varied(table, column, n))
    return values


def _joined_sort_values(op: dict[str, Any], n: int) -> dict[str, Any]:
    """Values of sort columns on the joined row the owner is found through (``-Membership.last_read_at``)."""
    chain = op.get("owner_chain")
    values: dict[str, Any] = {}
    for keys in op["sorts"].values():
        for column, _descending, sort_chain in keys:
            if sort_chain and chain and sort_chain["table"] == chain["table"]:
                values.update(_varied(TABLES[chain["table"]], column, n))
    return values


def _varied(table: dict[str, Any], column: str, n: int) -> dict[str, Any]:
    spec = next(c for c in table["columns"] if c["name"] == column)
    if spec["nullable"] and n < 2:
        return {column: None}
    if spec["type"] == "timestamptz":
        return {column: BASE_TIME + datetime.timedelta(minutes=(n * 7) % 5)}
    if spec["type"] == "date":
        return {column: BASE_DATE + datetime.timedelta(days=(n * 7) % 5)}
    return {}
