"""Fleet pages: vehicles and sites, availability and bookings, returns board, maintenance,
carpool and minibus. Views parse input, call one `fleet.services` function, render or redirect."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from fleet import services
from fleet.models import (
    CHECKLIST_LABELS,
    CHECKLISTS,
    VEHICLE_KIND_LABELS,
    VEHICLE_STATUS_LABELS,
    CarpoolRide,
    Inspection,
    MaintenanceJob,
    MinibusBooking,
    MinibusRun,
    Photo,
    Rental,
    SeatBooking,
    Site,
    Vehicle,
)
from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, FLEET_MANAGER, STAFF
from mobility.fleet_web import forms, lists
from mobility.fleet_web.api import upload_settings
from mobility.pagination import PAGE_SIZE, page_cursor_arg, paginate
from mobility.people.models import Beneficiary
from mobility.rentals import lifecycle
from mobility.web.panels import dashboard_panel

bp = Blueprint("fleet", __name__, url_prefix="/fleet")
FLEET = {ADMIN, FLEET_MANAGER}
BOOKERS = {ADMIN, ADVISOR}
#: rows of each bucket on the whole returns board ("see all" opens the bucket's pages)
BOARD_ROWS = 20


@dashboard_panel(FLEET_MANAGER, ADMIN)
def fleet_panel(user) -> dict:
    """Returns due today and overdue, maintenance due, vehicles by status."""
    board = services.returns_counts(user.platform_id)
    counts = dict(db.session.execute(
        select(Vehicle.status, func.count()).where(Vehicle.platform_id == user.platform_id)
        .group_by(Vehicle.status)).all())
    return {"template": "fleet/_panel.html", "returns_today": board["today"],
            "returns_overdue": board["overdue"], "returns_week": board["week"],
            "maintenance_due": len(services.maintenance_due(user.platform_id, within_days=0)),
            "by_status": [(VEHICLE_STATUS_LABELS[s], counts.get(s, 0))
                          for s in VEHICLE_STATUS_LABELS]}


# --- helpers ----------------------------------------------------------------------------------

def _sites() -> list[Site]:
    return list(db.session.scalars(scoped(Site, current_user).order_by(Site.name)))


def _beneficiaries() -> list[Beneficiary]:
    return list(db.session.scalars(
        scoped(Beneficiary, current_user).order_by(Beneficiary.last_name, Beneficiary.first_name)))


def _beneficiary_choices() -> list[tuple[int, str]]:
    return [(b.id, f"{b.last_name.upper()} {b.first_name}") for b in _beneficiaries()]


def _form_errors(form: FlaskForm, error: DomainError) -> None:
    """Show a refused request on the form: per-field messages, or one flash message."""
    details = error.details if isinstance(error.details, dict) else {}
    placed = False
    for name, message in details.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [str(message)]
            placed = True
    if not placed:
        flash(str(error.message), "error")


def _flash_error(error: DomainError) -> None:
    message = lifecycle.explain(error)
    if isinstance(error.details, dict):
        extra = [str(v) for k, v in error.details.items() if k not in ("conflicts",)
                 and not isinstance(v, list | dict | int)]
        if extra:
            message += " " + " ".join(extra)
        for conflict in error.details.get("conflicts", []):
            message += " " + _("Rental %(id)s: %(start)s → %(end)s.", id=conflict["rental_id"],
                               start=conflict["start"], end=conflict["end"])
    flash(message, "error")


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def _check_csrf() -> None:
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed(_l("The form expired or was sent twice. Please check it and "
                                  "send it again."))


def _redirect_back(default: str):
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(default)


# --- sites ------------------------------------------------------------------------------------

@bp.route("/sites", methods=["GET", "POST"])
@requires_roles(FLEET)
def sites():
    form = forms.SiteForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_site(current_user, name=form.name.data, kind=form.kind.data,
                                     address=form.address.data,
                                     opening_hours=form.opening_hours.data or None,
                                     phone=form.phone.data or None)
            except DomainError as error:
                _form_errors(form, error)
                status = 400
            else:
                flash(_("The site was created."), "success")
                return redirect(url_for("fleet.sites"))
        else:
            status = 400
    counts = dict(db.session.execute(
        select(Vehicle.site_id, func.count()).where(Vehicle.platform_id == current_user.platform_id)
        .group_by(Vehicle.site_id)).all())
    return render_template("fleet/sites.html", sites=_sites(), counts=counts, form=form), status


# --- vehicles ---------------------------------------------------------------------------------

@bp.route("/vehicles")
@requires_roles(FLEET)
def vehicles():
    status = request.args.get("status") or None
    filters = lists.VehicleFilters(
        kind=request.args.get("kind") or None, site_id=request.args.get("site_id", type=int),
        status=status if status in VEHICLE_STATUS_LABELS else None,
        q=(request.args.get("q") or "").strip()[:100] or None)
    page = lists.vehicle_page(current_user, filters, cursor=page_cursor_arg())
    return render_template(
        "fleet/vehicles.html", vehicles=page, sites=_sites(),
        kinds=VEHICLE_KIND_LABELS, statuses=VEHICLE_STATUS_LABELS,
        selected={"kind": filters.kind, "site_id": filters.site_id, "status": filters.status,
                  "q": filters.q or ""}, today=local_today())


def _vehicle_form(vehicle: Vehicle | None = None) -> forms.VehicleForm:
    form = forms.VehicleForm(obj=vehicle)
    form.site_id.choices = [(s.id, s.name) for s in _sites()]
    return form


def _vehicle_fields(form: forms.VehicleForm) -> dict:
    return {name: (getattr(form, name).data if getattr(form, name).data != "" else None)
            for name in ("kind", "site_id", "plate", "label", "odometer_km", "energy_level_pct",
                         "status", "insurance_policy", "insurance_expires_on",
                         "technical_inspection_expires_on", "notes")}


@bp.route("/vehicles/new", methods=["GET", "POST"])
@requires_roles(FLEET)
def new_vehicle():
    form = _vehicle_form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                vehicle = services.create_vehicle(current_user, **_vehicle_fields(form))
            except DomainError as error:
                _form_errors(form, error)
                status = 400
            else:
                flash(_("The vehicle was added."), "success")
                return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))
        else:
            status = 400
    return render_template("fleet/vehicle_form.html", form=form, vehicle=None), status


@bp.route("/vehicles/<int:vehicle_id>/edit", methods=["GET", "POST"])
@requires_roles(FLEET)
def edit_vehicle(vehicle_id: int):
    vehicle = get_or_404(Vehicle, vehicle_id, current_user, action="edit")
    form = _vehicle_form(vehicle)
    if vehicle.status in ("rented", "immobilised"):
        form.status.choices = [(vehicle.status, VEHICLE_STATUS_LABELS[vehicle.status])] + list(
            form.status.choices)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            fields = _vehicle_fields(form)
            if fields["status"] == vehicle.status:
                fields.pop("status")
            try:
                services.update_vehicle(current_user, vehicle, **fields)
            except DomainError as error:
                _form_errors(form, error)
                status = 400
            else:
                flash(_("The vehicle was updated."), "success")
                return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))
        else:
            status = 400
    return render_template("fleet/vehicle_form.html", form=form, vehicle=vehicle), status


@bp.route("/vehicles/<int:vehicle_id>")
@requires_roles(FLEET)
def vehicle(vehicle_id: int):
    vehicle = get_or_404(Vehicle, vehicle_id, current_user)
    rentals = db.session.scalars(
        select(Rental).where(Rental.vehicle_id == vehicle.id, Rental.status != "cancelled",
                             Rental.end_date >= local_today() - timedelta(days=60))
        .options(joinedload(Rental.beneficiary)).order_by(Rental.start_date)).all()
    jobs = db.session.scalars(select(MaintenanceJob).where(MaintenanceJob.vehicle_id == vehicle.id)
                              .order_by(MaintenanceJob.status, MaintenanceJob.due_on)).all()
    return render_template(
        "fleet/vehicle.html", vehicle=vehicle, rentals=rentals, jobs=jobs,
        photo_form=forms.PhotoForm(), job_form=forms.MaintenanceForm(),
        immobilise_form=forms.ImmobiliseForm(), today=local_today())


@bp.route("/vehicles/<int:vehicle_id>/photos", methods=["POST"])
@requires_roles(FLEET)
def upload_vehicle_photo(vehicle_id: int):
    vehicle = get_or_404(Vehicle, vehicle_id, current_user, action="edit")
    form = forms.PhotoForm()
    if not form.validate_on_submit():
        raise ValidationFailed()
    folder, cap = upload_settings()
    upload = form.photo.data
    try:
        services.save_photo(current_user, vehicle, upload.read() if upload else b"",
                            upload_folder=folder, max_bytes=cap)
    except DomainError as error:
        _flash_error(error)
        return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id)), 303
    flash(_("The photo was added."), "success")
    return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))


@bp.route("/photos/<int:photo_id>")
@requires_roles(STAFF)
def photo(photo_id: int):
    photo = get_or_404(Photo, photo_id, current_user)
    folder, _cap = upload_settings()
    path = services.photo_path(photo, folder)
    if not path.exists():
        raise ValidationFailed(_l("This file is missing."), status=404, code="not_found")
    return send_file(path, mimetype=photo.content_type, as_attachment=True,
                     download_name=f"photo-{photo.id}.{photo.stored_name.rsplit('.', 1)[-1]}")


@bp.route("/vehicles/<int:vehicle_id>/maintenance", methods=["POST"])
@requires_roles(FLEET)
def new_job(vehicle_id: int):
    vehicle = get_or_404(Vehicle, vehicle_id, current_user, action="edit")
    form = forms.MaintenanceForm()
    if form.validate_on_submit():
        try:
            services.create_maintenance_job(
                current_user, vehicle, kind=form.kind.data, description=form.description.data,
                due_on=form.due_on.data, due_odometer_km=form.due_odometer_km.data,
                cost_cents=_cents(form.cost.data))
        except DomainError as error:
            _flash_error(error)
        else:
            flash(_("The maintenance job was planned."), "success")
    else:
        flash(_("Some fields are missing or not valid."), "error")
    return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))


@bp.route("/vehicles/<int:vehicle_id>/immobilise", methods=["POST"])
@requires_roles(FLEET)
def immobilise(vehicle_id: int):
    vehicle = get_or_404(Vehicle, vehicle_id, current_user, action="edit")
    form = forms.ImmobiliseForm()
    if not form.validate_on_submit():
        raise ValidationFailed()
    services.immobilise_vehicle(current_user, vehicle, reason=form.reason.data or "")
    flash(_("The vehicle is immobilised."), "success")
    return redirect(url_for("fleet.impact", vehicle_id=vehicle.id))


@bp.route("/vehicles/<int:vehicle_id>/impact")
@requires_roles(FLEET)
def impact(vehicle_id: int):
    vehicle = get_or_404(Vehicle, vehicle_id, current_user)
    return render_template("fleet/impact.html", vehicle=vehicle,
                           impact=services.immobilisation_impact(vehicle), action_form=FlaskForm())


@bp.route("/rentals/<int:rental_id>/replace", methods=["POST"])
@requires_roles(FLEET | BOOKERS)
def replace(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user)
    _check_csrf()
    old_vehicle_id = rental.vehicle_id
    try:
        new = lifecycle.replace(current_user, rental, request.form.get("vehicle_id", type=int))
    except DomainError as error:
        _flash_error(error)
    else:
        flash(_("The rental now uses %(vehicle)s.", vehicle=new.vehicle.display_name), "success")
    return _redirect_back(url_for("fleet.impact", vehicle_id=old_vehicle_id))


# --- availability and rentals -----------------------------------------------------------------

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
    from mobility.people.services import search_beneficiaries

    form = forms.AvailabilityForm(request.args)
    form.site_id.choices = [("", _("All sites"))] + [(s.id, s.name) for s in _sites()]
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
                _form_errors(form, error)
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
            _flash_error(error)
            return redirect(url_for("fleet.availability", start=form.start.data,
                                    end=form.end.data, beneficiary_id=form.beneficiary_id.data,
                                    kind=request.form.get("kind") or None,
                                    scheme=form.scheme.data)), 303
        flash(_("The vehicle is booked."), "success")
        return redirect(url_for("fleet.rental", rental_id=rental.id))
    filters = lists.rental_filters_from_args()
    page = lists.rental_page(current_user, filters, cursor=page_cursor_arg())
    return render_template("fleet/rentals.html", rentals=page, today=local_today(),
                           filters=filters, sites=_sites(), kinds=VEHICLE_KIND_LABELS,
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
    slot_form.site_id.choices = [(s.id, s.name) for s in _sites()]
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
            _flash_error(error)
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
            _flash_error(error)
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
            lifecycle.settle(current_user, rental, kept_cents=_cents(form.kept.data) or 0,
                             damage_note=form.damage_note.data,
                             waive_late_days_reason=form.waive_late_days_reason.data or None)
        except DomainError as error:
            _flash_error(error)
        else:
            flash(_("The rental is settled and closed."), "success")
    return redirect(url_for("fleet.rental", rental_id=rental_id))


@bp.route("/rentals/<int:rental_id>/cancel", methods=["POST"])
@requires_roles(BOOKERS)
def cancel(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="edit")
    _check_csrf()
    try:
        lifecycle.cancel(current_user, rental)
    except DomainError as error:
        _flash_error(error)
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
        _flash_error(error)
        return redirect(url_for("fleet.rental", rental_id=rental_id))
    if data:
        folder, cap = upload_settings()
        try:
            services.save_photo(current_user, rental.vehicle, data, upload_folder=folder,
                                max_bytes=cap, inspection=inspection)
        except DomainError as error:
            _flash_error(error)
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
    from mobility.people.documents import documents_of, expiry_text

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
        _flash_error(error)
        return redirect(url_for("fleet.rental", rental_id=rental.id)), 303
    flash(_("The beneficiary's sign-off was recorded."), "success")
    return redirect(url_for("fleet.rental", rental_id=rental.id))


@bp.route("/rentals/<int:rental_id>/return-slot", methods=["POST"])
@requires_roles(FLEET)
def return_slot(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user, action="inspect")
    form = forms.ReturnSlotForm()
    form.site_id.choices = [(s.id, s.name) for s in _sites()]
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            services.schedule_return(current_user, rental, site_id=form.site_id.data,
                                     slot_at=form.slot_at.data)
        except DomainError as error:
            _flash_error(error)
        else:
            flash(_("The return slot was saved."), "success")
    return _redirect_back(url_for("fleet.rental", rental_id=rental_id))


@bp.route("/returns")
@requires_roles(FLEET)
def returns():
    """The returns board: each bucket's first page, or one bucket a page at a time."""
    slot_form = forms.ReturnSlotForm()
    slot_form.site_id.choices = [(s.id, s.name) for s in _sites()]
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


