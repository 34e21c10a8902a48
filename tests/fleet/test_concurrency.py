"""50 clients at the same moment: one rental (or the last seat) wins, 49 clean 409s.

Each client is a thread with its own Flask test client, so its own app context and database
session; a barrier releases them together. Runs on SQLite (BEGIN IMMEDIATE) and PostgreSQL
(exclusion constraint; row lock on the ride).
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fleet.models import Rental, SeatBooking, Site
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.platforms.models import Platform
from tests.factories import (
    api_token,
    bearer,
    create_beneficiary,
    create_ride,
    create_site,
    create_user,
    create_vehicle,
)

CLIENTS = 50
ROUNDS = 20


def _race(app, requests: list[tuple[str, dict]], headers: dict) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(requests))

    def one(request):
        url, body = request
        client = app.test_client()
        barrier.wait()
        response = client.post(url, json=body, headers=headers)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(one, requests))


@pytest.fixture
def advisor_headers(app, client):
    site = create_site()
    platform = db.session.get(Platform, site.platform_id)
    advisor = create_user("advisor", platform=platform)
    headers = bearer(api_token(client, advisor))
    people = [create_beneficiary(platform, ready=True).id for _ in range(CLIENTS)]
    ids = {"site_id": site.id, "platform_id": platform.id, "headers": headers, "people": people}
    db.session.remove()
    return ids


def test_fifty_clients_book_the_same_vehicle(app, advisor_headers):
    ctx = advisor_headers
    for round_no in range(ROUNDS):
        vehicle = create_vehicle(db.session.get(Site, ctx["site_id"]))
        vehicle_id = vehicle.id
        requests = []
        for n in range(CLIENTS):
            start = local_today() + timedelta(days=n % 5)
            requests.append(("/api/v1/rentals", {
                "beneficiary_id": ctx["people"][n], "vehicle_id": vehicle_id,
                "start": start.isoformat(), "end": (start + timedelta(days=10)).isoformat(),
                # the same people race again each round: earlier winners hold a scooter
                "second_vehicle_reason": "Course de réservation répétée sur les mêmes personnes"}))
        db.session.remove()
        results = _race(app, requests, ctx["headers"])
        statuses = Counter(status for status, _ in results)
        assert statuses == {201: 1, 409: CLIENTS - 1}, (round_no, statuses, results[:3])
        winner = next(body for status, body in results if status == 201)
        for status, body in results:
            if status == 409:
                assert body["error"]["code"] == "double_booking"
                assert [c["rental_id"] for c in body["error"]["details"]["conflicts"]] == [
                    winner["id"]]
        count = db.session.scalar(select(func.count()).select_from(Rental).where(
            Rental.vehicle_id == vehicle_id))
        assert count == 1


def test_fifty_clients_book_the_last_seat(app, advisor_headers):
    ctx = advisor_headers
    day = local_today() + timedelta(days=1)
    for round_no in range(ROUNDS):
        ride = create_ride(db.session.get(Platform, ctx["platform_id"]), seats=3)
        # two seats already taken: one left
        for n in range(2):
            db.session.add(SeatBooking(platform_id=ride.platform_id, ride_id=ride.id,
                                       beneficiary_id=ctx["people"][n], ride_date=day,
                                       seat_number=n + 1))
        db.session.commit()
        requests = [(f"/api/v1/carpool/rides/{ride.id}/seats",
                     {"beneficiary_id": ctx["people"][n], "date": day.isoformat()})
                    for n in range(CLIENTS)]
        ride_id = ride.id
        db.session.remove()
        results = _race(app, requests, ctx["headers"])
        statuses = Counter(status for status, _ in results)
        # the two people already aboard get "already booked", the others "full"
        assert statuses == {201: 1, 409: CLIENTS - 1}, (round_no, statuses)
        booked = db.session.scalar(select(func.count()).select_from(SeatBooking).where(
            SeatBooking.ride_id == ride_id, SeatBooking.status == "booked"))
        assert booked == 3
