"""People services: referrals, beneficiary files, pathways, assessments, eligibility, exits.

Every function that changes data validates first, then writes and commits in one transaction
with its audit event (field names only); a refused request raises a `mobility.core.errors`
exception before anything is written.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from fleet.licences import LicenceError, parse_licences
from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db, write_transaction
from mobility.core.errors import Conflict, NotFound, ValidationFailed
from mobility.core.roles import PRESCRIBER
from mobility.i18n import local_date
from mobility.notifications.phones import PHONE_INVALID, clean_phone, default_region, match_key
from mobility.organisations.models import ORGANISATION_KINDS, PartnerOrganisation, Referent
from mobility.pagination import PAGE_SIZE, Page, paginate
from mobility.partners import events as webhook_events
from mobility.people import eligibility as rules
from mobility.people import grid
from mobility.people.models import (
    ACTION_KINDS,
    ATTENDANCE_STATUSES,
    CONTRACT_TYPES,
    EMPLOYMENT_KINDS,
    EXIT_EMPLOYMENT,
    EXIT_REASONS,
    EXIT_SOLUTIONS,
    GENDERS,
    NOTE_KINDS,
    OBSTACLES,
    REFERRAL_REASONS,
    RESOURCES_BANDS,
    SCHEMES,
    Beneficiary,
    CaseNote,
    EligibilityOverride,
    MobilityAssessment,
    Pathway,
    PathwayAction,
    PeopleSettings,
    ReferentFeedback,
    Referral,
    Workshop,
    WorkshopAttendance,
    WorkshopSession,
    label,
)

log = logging.getLogger(__name__)
NOT_A_CHOICE = _l("This value is not one of the allowed choices.")



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
    from mobility.commute.services import geocode_address as commute_geocode

    return commute_geocode(text)


def feasibility_of(beneficiary: Beneficiary) -> Mapping[str, Any] | None:
    """The commute check of the person's home-work trip at their shift times
    (`{"modes", "transit"}`), for the ladder."""
    if not routing_in_files():
        return None
    from mobility.commute.services import commute_feasibility_for

    return commute_feasibility_for(beneficiary)


# -- settings ----------------------------------------------------------------------------------


def settings_config(platform_id: int) -> dict[str, Any]:
    row = db.session.scalar(select(PeopleSettings).where(PeopleSettings.platform_id == platform_id))
    return dict(row.config or {}) if row else {}


def scoring_for(platform_id: int) -> dict[str, Any]:
    """The platform's scoring: defaults in code with its overrides."""
    return grid.merged_scoring(settings_config(platform_id).get("scoring"))


def eligibility_config_for(platform_id: int) -> dict[str, Any]:
    return rules.merged_eligibility(settings_config(platform_id).get("eligibility"))


def update_settings(actor, config: Any) -> PeopleSettings:
    """Replace a platform's overrides `{"scoring": {...}, "eligibility": {...}}`."""
    if not isinstance(config, dict):
        raise ValidationFailed(details={"config": _l("Must be an object.")})
    errors: dict[str, Any] = {}
    for key in config:
        if key not in ("scoring", "eligibility"):
            errors[key] = _l("This field is not expected.")
    errors.update({f"scoring.{k}": v
                   for k, v in grid.validate_scoring(config.get("scoring", {})).items()})
    errors.update({f"eligibility.{k}": v
                   for k, v in rules.validate_eligibility(config.get("eligibility", {})).items()})
    if errors:
        raise ValidationFailed(details=errors)
    row = db.session.scalar(
        select(PeopleSettings).where(PeopleSettings.platform_id == actor.platform_id))
    if row is None:
        row = PeopleSettings(platform_id=actor.platform_id)
        db.session.add(row)
    row.config = config
    db.session.flush()
    record_audit(actor, "update", object_type="PeopleSettings", object_id=row.id,
                 fields=sorted(config))
    db.session.commit()
    return row


# -- partner organisations and referents -------------------------------------------------------


def create_organisation(actor, *, name: str, kind: str) -> PartnerOrganisation:
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _l("This field is required.")
    if kind not in ORGANISATION_KINDS:
        errors["kind"] = _l("This value is not one of the allowed choices.")
    if not errors and db.session.scalar(select(PartnerOrganisation.id).where(
            PartnerOrganisation.platform_id == actor.platform_id,
            func.lower(PartnerOrganisation.name) == name.lower())):
        errors["name"] = _l("An organisation with this name already exists.")
    if errors:
        raise ValidationFailed(details=errors)
    organisation = PartnerOrganisation(platform_id=actor.platform_id, name=name, kind=kind)
    db.session.add(organisation)
    db.session.flush()
    record_audit(actor, "create", object_type="PartnerOrganisation", object_id=organisation.id,
                 fields=["name", "kind"])
    db.session.commit()
    return organisation


def organisation_in_platform(actor, organisation_id: Any, field: str = "organisation_id"):
    """The organisation of the actor's platform with this id, or a 400 on `field`."""
    organisation = None
    try:
        organisation = db.session.get(PartnerOrganisation, int(organisation_id))
    except (TypeError, ValueError):
        organisation = None
    if organisation is None or organisation.platform_id != actor.platform_id:
        raise ValidationFailed(details={field: _l("Unknown partner organisation.")})
    return organisation


