"""Same request twice, one record: `Idempotency-Key` on API POSTs, one-time tokens on forms.

The key's row is inserted in the transaction of the record it protects: a second request with
the key either finds the stored answer, or (sent in parallel) waits on the unique index until
the first commits, then replays its answer. Follows the IETF draft "The Idempotency-Key HTTP
Header Field" (422 for a key reused with another request, 409 while the first is running).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Response, jsonify, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from mobility.api.models import IdempotencyRecord
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import Conflict, DomainError, ValidationFailed
from mobility.core.translations import lazy_gettext as _l

HEADER = "Idempotency-Key"
#: keys are kept this long (Stripe keeps them 24 hours)
KEEP = timedelta(hours=24)
#: a key whose request never finished (crash after commit) is free again after this
ABANDONED = timedelta(minutes=2)
MAX_KEY_LENGTH = 255


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
    default_message = _l("This Idempotency-Key was already used for another request.")


class KeyInProgress(Conflict):
    code = "idempotency_in_progress"
    default_message = _l("A request with this Idempotency-Key is still running: try again "
                         "in a moment.")


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.path.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _find(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key))


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise KeyReused()
    response = jsonify(record.response)
    response.status_code = record.status
    response.headers["Idempotent-Replayed"] = "true"
    return response


def run_once(user, key: str, run: Callable[[], Response]) -> Response:
    """Answer an API POST carrying `Idempotency-Key: key`: the first time run it, after that
    replay its answer (same status and body), whatever the timing."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(details={HEADER: _l("Between 1 and 255 characters.")})
    digest = _request_hash()
    user_id = user.id
    for _ in range(100):  # 100 × 50 ms: a parallel first request has 5 seconds to finish
        record = _find(user_id, key)
        stale = utcnow() - ABANDONED
        if record is not None and record.status is None and record.created_at < stale:
            db.session.delete(record)
            db.session.flush()
            record = None
        if record is not None:
            if record.status is not None or record.request_hash != digest:
                return _replay(record, digest)
            db.session.rollback()  # let the first request write its answer
            time.sleep(0.05)
            continue
        record = IdempotencyRecord(user_id=user_id, key=key, request_hash=digest)
        db.session.add(record)
        try:
            db.session.flush()  # waits on the unique index while a parallel first one runs
        except IntegrityError:
            db.session.rollback()
            continue
        record_id = record.id
        response = run()
        if response.status_code < 500 and response.is_json:
            db.session.execute(
                update(IdempotencyRecord).where(IdempotencyRecord.id == record_id)
                .values(status=response.status_code, response=response.get_json())
                .execution_options(synchronize_session=False))
        db.session.commit()
        return response
    raise KeyInProgress()


def claim_form_token(user, token: str | None) -> bool:
    """Add a form's one-time token to the session; False when it was used already.

    The caller commits it with the record the form creates, so a double submit records once.
    """
    if not token:
        return False
    key = "form:" + token[:200]
    if _find(user.id, key) is not None:
        return False
    record = IdempotencyRecord(user_id=user.id, key=key, request_hash="form", status=200)
    try:
        with db.session.begin_nested():  # waits on the unique index while a twin runs
            db.session.add(record)
    except IntegrityError:
        return False
    return True


def purge_old(now=None) -> int:
    """Forget keys older than `KEEP` (called by the daily retention job)."""
    cutoff = (now or utcnow()) - KEEP
    return db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount
