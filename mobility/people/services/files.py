"""Beneficiary files: a person's data checked, created, updated (licences, geocoding), as JSON."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from fleet.licences import LicenceError, parse_licences
from mobility.audit.services import record_audit
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.organisations.models import Referent
from mobility.people import needs, signals
from mobility.people.models import (
    CONTRACT_TYPES,
    EMPLOYMENT_KINDS,
    GENDERS,
    OBSTACLES,
    RESOURCES_BANDS,
    Beneficiary,
)
from mobility.people.services.common import iso, new_pathway
from mobility.people.services.listing import stage_of
from mobility.platforms.phones import PHONE_INVALID, clean_phone, default_region, match_key

# -- geocoding ---------------------------------------------------------------------------------


def routing_in_files() -> bool:
    """Whether files are geocoded and assessments use commute feasibility (off in unit tests
    unless `GEOCODING_ENABLED` is set, so that scoring tests do not depend on the network)."""
    return bool(current_app.config.get("GEOCODING_ENABLED", not current_app.testing))


def geocode_address(text: str | None) -> tuple[float, float] | None:
    """(lat, lon) of an address through the commute feature's geocoder, or None.

    None when the text is empty, no geocoder is configured, or the address is not found: the
    address itself is always stored by the caller.
    """
    if not routing_in_files():
        return None
    return needs.geocode(text)


def feasibility_of(beneficiary: Beneficiary) -> Mapping[str, Any] | None:
    """The commute check of the person's home-work trip at their shift times
    (`{"modes", "transit"}`), for the ladder."""
    if not routing_in_files():
        return None
    return needs.commute_feasibility(beneficiary)


# -- validation of personal data ---------------------------------------------------------------

EMPLOYMENT_FIELDS = ("employment_kind", "employer", "workplace_address", "contract_type",
                     "contract_start", "contract_end", "shift_start", "shift_end", "shift_notes")
BENEFICIARY_FIELDS = (
    "first_name", "last_name", "birth_date", "gender", "phone", "email", "address",
    "receives_rsa", "lives_in_qpv", "resources_band", "has_disability", "health_constraints",
    "obstacles", "licences", "has_licence_b", "licence_b_since", *EMPLOYMENT_FIELDS,
    "membership_date", "membership_fee_paid", "referent_id",
)
#: what about a person changes the price of their rentals (`mobility.rentals.lifecycle.reprice`)
SITUATION_FIELDS = frozenset({"receives_rsa", "lives_in_qpv", "resources_band"})
_CHOICES = {"gender": GENDERS, "resources_band": RESOURCES_BANDS,
            "employment_kind": EMPLOYMENT_KINDS, "contract_type": CONTRACT_TYPES}


def check_person(values: Mapping[str, Any], *, on: date | None = None) -> dict[str, Any]:
    """Errors {field: message} of a person's data (dates in order, known codes)."""
    on = on or local_today()
    errors: dict[str, Any] = {}
    for field in ("first_name", "last_name"):
        if field in values and not (values[field] or "").strip():
            errors[field] = _l("This field is required.")
    errors.update(_check_dates(values, on))
    errors.update(_check_licences(values, on))
    if values.get("phone") and match_key(values["phone"]) is None:
        errors["phone"] = PHONE_INVALID
    start, end = values.get("contract_start"), values.get("contract_end")
    if start is not None and end is not None and end < start:
        errors["contract_end"] = _l("The contract cannot end before it starts.")
    errors.update(_check_choices(values))
    return errors


def _check_dates(values: Mapping[str, Any], on: date) -> dict[str, Any]:
    """The birth date and the B licence date: not in the future, in order."""
    errors: dict[str, Any] = {}
    birth = values.get("birth_date")
    if birth is not None:
        if birth > on:
            errors["birth_date"] = _l("The birth date cannot be in the future.")
        elif birth.year < 1900:
            errors["birth_date"] = _l("This birth date is not plausible.")
    licence = values.get("licence_b_since")
    if licence is not None:
        if licence > on:
            errors["licence_b_since"] = _l("The licence date cannot be in the future.")
        elif birth is not None and licence < birth:
            errors["licence_b_since"] = _l("The licence date cannot be before the birth date.")
    return errors


def _check_licences(values: Mapping[str, Any], on: date) -> dict[str, Any]:
    """The licence list: each entry valid, none obtained before the birth date."""
    if values.get("licences") is None:
        return {}
    birth = values.get("birth_date")
    errors: dict[str, Any] = {}
    try:
        for item in parse_licences(values["licences"], today=on):
            if birth is not None and item.obtained_on is not None and item.obtained_on < birth:
                errors["licences"] = _l("A licence cannot be obtained before the birth date.")
    except LicenceError as error:
        errors[error.field] = error.message
    return errors


