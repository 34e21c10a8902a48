"""People API: referrals, beneficiaries, assessments, eligibility, exits (SQLite and PostgreSQL)."""

from datetime import date, timedelta

from sqlalchemy import func, select

from mobility.audit.models import AuditEvent
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation
from mobility.people.models import (
    Beneficiary,
    MobilityAssessment,
    Pathway,
    PathwayAction,
    Referral,
)
from tests.factories import (
    create_amie_beneficiary,
    create_organisation,
    create_platform,
    create_referral,
)
from tests.people.answers import GOOD_ANSWERS, LOW_ANSWERS, referral_body


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_registers_partner_organisations(people):
    c, h = people.client, people.headers
    response = c.post("/api/v1/partner-organisations", headers=h("admin"),
                      json={"name": "CCAS de Beausoleil", "kind": "ccas"})
    assert response.status_code == 201
    assert response.get_json()["kind"] == "ccas"
    names = [o["name"] for o in c.get("/api/v1/partner-organisations",
                                      headers=h("advisor")).get_json()]
    assert "CCAS de Beausoleil" in names
    # a prescriber sees only their own organisation
    own = c.get("/api/v1/partner-organisations", headers=h("prescriber")).get_json()
    assert [o["id"] for o in own] == [people.organisation.id]


def test_organisation_bad_input_and_roles(people):
    c, h = people.client, people.headers
    before = count(PartnerOrganisation)
    bad = c.post("/api/v1/partner-organisations", headers=h("admin"),
                 json={"name": "X", "kind": "spaceport"})
    assert bad.status_code == 400 and "kind" in bad.get_json()["error"]["details"]
    duplicate = c.post("/api/v1/partner-organisations", headers=h("admin"),
                       json={"name": "Mission locale Menton", "kind": "ccas"})
    assert duplicate.status_code == 400
    forbidden = c.post("/api/v1/partner-organisations", headers=h("advisor"),
                       json={"name": "Y", "kind": "ccas"})
    assert forbidden.status_code == 403
    assert count(PartnerOrganisation) == before


def test_prescriber_refers_and_follows_the_decision(people):
    c, h = people.client, people.headers
    response = c.post("/api/v1/referrals", headers=h("prescriber"),
                      json=referral_body(organisation_id=999999))
    assert response.status_code == 201, response.get_json()
    referral = response.get_json()
    # the prescriber's own organisation is used, whatever they send
    assert referral["organisation_id"] == people.organisation.id
    assert referral["status"] == "submitted"
    assert referral["birth_date"] == "1997-02-03"
    assert "beneficiary_id" not in referral

    accepted = c.post(f"/api/v1/referrals/{referral['id']}/accept", headers=h("advisor"))
    assert accepted.status_code == 200, accepted.get_json()
    beneficiary_id = accepted.get_json()["beneficiary_id"]
    beneficiary = db.session.get(Beneficiary, beneficiary_id)
    assert beneficiary.last_name == "Garcia" and beneficiary.employer == "Café de Paris"
    assert beneficiary.open_pathway is not None
    assert beneficiary.obstacles == ["no_vehicle", "cost"]

    seen = c.get(f"/api/v1/referrals/{referral['id']}", headers=h("prescriber")).get_json()
    assert seen["status"] == "accepted"


def test_referral_bad_input_saves_nothing(people):
    c, h = people.client, people.headers
    other_platform_org = create_organisation(create_platform())
    cases = [
        (h("prescriber"), referral_body(consent=False), "consent"),
        (h("prescriber"), {k: v for k, v in referral_body().items() if k != "consent"},
         "consent"),
        (h("advisor"), referral_body(organisation_id=other_platform_org.id), "organisation_id"),
        (h("advisor"), referral_body(), "organisation_id"),
        (h("prescriber"), referral_body(birth_date=(local_today() + timedelta(days=1)).isoformat()),
         "birth_date"),
        (h("prescriber"), referral_body(contract_end="2025-01-01"), "contract_end"),
        (h("prescriber"), referral_body(reason="holiday"), "reason"),
    ]
    for headers, body, field in cases:
        response = c.post("/api/v1/referrals", headers=headers, json=body)
        assert response.status_code == 400, (field, response.get_json())
        error = response.get_json()["error"]
        assert field in error["details"], (field, error)
        assert error["messages"]["fr"] and error["messages"]["en"]
    assert count(Referral) == 0


