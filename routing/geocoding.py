"""Geocoding: an offline index built from the OSM extract (and optional BAN/BANO CSV files),
or geopy's BANFrance / Nominatim / Photon pointed at a (self-hosted) service.

Matching is accent-, case-, punctuation- and abbreviation-tolerant ("av. princesse grace",
"cap d ail", "beausoleil"). A query that matches nothing raises :class:`AddressNotFound`; a
match outside the area the geocoder covers raises :class:`OutsideNetworkArea`: no wrong guess.
"""

from __future__ import annotations

import csv
import difflib
import math
import pickle
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import osmium
import shapely.wkb
from osmium.geom import WKBFactory
from scipy.spatial import cKDTree
from shapely.geometry import Point
from shapely.strtree import STRtree

from .exceptions import (
    AddressNotFound,
    GeocoderNotConfigured,
    GeocoderUnavailable,
    OutsideNetworkArea,
)
from .network import haversine_m, project_m
from .settings import ATTRIBUTION, default_cache_dir

GEOCODER_FILE = "geocoder.pkl"

ABBREVIATIONS: dict[str, str] = {
    "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "blvd": "boulevard",
    "boul": "boulevard", "bvd": "boulevard", "r": "rue", "pl": "place", "rte": "route",
    "ch": "chemin", "chem": "chemin", "imp": "impasse", "all": "allee", "sq": "square",
    "st": "saint", "ste": "sainte", "pte": "porte", "fg": "faubourg", "fbg": "faubourg",
    "qu": "quai", "prom": "promenade", "esp": "esplanade", "gal": "general", "gen": "general",
    "mal": "marechal", "mar": "marechal", "pdt": "president", "pres": "president",
    "res": "residence", "cdt": "commandant", "crs": "cours", "mte": "montee", "trav": "traverse",
    "tr": "traverse", "sent": "sentier", "1er": "premier", "ier": "premier", "esc": "escalier",
    "lot": "lotissement", "dr": "docteur", "pr": "professeur", "cap": "cap", "mgr": "monseigneur",
}
STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux",
                       "en", "sur", "sous"})
HOUSENUMBER_RE = re.compile(r"^(\d+)(bis|ter|quater|[a-z])?$")
COMMUNE_PLACES = frozenset({"city", "town", "village", "municipality"})
PLACE_KINDS = frozenset({"city", "town", "village", "municipality", "suburb", "quarter",
                         "neighbourhood", "hamlet", "locality", "isolated_dwelling"})
POI_KEYS = ("amenity", "shop", "tourism", "leisure", "office", "public_transport", "railway",
            "historic", "healthcare", "craft", "aeroway", "building")


