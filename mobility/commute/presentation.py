"""A check as people read it: labels, and reasons as messages in French and English."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from mobility.commute.inputs import ATTRIBUTION, TRANSIT
from mobility.commute.models import CommuteCheck
from mobility.core.errors import DomainError
from mobility.i18n import in_both_languages
from mobility.people.ladder import present_ladder
from mobility.people.reasons import MODE_LABELS, day_label, present_reason, round_min


def _hhmm(value: Any) -> str | None:
    if value is None:
        return None
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)


def _present_mode(mode: str, r: Mapping[str, Any], geometry: bool, both_languages: bool
                  ) -> dict:
    """One road mode's result with its label, rounded figures and messages."""
    item = {"mode": mode, "label": str(MODE_LABELS.get(mode, mode)),
            "distance_m": r["distance_m"], "duration_s": r["duration_s"],
            "distance_km": None if r["distance_m"] is None
            else round(r["distance_m"] / 1000, 1),
            "duration_min": None if r["duration_s"] is None
            else round_min(r["duration_s"]),
            "feasible": r["feasible"],
            "reasons": [present_reason(x, both_languages=both_languages)
                        for x in r["reasons"]]}
    if geometry:
        item["geometry"] = r.get("geometry") or []
    return item


def _present_transit(transit: Mapping[str, Any] | None, both_languages: bool) -> dict | None:
    """The public-transport result with its label, day labels and messages."""
    if transit is None:
        return None
    return {**transit, "label": str(MODE_LABELS[TRANSIT]),
            "days": [{**d, "label": day_label(d["date"])} for d in transit["days"]],
            "reasons": [present_reason(x, both_languages=both_languages)
                        for x in transit["reasons"]],
            "duration_min": None if transit.get("duration_s") is None
            else round_min(transit["duration_s"])}


def present(data: Mapping[str, Any], *, check: CommuteCheck | None = None,
            geometry: bool = True, both_languages: bool = True) -> dict:
    """The API/page view of a check: labels and messages in the reader's language and, for
    the API (`both_languages`), each message in French and English too."""
    modes = {mode: _present_mode(mode, r, geometry, both_languages)
             for mode, r in data["modes"].items()}
    transit = _present_transit(data.get("transit"), both_languages)
    ladder = present_ladder(data["ladder"], both_languages=both_languages)
    arrive_by, leave_at = data.get("arrive_by"), data.get("leave_at")
    ends_next_day = None
    if arrive_by is not None and leave_at is not None:
        ends_next_day = _hhmm(leave_at) < _hhmm(arrive_by)
    return {
        "id": check.id if check is not None else None,
        "beneficiary_id": check.beneficiary_id if check is not None else None,
        "created_at": check.created_at.isoformat() if check is not None else None,
        "origin": data["origin"], "destination": data["destination"],
        "arrive_by": _hhmm(arrive_by), "leave_at": _hhmm(leave_at),
        "shift_ends_next_day": ends_next_day, "days": data["days"],
        "day_labels": [day_label(d) for d in data["days"]],
        "modes": modes, "transit": transit, "ladder": ladder,
        "capacities": data.get("capacities", {}), "engine": data.get("engine"),
        "attribution": ATTRIBUTION,
    }


def check_data(check: CommuteCheck) -> dict:
    """A stored check in the form `compute_check` returns."""
    return {
        "origin": {"text": check.origin_text, "label": check.origin_label,
                   "lat": check.origin_lat, "lon": check.origin_lon},
        "destination": {"text": check.destination_text, "label": check.destination_label,
                        "lat": check.destination_lat, "lon": check.destination_lon},
        "arrive_by": check.arrive_by, "leave_at": check.leave_at, "days": check.days or [],
        "modes": check.modes or {}, "transit": check.transit, "ladder": check.ladder or {},
        "capacities": check.capacities or {}, "engine": check.engine,
    }


def present_check(check: CommuteCheck, *, geometry: bool = True,
                  both_languages: bool = True) -> dict:
    """The API/page view of a stored check (`present`)."""
    return present(check_data(check), check=check, geometry=geometry,
                   both_languages=both_languages)


def error_messages(error: DomainError) -> dict[str, str]:
    """An error's message in French and English."""
    return in_both_languages(error.message)
