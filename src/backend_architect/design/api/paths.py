"""Where each resource lives: collection, item, relationship and ``/me`` paths, and one path per read.

Collections are plural kebab-case nouns; a part nests once under its parent
(``/books/{book_id}/reviews``), and a create under the item it belongs to when its name names
it ("comment on video": ``POST /videos/{video_id}/comments``); a custom method is ``POST /orders/{order_id}:cancel``
(Google AIP-136: the verb stays out of the resource path).

Every read use case gets its own operation, and the path says which read it is. In order:

1. the caller's own rows (``owner_only`` or "my" in the name, and a filter on a reference to
   the caller's entity) live under ``/me``: ``/me/orders``, ``/me/home-timeline``; that
   filter is the caller, from the access token;
2. a list filtering on its parent (``part_of``), or on a reference whose entity its name
   names ("list devices of site", same service), nests under that item:
   ``/sites/{site_id}/devices``; a link entity's list by its source reference takes the
   relationship's collection (``/users/{user_id}/following``);
3. the first other list of a resource takes its collection path, and the first get by id its item path;
4. every further read gets ``{collection}/{segment}``: its name less the verb, the
   resource's words and fillers (``/tweets/user-timeline``, ``/questions/by-tag``), ``by-{criterion}``
   when what is left only names what it filters by; named by its verb alone, ``search`` for a
   search, the verb itself (``/tweets/stream``), or ``all`` for a verb the method already says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend_architect.design.analysis import CRUD_WORDS, FILLER_WORDS, Analysis, FieldRef, UseCase
from backend_architect.design.keyed_lookups import PUBLIC_KEY_COLUMNS
from backend_architect.design.semantics import GET_VERBS, LIST_VERBS, is_link
from backend_architect.ir.model import Column, Parameter, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import join_columns, kebab, parent_relation, plural, snake

API_VERSION = "v1"
#: Link entities named by a standing relationship read as a state the source is in (X's and GitHub's APIs: following, blocking).
STANDING = {"follow": "following", "block": "blocking", "mute": "muting", "watch": "watching"}


def collection(entity: str) -> str:
    """``OrderLine`` -> ``order-lines``."""
    return plural(kebab(entity))


def id_param(entity: str) -> str:
    return f"{snake(entity)}_id"


def camel(text: str) -> str:
    """``list my orders`` -> ``listMyOrders``."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]
    return words[0].lower() + "".join(w.capitalize() for w in words[1:]) if words else "op"


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def says_mine(name: str) -> bool:
    """The use-case name speaks of the caller's own rows: "list my orders", "show mine"."""
    return bool({"my", "mine", "own"} & set(words_of(name)))


def entity_words(entity: str) -> set[str]:
    """The words that name an entity, singular and plural: ``OrderLine`` -> order, line, lines."""
    return set(snake(entity).split("_")) | set(plural(snake(entity)).split("_"))


def names_entity(name: str, entity: str) -> bool:
    """The use-case name mentions ``entity`` (singular or plural)."""
    text = " " + " ".join(words_of(name)) + " "
    phrase = snake(entity).replace("_", " ")
    return f" {phrase} " in text or f" {plural(snake(entity)).replace('_', ' ')} " in text


