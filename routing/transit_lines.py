"""Public-transport lines without a published feed: read them from OpenStreetMap, write a GTFS.

- `extract_osm_lines(pbf)`: the bus, train and tram route relations of an extract with their
  ordered stops (the relation's `stop` members, else its `platform` nodes), as plain dicts.
- `write_gtfs(lines, path)`: a GTFS zip from lines (ordered stops) and per-line timetables
  entered by hand (first and last departure, headway, days): one template trip per direction
  and a `frequencies.txt` row repeating it (`exact_times=1`). Travel times between stops come
  from the straight-line distance at the line's commercial speed.

A feed written here is illustrative: its timetables are what someone typed, not an operator's
published ones. Pure functions; no project imports.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import time
from pathlib import Path
from typing import Any

from .exceptions import RoutingError
from .network import haversine_m

ROUTE_TYPES = {"tram": 0, "light_rail": 0, "subway": 1, "train": 2, "bus": 3,
               "trolleybus": 11, "coach": 3}
#: commercial speed (stops and traffic included), km/h, per kind of line
SPEED_KMH = {"bus": 14.0, "trolleybus": 14.0, "coach": 30.0, "tram": 18.0,
             "light_rail": 25.0, "subway": 30.0, "train": 55.0}
DWELL_S = 20  # time spent at each intermediate stop
DAY_S = 86_400


def extract_osm_lines(pbf_path: str | Path) -> list[dict[str, Any]]:
    """Route relations (bus, train, tram...) with at least two named, located stops (members
    with a `stop` role, else `platform`, else the relation's plain nodes, as older tagging has).

    Each line: `{"osm_id", "kind", "ref", "name", "network", "operator", "stops":
    [{"name", "lat", "lon", "osm_node"}]}` in the relation's order.
    """
    import osmium  # lazy: the PBF reader is only needed by the extract (routing build)

    relations: list[dict[str, Any]] = []
    wanted_nodes: set[int] = set()

    class Relations(osmium.SimpleHandler):
        def relation(self, r):  # noqa: D102 - pyosmium callback
            tags = dict(r.tags)
            if tags.get("type") != "route" or tags.get("route") not in ROUTE_TYPES:
                return
            members = [(m.ref, m.role) for m in r.members if m.type == "n"]
            stops = [ref for ref, role in members if role.startswith("stop")]
            if len(stops) < 2:
                stops = [ref for ref, role in members if role.startswith("platform")]
            if len(stops) < 2:  # older tagging: the stops are the relation's plain nodes
                stops = [ref for ref, role in members if role == ""]
            if len(stops) < 2:
                return
            wanted_nodes.update(stops)
            relations.append({"osm_id": r.id, "kind": tags["route"],
                              "ref": tags.get("ref") or "", "name": tags.get("name") or "",
                              "network": tags.get("network") or "",
                              "operator": tags.get("operator") or "", "nodes": stops})

    Relations().apply_file(str(pbf_path))
    nodes: dict[int, tuple[float, float, str]] = {}

    class Nodes(osmium.SimpleHandler):
        def node(self, n):  # noqa: D102 - pyosmium callback
            if n.id in wanted_nodes and n.location.valid():
                nodes[n.id] = (n.location.lat, n.location.lon, n.tags.get("name") or "")

    Nodes().apply_file(str(pbf_path))
    out = []
    for rel in relations:
        stops = []
        for ref in rel.pop("nodes"):
            if ref in nodes and nodes[ref][2]:
                lat, lon, name = nodes[ref]
                if not stops or stops[-1]["name"] != name:
                    stops.append({"name": name, "lat": round(lat, 6), "lon": round(lon, 6),
                                  "osm_node": ref})
        if len(stops) >= 2:
            out.append({**rel, "stops": stops})
    out.sort(key=lambda line: (line["kind"] != "bus", _ref_key(line["ref"]), line["osm_id"]))
    return out


def _ref_key(ref: str) -> tuple:
    return (0, int(ref), "") if ref.isdigit() else (1, 0, ref)


def save_lines(lines: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Write extracted lines as JSON (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(list(lines), handle, ensure_ascii=False)
    os.replace(tmp, path)
    return path


def load_lines(path: str | Path) -> list[dict[str, Any]]:
    """Lines saved by `save_lines` ([] when the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def _seconds(value: time | str) -> int:
    if isinstance(value, str):
        h, m = (int(x) for x in value.split(":")[:2])
        return h * 3600 + m * 60
    return value.hour * 3600 + value.minute * 60 + value.second


def _gtfs_time(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def stop_offsets_s(stops: Sequence[Mapping[str, Any]], *, kind: str = "bus") -> list[int]:
    """Seconds from the first stop to each stop, at the kind's commercial speed."""
    speed = SPEED_KMH.get(kind, SPEED_KMH["bus"]) / 3.6
    out, total = [0], 0.0
    for a, b in zip(stops, stops[1:], strict=False):
        total += float(haversine_m(a["lat"], a["lon"], b["lat"], b["lon"])) / speed
        out.append(int(round(total)))
        total += DWELL_S
    return out


def departures(first: time | str, last: time | str, headway_min: int) -> list[int]:
    """Departure times (seconds after the service day's midnight) from `first` to `last`
    every `headway_min` minutes; a `last` earlier than `first` runs past midnight."""
    start, end = _seconds(first), _seconds(last)
    if end < start:
        end += DAY_S
    if headway_min <= 0:
        raise RoutingError("the headway must be positive")
    return list(range(start, end + 1, int(headway_min) * 60))


def _csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _has_timetable(line: Mapping[str, Any]) -> bool:
    """A line with a first and last departure, a headway, days and at least two stops."""
    return bool(line.get("first") and line.get("last") and line.get("headway_min")
                and line.get("days") and len(line.get("stops") or []) >= 2)


class _GtfsRows:
    """The rows of a GTFS feed's files, line after line (stops shared by name and place)."""

    def __init__(self):
        self.stop_ids: dict[tuple, str] = {}
        self.stops: list[tuple] = []
        self.routes: list[tuple] = []
        self.trips: list[tuple] = []
        self.times: list[tuple] = []
        self.frequencies: list[tuple] = []
        self.calendar: list[tuple] = []

    def add_line(self, line: Mapping[str, Any], start_date: str, end_date: str) -> None:
        route_id = f"L{line['id']}"
        self.routes.append((route_id, "A1", line.get("ref") or line.get("name") or route_id,
                            line.get("name") or "", ROUTE_TYPES.get(line.get("kind"), 3)))
        service_id = f"S{line['id']}"
        days = set(line["days"])
        self.calendar.append((service_id, *(1 if d in days else 0 for d in range(7)),
                              start_date, end_date))
        start, end = _seconds(line["first"]), _seconds(line["last"])
        if end < start:
            end += DAY_S
        directions = [list(line["stops"])]
        if line.get("both_ways", True):
            directions.append(list(reversed(line["stops"])))
        for direction, seq in enumerate(directions):
            trip_id = f"{route_id}-{direction}"
            self.trips.append((route_id, service_id, trip_id, seq[-1]["name"], direction))
            offsets = stop_offsets_s(seq, kind=line.get("kind") or "bus")
            for n, (stop, offset) in enumerate(zip(seq, offsets, strict=True)):
                self.times.append((trip_id, _gtfs_time(start + offset),
                                   _gtfs_time(start + offset), self._stop_id(stop), n + 1))
            self.frequencies.append((trip_id, _gtfs_time(start), _gtfs_time(end + 1),
                                     int(line["headway_min"]) * 60, 1))

    def _stop_id(self, stop: Mapping[str, Any]) -> str:
        key = (stop["name"], round(float(stop["lat"]), 6), round(float(stop["lon"]), 6))
        if key not in self.stop_ids:
            self.stop_ids[key] = f"P{len(self.stop_ids) + 1}"
            self.stops.append((self.stop_ids[key], key[0], key[1], key[2]))
        return self.stop_ids[key]


def write_gtfs(lines: Sequence[Mapping[str, Any]], path: str | Path, *,
               agency_name: str = "Illustrative timetables", timezone: str = "Europe/Paris",
               start_date: str = "20200101", end_date: str = "20991231") -> Path:
    """Write a GTFS zip from lines with timetables; lines without one are left out.

    Each line: `{"id", "ref", "name", "kind", "stops": [{"name", "lat", "lon"}], "first":
    "HH:MM", "last": "HH:MM", "headway_min": int, "days": [0..6] (Monday = 0), "both_ways":
    bool}`. A line runs from its first to its last stop (and back when `both_ways`), leaving
    the terminus every `headway_min` minutes from `first` to `last`. Written atomically.
    """
    rows = _GtfsRows()
    for line in lines:
        if _has_timetable(line):
            rows.add_line(line, start_date, end_date)
    stop_rows, route_rows, trip_rows, time_rows, freq_rows, cal_rows = (
        rows.stops, rows.routes, rows.trips, rows.times, rows.frequencies, rows.calendar)
    if not route_rows:
        raise RoutingError("no line has a timetable: nothing to write")
    files = {
        "agency.txt": _csv([("A1", agency_name, "https://transport.data.gouv.fr", timezone)],
                           ("agency_id", "agency_name", "agency_url", "agency_timezone")),
        "stops.txt": _csv(stop_rows, ("stop_id", "stop_name", "stop_lat", "stop_lon")),
        "routes.txt": _csv(route_rows, ("route_id", "agency_id", "route_short_name",
                                        "route_long_name", "route_type")),
        "trips.txt": _csv(trip_rows, ("route_id", "service_id", "trip_id", "trip_headsign",
                                      "direction_id")),
        "stop_times.txt": _csv(time_rows, ("trip_id", "arrival_time", "departure_time",
                                           "stop_id", "stop_sequence")),
        "calendar.txt": _csv(cal_rows, ("service_id", "monday", "tuesday", "wednesday",
                                        "thursday", "friday", "saturday", "sunday",
                                        "start_date", "end_date")),
        "frequencies.txt": _csv(freq_rows, ("trip_id", "start_time", "end_time",
                                            "headway_secs", "exact_times")),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".zip.tmp")
    with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    os.replace(tmp, path)
    return path
