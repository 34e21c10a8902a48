"""Loopback servers for the notification and scheduler tests (the records they need come from
`tests.factories`).

- `smtp_server`: a real `aiosmtpd` SMTP server on 127.0.0.1 collecting what it receives;
- `sms_receiver`: a small HTTP server standing in for the SMS provider (answers 200, 500, or
  too late, as told);
- `notify_config(app, smtp, sms)`: point the app at them.
"""

from __future__ import annotations

import email
import json
import threading
import time
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """What the SMTP server received, as parsed `email.message.EmailMessage`s."""

    def __init__(self) -> None:
        self.messages: list = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def keys(self) -> list[str]:
        with self._lock:
            return [m["X-Notification-Key"] for m in self.messages]

    def wait_for(self, count: int, timeout_s: float = 20) -> list:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.1)
        return list(self.messages)


class LoopbackController(Controller):
    """aiosmtpd's controller bound to port 0: the system picks a free port as the server binds
    it (choosing one first and binding later races with other processes); read back here."""

    def _trigger_server(self):
        # aiosmtpd calls this right after binding, to connect once to its own port
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback; yields (host, port, inbox)."""
    inbox = Inbox()
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    yield "127.0.0.1", controller.port, inbox
    controller.stop()


class SmsReceiver:
    """The stand-in SMS provider: records requests; `mode` is "ok", "error" or "slow"."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.mode = "ok"
        self.url = ""


@pytest.fixture
def sms_receiver():
    receiver = SmsReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if receiver.mode == "slow":
                time.sleep(1.5)
            receiver.requests.append({"json": json.loads(body or b"{}"),
                                      "headers": dict(self.headers), "mode": receiver.mode})
            status = 500 if receiver.mode == "error" else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "msg-1"}' if status == 200 else b'{"error": "boom"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    yield receiver
    server.shutdown()
    server.server_close()


def notify_config(app, *, smtp=None, sms=None, **extra) -> None:
    """Point the app at the loopback SMTP server and SMS receiver."""
    if smtp is not None:
        host, port, _ = smtp
        app.config.update(SMTP_HOST=host, SMTP_PORT=port, SMTP_TLS="none",
                          MAIL_FROM="Plateforme mobilité <no-reply@mobilite.test>")
    if sms is not None:
        app.config.update(SMS_ENDPOINT_URL=sms.url, SMS_API_KEY="test-key", SMS_TIMEOUT_S=1)
    app.config.update(PUBLIC_BASE_URL="https://mobilite.test", NOTIFY_RETRY_BASE_S=60,
                      **extra)
