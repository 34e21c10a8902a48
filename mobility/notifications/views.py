"""Pages: the outbox (admins), calls to make and failed messages (advisors), channel choices."""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from mobility.auth.policies import get_or_404, public, requires_roles
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.extensions import csrf
from mobility.core.roles import ADMIN, ADVISOR, ALL_ROLES, BENEFICIARY
from mobility.core.translations import gettext as _
from mobility.notifications import outbox as outbox_service
from mobility.notifications import services
from mobility.notifications.forms import ActionForm, ChannelForm
from mobility.notifications.kinds import KINDS
from mobility.notifications.models import (
    CHANNEL_LABELS,
    NEEDS_ADVISOR,
    STATUS_LABELS,
    OutboxMessage,
)
from mobility.notifications.preferences import (
    preference_for,
    set_beneficiary_channel,
    set_user_channel,
)
from mobility.notifications.recipients import (
    choose_channel,
    load_recipient,
    recipient_names,
    recipients_of,
)
from mobility.notifications.rendering import render_message
from mobility.notifications.samples import sample_context
from mobility.notifications.segments import count_segments, gsm_friendly
from mobility.notifications.settings import setting
from mobility.pagination import page_cursor_arg, paginate
from mobility.people.models import Beneficiary
from mobility.platforms.phones import default_region, display_phone, is_mobile
from mobility.web.forms import errors_onto_form
from mobility.web.panels import dashboard_panel

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE_SIZE = 50


@dashboard_panel(ADVISOR, ADMIN)
def _advisor_panel(user):
    """Calls to make and messages that could not be sent."""
    query = select(OutboxMessage.status, func.count()).where(
        OutboxMessage.platform_id == user.platform_id,
        OutboxMessage.status.in_(NEEDS_ADVISOR + ("held",)),
    )
    if user.role == ADVISOR:
        query = query.where(or_(OutboxMessage.advisor_id == user.id,
                                OutboxMessage.advisor_id.is_(None)))
    counts = dict(db.session.execute(query.group_by(OutboxMessage.status)).all())
    if not any(counts.values()):
        return None
    return {"template": "notifications/_panel.html", "to_call": counts.get("to_call", 0),
            "failed": counts.get("failed", 0),
            "held": counts.get("held", 0) if user.role == ADMIN else 0}


@bp.route("/tasks")
@requires_roles(ADVISOR, ADMIN)
def tasks():
    messages = services.advisor_queue(current_user)
    recipients = recipients_of(messages)

    def recipient(m):
        return recipients.get((m.recipient_type, m.recipient_id))

    return render_template(
        "notifications/tasks.html", messages=messages, form=ActionForm(),
        names=recipient_names(messages, recipients),
        contacts={m.id: recipient(m) for m in messages},
        previews={m.id: services.preview(m, recipient(m))[0] for m in messages},
    )


@bp.route("/outbox")
@requires_roles(ADMIN)
def outbox():
    status = request.args.get("status") or None
    if status is not None and status not in STATUS_LABELS:
        status = None
    query = select(OutboxMessage).where(OutboxMessage.platform_id == current_user.platform_id)
    if status:
        query = query.where(OutboxMessage.status == status)
    messages = paginate(query, (OutboxMessage.id,), cursor=page_cursor_arg(), descending=True)
    recipients = recipients_of(messages)
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.platform_id == current_user.platform_id)
        .group_by(OutboxMessage.status)).all())
    return render_template(
        "notifications/outbox.html", messages=messages, status=status, counts=counts,
        statuses=STATUS_LABELS,
        names=recipient_names(messages, recipients), form=ActionForm(),
        previews={m.id: services.preview(m, recipients.get((m.recipient_type, m.recipient_id)))
                  for m in messages},
    )


def _back(default: str):
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(default))


@bp.route("/messages/<int:message_id>/<any(retry, handled, cancel):action>", methods=["POST"])
@requires_roles(ADVISOR, ADMIN)
def act(message_id: int, action: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    message = get_or_404(OutboxMessage, message_id, current_user, action="edit")
    if action == "retry":
        services.retry_message(current_user, message)
        flash(_("The message will be sent again in a minute."), "success")
    elif action == "handled":
        services.mark_handled(current_user, message)
        flash(_("Marked as handled."), "success")
    else:
        services.cancel_message(current_user, message)
        flash(_("The message was cancelled."), "success")
    return _back("notifications.tasks" if current_user.role == ADVISOR else "notifications.outbox")


def _own_beneficiary():
    return db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == current_user.id))


@bp.route("/preferences", methods=["GET", "POST"])
@requires_roles(ALL_ROLES)
def preferences():
    """Everyone chooses how reminders reach them."""
    beneficiary = _own_beneficiary() if current_user.role == BENEFICIARY else None
    if beneficiary is not None:
        return _channel_page(beneficiary=beneficiary, own=True)
    return _channel_page(user=current_user, own=True)


