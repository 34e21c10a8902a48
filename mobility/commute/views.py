"""Pages: "Trajet domicile-travail" of a beneficiary, "Vérifier un trajet" for any two
addresses, and the street layer of their maps."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from mobility.audit.services import record_view
from mobility.auth.policies import get_or_404, public, requires_roles
from mobility.commute import maps, transit_lines
from mobility.commute.beneficiaries import file_values, run_check_for_beneficiary
from mobility.commute.checks import compute_check
from mobility.commute.context import RoutingNotConfigured, is_configured, settings_for
from mobility.commute.forms import GtfsImportForm, commute_form, line_form
from mobility.commute.history import checks_of
from mobility.commute.inputs import ATTRIBUTION
from mobility.commute.models import CommuteCheck, TransitLine
from mobility.commute.person_ladder import person_ladder
from mobility.commute.presentation import check_data, present, present_check
from mobility.core.errors import DomainError, NotFound, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY
from mobility.core.translations import gettext as _
from mobility.core.translations import ngettext
from mobility.people.ladder import ANY_LEVEL_LABELS
from mobility.people.models import Beneficiary
from mobility.web.forms import errors_onto_form

bp = Blueprint("commute", __name__, url_prefix="/commute")
STATIC = Path(__file__).parent / "static"
ASSETS = {"commute.js": "text/javascript", "commute.css": "text/css"}


@bp.route("/assets/<name>")
@public
def asset(name: str):
    """The commute pages' script and stylesheet."""
    if name not in ASSETS:
        raise NotFound()
    return send_from_directory(STATIC, name, mimetype=ASSETS[name], max_age=3600)


def _form_input(form) -> dict:
    return {"origin": form.origin.data, "destination": form.destination.data,
            "arrive_by": form.arrive_by.data, "leave_at": form.leave_at.data,
            "days": form.days.data or None, "modes": form.modes.data or None}


def _unavailable(error: DomainError | None = None):
    """The message shown when no network is set up (or the server is down)."""
    return error.message if error is not None else RoutingNotConfigured.default_message


@bp.route("/check", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN)
def check():
    """Check a commute between any two addresses (nothing is stored)."""
    form = commute_form()
    result = map_data = None
    error = None
    status = 200
    if not is_configured():
        return render_template("commute/check.html", form=form, result=None, map=None,
                               unavailable=_unavailable()), 503
    if form.is_submitted():
        if form.validate():
            try:
                data = compute_check(platform_id=current_user.platform_id,
                                     **_form_input(form))
            except DomainError as failure:
                status = failure.status
                if failure.status == 503:
                    error = failure.message
                else:
                    errors_onto_form(form, failure)
                    error = failure.message
            else:
                result = present(data, both_languages=False)
                map_data = maps.map_data(data)
        else:
            status = 400
    return render_template("commute/check.html", form=form, result=result, map=map_data,
                           error=error, unavailable=None), status


@bp.route("/beneficiaries/<int:beneficiary_id>", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN)
def beneficiary(beneficiary_id: int):
    """The beneficiary's home → work commute: form prefilled from the file, stored checks."""
    person = get_or_404(Beneficiary, beneficiary_id, current_user, action="edit")
    values = file_values(person)
    form = commute_form(origin=values["origin"], destination=values["destination"],
                        arrive_by=values["arrive_by"], leave_at=values["leave_at"])
    checks = checks_of(person)
    error = None
    status = 200
    configured = is_configured()
    if configured and form.is_submitted():
        if form.validate():
            try:
                stored = run_check_for_beneficiary(current_user, person, **_form_input(form))
            except DomainError as failure:
                status = failure.status
                error = failure.message
                if failure.status != 503:  # a 503 is about the service, not the fields
                    errors_onto_form(form, failure)
            else:
                return redirect(url_for("commute.beneficiary", beneficiary_id=person.id,
                                        check=stored.id) + "#results")
        else:
            status = 400
    elif not configured:
        status = 503
    selected = _selected_check(person, checks, status)
    if status == 200 and request.method == "GET":
        record_view(current_user, person, fields=["address", "workplace_address"])
    result = (present_check(selected, both_languages=False) if selected is not None
              else None)
    if result is not None:
        result["ladder"] = person_ladder(person, selected)  # the same ladder as the file's
    map_data = maps.map_data(check_data(selected)) if selected else None
    return render_template(
        "commute/beneficiary.html", person=person, form=form, checks=checks, result=result,
        map=map_data, selected=selected, error=error, level_labels=ANY_LEVEL_LABELS,
        unavailable=None if configured else _unavailable()), status


def _selected_check(person, checks: list[CommuteCheck], status: int) -> CommuteCheck | None:
    """The check the page shows: the one asked for (`?check=`, the person's own), else the
    latest when the page is not answering a refused form."""
    wanted = request.args.get("check", type=int)
    if wanted is not None:
        selected = get_or_404(CommuteCheck, wanted, current_user)
        if selected.beneficiary_id != person.id:
            raise NotFound()
        return selected
    if checks and status == 200:
        return checks[0]
    return None


@bp.route("/streets.geojson")
@requires_roles(ADVISOR, ADMIN, BENEFICIARY)  # public OSM streets under a person's own map
def streets():
    """Streets inside `bbox=south,west,north,east` as GeoJSON, drawn when no tile server is set."""
    if not request.args.get("bbox"):  # nothing asked: an empty layer
        return jsonify({"type": "FeatureCollection", "features": [],
                        "attribution": ATTRIBUTION})
    bbox = maps.parse_bbox(request.args.get("bbox"))
    response = jsonify(maps.streets_geojson(bbox))
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def commute_url(beneficiary_id: int) -> str:
    """URL of a beneficiary's commute page (for links from other features)."""
    return url_for("commute.beneficiary", beneficiary_id=beneficiary_id)