@dataclass
class Resources:
    """The resource paths of one service's API, and which (method, path) pairs are taken."""

    spec: Spec
    analysis: Analysis
    owner: dict[str, str]
    tables: dict[str, Table]
    service: str
    taken: set[tuple[str, str]] = field(default_factory=set)
    #: Path parameter name -> the entity it identifies (for examples).
    path_entities: dict[str, str] = field(default_factory=dict)

    def table(self, entity: str) -> Table:
        return self.tables[entity]

    def local(self, entity: str) -> bool:
        return self.owner.get(entity) == self.service

    def parent(self, entity: str) -> str | None:
        parent = self.spec.entities[entity].part_of
        return parent if parent and self.local(parent) else None

    def collection_path(self, entity: str) -> str:
        parent = self.parent(entity)
        return f"{self.item_path_for(parent)[0]}/{collection(entity)}" if parent else f"/{collection(entity)}"

    def flat_path(self, entity: str) -> str:
        """The collection outside its parent: a list across parents (``/reviews``)."""
        return f"/{collection(entity)}"

    def item_path(self, entity: str) -> str:
        """Where one ``entity`` lives; a link lives at its pair (``/chats/{chat_id}/memberships/{user_id}``), the one path every operation on it uses."""
        pair = self.link_item(entity)
        if pair is not None:
            return pair[1]
        return f"{self.collection_path(entity)}/{{{self.key_name(entity, outer=False)}}}"

    def free(self, method: str, path: str) -> bool:
        return (method, path) not in self.taken

    # --- keys ---------------------------------------------------------------------------

    def key_column(self, entity: str) -> Column:
        """The column an item is addressed by: a public short code or slug when the entity has one, else its id."""
        columns = {c.name: c for c in self.table(entity).columns}
        for name in PUBLIC_KEY_COLUMNS.get(self.spec.entities[entity].key, ()):
            if name in columns:
                return columns[name]
        return self.table(entity).columns[0]

    def key_name(self, entity: str, outer: bool) -> str:
        """The path parameter of ``entity``'s key: ``book_id``; a short code is ``short_code`` (``share_link_short_code`` as a parent)."""
        column = self.key_column(entity)
        if column.name == "id":
            return id_param(entity)
        return f"{snake(entity)}_{column.name}" if outer else column.name

    def key_parameter(self, entity: str, outer: bool = True, name: str | None = None, spec_ref: str | None = None) -> Parameter:
        column = self.key_column(entity)
        param = name or self.key_name(entity, outer)
        self.path_entities[param] = entity
        if column.type == "uuid":
            kind: dict[str, object] = {"type": "string", "format": "uuid"}
        elif column.type in {"bigint", "integer"}:
            kind = {"type": "integer", "format": "int64" if column.type == "bigint" else "int32"}
        else:
            kind = {"type": "string"}
        what = "Id" if column.name == "id" else column.name.replace("_", " ").capitalize()
        return Parameter(name=param, location="path", required=True, description=f"{what} of the {entity}.", spec_ref=spec_ref, **kind)

    def path_params(self, entity: str, item: bool) -> list[Parameter]:
        """The parameters of ``entity``'s collection (and item) path, outermost first."""
        chain: list[str] = []
        parent = self.parent(entity)
        while parent is not None and parent not in chain:
            chain.insert(0, parent)
            parent = self.parent(parent)
        pair = self.link_item(entity) if item else None
        if pair is not None:
            return list(pair[2])
        params = [self.key_parameter(p, outer=True) for p in chain]
        if item:
            params.append(self.key_parameter(entity, outer=False))
        return params

    def item_path_for(self, entity: str) -> tuple[str, list[Parameter]]:
        """``entity``'s item path with its parameters, every key named as an outer one (for paths that continue below it)."""
        pair = self.link_item(entity)
        if pair is not None:
            return pair[1], list(pair[2])
        path = self.collection_path(entity) + f"/{{{self.key_name(entity, outer=True)}}}"
        return path, [*self.path_params(entity, False), self.key_parameter(entity, outer=True)]

    def named_owner(self, use_case: UseCase) -> tuple[str, str] | None:
        """(relation, entity) a create nests under when its parent is another service's (``part_of``), or its first
        required reference when the use case's name names that entity; None when the collection path already nests it."""
        entity = use_case.entity
        if self.parent(entity) is not None:
            return None
        owner = parent_relation(self.spec, entity)
        if owner is None or owner[1] == entity:
            return None
        return owner if self.spec.entities[entity].part_of or names_entity(use_case.name, owner[1]) else None

    # --- relationships --------------------------------------------------------------------

    def relationship(self, use_case: UseCase) -> tuple[str, str, list[Parameter], str]:
        """A link's collection path, item path, path parameters and target entity (``/users/{user_id}/following/{followee_id}``).

        A many-to-many relation ``Article.tags`` links under the article (``/articles/{article_id}/tags/{tag_id}``);
        a link entity links under its source -- its parent (``part_of``), else its first required
        reference in the spec's order (``follower`` before ``followee``; ``belongs_to`` comes first) --
        in a sub-collection named for the link: ``/users/{user_id}/following/{followee_id}``,
        ``/groups/{group_id}/members/{user_id}``, ``/users/{user_id}/likes/{post_id}``.
        """
        entity = use_case.entity
        if use_case.relation is not None:
            target = self.spec.entities[entity].many_to_many[use_case.relation]
            base, params = self.item_path_for(entity)
            target_param = join_columns(entity, use_case.relation, target)[1]
            coll = f"{base}/{kebab(use_case.relation)}"
            target_key = self.key_parameter(target, name=target_param, spec_ref=f"{entity}.{use_case.relation}")
            return coll, f"{coll}/{{{target_param}}}", [*params, target_key], target
        found = self.link_item(entity)
        assert found is not None, f"{entity} is not a link"
        return found[0], found[1], list(found[2]), found[3]

    def link_item(self, entity: str) -> tuple[str, str, tuple[Parameter, ...], str] | None:
        """A link entity's collection, item path, path parameters and target, addressed by its pair; None for any other entity.

        A link is made and unmade at its pair (``PUT``/``DELETE /chats/{chat_id}/memberships/{user_id}``),
        which is unique (the data stage keys it), so every other operation on one link -- a get, an
        update, a custom method -- takes the same path: one addressing per resource, never its own id beside it.
        """
        if entity not in self.tables or not is_link(self.spec, entity):
            return None
        source, source_ref, target_ref = self.link_ends(entity)
        base, params = self.item_path_for(source)
        coll = f"{base}/{self.link_segment(entity, source)}"
        target_field = self.spec.entities[entity].fields[target_ref]
        target = target_field.type.target or entity
        column = f"{target_ref}_id"
        if column in {p.name for p in params}:
            column = f"{snake(target_ref)}_{snake(target)}_id"
        params = [p.model_copy(update={"spec_ref": f"{entity}.{source_ref}"}) if p.name == params[-1].name else p for p in params]
        target_key = self.key_parameter(target, name=column, spec_ref=f"{entity}.{target_ref}")
        return coll, f"{coll}/{{{column}}}", (*params, target_key), target

    def link_ends(self, entity: str) -> tuple[str, str, str]:
        """(source entity, source relation, target relation) of a link entity: its parent or first reference, and the other."""
        body = self.spec.entities[entity]
        refs = [(n, f.type.target or "") for n, f in body.fields.items() if f.type.kind == "ref" and not f.is_nullable]
        if body.part_of and refs:
            return body.part_of, snake(body.part_of), refs[0][0]
        return refs[0][1], refs[0][0], refs[1][0]

    def link_segment(self, entity: str, source: str) -> str:
        """The sub-collection a link lives in: ``following`` for Follow, ``members`` for GroupMember in Group, ``likes`` for Like."""
        name = snake(entity)
        if name in STANDING:
            return STANDING[name]
        prefix = snake(source) + "_"
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
        return plural(name).replace("_", "-")

    # --- reads ----------------------------------------------------------------------------

    def segment(self, use_case: UseCase, keep_resource: bool = False) -> str:
        """The use case's name less its verb, fillers and (unless kept) its resource's words, in kebab case."""
        drop = (FILLER_WORDS - {"by"}) | (set() if keep_resource else entity_words(use_case.entity))
        words = [w for w in words_of(use_case.name)[1:] if w not in drop]
        while words and words[-1] == "by":
            words.pop()
        return "-".join(words)

    def further_segment(self, use_case: UseCase, refs: list[FieldRef]) -> str:
        """The segment of a read that is not its resource's first: from its name, ``search``, or ``by-{criterion}``."""
        segment = self.segment(use_case)
        criteria = {snake(r.entity) if r.entity != use_case.entity else (r.column or r.field).removesuffix("_id") for r in refs}
        targets = {snake(self.ref_target(r) or "") for r in refs}
        if segment and not segment.startswith("by-") and segment.replace("-", "_") in criteria | targets:
            return f"by-{segment}"
        if segment:
            return segment
        if use_case.searches:
            return "search"
        verb = (words_of(use_case.name) or ["all"])[0]
        return "all" if verb in CRUD_WORDS | LIST_VERBS | GET_VERBS else verb

    def ref_target(self, ref: FieldRef) -> str | None:
        """The entity a filter's field points at, when the field is a reference."""
        body = self.spec.entities.get(ref.entity)
        field_spec = body.fields.get(ref.field) if body else None
        if field_spec is not None and field_spec.type.kind == "ref":
            return field_spec.type.target
        if body is not None and body.part_of and ref.field == snake(body.part_of):
            return body.part_of
        return None

    def unique(self, method: str, path: str) -> str:
        """``path``, or the first numbered variant of it no other operation has (``/posts/all-2``)."""
        candidate, n = path, 1
        while not self.free(method, candidate):
            n += 1
            candidate = f"{path}-{n}" if not path.endswith("}") else f"{path}/{n}"
        return candidate