def normalize(text: str) -> str:
    """Lower-case, strip accents and punctuation: "Cap-d'Ail" → "cap d ail"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def tokenize(text: str) -> list[str]:
    """Normalised tokens with abbreviations expanded and French stopwords removed."""
    tokens = []
    for tok in normalize(text).split():
        tok = ABBREVIATIONS.get(tok, tok)
        if tok not in STOPWORDS:
            tokens.append(tok)
    return tokens


@dataclass(frozen=True)
class GeocodedPlace:
    """A geocoding answer. ``kind`` is address, street, municipality, place or poi."""

    label: str
    lat: float
    lon: float
    kind: str
    name: str | None = None
    housenumber: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    source: str = "osm"
    attribution: str = ATTRIBUTION

    @property
    def point(self) -> tuple[float, float]:
        """``(lat, lon)``."""
        return (self.lat, self.lon)


class Geocoder(Protocol):
    """What every geocoder offers."""

    def geocode(self, query: str) -> GeocodedPlace:
        """Best match for ``query``; raises AddressNotFound / OutsideNetworkArea."""
        ...

    def reverse(self, lat: float, lon: float) -> GeocodedPlace:
        """Nearest known address, street or place to a point."""
        ...


def _label(kind: str, name: str | None, housenumber: str | None, street: str | None,
           postcode: str | None, city: str | None) -> str:
    if kind == "address":
        head = f"{housenumber} {street}"
    elif kind == "street":
        head = street or name or ""
    else:
        head = name or ""
    tail = " ".join(p for p in (postcode, city) if p)
    if tail and (kind != "municipality"):
        return f"{head}, {tail}"
    return head


def make_place(kind: str, lat: float, lon: float, *, name: str | None = None,
               housenumber: str | None = None, street: str | None = None,
               postcode: str | None = None, city: str | None = None,
               source: str = "osm") -> GeocodedPlace:
    """Build a :class:`GeocodedPlace` with its display label."""
    return GeocodedPlace(
        label=_label(kind, name, housenumber, street, postcode, city), lat=float(lat),
        lon=float(lon), kind=kind, name=name, housenumber=housenumber, street=street,
        postcode=postcode, city=city, source=source,
    )


def import_address_csv(path: str | Path, *, source: str = "bano") -> list[GeocodedPlace]:
    """Read a BAN/BANO CSV (``id,housenumber,street,postcode,city,source,lat,lon``, no header).

    A header line, if present, is skipped. Rows with unparsable coordinates are skipped.
    """
    places = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) < 8:
                continue
            _id, number, street, postcode, city, _src, lat, lon = row[:8]
            try:
                lat_f, lon_f = float(lat), float(lon)
            except ValueError:
                continue  # header or broken row
            places.append(make_place("address", lat_f, lon_f, housenumber=number.strip(),
                                     street=street.strip(), postcode=postcode.strip() or None,
                                     city=city.strip() or None, source=source))
    return places


@dataclass
class _Entry:
    place: GeocodedPlace
    name_tokens: frozenset[str]
    city_tokens: frozenset[str]
    number: str | None


KIND_BONUS = {"address": 0.3, "municipality": 0.25, "street": 0.2, "place": 0.15, "poi": 0.1}


@dataclass
class OfflineGeocoder:
    """In-memory geocoding index; ``bounds`` = (south, west, north, east) it covers, or None."""

    entries: list[_Entry] = field(default_factory=list)
    bounds: tuple[float, float, float, float] | None = None
    reverse_max_distance_m: float = 200.0
    _postings: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    _street_index: dict[tuple[frozenset[str], frozenset[str]], list[int]] = field(
        default_factory=lambda: defaultdict(list))
    _rev_points: list[tuple[float, float, int]] = field(default_factory=list)
    _tree: cKDTree | None = None
    _rev_ids: np.ndarray | None = None
    _lat0: float = 45.0

    # -- building -------------------------------------------------------------------------
    def add(self, place: GeocodedPlace, *,
            extra_points: Iterable[tuple[float, float]] = ()) -> None:
        """Add one place (and optional extra points, e.g. a street's nodes, for reverse)."""
        name = place.street if place.kind in ("address", "street") else place.name
        name_tokens = frozenset(tokenize(name or ""))
        if not name_tokens:
            return
        city_tokens = frozenset(tokenize(" ".join(p for p in (place.city, place.postcode) if p)))
        if place.kind == "municipality":
            city_tokens |= name_tokens
        number = normalize(place.housenumber).replace(" ", "") if place.housenumber else None
        idx = len(self.entries)
        self.entries.append(_Entry(place, name_tokens, city_tokens, number))
        for tok in name_tokens | city_tokens:
            self._postings[tok].add(idx)
        if place.kind == "street":
            self._street_index[(name_tokens, city_tokens)].append(idx)
        self._rev_points.append((place.lat, place.lon, idx))
        self._rev_points.extend((la, lo, idx) for la, lo in extra_points)
        self._tree = None

    def extend(self, places: Iterable[GeocodedPlace]) -> OfflineGeocoder:
        """Add many places (e.g. from :func:`import_address_csv`); returns self."""
        for place in places:
            self.add(place)
        return self

    def _ensure_tree(self) -> None:
        if self._tree is None and self._rev_points:
            pts = np.array([(a, b) for a, b, _ in self._rev_points])
            self._lat0 = float(pts[:, 0].mean())
            self._tree = cKDTree(project_m(pts[:, 0], pts[:, 1], self._lat0))
            self._rev_ids = np.array([i for _, _, i in self._rev_points])

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Pickle the index."""
        self._ensure_tree()
        with open(path, "wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, cache_dir: str | Path | None = None) -> OfflineGeocoder:
        """Load the index written by :func:`routing.build_cache`."""
        path = Path(cache_dir or default_cache_dir()) / GEOCODER_FILE
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError as exc:
            raise GeocoderNotConfigured(
                f"no geocoder index at {path}; run `python -m routing build`") from exc

    # -- queries --------------------------------------------------------------------------
    def covers(self, lat: float, lon: float) -> bool:
        """True if the point lies in the area this geocoder (and its network) covers."""
        if self.bounds is None:
            return True
        s, w, n, e = self.bounds
        return s <= lat <= n and w <= lon <= e

    def _match_token(self, tok: str) -> list[tuple[str, float]]:
        if tok in self._postings:
            return [(tok, 1.0)]
        out = [(m, 0.85) for m in difflib.get_close_matches(tok, self._postings.keys(), n=3,
                                                            cutoff=0.8)]
        if len(tok) >= 4:
            out += [(v, 0.8) for v in self._postings if v.startswith(tok) and v != tok][:5]
        return out

    def search(self, query: str, *, limit: int = 5) -> list[GeocodedPlace]:
        """Best matches for ``query``, best first (possibly empty)."""
        tokens = tokenize(query)
        number = None
        words = []
        for tok in tokens:
            m = HOUSENUMBER_RE.match(tok)
            if m and number is None and not words:
                number = tok
            elif number is not None and words == [] and tok in ("bis", "ter", "quater"):
                number += tok
            elif m and tok.isdigit() and len(tok) == 5:
                words.append(tok)  # a postcode
            else:
                words.append(tok)
        if not words:
            return []
        matches = [self._match_token(w) for w in words]
        if any(not m for m in matches):
            return []
        candidates: set[int] | None = None
        for m in matches:
            ids = set().union(*(self._postings[t] for t, _ in m))
            candidates = ids if candidates is None else candidates & ids
        scored = []
        for idx in candidates or ():
            entry = self.entries[idx]
            score = 0.0
            name_hits = 0
            matched_names: set[str] = set()
            for m in matches:
                best, hit = 0.0, None
                for tok, weight in m:
                    if tok in entry.name_tokens and tok not in matched_names:
                        if weight * 2 > best:
                            best, hit = weight * 2, tok
                    elif tok in entry.city_tokens and weight > best:
                        best, hit = weight, None
                if hit is not None:
                    name_hits += 1
                    matched_names.add(hit)
                score += best
            if name_hits == 0:
                continue
            score -= 0.3 * len(entry.name_tokens - matched_names)
            score += KIND_BONUS.get(entry.place.kind, 0.0)
            if number is not None:
                if entry.place.kind == "address":
                    if entry.number != number:
                        continue
                    score += 2.0
            elif entry.place.kind == "address":
                score -= 1.0
            scored.append((score, idx))
        scored.sort(key=lambda s: (-s[0], s[1]))
        results, seen = [], set()
        for _, idx in scored:
            place = self.entries[idx].place
            if place.label in seen:
                continue
            seen.add(place.label)
            results.append(place)
            if len(results) >= limit:
                break
        return results

    def geocode(self, query: str) -> GeocodedPlace:
        """Best match for ``query``.

        A house number that is not in the index falls back to the street (``kind="street"``).
        Raises :class:`AddressNotFound` when nothing matches and :class:`OutsideNetworkArea`
        when the match lies outside ``bounds``.
        """
        results = self.search(query, limit=1)
        if not results:
            raise AddressNotFound(f"no address, street or place matches {query!r}")
        best = results[0]
        if not self.covers(best.lat, best.lon):
            raise OutsideNetworkArea(
                f"{best.label!r} ({best.lat:.5f}, {best.lon:.5f}) is outside the covered area")
        return best

    def reverse(self, lat: float, lon: float, *, max_distance_m: float | None = None
                ) -> GeocodedPlace:
        """Nearest address (within 30 m) or street/place/POI (within ``max_distance_m``)."""
        if not self.covers(lat, lon):
            raise OutsideNetworkArea(f"({lat:.5f}, {lon:.5f}) is outside the covered area")
        self._ensure_tree()
        if self._tree is None:
            raise AddressNotFound("the geocoder index is empty")
        max_d = self.reverse_max_distance_m if max_distance_m is None else max_distance_m
        xy = project_m(np.array([lat]), np.array([lon]), self._lat0)[0]
        k = min(64, len(self._rev_ids))
        dist, pos = self._tree.query(xy, k=k)
        dist, pos = np.atleast_1d(dist), np.atleast_1d(pos)
        rank = {"address": 0, "street": 1, "poi": 2, "place": 3, "municipality": 4}
        best = None
        for d, p in zip(dist, pos, strict=True):
            if not math.isfinite(d) or d > max_d:
                break
            entry = self.entries[self._rev_ids[p]]
            kind = entry.place.kind
            if kind == "address" and d > 30:
                continue
            key = (rank.get(kind, 5), d)
            if best is None or key < best[0]:
                best = (key, entry.place)
        if best is None:
            raise AddressNotFound(f"nothing known within {max_d:.0f} m of ({lat:.5f}, {lon:.5f})")
        return best[1]


# -- building the index from an extract ------------------------------------------------------


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


def build_geocoder(pbf_path: str | Path) -> OfflineGeocoder:
    """Build an :class:`OfflineGeocoder` from an OSM extract.

    Indexes house numbers (``addr:*``), named streets grouped per commune, places and named
    POIs. The commune comes from ``addr:city`` when tagged, else from admin_level 8 boundaries
    that close inside the extract, else from the nearest city/town/village place node.
    """
    wkb = WKBFactory()
    addresses: list[tuple[dict[str, str], float, float]] = []
    streets: dict[str, list[list[tuple[float, float]]]] = defaultdict(list)
    places: list[tuple[dict[str, str], float, float]] = []
    pois: list[tuple[dict[str, str], float, float]] = []
    polygons: list[tuple[str, object]] = []
    lats: list[float] = []
    lons: list[float] = []

    class Handler(osmium.SimpleHandler):
        def node(self, n):
            loc = n.location
            if not loc.valid():
                return
            lats.append(loc.lat)
            lons.append(loc.lon)
            if not n.tags:
                return
            tags = {t.k: t.v for t in n.tags}
            if "addr:housenumber" in tags:
                addresses.append((tags, loc.lat, loc.lon))
            if "name" in tags and tags.get("place") in PLACE_KINDS:
                places.append((tags, loc.lat, loc.lon))
            elif "name" in tags and (any(k in tags for k in POI_KEYS)
                                     or tags.get("highway") == "bus_stop"):
                pois.append((tags, loc.lat, loc.lon))

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
                streets[tags["name"]].append(coords)
            if "addr:housenumber" in tags:
                c = np.mean(coords, axis=0)
                addresses.append((tags, float(c[0]), float(c[1])))
            elif "name" in tags and "highway" not in tags and any(k in tags for k in POI_KEYS):
                c = np.mean(coords, axis=0) if len(coords) > 2 else mid
                pois.append((tags, float(c[0]), float(c[1])))

        def area(self, a):
            tags = a.tags
            if tags.get("boundary") == "administrative" and tags.get("admin_level") == "8":
                try:
                    geom = shapely.wkb.loads(wkb.create_multipolygon(a), hex=True)
                except Exception:  # clipped relation: fall back to place nodes
                    return
                polygons.append((tags.get("name"), geom))

    Handler().apply_file(str(pbf_path), locations=True)
    communes = _CommuneLocator(
        polygons,
        [(t["name"], la, lo) for t, la, lo in places if t.get("place") in COMMUNE_PLACES],
    )
    geocoder = OfflineGeocoder()
    if lats:
        geocoder.bounds = (min(lats), min(lons), max(lats), max(lons))
    for tags, lat, lon in places:
        kind = "municipality" if tags["place"] in COMMUNE_PLACES else "place"
        city = None if kind == "municipality" else communes(lat, lon)
        geocoder.add(make_place(kind, lat, lon, name=tags["name"], city=city,
                                postcode=tags.get("addr:postcode")))
    for name, ways in streets.items():
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
    for tags, lat, lon in addresses:
        street = tags.get("addr:street") or tags.get("addr:place")
        if not street:
            continue
        geocoder.add(make_place("address", lat, lon, housenumber=tags["addr:housenumber"],
                                street=street, postcode=tags.get("addr:postcode"),
                                city=tags.get("addr:city") or communes(lat, lon)))
    for tags, lat, lon in pois:
        geocoder.add(make_place("poi", lat, lon, name=tags["name"], city=communes(lat, lon)))
    geocoder._ensure_tree()
    return geocoder


# -- geopy-backed geocoders --------------------------------------------------------------------


@dataclass
class GeopyGeocoder:
    """Adapter giving a geopy geocoder the :class:`Geocoder` interface and named errors."""

    backend: object
    kind: str
    bounds: tuple[float, float, float, float] | None = None

    def _call(self, fn, *args, **kwargs):
        from geopy.exc import GeopyError

        try:
            return fn(*args, **kwargs)
        except GeopyError as exc:
            raise GeocoderUnavailable(f"{self.kind} geocoder failed: {exc}") from exc

    def _convert(self, loc, what: str) -> GeocodedPlace:
        if loc is None:
            raise AddressNotFound(f"{self.kind} geocoder found nothing for {what}")
        place = make_place("address", loc.latitude, loc.longitude, name=loc.address,
                           source=self.kind)
        place = replace(place, label=loc.address)
        if self.bounds is not None:
            s, w, n, e = self.bounds
            if not (s <= place.lat <= n and w <= place.lon <= e):
                raise OutsideNetworkArea(f"{place.label!r} is outside the covered area")
        return place

    def geocode(self, query: str) -> GeocodedPlace:
        """Best match from the remote service."""
        return self._convert(self._call(self.backend.geocode, query), repr(query))

    def reverse(self, lat: float, lon: float) -> GeocodedPlace:
        """Nearest address from the remote service."""
        return self._convert(self._call(self.backend.reverse, (lat, lon)), f"({lat}, {lon})")


GEOCODER_KINDS = ("offline", "ban", "nominatim", "photon")
#: the Base Adresse Nationale's API on the IGN Géoplateforme (api-adresse.data.gouv.fr, geopy's
#: default, was shut down at the end of January 2026); an addok of your own via GEOCODER_URL.
BAN_DOMAIN = "data.geopf.fr/geocodage"


def make_geocoder(kind: str = "offline", **options) -> Geocoder:
    """Build the configured geocoder.

    ``offline``: options ``cache_dir``. ``ban`` / ``nominatim`` / ``photon``: options go to
    geopy's ``BANFrance`` / ``Nominatim`` / ``Photon`` (e.g. ``domain``, ``scheme``,
    ``user_agent``, ``timeout``); ``bounds=(s, w, n, e)`` restricts answers to an area.
    """
    if kind == "offline":
        return OfflineGeocoder.load(options.get("cache_dir"))
    from geopy.geocoders import BANFrance, Nominatim, Photon

    classes = {"ban": BANFrance, "nominatim": Nominatim, "photon": Photon}
    if kind not in classes:
        raise GeocoderNotConfigured(
            f"unknown geocoder kind {kind!r}; expected one of {', '.join(GEOCODER_KINDS)}")
    bounds = options.pop("bounds", None)
    if kind == "nominatim":
        options.setdefault("user_agent", "mobility-platform-routing")
    if kind == "ban":
        options.setdefault("domain", BAN_DOMAIN)
        options.setdefault("scheme", "https")
    return GeopyGeocoder(classes[kind](**options), kind=kind, bounds=bounds)