def create_referent(actor, organisation: PartnerOrganisation, *, first_name: str,
                    last_name: str, email: str | None = None, phone: str | None = None,
                    job_title: str | None = None, user_id: int | None = None) -> Referent:
    errors = {}
    if not (first_name or "").strip():
        errors["first_name"] = _l("This field is required.")
    if not (last_name or "").strip():
        errors["last_name"] = _l("This field is required.")
    if user_id is not None:
        from mobility.auth.models import User

        user = db.session.get(User, user_id)
        if (user is None or user.platform_id != actor.platform_id or user.role != PRESCRIBER
                or user.organisation_id != organisation.id):
            errors["user_id"] = _l("Choose a prescriber account of this organisation.")
        elif db.session.scalar(select(Referent.id).where(Referent.user_id == user_id)):
            errors["user_id"] = _l("This account is already linked to a referent.")
    phone = clean_phone(phone, default_region(actor.platform_id))
    if phone and match_key(phone) is None:
        errors["phone"] = PHONE_INVALID
    if errors:
        raise ValidationFailed(details=errors)
    referent = Referent(
        platform_id=actor.platform_id, organisation_id=organisation.id,
        first_name=first_name.strip(), last_name=last_name.strip(), email=email or None,
        phone=phone, job_title=job_title or None, user_id=user_id,
    )
    db.session.add(referent)
    db.session.flush()
    record_audit(actor, "create", object_type="Referent", object_id=referent.id,
                 fields=["first_name", "last_name", "email", "phone", "job_title", "user_id"])
    db.session.commit()
    return referent


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
    if values.get("licences") is not None:
        try:
            for item in parse_licences(values["licences"], today=on):
                if birth is not None and item.obtained_on is not None and item.obtained_on < birth:
                    errors["licences"] = _l("A licence cannot be obtained before the birth date.")
        except LicenceError as error:
            errors[error.field] = error.message
    if values.get("phone") and match_key(values["phone"]) is None:
        errors["phone"] = PHONE_INVALID
    start, end = values.get("contract_start"), values.get("contract_end")
    if start is not None and end is not None and end < start:
        errors["contract_end"] = _l("The contract cannot end before it starts.")
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


def _duplicate_conflict(duplicates: list[Beneficiary]) -> Conflict:
    return Conflict(
        _l("A person with the same name and birth date already exists."),
        code="duplicate_beneficiary", details={"duplicate_ids": [b.id for b in duplicates]},
    )


def _clean(values: Mapping[str, Any], region: str | None = None) -> dict[str, Any]:
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
        items = [item.to_dict() for item in parse_licences(values["licences"])]
        values["licences"] = items
        b_entry = next((item for item in items if item["category"] == "B"), None)
        values["has_licence_b"] = b_entry is not None
        values["licence_b_since"] = (date.fromisoformat(b_entry["obtained_on"])
                                     if b_entry and b_entry["obtained_on"] else None)
    elif "has_licence_b" in values or "licence_b_since" in values:
        items = [item for item in (current or []) if item.get("category") != "B"]
        if values.get("has_licence_b") or values.get("licence_b_since"):
            since = values.get("licence_b_since")
            previous = next((item for item in (current or []) if item.get("category") == "B"),
                            {})
            items.append({**previous, "category": "B",
                          "obtained_on": since.isoformat() if since else None})
        values["licences"] = items

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


def _new_pathway(actor, beneficiary: Beneficiary, opened_on: date) -> Pathway:
    pathway = Pathway(platform_id=beneficiary.platform_id, beneficiary=beneficiary,
                      advisor_id=actor.id, status="open", opened_on=opened_on)
    db.session.add(pathway)
    return pathway


