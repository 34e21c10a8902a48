"""The world of the rental rules tests: a platform whose staff call the API with tokens, the
lifecycle's steps through HTTP, people and vehicles that do or do not qualify (from
`tests.factories`), and a snapshot of every table a refused step must leave as it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.platforms.models import Platform
from tests.factories import (
    api_token,
    bearer,
    create_beneficiary,
    create_site,
    create_user,
    create_vehicle,
    platform_of,
)
from tests.fleet.helpers import good_checklist

#: what a refused step must not change (whole rows are compared, not only counts)
WATCHED_TABLES = (
    "fleet_rentals", "pricing_rental_terms", "pricing_rental_amendments", "deposits",
    "rental_contracts", "fleet_maintenance_jobs", "fleet_inspections", "fleet_vehicles",
    "payments", "notification_outbox", "checkpoints", "eligibility_overrides",
)
#: large columns left out of the comparison (the PDF bytes: their hash is compared)
SKIPPED_COLUMNS = {"document"}

def snapshot() -> dict[str, list[tuple]]:
    """Every row of the watched tables, as stored (read in a fresh transaction)."""
    db.session.commit()
    out: dict[str, list[tuple]] = {}
    for name in WATCHED_TABLES:
        table = db.metadata.tables[name]
        columns = [c for c in table.columns if c.name not in SKIPPED_COLUMNS]
        out[name] = [tuple(row) for row in
                     db.session.execute(select(*columns).order_by(table.c.id)).all()]
    db.session.commit()
    return out


def counts(snap: dict[str, list[tuple]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in snap.items()}


def assert_refused(response, status: int, code: str) -> dict:
    """The refusal's shape: the HTTP status, the stable code, a message in French and in
    English (translated: the two differ). Returns the error object."""
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    error = body["error"]
    assert error["code"] == code, error
    messages = error["messages"]
    assert messages["fr"].strip() and messages["en"].strip(), messages
    assert messages["fr"] != messages["en"], messages
    return error


def refusal_codes(error: dict) -> list[str]:
    """The first refusal's code and every other one listed with it."""
    details = error.get("details") or {}
    return [error["code"]] + [item["code"] for item in details.get("also", [])]


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def licence(category: str, obtained_on: date | str | None = "2015-06-01", **extra) -> dict:
    """One licence as the API and the file store it."""
    if isinstance(obtained_on, date):
        obtained_on = obtained_on.isoformat()
    return {"category": category, "obtained_on": obtained_on,
            "valid_until": extra.pop("valid_until", None),
            "suspended": extra.pop("suspended", False),
            "a1_training": extra.pop("a1_training", False), **extra}


def iso(value: date) -> str:
    return value.isoformat()


@dataclass
class World:
    """One platform: a site, an advisor and a fleet manager signed in to the API."""

    client: Any
    platform: Platform
    site: Any
    advisor: Any
    manager: Any
    _tokens: dict[int, str] = field(default_factory=dict)

    # -- HTTP ----------------------------------------------------------------------------

    def headers(self, user=None) -> dict[str, str]:
        user = user or self.advisor
        if user.id not in self._tokens:
            self._tokens[user.id] = api_token(self.client, user)
        return bearer(self._tokens[user.id])

    def forget_tokens(self) -> None:
        """After a jump in time the tokens have expired: sign in again."""
        self._tokens.clear()

    def get(self, path: str, user=None):
        return self.client.get(f"/api/v1{path}", headers=self.headers(user))

    def post(self, path: str, json: dict | None = None, user=None):
        return self.client.post(f"/api/v1{path}", json=json if json is not None else {},
                                headers=self.headers(user))

    def patch(self, path: str, json: dict, user=None):
        return self.client.patch(f"/api/v1{path}", json=json, headers=self.headers(user))

    # -- people and vehicles ---------------------------------------------------------------

    def person(self, **overrides):
        """A person ready to book (referent, obstacle, B licence since 2015, open pathway with
        its entry assessment) unless told otherwise."""
        overrides.setdefault("ready", True)
        return create_beneficiary(self.platform, **overrides)

    def amie_person(self, **overrides):
        """A person who meets every AMIE criterion: followed, adult, B for years, a permanent
        contract, in the lowest resources band."""
        overrides.setdefault("employment_kind", "job")
        overrides.setdefault("contract_type", "permanent")
        overrides.setdefault("contract_start", local_today() - timedelta(days=60))
        overrides.setdefault("resources_band", "under_600")
        return create_beneficiary(self.platform, ready=True, **overrides)

    def vehicle(self, kind: str = "scooter", **overrides):
        return create_vehicle(self.site, kind=kind, **overrides)

    # -- the lifecycle's steps -------------------------------------------------------------

    def book(self, person, vehicle, *, start: date | None = None, days: int = 7,
             end: date | None = None, **extra):
        start = start or local_today()
        end = end or start + timedelta(days=days)
        body = {"beneficiary_id": person.id, "vehicle_id": vehicle.id, "start": iso(start),
                "end": iso(end), **extra}
        return self.post("/rentals", body)

    def booked(self, person, vehicle, **options) -> int:
        response = self.book(person, vehicle, **options)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def sign(self, rental_id: int, person):
        return self.post(f"/rentals/{rental_id}/contract/sign",
                         {"signer_name": person.full_name, "accepted": True})

    def take_deposit(self, rental_id: int):
        return self.post(f"/rentals/{rental_id}/deposit",
                         {"method": "cheque", "reference": f"CHQ-{rental_id}"})

    def prepare(self, rental_id: int, person) -> None:
        """The contract signed and the deposit held, through the API."""
        signed = self.sign(rental_id, person)
        assert signed.status_code == 200, signed.get_json()
        deposit = self.take_deposit(rental_id)
        assert deposit.status_code == 201, deposit.get_json()

    def check_out(self, rental_id: int, kind: str, *, checklist: dict | None = None,
                  odometer_km: int = 1000):
        return self.post(f"/rentals/{rental_id}/check-out",
                         {"odometer_km": odometer_km,
                          "checklist": good_checklist(kind) if checklist is None else checklist},
                         user=self.manager)

    def handed_over(self, rental_id: int, person, kind: str) -> None:
        self.prepare(rental_id, person)
        out = self.check_out(rental_id, kind)
        assert out.status_code == 200, out.get_json()
        assert out.get_json()["status"] == "in_progress"

    def check_in(self, rental_id: int, kind: str, *, odometer_km: int = 1200, **extra):
        return self.post(f"/rentals/{rental_id}/check-in",
                         {"odometer_km": odometer_km, "checklist": good_checklist(kind),
                          **extra}, user=self.manager)

    def rental(self, rental_id: int) -> dict:
        response = self.get(f"/rentals/{rental_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def balance(self, rental_id: int) -> dict:
        response = self.get(f"/rentals/{rental_id}/balance")
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def make_world(client) -> World:
    site = create_site()
    platform = platform_of(site)
    return World(client=client, platform=platform, site=site,
                 advisor=create_user("advisor", platform=platform),
                 manager=create_user("fleet_manager", platform=platform))
