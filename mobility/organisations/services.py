"""Partner organisations (who refer people) and their referents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from mobility.audit.services import record_audit
from mobility.auth.models import User
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.roles import PRESCRIBER
from mobility.core.translations import lazy_gettext as _l
from mobility.organisations.models import ORGANISATION_KINDS, PartnerOrganisation, Referent
from mobility.platforms.phones import PHONE_INVALID, clean_phone, default_region, match_key


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


def _account_refusal(actor, organisation: PartnerOrganisation, user_id: int):
    """Why this account cannot be the referent's (None when it can): a prescriber of the
    organisation, not yet linked to a referent."""
    user = db.session.get(User, user_id)
    if (user is None or user.platform_id != actor.platform_id or user.role != PRESCRIBER
            or user.organisation_id != organisation.id):
        return _l("Choose a prescriber account of this organisation.")
    if db.session.scalar(select(Referent.id).where(Referent.user_id == user_id)):
        return _l("This account is already linked to a referent.")
    return None


def create_referent(actor, organisation: PartnerOrganisation, *, first_name: str,
                    last_name: str, email: str | None = None, phone: str | None = None,
                    job_title: str | None = None, user_id: int | None = None) -> Referent:
    errors = {}
    if not (first_name or "").strip():
        errors["first_name"] = _l("This field is required.")
    if not (last_name or "").strip():
        errors["last_name"] = _l("This field is required.")
    if user_id is not None and (refusal := _account_refusal(actor, organisation, user_id)):
        errors["user_id"] = refusal
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


