"""Item 9 of issue 14, the other side of `test_access_walk.py`: every rule, for every
role, with the ids of the role's OWN platform's records (the demo platform, loaded once per
database): a rule the role is declared for answers 200 — not a redirect to the sign-in page,
not a 403 — and a rule it is not declared for answers 403 (or 404).

The expected answer comes from the rules' declarations (`allowed_roles`, set by
`requires_roles`, `public` and `api_route`), never from what the app answered. Each id is the
record the role works with: the beneficiary's own file and rental, the prescriber's
organisation's referral, a rental in progress for the staff. The few rules that answer
something else on purpose are listed in `EXPECTED_OTHERWISE`, each with its reason.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from fleet.models import Inspection, Photo, Rental
from mobility.auth.models import User
from mobility.auth.policies import PUBLIC
from mobility.commute.models import CommuteCheck
from mobility.contracts.models import RentalContract
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.roles import ROLES
from mobility.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from mobility.notifications.outbox import status_token
from mobility.partners.models import PublishedService, WebhookEndpoint
from mobility.payments.models import Payment
from mobility.people.models import (
    Beneficiary,
    MobilityAssessment,
    PersonDocument,
    Referral,
    WorkshopSession,
)
from mobility.platforms.models import Platform
from mobility.portal.models import SignInLink
from tests.conftest import empty_all_tables, make_app
from tests.factories import api_token, bearer, csrf_token_from, login
from tests.fleet.helpers import png_bytes
from tests.hardening.test_access_walk import ARGUMENT, NOISY, NOT_SET_UP

#: rules that answer something other than 200 to a role they are declared for, on purpose
EXPECTED_OTHERWISE = {
    # sends the browser on to the page of the same name in the portal / dashboard
    "/": {302},
    "/auth/proconnect/signed-out": {302},
    "/portal/code": {302},
    # ProConnect is not set up here: back to the sign-in page, which says so
    "/auth/proconnect/callback": {302},
    # a person already signed in is sent on to their dashboard
    "/login": {302},
    "/portal/login": {302},
    # the SMS provider's delivery report without its status: refused, nothing recorded
    "/notifications/sms-status/<int:message_id>/<token>": {400},
}
#: values of the arguments that are not record ids
TEXT_VALUES = {"fmt": "csv", "name": "commute.js", "what": "checkpoint"}
#: the values of one rule's arguments, where a name means something else there
RULE_VALUES = {
    "/notifications/sms-status/<int:message_id>/<token>": {
        "message_id": 1, "token": lambda: status_token(1)},
    "/privacy/beneficiaries/<int:beneficiary_id>/export.<fmt>": {"fmt": "json"},
}
#: the query a rule needs to answer (a period, a scheme...), without which it answers 400
_DAY = local_today() + timedelta(days=30)
_PERIOD = f"start={_DAY.isoformat()}&end={(_DAY + timedelta(days=7)).isoformat()}"
RULE_QUERY = {
    "/api/v1/availability": _PERIOD,
    "/api/v1/beneficiaries/<int:beneficiary_id>/eligibility": "scheme=amie",
    "/api/v1/quotes": "beneficiary_id={beneficiary_id}&kind=car&" + _PERIOD,
    "/api/v1/reports/activity": f"start={_DAY.year - 1}-01-01&end={_DAY.year - 1}-12-31",
}


def _app_with_demo(request, tmp_path_factory, folder: str):
    """The app on the parametrised database with the demo loaded (emptied afterwards)."""
    url = request.getfixturevalue(f"{request.param}_url")
    app = make_app(url, tmp_path_factory.mktemp(folder))
    with app.app_context():
        load_demo()
        db.session.remove()
    yield app
    empty_all_tables(app)


@pytest.fixture(scope="module", params=["sqlite", "postgres"], ids=["sqlite", "postgresql"])
def demo_app(request, tmp_path_factory):
    """The app on each database with the demo loaded once for the module's read-only walk."""
    yield from _app_with_demo(request, tmp_path_factory, "own")


def _account(role: str) -> User:
    email = next(e for e, _, r in DEMO_ACCOUNTS if r == role)
    return db.session.scalar(select(User).where(User.email == email))


