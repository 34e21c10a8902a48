"""A platform's public-transport lines and the timetable feed the commute check reads.

Three ways to give the commute check a timetable, per platform (the first that exists wins):

1. a real GTFS feed (transport.data.gouv.fr): imported as a zip, or a path on the server
   (`CommuteSettings.gtfs_path`);
2. the platform's lines (`TransitLine`): the bus and train lines of the OpenStreetMap extract
   (route relations with their ordered stops, extracted into the routing cache at setup) or
   lines an admin describes (stops by name and coordinates, or picked among the extract's
   stops), each with the timetable the admin enters (first and last departure, headway, days).
   They are written into an *illustrative* GTFS zip with `frequencies.txt`
   (`routing.transit_lines.write_gtfs`) in the instance folder, rebuilt on every change;
3. the `GTFS_PATH` setting.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

import routing
from mobility.audit.services import record_audit
from mobility.commute.context import config_value, set_gtfs_path, settings_for
from mobility.commute.inputs import parse_time
from mobility.commute.models import TransitLine
from mobility.config import PROJECT_ROOT
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from routing.transit_lines import load_lines, write_gtfs

KINDS = {"bus": _l("Bus"), "train": _l("Train"), "tram": _l("Tram"), "coach": _l("Coach")}
MIN_HEADWAY_MIN, MAX_HEADWAY_MIN = 2, 240
MAX_STOPS = 80
MAX_GTFS_BYTES = 50 * 1024 * 1024
_CAM_PREFIX = re.compile(r"^[A-Z](?:\.[A-Z])+\.?\s+(?=\d)")  # "C.A.M. 6" is line 6 of the CAM


# -- the extract's lines -----------------------------------------------------------------------


def osm_lines_path() -> Path:
    """Where setup writes the extract's lines (`python -m routing transit-lines`)."""
    cache = Path(str(config_value("ROUTING_CACHE_DIR", PROJECT_ROOT / ".cache" / "routing")))
    return cache / "transit" / "osm_lines.json"


def osm_line_groups() -> list[dict[str, Any]]:
    """The extract's route relations grouped into lines (one per kind and number), each with
    its outbound stops and, when OSM has the other direction, its return stops."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for rel in load_lines(osm_lines_path()):
        ref = _CAM_PREFIX.sub("", rel.get("ref") or "").strip() or str(rel["osm_id"])
        key = (rel["kind"], ref)
        stops = [{"name": s["name"], "lat": s["lat"], "lon": s["lon"]} for s in rel["stops"]]
        if key not in groups:
            name = rel.get("name") or ref
            groups[key] = {"ref": ref, "kind": rel["kind"], "name": name[:200],
                           "osm_ids": [rel["osm_id"]], "stops": stops, "return_stops": None}
        elif groups[key]["return_stops"] is None:
            groups[key]["osm_ids"].append(rel["osm_id"])
            groups[key]["return_stops"] = stops
    return list(groups.values())


def osm_stops() -> list[dict[str, Any]]:
    """The extract's distinct stops (name and place), by name, to pick from."""
    seen: dict[str, dict[str, Any]] = {}
    for rel in load_lines(osm_lines_path()):
        for s in rel["stops"]:
            seen.setdefault(s["name"], {"name": s["name"], "lat": s["lat"], "lon": s["lon"]})
    return sorted(seen.values(), key=lambda s: s["name"].lower())


# -- lines -------------------------------------------------------------------------------------


def lines_of(platform_id: int) -> list[TransitLine]:
    """The platform's lines, buses first, by number."""
    lines = db.session.scalars(select(TransitLine).where(
        TransitLine.platform_id == platform_id)).all()
    return sorted(lines, key=lambda line: (line.kind != "bus", not line.ref.isdigit(),
                                           int(line.ref) if line.ref.isdigit() else 0,
                                           line.ref, line.id))


