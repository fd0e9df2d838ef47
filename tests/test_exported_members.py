"""The public surface is pinned: adding or removing a name is a deliberate change."""

from __future__ import annotations

import backend_architect

EXPECTED = {
    "RULES", "STAGES", "Architecture", "BackendArchitectError", "DesignResult", "Finding", "InputError", "InputErrors",
    "LoadedSpec", "Location", "Rule", "Severity", "Spec", "__version__", "design", "design_file", "design_spec",
    "load_spec", "load_spec_bytes", "review", "write_files", "DiffResult", "ReviewResult", "diff_paths", "review_path",
}  # fmt: skip


def test_all_is_pinned_ok() -> None:
    """__all__ lists exactly the expected names, and each exists."""
    assert set(backend_architect.__all__) == EXPECTED
    for name in backend_architect.__all__:
        assert hasattr(backend_architect, name), name


def test_stages_in_order_ok() -> None:
    """The design process runs its stages in the documented order."""
    assert [s.__name__ for s in backend_architect.STAGES] == [
        "derive_boundaries", "derive_data", "derive_indexes", "derive_api", "derive_communication", "derive_reaction_rows", "derive_access_paths",
        "derive_recipient_reads",
        "derive_capacity",
        "derive_storage", "derive_partitioning", "derive_read_paths", "derive_caching", "derive_write_paths", "derive_views", "derive_database",
        "derive_read_consistency", "derive_edge",
        "derive_security", "derive_placement", "derive_redis_sizing", "derive_running_alternatives", "derive_today_keys", "derive_technology",
        "derive_availability", "derive_flow_styles",
        "derive_latency", "derive_growth", "derive_wide_column_notes", "derive_built_alternatives", "derive_bottlenecks", "derive_messaging_tables",
        "derive_key_scope", "derive_normalization", "derive_publishers", "derive_settled_deliveries", "derive_traceability",
        "derive_refused_statuses", "derive_call_operations",
    ]  # fmt: skip