def _own_ids(user: User) -> dict[str, object]:
    """For each URL argument, the id of a record of the user's own platform they work with."""
    platform = db.session.get(Platform, user.platform_id)
    with_contract = (select(Rental).join(RentalContract, RentalContract.rental_id == Rental.id)
                     .join(Inspection, Inspection.rental_id == Rental.id)
                     .where(Rental.platform_id == platform.id,
                            Rental.status == "in_progress").order_by(Rental.id))
    if user.role == "beneficiary":
        person = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == user.id))
        rental = db.session.scalar(with_contract.where(Rental.beneficiary_id == person.id))
    else:
        rental = db.session.scalars(with_contract).first()
        person = rental.beneficiary
    referrals = select(Referral).where(Referral.platform_id == platform.id)
    if user.organisation_id is not None:
        referrals = referrals.where(Referral.organisation_id == user.organisation_id)
    referral = db.session.scalars(referrals.order_by(Referral.id)).first()
    from mobility.partners import datainclusion

    datainclusion.services_of(platform)  # the published offer is made on first view
    endpoint = WebhookEndpoint(platform_id=platform.id, url="https://partner.example/hook",
                               secret="s" * 32, events=["referral.created"])
    db.session.add(endpoint)
    link, link_token = SignInLink.issue(person, target_path="/dashboard")
    db.session.add(link)
    db.session.commit()
    first = {
        "beneficiary_id": person.id, "rental_id": rental.id, "vehicle_id": rental.vehicle_id,
        "referral_id": referral.id, "organisation_id": referral.organisation_id,
        "endpoint_id": endpoint.id, "token": link_token,
        "check_id": db.session.scalar(select(CommuteCheck.id).where(
            CommuteCheck.beneficiary_id == person.id).order_by(CommuteCheck.id)),
        "assessment_id": db.session.scalar(select(MobilityAssessment.id).where(
            MobilityAssessment.beneficiary_id == person.id).order_by(MobilityAssessment.id)),
        "session_id": db.session.scalar(select(WorkshopSession.id).where(
            WorkshopSession.platform_id == platform.id).order_by(WorkshopSession.id)),
        "service_id": db.session.scalar(select(PublishedService.id).where(
            PublishedService.platform_id == platform.id).order_by(PublishedService.id)),
        "photo_id": _photo(user, rental).id,
        "payment_id": db.session.scalar(select(Payment.id).where(
            Payment.rental_id == rental.id).order_by(Payment.id)),
        "document_id": db.session.scalar(select(PersonDocument.id).where(
            PersonDocument.platform_id == platform.id).order_by(PersonDocument.id)),
    }
    return first | TEXT_VALUES


def _photo(user: User, rental: Rental) -> Photo:
    from flask import current_app

    from fleet.services import save_photo

    return save_photo(None, rental.vehicle, png_bytes((16, 12)),
                      upload_folder=current_app.config["UPLOAD_FOLDER"], max_bytes=10**6)


def _url(rule: str, ids: dict[str, object]) -> str:
    values = ids | RULE_VALUES.get(rule, {})

    def fill(match):
        value = values.get(match.group(2))
        assert value is not None, f"the demo holds no record for {match.group(2)} ({rule})"
        return str(value() if callable(value) else value)
    url = ARGUMENT.sub(fill, rule)
    query = RULE_QUERY.get(rule)
    return f"{url}?{query.format(**values)}" if query else url


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_reaches_its_own_records_as_declared(demo_app, role):
    client = demo_app.test_client()
    with demo_app.app_context():
        user = _account(role)
        ids = _own_ids(user)
        assert login(client, user, password=DEMO_PASSWORD).status_code == 302
        token = api_token(demo_app.test_client(), user, password=DEMO_PASSWORD)
        rules = sorted((r for r in demo_app.url_map.iter_rules()
                        if "GET" in r.methods and not r.endpoint.endswith("static")),
                       key=lambda r: r.rule)
        allowed_of = {r.rule: demo_app.view_functions[r.endpoint].allowed_roles for r in rules}
        url_of = {r.rule: _url(r.rule, ids) for r in rules}
    wrong = []
    for rule in rules:
        allowed = allowed_of[rule.rule]
        url = url_of[rule.rule]
        headers = bearer(token) if url.startswith("/api/") else {}
        response = client.get(url, headers=headers)
        status = response.status_code
        if allowed == PUBLIC or role in allowed:
            expected = EXPECTED_OTHERWISE.get(rule.rule, {200})
        else:
            expected = {403, 404}
        if status not in expected:
            where = response.headers.get("Location", "")
            wrong.append((rule.rule, url, status, where, sorted(expected)))
    assert wrong == [], "\n".join(map(str, wrong))


