"""Pages: rentals' money (list, ledger, deposit screen), the beneficiary's online payment page
and the Stripe webhook."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from fleet.models import Rental
from mobility.api.idempotency import claim_form_token
from mobility.auth.policies import get_or_404, public, requires_roles
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.fleet_web import lists
from mobility.pagination import page_cursor_arg
from mobility.payments import gateway, services
from mobility.payments.forms import DepositForm, KeepForm, PaymentForm, SchemeForm
from mobility.payments.models import Payment
from mobility.pricing import services as pricing
from mobility.rentals import lifecycle
from mobility.web.forms import errors_onto_form

bp = Blueprint("payments", __name__)
webhook_bp = Blueprint("stripe_webhook", __name__, url_prefix="/stripe")

STAFF = (ADMIN, ADVISOR, FLEET_MANAGER)


@bp.route("/payments/rentals")
@requires_roles(ADVISOR, ADMIN, FLEET_MANAGER)
def rentals():
    """Rentals with what each has paid and owes: the open ones first, a page at a time."""
    filters = lists.rental_filters_from_args()
    rows = lists.rental_page(current_user, filters, cursor=page_cursor_arg())
    return render_template("payments/rentals.html", rentals=rows, filters=filters,
                           statuses=lists.rental_status_choices(),
                           ledgers=services.balances(rows.items))


def _ledger_page(rental, status: int = 200, **forms):
    terms = pricing.ensure_terms(rental)
    quote = pricing.rental_quote(rental, terms)
    forms.setdefault("payment_form", PaymentForm(formdata=None))
    forms.setdefault("scheme_form", SchemeForm(formdata=None, scheme=terms.scheme))
    return render_template(
        "payments/ledger.html", rental=rental, terms=terms, quote=quote,
        ledger=services.ledger(rental), deposit=services.deposit_of(rental),
        payment_rows=services.payments_of(rental),
        line_label=partial(pricing.line_label,
                           show_situation=current_user.role in pricing.SITUATION_ROLES),
        scheme_labels=pricing.SCHEME_LABELS,
        stripe_on=gateway.is_configured(), **forms,
    ), status


@bp.route("/payments/rentals/<int:rental_id>")
@requires_roles(ADVISOR, ADMIN, FLEET_MANAGER, BENEFICIARY)
def ledger(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user)
    return _ledger_page(rental)


@bp.route("/payments/rentals/<int:rental_id>/payments", methods=["POST"])
@requires_roles(ADVISOR, ADMIN)
def add_payment(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    form = PaymentForm()
    if not form.validate_on_submit():
        return _ledger_page(rental, 400, payment_form=form)
    if not claim_form_token(current_user, form.once.data):
        flash(_("This form was already sent: the payment is recorded once."), "info")
        return redirect(url_for("payments.ledger", rental_id=rental.id))
    try:
        services.record_payment(current_user, rental, amount_cents=form.amount.cents,
                                method=form.method.data, reference=form.reference.data,
                                paid_on=form.paid_on.data or utcnow().date())
    except ValidationFailed as error:
        db.session.rollback()
        errors_onto_form(form, error)
        return _ledger_page(rental, 400, payment_form=form)
    except services.DuplicateReference as error:
        db.session.rollback()
        form.reference.errors.append(str(error.message))  # a refusal about this one field
        return _ledger_page(rental, 409, payment_form=form)
    flash(_("The payment was recorded."), "success")
    return redirect(url_for("payments.ledger", rental_id=rental.id))


@bp.route("/payments/rentals/<int:rental_id>/scheme", methods=["POST"])
@requires_roles(ADVISOR, ADMIN)
def set_scheme(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    form = SchemeForm()
    if not form.validate_on_submit():
        return _ledger_page(rental, 400, scheme_form=form)
    try:
        lifecycle.change_scheme(current_user, rental, form.scheme.data)
    except DomainError as error:
        flash(lifecycle.explain(error), "error")
        return _ledger_page(rental, error.status, scheme_form=form)
    flash(_("The price plan was changed."), "success")
    return redirect(url_for("payments.ledger", rental_id=rental.id))


@bp.route("/payments/rentals/<int:rental_id>/deposit", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN)
def deposit(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    form = DepositForm(stripe_on=gateway.is_configured())
    keep_form = KeepForm(formdata=None)
    current = services.deposit_of(rental)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            method = form.method.data
            if method == "stripe":
                method = services.deposit_kind_for(rental)
            try:
                lifecycle.take_deposit(current_user, rental, method=method,
                                       reference=form.reference.data)
            except ValidationFailed as error:
                errors_onto_form(form, error)
                status = 400
            except DomainError as error:
                flash(lifecycle.explain(error), "error")
                status = error.status
            else:
                flash(_("The deposit was recorded."), "success")
                return redirect(url_for("payments.deposit", rental_id=rental.id))
        else:
            status = 400
    elif current is not None and current.is_stripe and current.status == "pending":
        try:
            services.sync_deposit(current)
            db.session.commit()
        except gateway.GatewayError:
            db.session.rollback()
    terms = pricing.ensure_terms(rental)
    return render_template(
        "payments/deposit.html", rental=rental, deposit=current, form=form,
        keep_form=keep_form, action_form=FlaskForm(), terms=terms,
        stripe_on=gateway.is_configured(), short_max=services.SHORT_RENTAL_MAX_DAYS,
    ), status


@bp.route("/payments/rentals/<int:rental_id>/deposit/release", methods=["POST"])
@requires_roles(ADVISOR, ADMIN)
def release_deposit(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed()
    current = services.deposit_of(rental)
    if current is None:
        raise ValidationFailed(_l("No deposit is recorded for this rental."))
    services.release_deposit(current_user, current)
    flash(_("The deposit was released."), "success")
    return redirect(url_for("payments.deposit", rental_id=rental.id))


@bp.route("/payments/rentals/<int:rental_id>/deposit/keep", methods=["POST"])
@requires_roles(ADVISOR, ADMIN)
def keep_deposit(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    form = KeepForm()
    current = services.deposit_of(rental)
    if current is None:
        raise ValidationFailed(_l("No deposit is recorded for this rental."))
    if form.validate_on_submit():
        try:
            services.keep_deposit(current_user, current, amount_cents=form.amount.cents,
                                  damage_note=form.damage_note.data)
        except ValidationFailed as error:
            errors_onto_form(form, error)
        else:
            flash(_("The amount was kept from the deposit; the rest was released."), "success")
            return redirect(url_for("payments.deposit", rental_id=rental.id))
    return render_template(
        "payments/deposit.html", rental=rental, deposit=current,
        form=DepositForm(formdata=None, stripe_on=gateway.is_configured()), keep_form=form,
        action_form=FlaskForm(), terms=pricing.ensure_terms(rental),
        stripe_on=gateway.is_configured(), short_max=services.SHORT_RENTAL_MAX_DAYS,
    ), 400


# -- the beneficiary pays online ----------------------------------------------------------

#: PaymentIntent statuses in which the card form is shown
_PAYABLE_INTENT = ("requires_payment_method", "requires_confirmation", "requires_action")


def _online_state(payment: Payment, intent: dict) -> str:
    """What the pay page shows: paid, cancelled, in_person (not an online payment),
    unavailable (Stripe not set up), processing, payable, or error (Stripe did not answer)."""
    if payment.status == "succeeded":
        return "paid"
    if payment.method != "stripe":
        return "in_person"
    if payment.status == "cancelled" or payment.rental.status == "cancelled":
        return "cancelled"
    if not gateway.can_pay_in_browser():
        return "unavailable"
    status = intent.get("status")
    if status == "processing":
        return "processing"
    if status in _PAYABLE_INTENT and payment.stripe_client_secret:
        return "payable"
    return "error"


def _own_payment(payment_id: int) -> Payment:
    """The payment, if it belongs to one of the signed-in beneficiary's rentals (the model's
    rule): another person's is refused (403, or 404 on another platform)."""
    return get_or_404(Payment, payment_id, current_user)


