"""The person's file is the hub: their rentals with what is missing, the next checkpoint, and
booking that starts from the file or a quote and keeps the person (searched among open
pathways, never a list of everyone)."""

from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.people.models import Pathway
from tests.factories import create_beneficiary, create_site, create_user, csrf_token_from, login
from tests.rentals.world import iso


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def test_the_file_lists_rentals_with_what_is_missing_and_the_next_checkpoint(world):
    person = world.person(last_name="Wiśniewski")
    waiting = world.booked(person, world.vehicle("scooter"),
                           start=local_today() + timedelta(days=3))
    out = world.booked(person, world.vehicle("bike"), days=14)
    world.handed_over(out, person, "bike")
    login(world.client, world.advisor)
    html = _page(world.client, f"/people/beneficiaries/{person.id}")
    section = html[html.index('data-testid="file-rentals"'):]
    section = section[:section.index("</section>")]
    waiting_row = section[section.index(f'data-rental="{waiting}"'):]
    waiting_row = waiting_row[:waiting_row.index("</li>")]
    assert "Manque avant la remise" in waiting_row
    assert "non signé" in waiting_row
    out_row = section[section.index(f'data-rental="{out}"'):]
    out_row = out_row[:out_row.index("</li>")]
    assert "Manque avant la remise" not in out_row
    assert "Prochain point étape" in out_row
    assert f"/checkpoints/rentals/{out}" in out_row
    assert f"/fleet/availability?beneficiary_id={person.id}" in html


def test_booking_from_the_file_keeps_the_person(world):
    person = world.person()
    scooter = world.vehicle("scooter")
    login(world.client, world.advisor)
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=8)
    html = _page(world.client, f"/fleet/availability?beneficiary_id={person.id}&kind=scooter"
                               f"&start={iso(start)}&end={iso(end)}")
    assert 'data-testid="booking-person"' in html and person.full_name in html
    assert f'name="beneficiary_id" value="{person.id}"' in html
    assert "<select" not in html.split('data-testid="free-vehicles"')[1].split("</ul>")[0]
    booked = world.client.post("/fleet/rentals", data={
        "csrf_token": csrf_token_from(html), "beneficiary_id": person.id,
        "vehicle_id": scooter.id, "start": iso(start), "end": iso(end)})
    assert booked.status_code == 302 and "/fleet/rentals/" in booked.headers["Location"]

    # refused (the scooter is taken now): back on the same search, for the same person
    again = world.client.post("/fleet/rentals", data={
        "csrf_token": csrf_token_from(html), "beneficiary_id": person.id,
        "vehicle_id": scooter.id, "start": iso(start), "end": iso(end), "kind": "scooter"})
    assert again.status_code == 303
    query = parse_qs(urlparse(again.headers["Location"]).query)
    assert query["beneficiary_id"] == [str(person.id)] and query["kind"] == ["scooter"]


def test_the_picker_searches_only_people_with_an_open_pathway(world):
    open_person = world.person(last_name="Durandal")
    exited = world.person(last_name="Durandin")
    pathway = db.session.query(Pathway).filter_by(beneficiary_id=exited.id).one()
    pathway.status = "exited"
    db.session.commit()
    login(world.client, world.advisor)
    html = _page(world.client, "/fleet/availability?q=durand")
    found = html.split('data-testid="people-found"')[1].split("</ul>")[0]
    assert "DURANDAL" in found and "DURANDIN" not in found
    assert f"beneficiary_id={open_person.id}" in found
    # no person chosen: vehicles are listed without a booking form
    listing = _page(world.client, f"/fleet/availability?start={iso(local_today())}"
                                  f"&end={iso(local_today() + timedelta(days=3))}")
    assert 'action="/fleet/rentals"' not in listing

    # an exited person's file link says why no booking is possible
    html = _page(world.client, f"/fleet/availability?beneficiary_id={exited.id}")
    assert "pas de parcours en cours" in html.lower()


def test_a_person_of_another_platform_cannot_be_booked_for(world):
    other_site = create_site()
    from mobility.platforms.models import Platform

    stranger = create_beneficiary(db.session.get(Platform, other_site.platform_id), ready=True)
    login(world.client, world.advisor)
    assert world.client.get(f"/fleet/availability?beneficiary_id={stranger.id}"
                            ).status_code == 404
    manager_client = world.client.application.test_client()
    login(manager_client, create_user("fleet_manager", platform=world.platform))
    html = _page(manager_client, "/fleet/availability?q=a")
    assert 'data-testid="people-found"' not in html  # fleet managers do not book


def test_a_quote_books_with_its_person_kind_and_dates(world):
    person = world.person()
    login(world.client, world.advisor)
    start, end = local_today() + timedelta(days=2), local_today() + timedelta(days=9)
    html = _page(world.client, f"/pricing/quote?beneficiary_id={person.id}&kind=scooter"
                               f"&scheme=bougez&start={iso(start)}&end={iso(end)}&seats=1")
    link = html.split('data-testid="book-quote" href="')[1].split('"')[0]
    query = parse_qs(urlparse(link).query)
    assert query["beneficiary_id"] == [str(person.id)] and query["kind"] == ["scooter"]
    assert query["start"] == [iso(start)] and query["end"] == [iso(end)]
    seats = _page(world.client, f"/pricing/quote?beneficiary_id={person.id}&kind=carpool_seat"
                                f"&scheme=bougez&start={iso(start)}&seats=2")
    assert 'data-testid="book-quote"' not in seats
