"""The commute API: each mode, the demo trips, stored checks, bad input, no network."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditEvent
from mobility.commute.models import CommuteCheck
from mobility.core.db import db
from tests.factories import api_token, bearer, create_platform, create_user

from .helpers import (
    AT_SEA,
    BEAUSOLEIL_ADDRESS,
    BEAUSOLEIL_HOME,
    CAP_DAIL_ADDRESS,
    CAP_DAIL_HOME,
    CASINO_ADDRESS,
    FONTVIEILLE_WORK,
    MONACO_WORK,
    PARIS,
    WEEK,
    create_commuter,
    point,
)

ROAD_MODES = ("walk", "bike", "e_bike", "two_wheel_motor", "car")


@pytest.fixture
def platform(app):
    return create_platform()


@pytest.fixture
def advisor_headers(client, platform):
    return bearer(api_token(client, create_user("advisor", platform)))


def _stored() -> int:
    return db.session.scalar(select(func.count(CommuteCheck.id)))


@pytest.mark.parametrize("mode", ROAD_MODES)
def test_each_mode(client, advisor_headers, mode):
    response = client.post("/api/v1/commute-checks", headers=advisor_headers, json={
        "origin": point(BEAUSOLEIL_HOME), "destination": point(MONACO_WORK), "modes": [mode]})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert list(data["modes"]) == [mode]
    result = data["modes"][mode]
    assert 1500 < result["distance_m"] < 6000
    assert result["duration_s"] > 0
    expected = "within_limit" if result["feasible"] else "too_long"
    assert result["reasons"][0]["code"] == expected
    assert result["feasible"] is (mode != "walk")  # 2.7 km uphill: over 30 min on foot
    assert set(result["reasons"][0]["messages"]) == {"fr", "en"}
    assert result["reasons"][0]["messages"]["fr"] != result["reasons"][0]["messages"]["en"]
    assert len(result["geometry"]) >= 2
    assert data["attribution"] == "© OpenStreetMap contributors"
    assert data["transit"] is None
    assert data["id"] is None and _stored() == 0


def test_walking_is_slowest_and_car_fastest(client, advisor_headers):
    data = client.post("/api/v1/commute-checks", headers=advisor_headers, json={
        "origin": point(CAP_DAIL_HOME), "destination": point(MONACO_WORK)}).get_json()
    durations = {m: r["duration_s"] for m, r in data["modes"].items()}
    assert durations["walk"] > durations["bike"] > durations["e_bike"]
    assert durations["car"] < durations["walk"]
    assert data["transit"]["checked"] is False
    assert data["transit"]["reasons"][0]["code"] == "no_feed"
    levels = [lv["level"] for lv in data["ladder"]["levels"]]
    assert levels == ["public_transport", "walk", "bike", "e_bike", "moped_scooter", "carpool",
                      "minibus", "car"]
    # no timetable: public transport stays possible, never recommended on a guess
    first = data["ladder"]["levels"][0]
    assert first["status"] == "possible" and first["confirmed"] is None
    assert data["ladder"]["recommended"] != "public_transport"


def test_addresses_are_geocoded(client, advisor_headers):
    response = client.post("/api/v1/commute-checks", headers=advisor_headers, json={
        "origin": BEAUSOLEIL_ADDRESS, "destination": CASINO_ADDRESS, "modes": ["walk"]})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert "Beausoleil" in data["origin"]["label"]
    assert "Casino" in data["destination"]["label"]
    assert data["origin"]["text"] == BEAUSOLEIL_ADDRESS
    assert 43.7 < data["origin"]["lat"] < 43.8


def test_demo_day_shift_from_beausoleil_by_bus(client, advisor_headers, gtfs):
    data = client.post("/api/v1/commute-checks", headers=advisor_headers, json={
        "origin": point(BEAUSOLEIL_HOME), "destination": point(MONACO_WORK),
        "arrive_by": "08:00", "leave_at": "17:00",
        "days": [d.isoformat() for d in WEEK]}).get_json()
    transit = data["transit"]
    assert transit["checked"] and transit["feasible"], transit
    assert len(transit["days"]) == 5
    assert transit["days"][0]["outbound"]["route"] == "T1"
    assert data["ladder"]["recommended"] == "public_transport"
    first = data["ladder"]["levels"][0]
    line = next(r for r in first["reasons"] if r["code"] == "transit_line")
    assert "T1" in line["messages"]["fr"] and "T1" in line["messages"]["en"]
    assert data["shift_ends_next_day"] is False


def test_demo_night_shift_has_no_bus_home(client, advisor_headers, gtfs):
    data = client.post("/api/v1/commute-checks", headers=advisor_headers, json={
        "origin": point(BEAUSOLEIL_HOME), "destination": point(MONACO_WORK),
        "arrive_by": "21:00", "leave_at": "05:00",
        "days": ["2025-03-03", "2025-03-04"]}).get_json()
    assert data["shift_ends_next_day"] is True
    transit = data["transit"]
    assert transit["checked"] and transit["feasible"] is False
    codes = {r["code"] for r in transit["reasons"]}
    assert codes == {"no_return"}
    first = data["ladder"]["levels"][0]
    assert first["level"] == "public_transport" and first["status"] == "ruled_out"
    assert any("05:00" in r["messages"]["fr"] for r in first["reasons"])
    assert data["ladder"]["recommended"] in ("walk", "bike")


def test_demo_cap_dail_early_shift_before_first_bus(client, advisor_headers, gtfs):
    data = client.post("/api/v1/commute-checks", headers=advisor_headers, json={
        "origin": CAP_DAIL_ADDRESS, "destination": "Fontvieille, Monaco",
        "arrive_by": "05:00", "leave_at": "12:00", "days": ["monday"]}).get_json()
    assert "Cap-d'Ail" in data["origin"]["label"]
    assert data["transit"]["feasible"] is False
    assert {r["code"] for r in data["transit"]["reasons"]} == {"no_outbound"}
    assert len(data["days"]) == 1


def test_capacities_shape_the_ladder(client, advisor_headers):
    data = client.post("/api/v1/commute-checks", headers=advisor_headers, json={
        "origin": point(CAP_DAIL_HOME), "destination": point(FONTVIEILLE_WORK),
        "capacities": {"can_walk": False, "can_ride_bike": False, "has_moped_capacity": False,
                       "has_licence_b": True}}).get_json()
    levels = {lv["level"]: lv for lv in data["ladder"]["levels"]}
    assert data["ladder"]["recommended"] == "car"
    assert levels["walk"]["reasons"][0]["code"] == "cannot_walk"
    assert [r["code"] for r in levels["bike"]["reasons"]] == ["cannot_ride_bike"]
    assert levels["moped_scooter"]["reasons"][0]["code"] == "no_moped_capacity"
    assert {levels[k]["status"] for k in ("walk", "bike", "e_bike", "moped_scooter")} == {
        "ruled_out"}
    assert data["capacities"]["source"] == "request"


def test_beneficiary_check_is_stored(client, app, platform):
    advisor = create_user("advisor", platform)
    headers = bearer(api_token(client, advisor))
    person = create_commuter(platform, shift_start=None, shift_end=None)
    response = client.post(f"/api/v1/beneficiaries/{person.id}/commute-check", headers=headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    check = db.session.get(CommuteCheck, data["id"])
    assert check.beneficiary_id == person.id and check.platform_id == platform.id
    assert check.created_by_id == advisor.id
    assert check.origin_lat == pytest.approx(BEAUSOLEIL_HOME[0])
    assert check.origin_text == person.address
    assert set(check.modes) == set(ROAD_MODES)
    assert check.recommended == data["ladder"]["recommended"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.object_type == "CommuteCheck")) == 1
    again = client.get(f"/api/v1/commute-checks/{check.id}", headers=headers)
    assert again.status_code == 200
    assert again.get_json()["modes"]["car"]["distance_m"] == data["modes"]["car"]["distance_m"]
    listed = client.get(f"/api/v1/beneficiaries/{person.id}/commute-checks", headers=headers)
    assert [c["id"] for c in listed.get_json()] == [check.id]


def test_beneficiary_check_uses_file_shift_and_overrides(client, platform, gtfs):
    headers = bearer(api_token(client, create_user("advisor", platform)))
    from datetime import time

    person = create_commuter(platform, shift_start=time(21), shift_end=time(5))
    data = client.post(f"/api/v1/beneficiaries/{person.id}/commute-check", headers=headers,
                       json={"days": ["2025-03-03"], "modes": ["walk", "public_transport"]}
                       ).get_json()
    assert data["arrive_by"] == "21:00" and data["leave_at"] == "05:00"
    assert data["transit"]["feasible"] is False
    assert list(data["modes"]) == ["walk"]


def test_standalone_check_stored_on_a_file(client, platform):
    headers = bearer(api_token(client, create_user("advisor", platform)))
    person = create_commuter(platform)
    response = client.post("/api/v1/commute-checks", headers=headers, json={
        "origin": point(CAP_DAIL_HOME), "destination": point(FONTVIEILLE_WORK),
        "modes": ["bike"], "beneficiary_id": person.id})
    assert response.status_code == 201
    assert db.session.get(CommuteCheck, response.get_json()["id"]).beneficiary_id == person.id


def test_file_without_addresses(client, platform):
    headers = bearer(api_token(client, create_user("advisor", platform)))
    person = create_commuter(platform, address=None, address_lat=None, address_lon=None)
    response = client.post(f"/api/v1/beneficiaries/{person.id}/commute-check", headers=headers)
    assert response.status_code == 400
    assert "origin" in response.get_json()["error"]["details"]
    assert _stored() == 0


BAD_INPUTS = [
    ({"origin": "Rue qui n'existe pas du tout, Atlantide"}, 400, "address_not_found", "origin"),
    ({"destination": point(PARIS)}, 400, "outside_area", "destination"),
    ({"origin": point(AT_SEA)}, 400, "outside_area", "origin"),
    ({"destination": point(BEAUSOLEIL_HOME)}, 400, "same_origin_destination", "destination"),
    ({"arrive_by": "08:00"}, 400, "invalid_shift", "leave_at"),
    ({"arrive_by": "08:00", "leave_at": "08:00"}, 400, "invalid_shift", "leave_at"),
    ({"arrive_by": "08:00", "leave_at": "07:00"}, 400, "invalid_shift", "leave_at"),
    ({"arrive_by": "25:00", "leave_at": "07:00"}, 400, "validation_error", "arrive_by"),
    ({"modes": ["teleport"]}, 400, "unknown_mode", "modes"),
    ({"days": ["someday"], "arrive_by": "08:00", "leave_at": "17:00"}, 400, "validation_error",
     "days"),
    ({"origin": 42}, 400, "validation_error", "origin"),
    ({"origin": {"lat": 95, "lon": 7.4}}, 400, "validation_error", "origin"),
]


@pytest.mark.parametrize(("change", "status", "code", "field"), BAD_INPUTS)
def test_bad_input_is_refused_and_nothing_stored(client, platform, change, status, code, field):
    headers = bearer(api_token(client, create_user("advisor", platform)))
    person = create_commuter(platform)
    body = {"origin": point(BEAUSOLEIL_HOME), "destination": point(MONACO_WORK),
            "beneficiary_id": person.id, **change}
    response = client.post("/api/v1/commute-checks", headers=headers, json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    assert field in error["details"]
    assert error["messages"]["fr"] and error["messages"]["en"]
    assert _stored() == 0


def test_missing_fields_are_named(client, advisor_headers):
    response = client.post("/api/v1/commute-checks", headers=advisor_headers, json={})
    assert response.status_code == 400
    assert {"origin", "destination"} <= set(response.get_json()["error"]["details"])


def test_no_network_configured(client, app, platform, no_network):
    headers = bearer(api_token(client, create_user("advisor", platform)))
    person = create_commuter(platform)
    for url, body in (("/api/v1/commute-checks", {"origin": point(BEAUSOLEIL_HOME),
                                                  "destination": point(MONACO_WORK)}),
                      (f"/api/v1/beneficiaries/{person.id}/commute-check", None)):
        response = client.post(url, headers=headers, json=body)
        assert response.status_code == 503
        error = response.get_json()["error"]
        assert error["code"] == "routing_not_configured"
        assert "réseau routier" in error["messages"]["fr"]
        assert "road network" in error["messages"]["en"]
    assert _stored() == 0
    status = client.get("/api/v1/commute/settings", headers=headers).get_json()
    assert status["network_configured"] is False


def test_osrm_server_down(client, app, platform):
    app.config.update(ROUTING_ENGINE="osrm", OSRM_URL_CAR="http://127.0.0.1:9",
                      OSRM_TIMEOUT_S=1.0)
    headers = bearer(api_token(client, create_user("advisor", platform)))
    person = create_commuter(platform)
    response = client.post("/api/v1/commute-checks", headers=headers, json={
        "origin": point(BEAUSOLEIL_HOME), "destination": point(MONACO_WORK), "modes": ["car"],
        "beneficiary_id": person.id})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "routing_unavailable"
    assert error["messages"]["fr"] != error["messages"]["en"]
    assert _stored() == 0
    # a mode without a server is reported as such, not as an error of the whole check
    response = client.post("/api/v1/commute-checks", headers=headers, json={
        "origin": point(BEAUSOLEIL_HOME), "destination": point(MONACO_WORK), "modes": ["walk"]})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "routing_not_configured"


def test_osrm_without_urls_is_not_configured(client, app, platform):
    app.config.update(ROUTING_ENGINE="osrm", OSRM_URL_CAR="", OSRM_URL_BIKE="",
                      OSRM_URL_FOOT="")
    headers = bearer(api_token(client, create_user("advisor", platform)))
    response = client.post("/api/v1/commute-checks", headers=headers, json={
        "origin": point(BEAUSOLEIL_HOME), "destination": point(MONACO_WORK)})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "routing_not_configured"


def test_gtfs_setting_per_platform(client, platform):
    from tests.routing.routing_data import TEST_GTFS

    admin = create_user("admin", platform)
    headers = bearer(api_token(client, admin))
    bad = client.put("/api/v1/commute/settings", headers=headers,
                     json={"gtfs_path": "/nowhere/feed.zip"})
    assert bad.status_code == 400 and "gtfs_path" in bad.get_json()["error"]["details"]
    ok = client.put("/api/v1/commute/settings", headers=headers,
                    json={"gtfs_path": str(TEST_GTFS)})
    assert ok.status_code == 200 and ok.get_json()["gtfs_path_in_use"] == str(TEST_GTFS)
    data = client.post("/api/v1/commute-checks", headers=headers, json={
        "origin": point(BEAUSOLEIL_HOME), "destination": point(MONACO_WORK),
        "arrive_by": "08:00", "leave_at": "17:00", "days": ["2025-03-03"]}).get_json()
    assert data["transit"]["feasible"] is True
    advisor = bearer(api_token(client, create_user("advisor", platform)))
    assert client.put("/api/v1/commute/settings", headers=advisor,
                      json={"gtfs_path": None}).status_code == 403
