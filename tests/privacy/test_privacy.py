"""Personal data: export per role, anonymisation (request and retention job), access log
retention, and least privilege across the other features' API."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mobility import create_app
from mobility.audit.models import AuditEvent
from mobility.audit.services import record_audit
from mobility.core.db import db
from mobility.payments.models import Payment
from mobility.people.models import Beneficiary, CaseNote, Pathway, Referral
from mobility.privacy import services
from mobility.privacy.models import Anonymisation
from mobility.scheduling.registry import all_jobs
from mobility.scheduling.runner import run_job
from tests.factories import (
    api_token,
    bearer,
    create_amie_beneficiary,
    create_money_rental,
    create_pathway,
    create_platform,
    create_user,
    csrf_token_from,
    login,
)
from tests.reports.year import END, START, at, create_person, create_year

PERIOD = f"start={START.isoformat()}&end={END.isoformat()}"
SENSITIVE_KEYS = {"receives_rsa", "has_disability", "health_constraints", "resources_band",
                  "obstacles"}


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _audit_count(action: str | None = None) -> int:
    query = select(func.count(AuditEvent.id))
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalar(query)


# -- export ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "advisor"])
def test_export_json_holds_everything_and_is_logged_without_values(app, client, role):
    year = create_year()
    ines = year.people[0]
    user = create_user(role, year.platform)
    response = client.get(f"/api/v1/beneficiaries/{ines.id}/export",
                          headers=bearer(api_token(client, user)))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["beneficiary"]["first_name"] == ines.first_name
    assert data["case_notes"][0]["text"] == "Situation familiale difficile"
    assert len(data["rentals"]) == 1 and data["payments"][0]["amount_cents"] == 2000
    assert len(data["referrals"]) == 1 and len(data["assessments"]) == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.object_type, event.object_id, event.actor_id) == ("Beneficiary",
                                                                      str(ines.id), user.id)
    logged = json.dumps([event.object_id, event.fields, event.object_type])
    for value in (ines.first_name, ines.last_name, ines.phone, ines.email, ines.address):
        assert value not in logged


def test_export_pdf(app, client):
    year = create_year()
    advisor = create_user("advisor", year.platform)
    response = client.get(f"/api/v1/beneficiaries/{year.people[0].id}/export?format=pdf",
                          headers=bearer(api_token(client, advisor)))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("role", ["fleet_manager", "prescriber", "beneficiary"])
def test_other_roles_may_not_export_or_anonymise(app, client, role):
    year = create_year()
    ines = year.people[0]
    user = create_user(role, year.platform)
    token = api_token(client, user)
    assert client.get(f"/api/v1/beneficiaries/{ines.id}/export",
                      headers=bearer(token)).status_code == 403
    assert client.post(f"/api/v1/beneficiaries/{ines.id}/anonymise", json={"confirm": True},
                       headers=bearer(token)).status_code == 403
    login(client, user)
    assert client.get(f"/privacy/beneficiaries/{ines.id}/export.json").status_code == 403
    assert client.get(f"/privacy/beneficiaries/{ines.id}/anonymise").status_code == 403
    assert _audit_count("export") == 0 and _audit_count("anonymise") == 0


def test_person_of_another_platform_is_not_found(app, client):
    year = create_year()
    stranger = create_user("advisor", create_platform())
    token = api_token(client, stranger)
    ines = year.people[0]
    response = client.get(f"/api/v1/beneficiaries/{ines.id}/export", headers=bearer(token))
    assert response.status_code == 404
    assert response.get_json()["error"]["messages"]["fr"]
    assert client.post(f"/api/v1/beneficiaries/{ines.id}/anonymise", json={"confirm": True},
                       headers=bearer(token)).status_code == 404
    assert _audit_count("export") == 0
    assert db.session.get(Beneficiary, ines.id).first_name == ines.first_name


def test_export_pages_for_an_advisor(app, client):
    year = create_year()
    advisor = create_user("advisor", year.platform)
    ines = year.people[0]
    login(client, advisor)
    page = client.get(f"/privacy/beneficiaries/{ines.id}")
    assert page.status_code == 200 and "export.pdf" in page.get_data(as_text=True)
    as_json = client.get(f"/privacy/beneficiaries/{ines.id}/export.json")
    assert as_json.status_code == 200 and "attachment" in as_json.headers["Content-Disposition"]
    assert json.loads(as_json.data)["beneficiary_id"] == ines.id
    assert client.get(f"/privacy/beneficiaries/{ines.id}/export.pdf").data.startswith(b"%PDF")
    assert client.get(f"/privacy/beneficiaries/{ines.id}/export.xml").status_code == 404
    assert _audit_count("export") == 2


# -- anonymisation on request ---------------------------------------------------------------

def _report(client, token) -> dict:
    report = client.get(f"/api/v1/reports/activity?{PERIOD}", headers=bearer(token)).get_json()
    report.pop("generated_at")
    return report


def test_anonymise_on_request_keeps_statistics_and_accounting(app, client):
    year = create_year()
    ines = year.people[0]
    admin = create_user("admin", year.platform)
    token = api_token(client, admin)
    before = _report(client, token)

    response = client.post(f"/api/v1/beneficiaries/{ines.id}/anonymise",
                           json={"confirm": True}, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reason"] == "request"

    db.session.expire_all()
    person = db.session.get(Beneficiary, ines.id)
    assert person.first_name == "ANONYME" and person.last_name == f"#{ines.id}"
    assert (person.phone, person.email, person.address, person.health_constraints,
            person.employer) == (None, None, None, None, None)
    assert person.birth_date == date(1990, 1, 1) and person.gender == "female"
    assert person.lives_in_qpv is True
    assert db.session.scalar(select(func.count(CaseNote.id)).where(
        CaseNote.beneficiary_id == ines.id)) == 0
    referral = db.session.scalar(select(Referral).where(Referral.beneficiary_id == ines.id))
    assert referral.first_name == "ANONYME"
    pathway = db.session.scalar(select(Pathway).where(Pathway.beneficiary_id == ines.id))
    assert pathway.exit_notes is None and pathway.exit_solution == "own_car"
    assert db.session.get(Payment, year.payments[0].id).amount_cents == 2000
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "anonymise"))
    assert event.actor_id == admin.id and event.object_id == str(ines.id)

    assert _report(client, token) == before  # statistics unchanged

    audit_before = _audit_count()
    again = client.post(f"/api/v1/beneficiaries/{ines.id}/anonymise", json={"confirm": True},
                        headers=bearer(token))
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["code"] == "already_anonymised"
    assert error["messages"] == {"fr": "Ce dossier est déjà anonymisé.",
                                 "en": "This file is already anonymised."}
    assert _audit_count() == audit_before  # nothing changed, nothing logged


@pytest.mark.parametrize("body", [{}, {"confirm": False}, {"confirm": True, "extra": 1}])
def test_anonymise_needs_a_confirmation(app, client, body):
    year = create_year()
    ines = year.people[0]
    advisor = create_user("advisor", year.platform)
    response = client.post(f"/api/v1/beneficiaries/{ines.id}/anonymise", json=body,
                           headers=bearer(api_token(client, advisor)))
    assert response.status_code == 400
    assert not services.is_anonymised(ines.id)


def test_anonymise_refused_while_pathway_or_rental_open(app, client):
    year = create_year()
    karim = year.people[1]  # open pathway
    advisor = create_user("advisor", year.platform)
    response = client.post(f"/api/v1/beneficiaries/{karim.id}/anonymise",
                           json={"confirm": True}, headers=bearer(api_token(client, advisor)))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "pathway_open"
    assert db.session.get(Beneficiary, karim.id).first_name == "Karim"
    assert _audit_count("anonymise") == 0


@pytest.mark.parametrize("status", ["booked", "in_progress"])
def test_anonymise_refused_while_a_rental_is_open(app, client, status):
    year = create_year()
    ines = year.people[0]  # pathway closed (exited)
    assert db.session.get(Beneficiary, ines.id).open_pathway is None
    name, phone = ines.first_name, ines.phone
    rental = create_money_rental(year.platform, beneficiary=ines, status=status,
                                 check_out_km=None if status == "booked" else 10000)
    advisor = create_user("advisor", year.platform)
    token = api_token(client, advisor)
    audit_before = _audit_count()
    response = client.post(f"/api/v1/beneficiaries/{ines.id}/anonymise",
                           json={"confirm": True}, headers=bearer(token))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "rental_open"
    assert error["messages"]["fr"].startswith("Une location de cette personne")
    assert error["messages"]["en"].startswith("A rental of this person is booked")
    db.session.expire_all()
    person = db.session.get(Beneficiary, ines.id)
    assert (person.first_name, person.phone) == (name, phone)
    assert not services.is_anonymised(ines.id)
    assert _audit_count() == audit_before
    # the other side of the rule: once the rental is over, the same request goes through
    db.session.get(type(rental), rental.id).status = "returned"
    db.session.commit()
    done = client.post(f"/api/v1/beneficiaries/{ines.id}/anonymise",
                       json={"confirm": True}, headers=bearer(token))
    assert done.status_code == 200, done.get_json()


def test_anonymisation_ends_the_persons_account_everywhere(app, client):
    from mobility.auth.models import ApiToken, User, UserSession
    from mobility.auth.services import set_account_active
    from mobility.portal import services as portal
    from mobility.portal.models import SignInLink

    platform = create_platform()
    # born on 1 January: the birth date kept after anonymisation (its year) still matches
    person = create_amie_beneficiary(platform, pathway=False, birth_date=date(1991, 1, 1),
                                     phone="06 11 22 33 44")
    account = create_user("beneficiary", platform=platform, email="lea@example.org")
    person.user_id = account.id
    link, link_token = SignInLink.issue(person, target_path="/dashboard")
    db.session.add(link)
    db.session.commit()
    assert login(client, account).status_code == 302
    assert client.get("/dashboard").status_code == 200
    token = api_token(app.test_client(), account)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200

    admin = create_user("admin", platform)
    services.anonymise(admin, db.session.get(Beneficiary, person.id))

    db.session.expire_all()
    user = db.session.get(User, account.id)
    assert user.active is False and user.password_hash is None
    assert client.get("/dashboard").status_code == 302  # the open session is over
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert login(app.test_client(), account).status_code == 401  # no password sign-in
    assert app.test_client().get(f"/r/{link_token}").status_code == 410  # no reminder link
    sent = []
    portal.request_code("0611223344", date(1991, 1, 1), send=lambda *a: sent.append(a))
    assert sent == []  # no one-time code either
    # revoked for good: an admin enabling the account again revives no session or token
    set_account_active(admin, user, True)
    assert client.get("/dashboard").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert db.session.scalar(select(func.count(UserSession.id)).where(
        UserSession.user_id == account.id, UserSession.revoked_at.is_(None))) == 0
    assert db.session.scalar(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == account.id, ApiToken.revoked_at.is_(None))) == 0


def test_anonymise_page_with_confirmation(app, client):
    year = create_year()
    ines = year.people[0]
    advisor = create_user("advisor", year.platform)
    login(client, advisor)
    page = client.get(f"/privacy/beneficiaries/{ines.id}/anonymise")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    refused = client.post(f"/privacy/beneficiaries/{ines.id}/anonymise",
                          data={"csrf_token": token})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer" in refused.get_data(as_text=True)
    assert not services.is_anonymised(ines.id)
    done = client.post(f"/privacy/beneficiaries/{ines.id}/anonymise",
                       data={"csrf_token": token, "confirm": "y"})
    assert done.status_code == 302
    assert services.is_anonymised(ines.id)


# -- retention ------------------------------------------------------------------------------

def test_retention_job_runs_from_the_scheduler(app, client):
    platform = create_platform()
    now = datetime(2028, 6, 1, tzinfo=UTC)
    gone = create_person(platform, first_name="Ancien", created_at=at(date(2025, 1, 1)))
    create_pathway(gone, date(2025, 1, 2), status="exited", exit_date=date(2025, 6, 1),
                   exit_reason="solution_found", exit_solution="public_transport")
    recent = create_person(platform, first_name="Récent", created_at=at(date(2025, 1, 1)))
    create_pathway(recent, date(2025, 1, 2), status="exited", exit_date=date(2027, 1, 1))
    db.session.commit()
    admin = create_user("admin", platform)
    token = api_token(client, admin)
    report_query = "start=2025-01-01&end=2025-12-31"
    before = client.get(f"/api/v1/reports/activity?{report_query}",
                        headers=bearer(token)).get_json()

    assert "privacy_anonymise_inactive" in {spec.id for spec in all_jobs()}
    assert "privacy_purge_audit_log" in {spec.id for spec in all_jobs()}
    run = run_job("privacy_anonymise_inactive", trigger="test", now=now)
    assert run.status == "ok", run.error
    assert run.summary == "1 dossier anonymisé"

    db.session.expire_all()
    assert db.session.get(Beneficiary, gone.id).first_name == "ANONYME"
    assert db.session.get(Beneficiary, recent.id).first_name == "Récent"
    record = db.session.scalar(select(Anonymisation).where(
        Anonymisation.beneficiary_id == gone.id))
    assert record.reason == "inactivity" and record.actor_id is None
    after = client.get(f"/api/v1/reports/activity?{report_query}",
                       headers=bearer(token)).get_json()
    for key in ("people", "exits", "actions", "money"):
        assert after[key] == before[key]
    again = run_job("privacy_anonymise_inactive", trigger="test", now=now)
    assert again.summary == "0 dossier anonymisé"


def test_audit_purge_keeps_the_configured_months(app):
    platform = create_platform()
    admin = create_user("admin", platform)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    for days in (10, 364, 366, 800):
        event = record_audit(admin, "view", object_type="Beneficiary", object_id=1)
        event.at = now - timedelta(days=days)
    db.session.commit()
    run = run_job("privacy_purge_audit_log", trigger="test", now=now)
    assert run.status == "ok" and run.summary == "2 entrées du journal des accès supprimées"
    ages = sorted((now - e.at).days for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view")))
    assert ages == [10, 364]


@pytest.mark.parametrize("name,value", [("AUDIT_RETENTION_DAYS", 90),
                                        ("AUDIT_RETENTION_DAYS", 400),
                                        ("RETENTION_INACTIVE_DAYS", 30)])
def test_retention_settings_are_validated_at_start(sqlite_app, name, value):
    with pytest.raises(services.ConfigurationError, match=name):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", name: value})


# -- least privilege across the other features ------------------------------------------------

def test_fleet_manager_and_prescriber_never_see_sensitive_fields(app, client):
    year = create_year()
    ines = year.people[0]
    for role in ("fleet_manager", "prescriber", "beneficiary"):
        user = create_user(role, year.platform)
        token = api_token(client, user)
        for url in (f"/api/v1/beneficiaries/{ines.id}", "/api/v1/beneficiaries",
                    f"/api/v1/rentals/{year.rentals[0].id}", "/api/v1/referrals",
                    f"/api/v1/beneficiaries/{ines.id}/assessments",
                    f"/api/v1/rentals/{year.rentals[0].id}/balance",
                    f"/api/v1/rentals/{year.rentals[0].id}/checkpoints",
                    f"/api/v1/rentals/{year.rentals[0].id}/deposit"):
            response = client.get(url, headers=bearer(token))
            if response.status_code == 200:
                body = response.get_json()
                leaked = _keys(body) & SENSITIVE_KEYS
                assert not leaked, f"{role} GET {url} shows {leaked}"
                assert '"rsa"' not in json.dumps(body), f"{role} GET {url} shows a reduction"
            else:
                assert response.status_code in (403, 404), (role, url, response.status_code)


def test_staff_with_the_need_see_the_situation(app, client):
    year = create_year()
    advisor = create_user("advisor", year.platform)
    response = client.get(f"/api/v1/beneficiaries/{year.people[0].id}",
                          headers=bearer(api_token(client, advisor)))
    assert response.status_code == 200
    assert "receives_rsa" in _keys(response.get_json())


def test_opening_a_file_is_logged(app, client):
    year = create_year()
    ines = year.people[0]
    advisor = create_user("advisor", year.platform)
    login(client, advisor)
    assert client.get(f"/people/beneficiaries/{ines.id}").status_code == 200
    views = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "view", AuditEvent.object_type == "Beneficiary")).all()
    assert [(v.actor_id, v.object_id, v.via) for v in views] == [(advisor.id, str(ines.id),
                                                                   "web")]


def test_fleet_manager_ledger_page_hides_rsa_status(app, client):
    from fleet.models import Rental

    year = create_year()
    karim = year.people[1]  # RSA recipient
    rental = Rental(platform_id=year.platform.id, vehicle_id=year.rentals[0].vehicle_id,
                    beneficiary_id=karim.id, start_date=date(2025, 7, 1),
                    end_date=date(2025, 7, 20), status="booked")
    db.session.add(rental)
    db.session.commit()
    login(client, create_user("fleet_manager", year.platform))
    page = client.get(f"/payments/rentals/{rental.id}")
    assert page.status_code in (200, 403)
    assert "RSA" not in page.get_data(as_text=True)