# --- maintenance ------------------------------------------------------------------------------

@bp.route("/maintenance")
@requires_roles(FLEET)
def maintenance():
    jobs = db.session.scalars(
        scoped(MaintenanceJob, current_user).where(MaintenanceJob.status == "open")
        .options(joinedload(MaintenanceJob.vehicle).joinedload(Vehicle.site))
        .order_by(MaintenanceJob.due_on.is_(None), MaintenanceJob.due_on, MaintenanceJob.id)
    ).all()
    done = db.session.scalars(
        scoped(MaintenanceJob, current_user).where(MaintenanceJob.status == "done")
        .options(joinedload(MaintenanceJob.vehicle))
        .order_by(MaintenanceJob.done_on.desc()).limit(20)).all()
    immobilised = db.session.scalars(
        scoped(Vehicle, current_user).where(Vehicle.status.in_(("immobilised", "maintenance")))
        .options(joinedload(Vehicle.site)).order_by(Vehicle.plate)).all()
    return render_template("fleet/maintenance.html", jobs=jobs, done=done,
                           immobilised=immobilised, today=local_today(),
                           complete_form=forms.CompleteJobForm())


@bp.route("/maintenance/<int:job_id>/complete", methods=["POST"])
@requires_roles(FLEET)
def complete_job(job_id: int):
    job = get_or_404(MaintenanceJob, job_id, current_user, action="edit")
    form = forms.CompleteJobForm()
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            services.complete_maintenance_job(current_user, job, cost_cents=_cents(form.cost.data))
        except DomainError as error:
            _flash_error(error)
        else:
            flash(_("The job is done."), "success")
    return _redirect_back(url_for("fleet.maintenance"))


