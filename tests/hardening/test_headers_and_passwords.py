"""Item 6 of issue 14: CSP without inline scripts, HSTS over HTTPS, a password blocklist,
changing one's password, an admin's reset that forces a change at the next sign-in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mobility.auth import passwords
from mobility.auth.models import User
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from tests.factories import PASSWORD, api_token, bearer, create_user, csrf_token_from, login

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NEW = "une phrase de passe bien longue"


def test_pages_carry_a_csp_without_inline_scripts_and_hsts_over_https(app, client):
    page = client.get("/login")
    policy = page.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "Strict-Transport-Security" not in page.headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_stripe_and_tiles_are_allowed_only_when_configured(app, client):
    app.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_JS_URL="http://127.0.0.1:9/js.js",
                      MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com http://127.0.0.1:9;" in policy
    assert "https://*.tile.example.org" in policy


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


@pytest.mark.parametrize("password", ["password123", "azertyuiop", "motdepasse123",
                                      "Iloveyou12", "aaaaaaaaaaaa", "1234512345"])
def test_common_passwords_are_refused(sqlite_app, password):
    with pytest.raises(ValidationFailed) as refused:
        passwords.check_new_password(password, email="lea@example.org")
    assert "password" in refused.value.details


def test_the_policy_boundaries(sqlite_app):
    assert passwords.password_problem("x" * 3 + "abcdefg", email=None) is None  # 10 characters
    assert passwords.password_problem("xyzabcdef", email=None) is not None  # 9
    assert passwords.password_problem("a1b2c3d4e5" * 20, email=None) is None  # 200
    assert passwords.password_problem("a1b2c3d4e5" * 20 + "x", email=None) is not None
    assert passwords.password_problem("lea.martin-2026!", email="lea.martin@x.org") is not None
    assert len(passwords.common_passwords()) > 19000


def test_accounts_cannot_be_created_with_a_common_password(app, client):
    admin = create_user("admin")
    login(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post("/admin/users", data={
        "csrf_token": csrf_token_from(page), "email": "new@example.org", "full_name": "N",
        "role": "advisor", "password": "password123", "organisation_id": "0"})
    assert response.status_code == 400
    assert "trop courant" in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="new@example.org").first() is None


def test_changing_ones_password(app, client):
    user = create_user("advisor")
    other_device = app.test_client()
    login(other_device, user)
    login(client, user)
    page = client.get("/account/password")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))

    def change(current, new, confirm=None):
        return client.post("/account/password", data={
            "csrf_token": token, "current": current, "new": new, "confirm": confirm or new})

    assert change("wrong-current-pw", NEW).status_code == 400
    assert change(PASSWORD, "password1234").status_code == 400
    assert change(PASSWORD, NEW, "something else entirely").status_code == 400
    assert db.session.get(User, user.id).check_password(PASSWORD)
    assert change(PASSWORD, NEW).status_code == 302
    assert client.get("/people/beneficiaries").status_code == 200  # this session goes on
    assert other_device.get("/people/beneficiaries").status_code == 302  # others end
    assert login(app.test_client(), user).status_code == 401
    assert login(app.test_client(), user, password=NEW).status_code == 302


def test_an_admin_reset_forces_a_change_at_next_sign_in(app, client):
    admin = create_user("admin")
    user = create_user("advisor", platform=admin.platform)
    user_client = app.test_client()
    login(user_client, user)
    old_token = api_token(app.test_client(), user)
    login(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    done = client.post(f"/account/users/{user.id}/reset-password",
                       data={"csrf_token": csrf_token_from(page)})
    assert done.status_code == 200
    temporary = re.search(r'data-testid="temporary-password">([^<]+)<',
                          done.get_data(as_text=True)).group(1)
    assert user_client.get("/people/beneficiaries").status_code == 302  # session ended
    assert app.test_client().get("/api/v1/me", headers=bearer(old_token)).status_code == 401
    assert login(user_client, user, password=temporary).status_code == 302
    forced = user_client.get("/people/beneficiaries")
    assert forced.status_code == 302 and forced.headers["Location"].endswith("/account/password")
    fresh = api_token(app.test_client(), user, password=temporary)
    refused = app.test_client().get("/api/v1/me", headers=bearer(fresh))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "password_change_required"
    page = user_client.get("/account/password").get_data(as_text=True)
    assert 'data-testid="forced"' in page
    changed = user_client.post("/account/password", data={
        "csrf_token": csrf_token_from(page), "current": temporary, "new": NEW, "confirm": NEW})
    assert changed.status_code == 302
    assert user_client.get("/people/beneficiaries").status_code == 200
    # another platform's admin cannot reset this account
    stranger = create_user("admin")
    stranger_client = app.test_client()
    login(stranger_client, stranger)
    page = stranger_client.get("/admin/users").get_data(as_text=True)
    assert stranger_client.post(f"/account/users/{user.id}/reset-password",
                                data={"csrf_token": csrf_token_from(page)}).status_code == 404


def test_forms_may_lead_to_the_configured_proconnect_provider_only(sqlite_app):
    from mobility.security import content_security_policy

    def form_action() -> str:
        with sqlite_app.test_request_context("/"):
            return next(d for d in content_security_policy().split("; ")
                        if d.startswith("form-action"))

    sqlite_app.config["PROCONNECT_ISSUER"] = ""
    assert form_action() == "form-action 'self'"
    sqlite_app.config["PROCONNECT_ISSUER"] = "https://auth.example.gouv.fr/api/v2"
    assert form_action() == "form-action 'self' https://auth.example.gouv.fr"
