"""People pages: referrals (prescribers and advisors), beneficiary files with their timeline,
assessments, workshops, partner organisations and settings (admins), the beneficiary's own
file."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from mobility.audit.services import record_view
from mobility.auth.models import User
from mobility.auth.policies import get_or_404, public, requires_roles, scoped
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, NotFound, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, PRESCRIBER
from mobility.notifications.services import messages_about_person
from mobility.organisations.models import (
    PARTNER_OPERATOR_KINDS,
    PartnerOrganisation,
    Referent,
)
from mobility.pagination import page_cursor_arg
from mobility.people import documents, forms, grid, services
from mobility.people import models as m
from mobility.people.models import (
    Beneficiary,
    MobilityAssessment,
    PersonDocument,
    Referral,
    WorkshopAttendance,
    WorkshopSession,
)
from mobility.rentals.summary import rentals_of_person, seats_of_person, workshops_of_person
from mobility.web.panels import dashboard_panel

bp = Blueprint("people", __name__, url_prefix="/people")
STATIC = Path(__file__).resolve().parent / "static"
STAFF = (ADMIN, ADVISOR)


@bp.app_context_processor
def _labels():
    return {"people_labels": m, "label": m.label, "grid": grid, "STAGES": services.STAGES}


def _apply_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Show a service's field errors next to the form's fields (others as a flash)."""
    for field, message in (error.details or {}).items():
        target = getattr(form, field, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors or []), str(message)]
        else:
            flash(f"{message}", "error")
    if not error.details:
        flash(str(error.message), "error")


@bp.route("/assets/people.css")
@public
def stylesheet():
    """The people pages' stylesheet."""
    return send_from_directory(STATIC, "people.css", mimetype="text/css", max_age=3600)


# -- dashboard panels --------------------------------------------------------------------------


@dashboard_panel(ADVISOR, ADMIN)
def _referrals_panel(user):
    waiting = db.session.scalar(select(func.count(Referral.id)).where(
        Referral.platform_id == user.platform_id, Referral.status == "submitted"))
    return {"template": "people/_panel_advisor.html", "waiting": waiting}


@dashboard_panel(PRESCRIBER)
def _prescriber_panel(user):
    referrals = services.referrals_for(user)[:5]
    return {"template": "people/_panel_prescriber.html", "referrals": referrals}


@dashboard_panel(BENEFICIARY)
def _beneficiary_panel(user):
    beneficiary = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == user.id))
    if beneficiary is None:
        return None
    return {"template": "people/_panel_beneficiary.html", "beneficiary": beneficiary}


# -- referrals ---------------------------------------------------------------------------------


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
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            names = [n for n in forms.ReferralForm.FIELDS if getattr(form, n, None) is not None]
            values = forms.form_values(form, names)
            if current_user.role != PRESCRIBER and values.get("organisation_id") is None:
                form.organisation_id.errors = [_("Choose the partner organisation.")]
                status = 400
            else:
                try:
                    referral = services.submit_referral(current_user, values)
                except ValidationFailed as error:
                    _apply_errors(form, error)
                    status = 400
                else:
                    flash(_("The referral was sent to the mobility platform."), "success")
                    return redirect(url_for("people.referral", referral_id=referral.id))
        else:
            status = 400
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


# -- beneficiaries -----------------------------------------------------------------------------


@bp.route("/beneficiaries")
@requires_roles(ADMIN, ADVISOR)
def beneficiaries():
    q = (request.args.get("q") or "").strip()
    stage = request.args.get("stage") or None
    if stage not in (None, *services.STAGES):
        stage = None
    rows = services.beneficiary_page(current_user, q=q[:100] or None, stage=stage,
                                     cursor=page_cursor_arg())
    return render_template("people/beneficiaries.html", beneficiaries=rows, q=q, stage=stage,
                           stage_of=services.stage_of)


