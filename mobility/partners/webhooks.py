"""Signed webhooks: endpoints per platform, one delivery row per event and endpoint written in
the event's own transaction (an outbox), sent by the scheduler, retried with backoff.

Signature (Stripe's scheme, see docs/webhooks.md): header
`X-Mobility-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
Payloads carry ids and states only — never names, notes, RSA status or health.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import select, update
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.db import db, write_transaction
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.partners.models import EVENTS, WebhookDelivery, WebhookEndpoint
from mobility.partners.settings import setting

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Mobility-Signature"
USER_AGENT = "mobility-platform-webhooks/1"


# -- signing ----------------------------------------------------------------------------------

def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The `X-Mobility-Signature` header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, *, tolerance_s: int = 300,
           now: float | None = None) -> bool:
    """What a receiver does: check the HMAC (constant time) and that `t` is recent."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# -- endpoints --------------------------------------------------------------------------------

def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.is_loopback:
        return bool(setting("WEBHOOK_ALLOW_LOOPBACK"))
    return ip.is_global and not ip.is_multicast


def _resolved_addresses(parts, field_name: str) -> set[str]:
    """The addresses the URL's host resolves to (400 when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme ==
                                                                   "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise ValidationFailed(details={field_name: _l(
            "This host name does not resolve.")}) from None
    return {info[4][0] for info in infos}


def check_url(url: str | None, *, field_name: str = "url") -> str:
    """A webhook URL we may call: http(s), a host that resolves only to public addresses
    (private, link-local, loopback refused — loopback allowed when WEBHOOK_ALLOW_LOOPBACK, for
    development and tests), https unless loopback. 400 with a clear message otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise ValidationFailed(details={field_name: _l(
            "Give a full web address, starting with https://.")})
    if parts.username or parts.password:
        raise ValidationFailed(details={field_name: _l(
            "The address cannot carry a user name or a password.")})
    addresses = _resolved_addresses(parts, field_name)
    if not addresses or not all(_address_allowed(a) for a in addresses):
        raise ValidationFailed(details={field_name: _l(
            "This address points to a private, local or reserved network: webhooks are only "
            "sent to public addresses.")})
    loopback = all(ipaddress.ip_address(a).is_loopback for a in addresses)
    if parts.scheme != "https" and not loopback:
        raise ValidationFailed(details={field_name: _l(
            "Webhooks are sent over https only.")})
    return url


def _check_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationFailed(details={"events": _l("Choose at least one event.")})
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise ValidationFailed(details={"events": _l(
            "Unknown events: %(events)s.", events=", ".join(map(str, unknown)))})
    return sorted(set(events))


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def register_endpoint(actor, *, url: str, events: Any, description: str | None = None
                      ) -> WebhookEndpoint:
    """Register an endpoint of the actor's platform; its secret is returned once, here."""
    url = check_url(url)
    events = _check_events(events)
    endpoint = WebhookEndpoint(platform_id=actor.platform_id, url=url, events=events,
                               secret=new_secret(), created_by_id=actor.id,
                               description=(description or "").strip()[:200] or None)
    db.session.add(endpoint)
    db.session.flush()
    record_audit(actor, "create", object_type="WebhookEndpoint", object_id=endpoint.id,
                 fields=["url", "events"])
    db.session.commit()
    return endpoint


def delete_endpoint(actor, endpoint: WebhookEndpoint) -> None:
    """Stop sending to an endpoint: its waiting deliveries are cancelled, the history kept."""
    endpoint.deleted_at = utcnow()
    db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id,
                                      WebhookDelivery.status == "pending")
        .values(status="cancelled"))
    record_audit(actor, "delete", object_type="WebhookEndpoint", object_id=endpoint.id,
                 fields=["deleted_at"])
    db.session.commit()


def endpoints_of(platform_id: int) -> list[WebhookEndpoint]:
    return list(db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.platform_id == platform_id,
                                      WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.id)))


def endpoint_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"id": endpoint.id, "url": endpoint.url, "events": endpoint.events,
            "description": endpoint.description,
            "created_at": endpoint.created_at.isoformat()}


# -- events -----------------------------------------------------------------------------------

