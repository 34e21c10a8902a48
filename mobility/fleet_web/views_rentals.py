"""Fleet pages of a rental: finding a vehicle and booking it, the rental's page and its steps
(end date, deposit exemption, settlement, cancellation, inspections, sign-off, return slot),
the returns board. Routes on `mobility.fleet_web.views.bp`."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from fleet import services
from fleet.models import CHECKLIST_LABELS, CHECKLISTS, VEHICLE_KIND_LABELS, Inspection, Rental
from mobility.auth.policies import get_or_404, requires_roles
from mobility.core.dates import local_today
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, STAFF
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.fleet_web import forms, lists
from mobility.fleet_web.access import BOOKERS, FLEET
from mobility.fleet_web.pages import (
    check_csrf,
    flash_refusal,
    platform_sites,
    redirect_back,
    to_cents,
)
from mobility.fleet_web.views import bp
from mobility.pagination import PAGE_SIZE, page_cursor_arg, paginate
from mobility.people.documents import documents_of, expiry_text
from mobility.people.models import Beneficiary
from mobility.people.services import search_beneficiaries
from mobility.rentals import lifecycle
from mobility.web.forms import errors_onto_form
from mobility.web.uploads import upload_settings

#: rows of each bucket on the whole returns board ("see all" opens the bucket's pages)
BOARD_ROWS = 20


def _person_to_book_for(beneficiary_id: int | None) -> Beneficiary | None:
    """The person the advisor is booking for (carried from their file or a quote), checked."""
    if not beneficiary_id:
        return None
    return get_or_404(Beneficiary, beneficiary_id, current_user)


@bp.route("/availability")
@requires_roles(STAFF)
def availability():
    """Find a vehicle, for a person chosen first (from their file, a quote, or searched here
    among the people whose pathway is in progress)."""

    form = forms.AvailabilityForm(request.args)
    form.site_id.choices = [("", _("All sites"))] + [(s.id, s.name) for s in platform_sites()]
    person = _person_to_book_for(request.args.get("beneficiary_id", type=int))
    found = None
    if current_user.role in BOOKERS and person is None and (request.args.get("q") or "").strip():
        found = search_beneficiaries(current_user, q=request.args["q"][:100], limit=20,
                                     open_pathway=True)
    result = None
    status = 200
    if request.args.get("start"):
        if form.validate():
            try:
                result = services.search_availability(
                    current_user.platform_id, start=form.start.data, end=form.end.data,
                    kind=form.kind.data or None, site_id=form.site_id.data)
            except DomainError as error:
                errors_onto_form(form, error)
                status = 400
        else:
            status = 400
    else:
        form.start.data = local_today()
        form.end.data = local_today() + timedelta(days=28)
    booking_form = forms.BookingForm()
    booking_form.scheme.data = request.args.get("scheme") or "bougez"
    return render_template("fleet/availability.html", form=form, result=result,
                           booking_form=booking_form, person=person, found=found,
                           can_book=current_user.role in BOOKERS
                           and (person is None or person.open_pathway is not None)), status


@bp.route("/rentals", methods=["GET", "POST"])
@requires_roles(STAFF)
def rentals():
    if request.method == "POST":
        if current_user.role not in BOOKERS:
            raise ValidationFailed(_l("You are not allowed to do this."), status=403,
                                   code="forbidden")
        form = forms.BookingForm()
        if not form.validate_on_submit():
            flash(_("Some fields are missing or not valid."), "error")
            return redirect(url_for("fleet.availability",
                                    beneficiary_id=form.beneficiary_id.data or None))
        try:
            rental = lifecycle.book(
                current_user, beneficiary_id=form.beneficiary_id.data,
                vehicle_id=form.vehicle_id.data, start=form.start.data, end=form.end.data,
                scheme=form.scheme.data or "bougez",
                overrides=lifecycle.BookingOverrides(
                    no_assessment=form.no_assessment_reason.data,
                    second_vehicle=form.second_vehicle_reason.data))
        except DomainError as error:
            flash_refusal(error)
            return redirect(url_for("fleet.availability", start=form.start.data,
                                    end=form.end.data, beneficiary_id=form.beneficiary_id.data,
                                    kind=request.form.get("kind") or None,
                                    scheme=form.scheme.data)), 303
        flash(_("The vehicle is booked."), "success")
        return redirect(url_for("fleet.rental", rental_id=rental.id))
    filters = lists.rental_filters_from_args()
    page = lists.rental_page(current_user, filters, cursor=page_cursor_arg())
    return render_template("fleet/rentals.html", rentals=page, today=local_today(),
                           filters=filters, sites=platform_sites(), kinds=VEHICLE_KIND_LABELS,
                           statuses=lists.rental_status_choices())


@bp.route("/rentals/<int:rental_id>")
@requires_roles(STAFF)
def rental(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user)
    checklist_kind = CHECKLISTS[rental.vehicle.kind]
    inspection_form = forms.InspectionForm()
    inspection_form.checklist.choices = [(i, CHECKLIST_LABELS[i]) for i in checklist_kind]
    inspection_form.odometer_km.data = rental.vehicle.odometer_km
    inspection_form.energy_level_pct.data = rental.vehicle.energy_level_pct
    slot_form = forms.ReturnSlotForm()
    slot_form.site_id.choices = [(s.id, s.name) for s in platform_sites()]
    slot_form.site_id.data = rental.return_site_id or rental.vehicle.site_id
    return render_template(
        "fleet/rental.html", rental=rental, today=local_today(),
        end_form=forms.EndDateForm(), inspection_form=inspection_form, slot_form=slot_form,
        signoff_form=forms.SignOffForm(prefix="signoff"),
        **_licence_documents(rental),
        action_form=FlaskForm(), differences=services.inspection_differences(rental),
        checklist_labels=CHECKLIST_LABELS, can_book=rental.can_edit(current_user),
        can_inspect=rental.can_inspect(current_user),
        readiness=lifecycle.handover_readiness(rental),
        mileage=lifecycle.mileage_summary(rental), reason_form=forms.ReasonForm(),
        settle_form=forms.SettleForm())


@bp.route("/rentals/<int:rental_id>/end", methods=["POST"])
@requires_roles(BOOKERS)
def change_end(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    form = forms.EndDateForm()
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            lifecycle.change_end(current_user, rental, form.end.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The planned return date was changed."), "success")
    return redirect(url_for("fleet.rental", rental_id=rental_id))


@bp.route("/rentals/<int:rental_id>/deposit-exemption", methods=["POST"])
@requires_roles(BOOKERS)
def exempt_deposit(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        flash(_("Write the reason (at least 10 characters)."), "error")
    else:
        try:
            lifecycle.exempt_deposit(current_user, rental, reason=form.reason.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The exemption was recorded."), "success")
    return redirect(url_for("fleet.rental", rental_id=rental_id))


@bp.route("/rentals/<int:rental_id>/settle", methods=["POST"])
@requires_roles(BOOKERS)
def settle(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    form = forms.SettleForm()
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            lifecycle.settle(current_user, rental, kept_cents=to_cents(form.kept.data) or 0,
                             damage_note=form.damage_note.data,
                             waive_late_days_reason=form.waive_late_days_reason.data or None)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The rental is settled and closed."), "success")
    return redirect(url_for("fleet.rental", rental_id=rental_id))


@bp.route("/rentals/<int:rental_id>/cancel", methods=["POST"])
@requires_roles(BOOKERS)
def cancel(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    check_csrf()
    try:
        lifecycle.cancel(current_user, rental)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("The booking was cancelled."), "success")
    return redirect(url_for("fleet.rental", rental_id=rental_id))


@bp.route("/rentals/<int:rental_id>/<any(check_out, check_in):kind>", methods=["POST"])
@requires_roles(FLEET)
def inspect(rental_id: int, kind: str):
    rental = get_or_404(Rental, rental_id, current_user, action="inspect")
    form = forms.InspectionForm()
    form.checklist.choices = [(i, CHECKLIST_LABELS[i]) for i in CHECKLISTS[rental.vehicle.kind]]
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
        return redirect(url_for("fleet.rental", rental_id=rental_id))
    ticked = set(form.checklist.data or [])
    checklist = {item: item in ticked for item in CHECKLISTS[rental.vehicle.kind]}
    common = {"odometer_km": form.odometer_km.data,
              "energy_level_pct": form.energy_level_pct.data, "checklist": checklist,
              "damage_notes": form.damage_notes.data,
              "signoff": {"name": form.signoff_name.data,
                          "checked": form.signoff_checked.data}}
    upload = form.photo.data
    data = upload.read() if upload else b""
    try:
        if kind == "check_out":
            inspection = lifecycle.hand_over(current_user, rental, **common)
            job = None
        else:
            inspection, job = lifecycle.take_back(
                current_user, rental, open_maintenance=form.open_maintenance.data,
                immobilise=form.immobilise.data, **common)
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("fleet.rental", rental_id=rental_id))
    if data:
        folder, cap = upload_settings()
        try:
            services.save_photo(current_user, rental.vehicle, data, upload_folder=folder,
                                max_bytes=cap, inspection=inspection)
        except DomainError as error:
            flash_refusal(error)
    if kind == "check_out":
        flash(_("The vehicle was handed over."), "success")
    else:
        flash(_("The vehicle is back."), "success")
        if job is not None:
            flash(_("A repair job was opened."), "warning")
    return redirect(url_for("fleet.rental", rental_id=rental_id))


def _licence_documents(rental: Rental) -> dict:
    """The person's licence documents next to the hand-over's licence check, for those who may
    open the file (advisors, admins): evidence beside the licence record, not another rule."""

    if current_user.role not in (ADMIN, ADVISOR) or rental.status != "booked":
        return {"licence_documents": None, "licence_expiry": expiry_text}
    return {"licence_documents": [d for d in documents_of(rental.beneficiary)
                                  if d.kind == "driving_licence"],
            "licence_expiry": expiry_text}


@bp.route("/inspections/<int:inspection_id>/signoff", methods=["POST"])
@requires_roles(FLEET)
def sign_off(inspection_id: int):
    """The beneficiary signs off a condition report after the inspection, on screen."""
    inspection = get_or_404(Inspection, inspection_id, current_user)
    rental = get_or_404(Rental, inspection.rental_id, current_user, action="inspect")
    form = forms.SignOffForm(prefix="signoff")
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
        return redirect(url_for("fleet.rental", rental_id=rental.id)), 303
    try:
        services.sign_off(current_user, inspection, name=form.signoff_name.data,
                          checked=form.signoff_checked.data)
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("fleet.rental", rental_id=rental.id)), 303
    flash(_("The beneficiary's sign-off was recorded."), "success")
    return redirect(url_for("fleet.rental", rental_id=rental.id))


@bp.route("/rentals/<int:rental_id>/return-slot", methods=["POST"])
@requires_roles(FLEET)
def return_slot(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="inspect")
    form = forms.ReturnSlotForm()
    form.site_id.choices = [(s.id, s.name) for s in platform_sites()]
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            services.schedule_return(current_user, rental, site_id=form.site_id.data,
                                     slot_at=form.slot_at.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The return slot was saved."), "success")
    return redirect_back(url_for("fleet.rental", rental_id=rental_id))


@bp.route("/returns")
@requires_roles(FLEET)
def returns():
    """The returns board: each bucket's first page, or one bucket a page at a time."""
    slot_form = forms.ReturnSlotForm()
    slot_form.site_id.choices = [(s.id, s.name) for s in platform_sites()]
    day = local_today()
    only = request.args.get("bucket")
    shown = (only,) if only in services.RETURN_BUCKETS else services.RETURN_BUCKETS
    board = {bucket: paginate(
        services.returns_query(current_user.platform_id, day, (bucket,)),
        (Rental.end_date, Rental.id), unique=True,
        # the whole board: each bucket's first rows (every row carries a form); one bucket:
        # a full page at a time
        limit=PAGE_SIZE if bucket == only else BOARD_ROWS,
        cursor=page_cursor_arg() if bucket == only else None) for bucket in shown}
    return render_template("fleet/returns.html", board=board, only=only if len(shown) == 1
                           else None, counts=services.returns_counts(current_user.platform_id,
                                                                     day),
                           today=day, slot_form=slot_form)
