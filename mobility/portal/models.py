"""One-time sign-in codes for beneficiaries (no password to remember)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import hash_secret
from mobility.db_types import UTCDateTime, utcnow
from mobility.extensions import db
from mobility.platforms.models import PlatformScoped

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