def emit(event: str, *, platform_id: int, data: dict[str, Any]) -> int:
    """Write one delivery per subscribed endpoint in the CURRENT transaction (the caller's
    commit sends the event and the deliveries together, or neither). `data` holds ids and
    states only. Returns how many deliveries were written."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event}")
    endpoints = [e for e in endpoints_of(platform_id) if event in (e.events or [])]
    if not endpoints:
        return 0
    event_id = "evt_" + uuid.uuid4().hex
    now = utcnow()
    body = json.dumps({"id": event_id, "type": event, "created": int(now.timestamp()),
                       "data": data}, separators=(",", ":"), sort_keys=True)
    for endpoint in endpoints:
        db.session.add(WebhookDelivery(platform_id=platform_id, endpoint_id=endpoint.id,
                                       event_id=event_id, event=event, body=body,
                                       status="pending", next_attempt_at=now))
    return len(endpoints)


# -- sending ----------------------------------------------------------------------------------

class RefusedPeer(Exception):
    """The connection reached an address webhooks may not be sent to (DNS rebinding)."""


def _check_peer(sock) -> None:
    # The host was checked when resolved, but resolved again by the connection: check the
    # address actually reached, before any byte of the request is sent.
    if sock is not None and not _address_allowed(sock.getpeername()[0]):
        sock.close()
        raise RefusedPeer("refused address: the host now resolves to a private network")


class _CheckedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self.sock)


class _CheckedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self.sock)


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests adapter whose connections refuse a peer outside the allowed addresses."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool,
                                                   "https": _CheckedHTTPSPool}


def http_session() -> requests.Session:
    """The sender's session: direct connections only (no proxy from the environment, whose
    address would be the peer) through `PublicOnlyAdapter`."""
    session = requests.Session()
    session.trust_env = False
    adapter = PublicOnlyAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass
class SendReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.retried} to retry, {self.failed} failed"


def backoff_s(attempts: int) -> int:
    """Wait before attempt `attempts + 1`: doubling from WEBHOOK_RETRY_BASE_S, capped."""
    return min(setting("WEBHOOK_RETRY_BASE_S") * 2 ** max(attempts - 1, 0),
               setting("WEBHOOK_RETRY_MAX_S"))


def _claim(now: datetime, limit: int) -> tuple[list[int], str]:
    token = uuid.uuid4().hex
    table = WebhookDelivery.__table__
    with write_transaction():
        stale = now - timedelta(seconds=setting("WEBHOOK_STALE_CLAIM_S"))
        db.session.execute(
            update(table).where(table.c.status == "sending", table.c.claimed_at < stale)
            .values(status="pending", claim_token=None,
                    last_error="interrupted while sending; it may have gone out once already"))
        ids = list(db.session.scalars(
            select(table.c.id).where(table.c.status == "pending",
                                     table.c.next_attempt_at <= now)
            .order_by(table.c.next_attempt_at, table.c.id).limit(limit)
            .with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(update(table).where(table.c.id.in_(ids))
                               .values(status="sending", claimed_at=now, claim_token=token))
    return ids, token


def _post(delivery: WebhookDelivery, session: requests.Session
          ) -> tuple[int | None, str | None]:
    """One attempt: (HTTP status, error or None when 2xx)."""
    endpoint = delivery.endpoint
    try:
        check_url(endpoint.url)  # resolved again: the host may have moved since it was saved
    except ValidationFailed as refused:
        return None, "refused address: " + str(next(iter(refused.details.values())))
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(endpoint.secret, body, int(time.time())),
        "X-Mobility-Event": delivery.event,
        "X-Mobility-Delivery": delivery.event_id,
    }
    try:
        response = session.post(endpoint.url, data=body, headers=headers,
                                timeout=setting("WEBHOOK_TIMEOUT_S"), allow_redirects=False)
    except requests.Timeout:
        return None, "timed out"
    except RefusedPeer as refused:
        return None, str(refused)
    except requests.RequestException as error:
        return None, f"connection failed: {type(error).__name__}"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"answered HTTP {response.status_code}"


def _record(delivery_id: int, token: str, status_code: int | None, error: str | None,
            report: SendReport) -> None:
    with write_transaction():
        delivery = db.session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                          WebhookDelivery.claim_token == token)
            .with_for_update())
        if delivery is None:  # reclaimed as stale meanwhile
            return
        now = utcnow()
        delivery.claim_token = None
        delivery.attempts += 1
        delivery.last_status_code = status_code
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
            report.delivered += 1
            return
        delivery.last_error = error[:2000]
        report.errors.append(error)
        if delivery.attempts >= setting("WEBHOOK_MAX_ATTEMPTS"):
            delivery.status = "failed"
            report.failed += 1
        else:
            delivery.status = "pending"
            delivery.next_attempt_at = now + timedelta(seconds=backoff_s(delivery.attempts))
            report.retried += 1


def send_due_deliveries(*, now: datetime | None = None, batch_size: int = 50,
                        max_batches: int = 20) -> SendReport:
    """Send every delivery due now; a 2xx marks it delivered (never sent again), anything else
    (refused connection, timeout, 4xx/5xx) schedules a retry."""
    report = SendReport()
    session = http_session()
    for _ in range(max_batches):
        ids, token = _claim(now or utcnow(), batch_size)
        if not ids:
            break
        for delivery_id in ids:
            delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
            status_code, error = _post(delivery, session)
            if error:
                log.warning("webhook delivery %s not delivered: %s", delivery_id, error)
            db.session.rollback()  # end the read transaction before writing
            _record(delivery_id, token, status_code, error, report)
        if len(ids) < batch_size:
            break
    return report


def retry_delivery(actor, delivery: WebhookDelivery) -> None:
    """Send a failed delivery again, now, with a fresh series of attempts."""
    if delivery.status != "failed" or not delivery.endpoint.active:
        raise ValidationFailed(_l("Only a failed delivery to an active endpoint can be sent "
                                  "again."))
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, utcnow()
    db.session.commit()
