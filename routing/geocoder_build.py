"""Building the offline geocoder's index from an OSM extract: house numbers, named streets
grouped per commune, places and named POIs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import osmium
import shapely.wkb
from osmium.geom import WKBFactory
from shapely.geometry import Point
from shapely.strtree import STRtree

from .geocoding import OfflineGeocoder
from .geocoding_words import make_place
from .network import haversine_m

COMMUNE_PLACES = frozenset({"city", "town", "village", "municipality"})
PLACE_KINDS = frozenset({"city", "town", "village", "municipality", "suburb", "quarter",
                         "neighbourhood", "hamlet", "locality", "isolated_dwelling"})
POI_KEYS = ("amenity", "shop", "tourism", "leisure", "office", "public_transport", "railway",
            "historic", "healthcare", "craft", "aeroway", "building")


class _CommuneLocator:
    """Commune of a point: admin_level 8 polygons, else the nearest town/village place node."""

    def __init__(self, polygons: Sequence[tuple[str, object]],
                 places: Sequence[tuple[str, float, float]]):
        self.names = [n for n, _ in polygons]
        self.tree = STRtree([g for _, g in polygons]) if polygons else None
        self.places = list(places)

    def __call__(self, lat: float, lon: float) -> str | None:
        if self.tree is not None:
            hits = self.tree.query(Point(lon, lat), predicate="within")
            if len(hits):
                return self.names[int(hits[0])]
        if not self.places:
            return None
        names, plats, plons = zip(*self.places, strict=True)
        d = haversine_m(lat, lon, np.array(plats), np.array(plons))
        i = int(np.argmin(d))
        return names[i] if d[i] < 5000 else None


class _ExtractReader(osmium.SimpleHandler):
    """What the index needs from an extract: addresses, street ways by name, places, POIs,
    commune boundaries, and every node's position (for the covered area)."""

    def __init__(self):
        super().__init__()
        self.wkb = WKBFactory()
        self.addresses: list[tuple[dict[str, str], float, float]] = []
        self.streets: dict[str, list[list[tuple[float, float]]]] = defaultdict(list)
        self.places: list[tuple[dict[str, str], float, float]] = []
        self.pois: list[tuple[dict[str, str], float, float]] = []
        self.polygons: list[tuple[str, object]] = []
        self.lats: list[float] = []
        self.lons: list[float] = []

    def node(self, n):
        loc = n.location
        if not loc.valid():
            return
        self.lats.append(loc.lat)
        self.lons.append(loc.lon)
        if not n.tags:
            return
        tags = {t.k: t.v for t in n.tags}
        if "addr:housenumber" in tags:
            self.addresses.append((tags, loc.lat, loc.lon))
        if "name" in tags and tags.get("place") in PLACE_KINDS:
            self.places.append((tags, loc.lat, loc.lon))
        elif "name" in tags and (any(k in tags for k in POI_KEYS)
                                 or tags.get("highway") == "bus_stop"):
            self.pois.append((tags, loc.lat, loc.lon))

    def way(self, w):
        if not w.tags:
            return
        try:
            coords = [(nd.location.lat, nd.location.lon) for nd in w.nodes]
        except osmium.InvalidLocationError:
            return
        if not coords:
            return
        tags = {t.k: t.v for t in w.tags}
        mid = coords[len(coords) // 2]
        if "highway" in tags and "name" in tags:
            self.streets[tags["name"]].append(coords)
        if "addr:housenumber" in tags:
            c = np.mean(coords, axis=0)
            self.addresses.append((tags, float(c[0]), float(c[1])))
        elif "name" in tags and "highway" not in tags and any(k in tags for k in POI_KEYS):
            c = np.mean(coords, axis=0) if len(coords) > 2 else mid
            self.pois.append((tags, float(c[0]), float(c[1])))

    def area(self, a):
        tags = a.tags
        if tags.get("boundary") == "administrative" and tags.get("admin_level") == "8":
            try:
                geom = shapely.wkb.loads(self.wkb.create_multipolygon(a), hex=True)
            except Exception:  # clipped relation: fall back to place nodes
                return
            self.polygons.append((tags.get("name"), geom))


def build_geocoder(pbf_path: str | Path, into=None) -> OfflineGeocoder:
    """Build an :class:`OfflineGeocoder` from an OSM extract (or fill ``into``, an empty
    index with the same ``add``, e.g. the previous one the tests compare with).

    Indexes house numbers (``addr:*``), named streets grouped per commune, places and named
    POIs. The commune comes from ``addr:city`` when tagged, else from admin_level 8 boundaries
    that close inside the extract, else from the nearest city/town/village place node.
    """
    extract = _ExtractReader()
    extract.apply_file(str(pbf_path), locations=True)
    communes = _CommuneLocator(
        extract.polygons,
        [(t["name"], la, lo) for t, la, lo in extract.places
         if t.get("place") in COMMUNE_PLACES],
    )
    geocoder = OfflineGeocoder() if into is None else into
    if extract.lats:
        geocoder.bounds = (min(extract.lats), min(extract.lons), max(extract.lats),
                           max(extract.lons))
    for tags, lat, lon in extract.places:
        kind = "municipality" if tags["place"] in COMMUNE_PLACES else "place"
        city = None if kind == "municipality" else communes(lat, lon)
        geocoder.add(make_place(kind, lat, lon, name=tags["name"], city=city,
                                postcode=tags.get("addr:postcode")))
    for name, ways in extract.streets.items():
        _add_street(geocoder, name, ways, communes)
    for tags, lat, lon in extract.addresses:
        street = tags.get("addr:street") or tags.get("addr:place")
        if not street:
            continue
        geocoder.add(make_place("address", lat, lon, housenumber=tags["addr:housenumber"],
                                street=street, postcode=tags.get("addr:postcode"),
                                city=tags.get("addr:city") or communes(lat, lon)))
    for tags, lat, lon in extract.pois:
        geocoder.add(make_place("poi", lat, lon, name=tags["name"], city=communes(lat, lon)))
    return geocoder


def _add_street(geocoder, name: str, ways: list[list[tuple[float, float]]],
                communes: _CommuneLocator) -> None:
    """One street entry per commune it crosses, at its node nearest the centre, with some of
    its nodes for reverse geocoding."""
    by_city: dict[str | None, list[tuple[float, float]]] = defaultdict(list)
    for coords in ways:
        mid = coords[len(coords) // 2]
        by_city[communes(*mid)].extend(coords)
    for city, pts in by_city.items():
        arr = np.array(pts)
        centre = arr.mean(axis=0)
        rep = arr[np.argmin(((arr - centre) ** 2).sum(axis=1))]
        geocoder.add(make_place("street", rep[0], rep[1], name=name, street=name, city=city),
                     extra_points=[tuple(p) for p in arr[:: max(1, len(arr) // 200)]])
