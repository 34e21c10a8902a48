"""Loopback stand-ins for the SMS providers, checking every request against their published
contracts and answering as they do (successes and errors).

- `BrevoStandIn`: Brevo's transactional SMS API (developers.brevo.com, "Send SMS message to a
  mobile number"): `POST /v3/transactionalSMS/send`, `api-key` header, JSON body with
  `sender` (at most 11 alphanumeric characters or 15 digits), `recipient` (international
  number, digits only), `content`, optional `type`, `tag`, `webUrl`, `unicodeEnabled`,
  `organisationPrefix`; `201 {"messageId": n}`; errors `{"code", "message"}` with 400
  (`invalid_parameter`), 401 (`unauthorized`), 402 (`not_enough_credits`), 429.
- `OvhStandIn`: OVHcloud's API (eu.api.ovh.com, /sms): `GET /1.0/auth/time` (no auth), then
  `POST /1.0/sms/{serviceName}/jobs` signed with `X-Ovh-Application`, `X-Ovh-Consumer`,
  `X-Ovh-Timestamp` and `X-Ovh-Signature = "$1$" + sha1(AS+CK+METHOD+URL+BODY+TS joined by
  "+")`; answers `{"ids", "validReceivers", "invalidReceivers", "totalCreditsRemoved", "tag"}`;
  errors `{"errorCode", "httpCode", "message"}` (403 INVALID_KEY / INVALID_CREDENTIAL,
  400 INVALID_SIGNATURE, 429).

`violations` lists every way a request broke the contract: tests assert it stays empty.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

_ids = itertools.count(1511882900176220)


class _StandIn:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.calls = 0  # every HTTP request, accepted or not
        self.violations: list[str] = []
        self.mode = "ok"  # ok | no_credit | throttle | server_error
        self.invalid_numbers: set[str] = set()
        self.base_url = ""
        self._lock = threading.Lock()

    def record(self, entry: dict) -> None:
        with self._lock:
            self.requests.append(entry)

    def violate(self, why: str) -> None:
        with self._lock:
            self.violations.append(why)

    @property
    def sent(self) -> list[dict]:
        """The requests the provider accepted (what reached a phone)."""
        return [r for r in self.requests if r.get("accepted")]


def _serve(handler_class):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


# --- Brevo ------------------------------------------------------------------------------------

BREVO_FIELDS = {"sender", "recipient", "content", "type", "tag", "webUrl", "unicodeEnabled",
                "organisationPrefix"}


class BrevoStandIn(_StandIn):
    api_key = "xkeysib-test-0123456789"

    def check(self, path: str, headers, raw: bytes) -> tuple[int, dict, dict]:
        """(status, JSON answer, extra headers) for one request, as Brevo answers it."""
        self.calls += 1
        if path != "/v3/transactionalSMS/send":
            self.violate(f"path {path}")
            return 404, {"code": "not_found", "message": "Invalid route"}, {}
        if "application/json" not in (headers.get("Content-Type") or ""):
            self.violate("content-type is not JSON")
        if headers.get("Authorization"):
            self.violate("Brevo takes the key in the api-key header, not Authorization")
        if headers.get("api-key") != self.api_key:
            return 401, {"code": "unauthorized", "message": "Key not found"}, {}
        try:
            body = json.loads(raw)
        except ValueError:
            self.violate("body is not JSON")
            return 400, {"code": "bad_request", "message": "Malformed JSON"}, {}
        unknown = set(body) - BREVO_FIELDS
        if unknown:
            self.violate(f"unknown fields {sorted(unknown)}")
        for name in ("sender", "recipient", "content"):
            if not isinstance(body.get(name), str) or not body[name]:
                self.violate(f"{name} missing")
                return 400, {"code": "missing_parameter", "message": f"{name} is missing"}, {}
        sender = body["sender"]
        if not ((sender.isdigit() and len(sender) <= 15)
                or (len(sender) <= 11 and re.fullmatch(r"[A-Za-z0-9 ]+", sender))):
            self.violate(f"sender {sender!r}")
            return 400, {"code": "invalid_parameter", "message": "Invalid sender"}, {}
        if not re.fullmatch(r"\d{6,15}", body["recipient"]):
            self.violate(f"recipient {body['recipient']!r} is not digits with the country code")
        if body.get("type", "transactional") not in ("transactional", "marketing"):
            self.violate("type")
        if "unicodeEnabled" in body and not isinstance(body["unicodeEnabled"], bool):
            self.violate("unicodeEnabled is not a boolean")
        if "webUrl" in body and not str(body["webUrl"]).startswith(("http://", "https://")):
            self.violate("webUrl is not a URL")
        self.record({"body": body, "headers": dict(headers)})
        if self.mode == "throttle":
            return 429, {"code": "too_many_requests", "message": "Too many requests"}, \
                {"Retry-After": "120"}
        if self.mode == "no_credit":
            return 402, {"code": "not_enough_credits",
                         "message": "You don't have enough credit to send SMS"}, {}
        if self.mode == "server_error":
            return 500, {"code": "internal_error", "message": "Internal error"}, {}
        if body["recipient"] in self.invalid_numbers:
            return 400, {"code": "invalid_parameter", "message": "Invalid phone number"}, {}
        message_id = next(_ids)
        self.requests[-1].update(accepted=True, message_id=message_id)
        return 201, {"messageId": message_id}, {}

    def report(self, request_entry: dict, event: str, *, description: str | None = None) -> dict:
        """The JSON Brevo posts to `webUrl` for an event of a sent SMS."""
        return {"id": 1234, "to": request_entry["body"]["recipient"],
                "messageId": request_entry["message_id"], "msg_status": event, "event": event,
                "description": description or event, "type": "sms", "sms_count": 1,
                "date": "2026-03-02 09:00:00", "tag": request_entry["body"].get("tag", "")}


@pytest.fixture
def brevo():
    stand_in = BrevoStandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer, extra = stand_in.check(self.path, self.headers, raw)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(json.dumps(answer).encode())

        def log_message(self, *args):
            pass

    server = _serve(Handler)
    stand_in.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield stand_in
    server.shutdown()
    server.server_close()


# --- OVHcloud ---------------------------------------------------------------------------------

OVH_JOB_FIELDS = {"charset", "class", "coding", "differedPeriod", "message", "noStopClause",
                  "priority", "receivers", "receiversDocumentUrl", "receiversSlotId", "sender",
                  "senderForResponse", "tag", "validityPeriod", "callBack"}


class OvhStandIn(_StandIn):
    application_key = "ak-test-7kc0"
    application_secret = "as-test-secret-9d3f"
    consumer_key = "ck-test-consumer-41b2"
    service = "sms-ab12345-1"

    def __init__(self) -> None:
        super().__init__()
        self.time_calls = 0

    def check(self, method: str, path: str, headers, raw: bytes) -> tuple[int, object, dict]:
        if method == "GET" and path == "/1.0/auth/time":
            self.time_calls += 1
            return 200, int(time.time()), {}
        self.calls += 1
        target = f"{self.base_url}{path}"
        if headers.get("X-Ovh-Application") != self.application_key:
            return 403, {"errorCode": "INVALID_KEY", "httpCode": "403 Forbidden",
                         "message": "Invalid application key"}, {}
        if headers.get("X-Ovh-Consumer") != self.consumer_key:
            return 403, {"errorCode": "INVALID_CREDENTIAL", "httpCode": "403 Forbidden",
                         "message": "This credential does not exist"}, {}
        stamp = headers.get("X-Ovh-Timestamp") or ""
        if not stamp.isdigit() or abs(int(stamp) - time.time()) > 60:
            self.violate("timestamp missing or off by more than a minute")
            return 400, {"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request",
                         "message": "Invalid timestamp"}, {}
        body = raw.decode()
        expected = "$1$" + hashlib.sha1("+".join(
            [self.application_secret, self.consumer_key, method, target, body, stamp]
        ).encode()).hexdigest()
        if headers.get("X-Ovh-Signature") != expected:
            return 400, {"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request",
                         "message": "Invalid signature"}, {}
        if method != "POST" or path != f"/1.0/sms/{self.service}/jobs":
            self.violate(f"{method} {path}")
            return 404, {"message": "Got an invalid (or empty) URL"}, {}
        if "application/json" not in (headers.get("Content-Type") or "").lower():
            self.violate("content-type is not JSON")
        try:
            job = json.loads(body)
        except ValueError:
            self.violate("body is not JSON")
            return 400, {"message": "Invalid JSON"}, {}
        unknown = set(job) - OVH_JOB_FIELDS
        if unknown:
            self.violate(f"unknown fields {sorted(unknown)}")
        if not isinstance(job.get("message"), str) or not job["message"]:
            self.violate("message missing")
            return 400, {"message": "Missing parameter: message"}, {}
        receivers = job.get("receivers")
        if not isinstance(receivers, list) or not receivers or not all(
                isinstance(r, str) and re.fullmatch(r"\+\d{6,15}", r) for r in receivers):
            self.violate(f"receivers {receivers!r} are not E.164 numbers")
        if job.get("coding", "7bit") not in ("7bit", "8bit"):
            self.violate("coding")
        if job.get("priority", "high") not in ("high", "low", "medium", "veryLow"):
            self.violate("priority")
        if "sender" in job and not (len(job["sender"]) <= 11 or job["sender"].isdigit()):
            self.violate("sender too long")
        self.record({"body": job, "headers": dict(headers)})
        if self.mode == "throttle":
            return 429, {"message": "Too much requests, please retry later"}, \
                {"Retry-After": "120"}
        if self.mode == "no_credit":
            return 402, {"message": "Not enough credits to send this job"}, {}
        if self.mode == "server_error":
            return 500, {"message": "Internal server error"}, {}
        valid = [r for r in receivers if r not in self.invalid_numbers]
        invalid = [r for r in receivers if r in self.invalid_numbers]
        ids = [next(_ids) for _ in valid]
        if valid:
            self.requests[-1].update(accepted=True, ids=ids)
        return 200, {"totalCreditsRemoved": len(valid), "invalidReceivers": invalid,
                     "ids": ids, "validReceivers": valid, "tag": job.get("tag", "")}, {}

    @staticmethod
    def receipt_query(request_entry: dict, dlr: int, description: str) -> dict:
        """The query string OVH calls `callBack` with for one SMS of a job."""
        return {"id": str(request_entry["ids"][0]), "dlr": str(dlr),
                "description": description, "receiver": request_entry["body"]["receivers"][0],
                "ptt": "13" if dlr == 1 else "73", "tag": request_entry["body"].get("tag", "")}


@pytest.fixture
def ovh_api():
    stand_in = OvhStandIn()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer, extra = stand_in.check(self.command, self.path, self.headers, raw)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(json.dumps(answer).encode())

        do_GET = do_POST = _answer  # noqa: N815 (http.server's names)

        def log_message(self, *args):
            pass

    server = _serve(Handler)
    stand_in.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield stand_in
    server.shutdown()
    server.server_close()


def local_path(url: str) -> str:
    """The path and query of a URL the app gave a provider (to call it through the test
    client, as the provider would over the internet)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def brevo_config(app, stand_in: BrevoStandIn, **extra) -> None:
    app.config.update(SMS_PROVIDER="brevo", SMS_API_URL=stand_in.base_url,
                      SMS_API_KEY=stand_in.api_key, SMS_SENDER="MOBILITE", SMS_TIMEOUT_S=2,
                      **extra)


def ovh_config(app, stand_in: OvhStandIn, **extra) -> None:
    app.config.update(SMS_PROVIDER="ovh", SMS_API_URL=f"{stand_in.base_url}/1.0",
                      OVH_APPLICATION_KEY=stand_in.application_key,
                      OVH_APPLICATION_SECRET=stand_in.application_secret,
                      OVH_CONSUMER_KEY=stand_in.consumer_key, OVH_SMS_SERVICE=stand_in.service,
                      SMS_SENDER="MOBILITE", SMS_TIMEOUT_S=2, **extra)
