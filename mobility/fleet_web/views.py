"""Fleet pages: the blueprint, its menu and dashboard panel; sites, vehicles, photos,
maintenance and immobilisation. Views parse input, call one `fleet.services` function, render
or redirect.

The blueprint's other pages are by area: `views_rentals` (availability, bookings, a rental's
steps, the returns board) and `views_rides` (carpool and minibus)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from fleet import services
from fleet.models import (
    VEHICLE_KIND_LABELS,
    VEHICLE_STATUS_LABELS,
    MaintenanceJob,
    Photo,
    Rental,
    Vehicle,
)
from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.roles import ADMIN, FLEET_MANAGER, STAFF
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
from mobility.pagination import page_cursor_arg
from mobility.rentals import lifecycle
from mobility.web.forms import attempt, errors_onto_form
from mobility.web.panels import dashboard_panel
from mobility.web.uploads import upload_settings

bp = Blueprint("fleet", __name__, url_prefix="/fleet")


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


@bp.route("/sites", methods=["GET", "POST"])
@requires_roles(FLEET)
def sites():
    form = forms.SiteForm()
    status = 200
    if request.method == "POST":
        site, status = attempt(form, lambda: services.create_site(
            current_user, name=form.name.data, kind=form.kind.data, address=form.address.data,
            opening_hours=form.opening_hours.data or None, phone=form.phone.data or None))
        if site is not None:
            flash(_("The site was created."), "success")
            return redirect(url_for("fleet.sites"))
    counts = dict(db.session.execute(
        select(Vehicle.site_id, func.count()).where(Vehicle.platform_id == current_user.platform_id)
        .group_by(Vehicle.site_id)).all())
    return render_template("fleet/sites.html", sites=platform_sites(), counts=counts,
                           form=form), status


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
        "fleet/vehicles.html", vehicles=page, sites=platform_sites(),
        kinds=VEHICLE_KIND_LABELS, statuses=VEHICLE_STATUS_LABELS,
        selected={"kind": filters.kind, "site_id": filters.site_id, "status": filters.status,
                  "q": filters.q or ""}, today=local_today())


def _vehicle_form(vehicle: Vehicle | None = None) -> forms.VehicleForm:
    form = forms.VehicleForm(obj=vehicle)
    form.site_id.choices = [(s.id, s.name) for s in platform_sites()]
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
        vehicle, status = attempt(
            form, lambda: services.create_vehicle(current_user, **_vehicle_fields(form)))
        if vehicle is not None:
            flash(_("The vehicle was added."), "success")
            return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))
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
                # 400 whatever the refusal (a kind change refused as a conflict, too)
                errors_onto_form(form, error)
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
        flash_refusal(error)
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
                cost_cents=to_cents(form.cost.data))
        except DomainError as error:
            flash_refusal(error)
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
    check_csrf()
    old_vehicle_id = rental.vehicle_id
    try:
        new = lifecycle.replace(current_user, rental, request.form.get("vehicle_id", type=int))
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("The rental now uses %(vehicle)s.", vehicle=new.vehicle.display_name), "success")
    return redirect_back(url_for("fleet.impact", vehicle_id=old_vehicle_id))


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
            services.complete_maintenance_job(current_user, job,
                                              cost_cents=to_cents(form.cost.data))
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The job is done."), "success")
    return redirect_back(url_for("fleet.maintenance"))


# the blueprint's other pages, by area
