"""Pages: the activity report (admins; advisors read it too) and its downloads."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from mobility.auth.policies import requires_roles
from mobility.core.db import db
from mobility.core.errors import NotFound, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import gettext as _
from mobility.platforms.models import Platform
from mobility.reports import charts, services
from mobility.reports.api import download
from mobility.reports.forms import PeriodForm
from mobility.reports.tables import display_value, report_tables
from mobility.web.forms import errors_onto_form

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _scope_choices(user) -> list[tuple[str, str]]:
    own = db.session.get(Platform, user.platform_id)
    choices = [("", _("My platform: %(name)s", name=own.name))]
    for network in services.networks_administered(user):
        choices.append((f"network:{network.slug}",
                        _("Whole network: %(name)s", name=network.name)))
        for platform_id in network.platform_ids:
            if platform_id != own.id:
                platform = db.session.get(Platform, platform_id)
                choices.append((f"platform:{platform.slug}", platform.name))
    return choices


def _form() -> PeriodForm:
    args = request.args
    if not args.get("start") and not args.get("end"):
        default = services.default_period()
        args = MultiDict({**args.to_dict(), "start": default.start.isoformat(),
                          "end": default.end.isoformat()})
    form = PeriodForm(args)
    form.scope.choices = _scope_choices(current_user)
    return form


def _run(form: PeriodForm):
    """Validate the form and build the report; raises ValidationFailed on bad input."""
    if not form.validate():
        raise ValidationFailed(details={n: " ".join(str(e) for e in errs)
                                        for n, errs in form.errors.items()})
    period = services.parse_period(form.start.data, form.end.data)
    budget = services.parse_budget(form.budget.data)
    kind, _sep, key = (form.scope.data or "").partition(":")
    scope = services.resolve_scope(current_user, platform=key if kind == "platform" else None,
                                   network=key if kind == "network" else None)
    return scope, period, services.build_report(scope, period, budget_cents=budget)


@bp.route("/activity")
@requires_roles(ADMIN, ADVISOR)
def activity():
    form = _form()
    report = tables = None
    status = 200
    try:
        scope, period, report = _run(form)
    except ValidationFailed as error:
        status = 400
        if not any(field.errors for field in form):  # the form's own errors are on it already
            errors_onto_form(form, error)
    else:
        tables = report_tables(report)
    query = {k: v for k, v in request.args.items() if k in ("start", "end", "scope", "budget")}
    if form.start.data and "start" not in query:
        query.update(start=form.start.data.isoformat(), end=form.end.data.isoformat())
    return render_template("reports/activity.html", form=form, report=report, tables=tables,
                           charts=charts, query=query,
                           table_value=display_value), status


@bp.route("/activity/export.<fmt>")
@requires_roles(ADMIN, ADVISOR)
def activity_export(fmt: str):
    if fmt not in ("csv", "xlsx", "pdf"):
        raise NotFound()
    form = _form()
    scope, period, report = _run(form)
    services.record_export(current_user, scope, period, fmt)
    return download(report, fmt)
