"""The file as the hub: the person's carpool and minibus seats, the workshops they attend and
the messages sent to them and to their referent, each with a link, never a sign-in code."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time, timedelta

from fleet import services as fleet
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.notifications.outbox import enqueue_notification
from mobility.notifications.services import messages_about_person
from mobility.people import services as people
from mobility.people.models import Referral
from tests.factories import (
    create_amie_beneficiary,
    create_platform,
    create_referent,
    create_rental,
    create_site,
    create_user,
    create_vehicle,
    login,
)


def file_page(client, person) -> str:
    response = client.get(f"/people/beneficiaries/{person.id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def section(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</section>', page, re.S)
    assert match, testid
    return match.group(0)


def test_seats_and_workshops_of_the_person_with_links(app, client):
    platform = create_platform()
    advisor = create_user("advisor", platform)
    person = create_amie_beneficiary(platform)
    other = create_amie_beneficiary(platform)
    day = local_today()
    ride = fleet.create_ride(advisor, driver_kind="volunteer", driver_name="Jean Volant",
                             origin="Beausoleil", destination="Monaco Fontvieille",
                             departure_time=time(6, 40), seats=3, valid_from=day,
                             weekdays=range(7))
    fleet.book_seats(advisor, ride, beneficiary_id=person.id, dates=[day + timedelta(days=2)])
    fleet.book_seats(advisor, ride, beneficiary_id=other.id, dates=[day + timedelta(days=3)])
    run = fleet.create_run(advisor, name="Tournée de l'aube", run_date=day + timedelta(days=1),
                           departure_time=time(5, 30), driver_name="Rita Minibus", capacity=6,
                           stops=[{"name": "Place de la Mairie", "stop_time": time(5, 45)}])
    fleet.book_minibus_seat(advisor, run, beneficiary_id=person.id, charter_accepted=True,
                            stop_id=run.stops[0].id)
    session = people.create_workshop_session(
        advisor, title="Lire le plan du bus", starts_at=datetime.now(UTC) + timedelta(days=4))
    people.register_attendee(advisor, session, person)
    login(client, advisor)
    page = file_page(client, person)
    seats = section(page, "file-seats")
    assert "Beausoleil → Monaco Fontvieille" in seats and "06:40" in seats
    assert f"/fleet/carpool#ride-{ride.id}" in seats
    assert "Tournée de l'aube" in seats and "05:45" in seats  # the pick-up time of the stop
    assert f"/fleet/minibus#run-{run.id}" in seats
    # the soonest first: the minibus tomorrow, then the carpool in two days
    assert seats.index("Tournée de l'aube") < seats.index("Beausoleil")
    assert seats.count("data-seat-kind=") == 2  # not the other person's seat
    workshops = section(page, "file-workshops")
    assert "Lire le plan du bus" in workshops
    assert f"/people/workshops/{session.id}" in workshops and "Inscription" in workshops
    # somebody without any shows the empty states
    lonely = section(file_page(client, other), "file-workshops")
    assert "Aucun atelier." in lonely


def test_messages_to_the_person_and_their_referent_never_a_sign_in_code(app, client):
    platform = create_platform()
    advisor = create_user("advisor", platform)
    referent = create_referent(platform, first_name="Nadia", last_name="Rossi")
    person = create_amie_beneficiary(platform, referent_id=referent.id)
    other = create_amie_beneficiary(platform)
    pathway, other_pathway = person.current_pathway, other.current_pathway
    db.session.add(Referral(platform_id=platform.id, organisation_id=referent.organisation_id,
                            referent_id=referent.id, beneficiary_id=person.id,
                            pathway_id=pathway.id, first_name=person.first_name,
                            last_name=person.last_name, reason="job_found", consent=True,
                            status="accepted"))
    db.session.commit()
    enqueue_notification(kind="vehicle_replaced", key="t:replaced", recipient=person,
                         context={"vehicle": "Clio EF-123-GH", "date": local_today()})
    enqueue_notification(kind="portal_code", key="t:code", recipient=person,
                         context={"code": "482913"})
    enqueue_notification(kind="referent_feedback", key="t:feedback", recipient=referent,
                         about=("pathway", pathway.id),
                         context={"beneficiary_name": person.full_name, "summary": "RAS"})
    # the same referent, about somebody else: not on this file
    enqueue_notification(kind="referent_feedback", key="t:feedback-other", recipient=referent,
                         about=("pathway", other_pathway.id),
                         context={"beneficiary_name": other.full_name, "summary": "RAS"})
    # the prescriber standing in for a referent is told about the pathway; an advisor's
    # reminder about the person's rental is staff business, not a message to their side
    prescriber = create_user("prescriber", platform, full_name="Paul Prescripteur")
    enqueue_notification(kind="referent_feedback", key="t:feedback-prescriber",
                         recipient=prescriber, about=("pathway", pathway.id),
                         context={"beneficiary_name": person.full_name, "summary": "RAS"})
    rental = create_rental(create_vehicle(create_site(platform)), person)
    enqueue_notification(kind="rental_overdue", key="t:staff", recipient=advisor,
                         about=("rental", rental.id), context={})
    enqueue_notification(kind="rental_overdue", key="t:referent-rental", recipient=referent,
                         about=("rental", rental.id), context={})
    db.session.commit()
    lines = messages_about_person(person)
    assert sorted((line.message.kind, line.message.recipient_type) for line in lines) == [
        ("referent_feedback", "referent"), ("referent_feedback", "user"),
        ("rental_overdue", "referent"), ("vehicle_replaced", "beneficiary")]
    login(client, advisor)
    messages = section(file_page(client, person), "file-messages")
    assert "Votre véhicule de remplacement : Clio EF-123-GH" in messages.replace("\u202f", " ")
    assert "La personne" in messages and "Nadia Rossi" in messages
    assert person.full_name in messages  # the referent's subject names the person
    assert other.full_name not in messages
    assert "482913" not in messages and "Code de connexion" not in messages
    assert "Paul Prescripteur" in messages
    assert messages.count("data-message=") == 4
