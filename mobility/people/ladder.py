"""The one solution ladder: which way to work fits this person, level by level.

One vocabulary for the whole app (the file, the commute page, the assessment, the portal, the
summary sheet): the levels, in the schemes' order ("public transport first, then the most
environment-friendly solution that fits the person's capacities and the distance"), and four
statuses:

- **ruled out**: something the person cannot do (from the assessment or the file), or the
  commute check found the mode does not work at the shift times;
- **possible with coaching**: fits, with the platform's coaching first (network and
  timetables, riding in traffic, a driving refresher);
- **possible**: fits;
- **recommended**: the first level, in order, that fits *and* whose commute is confirmed (a
  route within the time limit, a timetable with trips there and back at the shift times, a
  carpool ride with an acceptable detour, a minibus run). A level whose commute is not checked
  yet stays possible: nothing is recommended on a guess.

Public transport is judged by the timetable check alone: a night shift is not a reason to rule
it out; no trip home after the shift is.

`build_ladder` is a pure function on plain data (answers, capacities, the stored check's modes
and transit, carpool matches); `ladder_for` gathers those for a beneficiary; `present_ladder`
adds labels and messages in French and English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mobility.core.translations import lazy_gettext as _l
from mobility.people.grid import sub_scores
from mobility.people.reasons import present_reason

#: levels in order, with the routing mode that checks each one's commute
LEVELS: tuple[str, ...] = ("public_transport", "walk", "bike", "e_bike", "moped_scooter",
                           "carpool", "minibus", "car")
LEVEL_MODES: dict[str, str] = {"public_transport": "public_transport", "walk": "walk",
                               "bike": "bike", "e_bike": "e_bike",
                               "moped_scooter": "two_wheel_motor", "car": "car"}
#: vehicle kinds (fleet) each rental level books
LEVEL_VEHICLE_KINDS: dict[str, tuple[str, ...]] = {
    "bike": ("bike",), "e_bike": ("e_bike",), "moped_scooter": ("scooter", "moped"),
    "car": ("car",)}
STATUSES: tuple[str, ...] = ("recommended", "possible", "possible_with_coaching", "ruled_out")

LEVEL_LABELS = {
    "public_transport": _l("Public transport"),
    "walk": _l("Walking"),
    "bike": _l("Bike"),
    "e_bike": _l("E-bike"),
    "moped_scooter": _l("Moped or scooter"),
    "carpool": _l("Carpool"),
    "minibus": _l("Minibus (micro-collective transport)"),
    "car": _l("Car"),
}
STATUS_LABELS = {
    "recommended": _l("Recommended"),
    "possible": _l("Possible"),
    "possible_with_coaching": _l("Possible with coaching"),
    "ruled_out": _l("Ruled out"),
}
#: stored ladders written before the one ladder (assessments, checks) read with today's words
LEGACY_LEVELS = {"scooter_moped": "moped_scooter", "two_wheel_motor": "moped_scooter",
                 "walk_bike": "walk"}
LEGACY_STATUSES = {"alternative": "possible", "available": "possible", "rejected": "ruled_out",
                   "passed": "ruled_out"}

#: level labels under today's and older codes (stored checks keep the code of their time)
ANY_LEVEL_LABELS = {**LEVEL_LABELS,
                    **{old: LEVEL_LABELS[new] for old, new in LEGACY_LEVELS.items()}}

# codes of the commute check that leave a mode "not checked" rather than ruled out
UNKNOWN_CODES = {"not_configured", "not_requested", "no_feed", "no_shift", "feed_error",
                 "no_walk_network"}

DEFAULT_THRESHOLDS = {"coaching_below": 60, "bike_min_psychomotor": 50, "transit_min_urban": 25}


def _reason(code: str, **params: Any) -> dict:
    return {"code": code, "params": params}


def capacities_from(answers: Mapping[str, Any] | None, *, has_licence_b: bool | None = None,
                    overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the person can do, from the assessment answers (else "able"), the file's licence
    and explicit overrides (API: `can_walk`, `can_ride_bike`, `has_licence_b`,
    `has_moped_capacity`)."""
    a = (answers or {}).get
    licence = bool(has_licence_b) or a("licence_b") == "held"
    if not answers and has_licence_b is None:
        licence = True
    caps = {"travels_alone": a("trips_alone") not in ("never", "with_help"),
            "can_walk": a("walking") != "unable",
            "can_ride_bike": a("rides_bike") in (None, "confident", "can_ride", "learning"),
            "has_licence_b": licence,
            "has_moped_capacity": a("two_wheeler") in (None, "yes", "some") or licence,
            "source": "assessment" if answers else "default"}
    for key in ("travels_alone", "can_walk", "can_ride_bike", "has_licence_b",
                "has_moped_capacity"):
        if overrides and key in overrides and overrides[key] is not None:
            caps[key] = bool(overrides[key])
            caps["source"] = "request"
    return caps


