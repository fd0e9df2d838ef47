"""Every review rule, in one tuple. Codes are never reused."""

from __future__ import annotations

import dataclasses
from typing import Any

from backend_architect.errors import Location
from backend_architect.ir.anchors import token_end
from backend_architect.ir.model import Architecture
from backend_architect.rules.api.documentation import deprecated_without_sunset, missing_summary, missing_tags, unused_component
from backend_architect.rules.api.errors import error_schema_not_shared, error_without_problem_json, missing_error_responses
from backend_architect.rules.api.examples import invalid_example, missing_example
from backend_architect.rules.api.methods import body_on_get_or_delete, create_not_201, created_without_location, missing_idempotency_key, unpaginated_collection
from backend_architect.rules.api.path_templates import ambiguous_paths, invalid_path_key, item_addressed_two_ways
from backend_architect.rules.api.paths import file_extension_in_path, path_not_kebab_case, singular_collection, trailing_slash, verb_in_path
from backend_architect.rules.api.patterns import invalid_pattern
from backend_architect.rules.api.schema_validity import ineffective_nullable, required_property_undefined
from backend_architect.rules.api.schemas import inconsistent_property_casing, integer_without_format, open_request_body, unbounded_request_input
from backend_architect.rules.api.security import (
    missing_auth_errors,
    missing_rate_limit,
    scopes_on_non_oauth_scheme,
    undefined_security_scheme,
    unsecured_operation,
    unused_security_scheme,
)
from backend_architect.rules.api.structure import (
    duplicate_operation_id,
    invalid_document,
    missing_operation_id,
    path_parameter_mismatch,
    reference_not_allowed,
    unresolved_reference,
)
from backend_architect.rules.api.system import inconsistent_conventions, resource_owned_twice
from backend_architect.rules.api.versioning import inconsistent_versioning, missing_version
from backend_architect.rules.design.bounds_hold import availability_short_of_target, primary_past_its_ceiling
from backend_architect.rules.design.calls_agree import sync_call_without_operation
from backend_architect.rules.design.catch_up_agrees import catch_up_read_missing, push_without_catch_up
from backend_architect.rules.design.consistency_agrees import strong_read_served_late, strong_write_split
from backend_architect.rules.design.contracts_agree import server_owned_field_in_request
from backend_architect.rules.design.data_agrees import (
    aggregate_split_across_shards,
    co_write_across_shards_unhandled,
    link_blocks_delete,
    link_without_unique_pair,
    unique_key_per_shard_only,
)
from backend_architect.rules.design.ids_learnable import input_id_never_returned
from backend_architect.rules.design.keys_agree import key_contradicts_decision
from backend_architect.rules.design.lifecycle_agrees import rows_never_created
from backend_architect.rules.design.overrides_agree import override_against_the_numbers
from backend_architect.rules.design.promises_kept import description_names_uncalled_external
from backend_architect.rules.design.topology_agrees import chosen_technology_not_deployed, rejected_technology_deployed
from backend_architect.rules.model import Finding, Rule
from backend_architect.rules.sql.keys import (
    foreign_key_type_mismatch,
    int4_key_on_growing_table,
    keyed_only_by_unique_index,
    nullable_column_in_unique_key,
    serial_instead_of_identity,
)
from backend_architect.rules.sql.migration_safety import (
    add_column_rewrites_table,
    concurrently_in_transaction,
    detach_partition_without_concurrently,
    exclusive_table_rewrite,
    key_index_built_under_lock,
    transaction_nesting,
    truncate_cascade,
    unordered_enum_value,
    validate_in_same_transaction,
    varchar_length_limit,
)
from backend_architect.rules.sql.migrations import (
    column_type_change,
    constraint_without_not_valid,
    destructive_change,
    index_without_concurrently,
    missing_lock_timeout,
    not_null_without_default,
    rename,
)
from backend_architect.rules.sql.missing_foreign_key_index import missing_foreign_key_index
from backend_architect.rules.sql.missing_primary_key import missing_primary_key
from backend_architect.rules.sql.redundant_index import redundant_index
from backend_architect.rules.sql.runtime import (
    dead_tuple_bloat,
    invalid_index,
    not_valid_constraint,
    sequence_near_max,
    sequential_scan_heavy_table,
    unused_index,
)
from backend_architect.rules.sql.shape import (
    entity_attribute_value,
    identifier_too_long,
    polymorphic_foreign_key,
    repeated_column_group,
    unparsable_statement,
    wide_table,
)
from backend_architect.rules.sql.types import char_column, json_instead_of_jsonb, money_as_float, timestamp_without_time_zone
from backend_architect.rules.suppression import unused_in_documents, unused_inline, unused_suppression
from backend_architect.rules.topology.call_chain_breaks_target import call_chain_breaks_target
from backend_architect.rules.topology.chatty_call_path import chatty_call_path
from backend_architect.rules.topology.cyclic_dependency import cyclic_dependency
from backend_architect.rules.topology.hot_read_without_cache import hot_read_path_without_cache
from backend_architect.rules.topology.proximity_without_index import proximity_read_without_spatial_index
from backend_architect.rules.topology.realtime_gateway_undersized import realtime_without_gateway_capacity
from backend_architect.rules.topology.shared_database import shared_database
from backend_architect.rules.topology.shared_reference_data import shared_reference_data
from backend_architect.rules.topology.single_point_of_failure import single_point_of_failure
from backend_architect.rules.topology.strong_consistency_split import strong_consistency_split

