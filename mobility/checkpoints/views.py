"""Page: the checkpoint screen (one form, one transaction) with the rental's history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from fleet.models import Rental, Site
from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.checkpoints import services
from mobility.checkpoints.forms import checkpoint_form
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import gettext as _
from mobility.payments import gateway
from mobility.payments import services as payments
from mobility.pricing.services import ensure_terms, rental_quote
from mobility.web.forms import errors_onto_form

bp = Blueprint("checkpoints", __name__, url_prefix="/checkpoints")
#: the form's field for each refusal of `record_checkpoint` not named as a field
FIELD_OF_DETAIL = {"payment.amount_cents": "amount", "payment.method": "method",
                   "condition": "condition_note"}


@bp.route("/rentals/<int:rental_id>", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN)
def checkpoint(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    form = checkpoint_form(rental.vehicle.kind)
    form.set_sites(db.session.scalars(scoped(Site, current_user).order_by(Site.name)),
                   rental.vehicle.site_id)
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                done = services.record_checkpoint(
                    current_user, rental, day=form.date.data, odometer_km=form.odometer_km.data,
                    condition=form.condition(), payment=form.payment(),
                    condition_note=form.condition_note.data, note=form.note.data,
                    exit_solution=form.exit_solution.data, next_date=form.next_date.data,
                    next_time=form.next_time.data, next_site_id=form.appointment_place()[0],
                    next_place=form.appointment_place()[1],
                    send_to_referent=form.send_to_referent.data)
            except ValidationFailed as error:
                errors_onto_form(form, ValidationFailed(details={
                    FIELD_OF_DETAIL.get(name, name): message
                    for name, message in (error.details or {}).items()}))
                status = 400
            else:
                if done.over_allowance:
                    flash(_("Over the mileage allowance: discuss it with the beneficiary; the "
                            "rental can be ended."), "warning")
                flash(_("The checkpoint was recorded."), "success")
                if done.payment is not None and done.payment.method == "stripe":
                    flash(_("Online payment started: the person pays it from their home page, "
                            "or at this link: %(url)s",
                            url=url_for("payments.pay_online", payment_id=done.payment.id,
                                        _external=True)), "info")
                return redirect(url_for("checkpoints.checkpoint", rental_id=rental.id))
        else:
            status = 400
    elif not form.date.data:
        form.date.data = utcnow().date()
    terms = ensure_terms(rental)
    previous = services.last_reading(rental)
    planned = services.next_appointment_of(rental) if rental.status == "in_progress" else None
    return render_template(
        "checkpoints/checkpoint.html", rental=rental, form=form,
        history=services.checkpoints_of(rental), previous=previous, terms=terms,
        quote=rental_quote(rental, terms), ledger=payments.ledger(rental),
        stripe_on=gateway.is_configured(), planned=planned,
        closed=rental.status not in ("booked", "in_progress"),
    ), status
