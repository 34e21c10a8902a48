"""The advisor's printable summary sheet: one person's portal content, for staff of their
platform only, logged as a view."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mobility.audit.models import AuditEvent
from mobility.auth.models import User
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.platforms.models import Platform
from tests.factories import (
    create_amie_beneficiary,
    create_platform,
    create_rental,
    create_site,
    create_user,
    create_vehicle,
    login,
)


@pytest.fixture
def two_people(app):
    advisor = create_user("advisor")
    platform = db.session.get(Platform, advisor.platform_id)
    site = create_site(platform)
    people = []
    for n in range(2):
        person = create_amie_beneficiary(platform)
        vehicle = create_vehicle(site, kind="e_bike", plate=f"SHEET-{n}")
        create_rental(vehicle, person, start_date=local_today() - timedelta(days=3),
                      end_date=local_today() + timedelta(days=25), status="in_progress",
                      advisor_id=advisor.id)
        people.append(person)
    return advisor, people


def test_advisor_prints_one_persons_sheet(client, two_people):
    advisor, (person, other) = two_people
    login(client, db.session.get(User, advisor.id))
    response = client.get(f"/portal/beneficiaries/{person.id}/sheet",
                          headers={"Accept-Language": "fr"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fiche récapitulative de" in page and person.full_name in page
    assert "SHEET-0" in page and "SHEET-1" not in page and other.full_name not in page
    assert "Mon prochain point étape" in page and "Déjà payé" in page
    assert advisor.full_name in page
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.actor_id == advisor.id, AuditEvent.action == "view",
        AuditEvent.object_type == "Beneficiary", AuditEvent.object_id == str(person.id)))
    file_page = client.get(f"/people/beneficiaries/{person.id}").get_data(as_text=True)
    assert f"/portal/beneficiaries/{person.id}/sheet" in file_page


@pytest.mark.parametrize("role", ["prescriber", "fleet_manager", "beneficiary"])
def test_other_roles_cannot_print_it(client, two_people, role):
    _, (person, _) = two_people
    user = create_user(role, platform=db.session.get(Platform, person.platform_id))
    login(client, user)
    assert client.get(f"/portal/beneficiaries/{person.id}/sheet").status_code == 403


def test_another_platforms_person_is_not_found(client, two_people):
    _, (person, _) = two_people
    stranger = create_user("advisor", platform=create_platform())
    login(client, stranger)
    assert client.get(f"/portal/beneficiaries/{person.id}/sheet").status_code == 404
