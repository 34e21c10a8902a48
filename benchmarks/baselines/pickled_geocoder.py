"""The previous offline geocoder index, kept as the reference the compact one is compared with.

:class:`PickledGeocoder` is the index of cache format 3: Python objects (one dataclass and two
frozensets per entry, a dict of posting sets, a cKDTree for reverse geocoding) pickled whole.
At 40,000 nodes opening it took 1.4 s and ~180 MB per process. Same matching rules
(``routing.geocoding_words``: tokens, abbreviations; ``routing.geocoding``: scores);
``tests/routing/test_geocoder_index.py`` checks that :class:`routing.OfflineGeocoder` answers the
same. The benchmarks' baseline (``python -m benchmarks.territories``), not used by the
application.
"""

from __future__ import annotations

import difflib
import math
import pickle
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from routing.exceptions import AddressNotFound, OutsideNetworkArea
from routing.geocoding import KIND_BONUS
from routing.geocoding_words import HOUSENUMBER_RE, GeocodedPlace, normalize, tokenize
from routing.network import project_m


@dataclass
class _Entry:
    place: GeocodedPlace
    name_tokens: frozenset[str]
    city_tokens: frozenset[str]
    number: str | None


@dataclass
class PickledGeocoder:
    """The previous in-memory index (pickled whole); ``bounds`` = (south, west, north, east)."""

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

    def extend(self, places: Iterable[GeocodedPlace]) -> PickledGeocoder:
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
    def load(cls, path: str | Path) -> PickledGeocoder:
        """Load an index written by :meth:`save`."""
        with open(path, "rb") as fh:
            return pickle.load(fh)

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
