"""What the operations beyond rows must do: links, sessions, graph walks, proximity, series, rankings, uploads, and the 501s.

Each check drives the operation as a client would, against the service and real
PostgreSQL (the local adapters), and checks the answer against the contract and the rows.
"""

from __future__ import annotations

import asyncio
import datetime
import math
import uuid
from typing import Any
from urllib.parse import urlsplit

import jwt
from psycopg import sql

import contract
from checks import PAGE
from design import OPERATIONS, PACKAGE, TABLES
from support import Scenario


def _seed(s: Scenario, table: str, **values: Any) -> dict[str, Any]:
    return s.seeder.seed(table, **{**s.tenant_values(table), **values})


def _key(table: str, row: dict[str, Any]) -> Any:
    return row[TABLES[table]["key"]]


def relate(s: Scenario, op_id: str) -> None:
    """PUT makes the link once (204, again 204 and still one link) in the state it is named for, moving one made in another state
    to it; an unknown source is a 404."""
    op = OPERATIONS[op_id]
    link = op["link"]
    source_key, target = _ends(s, op, link)
    join = op.get("joins")
    # a link adding a member joins the caller: the end naming the member is the token's subject
    target = s.caller_value(link["table"], link["target"]) if join and join["member"] == link["target"] else target
    path = {link["source_param"]: source_key, link["target_param"]: target}
    body = s.body(op_id, 1) if op["has_body"] else None
    _as_another(s, op_id, op, link, path, body)
    if join and join["member"] == link["target"]:
        _joins(s, op_id, op, link, source_key, body)
    for _ in range(2):
        made = s.call(op_id, path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())} if op["idempotent"] else {})
        assert made.status_code == 204, made.text
        assert len(s.rows(link["table"], **{link["source"]: source_key, link["target"]: target})) == 1, "making a link twice makes one"
        _named_states(s, op, link, source_key, target)
    if link["source_table"] and link.get("caller") != "source":
        missing = {**path, link["source_param"]: uuid.uuid4() if op["path_kinds"].get(link["source_param"]) == "uuid" else 2_000_000_000}
        assert s.call(op_id, missing, json=body).status_code == 404


def _joins(s: Scenario, op_id: str, op: dict[str, Any], link: dict[str, Any], scope: Any, body: Any) -> None:
    """Adding someone else is refused (403) unless the caller holds a role that may add others; a full scope takes no one (409)."""
    join = op["joins"]
    other = _target(s, link)
    path = {link["source_param"]: scope, link["target_param"]: other}
    refused = s.call(op_id, path, json=body)
    assert refused.status_code == 403, f"adding another member as a plain caller: {refused.status_code} {refused.text}"
    if join["admins"]:
        me = s.caller_value(link["table"], link["target"])
        admin = _seed(s, link["table"], **{link["source"]: scope, link["target"]: me, join["role"]: join["admins"][0]})
        added = s.call(op_id, path, json=body)
        assert added.status_code == 204, f"an admin adds another member: {added.status_code} {added.text}"
        (stored,) = s.rows(link["table"], **{link["source"]: scope, link["target"]: other})
        assert stored[join["role"]] not in join["admins"], "a member added is never an admin by the body's word"
        again = s.call(op_id, {**path, link["target_param"]: me}, json=body)
        assert again.status_code == 204
        (kept,) = s.rows(link["table"], **{link["source"]: scope, link["target"]: me})
        assert kept[join["role"]] == admin[join["role"]], "joining again keeps the role granted"
    s.db.execute(
        sql.SQL("DELETE FROM {} WHERE {} = %s").format(sql.Identifier(*link["table"].split(".")), sql.Identifier(link["source"])), [scope]
    )
    if join["most"] and join["most"] <= 200:
        for _ in range(join["most"]):
            _seed(s, link["table"], **{link["source"]: scope})
        me = s.caller_value(link["table"], link["target"])
        full = s.call(op_id, {**path, link["target_param"]: me}, json=body)
        assert full.status_code == 409, f"a full scope takes no more members: {full.status_code} {full.text}"
        s.db.execute(
            sql.SQL("DELETE FROM {} WHERE {} = %s").format(sql.Identifier(*link["table"].split(".")), sql.Identifier(link["source"])), [scope]
        )


