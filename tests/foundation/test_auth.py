from datetime import timedelta

from sqlalchemy import select

from mobility.audit.models import AuditEvent
from mobility.auth.models import User, UserSession
from mobility.auth.services import set_account_active
from mobility.core.columns import utcnow
from mobility.core.db import db
from tests.factories import PASSWORD, create_user, csrf_token_from, login


def test_login_shows_the_role_dashboard(client):
    user = create_user("advisor")
    response = login(client, user)
    assert response.status_code == 302
    page = client.get("/dashboard", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Conseiller mobilité" in page.get_data(as_text=True)


def test_passwords_are_hashed_with_scrypt(app):
    user = create_user("admin")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_wrong_password_is_refused_in_both_languages(client):
    user = create_user("advisor")
    response = login(client, user, password="wrong-password")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token_from(
        client.get("/login").get_data(as_text=True))})
    response = login(client, user, password="wrong-password")
    assert "Wrong e-mail address or password" in response.get_data(as_text=True)
    assert db.session.scalar(select(UserSession)) is None


def test_unknown_user_gets_the_same_message(client):
    response = client.post("/login", data={
        "csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True)),
        "email": "nobody@example.org", "password": "whatever-password"})
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)


def test_account_locks_after_repeated_failures(client, app):
    user = create_user("advisor")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login(client, user, password="wrong-password").status_code == 401
    locked = login(client, user)  # even the right password is refused while locked
    # a locked account answers exactly like a wrong password (issue 14, item 8)
    assert locked.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in locked.get_data(as_text=True)
    db.session.refresh(user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, user).status_code == 302


def test_form_without_csrf_token_is_refused(client):
    user = create_user("advisor")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert db.session.scalar(select(UserSession)) is None


def test_missing_fields_get_a_clear_message(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": "not-an-email"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body


def test_session_is_renewed_at_login_and_revoked_at_logout(client):
    user = create_user("advisor")
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        cookie_token = session["_user_id"]
    page = client.get("/dashboard")
    client.post("/logout", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    row = db.session.scalar(select(UserSession))
    assert row.revoked_at is not None
    # Replaying the old cookie session does not sign anyone in.
    with client.session_transaction() as session:
        session["_user_id"] = cookie_token
    assert client.get("/dashboard").status_code == 302


def test_logout_by_get_changes_nothing(client):
    user = create_user("advisor")
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_disabling_an_account_ends_its_sessions(client):
    admin = create_user("admin")
    user = create_user("advisor", platform=admin.platform)
    login(client, user)
    assert client.get("/dashboard").status_code == 200
    set_account_active(admin, db.session.get(User, user.id), False)
    assert client.get("/dashboard").status_code == 302
    assert login(client, user).status_code == 403


def test_audit_records_logins_without_secrets(client):
    user = create_user("advisor")
    login(client, user)
    events = db.session.scalars(select(AuditEvent)).all()
    assert [e.action for e in events] == ["login"]
    assert events[0].actor_id == user.id


def test_cookies_are_secure_by_default(tmp_path, sqlite_url, monkeypatch):
    from mobility import create_app

    # the configuration as a fresh installation reads it: nothing in the environment, and
    # none of the test settings that turn the flag off (issue 14: the test set it itself)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": "x" * 32,
                      "RATELIMIT_ENABLED": False})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    response = app.test_client().get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_is_throttled_per_address(sqlite_url, tmp_path):
    from tests.conftest import make_app

    app = make_app(sqlite_url, tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    payload = {"email": "nobody@example.org", "password": "whatever-password"}
    codes = [client.post("/api/v1/auth/token", json=payload).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert client.post("/api/v1/auth/token", json=payload).get_json()["error"]["code"] == (
        "too_many_requests")
    form_codes = []
    for _ in range(4):
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        form_codes.append(client.post("/login", data={"csrf_token": token, **payload}).status_code)
    assert form_codes == [401, 401, 401, 429]