# --- carpool and minibus ----------------------------------------------------------------------

@bp.route("/carpool", methods=["GET", "POST"])
@requires_roles(STAFF)
def carpool():
    form = forms.RideForm()
    choices = _beneficiary_choices()
    form.driver_beneficiary_id.choices = [("", "—")] + choices
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_ride(
                    current_user, driver_kind=form.driver_kind.data,
                    driver_name=form.driver_name.data, driver_phone=form.driver_phone.data or None,
                    driver_beneficiary_id=form.driver_beneficiary_id.data,
                    origin=form.origin.data, destination=form.destination.data,
                    weekdays=form.weekdays.data, departure_time=form.departure_time.data,
                    return_time=form.return_time.data, seats=form.seats.data,
                    valid_from=form.valid_from.data, valid_until=form.valid_until.data)
            except DomainError as error:
                _form_errors(form, error)
                status = 400
            else:
                flash(_("The ride was added."), "success")
                return redirect(url_for("fleet.carpool"))
        else:
            status = 400
    elif not form.valid_from.data:
        form.valid_from.data = local_today()
    rides = db.session.scalars(scoped(CarpoolRide, current_user).order_by(CarpoolRide.id)).all()
    day = local_today()
    upcoming = {}
    for ride in rides:
        next_days = [day + timedelta(days=n) for n in range(14) if ride.runs_on(
            day + timedelta(days=n))][:5]
        upcoming[ride.id] = [(d, services.seats_taken(ride.id, d)) for d in next_days]
    bookings = db.session.scalars(
        scoped(SeatBooking, current_user).where(SeatBooking.status == "booked",
                                                SeatBooking.ride_date >= day)
        .options(joinedload(SeatBooking.beneficiary))
        .order_by(SeatBooking.ride_date, SeatBooking.ride_id)).all()
    seat_form = forms.SeatForm()
    seat_form.beneficiary_id.choices = choices
    return render_template("fleet/carpool.html", rides=rides, form=form, seat_form=seat_form,
                           upcoming=upcoming, bookings=bookings,
                           can_book=current_user.role in BOOKERS), status