def _refresh(payment: Payment) -> dict:
    """Re-read the PaymentIntent from Stripe (never the browser's word)."""
    if payment.method != "stripe" or not gateway.is_configured():
        return {}
    try:
        return services.refresh_online_payment(payment, current_user)
    except gateway.GatewayError:
        db.session.rollback()
        return {"status": "unreachable"}


@bp.route("/payments/online/<int:payment_id>")
@requires_roles(BENEFICIARY)
def pay_online(payment_id: int):
    """The beneficiary pays a payment started at a checkpoint with their card (Stripe.js)."""
    payment = _own_payment(payment_id)
    intent = _refresh(payment)
    state = _online_state(payment, intent)
    return render_template(
        "payments/pay_online.html", payment=payment, rental=payment.rental, state=state,
        check_form=FlaskForm(), publishable_key=gateway.publishable_key(),
        stripe_js_url=gateway.js_url(),
        last_error=(intent.get("last_payment_error") or {}) if state == "payable" else {},
    ), 503 if state == "error" else 200


@bp.route("/payments/online/<int:payment_id>/check", methods=["POST"])
@requires_roles(BENEFICIARY)
def check_online_payment(payment_id: int):
    """After Stripe.js says the card was accepted: re-read the PaymentIntent from Stripe, then
    show what Stripe says (the page itself re-reads too, so a reload is always right)."""
    payment = _own_payment(payment_id)
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed()
    intent = _refresh(payment)
    if payment.status == "succeeded":
        flash(_("Thank you: your payment was received."), "success")
    elif intent.get("status") == "processing":
        flash(_("Your payment is being processed: this page will say when it is received."),
              "info")
    else:
        flash(_("Your payment has not been received. Nothing was charged: try again, or pay "
                "at your next checkpoint."), "warning")
    return redirect(url_for("payments.pay_online", payment_id=payment.id))


@webhook_bp.route("/webhook", methods=["POST"])
@public
def stripe_webhook():
    """Stripe's events: the signature is the authentication; duplicates change nothing."""
    event = gateway.construct_event(request.get_data(),
                                    request.headers.get("Stripe-Signature"))
    try:
        outcome = services.handle_event(event)
    except gateway.GatewayError as error:
        # Stripe retries on a non-2xx answer: let it, the event was not stored
        raise DomainError(error.message, code=error.code, status=503) from None
    return jsonify({"received": True, "outcome": outcome,
                    "duplicate": outcome == "duplicate"}), 200


bp.register_blueprint(webhook_bp)