def test_referral_accepted_twice_or_after_decline_is_a_conflict(people):
    c, h = people.client, people.headers
    referral = create_referral(people.platform, people.organisation)
    assert c.post(f"/api/v1/referrals/{referral.id}/accept", headers=h("advisor"),
                  json={}).status_code == 200
    again = c.post(f"/api/v1/referrals/{referral.id}/accept", headers=h("advisor"), json={})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "referral_already_decided"
    assert count(Beneficiary) == 1 and count(Pathway) == 1
    declined = c.post(f"/api/v1/referrals/{referral.id}/decline", headers=h("advisor"),
                      json={"reason": "Trop tard"})
    assert declined.status_code == 409


def test_declined_referral_shows_the_reason_to_the_prescriber(people):
    c, h = people.client, people.headers
    referral = create_referral(people.platform, people.organisation)
    empty = c.post(f"/api/v1/referrals/{referral.id}/decline", headers=h("advisor"),
                   json={"reason": "   "})
    assert empty.status_code == 400
    response = c.post(f"/api/v1/referrals/{referral.id}/decline", headers=h("advisor"),
                      json={"reason": "Hors territoire : orientée vers Nice."})
    assert response.status_code == 200
    seen = c.get(f"/api/v1/referrals/{referral.id}", headers=h("prescriber")).get_json()
    assert seen["status"] == "declined"
    assert seen["decline_reason"] == "Hors territoire : orientée vers Nice."
    assert count(Beneficiary) == 0


def test_accepting_a_duplicate_asks_to_link_the_existing_file(people):
    c, h = people.client, people.headers
    existing = create_amie_beneficiary(people.platform, first_name="Léa", last_name="Dupont",
                                       birth_date=date(1995, 4, 4), pathway=False)
    referral = create_referral(people.platform, people.organisation, first_name="LEA",
                               last_name="dupont", birth_date=date(1995, 4, 4))
    conflict = c.post(f"/api/v1/referrals/{referral.id}/accept", headers=h("advisor"))
    assert conflict.status_code == 409
    assert conflict.get_json()["error"]["details"]["duplicate_ids"] == [existing.id]
    assert count(Beneficiary) == 1
    linked = c.post(f"/api/v1/referrals/{referral.id}/accept", headers=h("advisor"),
                    json={"beneficiary_id": existing.id})
    assert linked.status_code == 200
    assert linked.get_json()["beneficiary_id"] == existing.id
    db.session.expire_all()
    assert db.session.get(Beneficiary, existing.id).open_pathway is not None


def test_prescriber_cannot_decide_nor_see_other_organisations(people):
    c, h = people.client, people.headers
    mine = create_referral(people.platform, people.organisation)
    theirs = create_referral(people.platform)
    foreign = create_referral(create_platform())
    assert c.post(f"/api/v1/referrals/{mine.id}/accept", headers=h("prescriber")).status_code \
        == 403
    assert c.get(f"/api/v1/referrals/{theirs.id}", headers=h("prescriber")).status_code == 403
    assert c.get(f"/api/v1/referrals/{foreign.id}", headers=h("advisor")).status_code == 404
    listed = c.get("/api/v1/referrals", headers=h("prescriber")).get_json()
    assert [r["id"] for r in listed] == [mine.id]


def beneficiary_body(**overrides):
    body = {
        "first_name": "Hugo", "last_name": "Lefèvre", "birth_date": "1994-09-09",
        "gender": "male", "phone": "0611111111", "email": "hugo@example.org",
        "address": "Avenue Aristide Briand, 06190 Roquebrune-Cap-Martin",
        "receives_rsa": True, "lives_in_qpv": False, "resources_band": "under_600",
        "licence_b_since": "2014-06-01",
        "employment": {"kind": "job", "employer": "SBM",
                       "workplace_address": "Place du Casino, Monaco",
                       "contract_type": "fixed_term", "contract_start": "2026-01-05",
                       "contract_end": "2026-09-30", "shift_start": "22:00",
                       "shift_end": "06:00"},
    }
    body.update(overrides)
    return body


