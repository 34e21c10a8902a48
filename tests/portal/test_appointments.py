"""The portal for people with little digital ease: the advisor's number with a call button, the
next checkpoint and the return with date, time and place, a calendar file for each; the same on
the file and the summary sheet. The staff work phone behind the call button."""

from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar

from mobility.auth.models import User
from mobility.checkpoints.models import Checkpoint
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.platforms.models import Platform
from tests.factories import (
    create_amie_beneficiary,
    create_rental,
    create_site,
    create_user,
    create_vehicle,
    csrf_token_from,
    login,
)

FR = {"Accept-Language": "fr"}


@pytest.fixture
def person(app):
    """A beneficiary with a login, an e-bike out since three days, their advisor (with a work
    phone), and another person's rental on the same platform."""
    advisor = create_user("advisor", full_name="Sophie Martin", phone="+33493123456")
    platform = db.session.get(Platform, advisor.platform_id)
    site = create_site(platform, name="Pôle Beausoleil", address="2 rue de la Gare, Beausoleil")
    return_site = create_site(platform, name="Pôle Menton", address="8 quai Bonaparte, Menton")
    me = create_amie_beneficiary(platform, first_name="Inès", last_name="Durand")
    user = create_user("beneficiary", platform=platform)
    me.user_id = user.id
    db.session.commit()
    rental = create_rental(create_vehicle(site, kind="e_bike", plate="VAE-1"), me,
                           start_date=local_today() - timedelta(days=3),
                           end_date=local_today() + timedelta(days=25), status="in_progress",
                           advisor_id=advisor.id, return_site_id=return_site.id,
                           return_slot_at=datetime.combine(local_today() + timedelta(days=25),
                                                           time(15, 0), tzinfo=UTC))
    other = create_rental(create_vehicle(site, kind="bike", plate="VLO-2"),
                          create_amie_beneficiary(platform, first_name="Bastien"),
                          status="in_progress", advisor_id=advisor.id)
    return {"advisor": advisor, "user": user, "me": me, "rental": rental, "other": other,
            "site": site, "return_site": return_site}


def _set_appointment(rental, advisor, **fields):
    db.session.add(Checkpoint(platform_id=rental.platform_id, rental_id=rental.id,
                              date=local_today(), odometer_km=10, recorded_by_id=advisor.id,
                              **fields))
    db.session.commit()


def _events(response) -> list:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_home_has_a_call_button_the_default_checkpoint_and_the_return(client, person):
    login(client, db.session.get(User, person["user"].id))
    html = client.get("/dashboard", headers=FR).get_data(as_text=True)
    assert 'href="tel:+33493123456"' in html
    assert "Appeler Sophie : 04 93 12 34 56" in html
    # no checkpoint yet: a week after the start, at the site, said so, time to be told
    assert "Prévu une semaine après la remise du véhicule" in html
    assert "Pôle Beausoleil, 2 rue de la Gare, Beausoleil" in html
    # the return: date, time (15:00 UTC is 16:00 or 17:00 in Paris) and place
    assert "À rapporter le" in html and ("à 16:00" in html or "à 17:00" in html)
    assert "Pôle Menton, 8 quai Bonaparte, Menton" in html
    assert "GTFS" not in html
    assert "VLO-2" not in html and "Bastien" not in html


def test_home_without_an_advisor_phone_has_no_call_button(client, person):
    person["advisor"].phone = None
    db.session.commit()
    login(client, db.session.get(User, person["user"].id))
    html = client.get("/dashboard", headers=FR).get_data(as_text=True)
    assert 'data-testid="call-advisor"' not in html and "tel:" not in html
    assert "Écrire à" in html or "mailto:" in html


