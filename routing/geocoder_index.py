"""The offline geocoder's index: places added in memory, saved as a memory-mapped bundle
(`routing/bundle.py`: nothing is unpickled) and loaded back. Searching it is
`routing.geocoding.OfflineGeocoder`, built on `IndexedPlaces`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .bundle import Bundle, write_bundle
from .exceptions import GeocoderNotConfigured
from .geocoding_words import KINDS, GeocodedPlace, normalize, tokenize
from .network import project_m
from .settings import default_cache_dir

#: the index bundle in the cache (with ``geocoder.index.json`` beside it)
GEOCODER_FILE = "geocoder.index"

#: string fields of a place, each stored as an id in the bundle's string table (-1 = None)
_FIELDS = ("label", "name", "housenumber", "street", "postcode", "city", "source",
           "attribution", "number")
#: side of the reverse-geocoding grid's cells
REVERSE_CELL_M = 200.0


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


def _reverse_grid(rev: np.ndarray) -> tuple[dict[str, np.ndarray], dict]:
    """The reverse-geocoding points (lat, lon, entry) sorted on a uniform grid of projected
    metres: their arrays and the grid's description for the bundle's metadata."""
    if len(rev):
        lat0 = float(rev[:, 0].mean())
        xy = project_m(rev[:, 0], rev[:, 1], lat0)
        x0, y0 = xy.min(axis=0)
        nx = int((xy[:, 0].max() - x0) // REVERSE_CELL_M) + 1
        ny = int((xy[:, 1].max() - y0) // REVERSE_CELL_M) + 1
    else:
        lat0, xy, (x0, y0), nx, ny = 45.0, np.zeros((0, 2)), (0.0, 0.0), 1, 1
    cell = (((xy[:, 1] - y0) // REVERSE_CELL_M).astype(np.int64) * nx
            + ((xy[:, 0] - x0) // REVERSE_CELL_M).astype(np.int64))
    by_cell = np.argsort(cell, kind="stable")
    arrays = {
        "rev_lat": rev[by_cell, 0].copy(), "rev_lon": rev[by_cell, 1].copy(),
        "rev_entry": rev[by_cell, 2].astype(np.int32),
        "cell_first": np.concatenate(
            [[0], np.cumsum(np.bincount(cell, minlength=nx * ny))]).astype(np.int64),
    }
    meta = {"lat0": lat0, "lat_sum": float(rev[:, 0].sum()) if len(rev) else 0.0,
            "grid": {"x0": float(x0), "y0": float(y0), "cell_m": REVERSE_CELL_M,
                     "nx": nx, "ny": ny}}
    return arrays, meta


class IndexedPlaces:
    """The places of an offline index; ``bounds`` = (south, west, north, east) it covers.

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

    def extend(self, places: Iterable[GeocodedPlace]) -> IndexedPlaces:
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
        order, new_id, vocab, vocab_rank = self._sorted_vocabulary()
        str_bytes, str_offsets, ids = self._string_ids(places)
        name_off, name_tok = _csr([sorted(new_id[list(a)].tolist()) for a, _ in tokens])
        city_off, city_tok = _csr([sorted(new_id[list(c)].tolist()) for _, c in tokens])
        posting_rows: list[list[int]] = [[] for _ in order]
        for i, (a, c) in enumerate(tokens):
            for tid in a | c:
                posting_rows[new_id[tid]].append(i)
        post_off, post_ids = _csr(posting_rows)
        rev_arrays, rev_meta = _reverse_grid(self._all_rev_points())
        arrays = {
            "str_bytes": str_bytes, "str_offsets": str_offsets,
            "lat": np.array([p.lat for p in places], dtype=np.float64),
            "lon": np.array([p.lon for p in places], dtype=np.float64),
            "kind": np.array([KINDS.index(p.kind) for p in places], dtype=np.uint8),
            **{f"f_{f}": a for f, a in ids.items()},
            "name_off": name_off, "name_tok": name_tok, "city_off": city_off,
            "city_tok": city_tok, "vocab": vocab, "vocab_rank": vocab_rank,
            "post_off": post_off, "post_ids": post_ids, **rev_arrays,
        }
        meta = {"format": 1, "bounds": self.bounds,
                "reverse_max_distance_m": self.reverse_max_distance_m, **rev_meta}
        write_bundle(path, arrays, meta=meta)

    def _sorted_vocabulary(self) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
        """(token ids in byte order, new id of each old id, the sorted fixed-width
        vocabulary, each sorted token's first-seen rank)."""
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
        return order, new_id, vocab, np.asarray(rank_old, dtype=np.int32)[order]

    def _string_ids(self, places: Sequence[GeocodedPlace]
                    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """The string table (bytes, offsets) and, per field, each place's string id."""
        strings: dict[str, int] = {}
        ids = {f: np.full(len(places), -1, dtype=np.int32) for f in _FIELDS}
        for i, place in enumerate(places):
            values = {f: getattr(place, f) for f in _FIELDS[:-1]}
            values["number"] = self._number(i)
            for f, value in values.items():
                if value is not None:
                    ids[f][i] = strings.setdefault(value, len(strings))
        str_bytes, str_offsets = _string_table(list(strings))
        return str_bytes, str_offsets, ids

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
    def load(cls, cache_dir: str | Path | None = None) -> IndexedPlaces:
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
