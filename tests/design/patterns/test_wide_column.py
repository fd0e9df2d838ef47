"""PAT055: an append-mostly table read by one key's pages, needing many primaries, goes to a wide-column store; any other shape stays in PostgreSQL."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.patterns._wide_column_plan import MIN_SHARDS, PARTITION_MAX_BYTES, REPLICATION_FACTOR
from backend_architect.ir.model import Table
from backend_architect.render.files import render_files
from backend_architect.render.handoff_model import Handoff
from backend_architect.rules.model import Severity
from backend_architect.spec.load import load_spec_bytes

#: The page read: events of one match, newest first (``%s`` the key, then the consistency).
REPLAY = "{name: replay match, actor: player, kind: list, reads: [MatchEvent], filter: [%s], sort: [-created_at], consistency: %s, rate: 50M/day}"
#: An hourly count of events: an aggregate no partition key serves.
HOURLY = "- {name: events per hour, actor: analyst, reads: [MatchEvent], series: {field: actor, aggregate: count, every: 1h, over: 1d}, rate: 10/day}\n"


def _plays(
    rate: str = "300M/day",
    *,
    extra_use_case: str = "",
    extra_field: str = "",
    decisions: str = "",
    years: int = 5,
    consistency: str = "eventual",
    key: str = "match",
) -> str:
    """Match events of an online game: appended per match, paged newest first by match, read one by id."""
    replay = REPLAY % (key, consistency)
    return (
        textwrap.dedent(
            f"""\
        system: game-events
        scale: {{retention_years: {years}}}
        entities:
          Player: {{fields: {{handle: string(40)}}, rows: 20M}}
          Match: {{fields: {{title: string(80)}}, rows: 5M, growth: 2M/day}}
          MatchEvent:
            fields:
              match: ref(Match)
              actor: string(40)
              payload: {{type: text, avg_bytes: 150}}
              {extra_field}
        use_cases:
          - {{name: record event, actor: server, kind: create, writes: [MatchEvent], rate: {rate}}}
          - {replay}
          - {{name: get event, actor: player, kind: get, reads: [MatchEvent], rate: 1M/day}}
        """
        )
        + (textwrap.indent(textwrap.dedent(extra_use_case), "  ") if extra_use_case else "")
        + (decisions or "")
    )


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


def _record(result: DesignResult) -> str | None:
    return next((d.choice for d in result.architecture.decisions if d.id == "wide-column"), None)


def _events(result: DesignResult) -> Table:
    return next(t for s in result.architecture.datastores for t in s.tables if t.name == "match_events")


def test_append_mostly_table_read_by_key_goes_to_wide_column_ok() -> None:
    """Paged by one key, read by id, 300M rows a day: ScyllaDB with (match_id, bucket), time clustering, RF 3 at LOCAL_QUORUM, no PostgreSQL shards."""
    result = _design(_plays())
    choice = _record(result)
    assert choice is not None
    assert choice.startswith("ScyllaDB (wide-column) for match_events")
    table = _events(result)
    layout = table.wide_column
    assert layout is not None
    assert layout.partition_key == ["match_id", "bucket"]
    assert layout.clustering == ["created_at", "id"]
    assert (layout.replication_factor, layout.consistency) == (REPLICATION_FACTOR, "LOCAL_QUORUM")
    assert table.sharding is None
    assert table.partitioning is None
    figures = {f.key: f.value for f in result.architecture.figures}
    assert figures["wide_column.partition_bytes.match_events"] <= PARTITION_MAX_BYTES
    component = next(c for c in result.architecture.components if c.name == "wide-column-store")
    assert component.instances == figures["wide_column.nodes.match_events"]
    served = {m.use_case: m.database_share for m in result.architecture.mechanisms if m.pattern == "PAT055"}
    assert served == {"record event": 0.0, "replay match": 0.0, "get event": 0.0}
    assert not [f for f in result.findings if f.severity > Severity.INFO]


def test_read_naming_an_entity_its_answer_leaves_out_is_no_join_ok() -> None:
    """A read naming a second entity whose operation answers a page of events only takes no rows of it: it is no join, and the
    table still goes to the wide-column store (issue 22-y2)."""
    named = "{name: list match events, actor: player, reads: [MatchEvent, Player], filter: [match], sort: [-created_at], consistency: eventual, rate: 1M/day}"
    result = _design(_plays(extra_use_case=f"- {named}\n"))
    op = next(o for a in result.architecture.apis for o in a.operations if "list match events" in o.use_cases)
    assert op.response_schema is not None
    assert "Player" not in op.response_schema
    assert _record(result) is not None
    assert _events(result).wide_column is not None


def test_wide_column_table_has_its_cql_and_says_so_ok() -> None:
    """The store's CQL file holds the keyspace, the table by (key, bucket) and the by-id lookup; design.md names the stand-in honestly."""
    result = _design(_plays())
    files = render_files(result.architecture, result.findings)
    cql = next(text for path, text in files.items() if path.endswith(".cql"))
    assert 'CREATE KEYSPACE IF NOT EXISTS "game_events"' in cql
    assert 'PRIMARY KEY (("match_id", "bucket"), "created_at", "id")' in cql
    assert 'WITH CLUSTERING ORDER BY ("created_at" DESC, "id" DESC)' in cql
    assert '"match_events_by_id"' in cql
    assert "'replication_factor': 3" in cql
    assert "the scaffold's stand-in (the scaffold has no CQL adapter)" in files["design.md"]
    assert sum(path.endswith(".cql") for path in files) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            _plays(extra_use_case=HOURLY),
            "aggregates rows",
            id="an-aggregate-read",
        ),
        pytest.param(
            _plays(extra_use_case="- {name: events by match title, actor: player, reads: [MatchEvent, Match], filter: [Match.title], rate: 1M/day}\n"),
            # matches stays on the unsharded primary while match_events is sharded: no server joins them (design/split_joins.py)
            "'events by match title' reads Match and MatchEvent on different servers: two reads (matches by title, then match_events by match_id), not a join",
            id="a-join",
        ),
        pytest.param(
            _plays(
                extra_field="player: ref(Player)",
                extra_use_case="- {name: events by player, actor: player, kind: list, reads: [MatchEvent], filter: [player], sort: [-created_at], "
                "consistency: eventual, rate: 1M/day}\n",
            ),
            "its pages read by different keys (match_id, player_id)",
            id="a-second-key",
        ),
        pytest.param(_plays(consistency="strong"), "reads its pages with strong consistency", id="strong-pages"),
        pytest.param(
            _plays(key="actor"),
            "pages by actor, not by a reference",
            id="a-key-that-is-no-reference",
        ),
        pytest.param(
            _plays(extra_use_case="- {name: amend event, actor: server, kind: update, writes: [MatchEvent.payload], rate: 100M/day}\n"),
            "its rows change: 100,000,000 updates a day (amend event) against",
            id="updated-often",
        ),
    ],
)
def test_shape_a_cql_table_cannot_serve_stays_in_postgresql_err(text: str, reason: str) -> None:
    """A table as big, but aggregated, joined, read by a second key, paged strongly, keyed by a plain column or updated often, stays in PostgreSQL."""
    result = _design(text)
    assert _record(result) is None
    assert _events(result).wide_column is None
    assert _events(result).sharding is not None
    notes = [n.reason for n in result.architecture.pattern_notes if n.pattern == "PAT055" and n.subject == "match_events"]
    assert len(notes) == 1
    assert reason in notes[0]