def _named_states(s: Scenario, op: dict[str, Any], link: dict[str, Any], source_key: Any, target: Any) -> None:
    """The link holds the state its PUT is named for; one set to another state ('delivered') is moved back by the next PUT ('read')."""
    where = {link["source"]: source_key, link["target"]: target}
    # a member's role is granted, never reset by joining again (``links.Join``): only states move back
    granted = (op.get("joins") or {}).get("role")
    for name, value in ((k, v) for k, v in op["sets"].items() if k != granted):
        (stored,) = s.rows(link["table"], **where)
        assert stored[name] == value, f"{name}: the state the PUT is named for is {value!r}, stored {stored[name]!r}"
        column = next(c for c in TABLES[link["table"]]["columns"] if c["name"] == name)
        other = next((v for v in column["enum"] if v != value), None)
        if other is None:
            continue
        condition = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in where)
        query = sql.SQL("UPDATE {} SET {} = %s WHERE {}").format(sql.Identifier(*link["table"].split(".")), sql.Identifier(name), condition)
        s.db.execute(query, [other, *where.values()])


def unrelate(s: Scenario, op_id: str) -> None:
    """DELETE unmakes the link (204), and unmaking a missing one is not an error (204)."""
    op = OPERATIONS[op_id]
    link = op["link"]
    source_key, target = _ends(s, op, link)
    _seed(s, link["table"], **{link["source"]: source_key, link["target"]: target})
    path = {link["source_param"]: source_key, link["target_param"]: target}
    _as_another(s, op_id, op, link, path, None)
    assert s.call(op_id, path).status_code == 204
    assert not s.rows(link["table"], **{link["source"]: source_key, link["target"]: target}), "the link is gone"
    assert s.call(op_id, path).status_code == 204


def _ends(s: Scenario, op: dict[str, Any], link: dict[str, Any]) -> tuple[Any, Any]:
    """(source, target) of a link to make: the end naming the caller's own id (a vote's voter) is the token's subject."""
    caller = link.get("caller")
    if caller == "source":
        source_key = s.caller_value(link["table"], link["source"])
    else:
        source_key = _key(link["source_table"], _seed(s, link["source_table"])) if link["source_table"] else _fresh(op, link["source_param"])
    target = s.caller_value(link["table"], link["target"]) if caller == "target" else _target(s, link)
    return source_key, target


def _as_another(s: Scenario, op_id: str, op: dict[str, Any], link: dict[str, Any], path: dict[str, Any], body: Any) -> None:
    """A path naming another user where the caller's own id belongs is refused (403), and writes nothing."""
    caller = link.get("caller")
    if caller is None:
        return
    other = _target(s, {**link, "target": link[caller]}) if TABLES[link["table"]]["foreign"].get(link[caller]) else _fresh(op, link[f"{caller}_param"])
    refused = s.call(op_id, {**path, link[f"{caller}_param"]: other}, json=body)
    assert refused.status_code == 403, f"acting as another user: {refused.status_code} {refused.text}"


def _fresh(op: dict[str, Any], param: str) -> Any:
    """A key of a row another service holds (this one cannot seed it): any value of the parameter's kind."""
    kind = op["path_kinds"].get(param)
    return uuid.uuid4() if kind == "uuid" else 7 if kind == "int" else f"k{uuid.uuid4().hex[:6]}"


def _target(s: Scenario, link: dict[str, Any]) -> Any:
    table = TABLES[link["table"]]
    referenced = table["foreign"].get(link["target"])
    if referenced:
        return _key(referenced, _seed(s, referenced))
    kind = next(c["type"] for c in table["columns"] if c["name"] == link["target"])
    return uuid.uuid4() if kind == "uuid" else 7


def _account(s: Scenario, op: dict[str, Any], password: str, secret: str) -> dict[str, Any]:
    hash_secret = __import__(f"{PACKAGE}.core.accounts", fromlist=["hash_secret"]).hash_secret
    return _seed(s, op["table"], **{secret: hash_secret(password)})