def test_create_and_read_a_beneficiary_with_iso_dates(people):
    c, h = people.client, people.headers
    response = c.post("/api/v1/beneficiaries", headers=h("advisor"), json=beneficiary_body())
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["birth_date"] == "1994-09-09"
    assert data["licence_b_since"] == "2014-06-01" and data["has_licence_b"] is True
    assert data["employment"]["shift_start"] == "22:00"
    assert data["employment"]["contract_end"] == "2026-09-30"
    assert data["address"].startswith("Avenue Aristide Briand")  # stored without a geocoder
    assert data["pathway"]["status"] == "open"
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "Beneficiary", AuditEvent.action == "create")).all()
    assert len(events) == 1 and "receives_rsa" in events[0].fields
    assert "Lefèvre" not in str(events[0].fields)


def test_beneficiary_bad_input_saves_nothing(people):
    c, h = people.client, people.headers
    future = (local_today() + timedelta(days=3)).isoformat()
    cases = [
        (beneficiary_body(birth_date=future), "birth_date"),
        (beneficiary_body(licence_b_since="1990-01-01"), "licence_b_since"),
        (beneficiary_body(gender="robot"), "gender"),
        (beneficiary_body(first_name=""), "first_name"),
        (beneficiary_body(employment={"contract_start": "2026-03-01",
                                      "contract_end": "2026-02-01"}), "contract_end"),
        (beneficiary_body(unknown_field=1), "unknown_field"),
    ]
    for body, field in cases:
        response = c.post("/api/v1/beneficiaries", headers=h("advisor"), json=body)
        assert response.status_code == 400, (field, response.get_json())
        assert field in response.get_json()["error"]["details"], field
    assert count(Beneficiary) == 0 and count(Pathway) == 0


def test_duplicate_name_and_birth_date_is_refused(people):
    c, h = people.client, people.headers
    first = c.post("/api/v1/beneficiaries", headers=h("advisor"), json=beneficiary_body())
    again = c.post("/api/v1/beneficiaries", headers=h("advisor"),
                   json=beneficiary_body(first_name="hugo", last_name="LEFEVRE"))
    assert again.status_code == 409
    assert again.get_json()["error"]["details"]["duplicate_ids"] == [first.get_json()["id"]]
    assert count(Beneficiary) == 1


def test_patch_records_field_names_only(people):
    c, h = people.client, people.headers
    person = create_amie_beneficiary(people.platform)
    response = c.patch(f"/api/v1/beneficiaries/{person.id}", headers=h("advisor"),
                       json={"phone": "0699999999", "lives_in_qpv": True,
                             "employment": {"employer": "Fairmont"}})
    assert response.status_code == 200
    assert response.get_json()["employment"]["employer"] == "Fairmont"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update",
                                                       AuditEvent.object_type == "Beneficiary"))
    assert event.fields == ["employer", "lives_in_qpv", "phone"]
    bad = c.patch(f"/api/v1/beneficiaries/{person.id}", headers=h("advisor"),
                  json={"licence_b_since": "1980-01-01"})
    assert bad.status_code == 400
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).licence_b_since == date(2015, 1, 10)


def test_what_each_role_sees_of_a_file(people):
    c, h = people.client, people.headers
    person = create_amie_beneficiary(people.platform, user_id=people.users["beneficiary"].id)
    other = create_amie_beneficiary(people.platform)
    foreign = create_amie_beneficiary(create_platform())

    full = c.get(f"/api/v1/beneficiaries/{person.id}", headers=h("advisor")).get_json()
    assert full["receives_rsa"] is True and full["has_disability"] is True
    assert full["health_constraints"] == "Asthme"

    contact = c.get(f"/api/v1/beneficiaries/{person.id}", headers=h("fleet_manager")).get_json()
    assert set(contact) == {"id", "first_name", "last_name", "phone", "email"}

    own = c.get(f"/api/v1/beneficiaries/{person.id}", headers=h("beneficiary"))
    assert own.status_code == 200
    assert "has_disability" not in own.get_json() and "health_constraints" not in own.get_json()
    assert c.get(f"/api/v1/beneficiaries/{other.id}", headers=h("beneficiary")).status_code \
        == 403
    assert c.get(f"/api/v1/beneficiaries/{person.id}", headers=h("prescriber")).status_code \
        == 403
    assert c.get(f"/api/v1/beneficiaries/{person.id}/notes",
                 headers=h("prescriber")).status_code == 403
    assert c.get(f"/api/v1/beneficiaries/{foreign.id}", headers=h("advisor")).status_code == 404
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view",
                                                        AuditEvent.object_type == "Beneficiary"))
    assert len(views.all()) == 3


