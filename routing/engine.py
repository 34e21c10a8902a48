"""Routing engines: one interface, a local engine on the cached graphs, an OSRM HTTP client.

Points are ``(lat, lon)`` tuples. Durations are free-flow (no traffic), distances along the
fastest path for the mode.
"""

from __future__ import annotations

import abc
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import requests

from .bundle import Bundle
from .exceptions import (
    NetworkNotConfigured,
    NoRouteFound,
    OutsideNetworkArea,
    RoutingError,
    RoutingServerUnavailable,
)
from .graph import (
    GRAPH_SUFFIX,
    Graph,
    Hierarchy,
    SearchState,
    edge_speeds_kmh,
    edge_times_s,
    hierarchy_arrays,
    hierarchy_path,
    metric_of,
    metric_times,
)
from .settings import (
    ATTRIBUTION,
    MODES,
    NETWORK_OF_MODE,
    SpeedSettings,
    check_mode,
    default_cache_dir,
)

Point = tuple[float, float]
log = logging.getLogger(__name__)
#: Version of the cache layout :class:`LocalEngine` reads (see :mod:`routing.cache`).
CACHE_FORMAT = 5


@dataclass(frozen=True)
class Route:
    """A route for one mode: length, free-flow duration and geometry as ``(lat, lon)`` points."""

    mode: str
    distance_m: float
    duration_s: float
    geometry: list[Point]
    origin_snap_m: float = 0.0
    destination_snap_m: float = 0.0
    attribution: str = ATTRIBUTION


@dataclass(frozen=True)
class Table:
    """Matrices ``[origin][destination]`` of distances (m) and durations (s); NaN = no route."""

    mode: str
    distances_m: np.ndarray
    durations_s: np.ndarray
    attribution: str = field(default=ATTRIBUTION)


class RoutingEngine(abc.ABC):
    """What every routing backend offers."""

    #: Farthest a point may lie from the network before :class:`OutsideNetworkArea`.
    max_snap_distance_m: float = 300.0

    @property
    @abc.abstractmethod
    def modes(self) -> tuple[str, ...]:
        """Modes this engine can route."""

    @abc.abstractmethod
    def route(self, origin: Point, destination: Point, *, mode: str) -> Route:
        """Fastest route for ``mode``."""

    @abc.abstractmethod
    def table(self, origins: Sequence[Point], destinations: Sequence[Point], *, mode: str
              ) -> Table:
        """Distance and duration matrices from every origin to every destination."""

    def one_to_many(self, origin: Point, destinations: Sequence[Point], *, mode: str) -> Table:
        """A one-row :meth:`table`."""
        return self.table([origin], destinations, mode=mode)

    def routes(self, origin: Point, destination: Point, *, modes: Sequence[str]
               ) -> dict[str, Route | RoutingError]:
        """:meth:`route` for each of ``modes``; a mode that fails maps to its error
        (:class:`NoRouteFound`, :class:`OutsideNetworkArea`, :class:`NetworkNotConfigured`).
        Engines override it to share work between modes."""
        out: dict[str, Route | RoutingError] = {}
        for mode in modes:
            try:
                out[mode] = self.route(origin, destination, mode=mode)
            except (NoRouteFound, OutsideNetworkArea, NetworkNotConfigured) as error:
                out[mode] = error
        return out

    def _check(self, mode: str) -> None:
        check_mode(mode)
        if mode not in self.modes:
            raise NetworkNotConfigured(f"no network configured for mode {mode!r}")


