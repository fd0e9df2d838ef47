"""Planning migrations: a table whose layout changes is rebuilt; the review diff still reports every change."""

from __future__ import annotations

import pytest

from backend_architect.diff.schema import diff_datastore
from backend_architect.ir.model import Column, Datastore, Partitioning, Table

ID = Column(name="id", type="bigint", identity=True)
AT = Column(name="created_at", type="timestamptz", default="CURRENT_TIMESTAMP")
NOTE = Column(name="note", type="text", nullable=True)
LEVEL = Column(name="level", type="integer")
PARTITIONED = Partitioning(column="created_at", interval="day", reason="r")


def _store(table: Table) -> Datastore:
    return Datastore(name="db", tables=[table])


def _events(columns: list[Column], partitioned: bool) -> Table:
    key = ["id", "created_at"] if partitioned else ["id"]
    return Table(name="events", columns=columns, primary_key=key, partitioning=PARTITIONED if partitioned else None)


@pytest.mark.parametrize(
    ("old", "new", "planned"),
    [
        pytest.param(_events([ID, AT], False), _events([ID, AT], True), [("rebuild_table", "expand")], id="becomes partitioned"),
        pytest.param(_events([ID, AT], True), _events([ID, AT], False), [("rebuild_table", "expand")], id="stops being partitioned"),
        pytest.param(
            _events([ID, AT, NOTE], False),
            _events([ID, AT, LEVEL], True),
            [("rebuild_table", "expand"), ("drop_column", "contract"), ("set_not_null", "contract")],
            id="a column dropped, one required: contract steps after the rebuild",
        ),
        pytest.param(_events([ID, AT], False), _events([ID, AT, NOTE], False), [("add_column", "expand")], id="same layout: no rebuild"),
    ],
)
def test_layout_changes_plan_a_rebuild_ok(old: Table, new: Table, planned: list[tuple[str, str]]) -> None:
    """The rebuild keeps dropped columns and makes new required ones nullable until the contract step."""
    changes = diff_datastore(_store(old), _store(new), rebuild=True)
    assert [(c.kind, c.phase) for c in changes] == planned
    rebuilt = next((c.new for c in changes if c.kind == "rebuild_table"), None)
    if isinstance(rebuilt, Table) and NOTE in old.columns:
        assert {c.name: c.nullable for c in rebuilt.columns} == {"id": False, "created_at": False, "level": True, "note": True}


def test_review_diff_reports_the_changes_themselves_ok() -> None:
    """Without planning, a layout change is still its column and key changes, as the schema diff reports them."""
    changes = diff_datastore(_store(_events([ID, AT, NOTE], False)), _store(_events([ID, AT, LEVEL], True)))
    assert "rebuild_table" not in {c.kind for c in changes}
    assert {"add_column", "drop_column"} <= {c.kind for c in changes}
