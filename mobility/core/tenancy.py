"""Tenancy: every record belongs to one platform, and the access policy starts there."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class PlatformScoped:
    """Mixin for every record that belongs to a platform.

    `can_view` / `can_edit` are the access policies: each model refines them, views and API
    handlers call them through `mobility.auth.policies.get_or_404`, never re-implement them.
    """

    #: roles that may read records of this kind on their own platform
    view_roles: ClassVar[frozenset[str]] = frozenset({"admin"})
    #: roles that may change records of this kind on their own platform
    edit_roles: ClassVar[frozenset[str]] = frozenset({"admin"})

    @declared_attr
    def platform_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("platforms.id"), index=True)

    def same_platform(self, user) -> bool:
        return user is not None and user.platform_id == self.platform_id

    def can_view(self, user) -> bool:
        return self.same_platform(user) and user.role in self.view_roles

    def can_edit(self, user) -> bool:
        return self.same_platform(user) and user.role in self.edit_roles
