import pytest

import routing

from .routing_data import BEAUSOLEIL_HOME, CAP_DAIL_HOME, FONTVIEILLE_WORK, MONACO_WORK

ROQUEBRUNE = (43.7600, 7.4650)
EZE = (43.7289, 7.3625)
LA_TURBIE = (43.7453, 7.4012)
LARVOTTO = (43.7470, 7.4340)

RIDES = [
    routing.CarpoolRide(ROQUEBRUNE, FONTVIEILLE_WORK, "roquebrune-fontvieille"),
    routing.CarpoolRide(EZE, LARVOTTO, "eze-larvotto"),
    routing.CarpoolRide(LA_TURBIE, MONACO_WORK, "turbie-monaco"),
    routing.CarpoolRide(CAP_DAIL_HOME, BEAUSOLEIL_HOME, "capdail-beausoleil"),
    routing.CarpoolRide(ROQUEBRUNE, EZE, "roquebrune-eze"),
]


def brute_force(engine, home, work, ride):
    t = lambda a, b: engine.route(a, b, mode="car")  # noqa: E731
    legs = [t(ride.origin, home), t(home, work), t(work, ride.destination)]
    direct = t(ride.origin, ride.destination)
    return (sum(leg.duration_s for leg in legs) - direct.duration_s,
            sum(leg.distance_m for leg in legs) - direct.distance_m)


def test_ranking_matches_brute_force(engine):
    limits = routing.CarpoolLimits(max_detour_s=1e9, max_detour_m=1e9)
    matches = routing.rank_carpool_rides(engine, CAP_DAIL_HOME, MONACO_WORK, RIDES,
                                         limits=limits)
    assert len(matches) == len(RIDES)
    expected = sorted(
        ((*brute_force(engine, CAP_DAIL_HOME, MONACO_WORK, r), i) for i, r in enumerate(RIDES)))
    assert [m.ride_index for m in matches] == [i for _, _, i in expected]
    for m, (s, d, _) in zip(matches, expected, strict=True):
        assert m.detour_s == pytest.approx(max(s, 0), abs=1e-6)
        assert m.detour_m == pytest.approx(max(d, 0), abs=1e-6)
    assert matches[0].ride_id == RIDES[matches[0].ride_index].ride_id


def test_limits_exclude_long_detours(engine):
    everything = routing.rank_carpool_rides(
        engine, CAP_DAIL_HOME, MONACO_WORK, RIDES,
        limits=routing.CarpoolLimits(max_detour_s=1e9, max_detour_m=1e9))
    cutoff = everything[2].detour_s
    some = routing.rank_carpool_rides(engine, CAP_DAIL_HOME, MONACO_WORK, RIDES,
                                      limits=routing.CarpoolLimits(max_detour_s=cutoff,
                                                                   max_detour_m=1e9))
    assert [m.ride_index for m in some] == [m.ride_index for m in everything[:3]]
    assert all(m.detour_s <= cutoff for m in some)


def test_many_passengers_at_once(engine):
    passengers = [(CAP_DAIL_HOME, MONACO_WORK), (BEAUSOLEIL_HOME, FONTVIEILLE_WORK)]
    limits = routing.CarpoolLimits(max_detour_s=1e9, max_detour_m=1e9)
    batch = routing.match_carpools(engine, passengers, RIDES, limits=limits)
    for (home, work), matches in zip(passengers, batch, strict=True):
        single = routing.rank_carpool_rides(engine, home, work, RIDES, limits=limits)
        assert [m.ride_index for m in matches] == [m.ride_index for m in single]


def test_rides_as_tuples_and_empty_inputs(engine):
    matches = routing.rank_carpool_rides(engine, CAP_DAIL_HOME, MONACO_WORK,
                                         [(LA_TURBIE, MONACO_WORK)])
    assert len(matches) == 1 and matches[0].ride_id is None
    assert routing.rank_carpool_rides(engine, CAP_DAIL_HOME, MONACO_WORK, []) == []
