"""Helpers of the commute tests: a commuter and their checks (on `tests.factories`), real places
of the extract, ladder and transit results as a check stores them."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from mobility.commute import services, transit_lines
from mobility.commute.models import TransitLine
from tests.factories import create_amie_beneficiary, create_user
from tests.routing.routing_data import (  # noqa: F401  (re-exported for the tests)
    AT_SEA,
    BEAUSOLEIL_HOME,
    CAP_DAIL_HOME,
    FONTVIEILLE_WORK,
    MONACO_WORK,
    PARIS,
    WEEK,
)

BEAUSOLEIL_ADDRESS = "12 boulevard de la République, 06240 Beausoleil"
CASINO_ADDRESS = "Place du Casino, 98000 Monaco"
CAP_DAIL_ADDRESS = "5 avenue du 3 Septembre, 06320 Cap-d'Ail"


def point(p: tuple[float, float]) -> dict:
    """A (lat, lon) tuple as the API's {"lat", "lon"}."""
    return {"lat": p[0], "lon": p[1]}


def create_commuter(platform, **overrides):
    """A beneficiary living in Beausoleil (by the T1 stop) and working at Monaco's station."""
    values = dict(address="Avenue de Varavilla, 06240 Beausoleil",
                  address_lat=BEAUSOLEIL_HOME[0], address_lon=BEAUSOLEIL_HOME[1],
                  workplace_address="Gare de Monaco, 98000 Monaco",
                  workplace_lat=MONACO_WORK[0], workplace_lon=MONACO_WORK[1])
    values.update(overrides)
    return create_amie_beneficiary(platform, **values)


def create_commute_check(platform, actor=None, beneficiary=None, **overrides):
    """A stored check of a commuter's file."""
    beneficiary = beneficiary or create_commuter(platform)
    return services.run_check_for_beneficiary(actor, beneficiary, **overrides)


# -- the ladder and public-transport lines ------------------------------------------------------

MONDAY, SUNDAY = date(2025, 3, 3), date(2025, 3, 9)
#: a stop by the commuter's home in Beausoleil and one by the station where they work
STOPS = [{"name": "Varavilla", "lat": 43.75390, "lon": 7.44060},
         {"name": "Gare", "lat": 43.73700, "lon": 7.42150}]
#: a page's ladder items: level and status
LEVEL_RE = re.compile(r'data-level="([a-z_]+)" data-status="([a-z_]+)"')


def ok(minutes: int = 20) -> dict:
    """A road mode within its limit, as a check stores it."""
    return {"feasible": True, "duration_s": minutes * 60,
            "reasons": [{"code": "within_limit", "params": {"duration_min": minutes,
                                                            "limit_min": 30}}]}


def too_long() -> dict:
    """A road mode over its limit."""
    return {"feasible": False, "duration_s": 3600,
            "reasons": [{"code": "too_long", "params": {"duration_min": 60, "limit_min": 30}}]}


def leg(route: str, board_at: str, arrive_at: str) -> dict:
    """A direct public-transport trip, as a check stores it."""
    return {"route": route, "board_stop": "Saint-Charles", "alight_stop": "Place du Casino",
            "leave_at": board_at, "board_at": board_at, "alight_at": arrive_at,
            "arrive_at": arrive_at}


def transit_ok() -> dict:
    """Public transport checked: trips there and back by line 1."""
    return {"checked": True, "feasible": True, "reasons": [{"code": "transit_ok", "params": {}}],
            "days": [{"date": "2025-03-03", "feasible": True,
                      "outbound": leg("1", "05:31", "05:44"),
                      "inbound": leg("1", "14:07", "14:20")}]}


def transit_no_return() -> dict:
    """Public transport checked: a night shift with no trip home at 05:00."""
    return {"checked": True, "feasible": False,
            "reasons": [{"code": "no_return", "params": {"day": "2025-03-04", "wait_min": 45,
                                                          "time": "05:00"}}],
            "days": [{"date": "2025-03-03", "feasible": False,
                      "outbound": leg("1", "20:31", "20:44"), "inbound": None}]}


def level_of(ladder: dict, name: str) -> dict:
    """One level of a ladder."""
    return next(lv for lv in ladder["levels"] if lv["level"] == name)


def level_codes(ladder: dict, name: str) -> list[str]:
    """The reason codes of one level."""
    return [r["code"] for r in level_of(ladder, name)["reasons"]]


ALL_OK = {m: ok() for m in ("walk", "bike", "e_bike", "two_wheel_motor", "car")}


def make_line(platform, **timetable) -> TransitLine:
    """A bus line N1 from the commuter's home to their work, saved by an admin."""
    values = {"first": "05:00", "last": "22:00", "headway_min": 15, "days": [0, 1, 2, 3, 4]}
    values.update(timetable)
    stops_text = "\n".join(f"{s['name']}; {s['lat']}; {s['lon']}" for s in STOPS)
    return transit_lines.save_line(
        create_user("admin", platform), platform.id, None, ref="N1", name="Navette",
        kind="bus", stops_text=stops_text, **values)


def transit_of(person, *, arrive_by: str, leave_at: str, day: date = MONDAY) -> dict:
    """The public-transport result of the person's commute on one day (nothing stored)."""
    return services.compute_for_beneficiary(person, arrive_by=arrive_by, leave_at=leave_at,
                                            days=[day.isoformat()], modes=["public_transport"]
                                            )["transit"]


def reason_codes(transit: dict) -> set[str]:
    """The codes of a transit result's reasons."""
    return {r["code"] for r in transit["reasons"]}


def zipped(folder) -> bytes:
    """A folder's files as a zip (an uploaded GTFS)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, path.name)
    return buffer.getvalue()


def shown_statuses(html: str) -> dict[str, str]:
    """{level: status} of the ladder a page shows."""
    block = html.split('data-testid="ladder-levels"', 1)[1].split("</ol>", 1)[0]
    return dict(LEVEL_RE.findall(block))