def _every_row() -> dict[str, list[tuple]]:
    db.session.commit()
    out = {}
    for name, table in db.metadata.tables.items():
        if name in NOISY or "id" not in table.c:
            continue
        columns = [c for c in table.columns if c.name != "document"]
        out[name] = [tuple(r) for r in db.session.execute(
            select(*columns).order_by(table.c.id)).all()]
    db.session.commit()
    return out


#: a number no record has: what a write names when the demo holds no such record of its own
NO_SUCH_ID = 999_999_999


def _write_ids(user: User) -> dict[str, object]:
    """The ids only writes name (an attendance, a maintenance job, a message...), of the user's
    own platform."""
    from fleet.models import CarpoolRide, MaintenanceJob, MinibusRun
    from mobility.commute.models import TransitLine
    from mobility.notifications.models import OutboxMessage
    from mobility.partners.models import WebhookDelivery
    from mobility.people.models import WorkshopAttendance

    def first(model, *where):
        found = db.session.scalar(select(model.id).where(
            model.platform_id == user.platform_id, *where).order_by(model.id))
        return found if found is not None else NO_SUCH_ID

    return {"user_id": first(User, User.id != user.id),
            "attendance_id": first(WorkshopAttendance), "inspection_id": first(Inspection),
            "job_id": first(MaintenanceJob), "ride_id": first(CarpoolRide),
            "run_id": first(MinibusRun), "message_id": first(OutboxMessage),
            "line_id": first(TransitLine), "delivery_id": first(WebhookDelivery),
            "kind": "check_out", "action": "handled"}


@pytest.fixture(params=["sqlite", "postgres"], ids=["sqlite", "postgresql"])
def fresh_demo_app(request, tmp_path_factory):
    """A demo of its own for a test whose requests may change it."""
    yield from _app_with_demo(request, tmp_path_factory, "own-writes")


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_write_on_own_records_is_refused_or_handled_as_declared(fresh_demo_app, role):
    """Every rule, every method but GET, with the role's own records: a rule the role is not
    declared for answers 403 (or 404) and changes nothing; one it is declared for reaches its
    handler and never answers a 5xx (the empty form or body is then refused as bad input)."""
    app = fresh_demo_app
    client = app.test_client()
    with app.app_context():
        user = _account(role)
        ids = _own_ids(user) | _write_ids(user)
        token = api_token(app.test_client(), user, password=DEMO_PASSWORD)
        writes = sorted((r.rule, method) for r in app.url_map.iter_rules()
                         if not r.endpoint.endswith("static")
                         for method in (r.methods or set()) - {"GET", "HEAD", "OPTIONS"})
        rules = {r.rule: r for r in app.url_map.iter_rules()}
        allowed_of = {rule: app.view_functions[rules[rule].endpoint].allowed_roles
                      for rule, _method in writes}
        url_of = {rule: _url(rule, ids | ({"job_id": "rental_overdue"} if "<job_id>" in rule
                                          else {})) for rule, _method in writes}

    def sign_in() -> str:
        assert login(client, _account(role), password=DEMO_PASSWORD).status_code == 302
        return csrf_token_from(client.get("/dashboard", follow_redirects=True)
                               .get_data(as_text=True))

    def send(rule: str, method: str, csrf: str):
        url = url_of[rule]
        if url.startswith("/api/"):
            return client.open(url, method=method, headers=bearer(token), json={})
        return client.open(url, method=method, data={"csrf_token": csrf})

    with app.app_context():
        csrf = sign_in()
        refused = [(rule, m) for rule, m in writes
                   if allowed_of[rule] != PUBLIC and role not in allowed_of[rule]]
        assert refused and len(refused) < len(writes)  # both sides are walked
        before = _every_row()
        wrong = []
        for rule, method in refused:
            status = send(rule, method, csrf).status_code
            if status not in (403, 404):
                wrong.append((method, rule, status, "expected 403/404"))
        assert _every_row() == before
        for rule, method in writes:
            if (rule, method) in refused:
                continue
            response = send(rule, method, csrf)
            payload = response.get_json(silent=True) if response.is_json else None
            error = payload.get("error") if isinstance(payload, dict) else None
            code = error.get("code") if isinstance(error, dict) else None
            if response.status_code >= 500 and code not in NOT_SET_UP:
                wrong.append((method, rule, response.status_code, code))
            if rule in ("/logout", "/auth/proconnect/logout") or response.status_code == 401:
                csrf = sign_in()
    assert wrong == [], "\n".join(map(str, wrong))
