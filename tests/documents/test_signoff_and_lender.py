"""The état des lieux signed off on screen (typed name, ticked box, witness, time), printed on
the PDF; the lender identity page for platform admins (the CLI's rule)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from fleet.models import CHECKLISTS, Inspection, Rental
from mobility.audit.models import AuditEvent
from mobility.core.db import db
from mobility.platforms.models import Platform
from tests.factories import create_platform, create_user, csrf_token_from, login
from tests.rentals.world import make_world

SIRET = "12345678200010"


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def web_inspection(client, rental_id: int, kind: str, *, odometer_km: int, **signoff):
    page = client.get(f"/fleet/rentals/{rental_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "odometer_km": str(odometer_km),
            "checklist": list(CHECKLISTS["car"])}
    if "name" in signoff:
        data["signoff_name"] = signoff["name"]
    if signoff.get("checked"):
        data["signoff_checked"] = "y"
    return client.post(f"/fleet/rentals/{rental_id}/{kind}", data=data,
                       content_type="multipart/form-data")


def ready_rental(client, first="Łukasz", last="Wiśniewski"):
    world = make_world(client)
    world.manager.full_name = "Marc Parc"
    db.session.commit()
    person = world.person(first_name=first, last_name=last)
    vehicle = world.vehicle("car")
    rental_id = world.booked(person, vehicle)
    world.prepare(rental_id, person)
    return world, person, rental_id


def inspections(rental_id: int) -> dict[str, Inspection]:
    db.session.expire_all()
    return {i.kind: i for i in db.session.get(Rental, rental_id).inspections}


def report(world, rental_id: int) -> str:
    response = world.get(f"/rentals/{rental_id}/inspection-report.pdf")
    assert response.status_code == 200
    return pdf_text(response.get_data())


def test_signoff_at_check_out_and_later_at_check_in_printed_on_the_pdf(app, client):
    world, person, rental_id = ready_rental(client)
    login(client, world.manager)
    # typed in capitals and without the accent: the same person
    out = web_inspection(client, rental_id, "check_out", odometer_km=1000,
                         name="  ŁUKASZ   Wisniewski ", checked=True)
    assert out.status_code == 302
    signed = inspections(rental_id)["check_out"]
    assert signed.is_signed_off and signed.signoff_witness_id == world.manager.id
    assert signed.signoff_name == "ŁUKASZ Wisniewski"
    back = web_inspection(client, rental_id, "check_in", odometer_km=1100)
    assert back.status_code == 302
    unsigned = inspections(rental_id)["check_in"]
    assert not unsigned.is_signed_off
    text = report(world, rental_id)
    assert "Validation par le bénéficiaire à l'écran" in text
    assert "« ŁUKASZ Wisniewski » saisi" in text
    assert "« J'ai vérifié l'état des lieux » coché" in text
    assert "en présence de Marc Parc" in text
    assert "non validé" in text
    # the beneficiary signs the check-in off afterwards, on the rental page
    page = client.get(f"/fleet/rentals/{rental_id}").get_data(as_text=True)
    assert 'data-testid="signoff-form-check_in"' in page
    token = csrf_token_from(page)
    done = client.post(f"/fleet/inspections/{unsigned.id}/signoff", data={
        "csrf_token": token, "signoff-signoff_name": "Łukasz Wiśniewski",
        "signoff-signoff_checked": "y"})
    assert done.status_code == 302
    assert inspections(rental_id)["check_in"].is_signed_off
    text = report(world, rental_id)
    assert "non validé" not in text and "« Łukasz Wiśniewski » saisi" in text
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.object_type == "Inspection", AuditEvent.action == "update")) is not None
    # signed once: a second sign-off changes nothing
    again = client.post(f"/fleet/inspections/{unsigned.id}/signoff", data={
        "csrf_token": token, "signoff-signoff_name": "Łukasz Wiśniewski",
        "signoff-signoff_checked": "y"})
    assert again.status_code == 303
    assert inspections(rental_id)["check_in"].signoff_name == "Łukasz Wiśniewski"


@pytest.mark.parametrize("signoff", [
    {"name": "Łukasz Wiśniewski"},                    # the box not ticked
    {"name": "", "checked": True},                    # no name typed
    {"name": "Łukasz Nowak", "checked": True},        # somebody else's name
    {"name": "Wiśniewski", "checked": True},          # the last name alone
])
def test_an_incomplete_signoff_refuses_the_hand_over_and_changes_nothing(app, client, signoff):
    world, person, rental_id = ready_rental(client)
    login(client, world.manager)
    refused = web_inspection(client, rental_id, "check_out", odometer_km=1000, **signoff)
    assert refused.status_code == 302
    assert inspections(rental_id) == {}
    db.session.expire_all()
    assert db.session.get(Rental, rental_id).status == "booked"
    page = client.get(f"/fleet/rentals/{rental_id}").get_data(as_text=True)
    assert "bénéficiaire" in page and 'class="flash flash-error"' in page


def test_signoff_access_is_the_inspections(app, client):
    world, person, rental_id = ready_rental(client, "Awa", "Ndiaye")
    login(client, world.manager)
    assert web_inspection(client, rental_id, "check_out", odometer_km=1000).status_code == 302
    inspection = inspections(rental_id)["check_out"]
    for role, platform, status in (("prescriber", world.platform, 403),
                                   ("beneficiary", world.platform, 403),
                                   ("fleet_manager", create_platform(), 404)):
        other = app.test_client()
        login(other, create_user(role, platform))
        response = other.post(f"/fleet/inspections/{inspection.id}/signoff", data={
            "csrf_token": csrf_token_from(other.get("/dashboard").get_data(as_text=True)),
            "signoff-signoff_name": "Awa Ndiaye", "signoff-signoff_checked": "y"})
        assert response.status_code == status, role
    assert not inspections(rental_id)["check_out"].is_signed_off


# -- the lender identity page -----------------------------------------------------------------

def lender_post(client, **values):
    page = client.get("/admin/lender")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "legal_name": "",
            "address": "", "siret": "", **values}
    return client.post("/admin/lender", data=data)


def test_lender_page_saves_with_the_clis_rule_and_refuses_bad_input(app, client):
    platform = create_platform()
    admin = create_user("admin", platform)
    login(client, admin)
    bad = lender_post(client, legal_name="Association Mobilité Côte d'Azur",
                      address="12 avenue de Verdun, 06500 Menton", siret="12345678200011")
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert page.count('class="error-summary"') == 1 and 'id="siret-error"' in page
    assert "Association Mobilité Côte" in page  # what was typed is kept
    empty = lender_post(client, siret=SIRET)
    assert empty.status_code == 400
    assert 'id="legal_name-error"' in empty.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Platform, platform.id).siret is None
    done = lender_post(client, legal_name=" Association   Mobilité ", address="1 rue A, Menton",
                       siret="123 456 782 00010")
    assert done.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Platform, platform.id)
    assert (saved.legal_name, saved.legal_address, saved.siret) == (
        "Association Mobilité", "1 rue A, Menton", SIRET)
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.object_type == "Platform", AuditEvent.action == "update")).fields == [
        "legal_address", "legal_name", "siret"]
    # shown again on the page, for this platform only
    assert SIRET in client.get("/admin/lender").get_data(as_text=True)
    other = create_platform()
    assert db.session.get(Platform, other.id).siret is None


@pytest.mark.parametrize(("role", "status"), [("advisor", 403), ("fleet_manager", 403),
                                              ("prescriber", 403), ("beneficiary", 403)])
def test_lender_page_is_for_platform_admins_only(app, client, role, status):
    platform = create_platform()
    login(client, create_user(role, platform))
    assert client.get("/admin/lender").status_code == status
    token = csrf_token_from(client.get("/dashboard").get_data(as_text=True))
    assert client.post("/admin/lender", data={"csrf_token": token, "legal_name": "X",
                                              "address": "Y", "siret": SIRET}).status_code \
        == status
    db.session.expire_all()
    assert db.session.get(Platform, platform.id).siret is None


def test_signoff_through_the_api_follows_the_same_rule(app, client):
    world, person, rental_id = ready_rental(client, "Chloé", "Giordano")
    body = {"odometer_km": 1000, "checklist": dict.fromkeys(CHECKLISTS["car"], True)}
    wrong = world.post(f"/rentals/{rental_id}/check-out",
                       {**body, "signoff": {"name": "Chloé Martin", "checked": True}},
                       user=world.manager)
    assert wrong.status_code == 400
    assert "signoff_name" in wrong.get_json()["error"]["details"]
    assert inspections(rental_id) == {}
    done = world.post(f"/rentals/{rental_id}/check-out",
                      {**body, "signoff": {"name": "chloe giordano", "checked": True}},
                      user=world.manager)
    assert done.status_code == 200, done.get_json()
    shown = world.rental(rental_id)["inspections"][0]["signoff"]
    assert shown["name"] == "chloe giordano" and shown["witness_id"] == world.manager.id
