"""Activity reports: the figures, the formats, bad input, access per role and platform."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditEvent
from mobility.core.db import db
from mobility.reports.cli import set_network
from tests.factories import api_token, bearer, create_platform, create_user, login
from tests.reports.year import END, START, create_year

PERIOD = f"start={START.isoformat()}&end={END.isoformat()}"


def _report(client, user, query: str = PERIOD):
    return client.get(f"/api/v1/reports/activity?{query}",
                      headers=bearer(api_token(client, user)))


def test_yearly_report_figures(app, client):
    year = create_year()
    admin = create_user("admin", year.platform)
    response = _report(client, admin, PERIOD + "&budget=3000")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()

    ml, ft, _garage = year.organisations
    referrals = {r["organisation"]: r for r in report["referrals"]}
    assert referrals[ml.name] | {} == {**referrals[ml.name], "received": 2, "accepted": 1,
                                      "declined": 1, "waiting": 0}
    assert referrals[ft.name]["received"] == 1 and referrals[ft.name]["waiting"] == 1

    people = report["people"]
    assert people["total"] == 3 and people["new"] == 2
    assert people["by_gender"] == {"female": 1, "male": 1, "other": 1, "unspecified": 0}
    assert people["by_age_band"] == {"under_26": 1, "26_44": 1, "45_54": 0, "55_plus": 0,
                                     "unknown": 1}
    assert people["qpv_residents"] == 1 and people["rsa_recipients"] == 1

    actions = report["actions"]
    assert actions["coaching"] == {"count": 3, "people": 2}
    assert actions["workshop"] == {"count": 1, "people": 1}
    assert actions["partner_referral"] == {"count": 1, "people": 1}
    assert actions["rentals_by_vehicle_kind"] == {"car": {"count": 1, "people": 1}}
    assert actions["carpool"] == {"count": 2, "people": 1}
    assert actions["minibus"] == {"count": 1, "people": 1}

    fleet = {c["vehicle_kind"]: c for c in report["fleet"]}
    assert (fleet["car"]["rental_days"], fleet["car"]["rentals"]) == (10, 1)
    assert (fleet["bike"]["rental_days"], fleet["bike"]["rentals"]) == (5, 1)
    assert fleet["car"]["occupancy_pct"] == round(100 * 10 / 365, 1)

    potential = report["mobility_potential"]
    assert potential["entry_assessments"] == 1 and potential["entry_average"] == 40
    assert (potential["exit_entry_average"], potential["exit_average"],
            potential["gain_average"]) == (40, 70, 30)

    exits = report["exits"]
    assert exits["total"] == 1 and exits["lasting_solution"] == 1
    assert exits["by_employment"] == {"permanent": 1}

    money = report["money"]
    # car: 10 days x 5 EUR, QPV half price = 25 EUR; bike: 10 days x 1 EUR. Both fall due
    # within the year (weekly instalments from the pricing engine, the single source of prices)
    assert money["invoiced_cents"] == 2500 + 1000
    assert money["paid_cents"] == 2000
    assert money["outstanding_cents"] == 500 + 1000
    assert money["budget_cents"] == 300000
    assert money["cost_per_beneficiary_cents"] == 100000


@pytest.mark.parametrize("fmt,mimetype,magic", [
    ("csv", "text/csv", b"\xef\xbb\xbf"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    ("pdf", "application/pdf", b"%PDF"),
])
def test_downloads_are_logged(app, client, fmt, mimetype, magic):
    year = create_year()
    advisor = create_user("advisor", year.platform)
    response = _report(client, advisor, PERIOD + f"&format={fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.data.startswith(magic)
    assert "attachment" in response.headers["Content-Disposition"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.object_type == "ActivityReport" and event.fields == [fmt]
    assert event.actor_id == advisor.id
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
        assert ["Femme", "1"] in rows  # French labels (the default locale)
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        assert len(book.sheetnames) >= 8


@pytest.mark.parametrize("query,field", [
    ("start=2025-12-31&end=2025-01-01", "end"),
    ("end=2025-01-01", "start"),
    ("start=2025-13-01&end=2025-12-31", "start"),
    ("start=2020-01-01&end=2025-12-31", "end"),
])
def test_bad_period_is_refused_and_nothing_logged(app, client, query, field):
    platform = create_platform()
    admin = create_user("admin", platform)
    token = api_token(client, admin)
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    response = client.get(f"/api/v1/reports/activity?{query}", headers=bearer(token))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert field in error["details"]
    assert error["messages"]["fr"] and error["messages"]["en"]
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def test_end_before_start_message_in_both_languages(app, client):
    admin = create_user("admin")
    response = _report(client, admin, "start=2025-12-31&end=2025-01-01")
    error = response.get_json()["error"]
    assert error["code"] == "period_reversed"
    assert error["messages"]["en"] == "The end of the period is before its start."
    assert error["messages"]["fr"] == "La fin de la période est avant son début."


@pytest.mark.parametrize("role", ["fleet_manager", "prescriber", "beneficiary"])
def test_other_roles_may_not_read_reports(app, client, role):
    user = create_user(role)
    assert _report(client, user).status_code == 403
    login(client, user)
    assert client.get("/reports/activity").status_code == 403
    assert client.get(f"/reports/activity/export.csv?{PERIOD}").status_code == 403


def test_report_of_another_platform_is_refused(app, client):
    mine, other = create_platform(), create_platform()
    admin = create_user("admin", mine)
    response = _report(client, admin, PERIOD + f"&platform={other.slug}")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "other_platform"
    assert _report(client, admin, PERIOD + "&network=nope").status_code == 404


def test_network_admin_sees_the_network_and_its_members(app, client):
    head, member, outsider = create_platform(), create_platform(), create_platform()
    create_year(head)
    create_year(member)
    create_year(outsider)
    set_network("sud", "Réseau Sud", head.slug, [member.slug])
    network_admin = create_user("admin", head)
    member_admin = create_user("admin", member)
    whole = _report(client, network_admin, PERIOD + "&network=sud").get_json()
    assert whole["scope"] == {"kind": "network", "key": "sud", "name": "Réseau Sud",
                              "platforms": 2}
    assert whole["people"]["total"] == 6
    one = _report(client, network_admin, PERIOD + f"&platform={member.slug}")
    assert one.status_code == 200 and one.get_json()["people"]["total"] == 3
    assert _report(client, network_admin,
                   PERIOD + f"&platform={outsider.slug}").status_code == 403
    refused = _report(client, member_admin, PERIOD + "&network=sud")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "not_network_admin"
    assert _report(client, member_admin, PERIOD + f"&platform={head.slug}").status_code == 403


def test_report_page_with_tables_chart_and_export(app, client):
    year = create_year()
    admin = create_user("admin", year.platform)
    login(client, admin)
    page = client.get(f"/reports/activity?{PERIOD}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="report-gender"' in html and "<svg" in html and "<table>" in html
    assert 'role="img"' in html and "<desc" in html
    download = client.get(f"/reports/activity/export.csv?{PERIOD}")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "export", AuditEvent.actor_id == admin.id)) == 1
    default = client.get("/reports/activity")  # the current year by default
    assert default.status_code == 200


def test_report_page_bad_period(app, client):
    admin = create_user("advisor")
    login(client, admin)
    page = client.get("/reports/activity?start=2025-12-31&end=2025-01-01")
    assert page.status_code == 400
    assert "La fin de la période doit être le même jour que son début ou après." in \
        page.get_data(as_text=True)
    assert client.get("/reports/activity/export.pdf?start=2025-12-31&end=2025-01-01"
                      ).status_code == 400
    assert client.get(f"/reports/activity/export.doc?{PERIOD}").status_code == 404
