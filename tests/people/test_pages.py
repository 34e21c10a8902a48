"""People pages: forms with CSRF, French labels, access per role and platform."""

from sqlalchemy import func, select

from mobility.core.db import db
from mobility.people.models import Beneficiary, MobilityAssessment, Referral
from tests.factories import (
    create_amie_beneficiary,
    create_organisation,
    create_platform,
    create_referral,
    create_user,
    csrf_token_from,
    login,
)
from tests.people.answers import GOOD_ANSWERS

FR = {"Accept-Language": "fr"}


def test_prescriber_form_refuses_a_referral_without_consent(client):
    prescriber = create_user("prescriber")
    login(client, prescriber)
    page = client.get("/people/referrals/new", headers=FR)
    assert "Fiche de liaison" in page.get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "first_name": "Ana",
            "last_name": "Lopes", "reason": "job_found", "birth_date": "1999-01-01"}
    refused = client.post("/people/referrals/new", data=data, headers=FR)
    assert refused.status_code == 400
    assert "doit accepter le partage" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Referral.id))) == 0
    sent = client.post("/people/referrals/new", data={**data, "consent": "y"}, headers=FR)
    assert sent.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert referral.organisation_id == prescriber.organisation_id


def test_advisor_accepts_and_records_an_assessment_through_the_pages(client):
    advisor = create_user("advisor")
    referral = create_referral(advisor.platform)
    login(client, advisor)
    page = client.get(f"/people/referrals/{referral.id}", headers=FR).get_data(as_text=True)
    accepted = client.post(f"/people/referrals/{referral.id}/accept",
                           data={"csrf_token": csrf_token_from(page)})
    assert accepted.status_code == 302
    person = db.session.scalar(select(Beneficiary))
    file_page = client.get(f"/people/beneficiaries/{person.id}", headers=FR)
    assert f"/people/beneficiaries/{person.id}/assessments/new?kind=entry" in file_page.get_data(
        as_text=True)
    form = client.get(f"/people/beneficiaries/{person.id}/assessments/new?kind=entry",
                      headers=FR).get_data(as_text=True)
    incomplete = client.post(f"/people/beneficiaries/{person.id}/assessments/new?kind=entry",
                             data={"csrf_token": csrf_token_from(form), "walking": "easy"},
                             headers=FR)
    assert incomplete.status_code == 400
    assert "Cette question demande une réponse" in incomplete.get_data(as_text=True)
    done = client.post(f"/people/beneficiaries/{person.id}/assessments/new?kind=entry",
                       data={"csrf_token": csrf_token_from(form), **GOOD_ANSWERS})
    assert done.status_code == 302
    assessment = db.session.scalar(select(MobilityAssessment))
    result = client.get(f"/people/assessments/{assessment.id}", headers=FR)
    assert "Transports en commun" in result.get_data(as_text=True)


def test_file_pages_follow_the_access_rules(client):
    platform = create_platform()
    person = create_amie_beneficiary(platform)
    foreign = create_amie_beneficiary(create_platform())
    advisor = create_user("advisor", platform)
    login(client, advisor)
    page = client.get(f"/people/beneficiaries/{person.id}", headers=FR).get_data(as_text=True)
    assert "Bénéficiaire du RSA" in page and "Asthme" in page
    assert client.get(f"/people/beneficiaries/{foreign.id}").status_code == 404
    for role in ("prescriber", "fleet_manager", "beneficiary"):
        other = client.application.test_client()
        login(other, create_user(role, platform))
        assert other.get(f"/people/beneficiaries/{person.id}").status_code == 403, role


def test_prescriber_page_shows_status_and_feedback_only(client):
    platform = create_platform()
    organisation = create_organisation(platform)
    prescriber = create_user("prescriber", platform, organisation_id=organisation.id)
    referral = create_referral(platform, organisation, status="declined",
                               decline_reason="Hors territoire")
    other = create_referral(platform)
    login(client, prescriber)
    page = client.get(f"/people/referrals/{referral.id}", headers=FR).get_data(as_text=True)
    assert "Refusée" in page and "Hors territoire" in page
    assert "Accepter et ouvrir le parcours" not in page
    assert client.get(f"/people/referrals/{other.id}").status_code == 403


def test_beneficiary_sees_only_their_own_file(client):
    platform = create_platform()
    user = create_user("beneficiary", platform)
    create_amie_beneficiary(platform, user_id=user.id, first_name="Zoé")
    create_amie_beneficiary(platform, first_name="Yann")
    login(client, user)
    page = client.get("/people/me", headers=FR).get_data(as_text=True)
    assert "Zoé" in page and "Yann" not in page
    assert "Asthme" not in page
