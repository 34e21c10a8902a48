"""Password policy the NIST SP 800-63B way: a length, a blocklist, no composition rules;
changing one's password; an admin's reset that forces a change at the next sign-in."""

from __future__ import annotations

import gzip
import secrets
from functools import lru_cache
from pathlib import Path

from sqlalchemy import update

from mobility.audit.services import record_audit
from mobility.auth.models import MIN_PASSWORD_LENGTH, ApiToken, User, UserSession
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l

#: NIST 800-63B §3.1.1.2 asks to accept at least 64 characters; the cap keeps hashing cheap
MAX_PASSWORD_LENGTH = 200
DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The blocklist: the 20,000 most common passwords and common French ones, lowercased."""
    with gzip.open(DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as f:
        words = {line.strip().lower() for line in f if line.strip()}
    words |= {line.strip().lower() for line in
              (DATA / "common-passwords-fr.txt").read_text(encoding="utf-8").splitlines()
              if line.strip()}
    return frozenset(words)


def password_problem(password: str, *, email: str | None = None):
    """What is wrong with a new password (a translated message), or None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("The password must have at least 10 characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("The password must have at most 200 characters.")
    lowered = password.strip().lower()
    if lowered in common_passwords() or len(set(lowered)) < 3:
        return _l("This password is too common: choose another one, for example a sentence "
                  "of several words.")
    local = (email or "").split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        return _l("The password must not contain your e-mail address.")
    return None


def check_new_password(password: str, *, email: str | None, field: str = "password") -> None:
    """Raise a 400 with the field's message when the new password breaks the policy."""
    problem = password_problem(password or "", email=email)
    if problem is not None:
        raise ValidationFailed(details={field: problem})


def _end_sessions(user: User, *, keep_token_hash: str | None = None) -> None:
    now = utcnow()
    sessions = update(UserSession).where(UserSession.user_id == user.id,
                                         UserSession.revoked_at.is_(None))
    if keep_token_hash is not None:
        sessions = sessions.where(UserSession.token_hash != keep_token_hash)
    db.session.execute(sessions.values(revoked_at=now))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now))


def change_password(user: User, *, current: str, new: str,
                    keep_session_hash: str | None = None) -> None:
    """Change one's own password after checking the current one; other sessions end."""
    if not user.check_password(current or ""):
        raise ValidationFailed(details={"current": _l("This is not your current password.")})
    if new == current:
        raise ValidationFailed(details={"new": _l("Choose a password different from the "
                                                  "current one.")})
    check_new_password(new, email=user.email, field="new")
    user.set_password(new)
    user.must_change_password = False
    _end_sessions(user, keep_token_hash=keep_session_hash)
    record_audit(user, "update", object_type="User", object_id=user.id, fields=["password"])
    db.session.commit()


def reset_password(actor: User, user: User) -> str:
    """An admin's reset: a temporary password, shown once, to change at the next sign-in.

    Every session and token of the account ends at once.
    """
    temporary = "-".join(secrets.token_urlsafe(4) for _ in range(4))
    user.set_password(temporary)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    _end_sessions(user)
    record_audit(actor, "update", object_type="User", object_id=user.id, fields=["password"])
    db.session.commit()
    return temporary
