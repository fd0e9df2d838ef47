"""One service's operations: each use case becomes the operation its kind and flow say, with its errors and examples.

Lists are paginated (cursor by default), creates are ``POST`` answering 201 with an
``Idempotency-Key``, updates are merge patches conditional on ``If-Match`` where rows
race, custom methods are ``POST {item}:{method}``. A second write of the same kind on one
resource becomes a custom method named for it, so no two use cases share an operation.
"""

from __future__ import annotations

from typing import Literal

from backend_architect.design import blob_contract
from backend_architect.design.analysis import UseCase, action_name
from backend_architect.design.api.caller_rows import caller_param_sentence, private_entities, shared_reader, shared_sentence
from backend_architect.design.api.callers import called_by
from backend_architect.design.api.examples import with_examples
from backend_architect.design.api.parameters import filter_parameters, list_parameters, paginated
from backend_architect.design.api.paths import Resources, camel, collection
from backend_architect.design.api.reads import client_filters, list_scope, route_read, scopes
from backend_architect.design.api.schemas import ONE_TRANSACTION, Schemas
from backend_architect.design.callbacks import signature_sentence, signing_system
from backend_architect.design.client_inputs import acts_for_others, decided_by_others, server_picked_parts
from backend_architect.design.embeds import Embedded, embeds
from backend_architect.design.lifecycle_examples import lifecycles
from backend_architect.design.link_writes import link_write
from backend_architect.design.member_rows import creator_note
from backend_architect.design.member_writes import write_sentence
from backend_architect.design.membership import in_member_scope, member_sentence
from backend_architect.design.named_state import named_state
from backend_architect.design.ownership import caller_reference, server_owned
from backend_architect.design.promises import kept_description
from backend_architect.design.read_cycles import copied_reads
from backend_architect.design.relay import RELAY_S
from backend_architect.design.server_rows import made_row
from backend_architect.design.usecases import applied_values, remote_access
from backend_architect.ir.model import Api, ApiSchema, Embed, MadeRow, MembershipCheck, MemberWrite, Operation, Parameter, ReferenceCheck
from backend_architect.ir.refusals import forbidden_reasons
from backend_architect.spec.naming import VERSION_COLUMN, parent_relation, split_filter

Method = Literal["get", "post", "put", "patch", "delete"]
STATE_METHODS = {"create": "post", "get": "get", "list": "get", "update": "patch", "replace": "put", "delete": "delete", "action": "post"}
_METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