def add_osm_lines(actor, platform_id: int, *, timetables: Mapping[str, Mapping] | None = None
                  ) -> list[TransitLine]:
    """Add the extract's lines the platform does not have yet (matched on their OSM ids);
    `timetables` may give a timetable per ref (the demo's illustrative ones). Commits."""
    known = {i for line in lines_of(platform_id) for i in (line.osm_ids or [])}
    added = []
    for group in osm_line_groups():
        if known & set(group["osm_ids"]):
            continue
        line = TransitLine(platform_id=platform_id, source="osm", **group)
        timetable = (timetables or {}).get(group["ref"])
        if timetable:
            line.first_departure = parse_time(timetable["first"], "first_departure")
            line.last_departure = parse_time(timetable["last"], "last_departure")
            line.headway_min = int(timetable["headway_min"])
            line.days = ",".join(str(d) for d in timetable["days"])
        db.session.add(line)
        added.append(line)
    db.session.flush()
    if added and actor is not None:
        record_audit(actor, "create", object_type="TransitLine", object_id=added[0].id,
                     platform_id=platform_id, fields=["ref", "stops"])
    db.session.commit()
    rebuild_feed(platform_id)
    return added


def check_timetable(first: Any, last: Any, headway_min: Any, days: Any) -> dict[str, Any]:
    """Validate a timetable: all four given, or none (the line then has no service).

    A last departure earlier than the first runs past midnight (a night line).
    """
    first_t = parse_time(first, "first_departure")
    last_t = parse_time(last, "last_departure")
    day_list = sorted({int(d) for d in (days or []) if str(d).strip().isdigit()})
    empty = first_t is None and last_t is None and headway_min in (None, "") and not day_list
    if empty:
        return {"first_departure": None, "last_departure": None, "headway_min": None,
                "days": ""}
    headway = _headway(headway_min)
    errors = _timetable_errors(first_t, last_t, headway, day_list)
    if errors:
        raise ValidationFailed(_l("The timetable is not complete or not valid."),
                               details=errors)
    return {"first_departure": first_t, "last_departure": last_t, "headway_min": headway,
            "days": ",".join(str(d) for d in day_list)}


