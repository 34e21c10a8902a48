"""Pages: webhooks (admins), the published offer (admins), SIRETs (admins), ProConnect
sign-in (everyone) and the attachment of waiting ProConnect identities (admins)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from mobility.auth import services as auth_services
from mobility.auth.policies import get_or_404, public, requires_roles
from mobility.auth.signin import safe_next, sign_in
from mobility.core.db import db
from mobility.core.errors import DomainError, NotFound
from mobility.core.extensions import limiter
from mobility.core.roles import ADMIN, PRESCRIBER
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.organisations.models import PartnerOrganisation
from mobility.partners import datainclusion, proconnect, webhooks
from mobility.partners.forms import (
    AttachForm,
    ButtonForm,
    ServiceForm,
    SiretForm,
    StructureForm,
    WebhookForm,
)
from mobility.partners.models import (
    EVENTS,
    ProConnectIdentity,
    PublishedService,
    WebhookDelivery,
    WebhookEndpoint,
)
from mobility.platforms.models import Platform
from mobility.platforms.siret import clean_siret
from mobility.web.forms import attempt
from mobility.web.panels import dashboard_panel

bp = Blueprint("partners", __name__)


AUDIENCE_LABELS = {
    "tous-publics": _l("All audiences"),
    "actifs": _l("People in work"),
    "beneficiaires-des-minimas-sociaux": _l("People on minimum social benefits"),
    "demandeurs-emploi": _l("Job seekers"),
    "etudiants": _l("Students"),
    "familles": _l("Families"),
    "femmes": _l("Women"),
    "jeunes": _l("Young people"),
    "personnes-en-situation-de-handicap": _l("People with disabilities"),
    "residents-qpv-frr": _l("Residents of priority neighbourhoods (QPV, FRR)"),
    "seniors": _l("Seniors"),
}


@dashboard_panel(ADMIN)
def _webhooks_panel(user):
    """Webhook deliveries that failed or keep failing, and identities waiting to be attached."""
    failed = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
        WebhookDelivery.platform_id == user.platform_id, WebhookDelivery.status == "failed"))
    retrying = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
        WebhookDelivery.platform_id == user.platform_id, WebhookDelivery.status == "pending",
        WebhookDelivery.attempts > 0))
    waiting = len(proconnect.waiting_identities(user))
    if not (failed or retrying or waiting):
        return None
    return {"template": "partners/_panel.html", "failed": failed, "retrying": retrying,
            "waiting": waiting}


# -- webhooks -------------------------------------------------------------------------------

@bp.route("/partners/webhooks", methods=["GET", "POST"])
@requires_roles(ADMIN)
def webhooks_page():
    form = WebhookForm()
    created, status = None, 200
    if request.method == "POST":
        created, status = attempt(form, lambda: webhooks.register_endpoint(
            current_user, url=form.url.data, events=form.events.data,
            description=form.description.data))
        if status == 200:
            status = 201
            form = WebhookForm(formdata=None)
    deliveries = list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.platform_id == current_user.platform_id)
        .order_by(WebhookDelivery.id.desc()).limit(100)))
    return render_template("partners/webhooks.html", form=form, created=created,
                           endpoints=webhooks.endpoints_of(current_user.platform_id),
                           deliveries=deliveries, events=EVENTS,
                           button=ButtonForm()), status


@bp.route("/partners/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@requires_roles(ADMIN)
def delete_webhook(endpoint_id: int):
    endpoint = get_or_404(WebhookEndpoint, endpoint_id, current_user, action="edit")
    if ButtonForm().validate_on_submit() and endpoint.active:
        webhooks.delete_endpoint(current_user, endpoint)
        flash(_("The endpoint was removed: nothing more is sent to it."), "success")
    return redirect(url_for("partners.webhooks_page"))


@bp.route("/partners/webhooks/deliveries/<int:delivery_id>/retry", methods=["POST"])
@requires_roles(ADMIN)
def retry_delivery(delivery_id: int):
    delivery = get_or_404(WebhookDelivery, delivery_id, current_user, action="edit")
    if ButtonForm().validate_on_submit():
        try:
            webhooks.retry_delivery(current_user, delivery)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            flash(_("The delivery will be sent again within a minute."), "success")
    return redirect(url_for("partners.webhooks_page"))


# -- the published offer ----------------------------------------------------------------------

@bp.route("/partners/data-inclusion", methods=["GET", "POST"])
@requires_roles(ADMIN)
def data_inclusion_page():
    platform = db.session.get(Platform, current_user.platform_id)
    structure = datainclusion.structure_of(platform)
    services = datainclusion.services_of(platform)
    db.session.commit()
    form = StructureForm(obj=structure)
    status = 200
    if request.method == "POST":
        status = attempt(form, lambda: datainclusion.update_structure(current_user,
                                                                       form.data))[1]
        if status == 200:
            flash(_("The published structure was saved."), "success")
            return redirect(url_for("partners.data_inclusion_page"))
    return render_template("partners/data_inclusion.html", form=form, platform=platform,
                           structure=structure, services=services,
                           offers=datainclusion.OFFERS), status


@bp.route("/partners/data-inclusion/services/<int:service_id>", methods=["GET", "POST"])
@requires_roles(ADMIN)
def service_page(service_id: int):
    service = get_or_404(PublishedService, service_id, current_user, action="edit")
    form = ServiceForm(obj=service)
    form.audiences.choices = [(code, AUDIENCE_LABELS[code]) for code in datainclusion.PUBLICS]
    if request.method == "GET":
        form.eligibility_zone.data = ", ".join(service.eligibility_zone or [])
    status = 200
    if request.method == "POST":
        status = attempt(form, lambda: datainclusion.update_service(current_user, service,
                                                                     form.data))[1]
        if status == 200:
            flash(_("The published service was saved."), "success")
            return redirect(url_for("partners.data_inclusion_page"))
    return render_template("partners/service.html", form=form, service=service,
                           offer=datainclusion.OFFERS[service.offer]), status


# -- SIRETs -----------------------------------------------------------------------------------

@bp.route("/partners/sirets", methods=["GET", "POST"])
@requires_roles(ADMIN)
def sirets_page():
    platform = db.session.get(Platform, current_user.platform_id)
    organisations = list(db.session.scalars(select(PartnerOrganisation).where(
        PartnerOrganisation.platform_id == platform.id).order_by(PartnerOrganisation.name)))
    status = 200
    if request.method == "POST":
        form = SiretForm()
        target = request.form.get("target", "")
        if form.validate_on_submit():
            try:
                value = clean_siret(form.siret.data)
                if target == "platform":
                    proconnect.set_siret(current_user, platform, value)
                else:
                    organisation = get_or_404(PartnerOrganisation, target, current_user,
                                              action="edit")
                    proconnect.set_siret(current_user, organisation, value)
            except DomainError as error:
                flash(str(next(iter((error.details or {}).values()), error.message)), "error")
                status = error.status
            else:
                flash(_("The SIRET was saved."), "success")
                return redirect(url_for("partners.sirets_page"))
        else:
            status = 400
    return render_template("partners/sirets.html", platform=platform,
                           organisations=organisations, form=SiretForm(formdata=None)), status


# -- ProConnect -------------------------------------------------------------------------------

@bp.route("/partners/proconnect", methods=["GET", "POST"])
@requires_roles(ADMIN)
def proconnect_page():
    waiting = proconnect.waiting_identities(current_user)
    users = proconnect.attachable_users(current_user)
    form = AttachForm()
    form.user_id.choices = [(u.id, f"{u.full_name or u.email} ({u.email}, {u.role_label})")
                            for u in users]
    status = 200
    if request.method == "POST":
        identity_id = request.form.get("identity_id", type=int)
        identity = db.session.get(ProConnectIdentity, identity_id) if identity_id else None
        if identity is None or identity not in waiting:
            raise NotFound()
        if form.validate_on_submit():
            try:
                proconnect.attach(current_user, identity, form.user_id.data)
            except DomainError as error:
                flash(str(error.message), "error")
                status = error.status
            else:
                flash(_("The ProConnect identity is attached: this person can sign in."),
                      "success")
                return redirect(url_for("partners.proconnect_page"))
        else:
            status = 400
    return render_template("partners/proconnect.html", waiting=waiting, form=form,
                           attached=proconnect.attached_identities(current_user)), status


@bp.route("/auth/proconnect/login", methods=["POST"])
@limiter.limit(lambda: proconnect.login_rate_limit(), methods=["POST"])
@public
def proconnect_login():
    if not proconnect.is_configured() or not ButtonForm().validate_on_submit():
        raise NotFound()
    return redirect(proconnect.start(request.args.get("next")))


@bp.route("/auth/proconnect/callback")
@public
def proconnect_callback():
    if not proconnect.is_configured():
        return redirect(url_for("auth.login"))
    try:
        user, next_path = proconnect.finish(request.args)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("auth.login")), 302
    id_token = session.get(proconnect.SESSION_KEY_ID_TOKEN_TMP)
    sign_in(user)
    if id_token:
        session[proconnect.SESSION_KEY_ID_TOKEN] = id_token
    flash(_("Welcome, %(name)s.", name=user.full_name or user.email), "success")
    if next_path:
        return redirect(safe_next(next_path))
    # prescribers come for their organisation's referrals
    return redirect(url_for("people.referrals") if user.role == PRESCRIBER
                    else safe_next(None))


@bp.route("/auth/proconnect/logout", methods=["POST"])
@public
def proconnect_logout():
    """Sign out here, then at ProConnect (its end-session endpoint comes back to the login)."""
    id_token = session.get(proconnect.SESSION_KEY_ID_TOKEN)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("auth.login"))
    token = current_user.get_id() if current_user.is_authenticated else None
    auth_services.close_web_session(token)
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    target = proconnect.end_session_url(id_token) if id_token else None
    flash(_("You are signed out."), "success")
    return redirect(target or url_for("auth.login"))


@bp.route("/auth/proconnect/signed-out")
@public
def proconnect_signed_out():
    return redirect(url_for("auth.login"))


@bp.app_context_processor
def _proconnect_button() -> dict:
    """`proconnect_enabled` for the sign-in page: the button shows only when configured;
    `signed_in_with_proconnect` for the sign-out form (logout at the provider too). A function,
    not Flask's `session` in templates: pages may name a workshop session `session`."""
    return {"proconnect_enabled": proconnect.is_configured(), "proconnect_form": ButtonForm,
            "signed_in_with_proconnect": lambda: bool(
                session.get(proconnect.SESSION_KEY_ID_TOKEN))}