class ServiceApi:
    """The API of one service, built use case by use case."""

    def __init__(self, res: Resources) -> None:
        self.res = res
        # the fresh reads served from a copy to break a call cycle, decided once for every service's operations
        self.copied = copied_reads(list(res.analysis.use_cases), res.owner)
        self.schemas = Schemas(res)
        self.operations: dict[tuple[str, str], Operation] = {}
        #: Per entity, what its examples show of its files: one story from the upload URL to every read.
        self.stories = {name: blob_contract.example_story(res.spec, name) for name in res.spec.entities}
        #: Per entity written after its create, the one state each of its examples shows.
        self.lifecycles = lifecycles(res.spec, res.analysis)
        #: Use cases in which a row with presence reports itself (a driver's location every 4s): their examples show it present.
        self.reporting = {
            u.name
            for u in res.analysis.use_cases
            if (u.spec.every is not None or u.spec.latest)
            and res.spec.entities.get(u.entity, None) is not None
            and res.spec.entities[u.entity].presence is not None
        }
        #: Per operation, path parameters naming another service's row that nothing checks: an unknown id there is no 404.
        self.unchecked: dict[tuple[str, str], set[str]] = {}
        #: What a non-member gets from each operation scoped by an entity with members.
        self.member_status: dict[tuple[str, str], int] = {}
        #: Per operation id, the constant filters of its use case on the entity's own fields (status=live): its examples' items show them.
        self.constants: dict[str, dict[str, str]] = {}

    # --- common parts -------------------------------------------------------------------

    def put(self, op: Operation) -> None:
        """Record ``op`` with its errors and examples; its (method, path) is taken."""
        key = (op.method, op.path)
        self.res.taken.add(key)
        self.operations[key] = self.finish(op)

    def base(self, use_case: UseCase, method: Method, path: str, kind: str, params: list[Parameter], **extra: object) -> Operation:
        """The parts every operation of a use case shares: ids, auth and scopes, description, upstreams."""
        entity = use_case.entity
        resource = collection(entity)
        # a provider calling back holds no user's token: its signature authenticates it (design.callbacks)
        signer = signing_system(self.res.spec, use_case.spec.actor)
        auth = extra.pop("auth", "none" if signer else use_case.spec.auth)
        write = kind not in {"list", "get"}
        scopes = extra.pop("scopes", None)
        if scopes is None:
            scopes = [] if auth == "none" else [f"{resource}:{'write' if write else 'read'}"]
        reads, writes = remote_access(use_case, self.res.owner, self.copied)
        # a sentence promising an external system the flow never reaches stays out of the contract (design.promises)
        description = kept_description(self.res.spec, self.res.analysis, use_case) or f"Use case '{use_case.name}' (actor: {use_case.spec.actor})."
        constants = [f"{field.split('.')[-1]} = {value}" for field, value in map(split_filter, use_case.spec.filter) if value is not None]
        own = [(field.removeprefix(f"{entity}."), value) for field, value in map(split_filter, use_case.spec.filter) if value is not None]
        self.constants[camel(use_case.id)] = {field: value for field, value in own if "." not in field}
        if constants:
            # a write's filter names the rows it reads (the drivers a ride request searches), never what it answers
            if kind in {"list", "get"}:
                description += f" Returns only items where {' and '.join(constants)}."
            else:
                rows = dict.fromkeys(field.rpartition(".")[0] or entity for field, value in map(split_filter, use_case.spec.filter) if value is not None)
                description += f" Reads only the {', '.join(rows)} rows where {' and '.join(constants)}."
        # a path id that must be the caller's own answers another user's id with 403 (``caller_rows``): that is its owner rule,
        # and a second sentence promising 404 would contradict it
        if use_case.spec.owner_only and not extra.get("caller_params"):
            description += owner_sentence(path)
        if signer:
            description += f" {signature_sentence(signer)}"
        extra_text = extra.pop("note", "")
        if extra_text:
            description += f" {extra_text}"
        return Operation(
            operation_id=camel(use_case.id),
            method=method,
            path=path,
            summary=use_case.name[:1].upper() + use_case.name[1:],
            description=description,
            use_cases=[use_case.name],
            entity=entity,
            kind=kind,
            tag=str(extra.pop("tag", resource)),
            parameters=params,
            auth=auth,
            scopes=scopes,
            owner_only=use_case.spec.owner_only,
            signed_by=signer,
            for_others=write and acts_for_others(self.res.spec, use_case),
            upstreams=sorted({*reads, *writes, *use_case.spec.calls}),
            sets=named_state(self.res.spec, use_case) if write else {},
            updates=[w for w in updated_fields(use_case) if w not in applied_list(use_case, self.res.owner)] if write else [],
            **extra,
        )

    def versioned(self, entity: str) -> bool:
        return any(c.name == VERSION_COLUMN for c in self.res.table(entity).columns)

    # --- reads ----------------------------------------------------------------------------

    def add_read(self, use_case: UseCase) -> None:
        """A list or get on the path ``route_read`` gives it, with the filters the path and caller leave as parameters."""
        entity = use_case.entity
        route = route_read(self.res, use_case)
        free = [r for r in client_filters(use_case) if r.written not in route.by_path and r.written not in route.by_caller]
        notes = [f"Only the caller's own rows: {ref} is taken from the access token." for ref in route.by_caller]
        shared = shared_reader(self.res, use_case, client_filters(use_case))
        notes += [shared_sentence(shared)] if shared is not None else []
        if use_case.kind == "list":
            if use_case.spec.page.style == "none":
                # one bounded page: the shape stays the paged one so clients need not change when paging is turned on
                notes.append(f"Not paged (page: none): answers at most {use_case.spec.page.max} items, and next_cursor is always null.")
            params = [*route.params, *list_parameters(self.res, use_case, free, scopes(self.res, use_case))]
            op = self.base(use_case, "get", route.path, "list", params, note=" ".join(notes), response_schema=self.schemas.page(entity, use_case.spec.page.max),
                           paginated=paginated(use_case), caller_filters=list(route.by_caller))  # fmt: skip
        else:
            params = [*route.params, *filter_parameters(self.res, use_case, list(route.lookup), required=True, exact=True)]
            found = embeds(self.res.spec, self.res.analysis, use_case)
            embedded = [self._embed(e, entity) for e in found.embedded]
            notes += [embedded_sentence(entity, self.res.service, embedded, found.unrelated, use_case.peak_qps)] if embedded or found.unrelated else []
            answer = self.schemas.view(entity, embedded) if embedded else self.schemas.read(entity)
            op = self.base(use_case, "get", route.path, "get", params, note=" ".join(notes), response_schema=answer, embeds=embedded,
                           conditional=route.item and self.versioned(entity), caller_filters=list(route.by_caller))  # fmt: skip
        self.put(op)

    def _embed(self, e: Embedded, item: str) -> Embed:
        """``e`` placed: the table holding its rows and the service owning them (links: the item's own link table)."""
        if e.relation == "links":
            link = link_write(self.res.spec, item, e.field, local=self.res.local(e.entity))
            return Embed(
                name=e.name,
                entity=e.entity,
                relation="links",
                column=e.column,
                table=link.table,
                service=self.res.service,
                max_items=e.max_items,
                per_request=e.per_request,
                basis=e.basis,
                label=link.name_field,
            )
        return Embed(
            name=e.name,
            entity=e.entity,
            relation=e.relation,
            column=e.column,
            table=self.res.table(e.entity).name,
            service=self.res.owner[e.entity],
            max_items=e.max_items,
            per_request=e.per_request,
            basis=e.basis,
            order="created_at" if e.relation == "children" else None,
            nullable=e.nullable,
        )

    # --- writes ---------------------------------------------------------------------------

    def add_write(self, use_case: UseCase, **extra: object) -> None:
        """A create, update, replace, delete or custom method on the resource's collection or item."""
        entity, kind = use_case.entity, use_case.kind
        method: Method = STATE_METHODS[kind]  # type: ignore[assignment]
        item = kind != "create"
        path = self.res.item_path(entity) if item else self.res.collection_path(entity)
        params = self.res.path_params(entity, item)
        owner = (self.res.named_owner(use_case) or list_scope(self.res, use_case)) if kind == "create" else None
        if owner is not None:
            base, params = self.res.item_path_for(owner[1])
            path = f"{base}/{collection(entity)}"
            params = [*params[:-1], params[-1].model_copy(update={"spec_ref": f"{entity}.{owner[0]}"})]
            if not self.res.free("post", path):
                owner, path, params = None, self.res.collection_path(entity), self.res.path_params(entity, False)
        fields = tuple(w.split(".", 1)[1] for w in use_case.spec.writes if w.startswith(entity + "."))
        name = use_case.action or action_name(use_case.name, entity, fields)
        if kind == "action" or not self.res.free(method, path):
            method, path = "post", self.res.unique("post", f"{path}:{name}")
        caller = use_case.caller if use_case.spec.auth == "required" else None
        request, status, response = self._body(use_case, caller, frozenset({f"{owner[0]}_id"}) if owner else frozenset())
        notes = list(self._notes(use_case, caller))
        if extra.get("note"):
            notes.append(str(extra.pop("note")))
        op = self.base(
            use_case,
            method,
            path,
            kind,
            params,
            note=" ".join(notes),
            request_schema=request,
            response_schema=response,
            success_status=status,
            # a POST whose replay repeats nothing (an action changing no field, telling no one) needs no key to be retried
            idempotency_key=method == "post" and use_case.has_effect,
            # a latest value is overwritten, last write wins: no If-Match on a position firehose
            conditional=item and self.versioned(entity) and not use_case.spec.latest,
            made_rows=self._made_rows(use_case) if kind == "create" else [],
            **extra,
        )
        self.put(op)

    def _made_rows(self, use_case: UseCase) -> list[MadeRow]:
        """The rows the create writes that its body does not list, column by column (``design/server_rows.py``): its creator's
        membership, and the parts the server makes; parts of another service's database are that service's to write."""
        out = []
        creators = set(self.schemas.creator_rows(use_case))
        for child in [*self.schemas.creator_rows(use_case), *self.schemas.server_made_parts(use_case)]:
            relation = parent_relation(self.res.spec, child)
            table = self.res.tables.get(child)
            if relation is None or table is None or not self.res.local(child):
                continue
            parent_column = next((c.name for c in table.columns if c.source_field == relation[0]), f"{relation[0]}_id")
            creator = self.schemas.made_with(use_case, child) if child in creators else None
            out.append(made_row(self.res.spec, child, table, parent_column, self.res.analysis.people, creator))
        return out

    def _body(self, use_case: UseCase, caller: str | None, in_path: frozenset[str]) -> tuple[str | None, int, str | None]:
        """(request schema, success status, response schema) of a write; ``in_path`` are columns the path fills."""
        entity, kind = use_case.entity, use_case.kind
        if kind == "create":
            return self.schemas.create(use_case, caller, in_path), 201, self.schemas.read(entity)
        if kind == "update":
            return self.schemas.update(use_case, caller), 200, self.schemas.read(entity)
        if kind == "replace":
            return self.schemas.replace(use_case, caller), 200, self.schemas.read(entity)
        if kind == "delete":
            return None, 204, None
        return self.schemas.action(use_case), 200, self.schemas.read(entity)

    def _notes(self, use_case: UseCase, caller: str | None) -> list[str]:
        """What a reader of the contract should know about a write: the caller's field, server-set fields, parts."""
        notes = []
        entity = use_case.entity
        mine = caller_reference(self.res.spec, entity, caller)
        if mine and use_case.kind == "create":
            notes.append(f"The {mine} is the caller, taken from the access token.")
        if use_case.kind == "create":
            owned = [n for n in self.res.spec.entities[entity].fields if server_owned(self.res.spec, self.res.analysis, entity, n)]
            life = self.lifecycles.get(entity)
            # a field only a later write sets (a trip's fare, a message's edit time) is not the create's to set: it starts null
            later = [n for n in owned if life is not None and n in life.later]
            named = named_state(self.res.spec, use_case)
            now = [n for n in owned if n not in later]
            if now or named:
                notes.append(server_sets(now, named))
            if later:
                notes.append(f"It leaves {', '.join(later)} null: {'a later write sets it' if len(later) == 1 else 'later writes set them'}.")
        elif use_case.kind != "delete":
            stamped = self.schemas.server_set(use_case)
            named = named_state(self.res.spec, use_case)
            stamped += [n for n in named if n not in stamped]
            if stamped:
                notes.append(server_sets(stamped, named))
        if use_case.children:
            notes.append(f"Writes the {entity} and its {', '.join(use_case.children)} {ONE_TRANSACTION}")
        for child in self.schemas.creator_rows(use_case):
            if creator := self.schemas.made_with(use_case, child):
                notes.append(creator_note(entity, creator))
        if made := self.schemas.server_made_parts(use_case):
            counts = ", ".join(f"{c} ({self._per_parent(c)} a {entity})" for c in made)
            notes.append(f"The server makes the {counts} rows, every field of which it sets; the body names none.")
        if picked := server_picked_parts(self.res.spec, use_case):
            near = use_case.spec.near
            notes.append(f"The server makes the {', '.join(picked)} rows, one for each row its proximity query finds (near: {near}); the body names none.")
        if others := decided_by_others(self.res.spec, self.res.analysis, use_case):
            notes.append(others_note(others))
        for relation in use_case.links:
            notes.append(self.links_note(use_case, relation))
        if also := also_updates(use_case, self.res.owner):
            notes.append(also)
        return notes

    def _per_parent(self, child: str) -> str:
        """Rows of ``child`` a parent has, as the spec states it (one when it does not)."""
        body = self.res.spec.entities[child]
        return f"{body.avg_per_parent:g}" if body.avg_per_parent else "1"

    def links_note(self, use_case: UseCase, relation: str) -> str:
        """What a create (or replace) does with the links in its body: the join rows in its transaction, missing names made."""
        entity = use_case.entity
        link = link_write(self.res.spec, entity, relation, local=self.res.local(self.res.spec.entities[entity].many_to_many[relation]))
        verb = "Replaces" if use_case.kind == "replace" else "Sets"
        by = (
            f"by {link.name_field}, inserting each {link.target} whose {link.name_field} is not yet known (nothing on a conflict of the unique name)"
            if link.name_field
            else f"by {link.target} id, an unknown id answering 422"
        )
        # ends with the sentence the cross-shard write decision restates when the join rows live on another shard
        return f"{verb} the {entity}'s `{relation}` {by}: the {entity} and its {link.table} (at most {link.most}) {ONE_TRANSACTION}"

    # --- the contract ---------------------------------------------------------------------

    def add_missing_gets(self) -> None:
        """A created resource's ``Location`` must be readable: add its GET where missing."""
        public_reads = {o.entity for o in self.operations.values() if o.auth == "none" and o.kind in {"get", "list"}}
        # rows no use case reads for other users (an inbox) are their owner's by id too (``caller_rows`` rule 3)
        private = private_entities(self.operations.values())
        for op in list(self.operations.values()):
            if op.kind != "create" or not op.entity or op.success_status != 201 or op.flow == "login":
                continue
            item = self.res.item_path(op.entity)
            if ("get", item) in self.operations:
                continue
            resource = collection(op.entity)
            public = op.entity in public_reads
            creator = next((u for u in self.res.analysis.use_cases if op.use_cases and u.name == op.use_cases[0]), None)
            # personal data in a scope with members (a message's text in its chat) is the members' to read, checked as such
            # (design.membership), not its author's alone
            personal = any(c.pii for c in self.res.table(op.entity).columns) and not in_member_scope(
                self.res.spec, op.entity, creator.caller if creator else None
            )
            mine = op.entity in private and not public
            self.put(
                Operation(
                    operation_id=camel(f"get {op.entity}"),
                    method="get",
                    path=item,
                    summary=f"Get one {op.entity}",
                    description=f"Reads the {op.entity} created by '{op.use_cases[0]}'."
                    + (" Only its owner may read it (it holds personal data)." if personal and not public else "")
                    + (" Only its owner may read it: every read of its rows is limited to the caller's own." if mine and not personal else ""),
                    use_cases=[],
                    entity=op.entity,
                    kind="get",
                    tag=resource,
                    parameters=self.res.path_params(op.entity, True),
                    response_schema=self.schemas.read(op.entity),
                    auth="none" if public else "required",
                    scopes=[] if public else [f"{resource}:read"],
                    owner_only=op.owner_only or personal or mine,
                    conditional=self.versioned(op.entity),
                )
            )

    def add_for_consumer(self, consumer: str, entity: str, mode: str) -> None:
        """The operation another service calls: an existing one gains a consumer, else an internal one is added."""
        resource = collection(entity)
        key = ("get", self.res.item_path(entity)) if mode == "read" else ("post", self.res.collection_path(entity))
        existing = self.operations.get(key)
        if existing is not None:
            self.operations[key] = existing.model_copy(update={"consumers": sorted({*existing.consumers, consumer})})
            return
        write = mode == "write"
        request = None
        if write:
            props = self.schemas.writable(entity, credentials=True)
            request = self.schemas.named(f"{entity}Create", None, entity, props)
        self.put(
            Operation(
                operation_id=camel(f"{'create' if write else 'get'} {entity} for services"),
                method=key[0],
                path=key[1],
                summary=f"{'Create' if write else 'Get'} one {entity} (internal)",
                description=called_by([consumer]) + (" Idempotent by Idempotency-Key, so a saga step can be retried safely." if write else ""),
                entity=entity,
                kind="create" if write else "get",
                tag=resource,
                parameters=self.res.path_params(entity, not write),
                request_schema=request,
                response_schema=self.schemas.read(entity),
                success_status=201 if write else 200,
                auth="required",
                scopes=[f"{resource}:{'write' if write else 'read'}"],
                idempotency_key=write,
                internal=True,
                consumers=[consumer],
            )
        )

    def apply_check(self, check: ReferenceCheck) -> None:
        """The operation carrying ``check``'s reference says how it is checked: an owner queried is an upstream (503),
        an unchecked path id is no 404 (``design.reference_checks``)."""
        key, op = next((k, o) for k, o in self.operations.items() if o.operation_id == check.operation)
        field = check.column.removesuffix("_id")
        if check.check in {"token", "member"}:
            return  # the token vouches for it; a membership probe finds the row (``apply_membership``)
        refused = "404" if check.where == "path" else "422"
        if check.check == "none":
            self.unchecked.setdefault(key, set()).update(
                p.name for p in op.parameters if p.location == "path" and p.spec_ref and p.spec_ref.rpartition(".")[2] == field
            )
            note = (
                f"An unknown {check.entity} id in {check.column} answers an empty page, not 404: "
                f"{check.owner} owns the {check.entity} rows and a read does not check them."
                if op.kind in {"list", "get"}
                else f"An unknown {check.entity} id in {check.column} is stored unchecked, not refused: {check.owner} calls this service "
                "synchronously, and a check calling it back would close a cycle."
            )
        elif check.check == "local copy":
            note = (
                f"The {check.entity} named by {check.column} is checked against a local copy of {check.owner}'s ids "
                f"(about {RELAY_S:g} s behind it): an unknown id answers {refused}."
            )
        elif check.address != "id":
            # the path carries the code, the rows the id: the contract says which call turns one into the other
            param = next((p.name for p in op.parameters if p.location == "path" and p.spec_ref and p.spec_ref.rpartition(".")[2] == field), check.address)
            note = (
                f"The {check.entity}'s {check.address} in {param} is resolved to its id ({check.column}, which the rows are kept by) by a "
                f"synchronous call to {check.owner}: an unknown {check.address} answers 404."
            )
        else:
            note = f"The {check.entity} named by {check.column} is checked by a synchronous call to {check.owner}: an unknown id answers {refused}."
        upstreams = sorted({*op.upstreams, check.owner}) if check.check == "query" else op.upstreams
        self.operations[key] = self.finish(op.model_copy(update={"description": f"{op.description} {note}", "upstreams": upstreams}))

    def apply_membership(self, check: MembershipCheck) -> None:
        """The operation scoped by ``check``'s scope says only members may call it, answers their refusal and calls the
        service holding the memberships when another one does (``design.membership``)."""
        key, op = next((k, o) for k, o in self.operations.items() if o.operation_id == check.operation)
        self.member_status[key] = check.status
        upstreams = sorted({*op.upstreams, check.service}) if check.check == "query" else op.upstreams
        update = {"description": op.description + member_sentence(check), "members_of": check.scope, "upstreams": upstreams}
        self.operations[key] = self.finish(op.model_copy(update=update))

    def apply_member_write(self, rule: MemberWrite) -> None:
        """The operation adding a member says who may add whom, stores the server's role (out of its body) and answers 403, and 409
        past a stated size (``design.member_writes``)."""
        key, op = next((k, o) for k, o in self.operations.items() if o.operation_id == rule.operation)
        schema = self.schemas.schemas.get(op.request_schema or "")
        request = op.request_schema
        if rule.role and schema is not None:
            kept = [p for p in schema.properties if p.name != rule.role]
            self.schemas.schemas[schema.name] = schema.model_copy(update={"properties": kept})
            request = schema.name if kept else None
        sets = {**op.sets, **({rule.role: rule.role_default} if rule.role and rule.role_default else {})}
        # the join's own rule says who may add whom (an admin adds others): it replaces "only the caller" (``caller_rows`` rule 2)
        description = op.description.replace(f" {caller_param_sentence(op.caller_params)}", "") if op.caller_params else op.description
        update: dict[str, object] = {"description": description + write_sentence(rule), "sets": sets, "request_schema": request, "caller_params": []}
        finished = self.finish(op.model_copy(update=update))
        errors = {*finished.error_statuses, 403, *([409] if rule.max_members else [])}
        self.operations[key] = finished.model_copy(update={"error_statuses": sorted(errors)})

    def finish(self, op: Operation) -> Operation:
        """Error statuses and examples follow from the operation's shape."""
        errors = {429, 500}
        if op.upstreams:
            errors.add(503)
        if op.parameters or op.request_schema:
            errors.add(400)
        if op.auth != "none" or op.signed_by:
            errors.add(401)
        table = self.res.tables.get(op.entity or "")
        if forbidden_reasons(op.auth, op.scopes, table is not None and table.tenant_scoped, internal=op.internal):
            errors.add(403)  # the contract describes the same reasons (``render.openapi``)
        if any(p.location == "path" and p.name not in self.unchecked.get((op.method, op.path), set()) for p in op.parameters):
            errors.add(404)
        if op.request_schema:
            errors.add(422)
        if op.members_of is not None:
            errors.add(self.member_status.get((op.method, op.path), 404))
        if op.kind in {"create", "action", "update", "replace"} and op.flow not in {"relate", "login", "password"}:
            errors.add(409)
        if op.conditional and op.kind != "get":
            errors.add(412)
        op = op.model_copy(update={"error_statuses": sorted(errors)})
        reporting = op.kind in {"update", "replace", "action"} and any(name in self.reporting for name in op.use_cases)
        return with_examples(
            op, self.schemas.schemas, self.res.path_entities, self.stories, self.constants.get(op.operation_id, {}), self.lifecycles, reporting
        )

    def used_schemas(self) -> list[ApiSchema]:
        """Schemas the operations reference, directly or through properties (no unused components)."""
        schemas = self.schemas.schemas
        pending = [name for op in self.operations.values() for name in (op.request_schema, op.response_schema) if name]
        used: set[str] = set()
        while pending:
            name = pending.pop()
            if name in used or name not in schemas:
                continue
            used.add(name)
            pending += [p.items or p.ref or "" for p in schemas[name].properties]
        return sorted((s for s in schemas.values() if s.name in used), key=lambda s: s.name)

    def build(self, title: str, version: str) -> Api:
        ops = sorted(self.operations.values(), key=lambda o: (o.path, _METHOD_ORDER[o.method]))
        scopes = {s: f"{'Change' if s.endswith(':write') else 'Read'} {s.split(':')[0].replace('-', ' ')}" for op in ops for s in op.scopes}
        return Api(
            service=self.res.service,
            title=title,
            version="1.0.0",
            base_path=f"/{version}",
            schemas=self.used_schemas(),
            operations=ops,
            scopes=dict(sorted(scopes.items())),
        )


