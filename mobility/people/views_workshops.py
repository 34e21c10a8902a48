"""Workshop pages: sessions, registrations, attendance."""

from __future__ import annotations

from datetime import UTC

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.core.dates import PARIS
from mobility.core.db import db
from mobility.core.errors import Conflict, NotFound, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import gettext as _
from mobility.people import forms, services
from mobility.people.models import Beneficiary, WorkshopAttendance, WorkshopSession
from mobility.people.views import bp
from mobility.web.forms import attempt, errors_onto_form


@bp.route("/workshops", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR)
def workshops():
    form = forms.SessionForm()

    def schedule():
        starts_at = form.starts_at.data.replace(tzinfo=PARIS).astimezone(UTC)
        return services.create_workshop_session(
            current_user, title=form.title.data, starts_at=starts_at,
            capacity=form.capacity.data, duration_min=form.duration_min.data,
            location=form.location.data)

    status = 200
    if request.method == "POST":
        session, status = attempt(form, schedule)
        if session is not None:
            flash(_("The session was scheduled."), "success")
            return redirect(url_for("people.workshop_session", session_id=session.id))
    sessions = db.session.scalars(scoped(WorkshopSession, current_user)
                                  .order_by(WorkshopSession.starts_at.desc())).all()
    return render_template("people/workshops.html", form=form, sessions=sessions), status


def _attendee_form(session: WorkshopSession) -> forms.AttendeeForm:
    form = forms.AttendeeForm(prefix="attendee")
    registered = {a.beneficiary_id for a in session.attendances}
    people = [b for b in services.search_beneficiaries(current_user, limit=1000)
              if b.id not in registered and b.open_pathway is not None]
    form.beneficiary_id.choices = [forms.EMPTY] + [(b.id, b.full_name) for b in people]
    return form


@bp.route("/workshops/<int:session_id>", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR)
def workshop_session(session_id: int):
    session = get_or_404(WorkshopSession, session_id, current_user)
    form = _attendee_form(session)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            person = get_or_404(Beneficiary, form.beneficiary_id.data, current_user,
                                action="edit")
            try:
                services.register_attendee(current_user, session, person)
            except Conflict as error:
                flash(str(error.message), "error")
                status = 409
            else:
                flash(_("%(name)s is registered.", name=person.full_name), "success")
                return redirect(url_for("people.workshop_session", session_id=session.id))
        else:
            status = 400
    return render_template("people/workshop_session.html", session=session, form=form,
                           plain_form=FlaskForm()), status


@bp.route("/workshops/<int:session_id>/attendance/<int:attendance_id>", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def attendance(session_id: int, attendance_id: int):
    session = get_or_404(WorkshopSession, session_id, current_user, action="edit")
    item = get_or_404(WorkshopAttendance, attendance_id, current_user, action="edit")
    if item.session_id != session.id:
        raise NotFound()
    form = FlaskForm()
    if not form.validate_on_submit():
        raise ValidationFailed()
    try:
        services.record_attendance(current_user, item, request.form.get("status", ""))
    except (ValidationFailed, Conflict) as error:
        errors_onto_form(form, error)
    else:
        flash(_("Attendance recorded."), "success")
    return redirect(url_for("people.workshop_session", session_id=session.id))


