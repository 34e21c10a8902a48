"""How reminders reach a person: their chosen channel (e-mail, SMS, a call) and, for staff,
the mobile number to text."""

from __future__ import annotations

from sqlalchemy import select

from mobility.audit.services import record_audit
from mobility.auth.models import User
from mobility.core.db import db
from mobility.core.errors import Forbidden, ValidationFailed
from mobility.core.roles import ADMIN
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.models import CHANNELS, NotificationPreference
from mobility.notifications.recipients import has_mobile
from mobility.people.models import Beneficiary
from mobility.platforms.phones import default_region, normalise_mobile


def _preference(recipient_type: str, recipient_id: int) -> NotificationPreference | None:
    column = {"user": NotificationPreference.user_id,
              "beneficiary": NotificationPreference.beneficiary_id}.get(recipient_type)
    if column is None:
        return None
    return db.session.scalar(select(NotificationPreference).where(column == recipient_id))


def _validate_channel(channel: str, *, email: str | None, phone: str | None,
                      region: str | None = None) -> None:
    if channel not in CHANNELS:
        raise ValidationFailed(details={"channel": _l("This value is not one of the allowed "
                                                      "choices.")})
    if channel == "email" and not email:
        raise ValidationFailed(details={"channel": _l("There is no e-mail address to write "
                                                      "to.")})
    if channel == "sms" and not has_mobile(phone, region):
        raise ValidationFailed(details={"phone": _l("Give a mobile number: a landline cannot "
                                                    "receive text messages.")})


def preference_for(*, user: User | None = None,
                   beneficiary: Beneficiary | None = None) -> NotificationPreference | None:
    if user is not None:
        return _preference("user", user.id)
    return _preference("beneficiary", beneficiary.id)


def set_user_channel(actor: User, user: User, *, channel: str,
                     phone: str | None = None) -> NotificationPreference:
    """A staff member (or prescriber) chooses how reminders reach them."""
    if actor.id != user.id and not (actor.role == ADMIN and actor.platform_id == user.platform_id):
        raise Forbidden()
    phone = (phone or "").strip() or None
    region = default_region(user.platform_id)
    _validate_channel(channel, email=user.email, phone=phone, region=region)
    preference = preference_for(user=user) or NotificationPreference(
        user_id=user.id, platform_id=user.platform_id)
    preference.channel = channel
    preference.phone = normalise_mobile(phone, region) if channel == "sms" else None
    preference.updated_by_id = actor.id
    db.session.add(preference)
    db.session.flush()
    record_audit(actor, "update", object_type="NotificationPreference", object_id=preference.id,
                 platform_id=user.platform_id, fields=["channel", "phone"])
    db.session.commit()
    return preference


def set_beneficiary_channel(actor: User, beneficiary: Beneficiary, *,
                            channel: str) -> NotificationPreference:
    """The person (or their advisor) chooses e-mail, SMS to the file's mobile, or a call."""
    if not (beneficiary.can_edit(actor) or beneficiary.can_view(actor)
            and beneficiary.user_id == actor.id):
        raise Forbidden()
    _validate_channel(channel, email=beneficiary.email, phone=beneficiary.phone,
                      region=default_region(beneficiary.platform_id))
    preference = preference_for(beneficiary=beneficiary) or NotificationPreference(
        beneficiary_id=beneficiary.id, platform_id=beneficiary.platform_id)
    preference.channel = channel
    preference.updated_by_id = actor.id
    db.session.add(preference)
    db.session.flush()
    record_audit(actor, "update", object_type="NotificationPreference", object_id=preference.id,
                 platform_id=beneficiary.platform_id, fields=["channel"])
    db.session.commit()
    return preference