def _headway(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _timetable_errors(first_t, last_t, headway: int | None, day_list: list[int]
                      ) -> dict[str, Any]:
    """{field: message} of what is missing or wrong in a timetable given in part."""
    errors: dict[str, Any] = {}
    if first_t is None:
        errors["first_departure"] = _l("Give the first departure (HH:MM).")
    if last_t is None:
        errors["last_departure"] = _l("Give the last departure (HH:MM).")
    if headway is None or not MIN_HEADWAY_MIN <= headway <= MAX_HEADWAY_MIN:
        errors["headway_min"] = _l("Give a headway between %(low)s and %(high)s minutes.",
                                   low=MIN_HEADWAY_MIN, high=MAX_HEADWAY_MIN)
    if not day_list or any(d > 6 for d in day_list):
        errors["days"] = _l("Choose at least one day of the week.")
    if not errors and first_t == last_t:
        errors["last_departure"] = _l("The last departure must differ from the first one "
                                      "(earlier means after midnight).")
    return errors


def parse_stops(text: str, field_name: str = "stops") -> list[dict[str, Any]]:
    """One stop per line: "Name; latitude; longitude", or a stop name of the extract (its
    place is then the extract's). At least two, at most MAX_STOPS."""
    known = {s["name"].lower(): s for s in osm_stops()}
    stops, bad = [], []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        stop = _parse_stop(line, known)
        if stop is None:
            bad.append(n)
        else:
            stops.append(stop)
    if bad:
        raise ValidationFailed(_l("Some stops are not understood."), details={field_name: _l(
            "Line(s) %(lines)s: write \"Name; latitude; longitude\" or the name of a stop of "
            "the map.", lines=", ".join(str(n) for n in bad[:10]))})
    if not 2 <= len(stops) <= MAX_STOPS:
        raise ValidationFailed(details={field_name: _l(
            "A line needs between 2 and %(max)s stops.", max=MAX_STOPS)})
    return stops


def _parse_stop(line: str, known: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    """One line of the stops: "Name; latitude; longitude" or a known stop's name; None when
    not understood."""
    parts = [p.strip() for p in line.split(";")]
    if len(parts) == 1 and parts[0].lower() in known:
        return dict(known[parts[0].lower()])
    if len(parts) != 3:
        return None
    try:
        lat, lon = float(parts[1].replace(",", ".")), float(parts[2].replace(",", "."))
    except ValueError:
        return None
    if not (parts[0] and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"name": parts[0][:120], "lat": round(lat, 6), "lon": round(lon, 6)}


def save_line(actor, platform_id: int, line: TransitLine | None, *, ref: Any, name: Any,
              kind: Any, stops_text: Any = None, first: Any = None, last: Any = None,
              headway_min: Any = None, days: Any = None) -> TransitLine:
    """Create a line (`line` None: stops required) or update one (stops kept when
    `stops_text` is None; OSM lines keep theirs). Rebuilds the platform's feed. Commits."""
    ref, name = str(ref or "").strip(), str(name or "").strip()
    errors = _line_errors(ref, name, kind)
    stops = _line_stops(line, stops_text, errors)
    try:
        timetable = check_timetable(first, last, headway_min, days)
    except ValidationFailed as error:
        errors.update(error.details or {})
    if errors:
        raise ValidationFailed(_l("The line was not saved: check the fields."), details=errors)
    created = line is None
    if created:
        line = TransitLine(platform_id=platform_id, source="manual")
        db.session.add(line)
    line.ref, line.name, line.kind = ref, name or ref, kind
    if stops is not None:
        line.stops, line.return_stops = stops, None
    for key, value in timetable.items():
        setattr(line, key, value)
    db.session.flush()
    record_audit(actor, "create" if created else "update", object_type="TransitLine",
                 object_id=line.id, platform_id=platform_id,
                 fields=["ref", "name", "kind", "stops", "timetable"])
    db.session.commit()
    rebuild_feed(platform_id)
    return line


def _line_errors(ref: str, name: str, kind: Any) -> dict[str, Any]:
    """{field: message} of a line's number, name and kind."""
    errors: dict[str, Any] = {}
    if not ref or len(ref) > 40:
        errors["ref"] = _l("Give the line's number or short name (at most 40 characters).")
    if len(name) > 200:
        errors["name"] = _l("At most 200 characters.")
    if kind not in KINDS:
        errors["kind"] = _l("Choose one of the proposed values.")
    return errors


def _line_stops(line: TransitLine | None, stops_text: Any, errors: dict[str, Any]
                ) -> list[dict[str, Any]] | None:
    """The new stops of a manual line (None: kept as they are); what is wrong goes into
    `errors`."""
    if stops_text is not None and (line is None or line.source == "manual"):
        try:
            return parse_stops(str(stops_text))
        except ValidationFailed as error:
            errors.update(error.details or {})
    elif line is None:
        errors["stops"] = _l("A line needs between 2 and %(max)s stops.", max=MAX_STOPS)
    return None


def delete_line(actor, line: TransitLine) -> None:
    """Remove a line and rebuild the feed. Commits."""
    platform_id = line.platform_id
    record_audit(actor, "delete", object_type="TransitLine", object_id=line.id,
                 platform_id=platform_id, fields=["ref"])
    db.session.delete(line)
    db.session.commit()
    rebuild_feed(platform_id)


# -- the feed the commute check reads ----------------------------------------------------------


def gtfs_path_for(platform_id: int | None) -> Path | None:
    """The GTFS feed of a platform: its settings row (a real or imported feed), else the
    illustrative feed written from its lines, else `GTFS_PATH`; None when none exists."""
    row = settings_for(platform_id) if platform_id is not None else None
    if (row is None or not row.gtfs_path) and platform_id is not None:
        lines_feed = current_lines_feed(platform_id)
        if lines_feed is not None:
            return lines_feed
    text = ((row.gtfs_path if row is not None and row.gtfs_path else None)
            or config_value("GTFS_PATH"))
    if not text:
        return None
    path = Path(text)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _feed_dir() -> Path:
    return Path(current_app.instance_path) / "transit"


def _gtfs_lines(platform_id: int) -> list[dict[str, Any]]:
    """The platform's lines with a timetable, as `write_gtfs` reads them."""
    out = []
    for line in lines_of(platform_id):
        if not line.has_timetable:
            continue
        out.append(_as_gtfs_line(line))
        if line.return_stops:  # OSM's other direction, with the same timetable
            out.append({**_as_gtfs_line(line), "id": f"{line.id}r", "stops": line.return_stops})
    return out


def lines_feed_path(platform_id: int, gtfs_lines: list[dict[str, Any]] | None = None) -> Path:
    """The illustrative GTFS zip of the platform's lines as they are now: its name carries a
    digest of the lines, so a feed never outlives the lines it was written from."""
    lines = _gtfs_lines(platform_id) if gtfs_lines is None else gtfs_lines
    digest = hashlib.sha256(json.dumps(lines, sort_keys=True, default=str).encode())
    return _feed_dir() / f"platform-{platform_id}-lines-{digest.hexdigest()[:16]}.zip"


def current_lines_feed(platform_id: int) -> Path | None:
    """The platform's illustrative feed (written now if missing), or None without lines that
    have a timetable."""
    lines = _gtfs_lines(platform_id)
    if not lines:
        return None
    path = lines_feed_path(platform_id, lines)
    return path if path.exists() else rebuild_feed(platform_id)


def imported_feed_path(platform_id: int) -> Path:
    """Where an imported GTFS zip is kept."""
    return _feed_dir() / f"platform-{platform_id}-imported.zip"


def _as_gtfs_line(line: TransitLine) -> dict[str, Any]:
    return {"id": line.id, "ref": line.ref, "name": line.name, "kind": line.kind,
            "stops": line.stops, "first": line.first_departure.strftime("%H:%M"),
            "last": line.last_departure.strftime("%H:%M"), "headway_min": line.headway_min,
            "days": line.day_numbers, "both_ways": not line.return_stops}


def rebuild_feed(platform_id: int) -> Path | None:
    """Write the platform's lines with a timetable into its illustrative GTFS zip (older ones
    of the platform are removed); returns the path, or None when no line has a timetable."""
    lines = _gtfs_lines(platform_id)
    path = lines_feed_path(platform_id, lines)
    for old in _feed_dir().glob(f"platform-{platform_id}-lines-*.zip"):
        if old != path:
            old.unlink(missing_ok=True)
    if not lines:
        return None
    if path.exists():
        return path
    return write_gtfs(lines, path, agency_name=str(_l("Illustrative timetables")))


def import_gtfs(actor, platform_id: int, upload) -> Path:
    """Keep an uploaded GTFS zip (e.g. from transport.data.gouv.fr) as the platform's feed,
    once it reads; it then takes precedence over the lines. Commits."""
    data = upload.read(MAX_GTFS_BYTES + 1) if upload is not None else b""
    message = _l("Choose a GTFS zip file (stops.txt, trips.txt, stop_times.txt...).")
    if not data:
        raise ValidationFailed(details={"gtfs_file": message})
    if len(data) > MAX_GTFS_BYTES:
        raise ValidationFailed(details={"gtfs_file": _l("This file is too large.")})
    path = imported_feed_path(platform_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".upload")
    tmp.write_bytes(data)
    try:
        with zipfile.ZipFile(tmp) as archive:
            names = {Path(n).name for n in archive.namelist()}
        if not {"stops.txt", "trips.txt", "stop_times.txt"} <= names:
            raise ValidationFailed(details={"gtfs_file": message})
        try:
            routing.TransitFeed.read(tmp)
        except routing.TransitFeedError:
            raise ValidationFailed(details={"gtfs_file": _l(
                "This GTFS feed could not be read.")}) from None
    except zipfile.BadZipFile:
        tmp.unlink(missing_ok=True)
        raise ValidationFailed(details={"gtfs_file": message}) from None
    except ValidationFailed:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    set_gtfs_path(actor, platform_id, str(path))
    return path


def use_lines(actor, platform_id: int) -> None:
    """Forget the imported or configured feed: the platform's lines are used again."""
    set_gtfs_path(actor, platform_id, None)
    imported_feed_path(platform_id).unlink(missing_ok=True)