def embedded_sentence(entity: str, home: str, embedded: list[Embed], unrelated: tuple[str, ...], peak: float = 0.0) -> str:
    """What a get answers inside its item and how each is read (``design/embeds.py``), and what it names but cannot answer;
    another service's rows are a composition: one call a request to its owner, ``peak`` calls/s at most (caches take some).

    >>> e = Embed(name="answers", entity="Answer", relation="children", column="question_id", table="answers", service="answers",
    ...     max_items=20, per_request=1.25)
    >>> print(embedded_sentence("Question", "questions", [e], ("Banner",), 120.0).replace(". ", ".\\n"))
    Answers the Question with its answers (at most 20, newest first; one call to answers by question_id, up to 120 calls/s at peak before caches).
    Banner is named in its reads but no reference joins it to Question: not answered here.
    """
    parts = []
    for e in embedded:
        if e.relation == "links":
            form = f"{e.entity}.{e.label}" if e.label else f"{e.entity} id"
            parts.append(f"its {e.name} (by {form}, at most {e.max_items}; read from {e.table} by {e.column})")
            continue
        how = f"by {e.column}" if e.relation == "children" else "by primary key"
        where = f"one call to {e.service} {how}, up to {peak:,.0f} calls/s at peak before caches" if e.service != home else f"read {how}"
        parts.append(f"its {e.name} (at most {e.max_items}, newest first; {where})" if e.relation == "children" else f"its {e.name} ({where})")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
    said = f"Answers the {entity} with {listed}." if parts else ""
    if unrelated:
        names = ", ".join(unrelated)
        verb = "is" if len(unrelated) == 1 else "are"
        said += f" {names} {verb} named in its reads but no reference joins {'it' if len(unrelated) == 1 else 'them'} to {entity}: not answered here."
    return said.strip()


