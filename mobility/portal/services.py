"""Beneficiary sign-in with a one-time code sent by SMS or e-mail, plus their birth date."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select, update

from mobility.audit.services import record_audit
from mobility.auth.models import User, hash_secret
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import DomainError
from mobility.core.roles import BENEFICIARY
from mobility.core.translations import lazy_gettext as _l
from mobility.people.models import Beneficiary
from mobility.platforms.phones import default_region, match_key
from mobility.portal.models import MAX_CODE_ATTEMPTS, OneTimeCode


class CodeRefused(DomainError):
    status = 400
    code = "wrong_code"
    default_message = _l("This code is not right. Check the last message we sent you.")


class CodeExpired(DomainError):
    status = 400
    code = "code_expired"
    default_message = _l("This code has expired or was tried too many times. Ask for a new one.")


def find_beneficiary(contact: str, birth_date: date) -> Beneficiary | None:
    """The beneficiary whose phone or e-mail and birth date match, if exactly one does."""
    contact = (contact or "").strip()
    wanted_email = contact.lower() if "@" in contact else None
    candidates = db.session.scalars(
        select(Beneficiary).where(Beneficiary.birth_date == birth_date)
    ).all()

    def same_phone(b: Beneficiary) -> bool:
        # whatever way the number is typed (06…, +33 6…, 0033…, 0692…), in the file's country
        region = default_region(b.platform_id)
        wanted = match_key(contact, region)
        return wanted is not None and match_key(b.phone, region) == wanted

    matches = [
        b for b in candidates
        if (wanted_email and (b.email or "").strip().lower() == wanted_email)
        or (not wanted_email and same_phone(b))
    ]
    return matches[0] if len(matches) == 1 else None


def request_code(contact: str, birth_date: date, *, send) -> str:
    """Send a code when the details match a beneficiary; returns a challenge either way.

    The answer never tells whether the person exists: an unknown person gets a challenge that
    matches no code. `send(beneficiary, code, channel)` queues the message.
    """
    beneficiary = find_beneficiary(contact, birth_date)
    if beneficiary is None:
        return secrets.token_urlsafe(24)
    channel = "email" if "@" in contact else "sms"
    row, code, challenge = OneTimeCode.issue(beneficiary, channel=channel)
    db.session.add(row)
    db.session.flush()
    send(beneficiary, code, channel)
    db.session.commit()
    return challenge


def verify_code(challenge: str | None, code: str) -> User:
    """Check a code against its challenge; returns the beneficiary's account (created if new)."""
    row = None
    if challenge:
        row = db.session.scalar(
            select(OneTimeCode).where(OneTimeCode.challenge_hash == hash_secret(challenge))
        )
    if row is None:
        raise CodeRefused()
    if not _take_attempt(row):
        raise CodeExpired()
    if not row.matches(code or ""):
        db.session.commit()
        if not row.is_usable():
            raise CodeExpired()
        raise CodeRefused(details={"attempts_left": row.attempts_left})
    used = db.session.execute(
        update(OneTimeCode).where(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:  # a parallel request signed in with this code first
        db.session.rollback()
        raise CodeExpired()
    # the attempt that succeeded is not a wrong try
    row.attempts = OneTimeCode.attempts - 1
    user = beneficiary_account(row.beneficiary)
    db.session.commit()
    return user


def _take_attempt(row: OneTimeCode) -> bool:
    """Count one try BEFORE comparing, in one conditional UPDATE, so that parallel requests
    compare at most `MAX_CODE_ATTEMPTS` guesses against a code; False when none is left."""
    taken = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None),
               OneTimeCode.attempts < MAX_CODE_ATTEMPTS, OneTimeCode.expires_at > utcnow())
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(OneTimeCode.attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.expire(row, ["attempts", "used_at"])
    return taken is not None


def beneficiary_account(beneficiary: Beneficiary) -> User:
    """The beneficiary's login, created at first sign-in (no password: codes only)."""
    if beneficiary.user_id is not None:
        return beneficiary.user
    email = (beneficiary.email or "").strip().lower()
    taken = email and db.session.scalar(select(User).where(User.email == email))
    if not email or taken:
        # `.invalid` can never receive mail: this address only keeps the column unique.
        email = f"beneficiary-{beneficiary.id}@portal.invalid"
    user = User(email=email, role=BENEFICIARY, platform_id=beneficiary.platform_id,
                full_name=beneficiary.full_name, password_hash=None)
    db.session.add(user)
    db.session.flush()
    beneficiary.user_id = user.id
    record_audit(user, "create", object_type="User", object_id=user.id, fields=["email", "role"])
    return user
