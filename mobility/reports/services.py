"""Activity reports: who may see which scope, the period, the figures and their exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import Forbidden, NotFound, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import lazy_gettext as _l
from mobility.platforms.models import Platform
from mobility.reports import amounts, queries
from mobility.reports.models import ReportNetwork, ReportNetworkMember

#: roles that may read a platform's activity report (advisors read only; both may export it)
REPORT_ROLES = frozenset({ADMIN, ADVISOR})
FORMATS = ("json", "csv", "xlsx", "pdf")
#: the longest period of one report, in days (three years)
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Scope:
    """What a report covers: one platform, or a network of platforms."""

    kind: str  # "platform" or "network"
    key: str  # platform slug or network slug
    name: str
    platform_ids: tuple[int, ...]


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_period(start, end) -> Period:
    """Validate a period (dates or ISO strings); both ends are included."""
    details = {}
    values = {}
    for name, raw in (("start", start), ("end", end)):
        if isinstance(raw, date):
            values[name] = raw
            continue
        if raw in (None, ""):
            details[name] = _l("This field is required.")
            continue
        try:
            values[name] = date.fromisoformat(str(raw))
        except ValueError:
            details[name] = _l("Must be a date (YYYY-MM-DD).")
    if details:
        raise ValidationFailed(details=details)
    period = Period(values["start"], values["end"])
    if period.end < period.start:
        raise ValidationFailed(
            _l("The end of the period is before its start."),
            code="period_reversed",
            details={"end": _l("The end of the period must be on or after its start.")})
    if period.days > MAX_PERIOD_DAYS:
        raise ValidationFailed(details={"end": _l("A report covers at most three years.")})
    return period


def parse_budget(raw) -> int | None:
    """The budget of the period in euros (text or number) as cents, or None when empty."""
    if raw in (None, ""):
        return None
    try:
        value = round(float(str(raw).replace(",", ".").replace(" ", "")) * 100)
    except ValueError:
        raise ValidationFailed(details={"budget": _l("Must be a number.")}) from None
    if value < 0:
        raise ValidationFailed(details={"budget": _l("The budget cannot be negative.")})
    return int(value)


def network_of(platform_id: int) -> ReportNetwork | None:
    return db.session.scalar(
        select(ReportNetwork).join(ReportNetworkMember)
        .where(ReportNetworkMember.platform_id == platform_id))


def networks_administered(user) -> list[ReportNetwork]:
    """The networks whose reports `user` may read (as an admin of their head platform)."""
    if user.role != ADMIN:
        return []
    return list(db.session.scalars(
        select(ReportNetwork).where(ReportNetwork.head_platform_id == user.platform_id)
        .order_by(ReportNetwork.name)))


def _foreign_platform() -> Forbidden:
    return Forbidden(_l("You may only see the reports of your own platform."),
                     code="other_platform")


def resolve_scope(user, *, platform: str | int | None = None,
                  network: str | None = None) -> Scope:
    """The scope `user` asked for, or a 403/404: own platform by default."""
    if user.role not in REPORT_ROLES:
        raise Forbidden()
    if network:
        item = db.session.scalar(select(ReportNetwork).where(ReportNetwork.slug == network))
        if item is None:
            raise NotFound(_l("This network does not exist."), code="unknown_network")
        if not item.is_admin(user):
            raise Forbidden(_l("Only the admins of the network's head platform may see its "
                               "report."), code="not_network_admin")
        return Scope("network", item.slug, item.name, tuple(item.platform_ids))
    own = db.session.get(Platform, user.platform_id)
    if platform in (None, "") or str(platform) in (str(own.id), own.slug):
        return Scope("platform", own.slug, own.name, (own.id,))
    target = db.session.scalar(select(Platform).where(
        (Platform.slug == str(platform)) | (Platform.id == _int_or_zero(platform))))
    if target is None or user.role != ADMIN:
        raise _foreign_platform()
    if any(target.id in n.platform_ids for n in networks_administered(user)):
        return Scope("platform", target.slug, target.name, (target.id,))
    raise _foreign_platform()


def _int_or_zero(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def build_report(scope: Scope, period: Period, *, budget_cents: int | None = None) -> dict:
    """Every figure of the activity report, as JSON-able data (codes, not labels)."""
    ids = list(scope.platform_ids)
    start, end = period.start, period.end
    # the amounts due, the longest read by far, on the other cores while this one reads the rest
    due = amounts.invoiced_and_outstanding_alongside(ids, start, end)
    people = queries.people_met(ids, start, end)
    report = {
        "scope": {"kind": scope.kind, "key": scope.key, "name": scope.name,
                  "platforms": len(ids)},
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": period.days},
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "referrals": queries.referrals_by_organisation(ids, start, end),
        "people": people,
        "actions": queries.actions(ids, start, end),
        "fleet": queries.fleet_occupancy(ids, start, end),
        "mobility_potential": queries.mobility_potential(ids, start, end),
        "exits": queries.exits(ids, start, end),
        "ladder": queries.ladder_outcomes(ids, start, end),
    }
    paid = amounts.paid_by_method(ids, start, end)
    report["money"] = amounts.money_of(due(), paid)
    report["money"]["budget_cents"] = budget_cents
    report["money"]["cost_per_beneficiary_cents"] = (
        round(budget_cents / people["total"]) if budget_cents is not None and people["total"]
        else None)
    return report


def record_export(user, scope: Scope, period: Period, fmt: str) -> None:
    """Log the export of a report (no personal data in it, but every export is logged)."""
    record_audit(user, "export", object_type="ActivityReport",
                 object_id=f"{scope.kind}:{scope.key}:{period.start}:{period.end}",
                 fields=[fmt])
    db.session.commit()


def default_period(today: date | None = None) -> Period:
    """The current calendar year, up to today (the platform's day, in Paris)."""
    today = today or local_today()
    return Period(date(today.year, 1, 1), today)
