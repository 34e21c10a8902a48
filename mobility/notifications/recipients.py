"""Who a message goes to: the person as of now (contact details, language, chosen channel),
loaded for one message or for a whole page of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mobility.auth.models import User
from mobility.core.db import db
from mobility.notifications.models import CHANNELS, NotificationPreference
from mobility.organisations.models import Referent
from mobility.people.models import Beneficiary
from mobility.platforms.phones import InvalidPhoneNumber, default_region, normalise_mobile


@dataclass
class Recipient:
    """Who a message goes to, with their current contact details and language."""

    type: str
    id: int
    platform_id: int
    name: str
    email: str | None
    phone: str | None
    locale: str
    preferred_channel: str | None


def recipient_key(obj) -> tuple[str, int]:
    """`("user", 3)`, `("beneficiary", 7)` or `("referent", 2)` for a model instance."""
    if isinstance(obj, User):
        return "user", obj.id
    if isinstance(obj, Beneficiary):
        return "beneficiary", obj.id
    if isinstance(obj, Referent):
        return "referent", obj.id
    raise TypeError(f"cannot notify a {type(obj).__name__}")


_RECIPIENT_MODELS = {"user": User, "beneficiary": Beneficiary, "referent": Referent}
_PREFERENCE_COLUMNS = {"user": "user_id", "beneficiary": "beneficiary_id"}


def load_recipient(recipient_type: str, recipient_id: int) -> Recipient | None:
    """The recipient as of now (None when the record was deleted)."""
    return load_recipients([(recipient_type, recipient_id)]).get((recipient_type, recipient_id))


def load_recipients(keys) -> dict[tuple[str, int], Recipient]:
    """Recipients for many `(type, id)` keys in a few queries (one per type, plus the
    preferences and the logins), for the pages that list messages."""
    wanted: dict[str, set[int]] = {}
    for recipient_type, recipient_id in keys:
        wanted.setdefault(recipient_type, set()).add(recipient_id)
    out: dict[tuple[str, int], Recipient] = {}
    for recipient_type, ids in wanted.items():
        model = _RECIPIENT_MODELS[recipient_type]
        query = select(model).where(model.id.in_(ids))
        if recipient_type != "user":
            query = query.options(joinedload(model.user))
        objects = db.session.scalars(query).all()
        preferences = {}
        column = _PREFERENCE_COLUMNS.get(recipient_type)
        if column is not None:
            preferences = {
                getattr(p, column): p for p in db.session.scalars(
                    select(NotificationPreference)
                    .where(getattr(NotificationPreference, column).in_(ids)))
            }
        for obj in objects:
            preference = preferences.get(obj.id)
            login = obj if recipient_type == "user" else obj.user
            locale = (login.locale if login is not None and login.locale else None) or "fr"
            phone = getattr(obj, "phone", None)
            if recipient_type == "user":
                phone = preference.phone if preference else None
            out[(recipient_type, obj.id)] = Recipient(
                type=recipient_type, id=obj.id, platform_id=obj.platform_id,
                name=obj.full_name, email=obj.email, phone=phone, locale=locale,
                preferred_channel=preference.channel if preference else None,
            )
    return out


def has_mobile(phone: str | None, region: str | None = None) -> bool:
    try:
        normalise_mobile(phone, region)
    except InvalidPhoneNumber:
        return False
    return True


def choose_channel(recipient: Recipient) -> str:
    """The person's chosen channel; else SMS for a beneficiary with a mobile number, else
    e-mail when there is an address, else a phone call by the advisor."""
    if recipient.preferred_channel in CHANNELS:
        return recipient.preferred_channel
    if recipient.type == "beneficiary" and has_mobile(
            recipient.phone, default_region(recipient.platform_id)):
        return "sms"
    if recipient.email:
        return "email"
    return "call"


def recipients_of(messages) -> dict[tuple[str, int], Recipient]:
    """The recipients of `messages`, loaded together."""
    return load_recipients({(m.recipient_type, m.recipient_id) for m in messages})


def recipient_names(messages, recipients: dict | None = None) -> dict[tuple[str, int], str]:
    """Display names of the recipients of `messages` (for the pages)."""
    recipients = recipients if recipients is not None else recipients_of(messages)
    return {(m.recipient_type, m.recipient_id):
            getattr(recipients.get((m.recipient_type, m.recipient_id)), "name", "—")
            for m in messages}


def recipient_contact(message) -> Recipient | None:
    """The recipient of an outbox message, as of now."""
    return load_recipient(message.recipient_type, message.recipient_id)


def recipient_object(message):
    """The `User`, `Beneficiary` or `Referent` an outbox message goes to (None when deleted)."""
    return db.session.get(_RECIPIENT_MODELS[message.recipient_type], message.recipient_id)
