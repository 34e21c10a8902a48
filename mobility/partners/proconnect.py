"""ProConnect sign-in (the State's OpenID Connect federation for public and social-sector
professionals) through Authlib: authorization code with PKCE (S256), `state` and `nonce`
checked, ID token signature (the provider's JWKS) and claims (iss, aud, exp, iat, nonce, azp,
at_hash) verified, `acr`/`amr` recorded, logout at the provider.

Who may sign in: an existing account (invited by an admin) whose e-mail is ProConnect's, or one
an admin attached; the organisation is checked by its SIRET (a prescriber's organisation, the
platform's own for staff). No account is ever created here. Discovery is lazy: the app starts
whether or not the provider answers. Reference: https://partenaires.proconnect.gouv.fr/docs
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from flask import current_app, session, url_for
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import func, select

from mobility.audit.services import record_audit
from mobility.auth.models import User
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.roles import ADMIN, BENEFICIARY, PRESCRIBER
from mobility.core.translations import lazy_gettext as _l
from mobility.organisations.models import PartnerOrganisation
from mobility.partners.models import ProConnectIdentity
from mobility.partners.settings import setting

SCOPES = "openid email given_name usual_name siret"
SESSION_KEY = "proconnect_flow"
SESSION_KEY_ID_TOKEN = "proconnect_id_token"
SESSION_KEY_ID_TOKEN_TMP = "proconnect_id_token_new"
#: allowed clock skew on exp / iat, seconds
LEEWAY_S = 30
ALGORITHMS = ["RS256", "ES256", "PS256"]


class ProConnectRefused(DomainError):
    code = "proconnect_refused"
    status = 403


class ProConnectUnavailable(DomainError):
    code = "proconnect_unavailable"
    status = 503


def is_configured() -> bool:
    """The three settings are set (otherwise no button, no route)."""
    return bool(setting("PROCONNECT_ISSUER") and setting("PROCONNECT_CLIENT_ID")
                and setting("PROCONNECT_CLIENT_SECRET"))


def login_rate_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "30 per minute")


# -- discovery (lazy, cached) -----------------------------------------------------------------

_metadata: dict[str, tuple[float, dict, KeySet | None]] = {}
_metadata_lock = threading.Lock()
METADATA_TTL_S = 3600


def _issuer() -> str:
    return setting("PROCONNECT_ISSUER").rstrip("/")


def metadata(*, refresh: bool = False) -> dict[str, Any]:
    """The provider's OpenID configuration, fetched at first use and kept an hour."""
    issuer = _issuer()
    with _metadata_lock:
        hit = _metadata.get(issuer)
    if hit and not refresh and hit[0] > time.monotonic():
        return hit[1]
    try:
        response = requests.get(issuer + "/.well-known/openid-configuration",
                                timeout=setting("PROCONNECT_TIMEOUT_S"))
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError):
        raise ProConnectUnavailable(_l(
            "ProConnect does not answer right now. Try again in a few minutes, or sign in "
            "with your password.")) from None
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ProConnectUnavailable(_l("ProConnect's configuration is not the expected one."))
    with _metadata_lock:
        _metadata[issuer] = (time.monotonic() + METADATA_TTL_S, document, None)
    return document


def _keys(*, refresh: bool = False) -> KeySet:
    document = metadata()
    issuer = _issuer()
    with _metadata_lock:
        hit = _metadata.get(issuer)
    if hit and hit[2] is not None and not refresh:
        return hit[2]
    try:
        response = requests.get(document["jwks_uri"], timeout=setting("PROCONNECT_TIMEOUT_S"))
        response.raise_for_status()
        keys = KeySet.import_key_set(response.json())
    except (requests.RequestException, ValueError, KeyError, JoseError):
        raise ProConnectUnavailable(_l(
            "ProConnect does not answer right now. Try again in a few minutes, or sign in "
            "with your password.")) from None
    with _metadata_lock:
        _metadata[issuer] = (hit[0] if hit else time.monotonic() + METADATA_TTL_S,
                             document, keys)
    return keys


