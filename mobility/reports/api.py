"""API: the activity report of a platform or a network, as JSON, CSV, XLSX or PDF."""

from __future__ import annotations

from typing import Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from mobility.api import api_route
from mobility.reports import exports, services

TAGS = ["reports"]
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str | None = Field(None, description="first day of the period (YYYY-MM-DD)")
    end: str | None = Field(None, description="last day of the period, included (YYYY-MM-DD)")
    format: Literal["json", "csv", "xlsx", "pdf"] = Field("json", description="json|csv|xlsx|pdf")
    platform: str | None = Field(None, description="platform slug (network admins only)")
    network: str | None = Field(None, description="network slug (network admins only)")
    budget: str | None = Field(None, description="budget of the period in euros")


def download(report: dict, fmt: str) -> Response:
    """The report as a file to download."""
    body = {"csv": exports.to_csv, "xlsx": exports.to_xlsx, "pdf": exports.to_pdf}[fmt](report)
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(report, fmt)}"')
    return response


@api_route("/reports/activity", roles=services.REPORT_ROLES, query=ReportQuery,
           summary="Activity report of the platform (or network) for a period: referrals, "
                   "people met by gender and age, actions, fleet occupancy, mobility potential, "
                   "exits, amounts", tags=TAGS)
def activity_report(user, query: ReportQuery):
    period = services.parse_period(query.start, query.end)
    budget = services.parse_budget(query.budget)
    scope = services.resolve_scope(user, platform=query.platform, network=query.network)
    report = services.build_report(scope, period, budget_cents=budget)
    services.record_export(user, scope, period, query.format)
    if query.format == "json":
        return report
    return download(report, query.format)