def _points(points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(points, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


class ModeView:
    """A network as one mode sees it: the graph, the hierarchy searched, the duration scale."""

    def __init__(self, mode: str, network: Graph, hierarchy: Hierarchy, scale: float,
                 speeds: SpeedSettings):
        self.mode = mode
        self.network = network
        self.hierarchy = hierarchy
        self.scale = scale
        self.speeds = speeds

    @cached_property
    def edge_speed_kmh(self) -> np.ndarray:
        """Speed of the mode on every edge of the network (km/h; computed on first use)."""
        return edge_speeds_kmh(self.network, self.mode, self.speeds)

    @property
    def snap_nodes(self) -> np.ndarray:
        """Nodes points are snapped to (the largest strongly connected component)."""
        return self.network.snap_nodes


class LocalEngine(RoutingEngine):
    """Routes on the cached, memory-mapped networks with contraction hierarchies.

    Point-to-point queries are bidirectional searches in the hierarchy (microseconds at any
    size); modes sharing a network and a metric (bike and e-bike, walking at any speed) share
    one search in :meth:`routes`. Points snap to the nearest node of the network's largest
    strongly connected component. Opening the cache maps its files and reads no array.
    """

    def __init__(self, graphs: Mapping[str, Graph], *, speeds: SpeedSettings | None = None,
                 max_snap_distance_m: float = 300.0, modes: Sequence[str] = MODES,
                 cache_dir: str | Path | None = None):
        self.speeds = speeds or SpeedSettings()
        self.max_snap_distance_m = max_snap_distance_m
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._views: dict[str, ModeView] = {}
        self._hierarchies: dict[tuple[str, str], Hierarchy] = {}
        self._lock = threading.Lock()  # searches run one at a time: they share one state
        self._search_state = SearchState()
        for mode in modes:
            check_mode(mode)
            graph = graphs.get(NETWORK_OF_MODE[mode])
            if graph is None:
                continue
            key, scale = metric_of(graph, mode, self.speeds)
            hierarchy = self._hierarchy(graph, key, mode)
            self._views[mode] = ModeView(mode, graph, hierarchy, scale, self.speeds)

    def _hierarchy(self, graph: Graph, key: str, mode: str) -> Hierarchy:
        found = self._hierarchies.get((graph.name, key))
        if found is not None:
            return found
        path = hierarchy_path(self.cache_dir, graph.name, key) if self.cache_dir else None
        if path is not None and path.exists():
            arrays = Bundle(path)
        else:  # speeds other than the cache's: contract in memory (seconds on a big network)
            log.info("routing: contracting %s for %s speeds not in the cache", graph.name, mode)
            arrays = hierarchy_arrays(graph, metric_times(graph, key, mode, self.speeds))
        hierarchy = self._hierarchies[graph.name, key] = Hierarchy(
            arrays, key=key, state=self._search_state)
        return hierarchy

    @classmethod
    def from_cache(cls, cache_dir: str | Path | None = None, *,
                   speeds: SpeedSettings | None = None, max_snap_distance_m: float = 300.0,
                   modes: Sequence[str] = MODES) -> LocalEngine:
        """Open the networks written by :func:`routing.build_cache` (default cache dir)."""
        cache = Path(cache_dir or default_cache_dir())
        manifest = cache / "manifest.json"
        if not manifest.exists():
            raise NetworkNotConfigured(
                f"no routing cache in {cache}; run `python -m routing build --pbf PATH`")
        if json.loads(manifest.read_text()).get("source", {}).get("format") != CACHE_FORMAT:
            raise NetworkNotConfigured(
                f"the routing cache in {cache} has an older format; run "
                "`python -m routing build --pbf PATH --force`")
        graphs = {}
        for mode in modes:
            name = NETWORK_OF_MODE[check_mode(mode)]
            if name not in graphs:
                graphs[name] = Graph(name, cache / "networks" / f"{name}{GRAPH_SUFFIX}")
        return cls(graphs, speeds=speeds, max_snap_distance_m=max_snap_distance_m, modes=modes,
                   cache_dir=cache)

    @property
    def modes(self) -> tuple[str, ...]:
        """Modes with a loaded network."""
        return tuple(self._views)

    def graph(self, mode: str) -> ModeView:
        """The network of ``mode`` as that mode sees it."""
        self._check(mode)
        return self._views[mode]

    def snap(self, points: Sequence[Point], *, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Node index and snap distance (m) of each point; too far → :class:`OutsideNetworkArea`."""
        view = self.graph(mode)
        lat, lon = _points(points)
        nodes, dist = view.network.snap(lat, lon)
        far = np.flatnonzero(dist > self.max_snap_distance_m)
        if len(far):
            i = far[0]
            raise OutsideNetworkArea(
                f"point ({lat[i]:.5f}, {lon[i]:.5f}) is {dist[i]:.0f} m from the {mode} network "
                f"(limit {self.max_snap_distance_m:.0f} m)")
        return nodes, dist

    def table(self, origins: Sequence[Point], destinations: Sequence[Point], *, mode: str
              ) -> Table:
        """Matrices from many-to-many searches in the hierarchy (buckets)."""
        view = self.graph(mode)
        src, _ = self.snap(origins, mode=mode)
        dst, _ = self.snap(destinations, mode=mode)
        with self._lock:
            dur, length = view.hierarchy.table(src, dst)
        dur = dur * view.scale
        dist = np.where(np.isfinite(dur), length, np.nan)
        return Table(mode=mode, distances_m=dist, durations_s=dur)

    def routes(self, origin: Point, destination: Point, *, modes: Sequence[str]
               ) -> dict[str, Route | RoutingError]:
        """Routes of several modes, one snapping per network and one search per metric."""
        snapped: dict[str, tuple | RoutingError] = {}
        paths: dict[tuple[str, str], np.ndarray | None] = {}
        out: dict[str, Route | RoutingError] = {}
        for mode in modes:
            try:
                view = self.graph(mode)
            except RoutingError as error:
                out[mode] = error
                continue
            name = view.network.name
            if name not in snapped:
                try:
                    snapped[name] = self.snap([origin, destination], mode=mode)
                except OutsideNetworkArea as error:
                    snapped[name] = error
            found = snapped[name]
            if isinstance(found, RoutingError):
                out[mode] = found
                continue
            (s, t), snap_d = found
            key = (name, view.hierarchy.key)
            if key not in paths:
                with self._lock:
                    paths[key] = view.hierarchy.path_edges(s, t)
            out[mode] = self._route(view, paths[key], int(s), snap_d, origin, destination)
        return out

    def _route(self, view: ModeView, edges: np.ndarray | None, s: int, snap_d: np.ndarray,
               origin: Point, destination: Point) -> Route | RoutingError:
        if edges is None:
            return NoRouteFound(f"no {view.mode} route between {origin} and {destination}")
        net = view.network
        if len(edges) == 0:
            geometry = [(float(net.lat[s]), float(net.lon[s]))]
            distance = duration = 0.0
        else:
            distance = float(net.edge_length_m[edges].sum())
            # summed along the path, in order, as a Dijkstra search does
            duration = float(np.add.accumulate(
                edge_times_s(net, view.mode, self.speeds, edges))[-1])
            geometry = net.path_geometry(edges)
        return Route(mode=view.mode, distance_m=distance, duration_s=duration,
                     geometry=geometry, origin_snap_m=float(snap_d[0]),
                     destination_snap_m=float(snap_d[1]))

    def route(self, origin: Point, destination: Point, *, mode: str) -> Route:
        """Fastest route with its geometry."""
        found = self.routes(origin, destination, modes=[mode])[mode]
        if isinstance(found, RoutingError):
            raise found
        return found


#: OSRM profile names used in URLs by default (osrm-routed ignores it, but proxies may not).
DEFAULT_OSRM_PROFILES = {"walk": "foot", "bike": "bike", "e_bike": "bike",
                         "two_wheel_motor": "car", "car": "car"}


class OSRMEngine(RoutingEngine):
    """Client of OSRM servers over HTTP.

    ``base_urls`` maps each mode to a server (``osrm-routed`` serves one profile per process);
    modes without a URL raise :class:`NetworkNotConfigured`. A server that cannot be reached or
    fails raises :class:`RoutingServerUnavailable`.
    """

    def __init__(self, base_urls: Mapping[str, str], *, profiles: Mapping[str, str] | None = None,
                 timeout_s: float = 5.0, max_snap_distance_m: float = 300.0,
                 session: requests.Session | None = None):
        for mode in base_urls:
            check_mode(mode)
        self.base_urls = {m: u.rstrip("/") for m, u in base_urls.items()}
        self.profiles = {**DEFAULT_OSRM_PROFILES, **(profiles or {})}
        self.timeout_s = timeout_s
        self.max_snap_distance_m = max_snap_distance_m
        self.session = session or requests.Session()

    @property
    def modes(self) -> tuple[str, ...]:
        """Modes with a configured server."""
        return tuple(self.base_urls)

    def _get(self, service: str, mode: str, points: Sequence[Point], params: dict) -> dict:
        self._check(mode)
        coords = ";".join(f"{lon:.7f},{lat:.7f}" for lat, lon in points)
        url = f"{self.base_urls[mode]}/{service}/v1/{self.profiles[mode]}/{coords}"
        try:
            resp = self.session.get(url, params=params, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise RoutingServerUnavailable(f"OSRM server for {mode} unreachable: {exc}") from exc
        if resp.status_code >= 500:
            raise RoutingServerUnavailable(f"OSRM server for {mode} answered {resp.status_code}")
        try:
            data = resp.json()
        except ValueError as exc:
            raise RoutingServerUnavailable(f"OSRM server for {mode} sent no JSON") from exc
        code = data.get("code")
        if code == "NoSegment":
            raise OutsideNetworkArea(data.get("message", "point outside the network"))
        if code == "NoRoute":
            raise NoRouteFound(data.get("message", "no route"))
        if code != "Ok":
            raise RoutingError(f"OSRM error {code}: {data.get('message')}")
        for wp in data.get("waypoints") or data.get("sources", []) + data.get("destinations", []):
            if wp.get("distance", 0.0) > self.max_snap_distance_m:
                raise OutsideNetworkArea(
                    f"point {wp.get('location')} is {wp['distance']:.0f} m from the {mode} network")
        return data

    def route(self, origin: Point, destination: Point, *, mode: str) -> Route:
        """Fastest route from OSRM's ``/route`` service."""
        data = self._get("route", mode, [origin, destination],
                         {"overview": "full", "geometries": "geojson"})
        r = data["routes"][0]
        wps = data["waypoints"]
        return Route(mode=mode, distance_m=float(r["distance"]), duration_s=float(r["duration"]),
                     geometry=[(lat, lon) for lon, lat in r["geometry"]["coordinates"]],
                     origin_snap_m=float(wps[0]["distance"]),
                     destination_snap_m=float(wps[-1]["distance"]))

    def routes(self, origin: Point, destination: Point, *, modes: Sequence[str]
               ) -> dict[str, Route | RoutingError]:
        """One ``/route`` request per server and profile (car serves scooters and mopeds, the
        bicycle profile serves e-bikes)."""
        asked: dict[tuple[str, str], Route | RoutingError] = {}
        out: dict[str, Route | RoutingError] = {}
        for mode in modes:
            try:
                self._check(mode)
            except RoutingError as error:
                out[mode] = error
                continue
            key = (self.base_urls[mode], self.profiles[mode])
            if key not in asked:
                try:
                    asked[key] = self.route(origin, destination, mode=mode)
                except (NoRouteFound, OutsideNetworkArea) as error:
                    asked[key] = error
            found = asked[key]
            out[mode] = replace(found, mode=mode) if isinstance(found, Route) else found
        return out

    def table(self, origins: Sequence[Point], destinations: Sequence[Point], *, mode: str
              ) -> Table:
        """Matrices from OSRM's ``/table`` service."""
        points = list(origins) + list(destinations)
        n = len(origins)
        params = {"sources": ";".join(map(str, range(n))),
                  "destinations": ";".join(map(str, range(n, len(points)))),
                  "annotations": "duration,distance"}
        data = self._get("table", mode, points, params)
        dur = np.array(data["durations"], dtype=float)
        dist = np.array(data["distances"], dtype=float)
        return Table(mode=mode, distances_m=dist, durations_s=dur)
