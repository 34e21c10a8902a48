"""The beneficiary's way in: a one-time code by SMS or e-mail, plus their birth date."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from mobility.auth.policies import public, requires_roles
from mobility.auth.signin import login_rate_limit, sign_in
from mobility.commute import services as commute
from mobility.commute.person_ladder import person_ladder
from mobility.core.dates import local_today
from mobility.core.errors import DomainError, NotFound
from mobility.core.extensions import limiter
from mobility.core.roles import BENEFICIARY
from mobility.core.translations import gettext as _
from mobility.notifications.calendar import checkpoint_event, return_event, to_ics
from mobility.notifications.outbox import send_due_messages
from mobility.portal import links, services
from mobility.portal.calendar import upcoming_events
from mobility.portal.delivery import send_code
from mobility.portal.forms import BirthDateForm, CodeForm, CodeRequestForm
from mobility.portal.summary import beneficiary_of, commute_for_sheet, portal_summary
from mobility.web.panels import dashboard_panel

bp = Blueprint("portal", __name__, url_prefix="/portal")
#: the short sign-in links of reminders live at the root: PUBLIC_BASE_URL/r/<token>
links_bp = Blueprint("links", __name__)


@bp.record_once
def _register_links(state) -> None:
    state.app.register_blueprint(links_bp)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = CodeRequestForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("portal/login.html", form=form), 400
        challenge = services.request_code(form.contact.data, form.birth_date.data, send=send_code)
        send_due_messages(kinds=("portal_code",), max_batches=1)
        session["portal_challenge"] = challenge
        return redirect(url_for("portal.code"))
    return render_template("portal/login.html", form=form)


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
@public
def code():
    if "portal_challenge" not in session:
        return redirect(url_for("portal.login"))
    form = CodeForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = services.verify_code(session.get("portal_challenge"), form.code.data)
            except services.CodeExpired as error:
                session.pop("portal_challenge", None)
                flash(str(error.message), "error")
                return redirect(url_for("portal.login")), 303
            except DomainError as error:
                left = (error.details or {}).get("attempts_left")
                message = str(error.message)
                if left is not None:
                    message += " " + _("Attempts left: %(n)s.", n=left)
                form.code.errors.append(message)
                status = error.status
            else:
                sign_in(user)
                return redirect(url_for("dashboard.home"))
        else:
            status = 400
    return render_template("portal/code.html", form=form), status


@dashboard_panel(BENEFICIARY)
def _home_panel(user):
    summary = portal_summary(user)
    if summary is None:
        return None
    return {"template": "portal/_home.html", "summary": summary, "today": local_today(),
            "commute": commute_for_sheet(summary.beneficiary, current_user)}


@bp.route("/commute")
@requires_roles(BENEFICIARY)
def my_commute():
    """The beneficiary's home-work commute as last checked by their advisor, on a map."""
    beneficiary = beneficiary_of(current_user)
    check = commute.latest_check_for(beneficiary) if beneficiary is not None else None
    if check is not None and not check.can_view(current_user):
        raise NotFound()
    result = (commute.present_check(check, both_languages=False) if check is not None
              else None)
    if result is not None:
        result["ladder"] = person_ladder(beneficiary, check)  # the same ladder as the file's
    map_data = commute.map_data(commute.check_data(check)) if check is not None else None
    return render_template("portal/commute.html", result=result, map=map_data, plain=True,
                           person=beneficiary)


@links_bp.route("/r/<token>", methods=["GET", "POST"])
@limiter.limit(login_rate_limit)
@public
def sign_in_link(token: str):
    """A reminder's link: the person confirms their birth date, is signed in once, and lands
    on the page the reminder is about. Used, expired or unknown links all answer 410."""
    try:
        links.find_link(token)
    except links.LinkUnusable as error:
        return render_template("portal/link.html", form=None, dead=str(error.message)), 410
    form = BirthDateForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user, target = links.confirm_link(token, form.birth_date.data)
            except links.LinkUnusable as error:
                return render_template("portal/link.html", form=None,
                                       dead=str(error.message)), 410
            except links.WrongBirthDate as error:
                form.birth_date.errors.append(str(error.message))
                status = error.status
            else:
                sign_in(user)
                return redirect(target, 303)
        else:
            status = 400
    return render_template("portal/link.html", form=form, dead=None), status


@bp.route("/calendar.ics")
@requires_roles(BENEFICIARY)
def my_calendar():
    """The dates to keep (hand-over, checkpoints, return, workshops) as a calendar file."""
    beneficiary = beneficiary_of(current_user)
    # an account not linked to a file yet has nothing to keep: an empty calendar, like the
    # portal's other pages that show nothing yet
    events = upcoming_events(beneficiary, current_user) if beneficiary is not None else []
    body = to_ics(events, locale=current_user.locale or "fr")
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'attachment; filename="mes-rendez-vous.ics"'})


@bp.route("/rentals/<int:rental_id>/<any(checkpoint, return):what>.ics")
@requires_roles(BENEFICIARY)
def rental_event(rental_id: int, what: str):
    """One date to keep as a calendar file: the rental's next checkpoint, or its return (with
    time and place). Only the person's own open rentals; none planned answers 404."""
    summary = portal_summary(current_user)
    item = next((i for i in (summary.rentals if summary else []) if i.rental.id == rental_id),
                None)
    if item is None or (what == "checkpoint" and item.appointment is None):
        raise NotFound()
    event = (checkpoint_event(item.rental, item.appointment) if what == "checkpoint"
             else return_event(item.rental))
    body = to_ics([event], locale=current_user.locale or "fr")
    name = "point-etape" if what == "checkpoint" else "retour-vehicule"
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{name}.ics"'})
