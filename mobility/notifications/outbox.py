"""The outbox: enqueue in the caller's transaction, claim, send, retry with backoff, and what
the SMS provider reports back.

- `enqueue_notification(...)` inserts one row with `INSERT ... ON CONFLICT (key) DO NOTHING`
  in the *current* transaction: the message exists if and only if what caused it commits, and
  the same key never gives two messages.
- `send_due_messages()` claims due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the
  `BEGIN IMMEDIATE` write lock on SQLite), marks them `sending` and commits, then sends them
  outside any transaction, then records each outcome. Two senders never claim the same row.
- `record_delivery_report(...)`: an SMS that will not arrive goes again by e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mobility.core.columns import utcnow
from mobility.core.db import db, write_transaction
from mobility.core.translations import gettext
from mobility.notifications import needs
from mobility.notifications.calendar import events_for_message, to_ics
from mobility.notifications.kinds import KINDS
from mobility.notifications.models import CHANNELS, SECRET_CONTEXT_KEYS, OutboxMessage
from mobility.notifications.recipients import (
    Recipient,
    choose_channel,
    load_recipient,
    recipient_key,
    recipient_object,
)
from mobility.notifications.rendering import (
    absolute_link,
    decode_context,
    encode_context,
    render_message,
)
from mobility.notifications.settings import setting
from mobility.notifications.transports import (
    DeliveryError,
    NotConfigured,
    SmsTransport,
    SmtpTransport,
    email_configured,
    sms_configured,
)
from mobility.platforms.phones import InvalidPhoneNumber, default_region, normalise_mobile

log = logging.getLogger(__name__)


# --- enqueue ----------------------------------------------------------------------------------

def enqueue_notification(*, kind: str, key: str, recipient, context: dict | None = None,
                         advisor_id: int | None = None, about: tuple[str, int] | None = None,
                         channel: str | None = None, send_after: datetime | None = None,
                         platform_id: int | None = None) -> bool:
    """Add a message to the outbox in the current transaction (the caller commits).

    `key` identifies the event *and* the recipient (e.g. `rental:12:return_due:2026-03-02:
    beneficiary:7`); enqueueing the same key again does nothing and returns False.
    `recipient` is a `User`, `Beneficiary` or `Referent`; `channel` overrides their choice;
    `advisor_id` is who sees the call task or a final failure; `about` names the record,
    e.g. `("rental", 12)`. Returns True when a new message was written.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    recipient_type, recipient_id = recipient_key(recipient)
    details = load_recipient(recipient_type, recipient_id)
    channel = channel or choose_channel(details)
    now = utcnow()
    values = dict(
        key=key[:255], kind=kind, channel=channel, recipient_type=recipient_type,
        recipient_id=recipient_id, locale=details.locale, context=encode_context(context),
        advisor_id=advisor_id, object_type=about[0] if about else None,
        object_id=about[1] if about else None,
        status="to_call" if channel == "call" else "pending", attempts=0,
        next_attempt_at=send_after or now, created_at=now,
        platform_id=platform_id or details.platform_id,
    )
    db.session.flush()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__
    statement = (insert(table).values(**values).on_conflict_do_nothing(index_elements=["key"])
                 .returning(table.c.id))
    return db.session.execute(statement).scalar() is not None


# --- sending ----------------------------------------------------------------------------------

@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return gettext("sent %(sent)d, retry later %(retried)d, failed %(failed)d, held "
                       "%(held)d", sent=self.sent, retried=self.retried, failed=self.failed,
                       held=self.held)