def _check_choices(values: Mapping[str, Any]) -> dict[str, Any]:
    """The coded fields (gender, resources band, employment, contract, obstacles) known."""
    errors: dict[str, Any] = {}
    for field, choices in _CHOICES.items():
        if values.get(field) is not None and values[field] not in choices:
            errors[field] = _l("This value is not one of the allowed choices.")
    obstacles = values.get("obstacles")
    if obstacles is not None and any(o not in OBSTACLES for o in obstacles):
        errors["obstacles"] = _l("This value is not one of the allowed choices.")
    return errors


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).strip().lower()


def find_duplicates(platform_id: int, first_name: str, last_name: str,
                    birth_date: date | None, *, exclude_id: int | None = None) -> list[Beneficiary]:
    """Beneficiaries of the platform with the same name (accents and case ignored) and
    birth date."""
    if birth_date is None:
        return []
    candidates = db.session.scalars(select(Beneficiary).where(
        Beneficiary.platform_id == platform_id, Beneficiary.birth_date == birth_date)).all()
    return [b for b in candidates
            if b.id != exclude_id and _normal(b.first_name) == _normal(first_name)
            and _normal(b.last_name) == _normal(last_name)]


def duplicate_conflict(duplicates: list[Beneficiary]) -> Conflict:
    return Conflict(
        _l("A person with the same name and birth date already exists."),
        code="duplicate_beneficiary", details={"duplicate_ids": [b.id for b in duplicates]},
    )


def clean_values(values: Mapping[str, Any], region: str | None = None) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = value.strip() or None
        out[key] = value
    if out.get("phone"):
        # E.164 in the database; what is not a number stays as typed and `check_person` refuses it
        out["phone"] = clean_phone(out["phone"], region)
    if out.get("licence_b_since") is not None:
        out["has_licence_b"] = True
    return out


def _sync_licences(values: dict[str, Any], current: list | None = None) -> None:
    """Keep the licence list and the B shorthand (`has_licence_b`, `licence_b_since`) in step:
    a list sent sets the shorthand; the shorthand sent alone edits the list's B entry."""
    if values.get("licences") is not None:
        _shorthand_from_list(values)
    elif "has_licence_b" in values or "licence_b_since" in values:
        values["licences"] = _list_from_shorthand(values, current or [])


def _shorthand_from_list(values: dict[str, Any]) -> None:
    """The licence list sent, normalised, sets `has_licence_b` and `licence_b_since`."""
    items = [item.to_dict() for item in parse_licences(values["licences"])]
    values["licences"] = items
    b_entry = next((item for item in items if item["category"] == "B"), None)
    values["has_licence_b"] = b_entry is not None
    values["licence_b_since"] = (date.fromisoformat(b_entry["obtained_on"])
                                 if b_entry and b_entry["obtained_on"] else None)


def _list_from_shorthand(values: dict[str, Any], current: list) -> list:
    """The current list with its B entry set (or removed) from the shorthand sent."""
    items = [item for item in current if item.get("category") != "B"]
    if values.get("has_licence_b") or values.get("licence_b_since"):
        since = values.get("licence_b_since")
        previous = next((item for item in current if item.get("category") == "B"), {})
        items.append({**previous, "category": "B",
                      "obtained_on": since.isoformat() if since else None})
    return items


def _check_referent(actor, referent_id: Any) -> None:
    if referent_id is None:
        return
    referent = db.session.get(Referent, referent_id)
    if referent is None or referent.platform_id != actor.platform_id:
        raise ValidationFailed(details={"referent_id": _l("Unknown referent.")})


def locate(beneficiary: Beneficiary, changed: set[str]) -> None:
    """Geocode the addresses named in `changed` (None coordinates when not found)."""
    if "address" in changed:
        point = geocode_address(beneficiary.address)
        beneficiary.address_lat, beneficiary.address_lon = point or (None, None)
    if "workplace_address" in changed:
        point = geocode_address(beneficiary.workplace_address)
        beneficiary.workplace_lat, beneficiary.workplace_lon = point or (None, None)


def create_beneficiary(actor, values: Mapping[str, Any], *, open_pathway: bool = True,
                       allow_duplicate: bool = False) -> Beneficiary:
    """Create a beneficiary file (and open their pathway). Refuses a duplicate (409)."""
    values = clean_values({k: v for k, v in values.items() if k in BENEFICIARY_FIELDS},
                    default_region(actor.platform_id))
    for field in ("first_name", "last_name"):
        values.setdefault(field, None)
    errors = check_person(values)
    if errors:
        raise ValidationFailed(details=errors)
    _check_referent(actor, values.get("referent_id"))
    duplicates = find_duplicates(actor.platform_id, values["first_name"], values["last_name"],
                                 values.get("birth_date"))
    if duplicates and not allow_duplicate:
        raise duplicate_conflict(duplicates)
    _sync_licences(values)
    beneficiary = Beneficiary(platform_id=actor.platform_id, **values)
    locate(beneficiary, {"address", "workplace_address"})
    db.session.add(beneficiary)
    if open_pathway:
        new_pathway(actor, beneficiary, local_today())
    db.session.flush()
    record_audit(actor, "create", object_type="Beneficiary", object_id=beneficiary.id,
                 fields=[k for k, v in values.items() if v is not None])
    db.session.commit()
    return beneficiary