def test_prescriber_sees_feedback_but_never_notes_or_sensitive_fields(people):
    c, h = people.client, people.headers
    referral = create_referral(people.platform, people.organisation)
    c.post(f"/api/v1/referrals/{referral.id}/accept", headers=h("advisor"))
    db.session.expire_all()
    person_id = db.session.get(Referral, referral.id).beneficiary_id
    c.patch(f"/api/v1/beneficiaries/{person_id}", headers=h("advisor"),
            json={"receives_rsa": True, "has_disability": True})
    c.post(f"/api/v1/beneficiaries/{person_id}/notes", headers=h("advisor"),
           json={"text": "Note confidentielle sur la santé"})
    sent = c.post(f"/api/v1/beneficiaries/{person_id}/feedback", headers=h("advisor"),
                  json={"summary": "Bilan fait, atelier prévu mardi."})
    assert sent.status_code == 201
    seen = c.get(f"/api/v1/referrals/{referral.id}", headers=h("prescriber")).get_json()
    assert [f["summary"] for f in seen["feedback"]] == ["Bilan fait, atelier prévu mardi."]
    text = str(seen)
    for secret in ("receives_rsa", "has_disability", "confidentielle", "health"):
        assert secret not in text


def test_assessment_grid_lists_questions_and_allowed_answers(people):
    grid_doc = people.client.get("/api/v1/assessment-grid",
                                 headers=people.headers("prescriber")).get_json()
    keys = [s["key"] for s in grid_doc["sections"]]
    assert keys == ["travel_practices", "psychomotor", "urban", "road", "transit", "means",
                    "constraints"]
    question = grid_doc["sections"][2]["questions"][0]
    assert question["key"] == "reads_map"
    assert [a["code"] for a in question["answers"]] == ["yes", "with_help", "no"]


def test_entry_and_exit_assessments_show_the_gain(people):
    c, h = people.client, people.headers
    person = create_amie_beneficiary(people.platform)
    entry = c.post(f"/api/v1/beneficiaries/{person.id}/assessments", headers=h("advisor"),
                   json={"kind": "entry", "answers": LOW_ANSWERS,
                         "assessed_on": (local_today() - timedelta(days=20)).isoformat()})
    assert entry.status_code == 201, entry.get_json()
    data = entry.get_json()
    assert 0 <= data["mobility_potential"] <= 100
    assert set(data["sub_scores"]) == {"travel_practices", "psychomotor", "urban", "road",
                                       "transit", "means", "constraints"}
    first = data["ladder"]["levels"][0]
    assert first["level"] == "public_transport"  # urban 38: coaching first, not ruled out
    assert first["status"] == "possible_with_coaching" and first["coaching"] is True
    exit_ = c.post(f"/api/v1/beneficiaries/{person.id}/assessments", headers=h("advisor"),
                   json={"kind": "exit", "answers": GOOD_ANSWERS})
    assert exit_.status_code == 201
    result = exit_.get_json()
    assert result["gain"] == result["mobility_potential"] - data["mobility_potential"] > 0
    assert result["sub_score_gains"]["urban"] > 0
    listed = c.get(f"/api/v1/beneficiaries/{person.id}/assessments", headers=h("advisor"))
    assert [a["kind"] for a in listed.get_json()] == ["entry", "exit"]


