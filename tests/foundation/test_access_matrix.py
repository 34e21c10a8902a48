"""Every route declares who may use it, and each role gets exactly that.

The matrix is built from the app's own routes, so routes added by later features are checked
too: pages without parameters are opened by every role (200 or a redirect when allowed, 403
otherwise), API endpoints without parameters are called with each role's token.
"""

import pytest

from mobility.auth.policies import PUBLIC
from mobility.core.roles import ROLES
from tests.factories import api_token, bearer, create_organisation, create_platform, create_user
from tests.factories import login as sign_in

# Routes whose access is not role-based: the login flow, static files, the health check.
SELF_AUTHENTICATED = {"static"}


def _view_roles(app, endpoint):
    view = app.view_functions[endpoint]
    return getattr(view, "allowed_roles", None)


def test_every_route_declares_its_roles(app):
    undeclared = [
        rule.rule for rule in app.url_map.iter_rules()
        if rule.endpoint not in SELF_AUTHENTICATED and _view_roles(app, rule.endpoint) is None
    ]
    assert undeclared == []


def _parameterless(app, prefix_api: bool):
    for rule in app.url_map.iter_rules():
        if rule.arguments or rule.endpoint in SELF_AUTHENTICATED:
            continue
        if rule.rule.startswith("/api/") != prefix_api:
            continue
        yield rule


@pytest.fixture
def accounts(app):
    platform = create_platform()
    organisation = create_organisation(platform)
    return {role: create_user(role, platform=platform,
                              organisation_id=organisation.id if role == "prescriber" else None)
            for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role_as_declared(app, accounts, role):
    client = app.test_client()
    sign_in(client, accounts[role])
    checked = 0
    for rule in _parameterless(app, prefix_api=False):
        if "GET" not in rule.methods:
            continue
        allowed = _view_roles(app, rule.endpoint)
        response = client.get(rule.rule)
        if allowed == PUBLIC or role in allowed:
            # 400: the role passed, only the query string was incomplete (e.g. a map's bbox)
            assert response.status_code in (200, 302, 400), (rule.rule, role,
                                                             response.status_code)
        else:
            assert response.status_code == 403, (rule.rule, role, response.status_code)
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_each_role_as_declared(app, accounts, role):
    client = app.test_client()
    token = api_token(client, accounts[role])
    for rule in _parameterless(app, prefix_api=True):
        if "GET" not in rule.methods:
            continue
        allowed = _view_roles(app, rule.endpoint)
        response = client.get(rule.rule, headers=bearer(token))
        if allowed == PUBLIC or role in allowed:
            # 400 is fine: the role passed, only the query string was incomplete
            assert response.status_code in (200, 400), (rule.rule, role, response.status_code)
        else:
            assert response.status_code == 403, (rule.rule, role, response.status_code)
            assert response.get_json()["error"]["code"] == "forbidden"


def test_signed_out_visitors_are_sent_to_login(app):
    client = app.test_client()
    for rule in _parameterless(app, prefix_api=False):
        if "GET" not in rule.methods or _view_roles(app, rule.endpoint) == PUBLIC:
            continue
        response = client.get(rule.rule)
        assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule


def test_admin_sees_only_its_platform_accounts(client):
    admin = create_user("admin")
    mine = create_user("advisor", platform=admin.platform, email="mine@example.org")
    other = create_user("advisor", email="theirs@example.org")
    sign_in(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert mine.email in page and other.email not in page
    token = client.get("/admin/users").get_data(as_text=True)
    from tests.factories import csrf_token_from

    response = client.post(f"/admin/users/{other.id}/active",
                           data={"csrf_token": csrf_token_from(token), "active": "0"})
    assert response.status_code == 404
    from mobility.auth.models import User
    from mobility.core.db import db

    assert db.session.get(User, other.id).active is True
