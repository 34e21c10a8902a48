from types import SimpleNamespace

import routing
from routing.commute import Reason


def result(feasible, message="x"):
    return SimpleNamespace(feasible=feasible, reasons=(Reason("too_long", message),))


def all_results(**feasible):
    modes = ["public_transport", *routing.MODES]
    return {m: result(feasible.get(m, False), f"{m} too long") for m in modes}


def statuses(ladder):
    return {lvl.level: lvl.status for lvl in ladder.levels}


def test_public_transport_comes_first():
    ladder = routing.transit_first_ladder(all_results(public_transport=True, car=True),
                                          can_ride_bike=True, has_licence_b=True,
                                          has_moped_capacity=True)
    assert ladder.recommended == "public_transport"
    assert [lvl.level for lvl in ladder.levels] == [
        "public_transport", "walk_bike", "e_bike", "two_wheel_motor", "car", "carpool", "minibus"]
    assert statuses(ladder)["car"] == "available"


def test_bike_before_e_bike_before_motor():
    ladder = routing.transit_first_ladder(all_results(bike=True, e_bike=True, car=True),
                                          can_ride_bike=True, has_licence_b=True,
                                          has_moped_capacity=True)
    assert ladder.recommended == "walk_bike"
    assert ladder.levels[1].mode == "bike"
    assert ladder.levels[0].reasons == ("public_transport: public_transport too long",)


def test_capacities_pass_levels_over_with_reasons():
    ladder = routing.transit_first_ladder(
        all_results(bike=True, e_bike=True, two_wheel_motor=True, car=True),
        can_ride_bike=False, has_licence_b=False, has_moped_capacity=True)
    assert ladder.recommended == "two_wheel_motor"
    levels = {lvl.level: lvl for lvl in ladder.levels}
    assert "bike: cannot ride a bike" in levels["walk_bike"].reasons
    assert levels["e_bike"].reasons == ("e_bike: cannot ride a bike",)


def test_carpool_then_minibus_as_last_resorts():
    common = dict(can_ride_bike=False, has_licence_b=False, has_moped_capacity=False)
    with_carpool = routing.transit_first_ladder(all_results(), carpool_available=True, **common)
    assert with_carpool.recommended == "carpool"
    minibus = routing.transit_first_ladder(all_results(), **common)
    assert minibus.recommended == "minibus"
    assert statuses(minibus)["car"] == "passed"
    nothing = routing.transit_first_ladder(all_results(), minibus_available=False, **common)
    assert nothing.recommended is None


def test_missing_results_are_reported():
    ladder = routing.transit_first_ladder({}, can_ride_bike=True, has_licence_b=True,
                                          has_moped_capacity=True)
    assert ladder.levels[0].reasons == ("public_transport not evaluated",)
    assert ladder.recommended == "minibus"


def test_works_on_a_real_commute_check(engine):
    from .routing_data import BEAUSOLEIL_HOME, MONACO_WORK

    check = routing.check_commute(engine, BEAUSOLEIL_HOME, MONACO_WORK)
    ladder = routing.transit_first_ladder(check.modes, can_ride_bike=True, has_licence_b=False,
                                          has_moped_capacity=False)
    assert ladder.recommended == "walk_bike"
    assert ladder.levels[1].mode == "bike"
