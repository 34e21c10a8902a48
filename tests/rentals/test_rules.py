"""The rental's rules hold, through the API, on SQLite and PostgreSQL: each rule refuses on one
side of its boundary (status, stable code, message in French and English, nothing changed) and
lets the step through on the other."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from fleet.models import CHECKLISTS, MaintenanceJob, Rental
from mobility.audit.models import AuditEvent
from mobility.core.dates import add_months, local_today
from mobility.core.db import db
from mobility.notifications.models import OutboxMessage
from mobility.people import services as people
from mobility.pricing.models import RentalAmendment
from tests.factories import create_referent, open_pathway
from tests.fleet.helpers import good_checklist
from tests.rentals.world import (
    assert_refused,
    counts,
    iso,
    licence,
    refusal_codes,
    snapshot,
    years_before,
)


def _jump(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


# -- 1. licences and ages -------------------------------------------------------------------

def test_a_car_needs_a_b_licence(world):
    person, car = world.person(licences=[]), world.vehicle("car")
    before = snapshot()
    error = assert_refused(world.book(person, car), 422, "licence_required")
    assert error["details"]["licence_category"] == "B"
    assert snapshot() == before

    recorded = world.patch(f"/beneficiaries/{person.id}", {"licences": [licence("B")]})
    assert recorded.status_code == 200, recorded.get_json()
    assert world.book(person, car).status_code == 201


def test_a_suspended_b_licence_counts_as_none(world):
    person, car = world.person(licences=[licence("B", suspended=True)]), world.vehicle("car")
    before = snapshot()
    assert_refused(world.book(person, car), 422, "licence_required")
    assert snapshot() == before

    world.patch(f"/beneficiaries/{person.id}", {"licences": [licence("B", suspended=False)]})
    assert world.book(person, car).status_code == 201


def test_a_b_licence_must_be_valid_until_the_last_day(world):
    start = local_today()
    end = start + timedelta(days=7)
    cases = [(start - timedelta(days=1), False),  # expired yesterday
             (end - timedelta(days=2), False),  # lapses the day before the last day
             (end - timedelta(days=1), True),  # valid on the last day of the rental
             (end, True)]
    for valid_until, accepted in cases:
        person = world.person(licences=[licence("B", valid_until=iso(valid_until))])
        car = world.vehicle("car")
        before = snapshot()
        response = world.book(person, car, start=start, end=end)
        if accepted:
            assert response.status_code == 201, (valid_until, response.get_json())
        else:
            error = assert_refused(response, 422, "licence_required")
            assert error["details"]["licence_category"] == "B"
            assert snapshot() == before


def test_a_125_scooter_needs_a1_or_b_held_two_years_with_the_training(world):
    start = local_today()
    two_years = years_before(start, 2)
    cases = [
        ([licence("B", two_years + timedelta(days=1), a1_training=True)], False),  # 1 y 364 d
        ([licence("B", two_years)], False),  # two years, but no 7-hour training
        ([licence("AM", "2010-01-01")], False),
        ([licence("B", two_years, a1_training=True)], True),
        ([licence("A1", "2020-01-01")], True),
        ([licence("A2", "2020-01-01")], True),
    ]
    for licences, accepted in cases:
        person = world.person(licences=licences)
        scooter = world.vehicle("scooter", engine_cc=125)
        assert world.get(f"/vehicles/{scooter.id}").get_json()["licence_category"] == "A1"
        before = snapshot()
        response = world.book(person, scooter, start=start)
        if accepted:
            assert response.status_code == 201, (licences, response.get_json())
        else:
            error = assert_refused(response, 422, "licence_required")
            assert error["details"]["licence_category"] == "A1", licences
            assert snapshot() == before


def test_a_moped_needs_the_age_of_14_and_the_am_licence(world):
    start = local_today()
    thirteen = world.person(birth_date=years_before(start, 14) + timedelta(days=1), licences=[])
    fourteen = world.person(birth_date=years_before(start, 14), licences=[])
    moped, other_moped = world.vehicle("moped"), world.vehicle("moped")
    before = snapshot()
    error = assert_refused(world.book(thirteen, moped), 422, "too_young")
    assert error["details"]["licence_category"] == "AM"
    assert_refused(world.book(fourteen, moped), 422, "licence_required")
    assert snapshot() == before

    world.patch(f"/beneficiaries/{fourteen.id}", {"licences": [licence("AM", start)]})
    assert world.book(fourteen, moped).status_code == 201
    # the age is a legal rule: even with the licence recorded, 13 is refused
    world.patch(f"/beneficiaries/{thirteen.id}", {"licences": [licence("AM", start)]})
    before = snapshot()
    assert_refused(world.book(thirteen, other_moped), 422, "too_young")
    assert snapshot() == before


def test_a_person_born_before_1988_needs_no_licence_for_a_moped(world):
    born_1987 = world.person(birth_date=datetime(1987, 12, 31).date(), licences=[])
    born_1988 = world.person(birth_date=datetime(1988, 1, 1).date(), licences=[])
    moped = world.vehicle("moped")
    before = snapshot()
    error = assert_refused(world.book(born_1988, moped), 422, "licence_required")
    assert error["details"]["licence_category"] == "AM"
    assert snapshot() == before
    assert world.book(born_1987, moped).status_code == 201


def test_a_vehicle_shows_the_licence_it_needs_and_its_checklist(world):
    cases = [("bike", None, None), ("e_bike", None, None), ("scooter", None, "AM"),
             ("scooter", 50, "AM"), ("moped", None, "AM"), ("scooter", 125, "A1"),
             ("scooter", 300, "A2"), ("car", None, "B")]
    for index, (kind, engine_cc, category) in enumerate(cases):
        created = world.post("/vehicles", {"kind": kind, "site_id": world.site.id,
                                           "plate": f"LIC-{index}", "engine_cc": engine_cc},
                             user=world.manager)
        assert created.status_code == 201, created.get_json()
        shown = world.get(f"/vehicles/{created.get_json()['id']}")
        assert shown.status_code == 200
        assert shown.get_json()["licence_category"] == category, (kind, engine_cc)
        assert shown.get_json()["checklist"] == list(CHECKLISTS[kind])
    scooter = world.vehicle("scooter")
    patched = world.patch(f"/vehicles/{scooter.id}", {"engine_cc": 125}, user=world.manager)
    assert patched.get_json()["licence_category"] == "A1"


# -- 2. booking -------------------------------------------------------------------------------

def test_booking_needs_an_open_pathway(world):
    person, bike = world.person(), world.vehicle("bike")
    exited = world.post(f"/beneficiaries/{person.id}/exit", {
        "exit_date": iso(local_today()), "reason": "solution_found", "solution": "own_car",
        "employment": "permanent"})
    assert exited.status_code == 200, exited.get_json()
    before = snapshot()
    assert_refused(world.book(person, bike), 422, "pathway_not_open")
    assert snapshot() == before

    open_pathway(person, assessed=True)
    db.session.commit()
    assert world.book(person, bike).status_code == 201


def test_booking_needs_the_entry_assessment_or_a_written_reason(world):
    person = world.person(ready=False, referent_id=create_referent(world.platform).id,
                          obstacles=["no_vehicle"], birth_date=date(1990, 1, 1))
    open_pathway(person, assessed=False)
    db.session.commit()
    bike = world.vehicle("bike")
    before = snapshot()
    assert_refused(world.book(person, bike), 422, "assessment_missing")
    assert_refused(world.book(person, bike, no_assessment_reason="Job lundi"), 422,
                   "assessment_missing")  # 9 characters: too short
    assert_refused(world.book(person, bike, no_assessment_reason="   Job lundi    "), 422,
                   "assessment_missing")  # spaces do not count
    assert snapshot() == before

    created = world.book(person, bike, no_assessment_reason="Job lundi.")  # 10 characters
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["overrides"] == {"no_assessment": "Job lundi."}
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "override", AuditEvent.object_type == "Rental",
        AuditEvent.object_id == str(created.get_json()["id"]))).all()
    assert [event.fields for event in audit] == [["overrides.no_assessment"]]
    assert audit[0].actor_id == world.advisor.id


def test_amie_needs_the_schemes_criteria(world):
    person, car = world.person(), world.vehicle("car")  # no employment contract recorded
    before = snapshot()
    error = assert_refused(world.book(person, car, scheme="amie"), 422, "scheme_not_eligible")
    assert error["details"] == {"scheme": "amie", "failed": ["contract"]}
    assert snapshot() == before

    recorded = world.patch(f"/beneficiaries/{person.id}", {"employment": {
        "kind": "job", "contract_type": "permanent",
        "contract_start": iso(local_today() - timedelta(days=30))}})
    assert recorded.status_code == 200, recorded.get_json()
    created = world.book(person, car, scheme="amie")
    assert created.status_code == 201, created.get_json()
    assert world.balance(created.get_json()["id"])["scheme"] == "amie"


def test_an_amie_override_lifts_only_the_criteria_it_names(world):
    # a B licence of 100 days (AMIE wants more than a year) and no employment contract
    person = world.person(licences=[licence("B", local_today() - timedelta(days=100))])
    car = world.vehicle("car")
    error = assert_refused(world.book(person, car, scheme="amie"), 422, "scheme_not_eligible")
    assert error["details"]["failed"] == ["licence", "contract"]

    people.override_eligibility(world.advisor, person, scheme="amie", criteria=["contract"],
                                justification="Promesse d'embauche écrite du garage Martin")
    before = snapshot()
    error = assert_refused(world.book(person, car, scheme="amie"), 422, "scheme_not_eligible")
    assert error["details"]["failed"] == ["licence"]
    assert snapshot() == before

    people.override_eligibility(world.advisor, person, scheme="amie",
                                criteria=["contract", "licence"],
                                justification="Conduite accompagnée validée par l'auto-école")
    created = world.book(person, car, scheme="amie")
    assert created.status_code == 201, created.get_json()


def test_no_override_lifts_the_licence_rule(world):
    person = world.person(licences=[], employment_kind="job", contract_type="permanent",
                          contract_start=local_today() - timedelta(days=60))
    car = world.vehicle("car")
    people.override_eligibility(world.advisor, person, scheme="amie", criteria=["licence"],
                                justification="Permis en cours de renouvellement en préfecture")
    before = snapshot()
    error = assert_refused(world.book(person, car, scheme="amie"), 422, "licence_required")
    assert "scheme_not_eligible" not in refusal_codes(error)  # the scheme rule is lifted
    assert snapshot() == before


def test_an_expired_override_no_longer_applies(world):
    expired_person = world.person()  # no employment contract: AMIE refused by its rules
    in_force_person = world.person()
    with time_machine.travel(_jump(-1), tick=False):
        people.override_eligibility(world.advisor, expired_person, scheme="amie",
                                    expires_on=local_today(),
                                    justification="CDD de trois semaines renouvelable annoncé")
    people.override_eligibility(world.advisor, in_force_person, scheme="amie",
                                expires_on=local_today(),
                                justification="CDD de trois semaines renouvelable annoncé")
    car, other_car = world.vehicle("car"), world.vehicle("car")
    before = snapshot()
    error = assert_refused(world.book(expired_person, car, scheme="amie"), 422,
                           "scheme_not_eligible")
    assert error["details"]["failed"] == ["contract"]
    assert snapshot() == before
    # its last day: still in force
    assert world.book(in_force_person, other_car, scheme="amie").status_code == 201


def test_the_override_api_takes_its_criteria_and_its_expiry(world):
    person = world.person(licences=[licence("B", local_today() - timedelta(days=100))])
    response = world.post(f"/beneficiaries/{person.id}/eligibility-overrides", {
        "scheme": "amie", "justification": "Promesse d'embauche écrite du garage Martin",
        "criteria": ["contract"], "expires_on": iso(local_today() + timedelta(days=30))})
    assert response.status_code == 201, response.get_json()
    override = response.get_json()["override"]
    assert override["criteria"] == ["contract"]
    assert override["expires_on"] == iso(local_today() + timedelta(days=30))
    car = world.vehicle("car")
    error = assert_refused(world.book(person, car, scheme="amie"), 422, "scheme_not_eligible")
    assert error["details"]["failed"] == ["licence"]  # only the contract was lifted
    before = snapshot()
    for bad in ({"criteria": ["licence_b"]}, {"expires_on": iso(local_today() - timedelta(days=1))},
                {"justification": "Trop court"}):
        refused = world.post(f"/beneficiaries/{person.id}/eligibility-overrides", {
            "scheme": "amie", "justification": "Promesse d'embauche écrite du garage Martin",
            **bad})
        assert_refused(refused, 400, "validation_error")
    assert snapshot() == before


def test_insurance_must_cover_the_rental_until_its_return(world):
    person = world.person()
    end = local_today() + timedelta(days=7)
    short = world.vehicle("scooter", insurance_expires_on=end - timedelta(days=1))
    enough = world.vehicle("scooter", insurance_expires_on=end)
    before = snapshot()
    error = assert_refused(world.book(person, short, end=end), 422, "vehicle_not_roadworthy")
    assert error["details"]["reason"] == "insurance_expired"
    assert snapshot() == before
    rental_id = world.booked(person, enough, end=end)
    world.prepare(rental_id, person)
    # the insurance recorded later turns out shorter: the hand-over checks it again
    world.patch(f"/vehicles/{enough.id}", {"insurance_expires_on": iso(end - timedelta(days=1))},
                user=world.manager)
    items = {item["item"]: item["ok"] for item in world.get(
        f"/rentals/{rental_id}/readiness").get_json()["items"]}
    assert items["vehicle"] is False
    before = snapshot()
    assert_refused(world.check_out(rental_id, "scooter"), 422, "vehicle_not_roadworthy")
    assert snapshot() == before


def test_a_refusal_shows_its_dates_in_each_language(world):
    from babel.dates import format_date

    end = local_today() + timedelta(days=7)
    expires_on = end - timedelta(days=1)
    short = world.vehicle("scooter", insurance_expires_on=expires_on)
    error = assert_refused(world.book(world.person(), short, end=end), 422,
                           "vehicle_not_roadworthy")
    assert format_date(expires_on, "medium", locale="fr") in error["messages"]["fr"]
    assert format_date(expires_on, "medium", locale="en") in error["messages"]["en"]


def test_a_car_needs_its_technical_inspection(world):
    person = world.person()
    car = world.vehicle("car", technical_inspection_expires_on=None)
    before = snapshot()
    error = assert_refused(world.book(person, car), 422, "vehicle_not_roadworthy")
    assert error["details"]["reason"] == "technical_inspection_missing"
    assert snapshot() == before

    world.patch(f"/vehicles/{car.id}", {"technical_inspection_expires_on": iso(
        local_today() + timedelta(days=200))}, user=world.manager)
    assert world.book(person, car).status_code == 201


def test_an_open_repair_keeps_the_vehicle_from_being_booked(world):
    person, scooter = world.person(), world.vehicle("scooter")
    service = world.post(f"/vehicles/{scooter.id}/maintenance", {
        "kind": "service", "due_on": iso(local_today() + timedelta(days=60))}, user=world.manager)
    assert service.status_code == 201  # a planned service is no defect
    repair = world.post(f"/vehicles/{scooter.id}/maintenance", {
        "kind": "repair", "description": "Frein arrière qui frotte", "due_on": iso(local_today())},
        user=world.manager)
    assert repair.status_code == 201, repair.get_json()
    before = snapshot()
    error = assert_refused(world.book(person, scooter), 422, "vehicle_not_roadworthy")
    assert error["details"] == {"reason": "open_defect",
                                "maintenance_job_id": repair.get_json()["id"]}
    assert snapshot() == before

    done = world.post(f"/maintenance/{repair.get_json()['id']}/complete", {},
                      user=world.manager)
    assert done.status_code == 200
    assert world.book(person, scooter).status_code == 201


def test_a_vehicle_in_maintenance_cannot_be_booked(world):
    person, scooter = world.person(), world.vehicle("scooter")
    world.patch(f"/vehicles/{scooter.id}", {"status": "maintenance"}, user=world.manager)
    before = snapshot()
    error = assert_refused(world.book(person, scooter), 422, "vehicle_not_roadworthy")
    assert error["details"]["reason"] == "maintenance"
    assert snapshot() == before

    world.patch(f"/vehicles/{scooter.id}", {"status": "available"}, user=world.manager)
    assert world.book(person, scooter).status_code == 201


def test_one_vehicle_of_a_class_at_a_time_unless_an_advisor_writes_why(world):
    person = world.person()
    first = world.booked(person, world.vehicle("scooter"), days=7)
    moped = world.vehicle("moped")  # the same class (two-wheeler)
    before = snapshot()
    error = assert_refused(world.book(person, moped, days=7), 422, "second_vehicle")
    assert error["details"]["rental_id"] == first
    assert_refused(world.book(person, moped, days=7, second_vehicle_reason="Job lundi"), 422,
                   "second_vehicle")
    assert snapshot() == before

    assert world.book(person, world.vehicle("bike"), days=7).status_code == 201  # a cycle
    assert world.book(person, world.vehicle("scooter"), start=local_today() + timedelta(days=7),
                      days=7).status_code == 201  # right after the first one
    created = world.book(person, moped, days=7,
                         second_vehicle_reason="Deux emplois, horaires décalés")
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["overrides"] == {
        "second_vehicle": "Deux emplois, horaires décalés"}


# -- 3. AMIE -----------------------------------------------------------------------------------

def test_amie_months_count_per_person_and_the_price_goes_on(world):
    person = world.amie_person()
    start = local_today()
    second_start = add_months(start, 2)
    first = world.booked(person, world.vehicle("car"), scheme="amie", end=second_start)
    car2, car3 = world.vehicle("car"), world.vehicle("car")
    before = snapshot()
    error = assert_refused(world.book(person, car2, scheme="amie", start=second_start,
                                      end=add_months(second_start, 4)), 422, "amie_cap_reached")
    assert error["details"] == {"limit_months": 5, "used_months": 2, "requested_months": 4,
                                "latest_end": iso(add_months(second_start, 3))}
    assert snapshot() == before

    second = world.booked(person, car2, scheme="amie", start=second_start,
                          end=add_months(second_start, 2))
    extended = world.post(f"/rentals/{second}/extend",
                          {"end": iso(add_months(second_start, 3))})  # month 5: the limit
    assert extended.status_code == 200, extended.get_json()
    before = snapshot()
    assert_refused(world.post(f"/rentals/{second}/extend", {"end": iso(
        add_months(second_start, 3) + timedelta(days=1))}), 422, "amie_cap_reached")
    assert_refused(world.post(f"/rentals/{first}/extend", {"end": iso(
        add_months(start, 2) + timedelta(days=1))}), 422, "amie_cap_reached")
    # a full plan says so first, not "not eligible"
    assert_refused(world.book(person, car3, scheme="amie", start=add_months(second_start, 3),
                              end=add_months(second_start, 4)), 422, "amie_cap_reached")
    assert snapshot() == before

    # months 1-2, then 3-5: the ladder goes on from the person's count
    first_charges = [c["amount_cents"] for c in world.balance(first)["charges"]]
    assert first_charges == [0 + 1000, 10000]  # month 1 (lowest band) + membership, month 2
    ledger = world.balance(second)
    assert [c["amount_cents"] for c in ledger["charges"]] == [15000, 20000, 25000]
    assert ledger["charged_cents"] == 60000
    assert world.get(f"/rentals/{second}/contract").status_code == 200


def test_an_extension_into_a_second_vehicle_of_the_class_is_refused(world):
    person = world.person()
    scooter = world.booked(person, world.vehicle("scooter"), days=7)
    world.booked(person, world.vehicle("moped"), start=local_today() + timedelta(days=7), days=7)
    before = snapshot()
    assert_refused(world.post(f"/rentals/{scooter}/extend", {
        "end": iso(local_today() + timedelta(days=10))}), 422, "second_vehicle")
    assert snapshot() == before


def test_amie_price_follows_the_months_whatever_the_booking_order(world):
    person = world.amie_person()
    start = local_today()
    later = world.booked(person, world.vehicle("car"), scheme="amie",
                         start=add_months(start, 2), end=add_months(start, 4))
    world.booked(person, world.vehicle("car"), scheme="amie", start=start,
                 end=add_months(start, 2))
    # the later rental covers the person's months 3 and 4
    assert [c["amount_cents"] for c in world.balance(later)["charges"]] == [15000, 20000]


def test_the_membership_fee_goes_with_the_first_rental_of_the_year(world):
    person = world.person()
    later = world.booked(person, world.vehicle("bike"), start=local_today() + timedelta(days=60),
                         days=7)
    assert world.balance(later)["charged_cents"] == 7 * 100 + 1000  # bike 1 EUR/day + fee
    earlier = world.booked(person, world.vehicle("bike"), start=local_today() + timedelta(days=30),
                           days=7)
    assert world.balance(earlier)["charged_cents"] == 7 * 100 + 1000
    assert world.balance(later)["charged_cents"] == 7 * 100  # the fee moved to the first

    # a signed contract keeps its fee: an even earlier rental then owes none
    assert world.sign(earlier, person).status_code == 200
    earliest = world.booked(person, world.vehicle("bike"), days=7)
    assert world.balance(earliest)["charged_cents"] == 7 * 100
    assert world.balance(earlier)["charged_cents"] == 7 * 100 + 1000


def test_the_amie_monthly_report_always_goes_to_the_referent(world):
    amie, bougez = world.amie_person(), world.person()
    car, scooter = world.vehicle("car"), world.vehicle("scooter")
    monthly = world.booked(amie, car, scheme="amie", end=add_months(local_today(), 1))
    weekly = world.booked(bougez, scooter, days=14)
    world.handed_over(monthly, amie, "car")
    world.handed_over(weekly, bougez, "scooter")
    for rental_id, sent in ((monthly, True), (weekly, False)):
        checkpoint = world.post(f"/rentals/{rental_id}/checkpoints", {
            "date": iso(local_today()), "odometer_km": 1010, "send_to_referent": False})
        assert checkpoint.status_code == 201, checkpoint.get_json()
        assert checkpoint.get_json()["sent_to_referent"] is sent


# -- 4. contract, deposit, checklist before the hand-over -------------------------------------

def test_the_hand_over_needs_the_current_contract_signed(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=7)
    assert world.take_deposit(rental_id).status_code == 201
    before = snapshot()
    error = assert_refused(world.check_out(rental_id, "scooter"), 409, "contract_not_signed")
    assert "deposit_missing" not in refusal_codes(error)
    assert snapshot() == before

    assert world.sign(rental_id, person).status_code == 200
    # extended after signing: the new version must be signed before the hand-over
    extended = world.post(f"/rentals/{rental_id}/extend",
                          {"end": iso(local_today() + timedelta(days=10))})
    assert extended.status_code == 200, extended.get_json()
    items = {item["item"]: item for item in world.get(f"/rentals/{rental_id}/readiness")
             .get_json()["items"]}
    assert items["contract"]["ok"] is False and items["contract"]["message"]
    before = snapshot()
    assert_refused(world.check_out(rental_id, "scooter"), 409, "contract_not_signed")
    assert snapshot() == before
    contract = world.get(f"/rentals/{rental_id}/contract").get_json()
    assert (contract["version"], contract["signed"]) == (2, False)
    signed = world.sign(rental_id, person)
    assert signed.status_code == 200 and signed.get_json()["version"] == 2
    assert world.check_out(rental_id, "scooter").status_code == 200


def test_the_hand_over_needs_the_deposit_or_an_exemption(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=7)
    assert world.sign(rental_id, person).status_code == 200
    before = snapshot()
    assert_refused(world.check_out(rental_id, "scooter"), 409, "deposit_missing")
    short = world.post(f"/rentals/{rental_id}/deposit-exemption", {"reason": "Job lundi"})
    error = assert_refused(short, 400, "validation_error")
    assert "reason" in error["details"]
    assert snapshot() == before

    exempted = world.post(f"/rentals/{rental_id}/deposit-exemption",
                          {"reason": "Caution prise en charge par la Mission locale"})
    assert exempted.status_code == 200, exempted.get_json()
    assert exempted.get_json()["deposit_exemption_reason"].startswith("Caution prise")
    items = {item["item"]: item["ok"] for item in world.get(
        f"/rentals/{rental_id}/readiness").get_json()["items"]}
    assert items["deposit"] is True
    assert world.check_out(rental_id, "scooter").status_code == 200
    assert counts(snapshot())["deposits"] == 0


def test_no_exemption_once_a_deposit_is_held(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=7)
    assert world.take_deposit(rental_id).status_code == 201
    before = snapshot()
    assert_refused(world.post(f"/rentals/{rental_id}/deposit-exemption",
                              {"reason": "Caution prise en charge par la Mission locale"}),
                   409, "deposit_exists")
    assert snapshot() == before


def test_the_checklist_lists_every_item_of_the_kind(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=7)
    world.prepare(rental_id, person)
    missing = good_checklist("scooter")
    missing.pop("helmet")
    before = snapshot()
    error = assert_refused(world.check_out(rental_id, "scooter", checklist=missing), 400,
                           "checklist_incomplete")
    assert error["details"]["missing"] == ["helmet"]
    error = assert_refused(world.check_out(rental_id, "scooter", checklist={
        **good_checklist("scooter"), "wings": True}), 400, "checklist_incomplete")
    assert error["details"]["unknown"] == ["wings"]
    assert snapshot() == before

    # a non-safety item in bad order is noted, and the vehicle leaves
    out = world.check_out(rental_id, "scooter", checklist={**good_checklist("scooter"),
                                                           "mirrors": False})
    assert out.status_code == 200, out.get_json()
    assert out.get_json()["inspections"][0]["checklist"]["mirrors"] is False


def test_a_failed_safety_item_refuses_the_hand_over_and_opens_a_repair(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=7)
    world.prepare(rental_id, person)
    before = counts(snapshot())
    error = assert_refused(world.check_out(rental_id, "scooter", checklist={
        **good_checklist("scooter"), "brakes": False}), 422, "checklist_failed")
    assert error["details"]["failed"] == ["brakes"]
    after = counts(snapshot())
    assert after["fleet_maintenance_jobs"] == before["fleet_maintenance_jobs"] + 1
    assert after["fleet_inspections"] == before["fleet_inspections"]
    job = db.session.get(MaintenanceJob, error["details"]["maintenance_job_id"])
    assert (job.kind, job.status, job.vehicle_id) == ("repair", "open", scooter.id)
    assert world.get(f"/vehicles/{scooter.id}").get_json()["status"] == "maintenance"
    assert world.rental(rental_id)["status"] == "booked"
    # the vehicle cannot leave until repaired, nor be booked by someone else
    assert_refused(world.check_out(rental_id, "scooter"), 422, "vehicle_not_roadworthy")
    assert_refused(world.book(world.person(), scooter, start=local_today() + timedelta(days=8)),
                   422,
                   "vehicle_not_roadworthy")


def test_readiness_lists_what_is_missing_before_the_hand_over(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=7)
    ready = world.get(f"/rentals/{rental_id}/readiness")
    assert ready.status_code == 200
    items = {item["item"]: item for item in ready.get_json()["items"]}
    assert set(items) == {"period", "pathway", "licence", "vehicle", "contract", "deposit"}
    assert {code for code, item in items.items() if not item["ok"]} == {"contract", "deposit"}
    for item in items.values():
        assert item["label"]
        assert bool(item["message"]) is not item["ok"]
    assert world.rental(rental_id)["ready_to_hand_over"] == ready.get_json()["items"]

    world.prepare(rental_id, person)
    items = world.get(f"/rentals/{rental_id}/readiness").get_json()["items"]
    assert all(item["ok"] for item in items), items
    # a licence suspended after the booking shows, and refuses the hand-over
    world.patch(f"/beneficiaries/{person.id}", {"licences": [licence("B", suspended=True)]})
    items = {item["item"]: item for item in world.get(
        f"/rentals/{rental_id}/readiness").get_json()["items"]}
    assert items["licence"]["ok"] is False and items["licence"]["message"]
    before = snapshot()
    assert_refused(world.check_out(rental_id, "scooter"), 422, "licence_required")
    assert snapshot() == before


# -- 5. prices follow the person, late days, settle, cancel -------------------------------------

def test_a_new_situation_reprices_an_unsigned_rental(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=14)
    assert world.balance(rental_id)["charged_cents"] == 14 * 200 + 1000
    patched = world.patch(f"/beneficiaries/{person.id}", {"receives_rsa": True})
    assert patched.status_code == 200, patched.get_json()
    ledger = world.balance(rental_id)
    assert ledger["charged_cents"] == 1000  # free for RSA recipients; the membership remains
    assert counts(snapshot())["pricing_rental_amendments"] == 0


def test_a_new_situation_amends_a_signed_rental_from_the_next_week(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=21)
    assert world.sign(rental_id, person).status_code == 200
    world.patch(f"/beneficiaries/{person.id}", {"receives_rsa": True})
    amendments = db.session.scalars(select(RentalAmendment)).all()
    assert [(a.rental_id, a.effective_from, a.receives_rsa) for a in amendments] == [
        (rental_id, local_today() + timedelta(days=7), True)]
    assert [c["amount_cents"] for c in world.balance(rental_id)["charges"]] == [
        7 * 200 + 1000, 0, 0]
    contract = world.get(f"/rentals/{rental_id}/contract").get_json()
    assert (contract["version"], contract["signed"]) == (2, False)  # the amendment to sign
    assert_refused(world.check_out(rental_id, "scooter"), 409, "contract_not_signed")


def test_a_scheme_change_reprices_until_the_contract_is_signed(world):
    person, car = world.amie_person(), world.vehicle("car")
    rental_id = world.booked(person, car, end=add_months(local_today(), 1))
    assert world.balance(rental_id)["scheme"] == "bougez"
    changed = world.post(f"/rentals/{rental_id}/scheme", {"scheme": "amie"})
    assert changed.status_code == 200, changed.get_json()
    assert world.balance(rental_id)["scheme"] == "amie"
    assert world.sign(rental_id, person).status_code == 200
    before = snapshot()
    assert_refused(world.post(f"/rentals/{rental_id}/scheme", {"scheme": "bougez"}), 409,
                   "contract_signed")
    assert snapshot() == before
    # AMIE is chosen only for an eligible person
    other = world.person()
    other_rental = world.booked(other, world.vehicle("car"), days=7)
    before = snapshot()
    assert_refused(world.post(f"/rentals/{other_rental}/scheme", {"scheme": "amie"}), 422,
                   "scheme_not_eligible")
    assert snapshot() == before


def test_days_kept_after_the_return_are_charged_unless_waived(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=7)
    world.handed_over(rental_id, person, "scooter")
    with time_machine.travel(_jump(10), tick=False):
        world.forget_tokens()
        back = world.check_in(rental_id, "scooter")
        assert back.status_code == 200, back.get_json()
        assert back.get_json()["late_days"] == 3
        ledger = world.balance(rental_id)
        assert ledger["charges"][-1]["amount_cents"] == 3 * 200  # the full daily rate
        assert ledger["charged_cents"] == 7 * 200 + 1000 + 3 * 200
        before = snapshot()
        assert_refused(world.post(f"/rentals/{rental_id}/late-days/waive",
                                  {"reason": "Job lundi"}), 400, "validation_error")
        assert snapshot() == before
        waived = world.post(f"/rentals/{rental_id}/late-days/waive",
                            {"reason": "Hospitalisation, prévenu le jour même"})
        assert waived.status_code == 200, waived.get_json()
        assert waived.get_json()["late_days_waived_reason"].startswith("Hospitalisation")
        assert world.balance(rental_id)["charged_cents"] == 7 * 200 + 1000
        audit = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "override",
            AuditEvent.object_id == str(rental_id))).all()
        assert [event.fields for event in audit] == [["late_days_waived_reason"]]


def test_a_return_on_the_planned_date_has_no_late_days(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=7)
    world.handed_over(rental_id, person, "scooter")
    with time_machine.travel(_jump(7), tick=False):
        world.forget_tokens()
        back = world.check_in(rental_id, "scooter")
        assert back.status_code == 200 and back.get_json()["late_days"] == 0
        assert world.balance(rental_id)["charged_cents"] == 7 * 200 + 1000
        before = snapshot()
        assert_refused(world.post(f"/rentals/{rental_id}/late-days/waive",
                                  {"reason": "Hospitalisation, prévenu le jour même"}), 409,
                       "no_late_days")
        assert snapshot() == before


def test_settling_keeps_part_of_the_deposit_or_gives_it_back(world):
    damaged_person, fine_person = world.person(), world.person()
    damaged = world.booked(damaged_person, world.vehicle("scooter"), days=7)
    fine = world.booked(fine_person, world.vehicle("scooter"), days=7)
    world.handed_over(damaged, damaged_person, "scooter")
    world.handed_over(fine, fine_person, "scooter")
    before = snapshot()
    assert_refused(world.post(f"/rentals/{damaged}/settle", {}), 409, "not_returned")
    assert snapshot() == before
    assert world.check_in(damaged, "scooter").status_code == 200
    assert world.check_in(fine, "scooter").status_code == 200
    before = snapshot()
    assert_refused(world.post(f"/rentals/{damaged}/settle", {"kept_cents": 15001,
                                                            "damage_note": "Carénage fendu"}),
                   400, "validation_error")  # more than the deposit (150 EUR)
    assert_refused(world.post(f"/rentals/{damaged}/settle", {"kept_cents": 5000}), 400,
                   "validation_error")  # no damage described
    assert snapshot() == before

    settled = world.post(f"/rentals/{damaged}/settle",
                         {"kept_cents": 5000, "damage_note": "Carénage avant fendu"})
    assert settled.status_code == 200, settled.get_json()
    assert settled.get_json()["status"] == "closed" and settled.get_json()["closed_at"]
    deposit = world.get(f"/rentals/{damaged}/deposit").get_json()
    assert (deposit["status"], deposit["kept_cents"]) == ("kept", 5000)
    assert world.post(f"/rentals/{fine}/settle", {}).get_json()["status"] == "closed"
    assert world.get(f"/rentals/{fine}/deposit").get_json()["status"] == "released"
    before = snapshot()
    assert_refused(world.post(f"/rentals/{fine}/settle", {}), 409, "not_returned")
    assert snapshot() == before


def test_cancelling_gives_a_held_deposit_back(world):
    person = world.person()
    rental_id = world.booked(person, world.vehicle("scooter"), days=7)
    assert world.take_deposit(rental_id).status_code == 201
    cancelled = world.post(f"/rentals/{rental_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert world.get(f"/rentals/{rental_id}/deposit").get_json()["status"] == "released"
    out = world.booked(person, world.vehicle("scooter"), days=7)
    world.handed_over(out, person, "scooter")
    before = snapshot()
    assert_refused(world.post(f"/rentals/{rental_id}/cancel"), 409, "rental_not_cancellable")
    assert_refused(world.post(f"/rentals/{out}/cancel"), 409, "rental_not_cancellable")
    assert snapshot() == before


# -- 6. replacement ----------------------------------------------------------------------------

def test_a_replacement_goes_through_the_same_rules(world):
    person = world.person()  # a B licence only
    car = world.vehicle("car")
    rental_id = world.booked(person, car, days=7)
    world.prepare(rental_id, person)
    end = local_today() + timedelta(days=7)
    light_motorcycle = world.vehicle("scooter", engine_cc=125)
    uninsured_car = world.vehicle("car", insurance_expires_on=end - timedelta(days=1))
    moped = world.vehicle("moped")
    before = snapshot()
    assert_refused(world.post(f"/rentals/{rental_id}/replace",
                              {"vehicle_id": light_motorcycle.id}), 422, "licence_required")
    assert_refused(world.post(f"/rentals/{rental_id}/replace", {"vehicle_id": uninsured_car.id}),
                   422, "vehicle_not_roadworthy")
    assert snapshot() == before

    replaced = world.post(f"/rentals/{rental_id}/replace", {"vehicle_id": moped.id})
    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json()["id"] == rental_id
    assert replaced.get_json()["vehicle_id"] == moped.id
    # the moped's prices, and a contract version to sign before the new hand-over
    assert world.balance(rental_id)["charged_cents"] == 7 * 200 + 1000
    told = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "vehicle_replaced")).all()
    assert [(m.key, m.recipient_type, m.recipient_id) for m in told] == [
        (f"rental:{rental_id}:replaced:{moped.id}", "beneficiary", person.id)]
    assert told[0].context["vehicle"] and told[0].context["place"] == world.site.name
    assert_refused(world.check_out(rental_id, "moped"), 409, "contract_not_signed")
    assert world.sign(rental_id, person).status_code == 200
    assert world.check_out(rental_id, "moped").status_code == 200


def test_a_vehicle_replaced_while_out_keeps_the_person_moving(world):
    person = world.person()
    car, spare = world.vehicle("car"), world.vehicle("car")
    rental_id = world.booked(person, car, days=14)
    world.handed_over(rental_id, person, "car")
    with time_machine.travel(_jump(3), tick=False):
        world.forget_tokens()
        replaced = world.post(f"/rentals/{rental_id}/replace", {"vehicle_id": spare.id})
        assert replaced.status_code == 200, replaced.get_json()
        new = replaced.get_json()
        assert (new["replaces_rental_id"], new["vehicle_id"], new["start"]) == (
            rental_id, spare.id, iso(local_today()))
        assert world.rental(rental_id)["status"] == "returned"
        assert world.get(f"/rentals/{new['id']}/deposit").get_json()["status"] == "held"
        assert_refused(world.check_out(new["id"], "car"), 409, "contract_not_signed")
        assert world.sign(new["id"], person).status_code == 200
        out = world.check_out(new["id"], "car")
        assert out.status_code == 200, out.get_json()


def test_the_first_vehicle_is_no_longer_rented_after_a_replacement(world):
    person = world.person()
    car, spare = world.vehicle("car"), world.vehicle("car")
    rental_id = world.booked(person, car, days=14)
    world.handed_over(rental_id, person, "car")
    with time_machine.travel(_jump(2), tick=False):
        world.forget_tokens()
        assert world.post(f"/rentals/{rental_id}/replace",
                          {"vehicle_id": spare.id}).status_code == 200
        assert world.get(f"/vehicles/{car.id}").get_json()["status"] != "rented"


def test_a_vehicle_replaced_on_its_first_day_can_be_handed_over_the_same_day(world):
    person = world.person()
    car, spare = world.vehicle("car"), world.vehicle("car")
    rental_id = world.booked(person, car, days=14)
    world.handed_over(rental_id, person, "car")
    replaced = world.post(f"/rentals/{rental_id}/replace", {"vehicle_id": spare.id})
    assert replaced.status_code == 200, replaced.get_json()
    new = replaced.get_json()
    assert world.sign(new["id"], person).status_code == 200
    out = world.check_out(new["id"], "car")
    assert out.status_code == 200, out.get_json()


# -- 8. reminders ----------------------------------------------------------------------------

def test_the_first_checkpoint_is_reminded_a_week_after_the_hand_over(world):
    from mobility.scheduling.jobs.checkpoints import checkpoint_reminders
    from mobility.scheduling.runner import run_job

    person = world.person()
    rental_id = world.booked(person, world.vehicle("scooter"), days=21)
    world.handed_over(rental_id, person, "scooter")
    first = local_today() + timedelta(days=7)
    now = datetime.now(UTC)
    assert list(checkpoint_reminders(today=local_today() + timedelta(days=5), now=now)) == []
    due = list(checkpoint_reminders(today=local_today() + timedelta(days=6), now=now))
    assert [(r.key, r.about) for r in due] == [(f"rental:{rental_id}:checkpoint:{first}",
                                                ("rental", rental_id))]
    run = run_job("checkpoint_reminders", now=now + timedelta(days=6))
    assert run.status == "ok", run.error
    db.session.expire_all()
    keys = db.session.scalars(select(OutboxMessage.key).where(
        OutboxMessage.kind == "checkpoint_reminder")).all()
    assert keys == [f"rental:{rental_id}:checkpoint:{first}:beneficiary:{person.id}"]


# -- from booking to closed ----------------------------------------------------------------

def test_a_prepared_rental_goes_from_booking_to_closed(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental_id = world.booked(person, scooter, days=14)
    assert world.rental(rental_id)["status"] == "booked"
    assert world.sign(rental_id, person).status_code == 200
    assert world.take_deposit(rental_id).status_code == 201
    items = world.get(f"/rentals/{rental_id}/readiness").get_json()["items"]
    assert all(item["ok"] for item in items), items
    out = world.check_out(rental_id, "scooter", odometer_km=1000)
    assert out.status_code == 200 and out.get_json()["status"] == "in_progress"
    with time_machine.travel(_jump(7), tick=False):
        world.forget_tokens()
        checkpoint = world.post(f"/rentals/{rental_id}/checkpoints", {
            "date": iso(local_today()), "odometer_km": 1300,
            "payment": {"amount_cents": 7 * 200 + 1000, "method": "cash"},
            "condition": good_checklist("scooter")})
        assert checkpoint.status_code == 201, checkpoint.get_json()
        assert checkpoint.get_json()["arrears_cents"] == 0
    with time_machine.travel(_jump(14), tick=False):
        world.forget_tokens()
        back = world.check_in(rental_id, "scooter", odometer_km=1600)
        assert back.status_code == 200, back.get_json()
        assert (back.get_json()["status"], back.get_json()["late_days"]) == ("returned", 0)
        assert back.get_json()["mileage"]["driven_km"] == 600
        ledger = world.balance(rental_id)
        assert (ledger["charged_cents"], ledger["paid_cents"]) == (14 * 200 + 1000, 2400)
        settled = world.post(f"/rentals/{rental_id}/settle", {})
        assert settled.status_code == 200, settled.get_json()
        assert world.get(f"/rentals/{rental_id}/deposit").get_json()["status"] == "released"
        rental = world.rental(rental_id)
        assert rental["status"] == "closed" and rental["closed_at"]
        before = snapshot()
        assert_refused(world.check_out(rental_id, "scooter"), 409, "not_booked")
        assert_refused(world.post(f"/rentals/{rental_id}/cancel"), 409, "rental_not_cancellable")
        assert world.post(f"/rentals/{rental_id}/extend", {
            "end": iso(local_today() + timedelta(days=3))}).status_code == 409
        assert snapshot() == before
    assert db.session.get(Rental, rental_id).status == "closed"


def test_the_check_in_cannot_read_below_the_last_checkpoint(world):
    person, scooter = world.person(), world.vehicle("scooter")
    rental = world.booked(person, scooter, days=14)
    world.handed_over(rental, person, "scooter")  # odometer 1000 at check-out
    checkpoint = world.post(f"/rentals/{rental}/checkpoints",
                            {"date": iso(local_today()), "odometer_km": 1300})
    assert checkpoint.status_code == 201, checkpoint.get_json()
    before = snapshot()
    below = world.check_in(rental, "scooter", odometer_km=1299)
    assert below.status_code == 400
    assert "odometer_km" in below.get_json()["error"]["details"]
    assert snapshot() == before
    assert world.check_in(rental, "scooter", odometer_km=1300).status_code == 200
