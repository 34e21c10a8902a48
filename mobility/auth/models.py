"""Users, their signed-in web sessions and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.labels import label_of
from mobility.core.roles import ADMIN, ROLE_LABELS, ROLES
from mobility.core.tenancy import PlatformScoped

MIN_PASSWORD_LENGTH = 10


def hash_secret(value: str) -> str:
    """SHA-256 of a random token: tokens are stored hashed, like passwords."""
    return hashlib.sha256(value.encode()).hexdigest()


class User(UserMixin, PlatformScoped, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(8))
    #: the work phone (E.164) staff give the people they follow (the portal's call button)
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set by an admin's reset: the next sign-in leads to the change-password page
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    platform = relationship("Platform")
    organisation = relationship("PartnerOrganisation")

    # Set on the instance while signing in, so Flask-Login stores the session token, not the id.
    _session_token = None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    def get_id(self) -> str | None:  # Flask-Login keeps this in the cookie session
        return self._session_token

    role_label = label_of("role", ROLE_LABELS)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def can_view(self, user) -> bool:
        if user is not None and user.id == self.id:
            return True
        return self.same_platform(user) and user.role == ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(db.Model):
    """A signed-in browser session; revoked at logout, dead when the account is disabled."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))

    user = relationship("User")

    @classmethod
    def open(cls, user: User, *, ip: str | None) -> tuple[UserSession, str]:
        token = secrets.token_urlsafe(32)
        return cls(token_hash=hash_secret(token), user=user, ip=ip), token

    def is_live(self, *, idle_timeout_s: int, max_age_s: int, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            self.revoked_at is None
            and self.user.is_active
            and now - self.last_seen_at < timedelta(seconds=idle_timeout_s)
            and now - self.created_at < timedelta(seconds=max_age_s)
        )


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    @classmethod
    def issue(cls, user: User, *, ttl_s: int) -> tuple[ApiToken, str]:
        token = secrets.token_urlsafe(32)
        row = cls(
            token_hash=hash_secret(token), user=user,
            expires_at=utcnow() + timedelta(seconds=ttl_s),
        )
        return row, token

    def is_valid(self, now: datetime | None = None) -> bool:
        return (self.revoked_at is None and self.expires_at > (now or utcnow())
                and self.user.is_active)