API_RULES: tuple[Rule, ...] = (
    unresolved_reference,
    reference_not_allowed,
    invalid_document,
    path_parameter_mismatch,
    ambiguous_paths,
    invalid_path_key,
    item_addressed_two_ways,
    duplicate_operation_id,
    missing_operation_id,
    missing_version,
    inconsistent_versioning,
    error_without_problem_json,
    error_schema_not_shared,
    missing_error_responses,
    unpaginated_collection,
    path_not_kebab_case,
    trailing_slash,
    verb_in_path,
    singular_collection,
    file_extension_in_path,
    inconsistent_property_casing,
    body_on_get_or_delete,
    create_not_201,
    created_without_location,
    missing_idempotency_key,
    unsecured_operation,
    undefined_security_scheme,
    unused_security_scheme,
    missing_auth_errors,
    missing_rate_limit,
    scopes_on_non_oauth_scheme,
    open_request_body,
    unbounded_request_input,
    integer_without_format,
    missing_summary,
    missing_tags,
    missing_example,
    invalid_example,
    unused_component,
    deprecated_without_sunset,
    ineffective_nullable,
    required_property_undefined,
    inconsistent_conventions,
    resource_owned_twice,
    invalid_pattern,
)

SQL_RULES: tuple[Rule, ...] = (
    unparsable_statement,
    missing_primary_key,
    keyed_only_by_unique_index,
    missing_foreign_key_index,
    redundant_index,
    foreign_key_type_mismatch,
    int4_key_on_growing_table,
    serial_instead_of_identity,
    money_as_float,
    timestamp_without_time_zone,
    json_instead_of_jsonb,
    char_column,
    nullable_column_in_unique_key,
    identifier_too_long,
    repeated_column_group,
    wide_table,
    polymorphic_foreign_key,
    entity_attribute_value,
)

MIGRATION_RULES: tuple[Rule, ...] = (
    index_without_concurrently,
    constraint_without_not_valid,
    column_type_change,
    not_null_without_default,
    destructive_change,
    rename,
    missing_lock_timeout,
    key_index_built_under_lock,
    add_column_rewrites_table,
    concurrently_in_transaction,
    validate_in_same_transaction,
    exclusive_table_rewrite,
    detach_partition_without_concurrently,
    truncate_cascade,
    unordered_enum_value,
    transaction_nesting,
    varchar_length_limit,
)

RUNTIME_RULES: tuple[Rule, ...] = (unused_index, sequential_scan_heavy_table, invalid_index, not_valid_constraint, sequence_near_max, dead_tuple_bloat)

TOPOLOGY_RULES: tuple[Rule, ...] = (
    strong_consistency_split,
    cyclic_dependency,
    shared_reference_data,
    shared_database,
    single_point_of_failure,
    chatty_call_path,
    hot_read_path_without_cache,
    call_chain_breaks_target,
    realtime_without_gateway_capacity,
    proximity_read_without_spatial_index,
)

#: The design critic: a finished design checked against itself.
DESIGN_RULES: tuple[Rule, ...] = (
    chosen_technology_not_deployed,
    rejected_technology_deployed,
    server_owned_field_in_request,
    aggregate_split_across_shards,
    co_write_across_shards_unhandled,
    link_without_unique_pair,
    link_blocks_delete,
    unique_key_per_shard_only,
    override_against_the_numbers,
    key_contradicts_decision,
    rows_never_created,
    availability_short_of_target,
    primary_past_its_ceiling,
    input_id_never_returned,
    catch_up_read_missing,
    push_without_catch_up,
    sync_call_without_operation,
    strong_read_served_late,
    strong_write_split,
    description_names_uncalled_external,
)

