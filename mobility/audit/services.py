"""Recording audit events in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from flask import has_request_context, request

from mobility.audit.models import AUDIT_ACTIONS, AuditEvent
from mobility.core.db import db, write_transaction


def record_audit(
    actor,
    action: str,
    *,
    object_type: str,
    object_id: object | None = None,
    platform_id: int | None = None,
    fields: Iterable[str] | None = None,
) -> AuditEvent:
    """Add an audit event to the current session; it is committed with the business change.

    `fields` lists field *names* only: values of personal data never reach the log.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    ip = via = None
    if has_request_context():
        ip = request.remote_addr
        via = "api" if request.path.startswith("/api/") else "web"
    event = AuditEvent(
        platform_id=platform_id if platform_id is not None else actor.platform_id,
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        fields=sorted(fields) if fields else None,
        ip=ip,
        via=via or "cli",
    )
    db.session.add(event)
    return event


def record_view(actor, obj, *, fields: Iterable[str] | None = None) -> None:
    """Log that `actor` read a personal record, and commit the log entry.

    The entry is written in its own transaction holding the write lock from its start, so that
    two windows opening files at once queue for a moment instead of failing (SQLite). What the
    page loaded stays loaded (it is not read again for the template).
    """
    object_type, object_id, platform_id = type(obj).__name__, obj.id, obj.platform_id
    with write_transaction(keep_loaded=True):
        record_audit(
            actor, "view", object_type=object_type, object_id=object_id,
            platform_id=platform_id, fields=fields,
        )
