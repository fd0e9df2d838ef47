"""TOP020 and TOP021: the self-review checks that real-time channels have a gateway that fits and that proximity searches have an index."""

from __future__ import annotations

from backend_architect.ir.model import Api, Architecture, Column, Datastore, Figure, Index, IndexColumn, Operation, Parameter, Table
from backend_architect.ir.runtime import Component, RealtimeChannel
from backend_architect.rules.topology.proximity_without_index import proximity_read_without_spatial_index
from backend_architect.rules.topology.realtime_gateway_undersized import realtime_without_gateway_capacity
from design.helpers import design_of
from rules.test_sql_rules import assert_clean, assert_findings

CHANNEL = RealtimeChannel(name="room-messages", address="rooms/{room_id}/messages", transport="websocket", entity="Message", recipients="members")


def _realtime(nodes: int | None, connections: float) -> Architecture:
    gateway = [Component(name="realtime-gateway", kind="realtime-gateway", technology="ws", purpose="p", instances=nodes)] if nodes is not None else []
    figure = Figure(key="connections.realtime", quantity="q", value=connections, unit="connections", formula="f")
    return Architecture(system="t", channels=[CHANNEL], components=gateway, figures=[figure])


def test_channels_without_a_gateway_err() -> None:
    """Channels and no gateway component are a finding naming the channels."""
    assert "rooms/{room_id}/messages" in assert_findings(_realtime(None, 1_000), realtime_without_gateway_capacity)


def test_undersized_or_single_gateway_err() -> None:
    """Three nodes for 350,000 connections, or one node for a few, are findings."""
    assert "4 needed" in assert_findings(_realtime(3, 350_000), realtime_without_gateway_capacity)
    assert "2 needed" in assert_findings(_realtime(1, 1_000), realtime_without_gateway_capacity)


def test_gateway_sized_for_its_connections_ok() -> None:
    """Four nodes hold 350,000 connections; no channel, no check."""
    assert_clean(_realtime(4, 350_000), realtime_without_gateway_capacity)
    assert_clean(Architecture(system="t"), realtime_without_gateway_capacity)


def _proximity(indexes: list[Index]) -> Architecture:
    columns = [Column(name=n, type="numeric") for n in ("location_lat", "location_lon")] + [Column(name="location_cell", type="varchar", length=12)]
    table = Table(name="drivers", entity="Driver", columns=columns, primary_key=["id"], indexes=indexes)
    params = [Parameter(name="lat", location="query", type="number"), Parameter(name="lon", location="query", type="number")]
    op = Operation(operation_id="findNearby", method="get", path="/drivers", summary="s", entity="Driver", kind="list", tag="drivers", parameters=params)
    return Architecture(system="t", datastores=[Datastore(name="db", tables=[table])], apis=[Api(service="s", title="t", operations=[op])])


def test_proximity_search_without_spatial_index_err() -> None:
    """A lat/lon search over a table indexed only by status is a finding."""
    text = assert_findings(_proximity([Index(name="ix", columns=[IndexColumn(name="status")])]), proximity_read_without_spatial_index)
    assert "drivers has no spatial index" in text


def test_proximity_search_with_cell_or_gist_index_ok() -> None:
    """A cell index or a GiST index answers it."""
    assert_clean(_proximity([Index(name="ix", columns=[IndexColumn(name="location_cell")])]), proximity_read_without_spatial_index)
    assert_clean(_proximity([Index(name="ix", columns=[IndexColumn(name="location")], method="gist")]), proximity_read_without_spatial_index)


def test_designed_mechanisms_pass_their_own_review_ok() -> None:
    """A spec using near and deliver designs clean under both rules."""
    arch = design_of(
        """\
        system: rides
        scale: {daily_active: 2M}
        entities:
          Driver: {fields: {status: enum[off,on], location: geo?}, rows: 50k}
          Ride: {fields: {driver: ref(Driver)}}
        use_cases:
          - {name: find nearby drivers, reads: [Driver], near: Driver.location, radius: 3km, filter: [status=on], rate: 200/s}
          - {name: request ride, writes: [Ride], deliver: {mode: realtime, to: Ride.driver}, rate: 50/s}
        """
    )
    assert_clean(arch, realtime_without_gateway_capacity)
    assert_clean(arch, proximity_read_without_spatial_index)


def test_search_over_a_related_rows_points_ok() -> None:
    """Cabs searched near their drivers' positions are served by the drivers' cell index; without it, the finding names drivers."""
    arch = _proximity([Index(name="ix", columns=[IndexColumn(name="location_cell")])])
    cabs = Table(name="cabs", entity="Cab", columns=[Column(name="plate", type="varchar", length=10)], primary_key=["id"])
    op = arch.apis[0].operations[0].model_copy(update={"entity": "Cab", "path": "/cabs"})
    store = arch.datastores[0]
    related = arch.model_copy(
        update={"datastores": [store.model_copy(update={"tables": [*store.tables, cabs]})], "apis": [arch.apis[0].model_copy(update={"operations": [op]})]}
    )
    assert_clean(related, proximity_read_without_spatial_index)
    bare = related.model_copy(
        update={"datastores": [related.datastores[0].model_copy(update={"tables": [related.datastores[0].tables[0].model_copy(update={"indexes": []}), cabs]})]}
    )
    assert "drivers has no spatial index" in assert_findings(bare, proximity_read_without_spatial_index)


def test_search_a_geo_set_answers_needs_no_index_ok() -> None:
    """A search a read mechanism answers with GEOSEARCH needs no index in the database; another use case's GEO mechanism does not excuse it."""
    from backend_architect.ir.runtime import Mechanism

    bare = _proximity([])
    op = bare.apis[0].operations[0].model_copy(update={"use_cases": ["find nearby drivers"]})
    arch = bare.model_copy(update={"apis": [bare.apis[0].model_copy(update={"operations": [op]})]})
    geo = Mechanism(use_case="find nearby drivers", pattern="PAT021", serves="read", store="redis", how="GEOSEARCH driver:location BYRADIUS 3 km")
    assert_clean(arch.model_copy(update={"mechanisms": [geo]}), proximity_read_without_spatial_index)
    other = geo.model_copy(update={"use_case": "find nearby cabs"})
    assert_findings(arch.model_copy(update={"mechanisms": [other]}), proximity_read_without_spatial_index)
