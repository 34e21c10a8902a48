"""Assessment pages: the grid to fill in, an assessment recorded."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from mobility.audit.services import record_view
from mobility.auth.policies import get_or_404, requires_roles
from mobility.core.errors import Conflict, NotFound, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import gettext as _
from mobility.people import grid, services
from mobility.people.models import Beneficiary, MobilityAssessment
from mobility.people.views import bp


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