def backoff_s(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt: base * 2**(n-1), capped."""
    base, cap = setting("NOTIFY_RETRY_BASE_S"), setting("NOTIFY_RETRY_MAX_S")
    return int(min(cap, base * 2 ** max(0, attempts - 1)))


def _configured_channels() -> list[str]:
    return [c for c, ok in (("email", email_configured()), ("sms", sms_configured())) if ok]


def _claim(now: datetime, limit: int, kinds: tuple[str, ...] | None = None
           ) -> tuple[list[int], str]:
    """Mark up to `limit` due messages (of `kinds`, or all) as ours; commits before returning."""
    token = uuid.uuid4().hex
    table = OutboxMessage.__table__
    with write_transaction():
        # a sender that died while sending: try again (the message may have gone out)
        stale = now - timedelta(seconds=setting("NOTIFY_STALE_CLAIM_S"))
        db.session.execute(
            update(table).where(table.c.status == "sending", table.c.claimed_at < stale)
            .values(status="pending", claim_token=None,
                    last_error="interrupted while sending; it may have gone out once already")
        )
        channels = _configured_channels()
        unconfigured = [c for c in ("email", "sms") if c not in channels]
        if unconfigured:
            db.session.execute(
                update(table).where(table.c.status == "pending",
                                    table.c.channel.in_(unconfigured))
                .values(status="held", last_error="no sending service configured "
                                                  "(SMTP_HOST / SMS_PROVIDER settings)")
            )
        if not channels:
            return [], token
        due = select(table.c.id).where(
            table.c.status.in_(("pending", "held")), table.c.channel.in_(channels),
            table.c.next_attempt_at <= now,
        )
        if kinds:
            due = due.where(table.c.kind.in_(kinds))
        ids = list(db.session.scalars(
            due.order_by(table.c.next_attempt_at, table.c.id).limit(limit)
            .with_for_update(skip_locked=True)
        ))
        if ids:
            db.session.execute(
                update(table).where(table.c.id.in_(ids))
                .values(status="sending", claimed_at=now, claim_token=token)
            )
    return ids, token


def _address(message: OutboxMessage, recipient: Recipient) -> str:
    if message.channel == "email":
        if not recipient.email:
            raise DeliveryError("no e-mail address")
        try:
            return validate_email(recipient.email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise DeliveryError("malformed e-mail address") from error
    try:
        return normalise_mobile(recipient.phone, default_region(message.platform_id))
    except InvalidPhoneNumber as error:
        # not permanent: a corrected number on the file heals the message at its next attempt
        raise DeliveryError("missing or malformed mobile number (or a landline)") from error


def status_token(message_id: int) -> str:
    """The secret part of a message's delivery-status URL (HMAC of its id with SECRET_KEY)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"sms-status:{message_id}".encode(), hashlib.sha256).hexdigest()[:32]


def status_url(message: OutboxMessage) -> str:
    """Where the SMS provider reports what became of the message (Brevo webUrl, OVH callBack)."""
    return absolute_link("notifications.sms_status", message_id=message.id,
                         token=status_token(message.id))


def _with_sign_in_link(message: OutboxMessage, context: dict) -> dict:
    """A beneficiary's link into the platform becomes a single-use sign-in link."""
    if (message.recipient_type != "beneficiary" or not context.get("link")
            or not setting("SIGNIN_LINKS")):
        return context
    link = needs.sign_in_link(beneficiary_id=message.recipient_id, url=context["link"],
                            message_id=message.id)
    return {**context, "link": link} if link else context


def _deliver(message: OutboxMessage, smtp: SmtpTransport, sms) -> tuple[str, str | None]:
    """Send one claimed message; returns the address used and the provider's message id,
    raises `DeliveryError`."""
    recipient = load_recipient(message.recipient_type, message.recipient_id)
    if recipient is None:
        raise DeliveryError("the recipient no longer exists")
    address = _address(message, recipient)
    context = {"recipient_name": recipient.name, **decode_context(message.context)}
    try:
        context = _with_sign_in_link(message, context)
        rendered = render_message(message.kind, message.locale, context)
        events = events_for_message(message, context) if message.channel == "email" else []
        attachments = (("rendez-vous.ics", "text/calendar",
                        to_ics(events, locale=message.locale or "fr")),) if events else ()
    except DeliveryError:
        raise
    except Exception as error:  # a template error must not stop the other messages
        raise DeliveryError(f"template error: {error.__class__.__name__}: {error}"[:500]) from error
    if message.channel == "email":
        smtp.send(to=address, subject=rendered.subject, text=rendered.text,
                  html=rendered.html, key=message.key, attachments=attachments)
        return address, None
    provider_id = sms.send(to=address, text=rendered.sms, key=message.key,
                           status_url=status_url(message))
    return address, provider_id


MASK = "••••••"


def mask_secrets(kind: str, context: dict | None) -> dict:
    """The context with its secret values replaced by a mask."""
    context = dict(context or {})
    for name in SECRET_CONTEXT_KEYS.get(kind, ()):
        if context.get(name):
            context[name] = MASK
    return context


def _record(message_id: int, token: str, *, error: DeliveryError | None,
            address: str | None, report: SendReport, provider_id: str | None = None) -> None:
    with write_transaction():
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.id == message_id,
                                        OutboxMessage.claim_token == token)
            .with_for_update()
        )
        if message is None:  # reclaimed as stale meanwhile: the other sender records it
            return
        now = utcnow()
        message.claim_token = None
        if address:
            message.to_address = address
        if error is None:
            message.status, message.sent_at, message.last_error = "sent", now, None
            message.attempts += 1
            if message.channel == "sms":
                message.provider_message_id = provider_id
                if message.delivery_status is None:  # a report may have come back already
                    message.delivery_status, message.delivery_updated_at = "sent", now
            message.context = mask_secrets(message.kind, message.context)
            report.sent += 1
        elif isinstance(error, NotConfigured):
            message.status, message.last_error = "held", str(error)
            report.held += 1
        else:
            message.attempts += 1
            message.last_error = str(error)[:2000]
            report.errors.append(str(error))
            if error.permanent or message.attempts >= setting("NOTIFY_MAX_ATTEMPTS"):
                message.status = "failed"
                message.context = mask_secrets(message.kind, message.context)
                report.failed += 1
                if message.channel == "sms":
                    message.delivery_status, message.delivery_updated_at = "failed", now
                    message.delivery_reason = str(error)[:255]
                    _fall_back_to_email(message)
            else:
                message.status = "pending"
                wait = max(backoff_s(message.attempts), error.retry_after_s or 0)
                message.next_attempt_at = now + timedelta(seconds=wait)
                report.retried += 1


