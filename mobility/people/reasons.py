"""The reasons of a commute check and of the ladder as messages, in the reader's language and in
French and English (`present_reason`). A reason is stored as `{"code", "params"}`. They live with
the ladder, below the commute feature, which presents its checks with them."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask_babel import force_locale, get_locale

import routing
from mobility.core.translations import lazy_gettext as _l
from mobility.core.translations import ngettext
from mobility.i18n import local_date

MODE_LABELS = {
    "walk": _l("On foot"),
    "bike": _l("Bike"),
    "e_bike": _l("E-bike"),
    "two_wheel_motor": _l("Scooter or moped"),
    "car": _l("Car"),
    routing.TRANSIT: _l("Public transport"),
    "carpool": _l("Carpool"),
    "minibus": _l("Minibus"),
}
WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                  _l("Saturday"), _l("Sunday"))

#: the commute check's reasons
REASON_MESSAGES = {
    "within_limit": _l("%(duration_min)s min, within the %(limit_min)s min limit"),
    "too_long": _l("Too long: %(duration_min)s min, more than %(limit_min)s min"),
    "no_route": _l("No route found for this mode."),
    "off_network": _l("Home or workplace is too far from the network for this mode."),
    "not_configured": _l("No network is set up for this mode."),
    "not_requested": _l("Not checked (mode not requested)."),
    "no_outbound": _l("%(day)s: no direct trip reaching work between %(wait_min)s min before "
                      "%(time)s and %(time)s."),
    "no_return": _l("%(day)s: no direct trip home leaving within %(wait_min)s min after "
                    "%(time)s."),
    "transit_too_long": _l("%(day)s: %(duration_min)s min by public transport, more than "
                           "%(limit_min)s min."),
    "no_feed": _l("No public transport timetable is set up for this platform."),
    "no_shift": _l("Public transport needs the shift times to be checked."),
    "feed_error": _l("The public transport timetable could not be read."),
    "no_walk_network": _l("Public transport could not be checked: no walking network to reach "
                          "the stops."),
}


#: reasons whose message counts something, rendered with ngettext from their parameters
PLURAL_REASON_MESSAGES: dict[str, Callable[..., str]] = {
    "transit_ok": lambda days, **values: ngettext(
        "Direct trips there and back on the day checked, at most %(duration_min)s min door to "
        "door.",
        "Direct trips there and back on all %(num)d days, at most %(duration_min)s min door to "
        "door.", int(days), **values),
}


def day_label(text: str) -> str:
    """ "2025-03-03" → "Lundi 03/03/2025" in the current language."""
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    return f"{WEEKDAY_LABELS[day.weekday()]} {local_date(day)}"


def _format_params(params: Mapping[str, Any]) -> dict:
    out = dict(params)
    if isinstance(out.get("day"), str):
        out["day"] = day_label(out["day"])
    out.pop("mode", None)
    return out


def reason_message(reason: Mapping[str, Any]) -> str:
    """The reason's message in the current language (prefixed by the mode in the ladder)."""
    template = REASON_MESSAGES.get(reason["code"]) or LADDER_REASON_MESSAGES.get(reason["code"])
    params = reason.get("params") or {}
    if reason["code"] in PLURAL_REASON_MESSAGES:
        text = PLURAL_REASON_MESSAGES[reason["code"]](**_format_params(params))
    elif template is None:
        return reason["code"]
    else:
        text = str(template) % _format_params(params) if "%(" in str(template) \
            else str(template)
    mode = params.get("mode")
    if mode:
        return f"{MODE_LABELS.get(mode, mode)} : {text}" if _is_fr() else \
            f"{MODE_LABELS.get(mode, mode)}: {text}"
    return text


def _is_fr() -> bool:
    return str(get_locale() or "fr").startswith("fr")


def present_reason(reason: Mapping[str, Any], *, both_languages: bool = True) -> dict:
    """A reason with its message in the reader's language and, for the API
    (`both_languages`), in French and English (`messages`); a page shows the reader's only,
    and each language forced costs as much as the message itself."""
    out = {"code": reason["code"], "message": reason_message(reason),
           **({"mode": reason["params"]["mode"]} if reason.get("params", {}).get("mode")
              else {})}
    if both_languages:
        messages = {}
        for locale in ("fr", "en"):
            with force_locale(locale):
                messages[locale] = reason_message(reason)
        out["messages"] = messages
    return out


def round_min(seconds: float) -> int:
    """A duration in whole minutes, rounded up."""
    return int(math.ceil(seconds / 60 - 1e-9))


#: the ladder's own reasons (the commute check's reasons keep their codes and messages)
LADDER_REASON_MESSAGES = {
    "cannot_travel_alone": _l("Does not travel alone yet."),
    "urban_aptitudes_too_low": _l("Urban aptitudes too low for now, even with coaching."),
    "walking_difficult": _l("Walking to and from the stops is not possible."),
    "cannot_walk": _l("Cannot walk that far."),
    "cannot_ride_bike": _l("Does not ride a bike."),
    "psychomotor_too_low": _l("Balance or perception not sufficient for a bike."),
    "no_moped_capacity": _l("No experience of scooters or mopeds and no licence B."),
    "no_licence_b": _l("No valid driving licence B."),
    "coaching_transit": _l("Coaching first: reading the network plan, timetables, tickets and "
                           "fare rights."),
    "coaching_bike": _l("Coaching first: riding in traffic."),
    "coaching_moped": _l("Coaching first: riding a scooter or moped safely."),
    "coaching_car": _l("Coaching first: a driving refresher."),
    "commute_not_checked": _l("The commute has not been checked for this mode yet."),
    "transit_line": _l("Line %(line)s: leave %(leave)s from %(board)s, at work %(arrive)s; "
                       "back by line %(back_line)s at %(back_board)s from %(back_stop)s."),
    "carpool_not_checked": _l("Carpool rides could not be compared with this commute (home or "
                              "work not located)."),
    "no_carpool": _l("No carpool ride of the platform passes close enough to this commute."),
    "carpool_rides": _l("Carpool rides of the platform fit this commute; the closest costs "
                        "its driver %(detour_min)s min of detour."),
    "no_minibus": _l("The platform runs no minibus in the coming weeks."),
    "minibus_runs": _l("The platform runs a minibus: ask for a seat on a run."),
    "minibus_not_checked": _l("Minibus runs not checked."),
}
