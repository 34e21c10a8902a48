"""Signing in and out, web sessions, API tokens, lock-out after repeated failures."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import generate_password_hash

from mobility.audit.services import record_audit
from mobility.auth.models import ApiToken, User, UserSession, hash_secret
from mobility.auth.passwords import password_problem
from mobility.core.columns import utcnow
from mobility.core.db import db, write_transaction
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.roles import PRESCRIBER, ROLES
from mobility.core.translations import lazy_gettext as _l
from mobility.platforms.phones import InvalidPhoneNumber, default_region, normalise_phone

# Checked against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    default_message = _l("Wrong e-mail address or password.")


class AccountLocked(DomainError):
    status = 429
    code = "account_locked"
    default_message = _l(
        "Too many failed attempts: this account is locked for a few minutes. "
        "Try again later or ask your administrator."
    )


class AccountDisabled(DomainError):
    status = 403
    code = "account_disabled"
    default_message = _l("This account is disabled. Please contact your administrator.")


def is_valid_email(email: str) -> bool:
    """The sign-in form's rule (WTForms `Email()`, i.e. `email_validator` without a DNS
    look-up), so that the CLI and the API accept exactly the addresses the form accepts."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User:
    """Check an e-mail and password; count failures and lock the account after too many.

    A locked account answers exactly like a wrong password (same error, same work), so the
    answer never tells an attacker which addresses exist or are locked. The failure count is
    incremented in one `UPDATE ... RETURNING`, so a burst of parallel tries cannot lose
    increments and stay under the limit.
    """
    user = find_user_by_email(email or "")
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password or "")
        raise InvalidCredentials()
    locked = user.is_locked()
    right = user.check_password(password or "")  # checked even when locked: same time
    if locked or not right:
        if not locked:
            _count_failure(user)
        record_audit(user, "login_failed", object_type="User", object_id=user.id)
        db.session.commit()
        raise InvalidCredentials()
    if not user.is_active:
        raise AccountDisabled()
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    return user


