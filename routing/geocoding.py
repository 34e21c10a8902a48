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
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import osmium
import shapely.wkb
from osmium.geom import WKBFactory
from shapely.geometry import Point
from shapely.strtree import STRtree

from .bundle import Bundle, write_bundle
from .exceptions import (
    AddressNotFound,
    GeocoderNotConfigured,
    GeocoderUnavailable,
    OutsideNetworkArea,
)
from .network import haversine_m, project_m
from .settings import ATTRIBUTION, default_cache_dir

#: the index bundle in the cache (with ``geocoder.index.json`` beside it)
GEOCODER_FILE = "geocoder.index"

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


KIND_BONUS = {"address": 0.3, "municipality": 0.25, "street": 0.2, "place": 0.15, "poi": 0.1}
KINDS = ("address", "street", "municipality", "place", "poi")
#: string fields of a place, each stored as an id in the bundle's string table (-1 = None)
_FIELDS = ("label", "name", "housenumber", "street", "postcode", "city", "source",
           "attribution", "number")
#: the previous engine's cKDTree gave the 64 nearest points; reverse keeps that rule
REVERSE_NEAREST = 64
REVERSE_CELL_M = 200.0
_REVERSE_RANK = {"address": 0, "street": 1, "poi": 2, "place": 3, "municipality": 4}


@dataclass
class _Entry:
    """An entry added in memory (built, or added to a loaded index by ``extend``)."""

    place: GeocodedPlace
    name_tokens: frozenset[int]
    city_tokens: frozenset[int]
    number: str | None