def test_few_primaries_stay_sharded_postgresql_err() -> None:
    """The same shape needing fewer than 16 primaries stays in PostgreSQL: sharded PostgreSQL is the simpler operation there."""
    result = _design(_plays("20M/day", years=1))
    assert _record(result) is None
    assert _events(result).wide_column is None
    assert MIN_SHARDS == 16


@pytest.mark.parametrize(
    ("choose", "technology", "in_postgresql"),
    [
        pytest.param("Cassandra", "Apache Cassandra", False, id="cassandra"),
        pytest.param("sharded PostgreSQL", None, True, id="postgresql"),
    ],
)
def test_author_steers_the_store_ok(choose: str, technology: str | None, in_postgresql: bool) -> None:
    """``decisions: {wide-column: {choose}}`` builds Cassandra, or keeps the table sharded in PostgreSQL with the numbers on the record."""
    steering = f"decisions:\n  wide-column: {{choose: {choose}, reason: the team runs it already}}\n"
    result = _design(_plays(decisions=steering))
    record = next(d for d in result.architecture.decisions if d.id == "wide-column")
    assert record.decided_by == "spec"
    table = _events(result)
    if in_postgresql:
        assert table.wide_column is None
        assert table.sharding is not None
        assert any("ScyllaDB" in a.name for a in record.alternatives)
    else:
        assert table.wide_column is not None
        assert table.wide_column.technology == technology