@bp.route("/beneficiaries/<int:beneficiary_id>/channel", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN)
def beneficiary_channel(beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, current_user, action="edit")
    return _channel_page(beneficiary=beneficiary, own=False)


def _channel_page(*, user=None, beneficiary=None, own: bool):
    preference = preference_for(user=user, beneficiary=beneficiary)
    form = ChannelForm()
    if beneficiary is not None:
        recipient = load_recipient("beneficiary", beneficiary.id)
    else:
        recipient = load_recipient("user", user.id)
    if request.method == "GET":
        form.channel.data = choose_channel(recipient)
        form.phone.data = preference.phone if preference else ""
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if beneficiary is not None:
                    set_beneficiary_channel(current_user, beneficiary,
                                            channel=form.channel.data)
                else:
                    set_user_channel(current_user, user, channel=form.channel.data,
                                     phone=form.phone.data)
            except ValidationFailed as error:
                errors_onto_form(form, error)
                status = 400
            else:
                flash(_("Your choice was saved."), "success")
                return redirect(request.path)
        else:
            status = 400
    return render_template(
        "notifications/preferences.html", form=form, own=own, beneficiary=beneficiary,
        recipient=recipient, chosen=preference is not None, channels=CHANNEL_LABELS,
        ask_phone=beneficiary is None,
    ), status


# --- phone numbers on pages -------------------------------------------------------------------

@bp.app_template_filter("phone")
def phone_filter(value: str | None) -> str:
    """`{{ person.phone|phone }}`: national form in the platform's country, else international."""
    platform_id = getattr(current_user, "platform_id", None) if current_user else None
    return display_phone(value, default_region(platform_id))


# --- delivery reports from the SMS provider -----------------------------------------------------

#: provider events that say nothing about delivery (a reply, an opt-out): acknowledged, ignored
_IGNORED_EVENTS = {"replied", "reply", "subscribe", "unsubscribe", "unsubscribed"}


def _report_fields() -> tuple[str, str | None, str | None]:
    """(status, reason, provider id) from Brevo's JSON (`msg_status`/`event`, `messageId`,
    `description`/`reason`) or OVH's receipt (`dlr`, `id`, `description`, query or form)."""
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        data = {**request.args.to_dict(), **request.form.to_dict()}
    status = str(data.get("msg_status") or data.get("event") or data.get("status")
                 or data.get("dlr") or "")
    reason = data.get("description") or data.get("reason") or data.get("error")
    provider_id = data.get("messageId") or data.get("message_id") or data.get("id")
    return status, (str(reason)[:255] if reason else None), \
        (str(provider_id) if provider_id is not None else None)


@bp.route("/sms-status/<int:message_id>/<token>", methods=["GET", "POST"])
@csrf.exempt
@public
def sms_status(message_id: int, token: str):
    """The SMS provider's delivery report (Brevo `webUrl`, OVH `callBack`): the URL's token
    is the message's HMAC, so nobody else can mark a message delivered or failed."""
    if not hmac.compare_digest(token, outbox_service.status_token(message_id)):
        abort(404)
    status, reason, provider_id = _report_fields()
    if not status:
        return {"error": "missing status"}, 400
    if status.strip().lower() not in _IGNORED_EVENTS and outbox_service.record_delivery_report(
            message_id, status=status, reason=reason, provider_id=provider_id) is None:
        abort(404)
    return {"ok": True}


# --- message templates and their SMS length -----------------------------------------------------

@bp.route("/templates")
@requires_roles(ADMIN)
def templates():
    """Each kind's SMS as sent, with its segment count; and a counter for a text to try."""
    rows = []
    for kind, label in KINDS.items():
        try:
            sms = render_message(kind, "fr", sample_context(kind,
                                                            setting("PUBLIC_BASE_URL"))).sms
        except Exception as error:  # shown next to the kind, like the outbox does
            rows.append({"kind": kind, "label": label, "sms": None, "error": str(error)})
            continue
        rows.append({"kind": kind, "label": label, "sms": sms, "count": count_segments(sms)})
    text = request.args.get("text", "")[:2000]
    tried = count_segments(gsm_friendly(text)) if text else None
    return render_template("notifications/templates.html", rows=rows, text=text, tried=tried)


@bp.app_context_processor
def _notification_helpers():
    """`last_reminder(beneficiary_id)` and `phone_is_mobile(phone, platform_id)` for the
    person's file."""
    def phone_is_mobile(phone, platform_id=None):
        return is_mobile(phone, default_region(platform_id))

    return {"last_reminder": services.last_reminder, "phone_is_mobile": phone_is_mobile}