def _check_changes(actor, beneficiary: Beneficiary, changes: dict[str, Any]) -> None:
    """Refuse changes that make the file invalid (400) or a duplicate of another one (409)."""
    merged = {f: getattr(beneficiary, f) for f in BENEFICIARY_FIELDS} | changes
    errors = check_person(merged)
    errors = {k: v for k, v in errors.items()
              if k in changes or k in ("licence_b_since", "contract_end")}
    if errors:
        raise ValidationFailed(details=errors)
    if "referent_id" in changes:
        _check_referent(actor, changes["referent_id"])
    if {"first_name", "last_name", "birth_date"} & set(changes):
        duplicates = find_duplicates(actor.platform_id, merged["first_name"],
                                     merged["last_name"], merged["birth_date"],
                                     exclude_id=beneficiary.id)
        if duplicates:
            raise duplicate_conflict(duplicates)


def update_beneficiary(actor, beneficiary: Beneficiary, changes: Mapping[str, Any]) -> list[str]:
    """Apply changes to a file; returns the names of the fields that changed."""
    unknown = [k for k in changes if k not in BENEFICIARY_FIELDS]
    if unknown:
        raise ValidationFailed(details={k: _l("This field is not expected.") for k in unknown})
    changes = clean_values(changes, default_region(actor.platform_id))
    _check_changes(actor, beneficiary, changes)
    if changes.get("has_licence_b") is False and "licence_b_since" not in changes:
        changes["licence_b_since"] = None
    _sync_licences(changes, beneficiary.licences)
    changed = {k for k, v in changes.items() if getattr(beneficiary, k) != v}
    for key in changed:
        setattr(beneficiary, key, changes[key])
    locate(beneficiary, changed)
    if changed:
        record_audit(actor, "update", object_type="Beneficiary", object_id=beneficiary.id,
                     fields=sorted(changed))
    db.session.commit()
    if changed & SITUATION_FIELDS:
        # prices follow the person: re-price unsigned rentals, amend signed ones
        signals.situation_changed.send(actor, person=beneficiary)
    return sorted(changed)


def beneficiary_json(beneficiary: Beneficiary, user) -> dict[str, Any]:
    """The file as JSON, limited to what `user` may read (see `Beneficiary.visible_to`)."""
    level = beneficiary.visible_to(user)
    data: dict[str, Any] = {
        "id": beneficiary.id, "first_name": beneficiary.first_name,
        "last_name": beneficiary.last_name, "phone": beneficiary.phone,
        "email": beneficiary.email,
    }
    if level == "contact":
        return data
    data.update({
        "birth_date": iso(beneficiary.birth_date), "gender": beneficiary.gender,
        "address": beneficiary.address,
        "address_location": (
            {"lat": beneficiary.address_lat, "lon": beneficiary.address_lon}
            if beneficiary.address_lat is not None else None),
        "licences": [item.to_dict() for item in beneficiary.held_licences()],
        "has_licence_b": beneficiary.has_licence_b,
        "licence_b_since": iso(beneficiary.licence_b_since),
        "employment": {
            "kind": beneficiary.employment_kind, "employer": beneficiary.employer,
            "workplace_address": beneficiary.workplace_address,
            "workplace_location": (
                {"lat": beneficiary.workplace_lat, "lon": beneficiary.workplace_lon}
                if beneficiary.workplace_lat is not None else None),
            "contract_type": beneficiary.contract_type,
            "contract_start": iso(beneficiary.contract_start),
            "contract_end": iso(beneficiary.contract_end),
            "shift_start": beneficiary.shift_start.strftime("%H:%M")
            if beneficiary.shift_start else None,
            "shift_end": beneficiary.shift_end.strftime("%H:%M")
            if beneficiary.shift_end else None,
            "shift_notes": beneficiary.shift_notes,
        },
        "membership": {"date": iso(beneficiary.membership_date),
                       "fee_paid": beneficiary.membership_fee_paid},
        "receives_rsa": beneficiary.receives_rsa, "lives_in_qpv": beneficiary.lives_in_qpv,
        "resources_band": beneficiary.resources_band,
    })
    pathway = beneficiary.current_pathway
    data["pathway"] = None if pathway is None else {
        "id": pathway.id, "status": pathway.status, "opened_on": iso(pathway.opened_on),
        "exit_date": iso(pathway.exit_date), "exit_reason": pathway.exit_reason,
        "exit_solution": pathway.exit_solution, "exit_employment": pathway.exit_employment,
        "gain": pathway.gain,
    }
    if level == "own":
        return data
    data.update({
        "has_disability": beneficiary.has_disability,
        "health_constraints": beneficiary.health_constraints,
        "obstacles": beneficiary.obstacles or [],
        "referent_id": beneficiary.referent_id,
        "user_id": beneficiary.user_id,
        "stage": stage_of(beneficiary),
        "created_at": iso(beneficiary.created_at),
    })
    return data


