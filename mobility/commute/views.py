"""Pages: "Trajet domicile-travail" of a beneficiary, "Vérifier un trajet" for any two
addresses, and the street layer of their maps."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from mobility.audit.services import record_view
from mobility.auth.policies import get_or_404, public, requires_roles
from mobility.auth.roles import ADMIN, ADVISOR, BENEFICIARY
from mobility.commute import services
from mobility.commute.forms import commute_form
from mobility.commute.models import CommuteCheck
from mobility.errors import DomainError, NotFound
from mobility.people.models import Beneficiary
from mobility.templating import nav_item

bp = Blueprint("commute", __name__, url_prefix="/commute")
STATIC = Path(__file__).parent / "static"
ASSETS = {"commute.js": "text/javascript", "commute.css": "text/css"}

nav_item("commute.check", _l("Check a commute"), {ADVISOR, ADMIN}, group="person")


@bp.route("/assets/<name>")
@public
def asset(name: str):
    """The commute pages' script and stylesheet."""
    if name not in ASSETS:
        raise NotFound()
    return send_from_directory(STATIC, name, mimetype=ASSETS[name], max_age=3600)


def _apply_errors(form, error: DomainError) -> None:
    """Put an error's per-field messages on the form's fields."""
    for name, message in (error.details or {}).items():
        target = getattr(form, name.split(".")[0], None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors or []), str(message)]


def _form_input(form) -> dict:
    return {"origin": form.origin.data, "destination": form.destination.data,
            "arrive_by": form.arrive_by.data, "leave_at": form.leave_at.data,
            "days": form.days.data or None, "modes": form.modes.data or None}


def _unavailable(error: DomainError | None = None):
    """The message shown when no network is set up (or the server is down)."""
    return error.message if error is not None else services.RoutingNotConfigured.default_message


@bp.route("/check", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN)
def check():
    """Check a commute between any two addresses (nothing is stored)."""
    form = commute_form()
    result = map_data = None
    error = None
    status = 200
    if not services.is_configured():
        return render_template("commute/check.html", form=form, result=None, map=None,
                               unavailable=_unavailable()), 503
    if form.is_submitted():
        if form.validate():
            try:
                data = services.compute_check(platform_id=current_user.platform_id,
                                              **_form_input(form))
            except DomainError as failure:
                status = failure.status
                if failure.status == 503:
                    error = failure.message
                else:
                    _apply_errors(form, failure)
                    error = failure.message
            else:
                result = services.present(data)
                map_data = services.map_data(data)
        else:
            status = 400
    return render_template("commute/check.html", form=form, result=result, map=map_data,
                           error=error, unavailable=None), status


@bp.route("/beneficiaries/<int:beneficiary_id>", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN)
def beneficiary(beneficiary_id: int):
    """The beneficiary's home → work commute: form prefilled from the file, stored checks."""
    person = get_or_404(Beneficiary, beneficiary_id, current_user, action="edit")
    values = services.file_values(person)
    form = commute_form(origin=values["origin"], destination=values["destination"],
                        arrive_by=values["arrive_by"], leave_at=values["leave_at"])
    checks = services.checks_of(person)
    error = None
    status = 200
    configured = services.is_configured()
    if configured and form.is_submitted():
        if form.validate():
            try:
                stored = services.run_check_for_beneficiary(current_user, person,
                                                            **_form_input(form))
            except DomainError as failure:
                status = failure.status
                error = failure.message
                _apply_errors(form, failure)
            else:
                return redirect(url_for("commute.beneficiary", beneficiary_id=person.id,
                                        check=stored.id) + "#results")
        else:
            status = 400
    elif not configured:
        status = 503
    selected = None
    wanted = request.args.get("check", type=int)
    if wanted is not None:
        selected = get_or_404(CommuteCheck, wanted, current_user)
        if selected.beneficiary_id != person.id:
            raise NotFound()
    elif checks and status == 200:
        selected = checks[0]
    if status == 200 and request.method == "GET":
        record_view(current_user, person, fields=["address", "workplace_address"])
    result = services.present_check(selected) if selected is not None else None
    map_data = services.map_data(services.check_data(selected)) if selected else None
    return render_template(
        "commute/beneficiary.html", person=person, form=form, checks=checks, result=result,
        map=map_data, selected=selected, error=error, level_labels=services.LEVEL_LABELS,
        unavailable=None if configured else _unavailable()), status


@bp.route("/streets.geojson")
@requires_roles(ADVISOR, ADMIN, BENEFICIARY)  # public OSM streets under a person's own map
def streets():
    """Streets inside `bbox=south,west,north,east` as GeoJSON, drawn when no tile server is set."""
    if not request.args.get("bbox"):  # nothing asked: an empty layer
        return jsonify({"type": "FeatureCollection", "features": [],
                        "attribution": services.ATTRIBUTION})
    bbox = services.parse_bbox(request.args.get("bbox"))
    response = jsonify(services.streets_geojson(bbox))
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def commute_url(beneficiary_id: int) -> str:
    """URL of a beneficiary's commute page (for links from other features)."""
    return url_for("commute.beneficiary", beneficiary_id=beneficiary_id)

