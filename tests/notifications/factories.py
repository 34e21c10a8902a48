"""Factories and loopback servers for the notification and scheduler tests.

- `create_*` functions: people, vehicles, rentals, workshop sessions... in the state a job
  looks for;
- `smtp_server`: a real `aiosmtpd` SMTP server on 127.0.0.1 collecting what it receives;
- `sms_receiver`: a small HTTP server standing in for the SMS provider (answers 200, 500, or
  too late, as told);
- `notify_config(app, smtp, sms)`: point the app at them.
"""

from __future__ import annotations

import email
import itertools
import json
import threading
import time
from datetime import date, datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from fleet.models import MaintenanceJob, Rental, Site, Vehicle
from mobility.core.db import db
from mobility.people.models import (
    Beneficiary,
    Pathway,
    Workshop,
    WorkshopAttendance,
    WorkshopSession,
)
from mobility.platforms.models import Platform
from tests.factories import create_platform, create_user

_counter = itertools.count(1)


# --- records ------------------------------------------------------------------------------------

def create_beneficiary(platform: Platform | None = None, **overrides) -> Beneficiary:
    platform = platform or create_platform()
    n = next(_counter)
    person = Beneficiary(
        platform_id=platform.id, first_name=overrides.pop("first_name", "Léa"),
        last_name=overrides.pop("last_name", f"Martin{n}"),
        phone=overrides.pop("phone", None), email=overrides.pop("email", f"lea{n}@example.org"),
        **overrides)
    db.session.add(person)
    db.session.commit()
    return person


def create_vehicle(platform: Platform, **overrides) -> Vehicle:
    n = next(_counter)
    site = Site(platform_id=platform.id, name=f"Pôle Beausoleil {n}", kind="pole",
                address=f"{n} avenue de Verdun, 06240 Beausoleil")
    db.session.add(site)
    db.session.flush()
    vehicle = Vehicle(platform_id=platform.id, site_id=site.id,
                      kind=overrides.pop("kind", "scooter"),
                      plate=overrides.pop("plate", f"GA-{n:03d}-BC"),
                      odometer_km=overrides.pop("odometer_km", 1000), **overrides)
    db.session.add(vehicle)
    db.session.commit()
    return vehicle


def create_rental(platform: Platform, *, end_date: date, beneficiary: Beneficiary | None = None,
                  advisor=None, **overrides) -> Rental:
    vehicle = overrides.pop("vehicle", None) or create_vehicle(platform)
    beneficiary = beneficiary or create_beneficiary(platform)
    rental = Rental(platform_id=platform.id, vehicle_id=vehicle.id, beneficiary_id=beneficiary.id,
                    advisor_id=advisor.id if advisor else None,
                    start_date=overrides.pop("start_date", end_date - timedelta(days=14)),
                    end_date=end_date, status=overrides.pop("status", "in_progress"),
                    **overrides)
    db.session.add(rental)
    db.session.commit()
    return rental


def create_amie_rental(platform: Platform, *, start_date: date, months: int = 5,
                       advisor=None, **overrides) -> Rental:
    from mobility.core.dates import add_months
    from mobility.pricing.engine import TariffRates
    from mobility.pricing.models import RentalTerms

    rental = create_rental(platform, start_date=start_date,
                           end_date=add_months(start_date, months), advisor=advisor,
                           vehicle=create_vehicle(platform, kind="car"), **overrides)
    db.session.add(RentalTerms(platform_id=platform.id, rental_id=rental.id, scheme="amie",
                               rates=TariffRates().to_dict(), resources_band="under_600"))
    db.session.commit()
    return rental


def create_workshop_session(platform: Platform, *, starts_at: datetime,
                            attendees=(), advisor=None) -> WorkshopSession:
    workshop = Workshop(platform_id=platform.id, title=f"Lire le plan de bus {next(_counter)}")
    db.session.add(workshop)
    db.session.flush()
    session = WorkshopSession(platform_id=platform.id, workshop_id=workshop.id,
                              starts_at=starts_at, location="Pôle de Beausoleil")
    db.session.add(session)
    db.session.flush()
    for person in attendees:
        if advisor is not None:
            db.session.add(Pathway(platform_id=platform.id, beneficiary_id=person.id,
                                   advisor_id=advisor.id, opened_on=starts_at.date()))
        db.session.add(WorkshopAttendance(platform_id=platform.id, session_id=session.id,
                                          beneficiary_id=person.id))
    db.session.commit()
    return session


def create_maintenance_job(vehicle: Vehicle, **overrides) -> MaintenanceJob:
    job = MaintenanceJob(platform_id=vehicle.platform_id, vehicle_id=vehicle.id,
                         kind=overrides.pop("kind", "service"), **overrides)
    db.session.add(job)
    db.session.commit()
    return job


def create_staff(platform: Platform) -> dict:
    """An advisor and a fleet manager with e-mail addresses."""
    return {"advisor": create_user("advisor", platform=platform),
            "fleet_manager": create_user("fleet_manager", platform=platform)}


# --- loopback servers ---------------------------------------------------------------------------

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
