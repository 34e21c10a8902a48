import pytest
from flask import abort
from sqlalchemy import func, select

from mobility.auth.models import User
from mobility.auth.policies import public
from mobility.core.db import db
from mobility.core.errors import Conflict
from tests.factories import create_user, csrf_token_from, login


@pytest.fixture
def failing_routes(sqlite_app):
    """Routes that fail on purpose, to see each error page."""

    @public
    def fail(code):
        if code == 409:
            raise Conflict()
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    sqlite_app.add_url_rule("/test-fail/<int:code>", "test_fail", fail)
    return sqlite_app


@pytest.mark.parametrize("code,fr,en", [
    (400, "Demande incorrecte", "Bad request"),
    (403, "Accès refusé", "Access denied"),
    (404, "Page introuvable", "Page not found"),
    (409, "Conflit", "Conflict"),
    (500, "Erreur du serveur", "Server error"),
])
def test_error_pages_in_both_languages(failing_routes, code, fr, en):
    client = failing_routes.test_client()
    french = client.get(f"/test-fail/{code}", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.status_code == code
    assert f"<h1>{fr}</h1>" in french.get_data(as_text=True)
    english = client.get(f"/test-fail/{code}", headers={"Accept-Language": "en-GB"})
    assert f"<h1>{en}</h1>" in english.get_data(as_text=True)


def test_french_is_the_default_language(sqlite_app):
    page = sqlite_app.test_client().get("/login")
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert "Se connecter" in page.get_data(as_text=True)


def test_user_preference_beats_the_browser_language(client):
    user = create_user("advisor", locale="en")
    login(client, user)
    page = client.get("/dashboard", headers={"Accept-Language": "fr"})
    assert "My day" in page.get_data(as_text=True)


def test_admin_creates_an_account(client):
    admin = create_user("admin")
    login(client, admin)
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    response = client.post("/admin/users", data={
        "csrf_token": token, "full_name": "Lina Haddad", "email": "lina@example.org",
        "role": "advisor", "organisation_id": "0", "password": "long-enough-password"})
    assert response.status_code == 302
    created = db.session.scalar(select(User).where(User.email == "lina@example.org"))
    assert created.platform_id == admin.platform_id and created.role == "advisor"


@pytest.mark.parametrize("changes,field", [
    ({"email": "not-an-email"}, "email"),
    ({"password": "short"}, "password"),
    ({"role": "superuser"}, "role"),
    ({"role": "prescriber"}, "organisation_id"),
])
def test_admin_account_form_refuses_bad_input(client, changes, field):
    admin = create_user("admin")
    login(client, admin)
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    data = {"csrf_token": token, "full_name": "X", "email": "new@example.org",
            "role": "advisor", "organisation_id": "0", "password": "long-enough-password"}
    data.update(changes)
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/admin/users", data=data, headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_audit_page_lists_events_for_admins_only(client):
    admin = create_user("admin")
    login(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "login" in page and admin.email in page