def login(s: Scenario, op_id: str) -> None:
    """The right password opens a session (201, a token for the account that the service accepts); a wrong one is a 400."""
    op = OPERATIONS[op_id]
    detail = op["login"]
    account = _account(s, op, "correct horse battery", detail["secret"])
    body = {detail["prop"]: str(account[detail["column"]]), detail["secret_prop"]: "correct horse battery"}
    opened = s.call(op_id, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert opened.status_code == 201, opened.text
    claims = jwt.decode(opened.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == str(_key(op["table"], account))
    wrong = s.call(op_id, json={**body, detail["secret_prop"]: "wrong horse battery"})
    assert wrong.status_code == 400, "a wrong password is a 400 that says nothing about which part was wrong"
    nobody = s.call(op_id, json={**body, detail["prop"]: f"nobody-{uuid.uuid4().hex[:8]}@example.com"})
    assert nobody.status_code in {400, 422}


def logout(s: Scenario, op_id: str) -> None:
    """Logging out answers 204 and revokes the token's session."""
    login_op = next((k for k, o in OPERATIONS.items() if o["mechanism"] == "accounts.login" and o["module"] == OPERATIONS[op_id]["module"]), None)
    if login_op is None:
        assert s.call(op_id).status_code == 204
        return
    detail = OPERATIONS[login_op]["login"]
    account = _account(s, OPERATIONS[login_op], "correct horse battery", detail["secret"])
    body = {detail["prop"]: str(account[detail["column"]]), detail["secret_prop"]: "correct horse battery"}
    token = s.call(login_op, json=body).json()["access_token"]
    assert s.call(op_id, auth={"Authorization": f"Bearer {token}"}).status_code == 204
    session = jwt.decode(token, options={"verify_signature": False})["sid"]
    table = next(k for k, t in TABLES.items() if t.get("runtime") == "sessions" and t["schema"] == TABLES[OPERATIONS[op_id]["table"]]["schema"])
    assert s.rows(table, id=uuid.UUID(session))[0]["revoked_at"] is not None, "the session is revoked"


def change_password(s: Scenario, op_id: str) -> None:
    """The current password allows the change (204, stored as a new hash); a wrong one is a 400."""
    op = OPERATIONS[op_id]
    detail = op["password"]
    account = _account(s, op, "old password 1", detail["secret"])
    auth = s.headers(op_id, subject=str(_key(op["table"], account)))
    wrong = s.call(op_id, json={detail["current"]: "not my password", detail["new"]: "new password 2"}, auth=auth)
    assert wrong.status_code == 400
    done = s.call(op_id, json={detail["current"]: "old password 1", detail["new"]: "new password 2"}, auth=auth)
    assert done.status_code == 204, done.text
    stored = s.rows(op["table"], **{TABLES[op["table"]]["key"]: _key(op["table"], account)})[0][detail["secret"]]
    assert stored != account[detail["secret"]] and "new password 2" not in stored, "the new password is stored as a hash"


def network(s: Scenario, op_id: str) -> None:
    """A walk from the caller: depth 1 is the caller's neighbours, depth 2 adds theirs; never the caller, never farther."""
    op = OPERATIONS[op_id]
    walk = op["walk"]
    me = _seed(s, op["table"], **{TABLES[op["table"]]["key"]: _subject_key(s, op)})
    near, far, beyond = (_seed(s, op["table"]) for _ in range(3))
    for source, target in ((me, near), (near, far), (far, beyond), (near, me)):
        _seed(s, walk["table"], **{walk["source"]: _key(op["table"], source), walk["target"]: _key(op["table"], target)})
    ids = [str(r["id"]) for r in (near, far, beyond)]
    for depth, wanted in ((1, ids[:1]), (2, ids[:2])):
        if depth > walk["depth"]:
            continue
        found = s.call(op_id, query={"depth": depth, "limit": 100})
        assert found.status_code == 200, found.text
        assert sorted(str(i["id"]) for i in found.json()["items"]) == sorted(wanted), f"depth {depth}"


def _subject_key(s: Scenario, op: dict[str, Any]) -> Any:
    return uuid.UUID(s.subject) if TABLES[op["table"]]["key_kind"] == "uuid" else int(uuid.UUID(s.subject).int % 1_000_000_000)


def path(s: Scenario, op_id: str) -> None:
    """The shortest path between two rows within the depth, hop by hop; null degrees when none is that close."""
    op = OPERATIONS[op_id]
    walk = op["walk"]
    a, b, c, lonely = (_seed(s, op["table"]) for _ in range(4))
    for source, target in ((a, b), (b, c)):
        _seed(s, walk["table"], **{walk["source"]: _key(op["table"], source), walk["target"]: _key(op["table"], target)})
    found = s.call(op_id, {op["key_param"]: _key(op["table"], a)}, query={"to": str(_key(op["table"], c)), "max_depth": walk["depth"]})
    assert found.status_code == 200, found.text
    if walk["depth"] >= 2:
        assert found.json()["degrees"] == 2 and [str(p["id"]) for p in found.json()["path"]] == [str(a["id"]), str(b["id"]), str(c["id"])]
    none = s.call(op_id, {op["key_param"]: _key(op["table"], a)}, query={"to": str(_key(op["table"], lonely)), "max_depth": walk["depth"]})
    assert none.json() == {"degrees": None, "path": []}


def nearby(s: Scenario, op_id: str) -> None:
    """Rows by distance from the point: the nearest first, within the radius (or the k nearest), page after page."""
    op = OPERATIONS[op_id]
    near = op["near"]
    geohash = __import__(f"{PACKAGE}.core.geo", fromlist=["encode"]).encode
    lat, lon = 51.5072, -0.1276
    parent = s.parent(op_id)
    rows = []
    for n in range(ROWS_NEAR):
        here = lat + (n + 1) * 0.0009  # about 100 m apart, northwards
        rows.append(s.visible(op_id, parent, **{near["lat"]: round(here, 6), near["lon"]: lon, near["cell"]: geohash(here, lon)}))
    far = lat + 1.0  # about 111 km away
    s.visible(op_id, parent, **{near["lat"]: far, near["lon"]: lon, near["cell"]: geohash(far, lon)})
    s.rebuild()
    query: dict[str, Any] = {"lat": lat, "lon": lon, "limit": PAGE}
    if near["radius"]:
        query["radius"] = min(5_000, _radius_max(op_id))
    seen: list[str] = []
    while True:
        page = s.call(op_id, s.path_for(op_id, None, parent), query=query)
        assert page.status_code == 200, page.text
        seen += [str(i["id"]) for i in page.json()["items"]]
        cursor = page.json().get("next_cursor")
        if not near["radius"] or not cursor:
            break
        query["cursor"] = cursor
    wanted = [str(r["id"]) for r in rows]
    if near["radius"] and query["radius"] >= 1_000:
        assert seen == wanted, "every row within the radius, nearest first, once"
    elif not near["radius"]:
        assert seen == wanted[:PAGE], "the k nearest, nearest first"


ROWS_NEAR = 5


def _radius_max(op_id: str) -> int:
    from contract import operation_spec

    for param in operation_spec(op_id).get("parameters", []):
        if param.get("name") == "radius":
            return int(param["schema"].get("maximum", 5_000))
    return 5_000


def series(s: Scenario, op_id: str) -> None:
    """The aggregate per bucket over the range, oldest first, from the rollup the job wrote (or the raw rows)."""
    op = OPERATIONS[op_id]
    spec = op["series"]
    every = spec["every_s"]
    now = datetime.datetime.now(datetime.UTC)
    start = datetime.datetime.fromtimestamp((now.timestamp() // every - 3) * every, datetime.UTC)
    shared = {f["column"]: _value(s, op, f["column"]) for f in op["filters"] if not f["chain"]}
    values = [1.0, 3.0, 5.0]
    for n, value in enumerate(values):
        s.visible(op_id, None, **shared, **{spec["time"]: start + datetime.timedelta(seconds=1 + n), spec["value"]: value})
    if spec["job"]:
        _run_job(s, spec["job"])
    query = {f["param"]: str(shared[f["column"]]) for f in op["filters"] if not f["chain"]}
    query |= {"from": start.isoformat(), "to": (start + datetime.timedelta(seconds=every)).isoformat()}
    found = s.call(op_id, s.path_for(op_id, None, None), query=query)
    assert found.status_code == 200, found.text
    buckets = found.json()["buckets"]
    expected = {"avg": 3.0, "sum": 9.0, "min": 1.0, "max": 5.0, "count": 3.0, "last": 5.0}[spec["aggregate"]]
    assert len(buckets) == 1 and math.isclose(buckets[0]["value"], expected), buckets


def _value(s: Scenario, op: dict[str, Any], column: str) -> Any:
    from checks import _filter_value

    return _filter_value(s, op, column)


def ranking(s: Scenario, op_id: str) -> None:
    """The top values by count over the window, highest first, with their scores."""
    op = OPERATIONS[op_id]
    spec = op["ranking"]
    table = TABLES[op["table"]]
    values = [_value(s, op, spec["column"]) for _ in range(3)] if spec["column"] in table["foreign"] or _kind(table, spec["column"]) == "uuid" else None
    if values is None:
        values = [f"v{n}-{uuid.uuid4().hex[:6]}" for n in range(3)]
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=5)
    for value, times in zip(values, (3, 2, 1), strict=True):
        for _ in range(times):
            s.visible(op_id, None, **{spec["column"]: value, spec["time"]: now})
    s.rebuild()
    if spec["job"]:
        _run_job(s, spec["job"])
    found = s.call(op_id, query={"limit": 3})
    assert found.status_code == 200, found.text
    items = found.json()["items"]
    if spec["by"] == "count":
        assert [str(i[spec["column"]]) for i in items] == [str(v) for v in values] and [i["score"] for i in items] == [3, 2, 1], items


def _kind(table: dict[str, Any], column: str) -> str:
    return str(next(c["type"] for c in table["columns"] if c["name"] == column))


def _run_job(s: Scenario, name: str) -> None:
    """One run of a designed job, as the tables' owner (as the ``jobs`` command connects)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    app = __import__(f"{PACKAGE}.app", fromlist=["JOBS"])
    core = __import__(f"{PACKAGE}.core.jobs", fromlist=["run_once"])
    async_url = __import__(f"{PACKAGE}.core.db", fromlist=["async_url"]).async_url
    job = next(j for j in app.JOBS if j.name == name)

    async def run() -> None:
        engine = create_async_engine(async_url(s.owner_url))
        try:
            await core.run_once(engine, job)
        finally:
            await engine.dispose()

    asyncio.run(run())


def upload(s: Scenario, op_id: str) -> None:
    """An upload URL is answered (under a parent the caller may see: one named in the path that does not exist is a 404); the
    file PUT to it is stored; a tampered URL is refused."""
    op = OPERATIONS[op_id]
    content_type = s.body(op_id)["content_type"]  # the design's example: one of the allowed types
    path = s.path_for(op_id, None, s.parent(op_id))
    if op["parent"]:
        kind = op["path_kinds"].get(op["parent"]["param"], TABLES[op["parent"]["table"]]["key_kind"])
        unknown = dict(path, **{op["parent"]["param"]: uuid.uuid4() if kind == "uuid" else 2_000_000_000 if kind == "int" else "zzzzzz"})
        missing = s.call(op_id, unknown, json={"content_type": content_type, "bytes": 5}, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert missing.status_code == 404, f"no upload URL under a {op['parent']['table']} row that does not exist: {missing.text}"
    found = s.call(op_id, path, json={"content_type": content_type, "bytes": 5}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert found.status_code == 201, found.text
    answer = found.json()
    url = urlsplit(answer["upload_url"])
    target = f"{url.path}?{url.query}"
    stored = s.client.put(target, content=b"hello", headers={"content-type": content_type})
    assert stored.status_code == 200, stored.text
    tables = [k for k, t in TABLES.items() if t.get("runtime") == "objects"]
    assert any(s.rows(t, key=answer["object_key"]) for t in tables), "the file is stored under its key"
    tampered = s.client.put(target.replace("signature=", "signature=x"), content=b"x", headers={"content-type": content_type})
    assert tampered.status_code == 403
    if OPERATIONS[op_id]["upload"]["max_bytes"] > MULTIPART_FROM:
        _upload_in_parts(s, op_id, content_type, tables)


#: A declared size above this is answered in parts (the design's multipart threshold).
MULTIPART_FROM = 100_000_000


def _upload_in_parts(s: Scenario, op_id: str, content_type: str, tables: list[str]) -> None:
    """A file above 100 MB gets a URL per part and a completion URL: the parts PUT, then completed, are the file under its key."""
    path = s.path_for(op_id, None, s.parent(op_id))
    found = s.call(op_id, path, json={"content_type": content_type, "bytes": MULTIPART_FROM + 1}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert found.status_code == 201, found.text
    answer = found.json()
    assert "upload_url" not in answer and [p["part_number"] for p in answer["parts"]] == [1, 2], answer
    etags = []
    for part, data in zip(answer["parts"], (b"hel", b"lo"), strict=True):
        url = urlsplit(part["url"])
        stored = s.client.put(f"{url.path}?{url.query}", content=data)
        assert stored.status_code == 200 and stored.headers["etag"], stored.text
        etags.append(stored.headers["etag"])
    url = urlsplit(answer["complete_url"])
    listed = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in enumerate(etags, start=1))
    done = s.client.post(f"{url.path}?{url.query}", content=f"<CompleteMultipartUpload>{listed}</CompleteMultipartUpload>")
    assert done.status_code == 200, done.text
    rows = [r for t in tables for r in s.rows(t, key=answer["object_key"])]
    assert rows and bytes(rows[0]["data"]) == b"hello" and rows[0]["content_type"] == content_type, "the parts joined are the file"


def download(s: Scenario, op_id: str) -> None:
    """404 while the row's file is not uploaded; then a signed URL (no-store) that fetches exactly the stored bytes; a tampered URL is refused."""
    from checks import _other_key

    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    object_key = f"uploads/test/file/2026/03/{uuid.uuid4()}"
    row = s.visible(op_id, parent, **{op["download"]["column"]: object_key})
    path = s.path_for(op_id, row, parent)
    made = op["download"].get("default", "original") != "original"
    # a file served by what the workers made of it waits for them (409); an original is missing until uploaded (404)
    assert s.call(op_id, path).status_code == (409 if made else 404), "no URL for a file that was never uploaded"
    services = s.client.app.state.services  # type: ignore[attr-defined]
    objects = services.backends.objects
    schema = TABLES[op["table"]].get("schema")
    store = next(f"{t.get('schema') or ''}.{t['name']}" for t in TABLES.values() if t.get("runtime") == "objects" and t.get("schema") == schema)
    s.client.portal.call(objects.store, store, object_key, "image/jpeg", b"file bytes")  # type: ignore[union-attr]
    processed = op["download"].get("renditions")
    if processed:
        # a processed file: each output the workers made is recorded beside the row (here, the same bytes), then the row is ready
        outputs = [(name, "image", object_key) for name in op["download"]["outputs"]]
        _processed(s, op["table"], row[TABLES[op["table"]]["key"]], op["download"]["status"], processed, op["download"]["owner"], outputs)
    found = s.call(op_id, path)
    assert found.status_code == 200, found.text
    assert found.headers["Cache-Control"] == "no-store"
    answer = found.json()
    assert answer["bytes"] == len(b"file bytes") and answer["content_type"] == "image/jpeg"
    url = urlsplit(answer["download_url"])
    fetched = s.client.get(f"{url.path}?{url.query}")
    assert fetched.status_code == 200 and fetched.content == b"file bytes", fetched.text
    assert s.client.get(f"{url.path}?{url.query}".replace("signature=", "signature=x")).status_code == 403
    assert s.call(op_id, dict(path, **{op["key_param"]: _other_key(op)})).status_code == 404


def _processed(s: Scenario, table: str, key: Any, status: str, renditions: str, owner: str, outputs: list[tuple[str, str, str]]) -> None:
    """What the media worker leaves behind: the outputs recorded beside the row, and the row ready."""
    for name, codec, object_key in outputs:
        _seed(s, renditions, **{owner: key, "rendition": name, "codec": codec, "object_key": object_key, "bytes": 10})
    target = sql.Identifier(*table.split("."))
    s.db.execute(sql.SQL("UPDATE {} SET {} = 'ready' WHERE {} = %s").format(target, sql.Identifier(status), sql.Identifier(TABLES[table]["key"])), [key])


def _store(s: Scenario, op: dict[str, Any], object_key: str, data: bytes) -> None:
    services = s.client.app.state.services  # type: ignore[attr-defined]
    schema = TABLES[op["table"]].get("schema")
    store = next(f"{t.get('schema') or ''}.{t['name']}" for t in TABLES.values() if t.get("runtime") == "objects" and t.get("schema") == schema)
    s.client.portal.call(services.backends.objects.store, store, object_key, "application/octet-stream", data)  # type: ignore[union-attr]


def playback(s: Scenario, op_id: str) -> None:
    """409 while the video is processing; then the renditions of the codec asked for, at most the resolution asked for, highest first,
    each by a signed URL that fetches it, with the manifests and the start offset; 404 when none matches; never cached."""
    op = OPERATIONS[op_id]
    info = op["playback"]
    parent = s.parent(op_id)
    object_key = f"uploads/test/video/2026/03/{uuid.uuid4()}"
    row = s.visible(op_id, parent, **{info["column"]: object_key})
    path = s.path_for(op_id, row, parent)
    assert s.call(op_id, path).status_code == 409, "no playback while the video is processing"
    ladder = [(name, codec) for name, codec, _ in info["bandwidth"]]
    outputs = [(name, codec, f"renditions/{object_key}/{name}.{codec}") for name, codec in ladder]
    for name, codec, key in outputs:
        _store(s, op, key, f"{name}/{codec}".encode())
    _store(s, op, f"renditions/{object_key}/master.m3u8", b"#EXTM3U\n")
    _processed(s, op["table"], row[TABLES[op["table"]]["key"]], info["status"], info["renditions"], info["owner"], outputs)
    found = s.call(op_id, path)
    assert found.status_code == 200 and found.headers["Cache-Control"] == "no-store", found.text
    answer = found.json()
    assert {(r["resolution"], r["codec"]) for r in answer["renditions"]} == set(ladder)
    first = answer["renditions"][0]
    url = urlsplit(first["url"])
    fetched = s.client.get(f"{url.path}?{url.query}")
    assert fetched.status_code == 200 and fetched.content == f"{first['resolution']}/{first['codec']}".encode(), fetched.text
    manifest = urlsplit(answer["manifest_url"])
    assert s.client.get(f"{manifest.path}?{manifest.query}").content.startswith(b"#EXTM3U")
    lowest = min(ladder, key=lambda r: int("".join(ch for ch in r[0] if ch.isdigit()) or 0))
    narrowed = s.call(op_id, path, query={"codec": lowest[1], "resolution": lowest[0], "offset": 90}).json()
    assert {(r["resolution"], r["codec"]) for r in narrowed["renditions"]} == {lowest} and narrowed["start_offset"] == 90, narrowed
    from checks import _other_key

    assert s.call(op_id, dict(path, **{op["key_param"]: _other_key(op)})).status_code == 404


def redirect(s: Scenario, op_id: str) -> None:
    """A short code answers 302 Found with the target its row names in Location and a Cache-Control the CDN may keep; an unknown code 404."""
    op = OPERATIONS[op_id]
    row = s.visible(op_id, None)
    path = s.path_for(op_id, row, None)
    url = op["path"].format(**{k: str(v) for k, v in path.items()})
    found = s.client.get(url, headers=s.headers(op_id), follow_redirects=False)
    contract.validate(op_id, found)
    assert found.status_code == 302, found.text
    expected = op["redirect"]["location"].format(**{k: "" if v is None else str(v) for k, v in row.items()})
    assert found.headers["Location"] == expected and "max-age" in found.headers["Cache-Control"], found.headers
    unknown = s.client.get(op["path"].format(**{op["key_param"]: "zzzzzz"}), headers=s.headers(op_id), follow_redirects=False)
    contract.validate(op_id, unknown)
    assert unknown.status_code == 404


def unavailable(s: Scenario, op_id: str) -> None:
    """What the scaffold could not generate answers 501 (problem+json) to an authorized caller, and still refuses the others."""
    op = OPERATIONS[op_id]
    path = {name: uuid.uuid4() if kind == "uuid" else 1 if kind == "int" else "x" for name, kind in op["path_kinds"].items()}
    url = op["path"].format(**path)
    body = s.body(op_id) if op["has_body"] else None
    response = s.client.request(op["method"].upper(), url, params=op["required_query"], headers=s.headers(op_id), json=body)
    assert response.status_code == 501, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 501 and "Not implemented by the scaffold" in response.json()["detail"]


def pending(s: Scenario, op_id: str) -> None:
    """An operation waiting for domain.py (a total the parts carry no price for) answers 501 until it is written, then works."""
    from checks import create

    op = OPERATIONS[op_id]
    parent = s.parent(op_id)
    response = s.client.request(
        op["method"].upper(),
        op["path"].format(**{k: str(v) for k, v in s.path_for(op_id, None, parent).items()}),
        headers={**s.headers(op_id), "Idempotency-Key": str(uuid.uuid4())},
        json=s.body(op_id),
    )
    if response.status_code == 501:
        assert response.headers["content-type"].startswith("application/problem+json")
        return
    create(s, op_id)
