"""Sign-in links in reminders: `PUBLIC_BASE_URL/r/<token>`, single-use, hashed, expiring.

The notifications sender asks `link_for_message` for a link when it renders a beneficiary's
message whose `link` points into the platform; the person opens it, confirms their birth date
(the same second factor as the one-time codes) and lands on the page the message is about.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select, update

from mobility.auth.models import User, hash_secret
from mobility.core.columns import utcnow
from mobility.core.db import db, write_transaction
from mobility.core.errors import DomainError
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.settings import setting
from mobility.people.models import Beneficiary
from mobility.portal.models import SignInLink
from mobility.portal.services import beneficiary_account


class LinkUnusable(DomainError):
    status = 410
    code = "link_unusable"
    default_message = _l("This link has expired or was already used. Sign in with a code "
                         "instead.")


class WrongBirthDate(DomainError):
    status = 400
    code = "wrong_birth_date"
    default_message = _l("This birth date does not match. Check it and try again.")


def _base_url() -> str:
    return str(setting("PUBLIC_BASE_URL")).rstrip("/")


def local_path(url: str | None) -> str | None:
    """The path of `url` when it points into this platform (`PUBLIC_BASE_URL`), else None."""
    if not url:
        return None
    base = urlsplit(_base_url())
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or path.startswith("/r/"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def link_for_message(*, beneficiary_id: int, url: str | None, message_id: int | None) -> str | None:
    """A fresh sign-in link to the page `url` shows, replacing any earlier link of the same
    message (commits); None when `url` is not a page of the platform."""
    path = local_path(url)
    beneficiary = db.session.get(Beneficiary, beneficiary_id)
    if path is None or beneficiary is None or beneficiary.birth_date is None:
        return None
    with write_transaction():
        if message_id is not None:
            db.session.execute(
                update(SignInLink).where(SignInLink.message_id == message_id,
                                         SignInLink.used_at.is_(None))
                .values(expires_at=utcnow()))
        row, token = SignInLink.issue(beneficiary, target_path=path[:255], message_id=message_id,
                                      ttl_h=setting("SIGNIN_LINK_TTL_H"))
        db.session.add(row)
    return f"{_base_url()}/r/{token}"


def find_link(token: str | None) -> SignInLink | None:
    """The usable link for `token`; raises `LinkUnusable` for an unknown, used or dead one."""
    row = db.session.scalar(select(SignInLink).where(
        SignInLink.token_hash == hash_secret(token or ""))) if token else None
    if row is None or not row.is_usable():
        raise LinkUnusable()
    return row


def confirm_link(token: str, birth_date: date | None) -> tuple[User, str]:
    """Use the link once: with the right birth date, returns the beneficiary's account and the
    page to open; a wrong date counts as a wrong code does (`MAX_LINK_ATTEMPTS`)."""
    with write_transaction():
        row = find_link(token)
        if birth_date is None or row.beneficiary.birth_date != birth_date:
            row.attempts += 1
            wrong = True
        else:
            # only one of two simultaneous requests can flip used_at
            done = db.session.execute(
                update(SignInLink).where(SignInLink.id == row.id, SignInLink.used_at.is_(None))
                .values(used_at=utcnow()))
            if done.rowcount != 1:
                raise LinkUnusable()
            wrong = False
            user = beneficiary_account(row.beneficiary)
            target = row.target_path
    if wrong:
        raise WrongBirthDate()
    return user, target
