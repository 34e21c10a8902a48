"""Pages: a person's data (export JSON or PDF) and the anonymisation with its confirmation.

Linked from the beneficiary file: `privacy.person` (/privacy/beneficiaries/<id>),
`privacy.export` (/privacy/beneficiaries/<id>/export.json|pdf) and `privacy.anonymise`
(/privacy/beneficiaries/<id>/anonymise).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from mobility.auth.policies import get_or_404, requires_roles
from mobility.core.db import db
from mobility.core.errors import Conflict, NotFound
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import gettext as _
from mobility.people.models import Beneficiary
from mobility.privacy import (
    services,
)
from mobility.privacy.api import download
from mobility.privacy.export import export_filename, export_person, json_bytes
from mobility.privacy.forms import AnonymiseForm
from mobility.privacy.models import Anonymisation

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def _anonymisation(beneficiary_id: int) -> Anonymisation | None:
    return db.session.scalar(select(Anonymisation).where(
        Anonymisation.beneficiary_id == beneficiary_id))


@bp.route("/beneficiaries/<int:beneficiary_id>")
@requires_roles(ADMIN, ADVISOR)
def person(beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, current_user)
    return render_template("privacy/person.html", beneficiary=beneficiary,
                           anonymisation=_anonymisation(beneficiary.id), form=AnonymiseForm())


@bp.route("/beneficiaries/<int:beneficiary_id>/export.<fmt>")
@requires_roles(ADMIN, ADVISOR)
def export(beneficiary_id: int, fmt: str):
    if fmt not in ("json", "pdf", "zip"):
        raise NotFound()
    beneficiary = get_or_404(Beneficiary, beneficiary_id, current_user)
    body, mimetype = export_person(current_user, beneficiary, fmt)
    if fmt == "json":
        body = json_bytes(body)
    return download(body, mimetype, export_filename(beneficiary.id, fmt))


@bp.route("/beneficiaries/<int:beneficiary_id>/anonymise", methods=["GET", "POST"])
@requires_roles(ADMIN, ADVISOR)
def anonymise(beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, current_user, action="edit")
    form = AnonymiseForm()
    status = 200
    error = None
    if form.is_submitted():
        if form.validate():
            try:
                services.anonymise(current_user, beneficiary, reason="request")
            except Conflict as conflict:
                db.session.rollback()
                error, status = conflict.message, conflict.status
            else:
                flash(_("The file was anonymised."), "success")
                return redirect(url_for("privacy.person", beneficiary_id=beneficiary.id))
        else:
            status = 400
    return render_template("privacy/anonymise.html", beneficiary=beneficiary, form=form,
                           anonymisation=_anonymisation(beneficiary.id), error=error), status