def create_beneficiary(actor, values: Mapping[str, Any], *, open_pathway: bool = True,
                       allow_duplicate: bool = False) -> Beneficiary:
    """Create a beneficiary file (and open their pathway). Refuses a duplicate (409)."""
    values = _clean({k: v for k, v in values.items() if k in BENEFICIARY_FIELDS},
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
        raise _duplicate_conflict(duplicates)
    _sync_licences(values)
    beneficiary = Beneficiary(platform_id=actor.platform_id, **values)
    locate(beneficiary, {"address", "workplace_address"})
    db.session.add(beneficiary)
    if open_pathway:
        _new_pathway(actor, beneficiary, local_today())
    db.session.flush()
    record_audit(actor, "create", object_type="Beneficiary", object_id=beneficiary.id,
                 fields=[k for k, v in values.items() if v is not None])
    db.session.commit()
    return beneficiary


def update_beneficiary(actor, beneficiary: Beneficiary, changes: Mapping[str, Any]) -> list[str]:
    """Apply changes to a file; returns the names of the fields that changed."""
    unknown = [k for k in changes if k not in BENEFICIARY_FIELDS]
    if unknown:
        raise ValidationFailed(details={k: _l("This field is not expected.") for k in unknown})
    changes = _clean(changes, default_region(actor.platform_id))
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
            raise _duplicate_conflict(duplicates)
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
        from mobility.rentals.lifecycle import situation_changed

        situation_changed(actor, beneficiary)
    return sorted(changed)


# -- referrals ---------------------------------------------------------------------------------

REFERRAL_FIELDS = (
    "organisation_id", "referent_id", "first_name", "last_name", "birth_date", "gender",
    "phone", "email", "address", "reason", "employer", "workplace_address", "schedule",
    "shift_start", "shift_end", "night_shifts", "early_shifts", "contract_type",
    "contract_start", "contract_end", "obstacles", "comment", "consent",
)


def submit_referral(actor, values: Mapping[str, Any]) -> Referral:
    """A prescriber (for their organisation) or an advisor (for any partner) refers a person."""
    values = _clean({k: v for k, v in values.items() if k in REFERRAL_FIELDS},
                    default_region(actor.platform_id))
    if actor.role == PRESCRIBER:
        values["organisation_id"] = actor.organisation_id
    errors = check_person({**values, "first_name": values.get("first_name"),
                           "last_name": values.get("last_name")})
    if values.get("reason") not in REFERRAL_REASONS:
        errors["reason"] = _l("Choose a reason.")
    if values.get("consent") is not True:
        errors["consent"] = _l("The person must agree to share their data with the platform.")
    if errors:
        raise ValidationFailed(details=errors)
    organisation = organisation_in_platform(actor, values.get("organisation_id"))
    referent_id = values.get("referent_id")
    if referent_id is None and actor.role == PRESCRIBER:
        referent_id = db.session.scalar(select(Referent.id).where(Referent.user_id == actor.id))
    if referent_id is not None:
        referent = db.session.get(Referent, referent_id)
        if referent is None or referent.organisation_id != organisation.id:
            raise ValidationFailed(details={"referent_id": _l("Unknown referent.")})
    values["referent_id"] = referent_id
    referral = Referral(platform_id=actor.platform_id, submitted_by_id=actor.id,
                        status="submitted", consent_at=utcnow(), **values)
    db.session.add(referral)
    db.session.flush()
    record_audit(actor, "create", object_type="Referral", object_id=referral.id,
                 fields=[k for k, v in values.items() if v is not None])
    webhook_events.referral_created(referral)
    db.session.commit()
    return referral


_EMPLOYMENT_OF_REASON = {"job_found": "job", "training": "training",
                         "interview": "job_search", "job_search": "job_search"}


def _already_decided(referral: Referral) -> Conflict:
    message = (_l("This referral was already accepted.") if referral.status == "accepted"
               else _l("This referral was already declined."))
    return Conflict(message, code="referral_already_decided", details={"status": referral.status})


def accept_referral(actor, referral: Referral, *, beneficiary_id: int | None = None) -> Referral:
    """Accept a referral: create (or link) the beneficiary and open (or join) their pathway.

    Without `beneficiary_id`, a person with the same name and birth date is a 409 that lists
    the existing files, so the advisor links the referral to one of them.
    """
    with write_transaction():
        referral = db.session.execute(
            select(Referral).where(Referral.id == referral.id).with_for_update()
        ).scalar_one()
        if referral.status != "submitted":
            raise _already_decided(referral)
        if beneficiary_id is not None:
            beneficiary = db.session.get(Beneficiary, beneficiary_id)
            if beneficiary is None or beneficiary.platform_id != actor.platform_id:
                raise ValidationFailed(details={"beneficiary_id": _l("Unknown beneficiary.")})
            if beneficiary.referent_id is None:
                beneficiary.referent_id = referral.referent_id
            beneficiary.obstacles = sorted(set(beneficiary.obstacles or [])
                                           | set(referral.obstacles or [])) or None
        else:
            duplicates = find_duplicates(actor.platform_id, referral.first_name,
                                         referral.last_name, referral.birth_date)
            if duplicates:
                raise _duplicate_conflict(duplicates)
            employment_kind = _EMPLOYMENT_OF_REASON.get(referral.reason)
            shift_notes = ", ".join(filter(None, [
                referral.schedule,
                str(_l("night shifts")) if referral.night_shifts else None,
                str(_l("early shifts")) if referral.early_shifts else None,
            ])) or None
            beneficiary = Beneficiary(
                platform_id=actor.platform_id, first_name=referral.first_name,
                last_name=referral.last_name, birth_date=referral.birth_date,
                gender=referral.gender, phone=referral.phone, email=referral.email,
                address=referral.address, referent_id=referral.referent_id,
                obstacles=referral.obstacles, employment_kind=employment_kind,
                employer=referral.employer, workplace_address=referral.workplace_address,
                contract_type=referral.contract_type, contract_start=referral.contract_start,
                contract_end=referral.contract_end, shift_start=referral.shift_start,
                shift_end=referral.shift_end,
                shift_notes=shift_notes[:200] if shift_notes else None,
                receives_rsa=False, lives_in_qpv=False,
            )
            locate(beneficiary, {"address", "workplace_address"})
            db.session.add(beneficiary)
        pathway = beneficiary.open_pathway or _new_pathway(actor, beneficiary, local_today())
        referral.status = "accepted"
        referral.decided_at = utcnow()
        referral.decided_by_id = actor.id
        referral.beneficiary = beneficiary
        referral.pathway = pathway
        db.session.flush()
        if beneficiary_id is None:
            record_audit(actor, "create", object_type="Beneficiary", object_id=beneficiary.id,
                         fields=["from_referral"])
        record_audit(actor, "update", object_type="Referral", object_id=referral.id,
                     fields=["status", "beneficiary_id", "pathway_id"])
        webhook_events.referral_decided(referral)
    return referral


def decline_referral(actor, referral: Referral, *, reason: str) -> Referral:
    """Decline a referral with a reason the prescriber will see."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(details={"reason": _l("Give the reason, the prescriber sees it.")})
    with write_transaction():
        referral = db.session.execute(
            select(Referral).where(Referral.id == referral.id).with_for_update()
        ).scalar_one()
        if referral.status != "submitted":
            raise _already_decided(referral)
        referral.status = "declined"
        referral.decline_reason = reason
        referral.decided_at = utcnow()
        referral.decided_by_id = actor.id
        record_audit(actor, "update", object_type="Referral", object_id=referral.id,
                     fields=["status", "decline_reason"])
        webhook_events.referral_decided(referral)
    return referral


# -- pathway: notes, feedback, actions, workshops ----------------------------------------------


def _open_pathway_of(beneficiary: Beneficiary) -> Pathway:
    pathway = beneficiary.open_pathway
    if pathway is None:
        raise Conflict(_l("This person has no pathway in progress."), code="no_open_pathway")
    return pathway


def _check_day(day: date | None, field: str, pathway: Pathway | None = None) -> date:
    day = day or local_today()
    if day > local_today():
        raise ValidationFailed(details={field: _l("This date cannot be in the future.")})
    if pathway is not None and day < pathway.opened_on:
        raise ValidationFailed(details={
            field: _l("This date is before the start of the pathway.")})
    return day


def add_case_note(actor, beneficiary: Beneficiary, *, text: str, kind: str = "meeting",
                  noted_on: date | None = None) -> CaseNote:
    errors = {}
    if not (text or "").strip():
        errors["text"] = _l("This field is required.")
    if kind not in NOTE_KINDS:
        errors["kind"] = _l("This value is not one of the allowed choices.")
    if errors:
        raise ValidationFailed(details=errors)
    noted_on = _check_day(noted_on, "noted_on")
    pathway = beneficiary.current_pathway
    note = CaseNote(platform_id=beneficiary.platform_id, beneficiary_id=beneficiary.id,
                    pathway_id=pathway.id if pathway else None, author_id=actor.id, kind=kind,
                    noted_on=noted_on, text=text.strip())
    db.session.add(note)
    db.session.flush()
    record_audit(actor, "create", object_type="CaseNote", object_id=note.id,
                 fields=["text", "kind", "noted_on"])
    db.session.commit()
    return note


def send_feedback(actor, beneficiary: Beneficiary, *, summary: str) -> ReferentFeedback:
    """A short summary for the referents of the pathway's referrals (shown on their side)."""
    summary = (summary or "").strip()
    if not summary:
        raise ValidationFailed(details={"summary": _l("This field is required.")})
    if len(summary) > 2000:
        raise ValidationFailed(details={"summary": _l("This text is too long.")})
    pathway = beneficiary.current_pathway
    if pathway is None or not pathway.referrals:
        raise Conflict(_l("No referent to send feedback to: this pathway has no referral."),
                       code="no_referent")
    feedback = ReferentFeedback(platform_id=beneficiary.platform_id, pathway_id=pathway.id,
                                author_id=actor.id, summary=summary)
    db.session.add(feedback)
    db.session.flush()
    record_audit(actor, "create", object_type="ReferentFeedback", object_id=feedback.id,
                 fields=["summary"])
    notify_referents(actor, beneficiary, pathway, kind="referent_feedback",
                     event=f"feedback:{feedback.id}", context={"summary": summary})
    db.session.commit()
    return feedback


def notify_referents(actor, beneficiary: Beneficiary, pathway: Pathway, *, kind: str,
                     event: str, context: dict[str, Any]) -> int:
    """Queue a message to the referent of each of the pathway's referrals (else to the
    prescriber who sent it), in the caller's transaction; the outbox sends it by e-mail or
    SMS. Returns how many were queued."""
    from mobility.notifications.outbox import enqueue_notification
    from mobility.notifications.recipients import recipient_key

    recipients = {}
    for referral in pathway.referrals:
        recipient = referral.referent or referral.submitted_by
        if recipient is not None:
            recipients[recipient_key(recipient)] = recipient
    queued = 0
    for (recipient_type, recipient_id), recipient in sorted(recipients.items()):
        queued += enqueue_notification(
            kind=kind, key=f"{event}:{recipient_type}:{recipient_id}", recipient=recipient,
            context={"beneficiary_name": beneficiary.full_name,
                     "advisor_name": actor.full_name, **context},
            advisor_id=actor.id, about=("pathway", pathway.id),
        )
    return queued


def add_action(actor, beneficiary: Beneficiary, *, kind: str, done_on: date | None = None,
               title: str | None = None, notes: str | None = None,
               partner_organisation_id: int | None = None) -> PathwayAction:
    """Record an action of the open pathway (coaching, referral to a partner operator...)."""
    if kind not in ACTION_KINDS:
        raise ValidationFailed(details={"kind": NOT_A_CHOICE})
    pathway = _open_pathway_of(beneficiary)
    done_on = _check_day(done_on, "done_on", pathway)
    partner = None
    if kind == "partner_referral":
        if partner_organisation_id is None:
            raise ValidationFailed(details={
                "partner_organisation_id": _l("Choose the partner operator.")})
        partner = organisation_in_platform(actor, partner_organisation_id,
                                           "partner_organisation_id")
    action = PathwayAction(platform_id=beneficiary.platform_id, pathway_id=pathway.id, kind=kind,
                           done_on=done_on, title=(title or "").strip() or None,
                           notes=(notes or "").strip() or None,
                           partner_organisation_id=partner.id if partner else None,
                           author_id=actor.id)
    db.session.add(action)
    db.session.flush()
    record_audit(actor, "create", object_type="PathwayAction", object_id=action.id,
                 fields=["kind", "done_on", "title", "notes"])
    db.session.commit()
    return action


def get_or_create_workshop(platform_id: int, title: str) -> Workshop:
    workshop = db.session.scalar(select(Workshop).where(
        Workshop.platform_id == platform_id, Workshop.title == title))
    if workshop is None:
        workshop = Workshop(platform_id=platform_id, title=title)
        db.session.add(workshop)
        db.session.flush()
    return workshop


def create_workshop_session(actor, *, title: str, starts_at: datetime, capacity: int = 8,
                            duration_min: int = 120, location: str | None = None
                            ) -> WorkshopSession:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _l("This field is required.")
    if not isinstance(capacity, int) or capacity < 1 or capacity > 100:
        errors["capacity"] = _l("Must be between 1 and 100.")
    if not isinstance(duration_min, int) or duration_min < 15 or duration_min > 480:
        errors["duration_min"] = _l("Must be between 15 and 480 minutes.")
    if starts_at is None or starts_at.tzinfo is None:
        errors["starts_at"] = _l("Must be a date and time (ISO 8601).")
    if errors:
        raise ValidationFailed(details=errors)
    workshop = get_or_create_workshop(actor.platform_id, title.strip())
    session = WorkshopSession(platform_id=actor.platform_id, workshop_id=workshop.id,
                              starts_at=starts_at, capacity=capacity, duration_min=duration_min,
                              location=(location or "").strip() or None)
    db.session.add(session)
    db.session.flush()
    record_audit(actor, "create", object_type="WorkshopSession", object_id=session.id,
                 fields=["title", "starts_at", "capacity", "duration_min", "location"])
    db.session.commit()
    return session


def register_attendee(actor, session: WorkshopSession, beneficiary: Beneficiary
                      ) -> WorkshopAttendance:
    """Register a beneficiary for a session, within its capacity."""
    if beneficiary.platform_id != session.platform_id:
        raise NotFound()
    with write_transaction():
        count = db.session.scalar(select(func.count(WorkshopAttendance.id)).where(
            WorkshopAttendance.session_id == session.id))
        exists = db.session.scalar(select(WorkshopAttendance.id).where(
            WorkshopAttendance.session_id == session.id,
            WorkshopAttendance.beneficiary_id == beneficiary.id))
        if exists:
            raise Conflict(_l("This person is already registered for this session."),
                           code="already_registered")
        if count >= session.capacity:
            raise Conflict(_l("This session is full."), code="session_full")
        attendance = WorkshopAttendance(platform_id=session.platform_id, session_id=session.id,
                                        beneficiary_id=beneficiary.id, status="registered")
        db.session.add(attendance)
        db.session.flush()
        record_audit(actor, "create", object_type="WorkshopAttendance", object_id=attendance.id,
                     fields=["session_id", "beneficiary_id"])
    return attendance


def record_attendance(actor, attendance: WorkshopAttendance, status: str) -> WorkshopAttendance:
    """Mark attended or absent; an attendance becomes a workshop action of the pathway."""
    if status not in ATTENDANCE_STATUSES:
        raise ValidationFailed(details={"status": NOT_A_CHOICE})
    session = attendance.session
    beneficiary = attendance.beneficiary
    if status == "attended" and attendance.action_id is None:
        pathway = _open_pathway_of(beneficiary)
        done_on = session.starts_at.date()
        if done_on > local_today():
            raise ValidationFailed(details={
                "status": _l("Attendance can be recorded once the session has started.")})
        action = PathwayAction(platform_id=beneficiary.platform_id, pathway_id=pathway.id,
                               kind="workshop", done_on=done_on, title=session.workshop.title,
                               workshop_session_id=session.id, author_id=actor.id)
        db.session.add(action)
        db.session.flush()
        attendance.action_id = action.id
    elif status != "attended" and attendance.action_id is not None:
        action = db.session.get(PathwayAction, attendance.action_id)
        attendance.action_id = None
        db.session.flush()
        db.session.delete(action)
    attendance.status = status
    record_audit(actor, "update", object_type="WorkshopAttendance", object_id=attendance.id,
                 fields=["status"])
    db.session.commit()
    return attendance


# -- assessments -------------------------------------------------------------------------------

ASSESSMENT_KINDS = ("entry", "exit")


def record_assessment(actor, beneficiary: Beneficiary, *, kind: str, answers: Any,
                      assessed_on: date | None = None,
                      feasibility: Mapping[str, Any] | None = None) -> MobilityAssessment:
    """Score an entry or exit assessment of the current pathway and store it.

    The exit assessment needs the entry one (no exit before entry) and may be recorded on an
    exited pathway; each kind is recorded once per pathway.
    """
    if kind not in ASSESSMENT_KINDS:
        raise ValidationFailed(details={"kind": NOT_A_CHOICE})
    clean, errors = grid.validate_answers(answers)
    if errors:
        raise ValidationFailed(_l("Some answers are missing or not in the grid."),
                               details=errors)
    pathway = beneficiary.open_pathway if kind == "entry" else beneficiary.current_pathway
    if pathway is None:
        raise Conflict(_l("This person has no pathway in progress."), code="no_open_pathway")
    assessed_on = _check_day(assessed_on, "assessed_on", pathway)
    entry = pathway.assessment("entry")
    if pathway.assessment(kind) is not None:
        raise Conflict(_l("This assessment was already recorded for this pathway."),
                       code="assessment_exists")
    if kind == "exit":
        if entry is None:
            raise Conflict(_l("Record the entry assessment before the exit assessment."),
                           code="exit_before_entry")
        if assessed_on < entry.assessed_on:
            raise ValidationFailed(details={
                "assessed_on": _l("The exit assessment cannot be before the entry assessment.")})
    scoring = scoring_for(beneficiary.platform_id)
    from mobility.commute.ladder import feasibility_from_flags

    if feasibility is None:
        feasibility = feasibility_of(beneficiary)
    elif not {"modes", "transit"} & set(feasibility):  # the API's {mode or level: bool}
        feasibility = feasibility_from_flags(feasibility)
    has_licence = True if (beneficiary.has_licence_b or beneficiary.licence_b_since) else None
    result = grid.score_assessment(clean, scoring, has_licence_b=has_licence,
                                   feasibility=feasibility)
    assessment = MobilityAssessment(
        platform_id=beneficiary.platform_id, beneficiary_id=beneficiary.id,
        pathway_id=pathway.id, kind=kind, assessed_on=assessed_on, assessor_id=actor.id,
        answers=clean, sub_scores=result["sub_scores"],
        mobility_potential=result["mobility_potential"], ladder=result["ladder"],
        scoring=scoring,
    )
    db.session.add(assessment)
    db.session.flush()
    record_audit(actor, "create", object_type="MobilityAssessment", object_id=assessment.id,
                 fields=["kind", "answers"])
    db.session.commit()
    return assessment


def ladder_for_display(ladder: Any) -> dict[str, Any]:
    """The ladder stored with an assessment, labels and reasons in the current locale."""
    from mobility.commute.ladder import present_ladder

    return present_ladder(ladder)


def assessment_json(assessment: MobilityAssessment) -> dict[str, Any]:
    entry = assessment.pathway.assessment("entry") if assessment.kind == "exit" else None
    data = {
        "id": assessment.id, "beneficiary_id": assessment.beneficiary_id,
        "pathway_id": assessment.pathway_id, "kind": assessment.kind,
        "assessed_on": assessment.assessed_on.isoformat(),
        "answers": assessment.answers, "sub_scores": assessment.sub_scores,
        "mobility_potential": assessment.mobility_potential,
        "ladder": ladder_for_display(assessment.ladder),
        "recommended": ladder_for_display(assessment.ladder)["recommended"],
        "scoring": assessment.scoring,
    }
    if entry is not None:
        data["entry_mobility_potential"] = entry.mobility_potential
        data["gain"] = assessment.mobility_potential - entry.mobility_potential
        data["sub_score_gains"] = {k: v - entry.sub_scores.get(k, 0)
                                   for k, v in assessment.sub_scores.items()}
    return data


# -- eligibility -------------------------------------------------------------------------------


def facts_of(beneficiary: Beneficiary, *, on: date | None = None,
             amie_months_used: int | None = None) -> rules.EligibilityFacts:
    """What the eligibility rules read about a person on `on` (a licence in force only)."""
    from mobility.pricing.services import amie_months_used as months_used

    on = on or local_today()
    followed = beneficiary.referent_id is not None or bool(db.session.scalar(
        select(Referral.id).where(Referral.beneficiary_id == beneficiary.id,
                                  Referral.status == "accepted")))
    licence_b = next((item for item in beneficiary.held_licences()
                      if item.category == "B" and item.in_force(on)), None)
    return rules.EligibilityFacts(
        birth_date=beneficiary.birth_date, has_licence_b=licence_b is not None,
        licence_b_since=licence_b.obtained_on if licence_b else None,
        employment_kind=beneficiary.employment_kind, contract_type=beneficiary.contract_type,
        contract_start=beneficiary.contract_start, contract_end=beneficiary.contract_end,
        followed=followed, obstacles=list(beneficiary.obstacles or []),
        amie_months_used=months_used(beneficiary.id) if amie_months_used is None
        else amie_months_used,
    )


def amie_max_months(platform_id: int) -> int:
    """The platform's limit of AMIE months per person (the one source of truth)."""
    return int(eligibility_config_for(platform_id)["amie"]["max_rental_months"])


def override_in_force(beneficiary: Beneficiary, scheme: str, *, on: date | None = None
                      ) -> EligibilityOverride | None:
    """The latest override of the scheme for the person that still applies on `on`."""
    on = on or local_today()
    overrides = db.session.scalars(select(EligibilityOverride).where(
        EligibilityOverride.beneficiary_id == beneficiary.id,
        EligibilityOverride.scheme == scheme).order_by(EligibilityOverride.id.desc())).all()
    return next((item for item in overrides if item.applies_on(on)), None)


def latest_override(beneficiary: Beneficiary, scheme: str) -> EligibilityOverride | None:
    return override_in_force(beneficiary, scheme)


def eligibility_for(beneficiary: Beneficiary, scheme: str, *, on: date | None = None,
                    amie_months_used: int | None = None) -> dict[str, Any]:
    """`{"eligible", "by_rules", "reasons", "override"}` for a scheme (amie or bougez) on `on`;
    `amie_months_used` replaces the person's count (e.g. with the rental being booked)."""
    if scheme not in SCHEMES:
        raise ValidationFailed(details={"scheme": _l("Unknown scheme: use amie or bougez.")})
    on = on or local_today()
    override = override_in_force(beneficiary, scheme, on=on)
    override_data = None
    if override is not None:
        override_data = {"id": override.id, "justification": override.justification,
                         "criteria": override.criteria,
                         "expires_on": override.expires_on.isoformat()
                         if override.expires_on else None,
                         "author": override.author.full_name if override.author else None,
                         "created_at": override.created_at.isoformat()}
    return rules.evaluate(scheme, facts_of(beneficiary, on=on,
                                           amie_months_used=amie_months_used), today=on,
                          config=eligibility_config_for(beneficiary.platform_id),
                          override=override_data)


MIN_JUSTIFICATION = 20


def override_eligibility(actor, beneficiary: Beneficiary, *, scheme: str, justification: str,
                         criteria: list[str] | None = None,
                         expires_on: date | None = None) -> EligibilityOverride:
    """Admit a person to a scheme despite some of its criteria, with a written justification.

    Scoped: it lifts the `criteria` named (by default the ones failed today). Dated: it lapses
    after `expires_on` (by default when the pathway ends). The scheme's criteria only: the legal
    conditions to drive (`fleet.licences`) are checked at booking and hand-over, and no
    override lifts them."""
    justification = (justification or "").strip()
    errors: dict[str, Any] = {}
    if scheme not in SCHEMES:
        errors["scheme"] = _l("Unknown scheme: use amie or bougez.")
    if len(justification) < MIN_JUSTIFICATION:
        errors["justification"] = _l("Write the justification (at least 20 characters).")
    if expires_on is not None and expires_on < local_today():
        errors["expires_on"] = _l("The end date cannot be in the past.")
    if errors:
        raise ValidationFailed(details=errors)
    if criteria is None:
        current = rules.evaluate(scheme, facts_of(beneficiary), today=local_today(),
                                 config=eligibility_config_for(beneficiary.platform_id))
        criteria = [r["criterion"] for r in current["reasons"] if not r["met"]]
    known = {code for code in rules.CRITERIA}
    unknown = [code for code in criteria if code not in known]
    if unknown:
        raise ValidationFailed(details={"criteria": _l("Unknown criterion: %(codes)s.",
                                                       codes=", ".join(unknown))})
    if not criteria:
        raise ValidationFailed(details={"criteria": _l(
            "Nothing to lift: the person meets every criterion of this scheme.")})
    pathway = beneficiary.open_pathway
    override = EligibilityOverride(platform_id=beneficiary.platform_id,
                                   beneficiary_id=beneficiary.id, scheme=scheme,
                                   justification=justification, author_id=actor.id,
                                   criteria=sorted(set(criteria)), expires_on=expires_on,
                                   pathway_id=pathway.id if pathway else None)
    db.session.add(override)
    db.session.flush()
    record_audit(actor, "create", object_type="EligibilityOverride", object_id=override.id,
                 fields=["scheme", "justification", "criteria", "expires_on"])
    db.session.commit()
    return override


# -- exit --------------------------------------------------------------------------------------


def record_exit(actor, beneficiary: Beneficiary, *, exit_date: date, reason: str,
                solution: str, employment: str, notes: str | None = None) -> Pathway:
    """Close the open pathway with its outcome; the exit cannot be before the entry."""
    errors = {}
    if reason not in EXIT_REASONS:
        errors["reason"] = _l("This value is not one of the allowed choices.")
    if solution not in EXIT_SOLUTIONS:
        errors["solution"] = _l("This value is not one of the allowed choices.")
    if employment not in EXIT_EMPLOYMENT:
        errors["employment"] = _l("This value is not one of the allowed choices.")
    if exit_date is None:
        errors["exit_date"] = _l("This field is required.")
    if errors:
        raise ValidationFailed(details=errors)
    pathway = _open_pathway_of(beneficiary)
    if exit_date < pathway.opened_on:
        raise ValidationFailed(details={"exit_date": _l(
            "The exit cannot be before the entry (%(date)s).",
            date=local_date(pathway.opened_on))})
    if exit_date > local_today():
        raise ValidationFailed(details={"exit_date": _l("This date cannot be in the future.")})
    pathway.status = "exited"
    pathway.exit_date = exit_date
    pathway.exit_reason = reason
    pathway.exit_solution = solution
    pathway.exit_employment = employment
    pathway.exit_notes = (notes or "").strip() or None
    record_audit(actor, "update", object_type="Pathway", object_id=pathway.id,
                 fields=["status", "exit_date", "exit_reason", "exit_solution",
                         "exit_employment", "exit_notes"])
    notify_referents(actor, beneficiary, pathway, kind="pathway_exit",
                     event=f"pathway:{pathway.id}:exit",
                     context={"exit_date": exit_date,
                              "summary": f"{label(EXIT_SOLUTIONS, solution)} · "
                                         f"{label(EXIT_EMPLOYMENT, employment)}"})
    webhook_events.pathway_exited(pathway)
    db.session.commit()
    return pathway


def reopen_pathway(actor, beneficiary: Beneficiary) -> Pathway:
    """Open a new pathway for a person who exited (a new referral or a return)."""
    if beneficiary.open_pathway is not None:
        raise Conflict(_l("This person already has a pathway in progress."),
                       code="pathway_open")
    pathway = _new_pathway(actor, beneficiary, local_today())
    db.session.flush()
    record_audit(actor, "create", object_type="Pathway", object_id=pathway.id,
                 fields=["opened_on"])
    db.session.commit()
    return pathway


# -- reading -----------------------------------------------------------------------------------


def stage_of(beneficiary: Beneficiary) -> str:
    """Where the person stands: accepted, assessed, exited (for lists and filters)."""
    pathway = beneficiary.current_pathway
    if pathway is None:
        return "no_pathway"
    if pathway.status == "exited":
        return "exited"
    return "assessed" if pathway.assessment("entry") else "accepted"


STAGES = {
    "accepted": _l("Accepted, to assess"),
    "assessed": _l("Assessed, in progress"),
    "exited": _l("Exited"),
    "no_pathway": _l("No pathway"),
}


def _iso(value):
    return value.isoformat() if value is not None else None


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
        "birth_date": _iso(beneficiary.birth_date), "gender": beneficiary.gender,
        "address": beneficiary.address,
        "address_location": (
            {"lat": beneficiary.address_lat, "lon": beneficiary.address_lon}
            if beneficiary.address_lat is not None else None),
        "licences": [item.to_dict() for item in beneficiary.held_licences()],
        "has_licence_b": beneficiary.has_licence_b,
        "licence_b_since": _iso(beneficiary.licence_b_since),
        "employment": {
            "kind": beneficiary.employment_kind, "employer": beneficiary.employer,
            "workplace_address": beneficiary.workplace_address,
            "workplace_location": (
                {"lat": beneficiary.workplace_lat, "lon": beneficiary.workplace_lon}
                if beneficiary.workplace_lat is not None else None),
            "contract_type": beneficiary.contract_type,
            "contract_start": _iso(beneficiary.contract_start),
            "contract_end": _iso(beneficiary.contract_end),
            "shift_start": beneficiary.shift_start.strftime("%H:%M")
            if beneficiary.shift_start else None,
            "shift_end": beneficiary.shift_end.strftime("%H:%M")
            if beneficiary.shift_end else None,
            "shift_notes": beneficiary.shift_notes,
        },
        "membership": {"date": _iso(beneficiary.membership_date),
                       "fee_paid": beneficiary.membership_fee_paid},
        "receives_rsa": beneficiary.receives_rsa, "lives_in_qpv": beneficiary.lives_in_qpv,
        "resources_band": beneficiary.resources_band,
    })
    pathway = beneficiary.current_pathway
    data["pathway"] = None if pathway is None else {
        "id": pathway.id, "status": pathway.status, "opened_on": _iso(pathway.opened_on),
        "exit_date": _iso(pathway.exit_date), "exit_reason": pathway.exit_reason,
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
        "created_at": _iso(beneficiary.created_at),
    })
    return data


