"""Beneficiary sign-in with a one-time code (service level: the outbox path is tested in
test_portal_pages)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mobility.auth.models import User
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.portal import services
from mobility.portal.models import MAX_CODE_ATTEMPTS, OneTimeCode
from tests.factories import create_amie_beneficiary


class Outbox(list):
    """Collects what `request_code` asks to send, as the outbox would."""

    def __call__(self, beneficiary, code, channel):
        self.append((beneficiary.id, code, channel))


@pytest.fixture
def person(app):
    return create_amie_beneficiary(phone="06 12 34 56 78", email="ines@example.org",
                                   birth_date=date(1994, 3, 2))


def test_code_by_sms_then_sign_in_creates_the_account(person):
    sent = Outbox()
    challenge = services.request_code("+33612345678", date(1994, 3, 2), send=sent)
    assert [(b, c) for b, _, c in sent] == [(person.id, "sms")]
    code = sent[0][1]
    assert len(code) == 6 and code.isdigit()
    row = db.session.scalar(select(OneTimeCode))
    assert code not in row.code_hash and challenge not in row.challenge_hash
    user = services.verify_code(challenge, code)
    assert user.role == "beneficiary" and user.password_hash is None
    assert db.session.get(type(person), person.id).user_id == user.id
    with pytest.raises(services.CodeExpired):  # a code works once
        services.verify_code(challenge, code)


def test_code_by_email(person):
    sent = Outbox()
    services.request_code("INES@example.org ", date(1994, 3, 2), send=sent)
    assert sent[0][2] == "email"


def test_wrong_birth_date_sends_nothing_and_reveals_nothing(person):
    sent = Outbox()
    challenge = services.request_code("0612345678", date(1994, 3, 3), send=sent)
    assert sent == [] and challenge
    with pytest.raises(services.CodeRefused):
        services.verify_code(challenge, "123456")
    assert db.session.scalar(select(User).where(User.role == "beneficiary")) is None


def test_attempts_are_limited(person):
    sent = Outbox()
    challenge = services.request_code("0612345678", date(1994, 3, 2), send=sent)
    code = sent[0][1]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_CODE_ATTEMPTS - 1):
        with pytest.raises(services.CodeRefused):
            services.verify_code(challenge, wrong)
    with pytest.raises(services.CodeExpired):
        services.verify_code(challenge, wrong)
    with pytest.raises(services.CodeExpired):  # even the right code is dead now
        services.verify_code(challenge, code)


def test_expired_code_is_refused(person):
    sent = Outbox()
    challenge = services.request_code("0612345678", date(1994, 3, 2), send=sent)
    row = db.session.scalar(select(OneTimeCode))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(services.CodeExpired):
        services.verify_code(challenge, sent[0][1])


def test_phone_numbers_match_in_any_french_form():
    from mobility.platforms.phones import match_key

    assert match_key("+33 6 12 34 56 78") == match_key("06.12.34.56.78")
    assert match_key("0033612345678") == "+33612345678"
    assert match_key("") is None
