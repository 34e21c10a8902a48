"""The compact, memory-mapped layout of a road network and of its contraction hierarchies.

One network (``walk``, ``cycle``, ``two_wheel_motor``, ``car``) is one bundle
(``networks/<name>.graph``, see :mod:`routing.bundle`):

- nodes: ``node_ids`` (OSM ids), ``lat``, ``lon``;
- edges in CSR order (sorted by tail node): ``first_out`` (N + 1), ``edge_v`` (head),
  ``edge_length_m``, ``edge_highway`` (uint8 code into ``meta["highways"]``),
  ``edge_maxspeed_kmh`` (NaN when untagged; float32 when that is exact),
  ``edge_grade`` (NaN without elevation data, then never read);
- one flat geometry array ``geom_points`` ((lat, lon) rows: int32 units of 1e-7 degree when
  every point decodes back exactly, as OSM coordinates do, else float64) with
  ``geom_offsets`` (E + 1, int32);
- the snapping index: ``snap_node`` (nodes of the largest strongly connected component), their
  projected ``snap_x``/``snap_y`` and a uniform grid ``cell_first``/``cell_node``.

A metric (edge weights of a mode) gets its contraction hierarchy in
``networks/<name>.<metric>.ch``, laid out for searches by :func:`search_layout` (nodes
renumbered by level and space, so that a query reads few pages; callers never see that
numbering). Walking, cycling and e-bike
times are proportional to length when there is no elevation data, so they share one ``flat``
hierarchy per network, whatever the speeds; motor modes have one per speed setting.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from . import _ch
from .bundle import Bundle, write_bundle
from .exceptions import NetworkNotConfigured
from .network import EARTH_RADIUS_M, NETWORK_OF_MODE, TWO_WHEEL_MOTOR, project_m
from .settings import BIKE, WALK, SpeedSettings

GRAPH_SUFFIX = ".graph"
#: Stored geometry in int32 units of 1e-7 degree (OSM's precision) when that is exact.
FIXED_SCALE = 1e7
#: Speed (km/h) the ``flat`` hierarchy of each network is weighted with.
FLAT_REFERENCE_KMH = {"walk": 4.5, "cycle": 15.0}
#: Modes whose time on an edge is length / flat speed (when edges carry no grade).
FLAT_MODES = frozenset({WALK, BIKE, "e_bike"})
#: A hierarchy's levels (:func:`search_layout`) grow by 2 ** LEVEL_BITS: the top 7 nodes,
#: the next 56, the next 448... (3 gave the fewest pages read per search on the 160k
#: territory: 5.9 MB for 40 walking routes, against 7.5 with 1 and 10.8 in input order).
LEVEL_BITS = 3


def graph_arrays(net: dict, *, grade: np.ndarray | None = None) -> tuple[dict, dict]:
    """CSR arrays and metadata of a network given as :func:`routing.builder` arrays."""
    u = np.asarray(net["edge_u"], dtype=np.int64)
    v = np.asarray(net["edge_v"], dtype=np.int64)
    n = len(net["node_ids"])
    order = np.argsort(u, kind="stable")
    names = sorted(set(net["edge_highway"]))
    code_of = {h: i for i, h in enumerate(names)}
    codes = np.array([code_of[h] for h in net["edge_highway"]], dtype=np.uint8)
    offsets = np.asarray(net["geom_offsets"], dtype=np.int64)
    sizes = np.diff(offsets)[order]
    starts = offsets[:-1][order]
    new_offsets = np.concatenate([[0], np.cumsum(sizes)])
    idx = np.repeat(starts - new_offsets[:-1], sizes) + np.arange(new_offsets[-1])
    points = _compact_points(np.asarray(net["geom_points"], dtype=np.float64)[idx])
    grade = np.full(len(u), np.nan) if grade is None else np.asarray(grade, dtype=float)
    lat = np.asarray(net["lat"], dtype=np.float64)
    lon = np.asarray(net["lon"], dtype=np.float64)
    arrays = {
        "node_ids": np.asarray(net["node_ids"], dtype=np.int64),
        "lat": lat,
        "lon": lon,
        "first_out": np.searchsorted(u[order], np.arange(n + 1)).astype(np.int32),
        "edge_v": v[order].astype(np.int32),
        "edge_length_m": np.asarray(net["edge_length_m"], dtype=np.float64)[order],
        "edge_highway": codes[order],
        "edge_maxspeed_kmh": _narrowest_float(
            np.asarray(net["edge_maxspeed_kmh"], dtype=np.float64)[order]),
        "edge_grade": grade[order],
        "geom_offsets": new_offsets.astype(
            np.int32 if new_offsets[-1] < np.iinfo(np.int32).max else np.int64),
        "geom_points": points,
    }
    # snapping: nodes of the largest strongly connected component, on a uniform grid
    topo = csr_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    _, labels = connected_components(topo, directed=True, connection="strong")
    snap = np.flatnonzero(labels == np.bincount(labels).argmax())
    lat0 = float(np.mean(lat))
    xy = project_m(lat[snap], lon[snap], lat0)
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    area = max((x1 - x0) * (y1 - y0), 1.0)
    cell_m = max(25.0, math.sqrt(area / max(len(snap), 1)) * 1.5)
    nx = int((x1 - x0) // cell_m) + 1
    ny = int((y1 - y0) // cell_m) + 1
    cell = ((xy[:, 1] - y0) // cell_m).astype(np.int64) * nx + ((xy[:, 0] - x0) // cell_m)
    cell = cell.astype(np.int64)
    arrays["snap_node"] = snap.astype(np.int32)
    arrays["snap_x"] = xy[:, 0].copy()
    arrays["snap_y"] = xy[:, 1].copy()
    arrays["cell_first"] = np.concatenate(
        [[0], np.cumsum(np.bincount(cell, minlength=nx * ny))]).astype(np.int32)
    arrays["cell_node"] = np.argsort(cell, kind="stable").astype(np.int32)
    meta = {"highways": names, "lat0": lat0, "grid": {"x0": float(x0), "y0": float(y0),
                                                      "cell_m": cell_m, "nx": nx, "ny": ny},
            "has_grade": bool(np.isfinite(grade).any())}
    return arrays, meta


def _compact_points(points: np.ndarray) -> np.ndarray:
    """``points`` as int32 multiples of :data:`FIXED_SCALE` (OSM's own precision: half the
    bytes) when every point decodes back to exactly the same float64, else as they are."""
    if len(points) == 0 or not np.isfinite(points).all() or np.abs(points).max() > 180:
        return points
    fixed = np.round(points * FIXED_SCALE).astype(np.int32)
    return fixed if np.array_equal(fixed / FIXED_SCALE, points) else points


def _narrowest_float(values: np.ndarray) -> np.ndarray:
    """``values`` as float32 when that is exact (NaN included), else float64."""
    narrow = values.astype(np.float32)
    same = (narrow.astype(np.float64) == values) | (np.isnan(values) & np.isnan(narrow))
    return narrow if same.all() else values


class Graph:
    """One network, memory-mapped from its bundle (see the module docstring)."""

    def __init__(self, name: str, path: str | Path):
        self.name = name
        self.path = Path(path)
        try:
            self.bundle = Bundle(self.path)
        except FileNotFoundError as exc:
            raise NetworkNotConfigured(
                f"no network cache at {path}; run `python -m routing build`") from exc
        b = self.bundle
        self.meta = b.meta
        self.node_ids = b["node_ids"]
        self.lat = b["lat"]
        self.lon = b["lon"]
        self.first_out = b["first_out"]
        self.edge_v = b["edge_v"]
        self.edge_length_m = b["edge_length_m"]
        self.edge_highway_code = b["edge_highway"]
        self.edge_maxspeed_kmh = b["edge_maxspeed_kmh"]
        self.edge_grade = b["edge_grade"]
        self.geom_offsets = b["geom_offsets"]
        #: the geometry as stored: float64 degrees, or int32 multiples of 1e-7 degree
        self.geom_stored = b["geom_points"]
        self.highway_names: list[str] = self.meta["highways"]
        self.has_grade: bool = self.meta["has_grade"]
        self.lat0: float = self.meta["lat0"]
        grid = self.meta["grid"]
        self._grid = (b["snap_x"], b["snap_y"], b["cell_first"], b["cell_node"],
                      grid["x0"], grid["y0"], grid["cell_m"], grid["nx"], grid["ny"])
        self.snap_nodes = b["snap_node"]

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def edge_count(self) -> int:
        """Number of edges."""
        return len(self.edge_v)

    @cached_property
    def edge_u(self) -> np.ndarray:
        """Tail node of every edge (expanded from the CSR index; built on first use)."""
        return np.repeat(np.arange(self.node_count, dtype=np.int32), np.diff(self.first_out))

    @cached_property
    def edge_highway(self) -> np.ndarray:
        """Highway class of every edge as strings (built on first use)."""
        return np.array(self.highway_names, dtype=object)[self.edge_highway_code]

    @property
    def geom_points(self) -> np.ndarray:
        """All edges' (lat, lon) points as float64 (decoded in memory when stored fixed)."""
        return _decoded(self.geom_stored)

    def edge_points(self, edge: int) -> np.ndarray:
        """(lat, lon) points of one edge."""
        return _decoded(self.geom_stored[self.geom_offsets[edge]:self.geom_offsets[edge + 1]])

    def path_geometry(self, edges: np.ndarray) -> list[tuple[float, float]]:
        """Points of consecutive edges, without repeating the shared end points."""
        scale = FIXED_SCALE if self.geom_stored.dtype == np.int32 else 1.0
        return _ch.path_points(self.geom_offsets, self.geom_stored,
                               np.ascontiguousarray(edges, dtype=np.int64), scale)

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of the largest strongly connected component and its distance (m)."""
        pos, dist = _ch.nearest_latlon(
            *self._grid, self.lat0, EARTH_RADIUS_M,
            np.ascontiguousarray(np.atleast_1d(lat), dtype=np.float64),
            np.ascontiguousarray(np.atleast_1d(lon), dtype=np.float64))
        return self.snap_nodes[pos].astype(np.int64), dist


def _decoded(points: np.ndarray) -> np.ndarray:
    """Stored geometry points as float64 degrees."""
    return points / FIXED_SCALE if points.dtype == np.int32 else points


def write_graph(path: str | Path, net: dict, *, grade: np.ndarray | None = None,
                meta: dict | None = None) -> None:
    """Write a network bundle from :func:`routing.builder` arrays."""
    arrays, graph_meta = graph_arrays(net, grade=grade)
    write_bundle(path, arrays, meta={**graph_meta, **(meta or {})})


# -- speeds and metrics --------------------------------------------------------------------


def edge_speeds_kmh(graph: Graph, mode: str, speeds: SpeedSettings,
                    edges: np.ndarray | None = None) -> np.ndarray:
    """Speed of ``mode`` on ``edges`` (default all) of ``graph``, km/h.

    Same rules as :func:`routing.network.edge_speeds_kmh`.
    """
    if NETWORK_OF_MODE[mode] != graph.name:
        raise NetworkNotConfigured(f"mode {mode!r} does not route on network {graph.name!r}")
    sel = slice(None) if edges is None else edges
    flat = speeds.flat_speed_kmh(mode)
    if flat is not None:
        if not graph.has_grade:  # no need to read the (NaN) grades
            return np.full(graph.edge_count if edges is None else len(edges), flat)
        grade = graph.edge_grade[sel]
        out = np.full(len(grade), flat)
        has = ~np.isnan(grade)
        if has.any():
            out[has] = [speeds.graded_speed_kmh(mode, g) for g in grade[has]]
        return out
    road = _road_speeds(graph, speeds)[graph.edge_highway_code[sel]]
    maxspeed = graph.edge_maxspeed_kmh[sel]
    out = np.where(np.isnan(maxspeed), road, np.minimum(maxspeed, road * 1.5))
    out = out * speeds.road_speed_factor
    cap = speeds.two_wheel_motor_max_kmh if mode == TWO_WHEEL_MOTOR else speeds.car_max_kmh
    return np.clip(out, 1.0, cap)


def _road_speeds(graph: Graph, speeds: SpeedSettings) -> np.ndarray:
    """Class speed of each highway code of ``graph`` (memoised per settings object)."""
    memo = graph.__dict__.setdefault("_road_speed_memo", {})
    key = id(speeds)
    found = memo.get(key)
    if found is None or found[0] is not speeds:
        found = memo[key] = (speeds, np.array([speeds.road_speeds_kmh.get(h, 25.0)
                                               for h in graph.highway_names]))
    return found[1]


def edge_times_s(graph: Graph, mode: str, speeds: SpeedSettings,
                 edges: np.ndarray | None = None) -> np.ndarray:
    """Free-flow time (s) of ``mode`` on ``edges`` (default all), at least 1 ms."""
    length = graph.edge_length_m if edges is None else graph.edge_length_m[edges]
    return np.maximum(length / (edge_speeds_kmh(graph, mode, speeds, edges) / 3.6), 1e-3)


def metric_of(graph: Graph, mode: str, speeds: SpeedSettings) -> tuple[str, float]:
    """``(metric key, duration scale)`` of ``mode``: the hierarchy it searches and the factor
    from that hierarchy's weights to the mode's durations (tables only)."""
    flat = speeds.flat_speed_kmh(mode)
    if flat is not None and not graph.has_grade and graph.name in FLAT_REFERENCE_KMH:
        return "flat", FLAT_REFERENCE_KMH[graph.name] / flat
    fields = asdict(speeds)
    if flat is None:  # motor modes: the road speeds and caps only
        relevant = {k: fields[k] for k in ("road_speeds_kmh", "road_speed_factor",
                                           "two_wheel_motor_max_kmh", "car_max_kmh")}
    else:  # graded muscle modes: their own speed and the slope rules
        relevant = {k: v for k, v in fields.items()
                    if k.startswith((mode + "_", "downhill", "max_downhill", "min_speed"))}
    digest = hashlib.sha1(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:10]
    return f"{mode}-{digest}", 1.0


def metric_times(graph: Graph, key: str, mode: str, speeds: SpeedSettings) -> np.ndarray:
    """Edge weights (s) of metric ``key``."""
    if key == "flat":
        ref = FLAT_REFERENCE_KMH[graph.name]
        return np.maximum(graph.edge_length_m / (ref / 3.6), 1e-3)
    return edge_times_s(graph, mode, speeds)


def hierarchy_arrays(graph: Graph, times: np.ndarray) -> dict[str, np.ndarray]:
    """Contract ``graph`` weighted by ``times`` (the fastest of parallel edges kept) and lay
    the hierarchy out for searches (:func:`search_layout`)."""
    n = graph.node_count
    u = graph.edge_u.astype(np.int64)
    v = graph.edge_v.astype(np.int64)
    order = np.lexsort((times, v, u))
    key = u[order] * n + v[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    sel = order[first]
    sel = sel[u[sel] != v[sel]]  # self-loops never shorten a path
    raw = _ch.contract(n, u[sel].astype(np.int32), v[sel].astype(np.int32),
                       np.ascontiguousarray(times[sel], dtype=np.float64),
                       np.ascontiguousarray(graph.edge_length_m[sel], dtype=np.float64))
    return search_layout(raw, sel, hilbert_rank(np.asarray(graph.lat), np.asarray(graph.lon)))


def hilbert_rank(lat: np.ndarray, lon: np.ndarray, bits: int = 16) -> np.ndarray:
    """Position of each point along a Hilbert curve over the points' bounding box (nearby
    points get nearby positions)."""
    if len(lat) == 0:
        return np.empty(0, dtype=np.int64)
    side = (1 << bits) - 1

    def grid(c):
        lo, hi = float(c.min()), float(c.max())
        return np.round((c - lo) / max(hi - lo, 1e-12) * side).astype(np.int64)

    x, y, d = grid(lon), grid(lat), np.zeros(len(lat), dtype=np.int64)
    s = 1 << (bits - 1)
    while s > 0:  # the classic xy → d conversion, on every point at once
        rx = (x & s) > 0
        ry = (y & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        flip = ~ry & rx
        x = np.where(flip, side - x, x)
        y = np.where(flip, side - y, y)
        swap = ~ry
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        s >>= 1
    return d


def search_layout(raw: dict, input_edge: np.ndarray, spatial: np.ndarray
                  ) -> dict[str, np.ndarray]:
    """The arrays :class:`routing._ch.Hierarchy` searches, from :func:`routing._ch.contract`'s.

    The nodes are renumbered so that a search touches few pages of the memory-mapped file:
    by level of contraction rank (:data:`LEVEL_BITS`: the high ranks every search reaches
    are packed together at the start), and within a level in ``spatial`` order (a search's
    start neighbourhood and a path's unpacking stay local). Each node holds its arcs
    contiguously, upward ones (to higher ranks) then downward ones (from higher ranks), in
    the order contraction gave them; an arc records only its other end. The searches break
    ties between equal distances by input node id, so they find the same paths as before
    the renumbering. Arrays: ``arc_search`` (``(A, 4)`` int32: the weight's float64 bits,
    the other end and its input id, what a search reads of an arc in one row),
    ``arc_child`` (``(A, 2)``: a shortcut's two arcs, or ``(-1 - edge, -1)`` for a network
    edge), ``arc_length`` (tables only), ``node_arcs`` (``(N + 1, 2)``: first arc, first
    downward arc), ``node_of`` (input node → node), ``input_node`` (node → input node).
    """
    rank = np.asarray(raw["rank"], dtype=np.int64)
    n = len(rank)
    level = np.floor(np.log2(np.maximum(n - rank, 1)) / LEVEL_BITS).astype(np.int64)
    input_node = np.lexsort((spatial, level)).astype(np.int32)  # node → input node
    node_of = np.empty(n, dtype=np.int32)
    node_of[input_node] = np.arange(n, dtype=np.int32)
    up_first, down_first = raw["up_first"], raw["down_first"]
    up_owner = node_of[np.repeat(np.arange(n), np.diff(up_first))]
    down_owner = node_of[np.repeat(np.arange(n), np.diff(down_first))]
    owner = np.concatenate([up_owner, down_owner])
    down = np.concatenate([np.zeros(len(up_owner), bool), np.ones(len(down_owner), bool)])
    perm = np.lexsort((np.arange(len(owner)), down, owner))  # stable within each list
    old = np.concatenate([raw["up_arc"], raw["down_arc"]])[perm]  # new arc → raw arc
    new_of_old = np.empty(len(old), dtype=np.int64)
    new_of_old[old] = np.arange(len(old))
    down = down[perm]
    other = np.where(down, raw["arc_tail"][old], raw["arc_head"][old])
    first, second = raw["arc_first"][old].astype(np.int64), raw["arc_second"][old]
    child = np.empty((len(old), 2), dtype=np.int32)
    leaf = first < 0
    child[leaf, 0] = -1 - np.asarray(input_edge)[-1 - first[leaf]]
    child[leaf, 1] = -1
    child[~leaf, 0] = new_of_old[first[~leaf]]
    child[~leaf, 1] = new_of_old[second[~leaf]]
    search = np.empty((len(old), 4), dtype=np.int32)
    search[:, :2] = np.ascontiguousarray(raw["arc_weight"][old], dtype="<f8").view(
        np.int32).reshape(-1, 2)
    search[:, 2] = node_of[other]
    search[:, 3] = other
    n_up = np.bincount(up_owner, minlength=n)
    first_arc = np.concatenate([[0], np.cumsum(n_up + np.bincount(down_owner, minlength=n))])
    node_arcs = np.empty((n + 1, 2), dtype=np.int32)
    node_arcs[:, 0] = first_arc
    node_arcs[:-1, 1] = first_arc[:-1] + n_up
    node_arcs[-1, 1] = first_arc[-1]
    return {"arc_search": search, "arc_child": child, "node_arcs": node_arcs,
            "node_of": node_of, "input_node": input_node,
            "arc_length": raw["arc_length"][old]}


#: Search buffers (distances, parents) that hierarchies searched one at a time can share.
SearchState = _ch.SearchState


def hierarchy_path(cache: Path, network: str, key: str) -> Path:
    """Where the hierarchy of ``network`` for metric ``key`` is cached."""
    return cache / "networks" / f"{network}.{key}.ch"


class Hierarchy:
    """A contraction hierarchy of one network and metric, ready for queries; ``state`` (a
    :class:`SearchState`) may be shared by hierarchies never searched at the same time."""

    def __init__(self, arrays, *, key: str, state: _ch.SearchState | None = None):
        self.key = key
        self.arrays = arrays
        self.core = _ch.Hierarchy(arrays, 1.0, state)

    def path_edges(self, s: int, t: int) -> np.ndarray | None:
        """Network edges of the fastest path ``s → t`` (empty when s == t), None if none."""
        return self.core.path(int(s), int(t))

    def table(self, sources: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Durations (s) and lengths (m), ``(S, T)``; NaN where there is no path."""
        dur, length = self.core.table(np.ascontiguousarray(sources, dtype=np.int32),
                                      np.ascontiguousarray(targets, dtype=np.int32))
        dur[~np.isfinite(dur)] = np.nan
        return dur, length