def test_assessment_bad_input(people):
    c, h = people.client, people.headers
    person = create_amie_beneficiary(people.platform)
    url = f"/api/v1/beneficiaries/{person.id}/assessments"
    outside = c.post(url, headers=h("advisor"), json={
        "kind": "entry", "answers": {**GOOD_ANSWERS, "balance": "superb", "zodiac": "leo"}})
    assert outside.status_code == 400
    assert {"answers.balance", "answers.zodiac"} <= set(outside.get_json()["error"]["details"])
    exit_first = c.post(url, headers=h("advisor"), json={"kind": "exit",
                                                         "answers": GOOD_ANSWERS})
    assert exit_first.status_code == 409
    assert exit_first.get_json()["error"]["code"] == "exit_before_entry"
    before_pathway = c.post(url, headers=h("advisor"), json={
        "kind": "entry", "answers": GOOD_ANSWERS,
        "assessed_on": (local_today() - timedelta(days=400)).isoformat()})
    assert before_pathway.status_code == 400
    assert count(MobilityAssessment) == 0
    assert c.post(url, headers=h("advisor"), json={"kind": "entry",
                                                   "answers": GOOD_ANSWERS}).status_code == 201
    twice = c.post(url, headers=h("advisor"), json={"kind": "entry", "answers": GOOD_ANSWERS})
    assert twice.status_code == 409
    assert c.post(url, headers=h("prescriber"), json={"kind": "entry",
                                                      "answers": GOOD_ANSWERS}).status_code \
        == 403


def test_platform_settings_change_the_scoring(people):
    c, h = people.client, people.headers
    bad = c.put("/api/v1/people-settings", headers=h("admin"),
                json={"scoring": {"weights": {"urban": -5}}})
    assert bad.status_code == 400
    assert c.put("/api/v1/people-settings", headers=h("advisor"), json={}).status_code == 403
    ok = c.put("/api/v1/people-settings", headers=h("admin"), json={
        "scoring": {"weights": {"travel_practices": 0, "psychomotor": 1, "urban": 0, "road": 0,
                                "transit": 0, "means": 0, "constraints": 0}},
        "eligibility": {"amie": {"max_rental_months": 6}}})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["eligibility"]["amie"]["max_rental_months"] == 6
    person = create_amie_beneficiary(people.platform)
    result = c.post(f"/api/v1/beneficiaries/{person.id}/assessments", headers=h("advisor"),
                    json={"kind": "entry", "answers": LOW_ANSWERS}).get_json()
    assert result["mobility_potential"] == result["sub_scores"]["psychomotor"] == 100


def test_eligibility_endpoint_and_override(people):
    c, h = people.client, people.headers
    eligible = create_amie_beneficiary(people.platform)
    result = c.get(f"/api/v1/beneficiaries/{eligible.id}/eligibility?scheme=amie",
                   headers=h("advisor")).get_json()
    assert result["eligible"] is True and len(result["reasons"]) == 5

    young_driver = create_amie_beneficiary(people.platform,
                                           licence_b_since=local_today() - timedelta(days=200))
    url = f"/api/v1/beneficiaries/{young_driver.id}/eligibility"
    result = c.get(url + "?scheme=amie", headers=h("advisor")).get_json()
    assert result["eligible"] is False
    assert [r["failure"] for r in result["reasons"] if not r["met"]] == ["licence_too_recent"]
    assert c.get(url + "?scheme=nope", headers=h("advisor")).status_code == 400
    assert c.get(url + "?scheme=amie", headers=h("prescriber")).status_code == 403

    override_url = f"/api/v1/beneficiaries/{young_driver.id}/eligibility-overrides"
    short = c.post(override_url, headers=h("advisor"), json={"scheme": "amie",
                                                             "justification": "ok"})
    assert short.status_code == 400
    done = c.post(override_url, headers=h("advisor"), json={
        "scheme": "amie", "justification": "Assurance confirmée par le loueur malgré le permis "
                                           "récent ; conduite évaluée par l'auto-école."})
    assert done.status_code == 201
    after = c.get(url + "?scheme=amie", headers=h("advisor")).get_json()
    assert after["eligible"] is True and after["by_rules"] is False
    assert after["override"]["justification"].startswith("Assurance confirmée")
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.object_type == "EligibilityOverride")).fields == [
        "criteria", "expires_on", "justification", "scheme"]
    assert after["override"]["criteria"] == ["licence"]  # scoped to what failed that day


