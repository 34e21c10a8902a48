"""Pages: the outbox (admins), calls to make and failed messages (advisors), channel choices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from mobility.auth.policies import get_or_404, requires_roles
from mobility.auth.roles import ADMIN, ADVISOR, ALL_ROLES, BENEFICIARY, FLEET_MANAGER, PRESCRIBER
from mobility.dashboard.views import dashboard_panel
from mobility.errors import ValidationFailed
from mobility.extensions import db
from mobility.notifications import services
from mobility.notifications.forms import ActionForm, ChannelForm
from mobility.notifications.models import (
    CHANNEL_LABELS,
    NEEDS_ADVISOR,
    STATUS_LABELS,
    OutboxMessage,
)
from mobility.people.models import Beneficiary
from mobility.templating import nav_item

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE_SIZE = 50

nav_item("notifications.tasks", _l("Calls to make"), {ADVISOR})
nav_item("notifications.outbox", _l("Outbox"), {ADMIN})
nav_item("notifications.preferences", _l("My notifications"),
         {BENEFICIARY, FLEET_MANAGER, PRESCRIBER})


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
    recipients = services.recipients_of(messages)

    def recipient(m):
        return recipients.get((m.recipient_type, m.recipient_id))

    return render_template(
        "notifications/tasks.html", messages=messages, form=ActionForm(),
        names=services.recipient_names(messages, recipients),
        contacts={m.id: recipient(m) for m in messages},
        previews={m.id: services.preview(m, recipient(m))[0] for m in messages},
    )


@bp.route("/outbox")
@requires_roles(ADMIN)
def outbox():
    status = request.args.get("status") or None
    if status is not None and status not in STATUS_LABELS:
        status = None
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    query = select(OutboxMessage).where(OutboxMessage.platform_id == current_user.platform_id)
    if status:
        query = query.where(OutboxMessage.status == status)
    messages = list(db.session.scalars(
        query.order_by(OutboxMessage.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    recipients = services.recipients_of(messages)
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.platform_id == current_user.platform_id)
        .group_by(OutboxMessage.status)).all())
    return render_template(
        "notifications/outbox.html", messages=messages, status=status, page=page,
        has_next=len(messages) == PAGE_SIZE, counts=counts, statuses=STATUS_LABELS,
        names=services.recipient_names(messages, recipients), form=ActionForm(),
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
    preference = services.preference_for(user=user, beneficiary=beneficiary)
    form = ChannelForm()
    if beneficiary is not None:
        recipient = services.load_recipient("beneficiary", beneficiary.id)
    else:
        recipient = services.load_recipient("user", user.id)
    if request.method == "GET":
        form.channel.data = services.choose_channel(recipient)
        form.phone.data = preference.phone if preference else ""
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if beneficiary is not None:
                    services.set_beneficiary_channel(current_user, beneficiary,
                                                     channel=form.channel.data)
                else:
                    services.set_user_channel(current_user, user, channel=form.channel.data,
                                              phone=form.phone.data)
            except ValidationFailed as error:
                for name, message in (error.details or {}).items():
                    getattr(form, name, form.channel).errors.append(str(message))
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
