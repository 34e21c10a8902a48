"""ProConnect through Authlib against a real OpenID provider on loopback (`oidc-provider`):
success, wrong state, replayed code, expired ID token, unknown e-mail (then attached by an
admin), an organisation whose SIRET does not match, logout at the provider, no button when
unset, and an app that works while the provider is down."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from sqlalchemy import select

from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.partners import proconnect
from mobility.partners.models import ProConnectIdentity
from tests.factories import create_organisation, create_user, csrf_token_from, login
from tests.partners.conftest import APP_BASE, SIRET_ML, SIRET_OTHER, SIRET_PLATFORM
from tests.partners.oidc_provider import CLIENT_ID, CLIENT_SECRET, sign_in_at_provider


@pytest.fixture
def configured(app, oidc_provider):
    app.config.update(PROCONNECT_ISSUER=oidc_provider.issuer, PROCONNECT_CLIENT_ID=CLIENT_ID,
                      PROCONNECT_CLIENT_SECRET=CLIENT_SECRET, PUBLIC_BASE_URL=APP_BASE)
    proconnect.forget_metadata()
    yield oidc_provider
    proconnect.forget_metadata()


@pytest.fixture
def prescriber(app):
    user = create_user("prescriber", email="claire.prescriber@ml.example.org")
    user.organisation.siret = SIRET_ML
    db.session.commit()
    return user


def _start(client, next_path: str | None = None) -> str:
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert 'data-testid="proconnect-login"' in html
    action = "/auth/proconnect/login" + (f"?{urlencode({'next': next_path})}" if next_path
                                          else "")
    response = client.post(action, data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    url = response.headers["Location"]
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [APP_BASE + "/auth/proconnect/callback"]
    return url


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _signed_in(client) -> bool:
    return client.get("/people/referrals").status_code == 200


def test_a_prescriber_signs_in_and_lands_on_the_referrals(client, configured, prescriber):
    back = sign_in_at_provider(_start(client), prescriber.email, APP_BASE)
    response = client.get(_callback_path(back))
    assert response.status_code == 302 and response.headers["Location"] == "/people/referrals"
    assert _signed_in(client)
    identity = db.session.scalars(select(ProConnectIdentity)).one()
    assert identity.user_id == prescriber.id and identity.subject == prescriber.email
    assert identity.issuer == configured.issuer and identity.siret == SIRET_ML
    assert identity.last_acr == "eidas1" and identity.last_amr == ["pwd", "mfa"]

    # the same identity again: found by its subject, and `next` is followed
    client.post("/logout", data={"csrf_token": csrf_token_from(
        client.get("/people/referrals").get_data(as_text=True))})
    again = client.get(_callback_path(sign_in_at_provider(
        _start(client, "/people/referrals/new"), prescriber.email, APP_BASE)))
    assert again.headers["Location"] == "/people/referrals/new"


def test_a_wrong_state_is_refused(client, configured, prescriber):
    back = sign_in_at_provider(_start(client), prescriber.email, APP_BASE)
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "forged-" + query["state"]
    response = client.get(f"{parts.path}?{urlencode(query)}", follow_redirects=True)
    assert "The ProConnect sign-in failed" in response.get_data(as_text=True) or \
        "La connexion avec ProConnect a échoué" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert db.session.scalars(select(ProConnectIdentity)).all() == []


def test_a_replayed_code_is_refused(client, configured, prescriber, app):
    first = sign_in_at_provider(_start(client), prescriber.email, APP_BASE)
    assert client.get(_callback_path(first)).status_code == 302
    assert _signed_in(client)
    code = parse_qs(urlsplit(first).query)["code"][0]

    other = app.test_client()  # an attacker's browser, with its own flow (state, verifier)
    state = parse_qs(urlsplit(_start(other)).query)["state"][0]
    replay = other.get("/auth/proconnect/callback?" + urlencode({"code": code, "state": state}))
    assert replay.status_code == 302 and replay.headers["Location"] == "/login"
    assert not _signed_in(other)


def test_an_expired_id_token_is_refused(client, configured, prescriber):
    back = sign_in_at_provider(_start(client), prescriber.email, APP_BASE)
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=True):
        response = client.get(_callback_path(back), follow_redirects=True)
        html = response.get_data(as_text=True)
        assert "has expired" in html or "a expiré" in html
        assert not _signed_in(client)


def test_an_unknown_email_creates_no_account_and_waits_for_an_admin(client, configured, app):
    admin = create_user("admin")
    organisation = create_organisation(admin.platform, siret=SIRET_ML)
    from mobility.auth.models import User

    users_before = db.session.query(User).count()
    back = sign_in_at_provider(_start(client), "stranger@ft.example.org", APP_BASE)
    html = client.get(_callback_path(back), follow_redirects=True).get_data(as_text=True)
    assert "not known here" in html or "n’est pas connu ici" in html
    assert not _signed_in(client)
    assert db.session.query(User).count() == users_before
    identity = db.session.scalars(select(ProConnectIdentity)).one()
    assert identity.user_id is None and identity.platform_id == organisation.platform_id

    # the admin attaches it to the account they invited under another e-mail
    invited = create_user("prescriber", platform=admin.platform, email="n.ali@ft.example.org",
                          organisation_id=organisation.id)
    login(client, admin)
    page = client.get("/partners/proconnect")
    assert "stranger@ft.example.org" in page.get_data(as_text=True)
    attached = client.post("/partners/proconnect", data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "identity_id": identity.id, "user_id": invited.id})
    assert attached.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProConnectIdentity, identity.id).user_id == invited.id
    client.post("/logout", data={"csrf_token": csrf_token_from(
        client.get("/partners/proconnect").get_data(as_text=True))})
    back = sign_in_at_provider(_start(client), "stranger@ft.example.org", APP_BASE)
    assert client.get(_callback_path(back)).headers["Location"] == "/people/referrals"
    assert _signed_in(client)


def test_an_organisation_whose_siret_does_not_match_is_refused(client, configured):
    user = create_user("prescriber", email="elsewhere@ml.example.org")
    user.organisation.siret = SIRET_ML  # ProConnect says SIRET_OTHER
    db.session.commit()
    back = sign_in_at_provider(_start(client), user.email, APP_BASE)
    html = client.get(_callback_path(back), follow_redirects=True).get_data(as_text=True)
    assert SIRET_OTHER in html
    assert not _signed_in(client)
    assert db.session.scalar(select(ProConnectIdentity.user_id)) is None


def test_staff_match_the_platforms_siret_and_sign_out_at_the_provider(client, configured):
    advisor = create_user("advisor", email="advisor.pc@platform.example.org")
    advisor.platform.siret = SIRET_PLATFORM
    db.session.commit()
    back = sign_in_at_provider(_start(client), advisor.email, APP_BASE)
    assert client.get(_callback_path(back)).headers["Location"] == "/dashboard"
    home = client.get("/dashboard")
    html = home.get_data(as_text=True)
    assert "/auth/proconnect/logout" in html
    out = client.post("/auth/proconnect/logout", data={"csrf_token": csrf_token_from(html)})
    assert out.status_code == 302
    target = out.headers["Location"]
    assert target.startswith(configured.issuer + "/session/end?")
    query = parse_qs(urlsplit(target).query)
    assert query["id_token_hint"] and query["post_logout_redirect_uri"] == [
        APP_BASE + "/auth/proconnect/signed-out"]
    assert client.get("/dashboard").status_code == 302  # signed out here


def test_no_button_when_unset_and_the_app_works_when_the_provider_is_down(client, app):
    page = client.get("/login")
    assert page.status_code == 200 and "proconnect-login" not in page.get_data(as_text=True)
    assert client.post("/auth/proconnect/login").status_code in (400, 404)
    app.config.update(PROCONNECT_ISSUER="http://127.0.0.1:9", PROCONNECT_CLIENT_ID="x",
                      PROCONNECT_CLIENT_SECRET="y", PROCONNECT_TIMEOUT_S=1)
    proconnect.forget_metadata()
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "proconnect-login" in html
    response = client.post("/auth/proconnect/login",
                           data={"csrf_token": csrf_token_from(html)}, follow_redirects=True)
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "ProConnect does not answer" in text or "ProConnect ne répond pas" in text


def test_an_id_token_signed_by_another_key_or_unsigned_is_refused(app, configured):
    import time

    from joserfc import jwt as jose_jwt
    from joserfc.jwk import RSAKey

    from mobility.partners.proconnect import ProConnectRefused, _verify_id_token

    now = int(time.time())
    claims = {"iss": configured.issuer, "aud": CLIENT_ID, "sub": "x", "iat": now,
              "exp": now + 600, "nonce": "n"}
    forged = jose_jwt.encode({"alg": "RS256", "kid": "forged"}, claims,
                             RSAKey.generate_key(2048))
    with app.test_request_context():
        with pytest.raises(ProConnectRefused) as refused:
            _verify_id_token(forged, nonce="n", access_token=None)
        assert refused.value.details == {"id_token": "signature"}
        unsigned = "eyJhbGciOiJub25lIn0." + forged.split(".")[1] + "."
        with pytest.raises(ProConnectRefused):
            _verify_id_token(unsigned, nonce="n", access_token=None)
