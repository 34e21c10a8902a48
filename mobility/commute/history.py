"""A person's stored commute checks: listed, the latest one, erased."""

from __future__ import annotations

from sqlalchemy import select

from mobility.commute.models import CommuteCheck
from mobility.core.db import db


def checks_of(beneficiary, *, limit: int = 20) -> list[CommuteCheck]:
    """The beneficiary's stored checks, newest first."""
    return list(db.session.scalars(
        select(CommuteCheck).where(CommuteCheck.beneficiary_id == beneficiary.id)
        .order_by(CommuteCheck.created_at.desc(), CommuteCheck.id.desc()).limit(limit)))


def latest_check_for(beneficiary) -> CommuteCheck | None:
    """The beneficiary's latest stored check, or None."""
    found = checks_of(beneficiary, limit=1)
    return found[0] if found else None


def erase_checks_for(beneficiary) -> int:
    """Delete the beneficiary's stored checks (they hold home and work places), e.g. when the
    file is anonymised; returns how many. The caller commits."""
    checks = list(db.session.scalars(select(CommuteCheck).where(
        CommuteCheck.beneficiary_id == beneficiary.id)))
    for check in checks:
        db.session.delete(check)
    return len(checks)