def owner_sentence(path: str) -> str:
    """What owner-only means for a route: a 404 for others' ids where the path names one (``finish`` declares 404 exactly then).

    >>> owner_sentence("/me/home-timeline")
    " Only the caller's own resource is reachable: the path names no id, so no one else's can be asked for."
    """
    if "{" in path:
        return " Only the owner of the resource may do this; others get 404, so ids cannot be probed."
    return " Only the caller's own resource is reachable: the path names no id, so no one else's can be asked for."


def updated_fields(use_case: UseCase) -> list[str]:
    """The fields of other rows a write changes (``Question.score`` a vote keeps): one list the contract's sentence and the
    transaction the diagrams draw (``Operation.updates``) both read, so neither promises a change the other leaves out."""
    return [w for w in dict.fromkeys(use_case.spec.writes) if "." in w and w.split(".", 1)[0] not in {use_case.entity, *use_case.children}]


def applied_list(use_case: UseCase, owner: dict[str, str]) -> list[str]:
    """The kept values ``use_case`` moves that another service's consumer applies, not its own transaction (``applied_values``)."""
    return [v for values in applied_values(use_case, owner).values() for v in values]


def also_updates(use_case: UseCase, owner: dict[str, str] | None = None) -> str:
    """What a write changes on other rows by field (a counter it keeps: the question's score a vote changes), or "".

    A reader of the contract learns every row the request changes, not only the one it names, and when: in the request's
    transaction, or after it, by the owner of a kept value in another service applying the request's event
    (``usecases.applied_values``; ``owner``: entity -> service).
    """
    applied = set(applied_list(use_case, owner)) if owner else set()
    now = [w for w in updated_fields(use_case) if w not in applied]
    said = [f"Also updates {', '.join(now)}."] if now else []
    if applied:
        by = sorted({(owner or {})[v.partition(".")[0]] for v in applied})
        said.append(
            f"{', '.join(sorted(applied))} {'is' if len(applied) == 1 else 'are'} kept by {', '.join(by)}, "
            f"which applies this write's event after it commits (about {RELAY_S:g} s behind)."
        )
    return " ".join(said)