def forget_metadata() -> None:
    """Drop the cached configuration and keys (tests; a provider that rotated its keys)."""
    with _metadata_lock:
        _metadata.clear()


def redirect_uri() -> str:
    """The callback, on PUBLIC_BASE_URL (what is registered at ProConnect)."""
    return setting("PUBLIC_BASE_URL").rstrip("/") + url_for("partners.proconnect_callback")


def _client() -> OAuth2Session:
    return OAuth2Session(setting("PROCONNECT_CLIENT_ID"), setting("PROCONNECT_CLIENT_SECRET"),
                         token_endpoint_auth_method="client_secret_post", scope=SCOPES,
                         redirect_uri=redirect_uri(), code_challenge_method="S256",
                         default_timeout=setting("PROCONNECT_TIMEOUT_S"))


# -- the flow ---------------------------------------------------------------------------------

def start(next_path: str | None = None) -> str:
    """The provider's authorization URL; state, nonce and the PKCE verifier wait in the
    (signed) session cookie for the callback."""
    document = metadata()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    url, _state = _client().create_authorization_url(
        document["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier,
        acr_values="eidas1")
    session[SESSION_KEY] = {"state": state, "nonce": nonce, "verifier": verifier,
                            "next": next_path if _same_site(next_path) else None,
                            "at": int(time.time())}
    return url


def _same_site(path: str | None) -> bool:
    return bool(path) and path.startswith("/") and not path.startswith("//")


_REFUSED = _l("The ProConnect sign-in failed. Start again from the sign-in page.")


def _verify_id_token(id_token: str, *, nonce: str, access_token: str | None) -> dict:
    """Signature with the provider's keys (fetched again once if the key id is unknown), then
    the claims: iss, aud, exp, iat (with LEEWAY_S), nonce, azp, at_hash."""
    for attempt in (0, 1):
        try:
            token = jose_jwt.decode(id_token, _keys(refresh=bool(attempt)),
                                    algorithms=ALGORITHMS)
            break
        except JoseError:
            if attempt:
                raise ProConnectRefused(_REFUSED, details={"id_token": "signature"}) from None
    client_id = setting("PROCONNECT_CLIENT_ID")
    claims = CodeIDToken(
        token.claims, token.header,
        options={"iss": {"essential": True, "value": metadata()["issuer"]},
                 "aud": {"essential": True, "value": client_id},
                 "nonce": {"essential": True, "value": nonce}},
        params={"nonce": nonce, "client_id": client_id, "access_token": access_token})
    try:
        claims.validate(leeway=LEEWAY_S)
    except JoseError as error:
        kind = "expired" if "exp" in str(error) else type(error).__name__
        raise ProConnectRefused(_l("The ProConnect sign-in has expired. Start again."
                                   ) if kind == "expired" else _REFUSED,
                                details={"id_token": kind}) from None
    return dict(claims)


def _userinfo(access_token: str, id_claims: dict) -> dict:
    """ProConnect's userinfo is a signed JWT (application/jwt); plain JSON is read too. Its
    `sub` must be the ID token's."""
    try:
        response = requests.get(metadata()["userinfo_endpoint"],
                                headers={"Authorization": f"Bearer {access_token}"},
                                timeout=setting("PROCONNECT_TIMEOUT_S"))
        response.raise_for_status()
    except requests.RequestException:
        raise ProConnectUnavailable(_l(
            "ProConnect does not answer right now. Try again in a few minutes, or sign in "
            "with your password.")) from None
    if response.headers.get("Content-Type", "").startswith("application/jwt"):
        try:
            info = dict(jose_jwt.decode(response.text.strip(), _keys(),
                                        algorithms=ALGORITHMS).claims)
        except JoseError:
            raise ProConnectRefused(_REFUSED, details={"userinfo": "signature"}) from None
    else:
        info = response.json()
    if info.get("sub") != id_claims.get("sub"):
        raise ProConnectRefused(_REFUSED, details={"userinfo": "sub"})
    return info


def finish(args) -> tuple[User, str | None]:
    """The callback: check `state`, exchange the code (PKCE verifier), verify the ID token,
    read userinfo and find the account. Raises ProConnectRefused with a clear message."""
    flow = session.pop(SESSION_KEY, None)
    if args.get("error"):
        raise ProConnectRefused(_l("ProConnect did not sign you in (%(error)s).",
                                   error=str(args.get("error"))[:100]))
    if not flow or not args.get("state") or not secrets.compare_digest(
            str(args.get("state")), flow["state"]):
        raise ProConnectRefused(_REFUSED, details={"state": "mismatch"})
    if not args.get("code"):
        raise ProConnectRefused(_REFUSED, details={"code": "missing"})
    document = metadata()
    client = _client()
    try:
        token = client.fetch_token(document["token_endpoint"], grant_type="authorization_code",
                                   code=args["code"], code_verifier=flow["verifier"])
    except requests.RequestException:
        raise ProConnectUnavailable(_l(
            "ProConnect does not answer right now. Try again in a few minutes, or sign in "
            "with your password.")) from None
    except Exception as error:  # Authlib's OAuthError: invalid_grant (a code used twice)...
        raise ProConnectRefused(_REFUSED, details={
            "token": getattr(error, "error", type(error).__name__)}) from None
    if "id_token" not in token:
        raise ProConnectRefused(_REFUSED, details={"id_token": "missing"})
    claims = _verify_id_token(token["id_token"], nonce=flow["nonce"],
                              access_token=token.get("access_token"))
    info = _userinfo(token["access_token"], claims)
    user = match_account(issuer=claims["iss"], subject=claims["sub"],
                         email=info.get("email") or claims.get("email"),
                         siret=info.get("siret") or claims.get("siret"),
                         acr=claims.get("acr"), amr=claims.get("amr"))
    session[SESSION_KEY_ID_TOKEN_TMP] = token["id_token"]
    return user, flow.get("next")


def end_session_url(id_token: str) -> str | None:
    """Where to send the browser so that ProConnect signs the person out too."""
    try:
        endpoint = metadata().get("end_session_endpoint")
    except ProConnectUnavailable:
        return None
    if not endpoint:
        return None
    return endpoint + "?" + urlencode({
        "id_token_hint": id_token, "state": secrets.token_urlsafe(16),
        "post_logout_redirect_uri": setting("PUBLIC_BASE_URL").rstrip("/")
        + url_for("partners.proconnect_signed_out")})


# -- matching an account (one home for the rule) ---------------------------------------------

def _expected_siret(user: User) -> str | None:
    if user.role == PRESCRIBER:
        return user.organisation.siret if user.organisation else None
    return user.platform.siret


def _account_for(identity: ProConnectIdentity | None, email: str | None) -> User | None:
    """The account already attached to the identity, else the one invited with this e-mail
    (unless it is attached to another ProConnect identity: an admin decides)."""
    user = identity.user if identity is not None and identity.user_id else None
    if user is None and email:
        user = db.session.scalar(select(User).where(
            func.lower(User.email) == email.strip().lower()))
        if user is not None and db.session.scalar(select(ProConnectIdentity.id).where(
                ProConnectIdentity.user_id == user.id)):
            user = None
    return user


def _refuse_unknown(identity: ProConnectIdentity, siret: str | None) -> None:
    """Keep the waiting identity with the platform whose organisation has this SIRET."""
    identity.platform_id = db.session.scalar(
        select(PartnerOrganisation.platform_id).where(PartnerOrganisation.siret == siret)
        .limit(1)) if siret else None
    db.session.commit()
    raise ProConnectRefused(_l(
        "Your ProConnect account is not known here. Ask the mobility platform to invite "
        "you with this e-mail address, or to attach your ProConnect account."),
        code="proconnect_unknown")


def _check_may_sign_in(user: User, siret: str | None) -> None:
    """An active staff or prescriber account whose organisation's SIRET is the one given."""
    if not user.is_active or user.role == BENEFICIARY:
        db.session.rollback()
        raise ProConnectRefused(_l("This account cannot sign in with ProConnect."),
                                code="proconnect_not_allowed")
    expected = _expected_siret(user)
    if not expected or expected != siret:
        db.session.rollback()
        raise ProConnectRefused(_l(
            "ProConnect signed you in for another organisation (SIRET %(siret)s) than the "
            "one of your account here. Choose the right organisation at ProConnect, or ask "
            "the platform to correct its SIRET.", siret=siret or "—"),
            code="proconnect_siret_mismatch")


def match_account(*, issuer: str, subject: str, email: str | None, siret: str | None,
                  acr: str | None = None, amr: list | None = None) -> User:
    """The account for this ProConnect identity, or a refusal. First sign-in: the account
    invited with the same e-mail; otherwise the identity waits for an admin to attach it
    (kept with the platform whose organisation has this SIRET). The SIRET must be the
    person's organisation's (a prescriber) or the platform's (staff)."""
    identity = db.session.scalar(select(ProConnectIdentity).where(
        ProConnectIdentity.issuer == issuer, ProConnectIdentity.subject == subject))
    siret = (siret or "").replace(" ", "") or None
    user = _account_for(identity, email)
    if identity is None:
        identity = ProConnectIdentity(issuer=issuer, subject=subject, email=email or "")
        db.session.add(identity)
    identity.email, identity.siret = (email or "")[:254], siret
    if user is None:
        _refuse_unknown(identity, siret)
    _check_may_sign_in(user, siret)
    first = identity.user_id is None
    identity.user_id, identity.platform_id = user.id, user.platform_id
    identity.last_acr, identity.last_amr = acr, amr if isinstance(amr, list) else None
    identity.last_login_at = user.last_login_at = utcnow()
    if first:
        record_audit(user, "update", object_type="User", object_id=user.id,
                     platform_id=user.platform_id, fields=["proconnect_identity"])
    record_audit(user, "login", object_type="User", object_id=user.id,
                 platform_id=user.platform_id, fields=["proconnect"])
    db.session.commit()
    return user


# -- admins -----------------------------------------------------------------------------------

def waiting_identities(actor) -> list[ProConnectIdentity]:
    """Identities that signed in without a known account, for this platform's admins."""
    return list(db.session.scalars(select(ProConnectIdentity).where(
        ProConnectIdentity.user_id.is_(None),
        ProConnectIdentity.platform_id == actor.platform_id)
        .order_by(ProConnectIdentity.created_at.desc())))


def attached_identities(actor) -> list[ProConnectIdentity]:
    return list(db.session.scalars(select(ProConnectIdentity).join(User).where(
        User.platform_id == actor.platform_id).order_by(ProConnectIdentity.last_login_at)))


def attachable_users(actor) -> list[User]:
    """Active staff and prescriber accounts of the platform with no ProConnect identity."""
    taken = select(ProConnectIdentity.user_id).where(ProConnectIdentity.user_id.is_not(None))
    return list(db.session.scalars(select(User).where(
        User.platform_id == actor.platform_id, User.active.is_(True),
        User.role != BENEFICIARY, User.id.not_in(taken)).order_by(User.email)))


def attach(actor, identity: ProConnectIdentity, user_id: int) -> ProConnectIdentity:
    """An admin attaches a waiting identity to an account of their platform."""
    if actor.role != ADMIN or identity.platform_id != actor.platform_id:
        raise ProConnectRefused(_l("You cannot attach this identity."))
    user = next((u for u in attachable_users(actor) if u.id == user_id), None)
    if user is None:
        raise ValidationFailed(details={"user_id": _l("Choose an account of the platform.")})
    identity.user_id = user.id
    record_audit(actor, "update", object_type="User", object_id=user.id,
                 fields=["proconnect_identity"])
    db.session.commit()
    return identity


def set_siret(actor, target, siret: str | None) -> None:
    """Record the SIRET of the platform or of one of its organisations (already validated
    by `mobility.platforms.siret.clean_siret`)."""
    target.siret = siret
    record_audit(actor, "update", object_type=type(target).__name__, object_id=target.id,
                 fields=["siret"])
    db.session.commit()
