"""THE ladder: the file, the commute page, the portal and the summary sheet show the same one
(same function, same statuses), with the carpool rides ranked by detour and a booking link."""

from __future__ import annotations

import re
from datetime import time

from mobility.commute.ladder import ladder_for
from mobility.extensions import db
from mobility.people import services as people
from tests.factories import create_platform, create_user, login
from tests.fleet.factories import create_ride
from tests.people.factories import GOOD_ANSWERS

from .factories import WEEK, create_commuter

LEVEL_RE = re.compile(r'data-level="([a-z_]+)" data-status="([a-z_]+)"')


def shown_statuses(html: str) -> dict[str, str]:
    block = html.split('data-testid="ladder-levels"', 1)[1].split("</ol>", 1)[0]
    return dict(LEVEL_RE.findall(block))


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
