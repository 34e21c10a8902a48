"""The next checkpoint's appointment: date, time and place (a site of the platform, or a place
in words), set at each checkpoint; before any, a week after the start at the rental's site."""

from datetime import date, time, timedelta

import pytest

from fleet.models import CHECKLISTS, Rental, Site
from mobility.checkpoints.models import Checkpoint
from mobility.checkpoints.services import next_appointment_of
from mobility.core.db import db
from tests.factories import (
    api_token,
    bearer,
    create_money_rental,
    create_platform,
    create_site,
    create_user,
    csrf_token_from,
)
from tests.factories import login as sign_in

MONDAY = date(2026, 3, 2)


@pytest.fixture
def advisor(app):
    return create_user("advisor")


def _post(client, token, rental, **extra):
    body = {"date": (MONDAY + timedelta(days=7)).isoformat(), "odometer_km": 10100,
            "condition": {}, **extra}
    return client.post(f"/api/v1/rentals/{rental.id}/checkpoints", json=body,
                       headers=bearer(token))


def test_the_first_checkpoint_defaults_to_a_week_after_the_start_at_the_rentals_site(app,
                                                                                    advisor):
    rental = create_money_rental(advisor.platform, kind="bike", start=MONDAY)
    appointment = next_appointment_of(rental)
    assert appointment.day == MONDAY + timedelta(days=7)
    assert appointment.site.id == rental.vehicle.site_id
    assert appointment.time is None and appointment.starts_at is None
    assert appointment.is_default
    assert rental.vehicle.site.name in appointment.place_text
    rental.status = "returned"
    db.session.commit()
    assert next_appointment_of(db.session.get(Rental, rental.id)) is None


def test_time_and_another_site_are_kept_for_the_next_checkpoint(client, advisor):
    rental = create_money_rental(advisor.platform, kind="bike", start=MONDAY)
    other_site = create_site(advisor.platform, name="Pôle Cap-d'Ail")
    token = api_token(client, advisor)
    response = _post(client, token, rental, next_date=(MONDAY + timedelta(days=14)).isoformat(),
                     next_time="14:30", next_site_id=other_site.id)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["next_time"] == "14:30"
    appointment = next_appointment_of(db.session.get(Rental, rental.id))
    assert not appointment.is_default
    assert appointment.day == MONDAY + timedelta(days=14)
    assert appointment.time == time(14, 30)
    assert appointment.site.id == other_site.id
    # 14:30 in Paris in March is 13:30 UTC (winter time)
    assert appointment.starts_at.utcoffset() == timedelta(hours=1)


def test_a_place_in_words_or_by_default_the_rentals_site(client, advisor):
    token = api_token(client, advisor)
    in_words = create_money_rental(advisor.platform, kind="bike", start=MONDAY)
    assert _post(client, token, in_words, next_place="Agence France Travail, Menton"
                 ).status_code == 201
    appointment = next_appointment_of(db.session.get(Rental, in_words.id))
    assert appointment.site is None
    assert appointment.place_text == "Agence France Travail, Menton"
    by_default = create_money_rental(advisor.platform, kind="bike", start=MONDAY)
    assert _post(client, token, by_default).status_code == 201
    appointment = next_appointment_of(db.session.get(Rental, by_default.id))
    assert appointment.site.id == by_default.vehicle.site_id and appointment.time is None
    assert not appointment.is_default  # set by a checkpoint, even if at the same place


@pytest.mark.parametrize("extra, field", [
    ({"next_site_id": "foreign"}, "next_site_id"),
    ({"next_site_id": "own", "next_place": "Mairie"}, "next_place"),
    ({"next_place": "x" * 201}, "next_place"),
])
def test_bad_places_are_refused_and_nothing_is_written(client, advisor, extra, field):
    rental = create_money_rental(advisor.platform, kind="bike", start=MONDAY)
    foreign = create_site(create_platform())
    own = db.session.get(Site, rental.vehicle.site_id)
    if "next_site_id" in extra:
        extra = {**extra, "next_site_id": foreign.id if extra["next_site_id"] == "foreign"
                 else own.id}
    token = api_token(client, advisor)
    response = _post(client, token, rental, **extra)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert field in str(error["details"])
    assert db.session.query(Checkpoint).count() == 0


def test_the_checkpoint_form_sets_time_and_place(client, advisor):
    rental = create_money_rental(advisor.platform, kind="bike", start=MONDAY)
    sign_in(client, advisor)
    page = client.get(f"/checkpoints/rentals/{rental.id}", headers={"Accept-Language": "fr"})
    html = page.get_data(as_text=True)
    # the rental's site is chosen beforehand; the default first checkpoint is explained
    assert f'<option selected value="{rental.vehicle.site_id}">' in html
    assert 'data-testid="appointment-default"' in html
    form = {"csrf_token": csrf_token_from(html), "date": (MONDAY + timedelta(days=7)).isoformat(),
            "odometer_km": "10100", "next_date": (MONDAY + timedelta(days=14)).isoformat(),
            "next_time": "09:15", "next_site_id": "", "next_place": ""}
    form.update({f"item_{item}": "ok" for item in CHECKLISTS["bike"]})
    refused = client.post(f"/checkpoints/rentals/{rental.id}", data=form,
                          headers={"Accept-Language": "fr"})
    assert refused.status_code == 400
    assert "Indiquez où se tiendra le prochain point étape" in refused.get_data(as_text=True)
    assert db.session.query(Checkpoint).count() == 0
    done = client.post(f"/checkpoints/rentals/{rental.id}",
                       data={**form, "next_place": "Mairie de Beausoleil, salle 2"})
    assert done.status_code == 302
    saved = db.session.query(Checkpoint).one()
    assert (saved.next_time, saved.next_site_id, saved.next_place) == (
        time(9, 15), None, "Mairie de Beausoleil, salle 2")
    page = client.get(f"/checkpoints/rentals/{rental.id}", headers={"Accept-Language": "fr"})
    html = page.get_data(as_text=True)
    assert "09:15" in html and "Mairie de Beausoleil, salle 2" in html
    assert 'data-testid="appointment-default"' not in html