def referral_json(referral: Referral, user) -> dict[str, Any]:
    """A referral as the prescriber wrote it, with its status, decline reason and feedback."""
    data = {
        "id": referral.id, "organisation_id": referral.organisation_id,
        "organisation": referral.organisation.name, "referent_id": referral.referent_id,
        "first_name": referral.first_name, "last_name": referral.last_name,
        "birth_date": _iso(referral.birth_date), "gender": referral.gender,
        "phone": referral.phone, "email": referral.email, "address": referral.address,
        "reason": referral.reason, "employer": referral.employer,
        "workplace_address": referral.workplace_address, "schedule": referral.schedule,
        "shift_start": referral.shift_start.strftime("%H:%M") if referral.shift_start else None,
        "shift_end": referral.shift_end.strftime("%H:%M") if referral.shift_end else None,
        "night_shifts": referral.night_shifts, "early_shifts": referral.early_shifts,
        "contract_type": referral.contract_type,
        "contract_start": _iso(referral.contract_start),
        "contract_end": _iso(referral.contract_end), "obstacles": referral.obstacles or [],
        "comment": referral.comment, "consent": referral.consent,
        "status": referral.status, "decline_reason": referral.decline_reason,
        "decided_at": _iso(referral.decided_at), "created_at": _iso(referral.created_at),
        "feedback": [{"id": f.id, "summary": f.summary, "sent_at": _iso(f.sent_at),
                      "author": f.author.full_name if f.author else None}
                     for f in referral.feedback_items()],
    }
    if user.role != PRESCRIBER:
        data["beneficiary_id"] = referral.beneficiary_id
        data["pathway_id"] = referral.pathway_id
    return data


