"""THE ladder: the file, the commute page, the portal and the summary sheet show the same one
(same function, same statuses), with the carpool rides ranked by detour and a booking link."""

from __future__ import annotations

from datetime import time

from mobility.commute.person_ladder import ladder_for
from mobility.core.db import db
from mobility.people import services as people
from tests.factories import create_platform, create_ride, create_user, login
from tests.people.answers import GOOD_ANSWERS

from .helpers import LEVEL_RE, WEEK, create_commuter, shown_statuses


def test_file_commute_page_portal_and_sheet_show_the_same_ladder(client, app, gtfs):
    platform = create_platform()
    advisor = create_user("advisor", platform)
    person = create_commuter(platform, shift_start=time(8), shift_end=time(17),
                             has_licence_b=False, licence_b_since=None)
    people.record_assessment(advisor, person, kind="entry",
                             answers={**GOOD_ANSWERS, "rides_bike": "no", "licence_b": "no"})
    from mobility.commute import services

    check = services.run_check_for_beneficiary(advisor, person,
                                               days=[d.isoformat() for d in WEEK])
    ride = create_ride(platform, origin="Beausoleil", destination="Monaco")
    expected = {lv["level"]: lv["status"] for lv in ladder_for(person, check)["levels"]}
    assert expected["public_transport"] == "recommended"  # the T1 bus of the test feed
    assert expected["bike"] == "ruled_out" and expected["car"] == "ruled_out"

    login(client, advisor)
    file_html = client.get(f"/people/beneficiaries/{person.id}").get_data(as_text=True)
    commute_html = client.get(f"/commute/beneficiaries/{person.id}").get_data(as_text=True)
    assert shown_statuses(file_html) == expected
    assert shown_statuses(commute_html) == expected

    # the carpool level lists the ride with a link to the seat booking, person carried over
    assert f'data-ride="{ride.id}"' in file_html
    assert f"/fleet/carpool?beneficiary_id={person.id}#ride-{ride.id}" in file_html
    assert "Réserver une place" in file_html


def test_portal_shows_the_same_ladder_in_plain_words(client, app, gtfs):
    platform = create_platform()
    advisor = create_user("advisor", platform)
    person = create_commuter(platform, shift_start=time(8), shift_end=time(17))
    user = create_user("beneficiary", platform=platform)
    person.user_id = user.id
    db.session.commit()
    from mobility.commute import services

    check = services.run_check_for_beneficiary(advisor, person,
                                               days=[d.isoformat() for d in WEEK])
    expected = {lv["level"]: lv["status"] for lv in ladder_for(person, check)["levels"]}
    login(client, user)
    html = client.get("/portal/commute", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)
    assert shown_statuses(html) == expected
    assert "Le meilleur moyen pour vous" in html
    assert "GTFS" not in html
    assert "Réserver une place" not in html  # booking is the advisor's


def test_the_sheet_prints_the_same_recommendation(client, app, gtfs):
    platform = create_platform()
    advisor = create_user("advisor", platform)
    person = create_commuter(platform, shift_start=time(8), shift_end=time(17))
    from mobility.commute import services

    check = services.run_check_for_beneficiary(advisor, person,
                                               days=[d.isoformat() for d in WEEK])
    ladder = ladder_for(person, check)
    login(client, advisor)
    html = client.get(f"/portal/beneficiaries/{person.id}/sheet").get_data(as_text=True)
    block = html.split('data-testid="sheet-ladder"', 1)[1].split("</ul>", 1)[0]
    shown = dict(LEVEL_RE.findall(block))
    assert shown == {lv["level"]: lv["status"] for lv in ladder["levels"]
                     if lv["status"] != "ruled_out"}


def test_capacities_given_with_an_api_check_are_the_ladders(client, app):
    from mobility.commute.models import CommuteCheck
    from tests.factories import api_token, bearer

    platform = create_platform()
    advisor = create_user("advisor", platform)
    person = create_commuter(platform, has_licence_b=True)
    headers = bearer(api_token(client, advisor))
    response = client.post(f"/api/v1/beneficiaries/{person.id}/commute-check", headers=headers,
                           json={"capacities": {"has_licence_b": False}})
    assert response.status_code == 201
    check = db.session.get(CommuteCheck, response.get_json()["id"])
    levels = {lv["level"]: lv for lv in ladder_for(person, check)["levels"]}
    assert levels["car"]["status"] == "ruled_out"
    assert levels["car"]["reasons"][0]["code"] == "no_licence_b"
    from mobility.commute import services

    plain = services.run_check_for_beneficiary(None, person)
    assert {lv["level"]: lv["status"] for lv in ladder_for(person, plain)["levels"]}[
        "car"] != "ruled_out"  # without them, the file's licence counts
