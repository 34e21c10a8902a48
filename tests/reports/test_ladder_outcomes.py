"""The funders' report shows the one ladder: people checked in the period, by the level their
latest commute check recommended (as the file and the commute page showed it)."""

from __future__ import annotations

from datetime import timedelta

from mobility.commute.models import CommuteCheck
from mobility.core.db import db
from mobility.reports import queries
from tests.factories import (
    api_token,
    bearer,
    create_amie_beneficiary,
    create_platform,
    create_user,
    login,
)
from tests.reports.year import END, START, at


def _check(person, when, recommended):
    levels = [{"level": lv, "status": "recommended" if lv == recommended else "possible",
               "reasons": []} for lv in ("public_transport", "bike", "car")]
    db.session.add(CommuteCheck(
        platform_id=person.platform_id, beneficiary_id=person.id, origin_lat=43.73,
        origin_lon=7.42, destination_lat=43.74, destination_lon=7.43, created_at=when,
        ladder={"recommended": recommended, "levels": levels}))
    db.session.commit()


def test_latest_check_of_the_period_per_person(app, client):
    platform, other = create_platform(), create_platform()
    amina, bruno, chloe, dan = (create_amie_beneficiary(platform) for _ in range(4))
    _check(amina, at(START + timedelta(days=10)), "car")
    _check(amina, at(START + timedelta(days=40)), "bike")  # the latest of the period counts
    _check(bruno, at(END), None)  # last day of the period: in it; nothing confirmed
    _check(chloe, at(START - timedelta(days=1)), "car")  # before the period
    _check(dan, at(END + timedelta(days=1)), "car")  # after it
    _check(create_amie_beneficiary(other), at(START + timedelta(days=5)), "public_transport")
    # an older word of the ladder is read in today's vocabulary
    _check(create_amie_beneficiary(platform), at(START + timedelta(days=3)), "scooter_moped")

    assert queries.ladder_outcomes([platform.id], START, END) == {
        "bike": 1, "moped_scooter": 1, "none": 1}

    admin = create_user("admin", platform)
    report = client.get(f"/api/v1/reports/activity?start={START}&end={END}",
                        headers=bearer(api_token(client, admin))).get_json()
    assert report["ladder"] == {"bike": 1, "moped_scooter": 1, "none": 1}
    login(client, admin)
    page = client.get(f"/reports/activity?start={START}&end={END}",
                      headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Solutions recommandées à la dernière vérification du trajet" in page
    assert "Aucune solution encore confirmée" in page and "Vélo" in page
    exported = client.get(f"/reports/activity/export.csv?start={START}&end={END}",
                          headers={"Accept-Language": "fr"})
    assert exported.status_code == 200
    assert "Solutions recommandées à la dernière vérification du trajet" in exported.get_data(
        as_text=True)
