"""Fleet pages of shared transport: carpool rides and minibus runs, and their seats.
Routes on `mobility.fleet_web.views.bp`."""

from __future__ import annotations

from datetime import time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fleet import services
from fleet.models import CarpoolRide, MinibusBooking, MinibusRun, SeatBooking
from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import DomainError
from mobility.core.roles import STAFF
from mobility.core.translations import gettext as _
from mobility.fleet_web import forms
from mobility.fleet_web.access import BOOKERS
from mobility.fleet_web.pages import beneficiary_choices, flash_refusal
from mobility.fleet_web.views import bp
from mobility.web.forms import attempt


@bp.route("/carpool", methods=["GET", "POST"])
@requires_roles(STAFF)
def carpool():
    form = forms.RideForm()
    choices = beneficiary_choices()
    form.driver_beneficiary_id.choices = [("", "—")] + choices
    status = 200
    if request.method == "POST":
        ride, status = attempt(form, lambda: services.create_ride(
            current_user, driver_kind=form.driver_kind.data, driver_name=form.driver_name.data,
            driver_phone=form.driver_phone.data or None,
            driver_beneficiary_id=form.driver_beneficiary_id.data, origin=form.origin.data,
            destination=form.destination.data, weekdays=form.weekdays.data,
            departure_time=form.departure_time.data, return_time=form.return_time.data,
            seats=form.seats.data, valid_from=form.valid_from.data,
            valid_until=form.valid_until.data))
        if ride is not None:
            flash(_("The ride was added."), "success")
            return redirect(url_for("fleet.carpool"))
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
    form.beneficiary_id.choices = beneficiary_choices()
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            services.book_seats(current_user, ride, beneficiary_id=form.beneficiary_id.data,
                                dates=[form.ride_date.data])
        except DomainError as error:
            flash_refusal(error)
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
        run, status = attempt(form, lambda: services.create_run(
            current_user, name=form.name.data, run_date=form.run_date.data,
            departure_time=form.departure_time.data, driver_name=form.driver_name.data,
            capacity=form.capacity.data, stops=_parse_stops(form.stops.data)))
        if run is not None:
            flash(_("The run was added."), "success")
            return redirect(url_for("fleet.minibus"))
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
    choices = beneficiary_choices()
    return render_template("fleet/minibus.html", runs=runs, booked=booked, form=form,
                           choices=choices, action_form=FlaskForm(),
                           can_book=current_user.role in BOOKERS), status


@bp.route("/minibus/<int:run_id>/seats", methods=["POST"])
@requires_roles(BOOKERS)
def book_minibus_seat(run_id: int):
    run = get_or_404(MinibusRun, run_id, current_user)
    form = forms.MinibusSeatForm()
    form.beneficiary_id.choices = beneficiary_choices()
    form.stop_id.choices = [("", "—")] + [(s.id, s.name) for s in run.stops]
    if not form.validate_on_submit():
        flash(_("Some fields are missing or not valid."), "error")
    else:
        try:
            services.book_minibus_seat(current_user, run, beneficiary_id=form.beneficiary_id.data,
                                       stop_id=form.stop_id.data,
                                       charter_accepted=form.charter_accepted.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The seat is booked."), "success")
    return redirect(url_for("fleet.minibus"))