def test_checkpoint_and_return_calendar_files(client, person):
    rental = person["rental"]
    _set_appointment(rental, person["advisor"], next_date=local_today() + timedelta(days=7),
                     next_time=time(14, 30), next_place="Mairie de Beausoleil, salle 2")
    login(client, db.session.get(User, person["user"].id))
    html = client.get("/dashboard", headers=FR).get_data(as_text=True)
    assert "14:30" in html and "Mairie de Beausoleil, salle 2" in html
    assert "Prévu une semaine après" not in html
    [checkpoint] = _events(client.get(f"/portal/rentals/{rental.id}/checkpoint.ics"))
    start = checkpoint.decoded("dtstart")
    assert start.astimezone(UTC) == datetime.combine(
        local_today() + timedelta(days=7), time(14, 30), tzinfo=start.tzinfo).astimezone(UTC)
    assert (checkpoint.decoded("dtend") - start) == timedelta(minutes=30)
    assert str(checkpoint["location"]) == "Mairie de Beausoleil, salle 2"
    [back] = _events(client.get(f"/portal/rentals/{rental.id}/return.ics"))
    assert back.decoded("dtstart") == rental.return_slot_at
    assert "Pôle Menton" in str(back["location"])
    # the calendar of all dates holds the same checkpoint
    events = _events(client.get("/portal/calendar.ics"))
    assert any(str(e["location"]) == "Mairie de Beausoleil, salle 2" for e in events)


def test_calendar_files_of_someone_else_or_for_staff_are_refused(client, person):
    login(client, db.session.get(User, person["user"].id))
    other = person["other"]
    for what in ("checkpoint", "return"):
        response = client.get(f"/portal/rentals/{other.id}/{what}.ics")
        assert response.status_code == 404
        assert b"VLO-2" not in response.data
    assert client.get(f"/portal/rentals/{person['rental'].id}/elsewhere.ics").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token_from(
        client.get("/dashboard").get_data(as_text=True))})
    login(client, person["advisor"])
    assert client.get(f"/portal/rentals/{person['rental'].id}/checkpoint.ics"
                      ).status_code == 403


def test_file_and_summary_sheet_show_time_and_place(client, person):
    rental = person["rental"]
    _set_appointment(rental, person["advisor"], next_date=local_today() + timedelta(days=7),
                     next_time=time(9, 45), next_site_id=person["return_site"].id)
    login(client, person["advisor"])
    file = client.get(f"/people/beneficiaries/{person['me'].id}", headers=FR)
    html = file.get_data(as_text=True)
    assert "09:45" in html and "Pôle Menton" in html
    assert 'data-testid="record-checkpoint"' in html
    sheet = client.get(f"/portal/beneficiaries/{person['me'].id}/sheet", headers=FR)
    html = sheet.get_data(as_text=True)
    assert "09:45" in html and "Pôle Menton, 8 quai Bonaparte, Menton" in html
    assert "04 93 12 34 56" in html


def test_staff_set_their_work_phone(client, person):
    advisor = person["advisor"]
    login(client, advisor)
    page = client.get("/account/phone", headers=FR)
    token = csrf_token_from(page.get_data(as_text=True))
    assert "04 93 12 34 56" in page.get_data(as_text=True)
    bad = client.post("/account/phone", data={"csrf_token": token, "phone": "12"}, headers=FR)
    assert bad.status_code == 400
    assert "Saisissez un numéro de téléphone valide" in bad.get_data(as_text=True)
    assert db.session.get(User, advisor.id).phone == "+33493123456"
    assert client.post("/account/phone", data={"csrf_token": token, "phone": "06 12 34 56 78"}
                       ).status_code == 302
    assert db.session.get(User, advisor.id).phone == "+33612345678"
    assert client.post("/account/phone", data={"csrf_token": token, "phone": ""}
                       ).status_code == 302
    assert db.session.get(User, advisor.id).phone is None


def test_beneficiaries_and_prescribers_have_no_work_phone_page(client, person):
    login(client, db.session.get(User, person["user"].id))
    assert client.get("/account/phone").status_code == 403
