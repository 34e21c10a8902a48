"""Rentals: booking rules, double booking refused on both databases, lifecycle."""

from datetime import timedelta
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from fleet import services
from fleet.models import Inspection, MaintenanceJob, Rental
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from tests.factories import (
    create_beneficiary,
    create_rental,
    create_site,
    create_user,
    create_vehicle,
)


@pytest.fixture
def setup(app):
    site = create_site()
    platform_id = site.platform_id
    from mobility.platforms.models import Platform

    platform = db.session.get(Platform, platform_id)
    advisor = create_user("advisor", platform=platform)
    manager = create_user("fleet_manager", platform=platform)
    return {"platform": platform, "site": site, "vehicle": create_vehicle(site),
            "person": create_beneficiary(platform, ready=True), "advisor": advisor,
            "manager": manager}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Rental))


def _book(s, start_days=0, days=14, vehicle=None):
    start = local_today() + timedelta(days=start_days)
    return services.book_rental(s["advisor"], beneficiary_id=s["person"].id,
                                vehicle_id=(vehicle or s["vehicle"]).id, start=start,
                                end=start + timedelta(days=days))


def test_back_to_back_rentals_are_allowed(setup):
    first = _book(setup, 0, 10)
    second = _book(setup, 10, 5)
    assert second.start_date == first.end_date
    assert _count() == 2


def test_overlap_is_refused_with_the_conflicting_rental(setup):
    first = _book(setup, 0, 10)
    with pytest.raises(Conflict) as caught:
        _book(setup, 5, 10)
    conflicts = caught.value.details["conflicts"]
    assert [c["rental_id"] for c in conflicts] == [first.id]
    assert conflicts[0]["start"] == first.start_date.isoformat()
    assert _count() == 1


def test_cancelled_rental_frees_its_period(setup):
    first = _book(setup, 0, 10)
    services.cancel_rental(setup["advisor"], first)
    _book(setup, 2, 4)
    assert _count() == 2


@pytest.mark.parametrize("start_days,days,field", [(-1, 5, "start"), (3, 0, "end"),
                                                   (3, -2, "end"), (0, 400, "end")])
def test_bad_periods_are_refused(setup, start_days, days, field):
    with pytest.raises(ValidationFailed) as caught:
        _book(setup, start_days, days)
    assert field in caught.value.details
    assert _count() == 0


def test_unknown_vehicle_or_beneficiary_is_refused(setup):
    other_platform_person = create_beneficiary(ready=True)
    with pytest.raises(ValidationFailed) as caught:
        services.book_rental(setup["advisor"], beneficiary_id=other_platform_person.id,
                             vehicle_id=setup["vehicle"].id, start=local_today(),
                             end=local_today() + timedelta(days=3))
    assert "beneficiary_id" in caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        services.book_rental(setup["advisor"], beneficiary_id=setup["person"].id,
                             vehicle_id=999999, start=local_today(),
                             end=local_today() + timedelta(days=3))
    assert "vehicle_id" in caught.value.details
    assert _count() == 0


@pytest.mark.parametrize("status", ["maintenance", "immobilised", "retired"])
def test_vehicle_off_the_road_cannot_be_booked(setup, status):
    setup["vehicle"].status = status
    db.session.commit()
    with pytest.raises(Conflict):
        _book(setup)
    assert _count() == 0


