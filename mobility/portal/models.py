"""One-time sign-in codes for beneficiaries (no password to remember)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import hash_secret
from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.tenancy import PlatformScoped

CODE_TTL_S = 10 * 60
MAX_CODE_ATTEMPTS = 5


class OneTimeCode(PlatformScoped, db.Model):
    """A 6-digit code sent by SMS or e-mail; only its hash is kept, it dies after use,
    after `MAX_CODE_ATTEMPTS` wrong tries or after `CODE_TTL_S` seconds."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the browser session holds to find this code again (hashed too)
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    beneficiary = relationship("Beneficiary")

    @classmethod
    def issue(cls, beneficiary, *, channel: str) -> tuple[OneTimeCode, str, str]:
        """A new code for a beneficiary: returns the row, the code and the challenge."""
        code = f"{secrets.randbelow(10**6):06d}"
        challenge = secrets.token_urlsafe(24)
        row = cls(
            platform_id=beneficiary.platform_id, beneficiary=beneficiary, channel=channel,
            challenge_hash=hash_secret(challenge), code_hash=hash_secret(code),
            expires_at=utcnow() + timedelta(seconds=CODE_TTL_S),
        )
        return row, code, challenge

    def is_usable(self, now: datetime | None = None) -> bool:
        return (self.used_at is None and self.attempts < MAX_CODE_ATTEMPTS
                and self.expires_at > (now or utcnow()))

    @property
    def attempts_left(self) -> int:
        return max(0, MAX_CODE_ATTEMPTS - self.attempts)

    def matches(self, code: str) -> bool:
        return secrets.compare_digest(self.code_hash, hash_secret(code.strip()))


LINK_TTL_H_DEFAULT = 48
MAX_LINK_ATTEMPTS = MAX_CODE_ATTEMPTS


class SignInLink(PlatformScoped, db.Model):
    """A short link (`PUBLIC_BASE_URL/r/<token>`) in a reminder that signs the beneficiary in
    once they confirm their birth date, then opens `target_path`. Only the token's hash is
    kept; it dies after use, after `MAX_LINK_ATTEMPTS` wrong birth dates or at `expires_at`."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    target_path: Mapped[str] = mapped_column(String(255))
    #: the outbox message that carried it (a new attempt replaces the link)
    message_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    beneficiary = relationship("Beneficiary")

    @classmethod
    def issue(cls, beneficiary, *, target_path: str, ttl_h: int = LINK_TTL_H_DEFAULT,
              message_id: int | None = None) -> tuple[SignInLink, str]:
        """A new link for `beneficiary` to `target_path`: returns the row and the token."""
        token = secrets.token_urlsafe(12)  # 96 bits, 16 characters: short enough for an SMS
        row = cls(platform_id=beneficiary.platform_id, beneficiary_id=beneficiary.id,
                  target_path=target_path, message_id=message_id,
                  token_hash=hash_secret(token),
                  expires_at=utcnow() + timedelta(hours=ttl_h))
        return row, token

    def is_usable(self, now: datetime | None = None) -> bool:
        return (self.used_at is None and self.attempts < MAX_LINK_ATTEMPTS
                and self.expires_at > (now or utcnow()))