def _string_table(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of ``values`` one after the other, and their offsets."""
    data = [v.encode() for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in data], out=offsets[1:])
    return np.frombuffer(b"".join(data), dtype=np.uint8).copy(), offsets


def _csr(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Ragged integer rows as (offsets, flat values)."""
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    flat = np.fromiter((x for r in rows for x in r), dtype=np.int32, count=int(offsets[-1]))
    return offsets, flat


class _MappedIndex:
    """The saved index, memory-mapped (``routing/bundle.py``): nothing is unpickled.

    Arrays: a string table (``str_bytes``/``str_offsets``); per entry its coordinates, kind and
    string ids, and its name and city token ids (CSR); the token vocabulary sorted
    (``vocab``, fixed-width bytes, searched with ``np.searchsorted``) with the order tokens
    were first seen (``vocab_rank``, kept so prefix matches come in the previous order); the
    posting list of every token (CSR, entry ids ascending); the reverse-geocoding points
    sorted on a uniform grid of projected metres.
    """

    def __init__(self, path: Path):
        b = Bundle(path)
        self.meta = b.meta
        self.str_bytes, self.str_offsets = b["str_bytes"], b["str_offsets"]
        self.lat, self.lon, self.kind = b["lat"], b["lon"], b["kind"]
        self.fields = {f: b[f"f_{f}"] for f in _FIELDS}
        self.name_off, self.name_tok = b["name_off"], b["name_tok"]
        self.city_off, self.city_tok = b["city_off"], b["city_tok"]
        self.vocab, self.vocab_rank = b["vocab"], b["vocab_rank"]
        self.post_off, self.post_ids = b["post_off"], b["post_ids"]
        self.rev_lat, self.rev_lon, self.rev_entry = b["rev_lat"], b["rev_lon"], b["rev_entry"]
        self.cell_first = b["cell_first"]
        self.size = len(self.lat)

    def string(self, sid: int) -> str | None:
        if sid < 0:
            return None
        return bytes(self.str_bytes[self.str_offsets[sid]:self.str_offsets[sid + 1]]).decode()

    def place(self, idx: int) -> GeocodedPlace:
        f = {name: self.string(int(arr[idx])) for name, arr in self.fields.items()}
        del f["number"]
        return GeocodedPlace(lat=float(self.lat[idx]), lon=float(self.lon[idx]),
                             kind=KINDS[int(self.kind[idx])], **f)

    def token_id(self, tok: str) -> int | None:
        key = tok.encode()
        if not len(self.vocab) or len(key) > self.vocab.itemsize:
            return None
        pos = int(np.searchsorted(self.vocab, key))
        return pos if pos < len(self.vocab) and self.vocab[pos] == key else None

    def prefixed(self, prefix: str) -> list[int]:
        """Ids of the tokens starting with ``prefix`` (not itself), in first-seen order."""
        key = prefix.encode()
        if not len(self.vocab) or len(key) > self.vocab.itemsize:
            return []
        lo = int(np.searchsorted(self.vocab, key))
        hi = int(np.searchsorted(self.vocab, key + b"\xff" * (self.vocab.itemsize - len(key))
                                 if len(key) < self.vocab.itemsize else key, side="right"))
        ids = [i for i in range(lo, hi) if self.vocab[i] != key]
        return sorted(ids, key=lambda i: int(self.vocab_rank[i]))

    def postings(self, tid: int) -> np.ndarray:
        return self.post_ids[self.post_off[tid]:self.post_off[tid + 1]]


class OfflineGeocoder:
    """Offline geocoding index; ``bounds`` = (south, west, north, east) it covers, or None.

    A saved index (:meth:`save`, :meth:`load`) is a memory-mapped bundle: opening it costs a
    few milliseconds at any size and the processes that open it share its pages. Places added
    in memory (:meth:`add`, :meth:`extend`, also after :meth:`load`) come after the saved ones.
    """

    def __init__(self, bounds: tuple[float, float, float, float] | None = None,
                 reverse_max_distance_m: float = 200.0, *, _base: _MappedIndex | None = None):
        self.bounds = bounds
        self.reverse_max_distance_m = reverse_max_distance_m
        self._base = _base
        self._base_size = _base.size if _base is not None else 0
        self._base_vocab = len(_base.vocab) if _base is not None else 0
        self._entries: list[_Entry] = []
        self._new_tokens: dict[str, int] = {}  # in first-seen order
        self._postings: dict[int, list[int]] = defaultdict(list)
        self._rev_points: list[tuple[float, float, int]] = []
        self._vocab_list: list[str] | None = None

    def __len__(self) -> int:
        return self._base_size + len(self._entries)

    # -- building -------------------------------------------------------------------------
    def _token_id(self, tok: str) -> int | None:
        if self._base is not None:
            tid = self._base.token_id(tok)
            if tid is not None:
                return tid
        return self._new_tokens.get(tok)

    def _intern(self, tok: str) -> int:
        tid = self._token_id(tok)
        if tid is None:
            tid = self._new_tokens[tok] = self._base_vocab + len(self._new_tokens)
            self._vocab_list = None
        return tid

    def add(self, place: GeocodedPlace, *,
            extra_points: Iterable[tuple[float, float]] = ()) -> None:
        """Add one place (and optional extra points, e.g. a street's nodes, for reverse)."""
        name = place.street if place.kind in ("address", "street") else place.name
        name_words = frozenset(tokenize(name or ""))
        if not name_words:
            return
        city_words = frozenset(tokenize(" ".join(p for p in (place.city, place.postcode) if p)))
        if place.kind == "municipality":
            city_words |= name_words
        # new tokens numbered in the order the previous index's posting dict first saw them
        # (that set union's order): prefix matches keep coming in that order
        for tok in name_words | city_words:
            self._intern(tok)
        name_tokens = frozenset(self._token_id(t) for t in name_words)
        city_tokens = frozenset(self._token_id(t) for t in city_words)
        number = normalize(place.housenumber).replace(" ", "") if place.housenumber else None
        idx = len(self)
        self._entries.append(_Entry(place, name_tokens, city_tokens, number))
        for tid in name_tokens | city_tokens:
            self._postings[tid].append(idx)
        self._rev_points.append((place.lat, place.lon, idx))
        self._rev_points.extend((la, lo, idx) for la, lo in extra_points)

    def extend(self, places: Iterable[GeocodedPlace]) -> OfflineGeocoder:
        """Add many places (e.g. from :func:`import_address_csv`); returns self."""
        for place in places:
            self.add(place)
        return self

    # -- entries --------------------------------------------------------------------------
    def _place(self, idx: int) -> GeocodedPlace:
        if idx < self._base_size:
            return self._base.place(idx)
        return self._entries[idx - self._base_size].place

    def _kind(self, idx: int) -> str:
        if idx < self._base_size:
            return KINDS[int(self._base.kind[idx])]
        return self._entries[idx - self._base_size].place.kind

    def _tokens(self, idx: int) -> tuple[frozenset[int], frozenset[int]]:
        if idx < self._base_size:
            b = self._base
            return (frozenset(b.name_tok[b.name_off[idx]:b.name_off[idx + 1]].tolist()),
                    frozenset(b.city_tok[b.city_off[idx]:b.city_off[idx + 1]].tolist()))
        entry = self._entries[idx - self._base_size]
        return entry.name_tokens, entry.city_tokens

    def _number(self, idx: int) -> str | None:
        if idx < self._base_size:
            return self._base.string(int(self._base.fields["number"][idx]))
        return self._entries[idx - self._base_size].number

    def _vocabulary(self) -> list[str]:
        """Every token as a string (decoded once, for typo matching)."""
        if self._vocab_list is None:
            base = [] if self._base is None else [v.decode() for v in self._base.vocab.tolist()]
            self._vocab_list = base + list(self._new_tokens)
        return self._vocab_list

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the index as a bundle (``path`` and ``path.json``) that :meth:`load` maps."""
        n = len(self)
        places = [self._place(i) for i in range(n)]
        tokens = [self._tokens(i) for i in range(n)]
        vocab_old = self._vocabulary()
        if self._base is not None:  # first-seen rank: saved tokens first, then new ones
            rank_old = np.concatenate([np.asarray(self._base.vocab_rank, dtype=np.int64),
                                       self._base_vocab + np.arange(len(self._new_tokens))])
        else:
            rank_old = np.arange(len(vocab_old))
        order = sorted(range(len(vocab_old)), key=lambda t: vocab_old[t].encode())
        new_id = np.empty(len(vocab_old), dtype=np.int32)
        new_id[order] = np.arange(len(order), dtype=np.int32)
        width = max([len(v.encode()) for v in vocab_old] + [1])
        vocab = np.array([vocab_old[t].encode() for t in order], dtype=f"S{width}")
        strings: dict[str, int] = {}
        ids = {f: np.full(n, -1, dtype=np.int32) for f in _FIELDS}
        for i, place in enumerate(places):
            values = {f: getattr(place, f) for f in _FIELDS[:-1]}
            values["number"] = self._number(i)
            for f, value in values.items():
                if value is not None:
                    ids[f][i] = strings.setdefault(value, len(strings))
        str_bytes, str_offsets = _string_table(list(strings))
        name_off, name_tok = _csr([sorted(new_id[list(a)].tolist()) for a, _ in tokens])
        city_off, city_tok = _csr([sorted(new_id[list(c)].tolist()) for _, c in tokens])
        posting_rows: list[list[int]] = [[] for _ in order]
        for i, (a, c) in enumerate(tokens):
            for tid in a | c:
                posting_rows[new_id[tid]].append(i)
        post_off, post_ids = _csr(posting_rows)
        rev = self._all_rev_points()
        lat0 = float(rev[:, 0].mean()) if len(rev) else 45.0
        xy = project_m(rev[:, 0], rev[:, 1], lat0) if len(rev) else np.zeros((0, 2))
        x0, y0 = (xy.min(axis=0) if len(rev) else (0.0, 0.0))
        nx = int((xy[:, 0].max() - x0) // REVERSE_CELL_M) + 1 if len(rev) else 1
        ny = int((xy[:, 1].max() - y0) // REVERSE_CELL_M) + 1 if len(rev) else 1
        cell = (((xy[:, 1] - y0) // REVERSE_CELL_M).astype(np.int64) * nx
                + ((xy[:, 0] - x0) // REVERSE_CELL_M).astype(np.int64))
        by_cell = np.argsort(cell, kind="stable")
        arrays = {
            "str_bytes": str_bytes, "str_offsets": str_offsets,
            "lat": np.array([p.lat for p in places], dtype=np.float64),
            "lon": np.array([p.lon for p in places], dtype=np.float64),
            "kind": np.array([KINDS.index(p.kind) for p in places], dtype=np.uint8),
            **{f"f_{f}": a for f, a in ids.items()},
            "name_off": name_off, "name_tok": name_tok, "city_off": city_off,
            "city_tok": city_tok, "vocab": vocab,
            "vocab_rank": np.asarray(rank_old, dtype=np.int32)[order],
            "post_off": post_off, "post_ids": post_ids,
            "rev_lat": rev[by_cell, 0].copy(), "rev_lon": rev[by_cell, 1].copy(),
            "rev_entry": rev[by_cell, 2].astype(np.int32),
            "cell_first": np.concatenate(
                [[0], np.cumsum(np.bincount(cell, minlength=nx * ny))]).astype(np.int64),
        }
        meta = {"format": 1, "bounds": self.bounds,
                "reverse_max_distance_m": self.reverse_max_distance_m,
                "lat0": lat0, "lat_sum": float(rev[:, 0].sum()) if len(rev) else 0.0,
                "grid": {"x0": float(x0), "y0": float(y0), "cell_m": REVERSE_CELL_M,
                         "nx": nx, "ny": ny}}
        write_bundle(path, arrays, meta=meta)

    def _all_rev_points(self) -> np.ndarray:
        """(lat, lon, entry) of every reverse-geocoding point, saved ones first."""
        parts = []
        if self._base is not None:
            b = self._base
            parts.append(np.column_stack([b.rev_lat, b.rev_lon, b.rev_entry]))
        if self._rev_points:
            parts.append(np.array(self._rev_points, dtype=np.float64))
        return np.concatenate(parts) if parts else np.zeros((0, 3))

    @classmethod
    def load(cls, cache_dir: str | Path | None = None) -> OfflineGeocoder:
        """Map the index written by :func:`routing.build_cache` into ``cache_dir``."""
        path = Path(cache_dir or default_cache_dir()) / GEOCODER_FILE
        try:
            base = _MappedIndex(path)
        except FileNotFoundError as exc:
            raise GeocoderNotConfigured(
                f"no geocoder index at {path}; run `python -m routing build`") from exc
        bounds = base.meta["bounds"]
        return cls(tuple(bounds) if bounds is not None else None,
                   base.meta["reverse_max_distance_m"], _base=base)

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
        base = None
        if self._base is not None:
            b = self._base
            per_word = [[b.postings(t) for t, _ in m if t < self._base_vocab] for m in matches]
            sizes = [sum(len(p) for p in lists) for lists in per_word]
            first = int(np.argmin(sizes))
            base = (np.unique(np.concatenate(per_word[first])) if per_word[first]
                    else np.zeros(0, dtype=np.int32))
            for w, lists in enumerate(per_word):  # probe the big lists with the small set
                if w == first or not len(base):
                    continue
                keep = np.zeros(len(base), dtype=bool)
                for post in lists:
                    if not len(post):
                        continue
                    pos = np.minimum(np.searchsorted(post, base), len(post) - 1)
                    keep |= post[pos] == base
                base = base[keep]
        over: set[int] | None = None
        for m in matches:
            ids = set().union(*(self._postings.get(t, ()) for t, _ in m))
            over = ids if over is None else over & ids
        return (base.tolist() if base is not None else []) + sorted(over or ())

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
        scored = []
        for idx in self._candidates(matches):
            name_tokens, city_tokens = self._tokens(idx)
            score = 0.0
            name_hits = 0
            matched_names: set[int] = set()
            for m in matches:
                best, hit = 0.0, None
                for tok, weight in m:
                    if tok in name_tokens and tok not in matched_names:
                        if weight * 2 > best:
                            best, hit = weight * 2, tok
                    elif tok in city_tokens and weight > best:
                        best, hit = weight, None
                if hit is not None:
                    name_hits += 1
                    matched_names.add(hit)
                score += best
            if name_hits == 0:
                continue
            kind = self._kind(idx)
            score -= 0.3 * len(name_tokens - matched_names)
            score += KIND_BONUS.get(kind, 0.0)
            if number is not None:
                if kind == "address":
                    if self._number(idx) != number:
                        continue
                    score += 2.0
            elif kind == "address":
                score -= 1.0
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


def build_geocoder(pbf_path: str | Path, into=None) -> OfflineGeocoder:
    """Build an :class:`OfflineGeocoder` from an OSM extract (or fill ``into``, an empty
    index with the same ``add``, e.g. the previous one the tests compare with).

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
    geocoder = OfflineGeocoder() if into is None else into
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
