"""Fleet API and pages: endpoints, roles, other platforms, photos, French pages."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fleet.models import Photo, Rental
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.platforms.models import Platform
from tests.factories import (
    api_token,
    bearer,
    create_beneficiary,
    create_platform,
    create_rental,
    create_ride,
    create_site,
    create_user,
    create_vehicle,
    csrf_token_from,
    login,
)
from tests.fleet.helpers import good_checklist, png_bytes, prepare_hand_over


@pytest.fixture
def world(app):
    site = create_site()
    platform = db.session.get(Platform, site.platform_id)
    return {"platform": platform, "site": site, "vehicle": create_vehicle(site),
            "person": create_beneficiary(platform, ready=True),
            "advisor": create_user("advisor", platform=platform),
            "manager": create_user("fleet_manager", platform=platform)}


def _headers(client, user):
    return bearer(api_token(client, user))


def test_api_fleet_manager_creates_sites_and_vehicles(client, world):
    h = _headers(client, world["manager"])
    site = client.post("/api/v1/sites", json={"name": "Parking du port",
                                              "address": "Avenue du Port, Cap-d'Ail",
                                              "kind": "parking"}, headers=h)
    assert site.status_code == 201
    vehicle = client.post("/api/v1/vehicles", json={
        "kind": "e_bike", "site_id": site.get_json()["id"], "plate": "va-1234",
        "odometer_km": 12}, headers=h)
    assert vehicle.status_code == 201 and vehicle.get_json()["plate"] == "VA-1234"
    vid = vehicle.get_json()["id"]
    patched = client.patch(f"/api/v1/vehicles/{vid}", json={"odometer_km": 40}, headers=h)
    assert patched.get_json()["odometer_km"] == 40
    bad = client.post("/api/v1/vehicles", json={"kind": "plane", "site_id": 0, "plate": ""},
                      headers=h)
    assert bad.status_code == 400 and "kind" in bad.get_json()["error"]["details"]
    assert len(client.get("/api/v1/vehicles", headers=h).get_json()) == 2


def test_api_booking_flow_and_conflict(client, world):
    h = _headers(client, world["advisor"])
    start = local_today() + timedelta(days=1)
    body = {"beneficiary_id": world["person"].id, "vehicle_id": world["vehicle"].id,
            "start": start.isoformat(), "end": (start + timedelta(days=7)).isoformat()}
    created = client.post("/api/v1/rentals", json=body, headers=h)
    assert created.status_code == 201
    rental_id = created.get_json()["id"]
    again = client.post("/api/v1/rentals", json=body, headers=h)
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["details"]["conflicts"][0]["rental_id"] == rental_id
    assert error["messages"]["fr"] and error["messages"]["en"]
    avail = client.get(f"/api/v1/availability?kind=scooter&site_id={world['site'].id}"
                       f"&start={start.isoformat()}&end={(start + timedelta(days=3)).isoformat()}",
                       headers=h).get_json()
    assert avail["vehicles"] == [] and avail["alternatives"]["later"][0]["first_free_date"] == (
        start + timedelta(days=7)).isoformat()
    extended = client.post(f"/api/v1/rentals/{rental_id}/extend",
                           json={"end": (start + timedelta(days=9)).isoformat()}, headers=h)
    assert extended.status_code == 200 and extended.get_json()["days"] == 9
    past = client.post("/api/v1/rentals", json={**body, "start": "2020-01-01",
                                                "end": "2020-01-05"}, headers=h)
    assert past.status_code == 400
    reversed_ = client.post("/api/v1/rentals", json={**body, "end": body["start"],
                                                     "start": body["end"]}, headers=h)
    assert reversed_.status_code == 400
    assert client.post(f"/api/v1/rentals/{rental_id}/cancel", headers=h).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Rental)) == 1


def test_api_check_out_and_in_are_the_fleet_managers(client, world):
    rental = create_rental(world["vehicle"], world["person"])
    advisor_h = _headers(client, world["advisor"])
    manager_h = _headers(client, world["manager"])
    inspection = {"odometer_km": 1000, "checklist": good_checklist("scooter")}
    assert client.post(f"/api/v1/rentals/{rental.id}/check-out", json=inspection,
                       headers=advisor_h).status_code == 403
    unsigned = client.post(f"/api/v1/rentals/{rental.id}/check-out", json=inspection,
                           headers=manager_h)
    assert unsigned.status_code == 409
    assert unsigned.get_json()["error"]["code"] == "contract_not_signed"
    prepare_hand_over(world["advisor"], rental)
    partial = client.post(f"/api/v1/rentals/{rental.id}/check-out",
                          json={"odometer_km": 1000, "checklist": {"lights": True}},
                          headers=manager_h)
    assert partial.status_code == 400
    assert partial.get_json()["error"]["code"] == "checklist_incomplete"
    out = client.post(f"/api/v1/rentals/{rental.id}/check-out", json=inspection,
                      headers=manager_h)
    assert out.status_code == 200 and out.get_json()["status"] == "in_progress"
    back = client.post(f"/api/v1/rentals/{rental.id}/check-in",
                       json={"odometer_km": 1100, "damage_notes": "Pneu crevé",
                             "checklist": good_checklist("scooter"),
                             "open_maintenance": True}, headers=manager_h)
    assert back.status_code == 200 and back.get_json()["maintenance_job"]["kind"] == "repair"


def test_api_returns_board(client, world):
    create_rental(world["vehicle"], world["person"], start_date=local_today() - timedelta(days=9),
                  end_date=local_today() - timedelta(days=2), status="in_progress")
    h = _headers(client, world["manager"])
    assert len(client.get("/api/v1/returns?status=overdue", headers=h).get_json()) == 1
    assert client.get("/api/v1/returns?status=due", headers=h).get_json() == []
    assert client.get("/api/v1/returns?status=later", headers=h).status_code == 400


def test_other_platform_ids_are_404_and_roles_are_checked(client, world):
    rental = create_rental(world["vehicle"], world["person"])
    stranger = create_user("advisor", platform=create_platform())
    h = _headers(client, stranger)
    assert client.get(f"/api/v1/rentals/{rental.id}", headers=h).status_code == 404
    assert client.get(f"/api/v1/vehicles/{world['vehicle'].id}", headers=h).status_code == 404
    prescriber = create_user("prescriber", platform=world["platform"])
    ph = _headers(client, prescriber)
    assert client.get(f"/api/v1/rentals/{rental.id}", headers=ph).status_code == 403
    assert client.get("/api/v1/vehicles", headers=ph).status_code == 403


def test_beneficiary_sees_only_their_own_rental(client, world):
    account = create_user("beneficiary", platform=world["platform"])
    world["person"].user_id = account.id
    db.session.commit()
    own = create_rental(world["vehicle"], world["person"])
    other = create_rental(create_vehicle(world["site"]),
                          create_beneficiary(world["platform"], ready=True))
    h = _headers(client, account)
    response = client.get(f"/api/v1/rentals/{own.id}", headers=h)
    assert response.status_code == 200 and "inspections" not in response.get_json()
    assert client.get(f"/api/v1/rentals/{other.id}", headers=h).status_code == 403


def test_carpool_and_minibus_api(client, world):
    h = _headers(client, world["advisor"])
    ride = client.post("/api/v1/carpool/rides", json={
        "driver_kind": "volunteer", "driver_name": "Gérard", "origin": "Beausoleil",
        "destination": "Monaco", "weekdays": [0, 1, 2, 3, 4, 5, 6], "departure_time": "07:15",
        "seats": 1, "valid_from": local_today().isoformat()}, headers=h)
    assert ride.status_code == 201
    url = f"/api/v1/carpool/rides/{ride.get_json()['id']}/seats"
    day = (local_today() + timedelta(days=1)).isoformat()
    assert client.post(url, json={"beneficiary_id": world["person"].id, "date": day},
                       headers=h).status_code == 201
    stranger = create_beneficiary(world["platform"], ready=True)
    full = client.post(url, json={"beneficiary_id": stranger.id, "date": day}, headers=h)
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "ride_full"
    run = client.post("/api/v1/minibus/runs", json={
        "name": "Tournée Fontvieille", "run_date": day, "departure_time": "06:45",
        "driver_name": "Patrick", "capacity": 1,
        "stops": [{"name": "Beausoleil"}, {"name": "Fontvieille"}]}, headers=h)
    assert run.status_code == 201 and [s["name"] for s in run.get_json()["stops"]] == [
        "Beausoleil", "Fontvieille"]
    seats = f"/api/v1/minibus/runs/{run.get_json()['id']}/seats"
    refused = client.post(seats, json={"beneficiary_id": world["person"].id,
                                       "charter_accepted": False}, headers=h)
    assert refused.status_code == 400
    booked = client.post(seats, json={"beneficiary_id": world["person"].id,
                                      "charter_accepted": True}, headers=h)
    assert booked.status_code == 201 and booked.get_json()["charter_accepted_at"]


@pytest.mark.parametrize("path", ["/fleet/vehicles", "/fleet/returns", "/fleet/maintenance",
                                  "/fleet/sites", "/fleet/availability", "/fleet/carpool",
                                  "/fleet/minibus", "/fleet/rentals"])
def test_fleet_manager_pages_in_french(client, world, path):
    create_rental(world["vehicle"], world["person"], start_date=local_today() - timedelta(days=3),
                  end_date=local_today(), status="in_progress")
    login(client, world["manager"])
    page = client.get(path, headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert 'lang="fr"' in page.get_data(as_text=True)


@pytest.mark.parametrize("role", ["prescriber", "beneficiary"])
def test_no_fleet_pages_for_prescribers_and_beneficiaries(client, world, role):
    login(client, create_user(role, platform=world["platform"]))
    for path in ("/fleet/vehicles", "/fleet/availability", "/fleet/returns", "/fleet/carpool"):
        assert client.get(path).status_code == 403


def test_advisor_books_from_the_availability_page(client, world):
    login(client, world["advisor"])
    start = local_today() + timedelta(days=2)
    page = client.get(f"/fleet/availability?kind=scooter&start={start.isoformat()}"
                      f"&end={(start + timedelta(days=5)).isoformat()}")
    html = page.get_data(as_text=True)
    assert world["vehicle"].plate in html
    response = client.post("/fleet/rentals", data={
        "csrf_token": csrf_token_from(html), "beneficiary_id": world["person"].id,
        "vehicle_id": world["vehicle"].id, "start": start.isoformat(),
        "end": (start + timedelta(days=5)).isoformat()})
    assert response.status_code == 302
    rental = db.session.scalar(select(Rental))
    assert rental.vehicle_id == world["vehicle"].id and rental.advisor_id == world["advisor"].id


def test_photo_upload_is_checked_and_served_as_attachment(client, world, app):
    login(client, world["manager"])
    url = f"/fleet/vehicles/{world['vehicle'].id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    fake = client.post(f"{url}/photos", data={"csrf_token": token, "photo": (
        __import__("io").BytesIO(b"<script>alert(1)</script>"), "x.png")},
        content_type="multipart/form-data")
    assert fake.status_code in (302, 303)
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
    app.config["MAX_PHOTO_BYTES"] = 100
    big = client.post(f"{url}/photos", data={"csrf_token": token, "photo": (
        __import__("io").BytesIO(png_bytes((200, 200))), "big.png")},
        content_type="multipart/form-data")
    assert big.status_code in (302, 303)
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
    app.config["MAX_PHOTO_BYTES"] = 5 * 1024 * 1024
    ok = client.post(f"{url}/photos", data={"csrf_token": token, "photo": (
        __import__("io").BytesIO(png_bytes()), "../../etc/passwd.png")},
        content_type="multipart/form-data")
    assert ok.status_code == 302
    photo = db.session.scalar(select(Photo))
    assert "passwd" not in photo.stored_name and photo.content_type == "image/png"
    served = client.get(f"/fleet/photos/{photo.id}")
    assert served.status_code == 200
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.data == png_bytes()
    stranger = create_user("fleet_manager", platform=create_platform())
    other = app.test_client()
    login(other, stranger)
    assert other.get(f"/fleet/photos/{photo.id}").status_code == 404


def test_returns_board_page_and_dashboard_panel(client, world):
    create_rental(world["vehicle"], world["person"], start_date=local_today() - timedelta(days=9),
                  end_date=local_today() - timedelta(days=1), status="in_progress")
    login(client, world["manager"])
    board = client.get("/fleet/returns", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert world["person"].full_name in board and world["advisor"].email not in board
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="fleet-panel"' in dashboard


def test_seat_booking_page(client, world):
    ride = create_ride(world["platform"], seats=1)
    login(client, world["advisor"])
    html = client.get("/fleet/carpool").get_data(as_text=True)
    response = client.post(f"/fleet/carpool/{ride.id}/seats", data={
        "csrf_token": csrf_token_from(html), "beneficiary_id": world["person"].id,
        "ride_date": (local_today() + timedelta(days=1)).isoformat()})
    assert response.status_code == 302