def _mode_state(result: Mapping[str, Any] | None) -> tuple[bool | None, list[dict]]:
    """(confirmed?, reasons) of a road mode: None when not checked."""
    if result is None:
        return None, [_reason("commute_not_checked")]
    reasons = [dict(r) for r in result.get("reasons") or []]
    if reasons and reasons[0]["code"] in UNKNOWN_CODES:
        return None, reasons
    return bool(result.get("feasible")), reasons


def _transit_state(transit: Mapping[str, Any] | None) -> tuple[bool | None, list[dict]]:
    """(confirmed?, reasons) of public transport, from the timetable check only."""
    if transit is None:
        return None, [_reason("commute_not_checked")]
    reasons = [dict(r) for r in transit.get("reasons") or []]
    if not transit.get("checked"):
        return None, reasons or [_reason("commute_not_checked")]
    if not transit.get("feasible"):
        return False, reasons
    day = next((d for d in transit.get("days") or [] if d.get("feasible")), None)
    if day is not None:
        out, back = day["outbound"], day["inbound"]
        reasons.append(_reason("transit_line", line=out["route"], leave=out["board_at"],
                               board=out["board_stop"], arrive=out["arrive_at"],
                               back_line=back["route"], back_board=back["board_at"],
                               back_stop=back["board_stop"]))
    return True, reasons


def build_ladder(*, answers: Mapping[str, Any] | None = None,
                 scores: Mapping[str, int] | None = None,
                 thresholds: Mapping[str, float] | None = None,
                 has_licence_b: bool | None = None,
                 capacities: Mapping[str, Any] | None = None,
                 modes: Mapping[str, Mapping[str, Any]] | None = None,
                 transit: Mapping[str, Any] | None = None,
                 carpool: Sequence[Mapping[str, Any]] | None = None,
                 minibus: bool | None = None) -> dict[str, Any]:
    """The ladder from what is known of the person and of the commute (see the module doc).

    `answers`: validated assessment answers (or None); `scores`: their sub-scores (computed
    when None); `capacities`: explicit overrides of what the answers say; `modes` and
    `transit`: a commute check's per-mode and public-transport results (codes and params, as
    stored); `carpool`: the platform's rides that fit, smallest detour first (dicts with
    `ride_id`, `detour_s`; [] = none fits, None = not compared); `minibus`: whether the
    platform runs a minibus (None = unknown).

    Returns `{"recommended": level | None, "levels": [{level, status, coaching, mode,
    confirmed, reasons: [{code, params}], vehicle_kinds?, rides?}]}`.
    """
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    if answers and scores is None:
        scores = sub_scores(answers)
    caps = capacities_from(answers, has_licence_b=has_licence_b, overrides=capacities)
    blocking, coaching = _person_limits(answers, scores or {}, limits, caps)
    levels = []
    recommended = None
    for level in LEVELS:
        confirmed, facts, rides = _level_state(level, modes or {}, transit, carpool, minibus)
        if blocking[level] or confirmed is False:
            status = "ruled_out"
            reasons = blocking[level] + (facts if confirmed is False else [])
        else:
            status = "possible_with_coaching" if coaching[level] else "possible"
            reasons = facts + coaching[level]
            if confirmed and recommended is None:
                status, recommended = "recommended", level
        levels.append(_level_item(level, status, bool(coaching[level]), confirmed, reasons,
                                  rides))
    return {"recommended": recommended, "levels": levels,
            "capacities": dict(caps)}


