"""What a commute page's map shows: the route of each mode, and the streets around."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from mobility.commute.context import config_value, routing_context
from mobility.commute.inputs import ATTRIBUTION
from mobility.commute.streets import MAX_BBOX_DEG, MAX_STREET_EDGES
from mobility.core.errors import ValidationFailed
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.people.reasons import MODE_LABELS


def parse_bbox(text: str | None) -> tuple[float, float, float, float]:
    """ "south,west,north,east" → floats; too large or malformed → ValidationFailed."""
    try:
        s, w, n, e = (float(x) for x in (text or "").split(","))
    except ValueError:
        raise ValidationFailed(details={"bbox": _l(
            "Give bbox=south,west,north,east in degrees.")}) from None
    if not (s < n and w < e) or not all(math.isfinite(x) for x in (s, w, n, e)):
        raise ValidationFailed(details={"bbox": _l(
            "Give bbox=south,west,north,east in degrees.")})
    if n - s > MAX_BBOX_DEG[0] or e - w > MAX_BBOX_DEG[1]:
        raise ValidationFailed(details={"bbox": _l("This area is too large for the map.")})
    return s, w, n, e


def streets_geojson(bbox: tuple[float, float, float, float]) -> dict:
    """The streets crossing `bbox` as GeoJSON (one MultiLineString per class: major, minor,
    path), from the cached car and walk networks; minor streets and paths are left out when
    the area holds too many edges. Empty without a cache."""
    s, w, n, e = bbox
    arrays = routing_context().street_arrays()
    features = []
    if arrays:
        selected: dict[str, list] = {"major": [], "minor": [], "path": []}
        for data in arrays.values():
            hit = np.flatnonzero((data["max_lat"] >= s) & (data["min_lat"] <= n)
                                 & (data["max_lon"] >= w) & (data["min_lon"] <= e))
            for i in hit:
                selected[data["classes"][i]].append(data["geoms"][i])
        total = sum(len(v) for v in selected.values())
        for cls in ("path", "minor"):
            if total > MAX_STREET_EDGES:
                total -= len(selected[cls])
                selected[cls] = []
        for cls, geoms in selected.items():
            if geoms:
                features.append({"type": "Feature", "properties": {"class": cls},
                                 "geometry": {"type": "MultiLineString", "coordinates": [
                                     [[round(float(lon), 5), round(float(lat), 5)]
                                      for lat, lon in g] for g in geoms]}})
    return {"type": "FeatureCollection", "features": features, "attribution": ATTRIBUTION}


def map_data(data: Mapping[str, Any]) -> dict:
    """What the page's map needs: points, routes, the bounding box, tiles, attribution."""
    origin, destination = data["origin"], data["destination"]
    points = [(origin["lat"], origin["lon"]), (destination["lat"], destination["lon"])]
    routes = {}
    for mode, r in data["modes"].items():
        geometry = r.get("geometry") or []
        if geometry:
            routes[mode] = {"label": str(MODE_LABELS.get(mode, mode)), "points": geometry,
                            "feasible": r["feasible"]}
            points.extend(tuple(p) for p in geometry)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    pad_lat = max((max(lats) - min(lats)) * 0.15, 0.003)
    pad_lon = max((max(lons) - min(lons)) * 0.15, 0.004)
    bbox = [min(lats) - pad_lat, min(lons) - pad_lon, max(lats) + pad_lat, max(lons) + pad_lon]
    bbox[2] = min(bbox[2], bbox[0] + MAX_BBOX_DEG[0])
    bbox[3] = min(bbox[3], bbox[1] + MAX_BBOX_DEG[1])
    return {"home": [origin["lat"], origin["lon"]],
            "work": [destination["lat"], destination["lon"]],
            "home_label": origin.get("label") or origin.get("text") or "",
            "work_label": destination.get("label") or destination.get("text") or "",
            "routes": routes, "bbox": [round(x, 5) for x in bbox],
            "tile_url": config_value("MAP_TILE_URL") or None, "attribution": ATTRIBUTION,
            "labels": {"home": _("Home"), "work": _("Work")}}