def timeline(beneficiary: Beneficiary) -> list[dict[str, Any]]:
    """Everything that happened in the file, newest first (for advisors)."""
    events: list[dict[str, Any]] = []
    for referral in db.session.scalars(select(Referral).where(
            Referral.beneficiary_id == beneficiary.id)):
        events.append({"on": referral.created_at.date(), "kind": "referral",
                       "title": _l("Referral from %(org)s", org=referral.organisation.name),
                       "text": str(REFERRAL_REASONS.get(referral.reason, "")),
                       "referral": referral})
    for pathway in beneficiary.pathways:
        events.append({"on": pathway.opened_on, "kind": "pathway",
                       "title": _l("Pathway opened"), "text": ""})
        for a in pathway.assessments:
            events.append({"on": a.assessed_on, "kind": "assessment",
                           "title": _l("Entry assessment") if a.kind == "entry"
                           else _l("Exit assessment"),
                           "text": _l("Mobility potential: %(value)s/100",
                                      value=a.mobility_potential), "assessment": a})
        for action in pathway.actions:
            events.append({"on": action.done_on, "kind": "action",
                           "title": ACTION_KINDS.get(action.kind, action.kind),
                           "text": " · ".join(filter(None, [
                               action.title, action.partner_organisation.name
                               if action.partner_organisation else None, action.notes]))})
        for f in pathway.feedback:
            events.append({"on": f.sent_at.date(), "kind": "feedback",
                           "title": _l("Feedback sent to the referent"), "text": f.summary})
        if pathway.exit_date:
            events.append({"on": pathway.exit_date, "kind": "exit", "title": _l("Exit"),
                           "text": " · ".join([str(EXIT_SOLUTIONS.get(pathway.exit_solution, "")),
                                               str(EXIT_EMPLOYMENT.get(pathway.exit_employment,
                                                                       ""))])})
    for note in db.session.scalars(select(CaseNote).where(
            CaseNote.beneficiary_id == beneficiary.id)):
        events.append({"on": note.noted_on, "kind": "note",
                       "title": NOTE_KINDS.get(note.kind, note.kind), "text": note.text,
                       "author": note.author.full_name if note.author else None})
    order = {"exit": 0, "feedback": 1, "note": 2, "action": 3, "assessment": 4, "pathway": 5,
             "referral": 6}
    events.sort(key=lambda e: (e["on"], -order[e["kind"]]), reverse=True)
    return events


