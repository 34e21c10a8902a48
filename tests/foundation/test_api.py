from datetime import timedelta

from openapi_spec_validator import validate
from sqlalchemy import select

from mobility.api import routes
from mobility.auth.models import ApiToken
from mobility.core.columns import utcnow
from mobility.core.db import db
from tests.factories import api_token, bearer, create_user


def test_token_then_me(client):
    user = create_user("fleet_manager")
    response = client.post("/api/v1/auth/token", json={"email": user.email,
                                                       "password": "correct-horse-battery"})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json()["email"] == user.email
    assert me.get_json()["role"] == "fleet_manager"
    assert me.get_json()["platform"] == user.platform.slug


def test_token_is_stored_hashed(client):
    user = create_user("advisor")
    token = api_token(client, user)
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash != token and token not in row.token_hash


def test_wrong_password_gives_401_json_in_both_languages(client):
    user = create_user("advisor")
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": "nope"})
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "invalid_credentials"
    assert error["messages"]["fr"] == "Adresse e-mail ou mot de passe incorrect."
    assert error["messages"]["en"] == "Wrong e-mail address or password."
    assert db.session.scalar(select(ApiToken)) is None


def test_unknown_user_gives_401(client):
    response = client.post("/api/v1/auth/token",
                           json={"email": "ghost@example.org", "password": "whatever"})
    assert response.status_code == 401


def test_malformed_body_gives_400_with_field_messages(client):
    response = client.post("/api/v1/auth/token", json={"email": 12},
                           headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["password"] == "Ce champ est obligatoire."
    assert error["details"]["email"] == "Doit être un texte."
    not_json = client.post("/api/v1/auth/token", data="email=x",
                           content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 400


def test_missing_token_gives_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "missing_token"


def test_expired_token_gives_401(client):
    user = create_user("advisor")
    token = api_token(client, user)
    row = db.session.scalar(select(ApiToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_garbage_token_gives_401(client):
    assert client.get("/api/v1/me", headers=bearer("garbage")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_document_is_valid_and_lists_every_endpoint(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    rules = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    import re

    documented = {
        (re.sub(r"\{(\w+)\}", lambda m: f"<{m.group(1)}>", path), method.upper())
        for path, operations in document["paths"].items() for method in operations
    }
    normalised_rules = {(re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r), m) for r, m in rules}
    assert normalised_rules == documented
    assert len(routes()) >= 2


def test_healthz_reports_the_database(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
    assert response.get_json()["database_backend"] == db.engine.dialect.name