# -- public-transport lines (platform admins) --------------------------------------------------


def _lines_page(status: int = 200, *, new_form=None, forms=None, import_form=None,
                error: str | None = None):
    platform_id = current_user.platform_id
    lines = transit_lines.lines_of(platform_id)
    forms = forms or {}
    settings = settings_for(platform_id)
    in_use = transit_lines.gtfs_path_for(platform_id)
    if settings is not None and settings.gtfs_path:
        feed = "imported" if in_use == transit_lines.imported_feed_path(platform_id) else "path"
    elif in_use is not None and in_use == transit_lines.lines_feed_path(platform_id):
        feed = "lines"
    else:
        feed = "setting" if in_use is not None else "none"
    return render_template(
        "commute/lines.html", lines=lines, feed=feed,
        forms={line.id: forms.get(line.id) or line_form(line) for line in lines},
        new_form=new_form or line_form(), import_form=import_form or GtfsImportForm(),
        osm_groups=transit_lines.osm_line_groups(), osm_stops=transit_lines.osm_stops(),
        kinds=transit_lines.KINDS, error=error), status


def _line_values(form) -> dict:
    return {"ref": form.ref.data, "name": form.name.data, "kind": form.kind.data,
            "first": form.first_departure.data, "last": form.last_departure.data,
            "headway_min": form.headway_min.data, "days": form.days.data}


@bp.route("/transit-lines", methods=["GET", "POST"])
@requires_roles(ADMIN)
def lines():
    """The platform's public-transport lines and their timetables; POST adds a line."""
    form = line_form()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _lines_page(400, new_form=form)
        try:
            transit_lines.save_line(current_user, current_user.platform_id, None,
                                    stops_text=form.stops.data or "", **_line_values(form))
        except ValidationFailed as failure:
            errors_onto_form(form, failure)
            return _lines_page(failure.status, new_form=form, error=failure.message)
        flash(_("The line was added; the timetable feed is up to date."), "success")
        return redirect(url_for("commute.lines"))
    return _lines_page()


@bp.route("/transit-lines/<int:line_id>", methods=["POST"])
@requires_roles(ADMIN)
def edit_line(line_id: int):
    """Save a line's name and timetable (and stops, for a line described by hand)."""
    line = get_or_404(TransitLine, line_id, current_user, action="edit")
    form = line_form(line)
    if not form.validate_on_submit():
        return _lines_page(400, forms={line.id: form})
    try:
        transit_lines.save_line(
            current_user, line.platform_id, line,
            stops_text=form.stops.data if line.source == "manual" else None,
            **_line_values(form))
    except ValidationFailed as failure:
        errors_onto_form(form, failure)
        return _lines_page(failure.status, forms={line.id: form}, error=failure.message)
    flash(_("Line %(ref)s saved; the timetable feed is up to date.", ref=line.ref), "success")
    return redirect(url_for("commute.lines") + f"#line-{line.id}")


@bp.route("/transit-lines/<int:line_id>/delete", methods=["POST"])
@requires_roles(ADMIN)
def delete_line(line_id: int):
    """Remove a line."""
    line = get_or_404(TransitLine, line_id, current_user, action="edit")
    if not line_form(line).validate_on_submit():
        return _lines_page(400, error=_("The form had expired: send it again."))
    transit_lines.delete_line(current_user, line)
    flash(_("The line was removed."), "success")
    return redirect(url_for("commute.lines"))


@bp.route("/transit-lines/osm", methods=["POST"])
@requires_roles(ADMIN)
def add_osm_lines():
    """Add the map's bus and train lines the platform does not have yet."""
    if not GtfsImportForm().validate_on_submit():
        return _lines_page(400, error=_("The form had expired: send it again."))
    added = transit_lines.add_osm_lines(current_user, current_user.platform_id)
    flash(ngettext("%(num)d line of the map added: enter its timetable.",
                   "%(num)d lines of the map added: enter their timetables.", len(added)),
          "success")
    return redirect(url_for("commute.lines"))


@bp.route("/transit-lines/import", methods=["POST"])
@requires_roles(ADMIN)
def import_gtfs():
    """Use an uploaded GTFS zip (e.g. from transport.data.gouv.fr) instead of the lines."""
    form = GtfsImportForm()
    if not form.validate_on_submit():
        return _lines_page(400, import_form=form)
    try:
        transit_lines.import_gtfs(current_user, current_user.platform_id, form.gtfs_file.data)
    except ValidationFailed as failure:
        errors_onto_form(form, failure)
        return _lines_page(failure.status, import_form=form, error=failure.message)
    flash(_("The GTFS feed was imported: commute checks now use it."), "success")
    return redirect(url_for("commute.lines"))


@bp.route("/transit-lines/use-lines", methods=["POST"])
@requires_roles(ADMIN)
def use_lines():
    """Go back to the platform's lines (forget the imported feed)."""
    if not GtfsImportForm().validate_on_submit():
        return _lines_page(400, error=_("The form had expired: send it again."))
    transit_lines.use_lines(current_user, current_user.platform_id)
    flash(_("Commute checks use the platform's lines again."), "success")
    return redirect(url_for("commute.lines"))