def _referent_choices(form) -> None:
    referents = db.session.scalars(scoped(Referent, current_user)
                                   .order_by(Referent.last_name)).all()
    form.referent_id.choices = [forms.EMPTY] + [
        (r.id, f"{r.full_name} — {r.organisation.name}") for r in referents]


@bp.route("/beneficiaries/new", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR)
def new_beneficiary():
    form = forms.BeneficiaryForm()
    _referent_choices(form)
    return _beneficiary_form(
        form, None, lambda values: services.create_beneficiary(current_user, values),
        _("The file was created and the pathway opened."))


@bp.route("/beneficiaries/<int:beneficiary_id>/edit", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR)
def edit_beneficiary(beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, current_user, action="edit")
    form = forms.BeneficiaryForm(obj=beneficiary)
    _referent_choices(form)
    if request.method == "GET":
        forms.fill_licences(form, beneficiary.held_licences())

    def save(values):
        services.update_beneficiary(current_user, beneficiary, values)
        return beneficiary

    return _beneficiary_form(form, beneficiary, save, _("The file was saved."))


def _beneficiary_form(form, beneficiary: Beneficiary | None, save, success: str):
    """Show the file form; on a valid POST call `save(values)` and go to the file. A possible
    duplicate (same name and birth date) is a 409 listing the existing files."""
    status, duplicates = 200, []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                values = forms.form_values(form, forms.BeneficiaryForm.FIELDS)
                values["licences"] = forms.licences_from_form(
                    form, beneficiary.licences if beneficiary else None)
                saved = save(values)
            except ValidationFailed as error:
                _apply_errors(form, error)
                status = 400
            except Conflict as error:
                if error.code != "duplicate_beneficiary":
                    raise
                duplicates = [db.session.get(Beneficiary, i)
                              for i in error.details["duplicate_ids"]]
                flash(str(error.message), "error")
                status = 409
            else:
                flash(success, "success")
                return redirect(url_for("people.beneficiary", beneficiary_id=saved.id))
        else:
            status = 400
    return render_template("people/beneficiary_form.html", form=form, beneficiary=beneficiary,
                           duplicates=duplicates), status


def _file_forms(beneficiary: Beneficiary) -> dict:
    action_form = forms.ActionForm(prefix="action")
    operators = db.session.scalars(scoped(PartnerOrganisation, current_user).where(
        PartnerOrganisation.kind.in_(PARTNER_OPERATOR_KINDS))
        .order_by(PartnerOrganisation.name)).all()
    action_form.partner_organisation_id.choices = [forms.EMPTY] + [
        (o.id, o.name) for o in operators]
    return {
        "note_form": forms.NoteForm(prefix="note"),
        "feedback_form": forms.FeedbackForm(prefix="feedback"),
        "action_form": action_form,
        "exit_form": forms.ExitForm(prefix="exit"),
        "override_form": forms.OverrideForm(prefix="override"),
        "plain_form": FlaskForm(),
        "document_form": forms.DocumentForm(prefix="document"),
    }


def _render_file(beneficiary: Beneficiary, status: int = 200, **overrides):
    context = _file_forms(beneficiary) | overrides
    eligibility = {scheme: services.eligibility_for(beneficiary, scheme) for scheme in m.SCHEMES}
    from mobility.commute import services as commute
    from mobility.commute.ladder import person_ladder

    latest_check = commute.latest_check_for(beneficiary)
    return render_template(
        "people/beneficiary.html", beneficiary=beneficiary,
        commute_check=latest_check, ladder=person_ladder(beneficiary, latest_check),
        rentals=rentals_of_person(beneficiary), today=local_today(),
        pathway=beneficiary.current_pathway, stage=services.stage_of(beneficiary),
        timeline=services.timeline(beneficiary), eligibility=eligibility,
        documents=documents.documents_of(beneficiary), documents_service=documents,
        documents_max_mb=documents.document_settings()[1] // (1024 * 1024),
        seats=seats_of_person(beneficiary), workshops=workshops_of_person(beneficiary),
        messages=messages_about_person(beneficiary),
        referrals=db.session.scalars(select(Referral).where(
            Referral.beneficiary_id == beneficiary.id)).all(),
        **context,
    ), status