#: Rules about the review's own machinery.
META_RULES: tuple[Rule, ...] = (unused_suppression,)

RULES: tuple[Rule, ...] = (*SQL_RULES, *MIGRATION_RULES, *RUNTIME_RULES, *TOPOLOGY_RULES, *API_RULES, *DESIGN_RULES, *META_RULES)

#: The extension that silences findings on a node and everything under it: a code, a name, a list of them, or true.
IGNORE_EXTENSION = "x-backend-architect-ignore"


def review(arch: Architecture, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    """Run ``rules`` over ``arch``; findings in documents are located and inline suppressions applied; sorted.

    With SUP001 among ``rules``, suppressions that silenced nothing are reported too.
    """
    findings = [f for r in rules for f in r.check(arch)]
    used_inline: set[tuple[str, int]] = set()
    used_nodes: set[tuple[str, tuple[str | int, ...]]] = set()
    if arch.suppressions:
        silenced = {(s.file, s.line): set(s.rules) for s in arch.suppressions}
        kept = []
        for finding in findings:
            if _silenced_inline(finding, silenced):
                assert finding.location is not None
                used_inline.add((finding.location.file, finding.location.line))
            else:
                kept.append(finding)
        findings = kept
    if arch.contracts:
        kept = []
        for finding in findings:
            node = _suppressed(arch, finding)
            if node is None:
                kept.append(finding)
            else:
                used_nodes.add(node)
        findings = kept
    if unused_suppression in rules:
        findings += unused_inline(arch, used_inline, rules) + unused_in_documents(arch, used_nodes, rules, IGNORE_EXTENSION)
    if arch.contracts:
        findings = locate(arch, findings)
    return sorted(findings)


def locate(arch: Architecture, findings: list[Finding]) -> list[Finding]:
    """Fill in the line and column of findings anchored in documents: one pass per file."""
    sources = {name: source for contract in arch.contracts for name, source in contract.files.items()}
    wanted: dict[str, set[tuple[str | int, ...]]] = {}
    for finding in findings:
        if finding.anchor is not None and finding.location is None:
            wanted.setdefault(finding.anchor[0], set()).add(finding.anchor[1])
    positions = {name: sources[name].locator.locate_many(sorted(pointers, key=str)) for name, pointers in wanted.items() if name in sources}
    lines = {name: sources[name].text.split("\n") for name in positions}
    located = []
    for finding in findings:
        if finding.anchor is not None and finding.location is None and finding.anchor[0] in positions:
            line, col = positions[finding.anchor[0]][finding.anchor[1]]
            end = token_end(lines[finding.anchor[0]], line, col)
            finding = dataclasses.replace(finding, location=Location(finding.anchor[0], line, col, line if end else None, end))
        located.append(finding)
    return located


def _suppressed(arch: Architecture, finding: Finding) -> tuple[str, tuple[str | int, ...]] | None:
    """The node on the finding's path whose ``x-backend-architect-ignore`` names its rule (file and pointer), or None."""
    if finding.anchor is None or finding.code == unused_suppression.code:
        return None
    file, pointer = finding.anchor
    source = next((c.files[file] for c in arch.contracts if file in c.files), None)
    value: Any = source.tree if source is not None else None
    for depth, part in enumerate((None, *pointer)):
        if part is not None:
            value = _child(value, part)
            if value is _MISSING:
                return None
        if isinstance(value, dict) and IGNORE_EXTENSION in value and _names_rule(value[IGNORE_EXTENSION], finding):
            return (file, pointer[:depth])
    return None


_MISSING = object()


def _child(value: Any, part: str | int) -> Any:
    if isinstance(value, dict):
        return value.get(part, _MISSING) if isinstance(part, str) else _MISSING
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return value[part]
    return _MISSING


def _silenced_inline(finding: Finding, silenced: dict[tuple[str, int], set[str]]) -> bool:
    """Whether a ``-- backend-architect-ignore`` comment annotates the statement the finding is located at."""
    if finding.location is None:
        return False
    rules = silenced.get((finding.location.file, finding.location.line))
    return rules is not None and (not rules or finding.code in rules or finding.rule in rules)


def _names_rule(ignored: Any, finding: Finding) -> bool:
    if ignored is True or ignored in ("all", "*"):
        return True
    names = ignored if isinstance(ignored, list) else [ignored]
    return any(isinstance(n, str) and n in {finding.code, finding.rule} for n in names)


def rule_by_code(code: str) -> Rule | None:
    return next((r for r in RULES if r.code == code.upper() or r.name == code), None)
