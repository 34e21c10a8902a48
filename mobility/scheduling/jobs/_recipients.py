"""Staff recipients shared by the jobs, cached for one run."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from mobility.auth.models import User
from mobility.core.db import db
from mobility.core.roles import ADVISOR, FLEET_MANAGER


def staff(platform_id: int, role: str) -> list[User]:
    """Active users of a role on a platform."""
    return list(db.session.scalars(
        select(User).where(User.platform_id == platform_id, User.role == role,
                           User.active.is_(True)).order_by(User.id)))


class StaffCache:
    """`fleet_managers(pid)` / `advisors(pid)`, each queried once per job run."""

    def __init__(self) -> None:
        self.fleet_managers = lru_cache(maxsize=None)(lambda pid: staff(pid, FLEET_MANAGER))
        self.advisors = lru_cache(maxsize=None)(lambda pid: staff(pid, ADVISOR))

    def advisor_or_all(self, platform_id: int, advisor: User | None) -> list[User]:
        """The record's advisor, or every advisor of the platform when none is set."""
        if advisor is not None and advisor.active:
            return [advisor]
        return self.advisors(platform_id)