def _count_failure(user: User) -> None:
    """Add one failure atomically; at the limit, lock the account and start counting again."""
    config = current_app.config
    count = db.session.execute(
        update(User).where(User.id == user.id)
        .values(failed_login_count=func.coalesce(User.failed_login_count, 0) + 1)
        .returning(User.failed_login_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if count >= config["LOGIN_MAX_FAILURES"]:
        db.session.execute(
            update(User).where(User.id == user.id)
            .values(locked_until=utcnow() + timedelta(seconds=config["LOGIN_LOCKOUT_S"]),
                    failed_login_count=0)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(user, ["failed_login_count", "locked_until"])


def open_web_session(user: User, *, ip: str | None) -> str:
    """Create a server-side session row; returns the token kept in the signed cookie."""
    row, token = UserSession.open(user, ip=ip)
    db.session.add(row)
    record_audit(user, "login", object_type="User", object_id=user.id)
    db.session.commit()
    user._session_token = token
    return token


def close_web_session(token: str | None) -> None:
    """Revoke the session behind a cookie token (logout)."""
    if not token:
        return
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == hash_secret(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        record_audit(row.user, "logout", object_type="User", object_id=row.user_id)
        db.session.commit()


def user_for_session_token(token: str) -> User | None:
    """The user of a live web session, or None when it was revoked, expired or disabled."""
    # every request asks: the user comes in the same statement as the session row
    row = db.session.scalar(select(UserSession).options(joinedload(UserSession.user))
                            .where(UserSession.token_hash == hash_secret(token)))
    config = current_app.config
    if row is None or not row.is_live(
        idle_timeout_s=config["SESSION_IDLE_TIMEOUT_S"], max_age_s=config["SESSION_MAX_AGE_S"]
    ):
        return None
    now = utcnow()
    if now - row.last_seen_at > timedelta(seconds=60):  # one write a minute, not per request
        row_id = row.id
        with write_transaction(keep_loaded=True):  # a GET's only write: lock up front (SQLite)
            db.session.execute(update(UserSession).where(UserSession.id == row_id)
                               .values(last_seen_at=now)
                               .execution_options(synchronize_session=False))
        set_committed_value(row, "last_seen_at", now)  # as written, without a new read
    user = row.user
    user._session_token = token
    return user


def issue_api_token(user: User) -> tuple[str, ApiToken]:
    row, token = ApiToken.issue(user, ttl_s=current_app.config["API_TOKEN_TTL_S"])
    db.session.add(row)
    record_audit(user, "token_issued", object_type="User", object_id=user.id)
    db.session.commit()
    return token, row


def user_for_api_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(token)))
    return row.user if row is not None and row.is_valid() else None


def end_sessions_and_tokens(user_id: int) -> None:
    """Revoke every live web session and API token of the account (no commit): they stay dead
    even if the account is enabled again."""
    now = utcnow()
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def set_account_active(actor: User, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions and tokens at once."""
    user.active = active
    if not active:
        end_sessions_and_tokens(user.id)
    record_audit(actor, "enable" if active else "disable", object_type="User", object_id=user.id)
    db.session.commit()


def _new_user_problems(*, email: str, password: str | None, role: str, platform_id: int,
                       organisation_id: int | None) -> dict:
    """What refuses a new account: the e-mail, the role, the password, the organisation."""
    errors = {}
    if not is_valid_email(email) or len(email) > 254:
        errors["email"] = _l("Enter a valid e-mail address.")
    elif find_user_by_email(email) is not None:
        errors["email"] = _l("An account with this e-mail address already exists.")
    if role not in ROLES:
        errors["role"] = _l("Unknown role.")
    if password is not None:
        problem = password_problem(password, email=email)
        if problem is not None:
            errors["password"] = problem
    if role == PRESCRIBER and organisation_id is None:
        errors["organisation_id"] = _l("A prescriber belongs to a partner organisation.")
    if organisation_id is not None:
        organisation = _organisation(organisation_id)
        if organisation is None or organisation.platform_id != platform_id:
            errors["organisation_id"] = _l("Unknown partner organisation.")
    return errors


def _organisation(organisation_id: int):
    """The partner organisation of this id, or None. Organisations sit above accounts (a
    referent links an account), so their class is reached through the account's relationship
    rather than imported (docs/ARCHITECTURE.md, the order of the features)."""
    return db.session.get(User.organisation.property.mapper.class_, organisation_id)


def create_user(
    *, email: str, password: str | None, role: str, platform_id: int,
    full_name: str = "", organisation_id: int | None = None, locale: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account after checking the role, the e-mail and the password's length."""
    email = (email or "").strip().lower()
    errors = _new_user_problems(email=email, password=password, role=role,
                                platform_id=platform_id, organisation_id=organisation_id)
    if errors:
        raise ValidationFailed(details=errors)
    user = User(
        email=email, role=role, platform_id=platform_id, full_name=full_name,
        organisation_id=organisation_id, locale=locale,
    )
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if actor is not None:
        record_audit(actor, "create", object_type="User", object_id=user.id,
                     fields=["email", "role", "full_name"])
    db.session.commit()
    return user


def set_work_phone(user: User, raw: str | None, *, actor: User) -> User:
    """Record the work phone a staff member gives the people they follow (E.164); empty
    removes it. Refused (400, nothing changed) when it is not a valid number."""
    text = (raw or "").strip()
    phone = None
    if text:
        try:
            phone = normalise_phone(text, default_region(user.platform_id))
        except InvalidPhoneNumber:
            raise ValidationFailed(details={"phone": _l(
                "Enter a valid phone number, for example 04 93 12 34 56.")}) from None
    user.phone = phone
    record_audit(actor, "update", object_type="User", object_id=user.id, fields=["phone"])
    db.session.commit()
    return user
