"""A webhook receiver on loopback that verifies each request's signature the way a partner
would (HMAC-SHA256 of "<t>.<raw body>"), and can answer 500, be slow, or be down."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_ok(secret: str, body: bytes, header: str, tolerance_s: int = 300) -> bool:
    """Independent of the application's code: parse, recompute, compare in constant time."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    t = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return abs(time.time() - t) <= tolerance_s and hmac.compare_digest(expected, parts["v1"])


@dataclass
class Receiver:
    secret: str = ""
    mode: str = "ok"  # ok | error (500) | slow (sleeps past the sender's timeout)
    slow_s: float = 3.0
    received: list[dict] = field(default_factory=list)  # verified requests, in order
    late: list[dict] = field(default_factory=list)  # answered after the sender gave up
    rejected: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def start(self, port: int = 0) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                slow = receiver.mode == "slow"
                if slow:
                    time.sleep(receiver.slow_s)
                header = self.headers.get("X-Mobility-Signature", "")
                if not receiver.secret or not signature_ok(receiver.secret, body, header):
                    receiver.rejected += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                if receiver.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                (receiver.late if slow else receiver.received).append(
                    {"headers": dict(self.headers), "json": json.loads(body)})
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