def _level_item(level: str, status: str, coached: bool, confirmed: bool | None,
                reasons: list[dict], rides: list[dict] | None) -> dict[str, Any]:
    """One level of the ladder as `build_ladder` returns it."""
    item: dict[str, Any] = {"level": level, "status": status,
                            "coaching": coached and status != "ruled_out",
                            "mode": LEVEL_MODES.get(level), "confirmed": confirmed,
                            "reasons": reasons}
    if level in LEVEL_VEHICLE_KINDS:
        item["vehicle_kinds"] = list(LEVEL_VEHICLE_KINDS[level])
    if rides is not None:
        item["rides"] = rides
    return item


def _person_limits(answers: Mapping[str, Any] | None, scores: Mapping[str, int],
                   limits: Mapping[str, float], caps: Mapping[str, Any]
                   ) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """({level: reasons it is ruled out}, {level: coaching it needs}) from what is known of
    the person: their capacities and, when assessed, their answers and sub-scores."""
    blocking: dict[str, list[dict]] = {level: [] for level in LEVELS}
    coaching: dict[str, list[dict]] = {level: [] for level in LEVELS}
    if not caps["travels_alone"]:
        for level in LEVELS:
            if level != "minibus":  # only the minibus picks people up
                blocking[level].append(_reason("cannot_travel_alone"))
    if answers:
        _assessment_limits(answers, scores, limits, caps, blocking, coaching)
    if not caps["can_walk"]:
        blocking["walk"].append(_reason("cannot_walk"))
        blocking["public_transport"].append(_reason("walking_difficult"))
    for level in ("bike", "e_bike"):
        if not caps["can_ride_bike"]:
            blocking[level].append(_reason("cannot_ride_bike"))
    if not caps["has_moped_capacity"]:
        blocking["moped_scooter"].append(_reason("no_moped_capacity"))
    if not caps["has_licence_b"]:
        blocking["car"].append(_reason("no_licence_b"))
    return blocking, coaching


def _assessment_limits(answers: Mapping[str, Any], scores: Mapping[str, int],
                       limits: Mapping[str, float], caps: Mapping[str, Any],
                       blocking: dict[str, list[dict]], coaching: dict[str, list[dict]]) -> None:
    """Add what the assessment's answers and sub-scores rule out or call coaching for."""
    a = answers.get
    if scores.get("urban", 0) < limits["transit_min_urban"]:
        blocking["public_transport"].append(_reason("urban_aptitudes_too_low"))
    elif (scores.get("urban", 0) < limits["coaching_below"]
          or scores.get("transit", 0) < limits["coaching_below"]):
        coaching["public_transport"].append(_reason("coaching_transit"))
    for level in ("bike", "e_bike"):
        if scores.get("psychomotor", 0) < limits["bike_min_psychomotor"]:
            blocking[level].append(_reason("psychomotor_too_low"))
        if a("rides_bike") in ("can_ride", "learning"):
            coaching[level].append(_reason("coaching_bike"))
    if a("two_wheeler") != "yes" and caps["has_moped_capacity"]:
        coaching["moped_scooter"].append(_reason("coaching_moped"))
    if caps["has_licence_b"] and a("driving_experience") == "none":
        coaching["car"].append(_reason("coaching_car"))


def _level_state(level: str, modes: Mapping[str, Mapping[str, Any]],
                 transit: Mapping[str, Any] | None,
                 carpool: Sequence[Mapping[str, Any]] | None, minibus: bool | None
                 ) -> tuple[bool | None, list[dict], list[dict] | None]:
    """(confirmed?, reasons, carpool rides) of a level's commute: None when not checked."""
    if level == "public_transport":
        return (*_transit_state(transit), None)
    if level in LEVEL_MODES:
        return (*_mode_state(modes.get(LEVEL_MODES[level])), None)
    if level == "carpool":
        return _carpool_state(carpool)
    # minibus
    return minibus, [_reason({None: "minibus_not_checked", True: "minibus_runs",
                              False: "no_minibus"}[minibus])], None


