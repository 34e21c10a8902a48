"""What a commute check is asked: the modes, the days and the shift, and how they are read.

`parse_time`, `parse_days`, `parse_modes` and `check_shift` turn what a form or the API sends
into values, or raise `ValidationFailed` on the field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any

import routing
from mobility.core.dates import local_today
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l

ATTRIBUTION = routing.ATTRIBUTION
TRANSIT = routing.TRANSIT
ROAD_MODES: tuple[str, ...] = routing.MODES
ALL_MODES: tuple[str, ...] = (*ROAD_MODES, TRANSIT)
MAX_DAYS = 14

WEEKDAYS = {
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))},
}
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_time(value: Any, field_name: str) -> time | None:
    """ "HH:MM" (or a `time`) → time; empty → None; anything else → ValidationFailed."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    match = _TIME_RE.match(str(value).strip())
    if not match:
        raise ValidationFailed(details={field_name: _l("Must be a time (HH:MM).")})
    return time(int(match.group(1)), int(match.group(2)))


def next_working_days(start: date | None = None, count: int = 5) -> list[date]:
    """The next `count` Monday-to-Friday dates from `start` (today) on, `start` included."""
    day = start or local_today()
    out = []
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def parse_days(values: Iterable[Any] | None, *, start: date | None = None) -> list[date]:
    """ISO dates and/or weekday names → sorted distinct dates (the dates the shifts start).

    A weekday name (English or French, "monday"/"mon"/"lundi") is its next occurrence from
    today (Europe/Paris) on, today included.
    """
    start = start or local_today()
    out: set[date] = set()
    for value in values or ():
        if isinstance(value, date):
            out.add(value)
            continue
        text = str(value).strip().lower()
        if text in WEEKDAYS:
            out.add(start + timedelta(days=(WEEKDAYS[text] - start.weekday()) % 7))
            continue
        try:
            out.add(date.fromisoformat(text))
        except ValueError:
            raise ValidationFailed(details={"days": _l(
                "Give days as dates (YYYY-MM-DD) or weekday names (monday … sunday).")}) from None
    if len(out) > MAX_DAYS:
        raise ValidationFailed(details={"days": _l("At most %(n)d days per check.", n=MAX_DAYS)})
    return sorted(out)


def parse_modes(values: Iterable[str] | None) -> list[str]:
    """Requested modes (road modes and `public_transport`); None or empty → all of them."""
    if not values:
        return list(ALL_MODES)
    out = []
    for value in values:
        if value not in ALL_MODES:
            raise ValidationFailed(
                _l("Unknown travel mode: %(mode)s.", mode=str(value)[:40]),
                code="unknown_mode",
                details={"modes": _l("Choose among: %(modes)s.", modes=", ".join(ALL_MODES))})
        if value not in out:
            out.append(value)
    return out


def check_shift(arrive_by: time | None, leave_at: time | None,
                limits: routing.CommuteLimits) -> routing.Shift | None:
    """Validate the shift (see docs/commute.md): both times or none, different, not too long."""
    if arrive_by is None and leave_at is None:
        return None
    missing = "leave_at" if arrive_by is not None else "arrive_by"
    if arrive_by is None or leave_at is None:
        raise ValidationFailed(
            _l("Give both the shift start and the shift end, or neither."), code="invalid_shift",
            details={missing: _l("Give both the shift start and the shift end, or neither.")})
    if arrive_by == leave_at:
        raise ValidationFailed(
            _l("The shift cannot start and end at the same time."), code="invalid_shift",
            details={"leave_at": _l("The shift cannot start and end at the same time.")})
    shift = routing.Shift(arrive_by, leave_at)
    if shift.duration_s > limits.max_shift_duration_h * 3600:
        message = _l("The shift would last %(hours)s hours, more than %(max)s: the end is before "
                     "the start. An end earlier than the start means a night shift ending the "
                     "next day.", hours=f"{shift.duration_s / 3600:.0f}",
                     max=f"{limits.max_shift_duration_h:g}")
        raise ValidationFailed(message, code="invalid_shift", details={"leave_at": message})
    return shift