def send_due_messages(*, now: datetime | None = None, batch_size: int | None = None,
                      max_batches: int = 20, kinds: tuple[str, ...] | None = None
                      ) -> SendReport:
    """Send every message due now (in batches), or only those of `kinds` (sign-in codes are
    sent at once by the web request instead of waiting for the scheduler)."""
    report = SendReport()
    batch_size = batch_size or setting("NOTIFY_BATCH_SIZE")
    with SmtpTransport() as smtp, SmsTransport() as sms:
        for _ in range(max_batches):
            ids, token = _claim(now or utcnow(), batch_size, kinds)
            if not ids:
                break
            for message_id in ids:
                message = db.session.get(OutboxMessage, message_id, populate_existing=True)
                try:
                    address, provider_id = _deliver(message, smtp, sms)
                    error = None
                except DeliveryError as failure:
                    address, provider_id, error = None, None, failure
                    log.warning("notification %s not sent: %s", message_id, failure)
                db.session.rollback()  # end the read transaction before writing
                _record(message_id, token, error=error, address=address, report=report,
                        provider_id=provider_id)
            if len(ids) < batch_size:
                break
    return report


# --- delivery reports -------------------------------------------------------------------------

#: provider words for a message that reached the phone, is on its way, or will never arrive
_DELIVERED = {"delivered", "delivery_ok", "1"}
_ON_ITS_WAY = {"sent", "accepted", "queued", "buffered", "submitted", "pending", "4", "8"}


def _fall_back_to_email(message: OutboxMessage) -> None:
    """An SMS that will not arrive goes again by e-mail, when the person has an address
    (in the caller's transaction); the failed SMS is then handled, not left to the advisor."""
    if not setting("SMS_FALLBACK_TO_EMAIL") or message.fallback_id is not None:
        return
    if message.kind in SECRET_CONTEXT_KEYS:
        # its secret is masked once the SMS left: a copy would carry the mask, not the code;
        # the person asks for a new code (the portal offers e-mail)
        return
    recipient = load_recipient(message.recipient_type, message.recipient_id)
    if recipient is None or not recipient.email:
        return
    key = f"{message.key}:email"[:255]
    enqueue_notification(
        kind=message.kind, key=key, recipient=recipient_object(message),
        context=decode_context(message.context), advisor_id=message.advisor_id,
        about=(message.object_type, message.object_id) if message.object_type else None,
        channel="email", platform_id=message.platform_id)
    fallback = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if fallback is not None:
        message.fallback_id = fallback.id
        message.status, message.handled_at = "handled", utcnow()
        message.last_error = (f"{message.last_error or message.delivery_reason or ''}; "
                              "sent again by e-mail").strip("; ")[:2000]


def record_delivery_report(message_id: int, *, status: str, reason: str | None = None,
                           provider_id: str | None = None) -> OutboxMessage | None:
    """What the provider says became of an SMS: `delivered`, on its way, or failed (with the
    reason). A failure falls back to e-mail. Returns the message (None when unknown)."""
    word = (status or "").strip().lower()
    with write_transaction():
        message = db.session.get(OutboxMessage, message_id, with_for_update=True)
        if message is None or message.channel != "sms":
            return None
        if (provider_id and message.provider_message_id
                and str(provider_id) != message.provider_message_id):
            return None  # a report about another message of the same job
        now = utcnow()
        if word in _DELIVERED:
            message.delivery_status, message.delivery_reason = "delivered", None
        elif word in _ON_ITS_WAY:
            if message.delivery_status != "delivered":
                message.delivery_status = "sent"
        else:
            message.delivery_status = "failed"
            message.delivery_reason = (reason or word or "not delivered")[:255]
            if message.status == "sent":
                message.status = "failed"
                message.last_error = f"not delivered: {message.delivery_reason}"
                _fall_back_to_email(message)
        message.delivery_updated_at = now
    return message