def _carpool_state(carpool: Sequence[Mapping[str, Any]] | None
                   ) -> tuple[bool | None, list[dict], list[dict] | None]:
    """(confirmed?, reasons, rides) of carpooling, from the platform's rides that fit."""
    if carpool is None:
        return None, [_reason("carpool_not_checked")], None
    if not carpool:
        return False, [_reason("no_carpool")], None
    rides = [dict(r) for r in carpool]
    return True, [_reason("carpool_rides", count=len(rides),
                          detour_min=int(round(float(rides[0].get("detour_s") or 0) / 60)))], \
        rides


# -- for a beneficiary -------------------------------------------------------------------------


# -- presentation ------------------------------------------------------------------------------


def normalise(ladder: Any) -> dict[str, Any]:
    """A stored ladder (today's dict, or an older list / older words) in today's form."""
    if isinstance(ladder, list):  # assessments stored a bare list of levels
        ladder = {"levels": ladder, "recommended": next(
            (lv["level"] for lv in ladder if lv.get("status") == "recommended"), None)}
    ladder = dict(ladder or {})
    levels = []
    for lv in ladder.get("levels") or []:
        reasons = [r if isinstance(r, Mapping) else _reason(str(r)) for r in lv.get("reasons", [])]
        levels.append({**lv, "level": LEGACY_LEVELS.get(lv["level"], lv["level"]),
                       "status": LEGACY_STATUSES.get(lv["status"], lv["status"]),
                       "reasons": reasons})
    recommended = ladder.get("recommended")
    return {**ladder, "levels": levels,
            "recommended": LEGACY_LEVELS.get(recommended, recommended)}


def present_ladder(ladder: Any, *, both_languages: bool = True) -> dict[str, Any]:
    """Labels, statuses and reasons in the reader's language (and, `both_languages`, each
    reason in French and English for the API)."""
    ladder = normalise(ladder)
    levels = [{**lv, "label": str(LEVEL_LABELS.get(lv["level"], lv["level"])),
               "status_label": str(STATUS_LABELS.get(lv["status"], lv["status"])),
               "reasons": [present_reason(r, both_languages=both_languages)
                           for r in lv["reasons"]]}
              for lv in ladder["levels"]]
    recommended = ladder.get("recommended")
    return {**ladder, "levels": levels,
            "recommended_label": str(LEVEL_LABELS[recommended]) if recommended else None,
            "recommended_mode": LEVEL_MODES.get(recommended) if recommended else None}


def statuses(ladder: Any) -> dict[str, str]:
    """{level: status} of a ladder (stored or presented)."""
    return {lv["level"]: lv["status"] for lv in normalise(ladder)["levels"]}


def feasibility_from_flags(flags: Mapping[str, bool]) -> dict[str, Any]:
    """The API's `{mode or level: bool}` as check results (`modes`, `transit`, `carpool`,
    `minibus`) for `build_ladder`; carpool true is left to the platform's rides."""
    aliases = {"moped_scooter": "two_wheel_motor", "scooter": "two_wheel_motor",
               "moped": "two_wheel_motor", "transit": "public_transport"}
    modes: dict[str, Any] = {}
    out: dict[str, Any] = {"modes": modes, "transit": None}
    for key, value in flags.items():
        key = aliases.get(key, key)
        if key == "public_transport":
            out["transit"] = {"checked": True, "feasible": bool(value), "reasons": [],
                              "days": []}
        elif key == "carpool":
            out["carpool"] = [] if not value else None
        elif key == "minibus":
            out["minibus"] = bool(value)
        else:
            modes[key] = {"feasible": bool(value), "reasons": []}
    return out
