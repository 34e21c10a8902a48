"""The platform's calendar: French dates, whatever the server's time zone."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

#: due dates, checkpoints and rental days are French calendar dates
PARIS = ZoneInfo("Europe/Paris")


def local_today(now: datetime | None = None) -> date:
    """The date in France at `now` (an aware datetime; the current time when omitted)."""
    return (now or datetime.now(PARIS)).astimezone(PARIS).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
