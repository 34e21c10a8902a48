"""Items 1–3 of issue 14 under real concurrency: threads released by a barrier against a live
threaded server, on a SQLite file and on PostgreSQL.

1. two windows opening files (each GET writes an access-log row) while others write: no 500;
2. parallel wrong passwords and wrong one-time codes: every try counted, none beyond the limit;
3. the same cheque, the same Idempotency-Key, the same form sent in parallel: one payment.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import requests
from sqlalchemy import func, select

from mobility.audit.models import AuditEvent
from mobility.auth.models import User
from mobility.core.db import db
from mobility.payments.models import Payment
from mobility.portal import services as portal
from mobility.portal.models import MAX_CODE_ATTEMPTS, OneTimeCode
from tests.factories import create_amie_beneficiary, create_money_rental, create_user
from tests.hardening.conftest import api_token_of, browser_session, csrf_of, race


def _count(model, *where) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_windows_open_files_while_others_write(app, live):
    advisor = create_user("advisor")
    people = [create_amie_beneficiary(advisor.platform).id for _ in range(3)]
    rental_id = create_money_rental(advisor.platform).id
    email = advisor.email
    windows = browser_session(live, email)
    token = api_token_of(live, email)
    cookies = windows.cookies.get_dict()

    def open_files(n):
        def call():
            answers = []
            for person_id in people:
                answers.append(requests.get(f"{live}/people/beneficiaries/{person_id}",
                                            cookies=cookies, allow_redirects=False))
            return answers
        return call

    def pay(n):
        def call():
            return [requests.post(f"{live}/api/v1/rentals/{rental_id}/payments",
                                  headers={"Authorization": f"Bearer {token}"},
                                  json={"amount_cents": 100 + n, "method": "cheque",
                                        "reference": f"CHQ{n:07d}"})]
        return call

    results = race([open_files(n) for n in range(8)] + [pay(n) for n in range(4)])
    statuses = Counter(r.status_code for answers in results for r in answers)
    assert statuses == {200: 24, 201: 4}, statuses
    assert _count(AuditEvent, AuditEvent.action == "view") == 24
    assert _count(Payment, Payment.rental_id == rental_id) == 4


def test_every_parallel_wrong_password_is_counted(app, live):
    app.config["LOGIN_MAX_FAILURES"] = 1000  # count only: no lock-out during this burst
    user_id = create_user("advisor").id
    email = db.session.get(User, user_id).email
    calls = [lambda: requests.post(f"{live}/api/v1/auth/token",
                                   json={"email": email, "password": "wrong-password!"})
             for _ in range(25)]
    assert Counter(r.status_code for r in race(calls)) == {401: 25}
    assert db.session.get(User, user_id).failed_login_count == 25


def test_a_burst_of_wrong_passwords_locks_the_account(app, live):
    user_id = create_user("advisor").id
    email = db.session.get(User, user_id).email
    calls = [lambda: requests.post(f"{live}/api/v1/auth/token",
                                   json={"email": email, "password": "wrong-password!"})
             for _ in range(25)]
    answers = race(calls)
    assert Counter(r.status_code for r in answers) == {401: 25}
    assert {r.json()["error"]["code"] for r in answers} == {"invalid_credentials"}
    assert db.session.get(User, user_id).locked_until is not None
    refused = requests.post(f"{live}/api/v1/auth/token",
                            json={"email": email, "password": "correct-horse-battery"})
    # locked: the right password answers like a wrong one
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_credentials"


def test_parallel_wrong_codes_are_compared_at_most_five_times(app, live):
    person = create_amie_beneficiary(phone="06 12 34 56 78", birth_date=date(1994, 3, 2))
    sent = []
    challenge = portal.request_code("0612345678", date(1994, 3, 2),
                                    send=lambda b, code, channel: sent.append(code))
    row = db.session.scalar(select(OneTimeCode).where(OneTimeCode.beneficiary_id == person.id))
    wrong = [f"{n:06d}" for n in range(20) if not row.matches(f"{n:06d}")][:14]
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"portal_challenge": challenge})
    browser = requests.Session()
    browser.cookies.set(app.config["SESSION_COOKIE_NAME"], cookie)
    page = browser.get(live + "/portal/code")
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    cookies = browser.cookies.get_dict()

    def guess(code):
        return lambda: requests.post(live + "/portal/code", cookies=cookies,
                                     data={"csrf_token": csrf, "code": code},
                                     allow_redirects=False)

    answers = race([guess(code) for code in wrong])
    statuses = Counter(r.status_code for r in answers)
    assert set(statuses) <= {400, 303} and statuses[400] <= MAX_CODE_ATTEMPTS - 1, statuses
    db.session.commit()
    assert db.session.get(OneTimeCode, row.id).attempts == MAX_CODE_ATTEMPTS
    # the right code is dead too
    signed_in = requests.post(live + "/portal/code", cookies=cookies,
                              data={"csrf_token": csrf, "code": sent[0]},
                              allow_redirects=False)
    assert signed_in.status_code == 303 and "/portal/login" in signed_in.headers["Location"]
    assert _count(User, User.role == "beneficiary") == 0


def _money(app, live):
    advisor = create_user("advisor")
    rental_id = create_money_rental(advisor.platform).id
    return advisor.email, rental_id, api_token_of(live, advisor.email)


def test_the_same_cheque_sent_ten_times_is_recorded_once(app, live):
    _, rental_id, token = _money(app, live)
    body = {"amount_cents": 4500, "method": "cheque", "reference": "CHQ 0012345"}
    calls = [lambda: requests.post(f"{live}/api/v1/rentals/{rental_id}/payments", json=body,
                                   headers={"Authorization": f"Bearer {token}"})
             for _ in range(10)]
    answers = race(calls)
    assert Counter(r.status_code for r in answers) == {201: 1, 409: 9}
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {
        "duplicate_reference"}
    assert _count(Payment, Payment.rental_id == rental_id) == 1


def test_the_same_idempotency_key_gives_the_same_answer_and_one_payment(app, live):
    _, rental_id, token = _money(app, live)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "pay-7f3a"}
    body = {"amount_cents": 2000, "method": "cash"}
    calls = [lambda: requests.post(f"{live}/api/v1/rentals/{rental_id}/payments", json=body,
                                   headers=headers) for _ in range(10)]
    answers = race(calls)
    assert Counter(r.status_code for r in answers) == {201: 10}
    assert len({r.json()["id"] for r in answers}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in answers) == 9
    assert _count(Payment, Payment.rental_id == rental_id) == 1
    other = requests.post(f"{live}/api/v1/rentals/{rental_id}/payments", headers=headers,
                          json={"amount_cents": 2001, "method": "cash"})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert _count(Payment, Payment.rental_id == rental_id) == 1


def test_a_form_sent_several_times_records_once(app, live):
    email, rental_id, _ = _money(app, live)
    browser = browser_session(live, email)
    page = browser.get(f"{live}/payments/rentals/{rental_id}")
    once = re.search(r'name="once"[^>]*value="([^"]+)"', page.text).group(1)
    data = {"csrf_token": csrf_of(page.text), "amount": "12,00", "method": "cash", "once": once}
    cookies = browser.cookies.get_dict()
    calls = [lambda: requests.post(f"{live}/payments/rentals/{rental_id}/payments", data=data,
                                   cookies=cookies, allow_redirects=False) for _ in range(6)]
    assert Counter(r.status_code for r in race(calls)) == {302: 6}
    assert _count(Payment, Payment.rental_id == rental_id) == 1


def test_keys_are_forgotten_after_a_day(app, client):
    from datetime import timedelta

    from mobility.api.idempotency import KEEP
    from mobility.api.models import IdempotencyRecord
    from mobility.core.columns import utcnow
    from mobility.scheduling.runner import run_job

    user = create_user("advisor")
    now = utcnow()
    db.session.add_all([
        IdempotencyRecord(user_id=user.id, key="old", request_hash="x", status=201,
                          created_at=now - KEEP - timedelta(seconds=1)),
        IdempotencyRecord(user_id=user.id, key="new", request_hash="x", status=201,
                          created_at=now - KEEP + timedelta(seconds=60))])
    db.session.commit()
    run = run_job("prune_idempotency_keys")
    assert run.status == "ok" and run.summary == "1 clé oubliée"
    assert [r.key for r in db.session.scalars(select(IdempotencyRecord))] == ["new"]