@pytest.mark.parametrize(
    ("rate", "years", "verb", "held"),
    [
        pytest.param("20M/day", 1, "force", True, id="forced-below-the-primaries"),
        pytest.param("300M/day", 5, "forbid", False, id="forbidden-above-them"),
    ],
)
def test_forced_or_forbidden_store_is_warned_with_the_numbers_ok(rate: str, years: int, verb: str, held: bool) -> None:
    """Forcing the store where few primaries suffice, or forbidding it where many are needed, is honoured and warned by the critic (DES007)."""
    steering = f"decisions:\n  wide-column: {{{verb}: true, reason: the team decided}}\n"
    result = _design(_plays(rate, years=years, decisions=steering))
    assert (_events(result).wide_column is not None) is held
    assert (_events(result).sharding is None) is held
    record = next(d for d in result.architecture.decisions if d.id == "wide-column")
    assert record.decided_by == "spec"
    assert any(f.code == "DES007" and "Wide-column store" in f.message for f in result.findings)


def test_handoff_states_a_wide_column_table_as_a_sharded_one_is_stated_ok() -> None:
    """handoff.json gives the wide-column table its partition key and bucket, busiest partition and its growth, hot-partition bound and nodes."""
    result = _design(_plays())
    handoff = json.loads(render_files(result.architecture, result.findings)["handoff.json"])
    Handoff.model_validate(handoff)
    tables = {t["name"]: t for s in handoff["database"]["datastores"] for t in s["tables"]}
    held = tables["match_events"]["wide_column"]
    figures = {f.key: f.value for f in result.architecture.figures}
    layout = _events(result).wide_column
    assert layout is not None
    assert held["partition_key"] == ["match_id", "bucket"]
    assert held["bucket_days"] == layout.bucket_days
    assert held["busiest_partition_bytes"] == figures["wide_column.partition_bytes.match_events"]
    assert held["busiest_partition_bytes_per_day"] * layout.bucket_days == pytest.approx(held["busiest_partition_bytes"])
    assert held["busiest_partition_bytes"] <= held["partition_max_bytes"] == PARTITION_MAX_BYTES
    assert held["nodes"] == figures["wide_column.nodes.match_events"]
    assert held["store"] == "wide-column-store"
    assert f"a bucket of {layout.bucket_days:g} day(s)" in held["hot_partitions"]
    assert all("wide_column" not in t for name, t in tables.items() if name != "match_events")