@bp.route("/beneficiaries/<int:beneficiary_id>")
@requires_roles(ADMIN, ADVISOR)
def beneficiary(beneficiary_id: int):
    item = get_or_404(Beneficiary, beneficiary_id, current_user)
    record_view(current_user, item)
    return _render_file(item)


def _file_post(beneficiary_id: int, form_class, prefix: str, call, success: str):
    """Handle one of the forms of the file page: validate, call the service, redirect."""
    item = get_or_404(Beneficiary, beneficiary_id, current_user, action="edit")
    form = form_class(prefix=prefix)
    if prefix == "action":
        form.partner_organisation_id.choices = _file_forms(item)["action_form"] \
            .partner_organisation_id.choices
    if form.validate_on_submit():
        try:
            call(item, form)
        except ValidationFailed as error:
            _apply_errors(form, error)
        else:
            flash(success, "success")
            return redirect(url_for("people.beneficiary", beneficiary_id=item.id))
    return _render_file(item, 400, **{f"{prefix}_form": form})


@bp.route("/beneficiaries/<int:beneficiary_id>/documents", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def add_document(beneficiary_id: int):
    """Upload a document to the person's file (PDF, JPEG or PNG)."""
    def call(person, form):
        upload = form.file.data
        documents.add_document(
            current_user, person, kind=form.kind.data or None, title=form.title.data,
            issued_on=form.issued_on.data, expires_on=form.expires_on.data,
            data=upload.read() if upload else b"")

    return _file_post(beneficiary_id, forms.DocumentForm, "document", call,
                      _("The document was added to the file."))


@bp.route("/documents/<int:document_id>")
@requires_roles(ADMIN, ADVISOR)
def document(document_id: int):
    """Download a document of a file (an attachment, never a public static path)."""
    item = get_or_404(PersonDocument, document_id, current_user)
    path = documents.document_path(item)
    if not path.is_file():
        raise NotFound(_l("This file is missing."))
    record_view(current_user, item)
    response = send_file(path, mimetype=item.content_type, as_attachment=True,
                         download_name=documents.download_name(item), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/documents/<int:document_id>/delete", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR)
def delete_document(document_id: int):
    """Confirm, then delete a document of a file (audited)."""
    item = get_or_404(PersonDocument, document_id, current_user, action="edit")
    person = db.session.get(Beneficiary, item.beneficiary_id)
    form = forms.DeleteDocumentForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and form.confirm.data:
            documents.delete_document(current_user, item)
            flash(_("The document was deleted."), "success")
            return redirect(url_for("people.beneficiary", beneficiary_id=person.id))
        if not form.confirm.errors:
            form.confirm.errors = [_("Tick the box to confirm the deletion.")]
        status = 400
    return render_template("people/document_delete.html", document=item, beneficiary=person,
                           form=form, today=local_today()), status


@bp.route("/beneficiaries/<int:beneficiary_id>/notes", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def add_note(beneficiary_id: int):
    return _file_post(beneficiary_id, forms.NoteForm, "note", lambda b, f: services.add_case_note(
        current_user, b, text=f.text.data, kind=f.kind.data, noted_on=f.noted_on.data),
        _("The note was added."))


@bp.route("/beneficiaries/<int:beneficiary_id>/feedback", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def send_feedback(beneficiary_id: int):
    return _file_post(beneficiary_id, forms.FeedbackForm, "feedback",
                      lambda b, f: services.send_feedback(current_user, b, summary=f.summary.data),
                      _("The feedback was sent to the referent."))


@bp.route("/beneficiaries/<int:beneficiary_id>/actions", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def add_action(beneficiary_id: int):
    return _file_post(beneficiary_id, forms.ActionForm, "action", lambda b, f: services.add_action(
        current_user, b, kind=f.kind.data, done_on=f.done_on.data, title=f.title.data,
        notes=f.notes.data, partner_organisation_id=f.partner_organisation_id.data),
        _("The action was recorded."))


@bp.route("/beneficiaries/<int:beneficiary_id>/exit", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def record_exit(beneficiary_id: int):
    return _file_post(beneficiary_id, forms.ExitForm, "exit", lambda b, f: services.record_exit(
        current_user, b, exit_date=f.exit_date.data, reason=f.reason.data,
        solution=f.solution.data, employment=f.employment.data, notes=f.notes.data),
        _("The exit was recorded."))


@bp.route("/beneficiaries/<int:beneficiary_id>/eligibility-override", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def override_eligibility(beneficiary_id: int):
    return _file_post(beneficiary_id, forms.OverrideForm, "override",
                      lambda b, f: services.override_eligibility(
                          current_user, b, scheme=f.scheme.data,
                          justification=f.justification.data),
                      _("The decision and its justification were recorded."))


@bp.route("/beneficiaries/<int:beneficiary_id>/reopen", methods=["POST"])
@requires_roles(ADMIN, ADVISOR)
def reopen(beneficiary_id: int):
    item = get_or_404(Beneficiary, beneficiary_id, current_user, action="edit")
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed()
    services.reopen_pathway(current_user, item)
    flash(_("A new pathway was opened."), "success")
    return redirect(url_for("people.beneficiary", beneficiary_id=item.id))


# -- assessments -------------------------------------------------------------------------------


@bp.route("/beneficiaries/<int:beneficiary_id>/assessments/new", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR)
def new_assessment(beneficiary_id: int):
    item = get_or_404(Beneficiary, beneficiary_id, current_user, action="edit")
    kind = request.values.get("kind", "entry")
    if kind not in services.ASSESSMENT_KINDS:
        raise NotFound()
    form = FlaskForm()
    answers: dict = {}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        for key, question in grid.QUESTIONS.items():
            if question.multiple:
                answers[key] = request.form.getlist(key)
            else:
                answers[key] = request.form.get(key) or None
        if not form.validate_on_submit():
            flash(_("The form expired or was sent twice. Please check it and send it again."),
                  "error")
            status = 400
        else:
            try:
                assessment = services.record_assessment(current_user, item, kind=kind,
                                                        answers=answers)
            except ValidationFailed as error:
                errors = {k.removeprefix("answers."): str(v)
                          for k, v in (error.details or {}).items()}
                flash(_("Some answers are missing or not in the grid."), "error")
                status = 400
            except Conflict as error:
                flash(str(error.message), "error")
                return redirect(url_for("people.beneficiary", beneficiary_id=item.id))
            else:
                flash(_("The assessment was recorded."), "success")
                return redirect(url_for("people.assessment", assessment_id=assessment.id))
    elif kind == "exit" and item.current_pathway and item.current_pathway.assessment("entry"):
        answers = dict(item.current_pathway.assessment("entry").answers)
    return render_template("people/assessment_form.html", beneficiary=item, kind=kind,
                           form=form, answers=answers, errors=errors), status


@bp.route("/assessments/<int:assessment_id>")
@requires_roles(ADMIN, ADVISOR)
def assessment(assessment_id: int):
    item = get_or_404(MobilityAssessment, assessment_id, current_user)
    record_view(current_user, item.beneficiary, fields=["assessment"])
    return render_template("people/assessment.html", assessment=item,
                           data=services.assessment_json(item), beneficiary=item.beneficiary)


# -- workshops ---------------------------------------------------------------------------------


@bp.route("/workshops", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR)
def workshops():
    form = forms.SessionForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            starts_at = form.starts_at.data.replace(tzinfo=ZoneInfo("Europe/Paris")) \
                .astimezone(UTC)
            try:
                session = services.create_workshop_session(
                    current_user, title=form.title.data, starts_at=starts_at,
                    capacity=form.capacity.data, duration_min=form.duration_min.data,
                    location=form.location.data)
            except ValidationFailed as error:
                _apply_errors(form, error)
                status = 400
            else:
                flash(_("The session was scheduled."), "success")
                return redirect(url_for("people.workshop_session", session_id=session.id))
        else:
            status = 400
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
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed()
    try:
        services.record_attendance(current_user, item, request.form.get("status", ""))
    except (ValidationFailed, Conflict) as error:
        messages = list((error.details or {}).values()) or [error.message]
        flash(" ".join(str(x) for x in messages), "error")
    else:
        flash(_("Attendance recorded."), "success")
    return redirect(url_for("people.workshop_session", session_id=session.id))


# -- partner organisations (admin) -------------------------------------------------------------


@bp.route("/organisations", methods=["GET", "POST"])
@requires_roles(ADMIN)
def organisations():
    form = forms.OrganisationForm(prefix="org")
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_organisation(current_user, name=form.name.data,
                                             kind=form.kind.data)
            except ValidationFailed as error:
                _apply_errors(form, error)
                status = 400
            else:
                flash(_("The organisation was registered."), "success")
                return redirect(url_for("people.organisations"))
        else:
            status = 400
    rows = db.session.scalars(scoped(PartnerOrganisation, current_user)
                              .order_by(PartnerOrganisation.name)).all()
    return render_template("people/organisations.html", form=form, organisations=rows), status


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@requires_roles(ADMIN)
def organisation(organisation_id: int):
    org = get_or_404(PartnerOrganisation, organisation_id, current_user, action="edit")
    form = forms.ReferentForm(prefix="referent")
    prescribers = db.session.scalars(scoped(User, current_user).where(
        User.role == PRESCRIBER, User.organisation_id == org.id)).all()
    form.user_id.choices = [forms.EMPTY] + [(u.id, f"{u.full_name} <{u.email}>")
                                            for u in prescribers]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_referent(
                    current_user, org, first_name=form.first_name.data,
                    last_name=form.last_name.data, job_title=form.job_title.data,
                    email=form.email.data, phone=form.phone.data, user_id=form.user_id.data)
            except ValidationFailed as error:
                _apply_errors(form, error)
                status = 400
            else:
                flash(_("The referent was added."), "success")
                return redirect(url_for("people.organisation", organisation_id=org.id))
        else:
            status = 400
    return render_template("people/organisation.html", organisation=org, form=form), status


@bp.route("/settings", methods=["GET", "POST"])
@requires_roles(ADMIN)
def settings():
    form = forms.SettingsForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                config = json.loads(form.config.data or "{}")
            except ValueError:
                form.config.errors = [_("This is not valid JSON.")]
                status = 400
            else:
                try:
                    services.update_settings(current_user, config)
                except ValidationFailed as error:
                    form.config.errors = [f"{k}: {v}" for k, v in (error.details or {}).items()]
                    status = 400
                else:
                    flash(_("The settings were saved."), "success")
                    return redirect(url_for("people.settings"))
        else:
            status = 400
    else:
        form.config.data = json.dumps(services.settings_config(current_user.platform_id),
                                      indent=2, ensure_ascii=False)
    return render_template(
        "people/settings.html", form=form,
        scoring=services.scoring_for(current_user.platform_id),
        eligibility=services.eligibility_config_for(current_user.platform_id)), status


# -- the beneficiary's own file ----------------------------------------------------------------


@bp.route("/me")
@requires_roles(BENEFICIARY)
def my_file():
    item = db.session.scalar(select(Beneficiary).where(
        Beneficiary.user_id == current_user.id,
        Beneficiary.platform_id == current_user.platform_id))
    if item is not None:
        record_view(current_user, item)
    return render_template("people/my_file.html", beneficiary=item)
