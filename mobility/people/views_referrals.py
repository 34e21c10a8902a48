"""Referral pages: the list, the form (prescribers and advisors), the decision (advisors)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, PRESCRIBER
from mobility.core.translations import gettext as _
from mobility.organisations.models import PARTNER_OPERATOR_KINDS, PartnerOrganisation
from mobility.pagination import page_cursor_arg
from mobility.people import forms, services
from mobility.people import models as m
from mobility.people.models import Referral
from mobility.people.views import STAFF, bp
from mobility.web.forms import attempt


@bp.route("/referrals")
@requires_roles(ADMIN, ADVISOR, PRESCRIBER)
def referrals():
    status = request.args.get("status") or None
    if status not in (None, *m.REFERRAL_STATUSES):
        status = None
    return render_template("people/referrals.html", referrals=services.referral_page(
        current_user, status=status, cursor=page_cursor_arg()), status=status)


def _organisation_choices(form: forms.ReferralForm) -> None:
    organisations = db.session.scalars(scoped(PartnerOrganisation, current_user).where(
        PartnerOrganisation.kind.not_in(PARTNER_OPERATOR_KINDS))
        .order_by(PartnerOrganisation.name)).all()
    form.organisation_id.choices = [forms.EMPTY] + [(o.id, o.name) for o in organisations]


@bp.route("/referrals/new", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR, PRESCRIBER)
def new_referral():
    form = forms.ReferralForm()
    _organisation_choices(form)
    if current_user.role == PRESCRIBER:
        del form.organisation_id

    def submit():
        names = [n for n in forms.ReferralForm.FIELDS if getattr(form, n, None) is not None]
        values = forms.form_values(form, names)
        if current_user.role != PRESCRIBER and values.get("organisation_id") is None:
            raise ValidationFailed(details={
                "organisation_id": _("Choose the partner organisation.")})
        return services.submit_referral(current_user, values)

    status = 200
    if request.method == "POST":
        referral, status = attempt(form, submit)
        if referral is not None:
            flash(_("The referral was sent to the mobility platform."), "success")
            return redirect(url_for("people.referral", referral_id=referral.id))
    return render_template("people/referral_form.html", form=form), status


@bp.route("/referrals/<int:referral_id>")
@requires_roles(ADMIN, ADVISOR, PRESCRIBER)
def referral(referral_id: int):
    item = get_or_404(Referral, referral_id, current_user)
    accept_form = decline_form = duplicates = None
    if current_user.role in STAFF and item.status == "submitted":
        accept_form, decline_form = _decision_forms(item)
        duplicates = services.find_duplicates(current_user.platform_id, item.first_name,
                                              item.last_name, item.birth_date)
    return render_template("people/referral.html", referral=item, accept_form=accept_form,
                           decline_form=decline_form, duplicates=duplicates)


def _decision_forms(item: Referral):
    accept_form = forms.AcceptForm(prefix="accept")
    candidates = services.find_duplicates(current_user.platform_id, item.first_name,
                                          item.last_name, item.birth_date)
    accept_form.beneficiary_id.choices = [("", _("Create a new file"))] + [
        (b.id, f"{b.full_name} ({b.birth_date.isoformat() if b.birth_date else '—'})")
        for b in candidates]
    return accept_form, forms.DeclineForm(prefix="decline")


@bp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def accept_referral(referral_id: int):
    item = get_or_404(Referral, referral_id, current_user, action="edit")
    accept_form, _decline = _decision_forms(item)
    if not accept_form.validate_on_submit():
        raise ValidationFailed(details={k: " ".join(map(str, v))
                                        for k, v in accept_form.errors.items()})
    try:
        item = services.accept_referral(current_user, item,
                                        beneficiary_id=accept_form.beneficiary_id.data)
    except Conflict as error:
        if error.code == "duplicate_beneficiary":
            flash(_("A file with the same name and birth date exists: choose it below to link "
                    "the referral to it."), "error")
            return redirect(url_for("people.referral", referral_id=referral_id))
        raise
    flash(_("The referral was accepted and the pathway opened."), "success")
    return redirect(url_for("people.beneficiary", beneficiary_id=item.beneficiary_id))


@bp.route("/referrals/<int:referral_id>/decline", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def decline_referral(referral_id: int):
    item = get_or_404(Referral, referral_id, current_user, action="edit")
    form = forms.DeclineForm(prefix="decline")
    if not form.validate_on_submit():
        accept_form, _decline = _decision_forms(item)
        return render_template("people/referral.html", referral=item, accept_form=accept_form,
                               decline_form=form, duplicates=[]), 400
    services.decline_referral(current_user, item, reason=form.reason.data)
    flash(_("The referral was declined; the prescriber sees the reason."), "success")
    return redirect(url_for("people.referral", referral_id=referral_id))