def test_a_wide_column_tables_inserts_are_its_own_rows_ok() -> None:
    """ScyllaDB's rows commit in no PostgreSQL transaction: the table's inserts figure (what the sharding rule and the hand-off
    read) is its own rows at peak, with no outbox or idempotency row counted beside them."""
    result = _design(_plays())
    assert _events(result).wide_column is not None
    figures = {f.key: f for f in result.architecture.figures}
    inserts = figures["qps.peak.insert.table.match_events"]
    assert set(inserts.inputs) == {"rows_per_day", "seconds_per_day", "peak_factor"}
    assert inserts.value == pytest.approx(inserts.inputs["rows_per_day"] / 86_400 * inserts.inputs["peak_factor"])
    assert "qps.peak.guarantee.table.match_events" not in figures


def _busiest_per_day(result: DesignResult) -> float:
    handoff = json.loads(render_files(result.architecture, result.findings)["handoff.json"])
    return float(
        next(t for s in handoff["database"]["datastores"] for t in s["tables"] if t["name"] == "match_events")["wide_column"]["busiest_partition_bytes_per_day"]
    )


def test_the_busiest_partition_counts_keys_held_by_another_service_ok() -> None:
    """The busiest key's day is a hundred average keys' rows, the keys being the rows of the table the key references: found
    through the spec's reference where another service holds it and no foreign key names it, so the figure is the same."""
    split = "services: {matches: {owns: [Player, Match]}, events: {owns: [MatchEvent]}}\n"
    # the reference is named for its role (a game), not for the table it names: only the spec says which table that is
    games = _plays(key="game").replace("match: ref(Match)", "game: ref(Match)")
    together, apart = _design(_plays()), _design(split + games)
    assert not any(fk.columns == ["game_id"] for fk in _events(apart).foreign_keys)
    assert _busiest_per_day(apart) == pytest.approx(_busiest_per_day(together))
    keys = 5e6  # the referenced table's rows: the larger of its rows now and a day's growth
    assert _busiest_per_day(together) == pytest.approx(_events(together).rows_per_day / keys * 100 * _row_width(together))


def _row_width(result: DesignResult) -> float:
    per_day, table = _busiest_per_day(result), _events(result)
    return per_day / (table.rows_per_day / 5e6 * 100)


def test_the_busiest_partition_is_never_more_than_the_whole_day_ok() -> None:
    """With fewer keys than the hot-key factor, the busiest key holds every row of the day, not a hundred times them."""
    width = _row_width(_design(_plays()))
    few = _design(_plays().replace("rows: 5M, growth: 2M/day", "rows: 50"))
    document = render_files(few.architecture, few.findings)["design.md"]
    stated = re.search(r"one day of the busiest match_id is ([0-9.]+) (GB|TB|MB)", document)
    assert stated is not None
    day = _events(few).rows_per_day * width
    assert float(stated.group(1)) * {"MB": 1e6, "GB": 1e9, "TB": 1e12}[stated.group(2)] == pytest.approx(day, rel=0.01)


@pytest.mark.parametrize(
    ("sort", "served"),
    [
        pytest.param("-created_at", True, id="by-time"),
        pytest.param("-id", True, id="by-a-uuidv7-key"),
        pytest.param("-actor", False, id="by-a-plain-column"),
    ],
)
def test_a_key_made_in_time_order_is_a_time_order_ok(sort: str, served: bool) -> None:
    """Pages sorted by an id the key decision makes in time order (UUIDv7) are time-ordered pages: the wide-column store takes
    them, and no record calls that key 'not time-ordered' beside a key record saying UUIDv7 (fifteenth trial, discord)."""
    text = _plays().replace("sort: [-created_at]", f"sort: [{sort}]")
    assert f"sort: [{sort}]" in text
    result = _design(text)
    column = next(c for c in _events(result).columns if c.name == "id")
    # made by the database's UUIDv7 default, or by the application carrying its shard (design/shard_ids.py): time-ordered both ways
    assert "v7" in (column.default or column.comment or ""), column
    assert (_record(result) is not None) is served
    notes = " ".join(n.reason for n in result.architecture.pattern_notes if n.pattern == "PAT055")
    assert ("not time-ordered" in notes) is not served
