"""A beneficiary's file: the list, the form, the file page and its forms (documents, notes,
feedback, actions, exit, eligibility override, reopening)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from mobility.audit.services import record_view
from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.commute import services as commute
from mobility.commute.person_ladder import person_ladder
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, NotFound, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.services import messages_about_person
from mobility.organisations.models import PARTNER_OPERATOR_KINDS, PartnerOrganisation, Referent
from mobility.pagination import page_cursor_arg
from mobility.people import documents, forms, services
from mobility.people import models as m
from mobility.people.models import Beneficiary, PersonDocument, Referral
from mobility.people.views import bp
from mobility.rentals.summary import rentals_of_person, seats_of_person, workshops_of_person
from mobility.web.forms import errors_onto_form

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
                errors_onto_form(form, error)
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
            errors_onto_form(form, error)
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


