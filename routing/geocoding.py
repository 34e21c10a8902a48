"""Geocoding: an offline index built from the OSM extract (and optional BAN/BANO CSV files),
or geopy's BANFrance / Nominatim / Photon pointed at a (self-hosted) service.

A query that matches nothing raises :class:`AddressNotFound`; a match outside the area the
geocoder covers raises :class:`OutsideNetworkArea`: no wrong guess. The words and the answer
are in `routing.geocoding_words`, the index's storage in `routing.geocoder_index`, its
building from an extract in `routing.geocoder_build`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .exceptions import (
    AddressNotFound,
    GeocoderNotConfigured,
    GeocoderUnavailable,
    OutsideNetworkArea,
    RoutingError,
)
from .geocoder_index import IndexedPlaces
from .geocoding_words import (
    HOUSENUMBER_RE,
    GeocodedPlace,
    Geocoder,
    make_place,
    tokenize,
)
from .network import project_m

KIND_BONUS = {"address": 0.3, "municipality": 0.25, "street": 0.2, "place": 0.15, "poi": 0.1}
#: the previous engine's cKDTree gave the 64 nearest points; reverse keeps that rule
REVERSE_NEAREST = 64
_REVERSE_RANK = {"address": 0, "street": 1, "poi": 2, "place": 3, "municipality": 4}


def _split_query(tokens: list[str]) -> tuple[str | None, list[str]]:
    """(house number, other words) of a query's tokens: a leading number (with a following
    bis/ter/quater) is the house number; a 5-digit number later on is a postcode word."""
    number = None
    words: list[str] = []
    for tok in tokens:
        m = HOUSENUMBER_RE.match(tok)
        if m and number is None and not words:
            number = tok
        elif number is not None and words == [] and tok in ("bis", "ter", "quater"):
            number += tok
        else:  # a word, or a postcode
            words.append(tok)
    return number, words


def _best_token(m: list[tuple[int, float]], name_tokens: frozenset[int],
                city_tokens: frozenset[int], matched_names: set[int]
                ) -> tuple[float, int | None]:
    """(weight, name token hit) of one query word's best match in an entry: a name token not
    matched yet counts double, a city token once (and is not a name hit)."""
    best, hit = 0.0, None
    for tok, weight in m:
        if tok in name_tokens and tok not in matched_names:
            if weight * 2 > best:
                best, hit = weight * 2, tok
        elif tok in city_tokens and weight > best:
            best, hit = weight, None
    return best, hit


def _held_by_any(ids: np.ndarray, lists: list[np.ndarray]) -> np.ndarray:
    """Mask of the sorted ``ids`` found in any of the sorted posting ``lists``."""
    keep = np.zeros(len(ids), dtype=bool)
    for post in lists:
        if not len(post):
            continue
        pos = np.minimum(np.searchsorted(post, ids), len(post) - 1)
        keep |= post[pos] == ids
    return keep


#: how many geocoding answers an `OfflineGeocoder` remembers
GEOCODE_CACHE_SIZE = 4096


class OfflineGeocoder(IndexedPlaces):
    """Offline geocoding index; ``bounds`` = (south, west, north, east) it covers, or None.

    A saved index (:meth:`save`, :meth:`load`) is a memory-mapped bundle: opening it costs a
    few milliseconds at any size and the processes that open it share its pages. Places added
    in memory (:meth:`add`, :meth:`extend`, also after :meth:`load`) come after the saved ones.
    """

    # -- queries --------------------------------------------------------------------------
    def covers(self, lat: float, lon: float) -> bool:
        """True if the point lies in the area this geocoder (and its network) covers."""
        if self.bounds is None:
            return True
        s, w, n, e = self.bounds
        return s <= lat <= n and w <= lon <= e

    def _match_token(self, tok: str) -> list[tuple[int, float]]:
        tid = self._token_id(tok)
        if tid is not None:
            return [(tid, 1.0)]
        out = [(self._token_id(m), 0.85)
               for m in difflib.get_close_matches(tok, self._vocabulary(), n=3, cutoff=0.8)]
        if len(tok) >= 4:
            found = [] if self._base is None else self._base.prefixed(tok)
            found += [t for v, t in self._new_tokens.items() if v.startswith(tok)]
            out += [(t, 0.8) for t in found[:5]]
        return out

    def _candidates(self, matches: list[list[tuple[int, float]]]) -> list[int]:
        """Entries holding, for every word, one of its matched tokens (ascending ids)."""
        base = self._saved_candidates(matches) if self._base is not None else None
        over: set[int] | None = None
        for m in matches:
            ids = set().union(*(self._postings.get(t, ()) for t, _ in m))
            over = ids if over is None else over & ids
        return (base.tolist() if base is not None else []) + sorted(over or ())

    def _saved_candidates(self, matches: list[list[tuple[int, float]]]) -> np.ndarray:
        """The saved entries holding, for every word, one of its matched tokens."""
        b = self._base
        per_word = [[b.postings(t) for t, _ in m if t < self._base_vocab] for m in matches]
        sizes = [sum(len(p) for p in lists) for lists in per_word]
        first = int(np.argmin(sizes))
        base = (np.unique(np.concatenate(per_word[first])) if per_word[first]
                else np.zeros(0, dtype=np.int32))
        for w, lists in enumerate(per_word):  # probe the big lists with the small set
            if w == first or not len(base):
                continue
            base = base[_held_by_any(base, lists)]
        return base

    def search(self, query: str, *, limit: int = 5) -> list[GeocodedPlace]:
        """Best matches for ``query``, best first (possibly empty)."""
        number, words = _split_query(tokenize(query))
        if not words:
            return []
        matches = [self._match_token(w) for w in words]
        if any(not m for m in matches):
            return []
        scored = []
        for idx in self._candidates(matches):
            score = self._score(idx, matches, number)
            if score is not None:
                scored.append((score, idx))
        scored.sort(key=lambda s: (-s[0], s[1]))
        results, seen = [], set()
        for _, idx in scored:
            place = self._place(idx)
            if place.label in seen:
                continue
            seen.add(place.label)
            results.append(place)
            if len(results) >= limit:
                break
        return results

    def _score(self, idx: int, matches: list[list[tuple[int, float]]], number: str | None
               ) -> float | None:
        """How well entry ``idx`` answers the query's words and house number; None when it
        does not (no word in its name, or another house number)."""
        name_tokens, city_tokens = self._tokens(idx)
        score = 0.0
        name_hits = 0
        matched_names: set[int] = set()
        for m in matches:
            best, hit = _best_token(m, name_tokens, city_tokens, matched_names)
            if hit is not None:
                name_hits += 1
                matched_names.add(hit)
            score += best
        if name_hits == 0:
            return None
        kind = self._kind(idx)
        score -= 0.3 * len(name_tokens - matched_names)
        score += KIND_BONUS.get(kind, 0.0)
        if number is not None:
            if kind == "address":
                if self._number(idx) != number:
                    return None
                score += 2.0
        elif kind == "address":
            score -= 1.0
        return score

    def geocode(self, query: str) -> GeocodedPlace:
        """Best match for ``query``.

        A house number that is not in the index falls back to the street (``kind="street"``).
        Raises :class:`AddressNotFound` when nothing matches and :class:`OutsideNetworkArea`
        when the match lies outside ``bounds``. Answers are remembered (the last
        ``GEOCODE_CACHE_SIZE`` queries, forgotten when places are added): pages geocode the
        same few addresses on every view, and a misspelt word costs a fuzzy search of the
        whole vocabulary.
        """
        remembered = self.__dict__.get("_remembered")
        if remembered is None:  # one per geocoder, made on its first query
            remembered = self.__dict__["_remembered"] = lru_cache(GEOCODE_CACHE_SIZE)(
                self._outcome)
        answer = remembered(query, len(self))
        if isinstance(answer, Exception):
            raise type(answer)(*answer.args)
        return answer

    def _outcome(self, query: str, _size: int) -> GeocodedPlace | RoutingError:
        """The answer to ``query`` while the index holds ``_size`` places, or its refusal."""
        try:
            return self._geocode(query)
        except (AddressNotFound, OutsideNetworkArea) as error:
            return error

    def _geocode(self, query: str) -> GeocodedPlace:
        results = self.search(query, limit=1)
        if not results:
            raise AddressNotFound(f"no address, street or place matches {query!r}")
        best = results[0]
        if not self.covers(best.lat, best.lon):
            raise OutsideNetworkArea(
                f"{best.label!r} ({best.lat:.5f}, {best.lon:.5f}) is outside the covered area")
        return best

    def _near(self, lat: float, lon: float, max_d: float) -> tuple[np.ndarray, np.ndarray]:
        """Distances and entries of the points within ``max_d`` metres, nearest first
        (at most :data:`REVERSE_NEAREST`); projected as the whole index's mean latitude."""
        lats, lons, ents = [], [], []
        count = len(self._rev_points)
        lat_sum = sum(p[0] for p in self._rev_points)
        if self._base is not None:
            b = self._base
            meta, grid = b.meta, b.meta["grid"]
            count += len(b.rev_lat)
            lat_sum += meta["lat_sum"]
            lat0 = meta["lat0"] if not self._rev_points else lat_sum / count
            # the grid is in the saved projection; widen the window if lat0 moved
            stretch = max(1.0, math.cos(math.radians(meta["lat0"]))
                          / math.cos(math.radians(lat0)))
            qx, qy = project_m(np.array([lat]), np.array([lon]), meta["lat0"])[0]
            cell_m, nx, ny = grid["cell_m"], grid["nx"], grid["ny"]
            radius = max_d * stretch + 1.0
            if math.isfinite(radius):
                cx0 = max(0, int((qx - radius - grid["x0"]) // cell_m))
                cx1 = min(nx - 1, int((qx + radius - grid["x0"]) // cell_m))
                cy0 = max(0, int((qy - radius - grid["y0"]) // cell_m))
                cy1 = min(ny - 1, int((qy + radius - grid["y0"]) // cell_m))
                rows = [(b.cell_first[r * nx + cx0], b.cell_first[r * nx + cx1 + 1])
                        for r in range(cy0, cy1 + 1)] if cx0 <= cx1 else []
                sel = (np.concatenate([np.arange(s, e) for s, e in rows]) if rows
                       else np.zeros(0, dtype=np.int64))
            else:
                sel = np.arange(len(b.rev_lat))
            lats.append(b.rev_lat[sel])
            lons.append(b.rev_lon[sel])
            ents.append(b.rev_entry[sel])
        elif count:
            lat0 = lat_sum / count
        if self._rev_points:
            extra = np.array(self._rev_points, dtype=np.float64)
            lats.append(extra[:, 0])
            lons.append(extra[:, 1])
            ents.append(extra[:, 2].astype(np.int64))
        if not count:
            raise AddressNotFound("the geocoder index is empty")
        lat_a, lon_a, ent = np.concatenate(lats), np.concatenate(lons), np.concatenate(ents)
        xy = project_m(lat_a, lon_a, lat0)
        q = project_m(np.array([lat]), np.array([lon]), lat0)[0]
        dist = np.sqrt((xy[:, 0] - q[0]) ** 2 + (xy[:, 1] - q[1]) ** 2)
        order = np.lexsort((ent, dist))[:REVERSE_NEAREST]  # a tie goes to the first entry
        dist, ent = dist[order], ent[order]
        keep = dist <= max_d
        return dist[keep], ent[keep]

    def reverse(self, lat: float, lon: float, *, max_distance_m: float | None = None
                ) -> GeocodedPlace:
        """Nearest address (within 30 m) or street/place/POI (within ``max_distance_m``)."""
        if not self.covers(lat, lon):
            raise OutsideNetworkArea(f"({lat:.5f}, {lon:.5f}) is outside the covered area")
        max_d = self.reverse_max_distance_m if max_distance_m is None else max_distance_m
        dist, ent = self._near(lat, lon, max_d)
        best = None
        for d, idx in zip(dist.tolist(), ent.tolist(), strict=True):
            kind = self._kind(int(idx))
            if kind == "address" and d > 30:
                continue
            key = (_REVERSE_RANK.get(kind, 5), d)
            if best is None or key < best[0]:
                best = (key, int(idx))
        if best is None:
            raise AddressNotFound(f"nothing known within {max_d:.0f} m of ({lat:.5f}, {lon:.5f})")
        return self._place(best[1])


# -- geopy-backed geocoders --------------------------------------------------------------------


@dataclass
class GeopyGeocoder:
    """Adapter giving a geopy geocoder the :class:`Geocoder` interface and named errors."""

    backend: object
    kind: str
    bounds: tuple[float, float, float, float] | None = None

    def _call(self, fn, *args, **kwargs):
        from geopy.exc import GeopyError  # lazy: geopy serves the online geocoders only

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
    from geopy.geocoders import BANFrance, Nominatim, Photon  # lazy: online geocoders only

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