def server_sets(fields: list[str], named: dict[str, str]) -> str:
    """The sentence saying which fields the server sets, with the value of each a use case is named for.

    >>> server_sets(["code", "status"], {"status": "read"})
    "The server sets code, and status to 'read' (the state this use case is named for)."
    >>> server_sets(["code"], {})
    'The server sets code.'
    """
    plain = [f for f in fields if f not in named]
    valued = [f"{f} to '{named[f]}'" for f in fields if f in named]
    if not valued:
        return f"The server sets {', '.join(plain)}."
    lead = f"{', '.join(plain)}, and " if plain else ""
    return f"The server sets {lead}{', '.join(valued)} (the state this use case is named for)."


def others_note(others: dict[str, tuple[str, ...]]) -> str:
    """What a create leaves to the use cases of other actors, grouped by who decides it.

    >>> others_note({"driver": ("accept ride",), "cab": ("accept ride",), "fare": ("end trip",)})
    "The body names no driver, cab (decided by 'accept ride') or fare (decided by 'end trip'): each starts null (or at its default) until then."
    """
    by: dict[tuple[str, ...], list[str]] = {}
    for name, deciders in others.items():
        by.setdefault(deciders, []).append(name)
    parts = [f"{', '.join(names)} (decided by {', '.join(repr(d) for d in deciders)})" for deciders, names in by.items()]
    said = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"
    return f"The body names no {said}: each starts null (or at its default) until then."