def test_exit_rules(people):
    c, h = people.client, people.headers
    person = create_amie_beneficiary(people.platform, opened_days_ago=30)
    url = f"/api/v1/beneficiaries/{person.id}/exit"
    body = {"exit_date": (local_today() - timedelta(days=31)).isoformat(),
            "reason": "solution_found",
            "solution": "own_car", "employment": "permanent"}
    before_entry = c.post(url, headers=h("advisor"), json=body)
    assert before_entry.status_code == 400
    assert "exit_date" in before_entry.get_json()["error"]["details"]
    bad_code = c.post(url, headers=h("advisor"), json={**body, "solution": "teleport"})
    assert bad_code.status_code == 400
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).open_pathway is not None
    ok = c.post(url, headers=h("advisor"), json={**body, "exit_date": local_today().isoformat()})
    assert ok.status_code == 200
    assert ok.get_json()["status"] == "exited" and ok.get_json()["exit_solution"] == "own_car"
    assert c.post(url, headers=h("advisor"), json=body).status_code == 409


def test_workshop_attendance_becomes_a_pathway_action(people):
    c, h = people.client, people.headers
    person = create_amie_beneficiary(people.platform)
    other = create_amie_beneficiary(people.platform)
    session = c.post("/api/v1/workshop-sessions", headers=h("advisor"), json={
        "title": "Lire un plan de bus", "starts_at": "2026-01-10T09:00:00+01:00",
        "capacity": 1}).get_json()
    url = f"/api/v1/workshop-sessions/{session['id']}"
    assert c.post(url + "/attendees", headers=h("advisor"),
                  json={"beneficiary_id": person.id}).status_code == 201
    full = c.post(url + "/attendees", headers=h("advisor"), json={"beneficiary_id": other.id})
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "session_full"
    marked = c.post(url + "/attendance", headers=h("advisor"),
                    json={"beneficiary_id": person.id, "status": "attended"})
    assert marked.status_code == 200
    actions = db.session.scalars(select(PathwayAction).where(PathwayAction.kind == "workshop"))
    assert [a.title for a in actions] == ["Lire un plan de bus"]
    c.post(url + "/attendance", headers=h("advisor"),
           json={"beneficiary_id": person.id, "status": "absent"})
    assert count(PathwayAction) == 0


def test_coaching_and_partner_referral_actions(people):
    c, h = people.client, people.headers
    person = create_amie_beneficiary(people.platform)
    garage = create_organisation(people.platform, kind="social_garage", name="Garage solidaire")
    url = f"/api/v1/beneficiaries/{person.id}/actions"
    assert c.post(url, headers=h("advisor"), json={"kind": "coaching",
                                                   "title": "Trajet test"}).status_code == 201
    missing = c.post(url, headers=h("advisor"), json={"kind": "partner_referral"})
    assert missing.status_code == 400
    ok = c.post(url, headers=h("advisor"), json={"kind": "partner_referral",
                                                 "partner_organisation_id": garage.id})
    assert ok.status_code == 201 and ok.get_json()["partner_organisation_id"] == garage.id


def test_feedback_and_exit_go_to_the_referent_through_the_outbox(people):
    from mobility.notifications.models import OutboxMessage
    from tests.factories import create_referent

    c, h = people.client, people.headers
    referent = create_referent(people.platform, people.organisation, email="anne@example.org")
    referral = create_referral(people.platform, people.organisation, referent_id=referent.id)
    c.post(f"/api/v1/referrals/{referral.id}/accept", headers=h("advisor"))
    db.session.expire_all()
    person_id = db.session.get(Referral, referral.id).beneficiary_id
    c.post(f"/api/v1/beneficiaries/{person_id}/feedback", headers=h("advisor"),
           json={"summary": "Bilan fait."})
    c.post(f"/api/v1/beneficiaries/{person_id}/feedback", headers=h("advisor"),
           json={"summary": "Atelier suivi."})
    exited = c.post(f"/api/v1/beneficiaries/{person_id}/exit", headers=h("advisor"), json={
        "exit_date": local_today().isoformat(), "reason": "solution_found",
        "solution": "own_car", "employment": "permanent"})
    assert exited.status_code in (200, 201), exited.get_json()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.kind, m.recipient_type, m.recipient_id) for m in messages] == [
        ("referent_feedback", "referent", referent.id),
        ("referent_feedback", "referent", referent.id),
        ("pathway_exit", "referent", referent.id)]
