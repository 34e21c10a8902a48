"""Who may reach which page and which record: the one place access rules live.

Views declare their roles with `@requires_roles(...)` (or `@public`), records answer
`can_view(user)` / `can_edit(user)`, and `get_or_404` joins both. The access-matrix test walks
every route and checks each one declared its roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TypeVar

from flask import redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, select

from mobility.core.db import db
from mobility.core.errors import Forbidden, NotFound

F = TypeVar("F", bound=Callable)
PUBLIC = "public"


def public(view: F) -> F:
    """Mark a page that anyone may open, signed in or not."""
    view.allowed_roles = PUBLIC
    return view


def requires_roles(*roles: str | Iterable[str]) -> Callable[[F], F]:
    """Only signed-in users with one of `roles` may open the page (others get 403)."""
    allowed: set[str] = set()
    for role in roles:
        allowed.update([role] if isinstance(role, str) else role)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in allowed:
                raise Forbidden()
            return view(*args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)
        return wrapper

    return decorate


def scoped(model, user) -> Select:
    """`select(model)` limited to the user's platform."""
    return select(model).where(model.platform_id == user.platform_id)


def get_or_404(model, object_id, user, *, action: str = "view"):
    """Load a record the user may `action` (view or edit).

    Another platform's record, or a missing one, is a 404 so that ids reveal nothing;
    a record of one's platform that the role may not see is a 403.
    """
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    obj = db.session.get(model, object_id)
    if obj is None or not obj.same_platform(user):
        raise NotFound()
    if not getattr(obj, f"can_{action}")(user):
        raise Forbidden()
    return obj
