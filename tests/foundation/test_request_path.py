"""What every request repeats is read once: the session row and its user in one statement; the
access log and the session's last-seen write do not make the page read again what it loaded."""

from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from mobility.audit.models import AuditEvent
from mobility.auth.models import UserSession
from mobility.core.columns import utcnow
from mobility.core.db import db, write_transaction
from tests.factories import create_amie_beneficiary, create_user, login


@contextmanager
def statements():
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _reads(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.startswith("SELECT") and f"FROM {table} " in s + " "]


def _age_session(user, seconds: int) -> None:
    db.session.execute(sa.update(UserSession).where(UserSession.user_id == user.id)
                       .values(last_seen_at=utcnow() - timedelta(seconds=seconds)))
    db.session.commit()


def test_the_session_and_its_user_come_in_one_statement(app, client):
    user = create_user("advisor")
    login(client, user)
    for age, writes in ((30, 0), (90, 1)):  # last-seen written once a minute, not per request
        _age_session(user, age)
        with statements() as seen:
            assert client.get("/people/referrals").status_code == 200
        sessions = _reads(seen, "user_sessions")
        assert len(sessions) == 1 and "JOIN users" in sessions[0]
        assert _reads(seen, "users") == []  # not read again after the last-seen write
        assert len([s for s in seen if s.startswith("UPDATE user_sessions")]) == writes
    db.session.expire_all()
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert utcnow() - row.last_seen_at < timedelta(seconds=30)


def test_opening_a_file_logs_it_and_reads_the_person_once(app, client):
    advisor = create_user("advisor")
    person = create_amie_beneficiary(advisor.platform)
    login(client, advisor)
    path = f"/people/beneficiaries/{person.id}"
    client.get(path)
    with statements() as seen:
        assert client.get(path).status_code == 200
    assert len([s for s in seen if s.startswith("SELECT beneficiaries.id")]) == 1
    assert len([s for s in seen if s.startswith("INSERT INTO audit_events")]) == 1
    db.session.expire_all()
    views = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "view", AuditEvent.object_id == str(person.id))).all()
    assert len(views) == 2 and all(v.actor_id == advisor.id for v in views)  # committed


def test_write_transaction_keeps_what_was_loaded_only_when_asked(app):
    person = create_amie_beneficiary()
    for keep_loaded, expired in ((False, True), (True, False)):
        db.session.expire_all()
        assert person.first_name  # loaded in the current transaction
        with write_transaction(keep_loaded=keep_loaded):
            db.session.add(AuditEvent(platform_id=person.platform_id, action="view",
                                      object_type="Beneficiary", object_id=str(person.id),
                                      via="cli"))
        assert ("first_name" in sa.inspect(person).expired_attributes) is expired
        assert db.session().expire_on_commit is True  # the session's setting is back


def test_write_transaction_rolls_back_and_restores_the_setting_on_error(app):
    person = create_amie_beneficiary()
    count = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    try:
        with write_transaction(keep_loaded=True):
            db.session.add(AuditEvent(platform_id=person.platform_id, action="view",
                                      object_type="Beneficiary", object_id="x", via="cli"))
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    assert db.session().expire_on_commit is True
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == count