def stage_clause(stage: str, platform_id: int):
    """`stage_of(b) == stage` as a SQL condition on Beneficiary (the same rule, for lists
    filtered and paginated in the database; a test checks that both agree)."""
    pathways = select(Pathway.id).where(Pathway.beneficiary_id == Beneficiary.id,
                                        Pathway.platform_id == platform_id)
    open_ = pathways.where(Pathway.status == "open")
    assessed = open_.where(select(MobilityAssessment.id).where(
        MobilityAssessment.pathway_id == Pathway.id,
        MobilityAssessment.kind == "entry").exists())
    if stage == "no_pathway":
        return ~pathways.exists()
    if stage == "exited":
        return pathways.exists() & ~open_.exists()
    if stage == "assessed":
        return assessed.exists()
    return open_.exists() & ~assessed.exists()  # accepted


def beneficiaries_query(user, *, q: str | None = None, stage: str | None = None,
                        open_pathway: bool = False):
    """The select of the platform's beneficiaries matching a name/phone/e-mail search and a
    stage; with `open_pathway`, only people whose pathway is in progress (those one may book
    for). Pathways and assessments (each row's stage) are loaded in two more queries."""
    query = select(Beneficiary).where(Beneficiary.platform_id == user.platform_id)
    if open_pathway:
        query = query.where(Beneficiary.id.in_(select(Pathway.beneficiary_id).where(
            Pathway.status == "open", Pathway.platform_id == user.platform_id)))
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        matches = (
            func.lower(Beneficiary.first_name + " " + Beneficiary.last_name).like(like)
            | func.lower(Beneficiary.last_name + " " + Beneficiary.first_name).like(like)
            | func.lower(func.coalesce(Beneficiary.email, "")).like(like)
            | func.coalesce(Beneficiary.phone, "").like(like))
        # a whole number typed in any form finds its E.164 spelling
        number = match_key(q, default_region(user.platform_id))
        query = query.where(matches | (Beneficiary.phone == number) if number else matches)
    if stage in STAGES:
        query = query.where(stage_clause(stage, user.platform_id))
    return query.options(selectinload(Beneficiary.pathways).selectinload(Pathway.assessments))


def search_beneficiaries(user, *, q: str | None = None, stage: str | None = None,
                         limit: int = 200, open_pathway: bool = False) -> list[Beneficiary]:
    """The first `limit` people of `beneficiaries_query` by name (pickers, searches)."""
    query = beneficiaries_query(user, q=q, stage=stage, open_pathway=open_pathway)
    return list(db.session.scalars(query.order_by(
        Beneficiary.last_name, Beneficiary.first_name, Beneficiary.id).limit(limit)))


def beneficiary_page(user, *, q: str | None = None, stage: str | None = None,
                     cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of `beneficiaries_query`, by last name, first name and id."""
    return paginate(beneficiaries_query(user, q=q, stage=stage),
                    (Beneficiary.last_name, Beneficiary.first_name, Beneficiary.id),
                    cursor=cursor, limit=limit)


def referrals_query(user, *, status: str | None = None):
    """The select of referrals the user may see: the platform's (staff) or their
    organisation's (a prescriber), with their organisation loaded."""
    query = select(Referral).where(Referral.platform_id == user.platform_id)
    if user.role == PRESCRIBER:
        query = query.where(Referral.organisation_id == user.organisation_id)
    if status:
        query = query.where(Referral.status == status)
    return query.options(joinedload(Referral.organisation))


def referral_page(user, *, status: str | None = None, cursor: str | None = None,
                  limit: int = PAGE_SIZE) -> Page:
    """One page of the referrals the user may see, newest first."""
    return paginate(referrals_query(user, status=status), (Referral.created_at, Referral.id),
                    cursor=cursor, limit=limit, descending=True)


def referrals_for(user, *, status: str | None = None) -> list[Referral]:
    """Referrals the user may see: the platform's (staff) or their organisation's."""
    return list(db.session.scalars(referrals_query(user, status=status)
                                   .order_by(Referral.created_at.desc(), Referral.id.desc())))
