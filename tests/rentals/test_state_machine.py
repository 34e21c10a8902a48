"""Random sequences of the rental's transitions, for several people and vehicles, keep the
rules after every step (hypothesis `RuleBasedStateMachine`, service level, SQLite):

- a rental in progress was handed over with its current contract signed, the deposit held (or
  an exemption, or none due) and the licence its class needs, and keeps a signed contract and
  its deposit;
- a person's AMIE months stay within the limit;
- each ledger adds up: balance = payments - charges, the charges and payments as stored;
- no two rentals of a vehicle (not cancelled) overlap;
- a refused step (`DomainError`) changed nothing.

Time moves forward by whole days (time-machine), so returns come late, checkpoints fall due
and periods run out. The run is derandomised: CI explores the same sequences every time.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import time_machine
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from fleet import services as fleet
from fleet.models import MaintenanceJob, Rental, Vehicle
from mobility.checkpoints import services as checkpoints
from mobility.contracts.models import RentalContract
from mobility.contracts.services import contract_is_current
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import DomainError
from mobility.payments import services as payments
from mobility.payments.models import Payment
from mobility.people import services as people
from mobility.platforms.models import Platform
from mobility.pricing import services as pricing
from mobility.pricing.models import RentalTerms
from mobility.rentals import lifecycle, rules
from tests.factories import create_beneficiary, create_site, create_user, create_vehicle
from tests.fleet.helpers import good_checklist
from tests.rentals.world import iso, licence, snapshot

#: a Monday morning in Paris
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
#: what every run did, summed over the examples (to check the sequences went deep enough)
OUTCOMES: Counter = Counter()

index = st.integers(min_value=0, max_value=1_000)


def has(*statuses: str):
    """Precondition: the platform has a rental in one of these states."""
    return precondition(lambda machine: any(
        status in statuses for status in machine.statuses().values()))


class RentalLife(RuleBasedStateMachine):
    """One platform, five people, eight vehicles, and the lifecycle's transitions."""

    def __init__(self):
        super().__init__()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        site = create_site()
        self.platform = db.session.get(Platform, site.platform_id)
        self.advisor = create_user("advisor", self.platform, password=None)
        self.manager = create_user("fleet_manager", self.platform, password=None)
        adult_with_contract = {"employment_kind": "job", "contract_type": "permanent",
                               "contract_start": date(2025, 9, 1),
                               "resources_band": "600_1000"}
        self.people = [
            create_beneficiary(self.platform, ready=True, **adult_with_contract),  # AMIE, B
            create_beneficiary(self.platform, ready=True),  # B, not AMIE (no contract)
            create_beneficiary(self.platform, licences=[], ready=True),  # bikes only
            create_beneficiary(self.platform, birth_date=date(2009, 5, 1),
                               licences=[licence("AM", "2024-06-01")], ready=True),  # 16, AM
            create_beneficiary(self.platform, licences=[licence("B")],
                               birth_date=date(1990, 1, 1)),  # no pathway
        ]
        self.vehicles = [
            create_vehicle(site, kind="car"), create_vehicle(site, kind="car"),
            create_vehicle(site, kind="car",
                           insurance_expires_on=local_today() + timedelta(days=20)),
            create_vehicle(site, kind="scooter"), create_vehicle(site, kind="scooter",
                                                                 engine_cc=125),
            create_vehicle(site, kind="moped"), create_vehicle(site, kind="bike"),
            create_vehicle(site, kind="e_bike"),
        ]
        self.rental_ids: list[int] = []
        self._statuses: dict[int, str] | None = None
        #: rentals whose hand-over was checked right after it succeeded
        self.verified_hand_overs: set[int] = set()

    def teardown(self):
        db.session.rollback()
        self.traveller.stop()

    # -- helpers ---------------------------------------------------------------------------

    def attempt(self, name: str, step, *args, **kwargs):
        """Run one transition; a refusal is an expected outcome that must change nothing."""
        before = snapshot()
        self._statuses = None
        try:
            result = step(*args, **kwargs)
        except DomainError as error:
            db.session.rollback()  # what the API's error handler does
            assert snapshot() == before, f"{name} refused ({error.code}) but changed data"
            OUTCOMES[f"{name}: {error.code}"] += 1
            event(f"{name}: {error.code}")
            result = None
        else:
            OUTCOMES[f"{name}: done"] += 1
            event(f"{name}: done")
        self._statuses = None
        return result

    def statuses(self) -> dict[int, str]:
        """Each rental's status (one query, kept until the next step)."""
        if self._statuses is None:
            self._statuses = dict(db.session.execute(select(Rental.id, Rental.status).where(
                Rental.platform_id == self.platform.id)).all())
        return self._statuses

    def rentals_in(self, *statuses: str) -> list[Rental]:
        return [db.session.get(Rental, rental_id) for rental_id, status in
                sorted(self.statuses().items()) if not statuses or status in statuses]

    def pick(self, items: list, number: int):
        return items[number % len(items)]

    def odometer(self, rental: Rental, more_km: int) -> int:
        """A reading above every earlier one of the vehicle and the rental."""
        readings = [rental.vehicle.odometer_km]
        last = checkpoints.last_reading(rental)
        if last is not None:
            readings.append(last.odometer_km)
        return max(readings) + more_km

    # -- the lifecycle's steps (each refused or done; `attempt` records which) -------------

    def sign(self, rental: Rental) -> None:
        self.attempt("sign", lifecycle.sign_contract, self.advisor, rental,
                     signer_name=rental.beneficiary.full_name, accepted=True)

    def take_deposit(self, rental: Rental, exempt: bool) -> None:
        if exempt:
            self.attempt("exempt_deposit", lifecycle.exempt_deposit, self.advisor, rental,
                         reason="Caution prise en charge par la Mission locale")
        else:
            self.attempt("take_deposit", lifecycle.take_deposit, self.advisor, rental,
                         method="cheque", reference="CHQ")

    def hand_over(self, rental: Rental, more_km: int, bad_item: str | None) -> None:
        # a failed SAFETY item (brakes, lights, tyres) is left out: lifecycle.hand_over then
        # fails with an AttributeError (fleet.services.CHECKLIST_LABELS), see test_rules.py
        checklist = good_checklist(rental.vehicle.kind)
        if bad_item in checklist:
            checklist[bad_item] = False
        done = self.attempt("hand_over", lifecycle.hand_over, self.manager, rental,
                            odometer_km=self.odometer(rental, more_km), checklist=checklist)
        if done is not None:
            self.verify_hand_over(rental.id)

    def verify_hand_over(self, rental_id: int) -> None:
        """Right after a hand-over: everything it needs was there."""
        rental = db.session.get(Rental, rental_id)
        assert rental.status == "in_progress"
        assert contract_is_current(rental)
        assert rules.check_deposit(rental) is None
        assert rules.check_licence(rental.beneficiary, rental.vehicle, start=local_today(),
                                   end=rental.end_date) is None
        assert rules.check_open_pathway(rental.beneficiary) is None
        self.verified_hand_overs.add(rental.id)

    def checkpoint(self, rental: Rental, more_km: int, pay_due: bool) -> None:
        arrears = payments.ledger(rental)["arrears_cents"]
        self.attempt("checkpoint", checkpoints.record_checkpoint, self.advisor, rental,
                     day=local_today(), odometer_km=self.odometer(rental, more_km), condition={},
                     payment={"amount_cents": arrears, "method": "cash"}
                     if pay_due and arrears else None, send_to_referent=False)

    def take_back(self, rental: Rental, more_km: int, damage: bool) -> None:
        self.attempt("take_back", lifecycle.take_back, self.manager, rental,
                     odometer_km=self.odometer(rental, more_km),
                     checklist=good_checklist(rental.vehicle.kind),
                     damage_notes="Rétroviseur rayé" if damage else None,
                     open_maintenance=damage)

    def settle(self, rental: Rental, kept: int) -> None:
        self.attempt("settle", lifecycle.settle, self.advisor, rental, kept_cents=kept,
                     damage_note="Rétroviseur à remplacer" if kept else None)

    # -- rules -------------------------------------------------------------------------------

    @initialize(scheme=st.sampled_from(["bougez", "amie"]), days=st.integers(1, 60))
    def first_bookings(self, scheme, days):
        """A car for the AMIE-eligible person and a moped for the 16-year-old, from today."""
        for person, vehicle, plan in ((0, 0, scheme), (3, 5, "bougez")):
            self.book(person, vehicle, 0, days, plan, False)

    @rule(person=index, vehicle=index, start_in=st.sampled_from([0, 0, 1, 5, 12]),
          days=st.integers(1, 75), scheme=st.sampled_from(["bougez", "bougez", "amie"]),
          second_reason=st.booleans())
    def book(self, person, vehicle, start_in, days, scheme, second_reason):
        start = local_today() + timedelta(days=start_in)
        rental = self.attempt(
            "book", lifecycle.book, self.advisor, beneficiary_id=self.pick(self.people, person).id,
            vehicle_id=self.pick(self.vehicles, vehicle).id, start=start,
            end=start + timedelta(days=days), scheme=scheme,
            overrides=lifecycle.BookingOverrides(
                second_vehicle="Deux emplois, horaires décalés" if second_reason else None))
        if rental is not None:
            self.rental_ids.append(rental.id)

    @has("booked", "in_progress", "returned")
    @rule(which=index, choices=st.lists(st.integers(0, 2), min_size=1, max_size=4),
          exempt=st.booleans(), more_km=st.integers(0, 600),
          bad_item=st.sampled_from([None, None, "helmet", "documents", "lock"]),
          pay_due=st.booleans(), back=st.booleans(), damage=st.booleans(),
          kept=st.sampled_from([0, 0, 2500, 40000]))
    def advance(self, which, choices, exempt, more_km, bad_item, pay_due, back, damage, kept):
        """A few steps of one rental (the invariants are checked after each): before the
        hand-over, what is still missing (contract, deposit) in any order, or the hand-over
        tried at once; then checkpoint or take back; then settle."""
        rental_id = self.pick(self.rentals_in("booked", "in_progress", "returned"), which).id
        for number, choice in enumerate(choices):
            if number:
                self.check_all()
            rental = db.session.get(Rental, rental_id)
            if rental.status == "booked":
                options = []
                if not contract_is_current(rental):
                    options.append(self.sign)
                if rules.check_deposit(rental) is not None:
                    options.append(lambda r: self.take_deposit(r, exempt))
                options.append(lambda r: self.hand_over(r, more_km % 30, bad_item))
                self.pick(options, choice)(rental)
            elif rental.status == "in_progress":
                if back:
                    self.take_back(rental, more_km, damage)
                else:
                    self.checkpoint(rental, more_km, pay_due)
                    back = True  # the next step brings it back
            elif rental.status == "returned":
                self.settle(rental, kept)
            else:
                break

    @has("booked")
    @rule(which=index, scheme=st.sampled_from(["bougez", "amie"]))
    def change_scheme(self, which, scheme):
        rental = self.pick(self.rentals_in("booked"), which)
        self.attempt("change_scheme", lifecycle.change_scheme, self.advisor, rental, scheme)

    @has("booked", "in_progress", "returned")
    @rule(which=index, amount=st.integers(1, 5000))
    def pay(self, which, amount):
        rental = self.pick(self.rentals_in("booked", "in_progress", "returned"), which)
        self.attempt("pay", payments.record_payment, self.advisor, rental, amount_cents=amount,
                     method="cash", paid_on=local_today())

    @has("booked", "in_progress")
    @rule(which=index, days=st.integers(-10, 45).filter(bool))
    def change_end(self, which, days):
        """Extend (days > 0) or shorten (days < 0) the planned return."""
        rental = self.pick(self.rentals_in("booked", "in_progress"), which)
        step = lifecycle.extend if days > 0 else lifecycle.shorten
        self.attempt("extend" if days > 0 else "shorten", step, self.advisor, rental,
                     rental.end_date + timedelta(days=days))

    @has("booked", "in_progress")
    @rule(which=index, vehicle=index, automatic=st.booleans())
    def replace(self, which, vehicle, automatic):
        rental = self.pick(self.rentals_in("booked", "in_progress"), which)
        target = None if automatic else self.pick(self.vehicles, vehicle).id
        result = self.attempt("replace", lifecycle.replace, self.manager, rental, target)
        if result is not None and result.id not in self.rental_ids:
            self.rental_ids.append(result.id)

    @has("returned")
    @rule(which=index)
    def waive_late_days(self, which):
        rental = self.pick(self.rentals_in("returned"), which)
        self.attempt("waive_late_days", lifecycle.waive_late_days, self.advisor, rental,
                     reason="Hospitalisation, prévenu le jour même")

    @has("booked")
    @rule(which=index)
    def cancel(self, which):
        rental = self.pick(self.rentals_in("booked"), which)
        self.attempt("cancel", lifecycle.cancel, self.advisor, rental)

    @precondition(lambda self: self.rental_ids)
    @rule(which=index, step=st.sampled_from(["hand_over", "take_back", "settle", "cancel",
                                             "sign", "deposit", "extend"]))
    def any_step_on_any_rental(self, which, step):
        """A step tried whatever the rental's state: refused (409) unless it fits."""
        rental = db.session.get(Rental, self.pick(self.rental_ids, which))
        kind = rental.vehicle.kind
        calls = {
            "hand_over": lambda: lifecycle.hand_over(
                self.manager, rental, odometer_km=self.odometer(rental, 0),
                checklist=good_checklist(kind)),
            "take_back": lambda: lifecycle.take_back(
                self.manager, rental, odometer_km=self.odometer(rental, 10),
                checklist=good_checklist(kind)),
            "settle": lambda: lifecycle.settle(self.advisor, rental),
            "cancel": lambda: lifecycle.cancel(self.advisor, rental),
            "sign": lambda: lifecycle.sign_contract(
                self.advisor, rental, signer_name=rental.beneficiary.full_name, accepted=True),
            "deposit": lambda: lifecycle.take_deposit(self.advisor, rental, method="cash"),
            "extend": lambda: lifecycle.extend(self.advisor, rental,
                                               rental.end_date + timedelta(days=3)),
        }
        result = self.attempt(f"any:{step}", calls[step])
        if step == "hand_over" and result is not None:
            self.verify_hand_over(rental.id)

    @precondition(lambda self: self.rental_ids)
    @rule(person=index, change=st.sampled_from(["rsa", "no_rsa", "suspend_b", "b_lapses",
                                                "restore_b"]),
          lapses_in=st.integers(0, 30))
    def file_changes(self, person, change, lapses_in):
        """The person's situation (re-prices or amends their rentals), or the B licence of
        one of the two people who hold one suspended, lapsing soon, or back in force."""
        if change in ("rsa", "no_rsa"):
            self.attempt("situation", people.update_beneficiary, self.advisor,
                         self.pick(self.people, person), {"receives_rsa": change == "rsa"})
            return
        valid_until = (iso(local_today() + timedelta(days=lapses_in))
                       if change == "b_lapses" else None)
        self.attempt("licence", people.update_beneficiary, self.advisor,
                     self.pick(self.people[:2], person), {"licences": [licence(
                         "B", suspended=change == "suspend_b", valid_until=valid_until)]})

    @precondition(lambda self: db.session.scalar(select(func.count(MaintenanceJob.id)).where(
        MaintenanceJob.platform_id == self.platform.id, MaintenanceJob.status == "open")))
    @rule()
    def repair(self):
        job = db.session.scalar(select(MaintenanceJob).where(
            MaintenanceJob.platform_id == self.platform.id, MaintenanceJob.status == "open")
            .order_by(MaintenanceJob.id).limit(1))
        self.attempt("repair", fleet.complete_maintenance_job, self.manager, job)

    @precondition(lambda self: self.rental_ids)
    @rule(days=st.integers(1, 10))
    def days_pass(self, days):
        self.clock.shift(timedelta(days=days))

    # -- invariants --------------------------------------------------------------------------

    def check_all(self) -> None:
        self.rentals_in_progress_left_as_the_rules_say()
        self.amie_months_within_the_limit()
        self.ledgers_add_up()
        self.no_vehicle_lent_twice_at_once()
        self.vehicles_out_are_rented()

    @invariant()
    def rentals_in_progress_left_as_the_rules_say(self):
        for rental in self.rentals_in("in_progress"):
            assert rental.id in self.verified_hand_overs, rental
            signed = db.session.scalar(select(func.count(RentalContract.id)).where(
                RentalContract.rental_id == rental.id, RentalContract.signed_at.is_not(None)))
            assert signed >= 1, rental
            assert rules.check_deposit(rental) is None, rental

    @invariant()
    def amie_months_within_the_limit(self):
        limit = pricing.amie_max_months(self.platform.id)
        on_amie = db.session.scalars(
            select(Rental.beneficiary_id).distinct()
            .join(RentalTerms, RentalTerms.rental_id == Rental.id)
            .where(Rental.platform_id == self.platform.id, RentalTerms.scheme == "amie"))
        for person_id in on_amie:
            assert pricing.amie_months_used(person_id) <= limit, person_id

    @invariant()
    def ledgers_add_up(self):
        for rental in self.rentals_in():
            ledger = payments.ledger(rental)  # never a 400 for a rental the rules let through
            paid = db.session.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0))
                                     .where(Payment.rental_id == rental.id,
                                            Payment.status == "succeeded"))
            charged = sum(charge["amount_cents"] for charge in ledger["charges"])
            assert all(charge["amount_cents"] >= 0 for charge in ledger["charges"]), ledger
            assert ledger["paid_cents"] == paid
            assert ledger["charged_cents"] == charged
            assert ledger["balance_cents"] == ledger["paid_cents"] - ledger["charged_cents"]
            assert ledger["arrears_cents"] == max(0, ledger["due_cents"] - paid)

    @invariant()
    def no_vehicle_lent_twice_at_once(self):
        by_vehicle: dict[int, list[Rental]] = {}
        for rental in self.rentals_in("booked", "in_progress", "returned", "closed"):
            by_vehicle.setdefault(rental.vehicle_id, []).append(rental)
        for rentals in by_vehicle.values():
            rentals.sort(key=lambda r: r.start_date)
            for first, second in zip(rentals, rentals[1:], strict=False):
                assert first.end_date <= second.start_date, (first, second)

    @invariant()
    def vehicles_out_are_rented(self):
        out = {r.vehicle_id for r in self.rentals_in("in_progress")}
        for vehicle in db.session.scalars(select(Vehicle).where(
                Vehicle.platform_id == self.platform.id)):
            if vehicle.id in out:
                assert vehicle.status == "rented", vehicle


def test_random_sequences_of_transitions_keep_the_rules(sqlite_app):
    OUTCOMES.clear()
    run_state_machine_as_test(RentalLife, settings=settings(
        max_examples=8, stateful_step_count=25, deadline=None, derandomize=True,
        database=None, suppress_health_check=[HealthCheck.too_slow]))
    # the sequences went all the way: vehicles left, came back and were settled
    assert OUTCOMES["hand_over: done"] + OUTCOMES["any:hand_over: done"] > 0, OUTCOMES
    assert OUTCOMES["take_back: done"] > 0, OUTCOMES
    assert sum(n for key, n in OUTCOMES.items() if key.endswith(": done")) > 20, OUTCOMES
    assert sum(n for key, n in OUTCOMES.items() if not key.endswith(": done")) > 5, OUTCOMES
