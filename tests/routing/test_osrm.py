import pytest
import requests

import routing
from tests.factories import closed_port

from .routing_data import BEAUSOLEIL_HOME, CAP_DAIL_HOME, FONTVIEILLE_WORK, MONACO_WORK

TRIPS = [
    (BEAUSOLEIL_HOME, MONACO_WORK),
    (CAP_DAIL_HOME, FONTVIEILLE_WORK),
    (CAP_DAIL_HOME, MONACO_WORK),
    ((43.7640, 7.4800), (43.7280, 7.4180)),  # Roquebrune-Cap-Martin → Fontvieille
    ((43.7289, 7.3620), (43.7398, 7.4251)),  # Èze → Monte-Carlo
]


@pytest.fixture(scope="module")
def osrm(osrm_car_url):
    return routing.OSRMEngine({"car": osrm_car_url})


def test_osrm_distances_agree_with_the_local_engine(osrm, engine):
    for origin, destination in TRIPS:
        remote = osrm.route(origin, destination, mode="car")
        local = engine.route(origin, destination, mode="car")
        assert remote.distance_m == pytest.approx(local.distance_m, rel=0.15, abs=150)
        assert 0.5 < remote.duration_s / local.duration_s < 2.0
        assert remote.geometry[0] == pytest.approx(origin, abs=0.003)
        assert remote.attribution == routing.ATTRIBUTION


def test_osrm_table(osrm, engine):
    origins = [o for o, _ in TRIPS]
    dests = [d for _, d in TRIPS]
    remote = osrm.table(origins, dests, mode="car")
    local = engine.table(origins, dests, mode="car")
    assert remote.distances_m.shape == (5, 5)
    assert remote.distances_m == pytest.approx(local.distances_m, rel=0.2, abs=200)
    row = osrm.one_to_many(origins[0], dests, mode="car")
    assert row.durations_s[0] == pytest.approx(remote.durations_s[0])


def test_check_commute_over_osrm(osrm):
    check = routing.check_commute(osrm, BEAUSOLEIL_HOME, MONACO_WORK, modes=["car"])
    assert check.modes["car"].feasible


def test_osrm_carpool(osrm, engine):
    rides = [(CAP_DAIL_HOME, FONTVIEILLE_WORK), (BEAUSOLEIL_HOME, MONACO_WORK)]
    limits = routing.CarpoolLimits(max_detour_s=1e9, max_detour_m=1e9)
    remote = routing.rank_carpool_rides(osrm, CAP_DAIL_HOME, MONACO_WORK, rides, limits=limits)
    assert len(remote) == 2


def test_osrm_point_outside_area(osrm):
    with pytest.raises(routing.OutsideNetworkArea):
        osrm.route((48.8647, 2.3708), MONACO_WORK, mode="car")


def test_osrm_mode_without_server(osrm):
    with pytest.raises(routing.NetworkNotConfigured):
        osrm.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="bike")
    with pytest.raises(routing.UnknownMode):
        osrm.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="hovercraft")


def test_osrm_server_down():
    with closed_port() as port:  # nothing listens there
        down = routing.OSRMEngine({"car": f"http://127.0.0.1:{port}"}, timeout_s=2)
        with pytest.raises(routing.RoutingServerUnavailable):
            down.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="car")
        with pytest.raises(routing.RoutingServerUnavailable):
            down.table([BEAUSOLEIL_HOME], [MONACO_WORK], mode="car")


def test_modes_sharing_a_server_send_one_request(osrm_car_url):
    sent = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: sent.append(r.url))
    engine = routing.OSRMEngine({"car": osrm_car_url, "two_wheel_motor": osrm_car_url},
                                session=session)
    routes = engine.routes(BEAUSOLEIL_HOME, MONACO_WORK, modes=["car", "two_wheel_motor"])
    assert len(sent) == 1
    assert routes["car"].distance_m == routes["two_wheel_motor"].distance_m
    assert routes["two_wheel_motor"].mode == "two_wheel_motor"