def test_database_refuses_overlaps_even_without_the_check(setup):
    """The exclusion constraint (PostgreSQL) backs the service's check."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    create_rental(setup["vehicle"], setup["person"], start_date=local_today(),
                  end_date=local_today() + timedelta(days=10))
    with pytest.raises(sa.exc.IntegrityError):
        create_rental(setup["vehicle"], setup["person"],
                      start_date=local_today() + timedelta(days=9),
                      end_date=local_today() + timedelta(days=12))
    db.session.rollback()
    create_rental(setup["vehicle"], setup["person"], start_date=local_today() + timedelta(days=10),
                  end_date=local_today() + timedelta(days=12))
    create_rental(setup["vehicle"], setup["person"], start_date=local_today() + timedelta(days=2),
                  end_date=local_today() + timedelta(days=5), status="cancelled")


def test_extend_shorten_and_their_conflicts(setup):
    first = _book(setup, 0, 10)
    second = _book(setup, 12, 5)
    services.extend_rental(setup["advisor"], first, local_today() + timedelta(days=12))
    assert first.end_date == local_today() + timedelta(days=12)
    with pytest.raises(Conflict) as caught:
        services.extend_rental(setup["advisor"], first, local_today() + timedelta(days=13))
    assert caught.value.details["conflicts"][0]["rental_id"] == second.id
    assert db.session.get(Rental, first.id).end_date == local_today() + timedelta(days=12)
    services.shorten_rental(setup["advisor"], first, local_today() + timedelta(days=4))
    assert db.session.get(Rental, first.id).end_date == local_today() + timedelta(days=4)
    with pytest.raises(ValidationFailed):
        services.shorten_rental(setup["advisor"], first, local_today() + timedelta(days=8))


def test_check_out_check_in_early_return_frees_the_rest(setup):
    rental = _book(setup, 0, 20)
    services.check_out(setup["manager"], rental, odometer_km=1000, energy_level_pct=80,
                       checklist={"lights": True, "brakes": True, "helmet": True})
    assert rental.status == "in_progress" and rental.vehicle.status == "rented"
    with pytest.raises(ValidationFailed) as caught:
        services.check_in(setup["manager"], rental, odometer_km=900)
    assert "odometer_km" in caught.value.details
    inspection, job = services.check_in(
        setup["manager"], rental, odometer_km=1250, energy_level_pct=30,
        checklist={"lights": True, "brakes": False, "helmet": True},
        damage_notes="Rétroviseur gauche cassé", open_maintenance=True)
    assert rental.status == "returned"
    assert rental.end_date == local_today() + timedelta(days=1)  # returned the first day
    assert job is not None and job.kind == "repair" and job.inspection_id == inspection.id
    assert rental.vehicle.odometer_km == 1250 and rental.vehicle.status == "available"
    diffs = {d["field"]: d for d in services.inspection_differences(rental)}
    assert diffs["odometer_km"]["delta"] == 250
    assert diffs["checklist.brakes"] == {"field": "checklist.brakes", "check_out": True,
                                         "check_in": False}
    assert "damage_notes" in diffs
    _book(setup, 1, 5)  # the rest of the period is free again


def test_check_out_refuses_unknown_checklist_items_and_changes_nothing(setup):
    rental = _book(setup, 0, 5)
    with pytest.raises(ValidationFailed):
        services.check_out(setup["manager"], rental, odometer_km=1000,
                           checklist={"wings": True})
    db.session.expire_all()
    assert db.session.get(Rental, rental.id).status == "booked"
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_future_rental_cannot_leave_early(setup):
    rental = _book(setup, 3, 5)
    with pytest.raises(ValidationFailed):
        services.check_out(setup["manager"], rental, odometer_km=1000)


def test_mileage_allowance_hook(setup):
    rental = _book(setup)
    services.set_mileage_allowance(rental, 38.44)
    assert db.session.get(Rental, rental.id).daily_mileage_allowance_km == 38.4


def test_returns_board_buckets(setup):
    site, person = setup["site"], setup["person"]
    overdue = create_rental(create_vehicle(site), person,
                            start_date=local_today() - timedelta(days=20),
                            end_date=local_today() - timedelta(days=1), status="in_progress")
    due_today = create_rental(create_vehicle(site), person,
                              start_date=local_today() - timedelta(days=5), end_date=local_today(),
                              status="in_progress")
    this_week = create_rental(create_vehicle(site), person,
                              start_date=local_today() - timedelta(days=5),
                              end_date=local_today() + timedelta(days=4), status="in_progress")
    create_rental(create_vehicle(site), person, start_date=local_today() - timedelta(days=5),
                  end_date=local_today() + timedelta(days=30), status="in_progress")
    board = services.returns_board(setup["platform"].id)
    assert [r.id for r in board["overdue"]] == [overdue.id]
    assert [r.id for r in board["today"]] == [due_today.id]
    assert [r.id for r in board["week"]] == [this_week.id]


def test_availability_and_alternatives(setup):
    site, other_site = setup["site"], create_site(setup["platform"])
    scooter = setup["vehicle"]
    elsewhere = create_vehicle(other_site, kind="scooter")
    moped = create_vehicle(site, kind="moped")
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=8)
    found = services.search_availability(setup["platform"].id, start=start, end=end,
                                         kind="scooter", site_id=site.id)
    assert [v.id for v in found["vehicles"]] == [scooter.id]
    create_rental(scooter, setup["person"], start_date=local_today(),
                  end_date=local_today() + timedelta(days=5))
    found = services.search_availability(setup["platform"].id, start=start, end=end,
                                         kind="scooter", site_id=site.id)
    assert found["vehicles"] == []
    alt = found["alternatives"]
    assert [v.id for v in alt["other_sites"]] == [elsewhere.id]
    assert [v.id for v in alt["other_kinds"]] == [moped.id]
    assert alt["later"] == [(scooter, local_today() + timedelta(days=5))]


def test_other_sites_are_the_nearest_ones_first(setup):
    """When nothing is free at the site, vehicles are offered at the NEARBY_SITES other sites
    nearest to it (by distance, not by id or name), a site without a position last; from a
    site whose position is unknown, at any other site."""
    platform, person = setup["platform"], setup["person"]
    site = setup["site"]
    site.lat, site.lon = 43.1747, 5.6047  # La Ciotat
    db.session.commit()
    busy = setup["vehicle"]
    create_rental(busy, person, start_date=local_today(),
                  end_date=local_today() + timedelta(days=30))
    # created farthest first, so that ids and names disagree with distances
    places = [("Marseille", 43.2965, 5.3698), ("Aubagne", 43.2927, 5.5708),
              ("Cassis", 43.2148, 5.5396), ("Ceyreste", 43.2131, 5.6297)]
    far_first = []
    for name, lat, lon in places:
        other = create_site(platform, name=name, lat=lat, lon=lon)
        far_first.append(create_vehicle(other, kind="scooter"))
    unplaced = create_vehicle(create_site(platform, name="Sans adresse"), kind="scooter")
    start, end = local_today() + timedelta(days=2), local_today() + timedelta(days=9)

    def other_sites(site_id, limit=5):
        return [v.id for v in services.search_availability(
            platform.id, start=start, end=end, kind="scooter", site_id=site_id,
            alternatives_limit=limit)["alternatives"]["other_sites"]]

    nearest_first = [v.id for v in reversed(far_first)]
    assert other_sites(site.id) == [*nearest_first, unplaced.id]
    assert other_sites(site.id, limit=2) == nearest_first[:2]
    with patch("fleet.services.rentals.NEARBY_SITES", 2):
        # beyond the two nearest sites nothing is offered, however many are free
        assert other_sites(site.id) == nearest_first[:2]
    # a vehicle rented at the nearest site gives way to the next one
    create_rental(far_first[-1], person, start_date=start, end_date=end)
    assert other_sites(site.id) == [*nearest_first[1:], unplaced.id]
    # from the site without a position: every other site, by site then plate
    create_rental(unplaced, person, start_date=start, end_date=end)
    assert other_sites(unplaced.site_id) == [v.id for v in far_first[:3]]


def test_immobilising_lists_broken_rentals_with_replacements(setup):
    site = setup["site"]
    car = create_vehicle(site, kind="car")
    same_kind = create_vehicle(site, kind="car")
    create_vehicle(site, kind="moped")
    booked = create_rental(car, setup["person"], start_date=local_today() + timedelta(days=2),
                           end_date=local_today() + timedelta(days=20))
    impact = services.immobilise_vehicle(setup["manager"], car, reason="Embrayage")
    assert car.status == "immobilised"
    assert [i["rental"].id for i in impact] == [booked.id]
    replacements = impact[0]["replacements"]
    assert replacements[0].id == same_kind.id and replacements[-1].kind == "moped"
    moved = services.replace_vehicle(setup["manager"], booked, same_kind.id)
    assert moved.id == booked.id and moved.vehicle_id == same_kind.id


def test_replacing_a_rental_in_progress_keeps_the_beneficiary_moving(setup):
    site = setup["site"]
    car, spare = create_vehicle(site, kind="car"), create_vehicle(site, kind="car")
    running = create_rental(car, setup["person"], start_date=local_today() - timedelta(days=5),
                            end_date=local_today() + timedelta(days=20), status="in_progress")
    services.immobilise_vehicle(setup["manager"], car)
    new = services.replace_vehicle(setup["manager"], running, spare.id)
    assert running.status == "returned" and running.end_date == local_today()
    assert (new.vehicle_id, new.start_date, new.end_date) == (
        spare.id, local_today(), local_today() + timedelta(days=20))


def test_maintenance_job_flow(setup):
    vehicle = setup["vehicle"]
    with pytest.raises(ValidationFailed):
        services.create_maintenance_job(setup["manager"], vehicle, kind="service")
    job = services.create_maintenance_job(setup["manager"], vehicle, kind="service",
                                          due_odometer_km=900, cost_cents=9000)
    assert job.is_due(local_today())  # odometer 1000 >= 900
    services.immobilise_vehicle(setup["manager"], vehicle)
    services.complete_maintenance_job(setup["manager"], job, cost_cents=8500)
    assert job.status == "done" and job.cost_cents == 8500
    assert vehicle.status == "available"
    with pytest.raises(Conflict):
        services.complete_maintenance_job(setup["manager"], job)
    assert db.session.scalar(select(func.count()).select_from(MaintenanceJob)) == 1