@bp.route("/carpool/<int:ride_id>/seats", methods=["POST"])
@requires_roles(BOOKERS)
def book_seat(ride_id: int):
    ride = get_or_404(CarpoolRide, ride_id, current_user)
    form = forms.SeatForm()
    form.beneficiary_id.choices = _beneficiary_choices()
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            services.book_seats(current_user, ride, beneficiary_id=form.beneficiary_id.data,
                                dates=[form.ride_date.data])
        except DomainError as error:
            _flash_error(error)
        else:
            flash(_("The seat is booked."), "success")
    return redirect(url_for("fleet.carpool"))


def _parse_stops(text: str) -> list[dict]:
    """`08:10 Name, address` per line (time optional)."""
    stops = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        stop_time = None
        head, _sep, rest = line.partition(" ")
        if len(head) == 5 and head[2] == ":" and head.replace(":", "").isdigit():
            from datetime import time

            stop_time = time(int(head[:2]) % 24, int(head[3:]) % 60)
            line = rest.strip()
        name, _sep, address = line.partition(",")
        stops.append({"name": name.strip(), "address": address.strip() or None,
                      "stop_time": stop_time})
    return stops


@bp.route("/minibus", methods=["GET", "POST"])
@requires_roles(STAFF)
def minibus():
    form = forms.RunForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_run(
                    current_user, name=form.name.data, run_date=form.run_date.data,
                    departure_time=form.departure_time.data, driver_name=form.driver_name.data,
                    capacity=form.capacity.data, stops=_parse_stops(form.stops.data))
            except DomainError as error:
                _form_errors(form, error)
                status = 400
            else:
                flash(_("The run was added."), "success")
                return redirect(url_for("fleet.minibus"))
        else:
            status = 400
    runs = db.session.scalars(
        scoped(MinibusRun, current_user).where(MinibusRun.run_date >= local_today())
        .order_by(MinibusRun.run_date, MinibusRun.departure_time)).all()
    booked = {}
    for run in runs:
        booked[run.id] = db.session.scalars(
            select(MinibusBooking).where(MinibusBooking.run_id == run.id,
                                         MinibusBooking.status == "booked")
            .options(joinedload(MinibusBooking.beneficiary), joinedload(MinibusBooking.stop))
            .order_by(MinibusBooking.seat_number)).all()
    choices = _beneficiary_choices()
    return render_template("fleet/minibus.html", runs=runs, booked=booked, form=form,
                           choices=choices, action_form=FlaskForm(),
                           can_book=current_user.role in BOOKERS), status


@bp.route("/minibus/<int:run_id>/seats", methods=["POST"])
@requires_roles(BOOKERS)
def book_minibus_seat(run_id: int):
    run = get_or_404(MinibusRun, run_id, current_user)
    form = forms.MinibusSeatForm()
    form.beneficiary_id.choices = _beneficiary_choices()
    form.stop_id.choices = [("", "—")] + [(s.id, s.name) for s in run.stops]
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            services.book_minibus_seat(current_user, run, beneficiary_id=form.beneficiary_id.data,
                                       stop_id=form.stop_id.data,
                                       charter_accepted=form.charter_accepted.data)
        except DomainError as error:
            _flash_error(error)
        else:
            flash(_("The seat is booked."), "success")
    return redirect(url_for("fleet.minibus"))

