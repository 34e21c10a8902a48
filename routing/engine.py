"""Routing engines: one interface, a local engine on the cached graphs, an OSRM HTTP client.

Points are ``(lat, lon)`` tuples. Durations are free-flow (no traffic), distances along the
fastest path for the mode.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import requests
from scipy.sparse.csgraph import dijkstra

from .exceptions import (
    NetworkNotConfigured,
    NoRouteFound,
    OutsideNetworkArea,
    RoutingError,
    RoutingServerUnavailable,
)
from .network import ModeGraph, Network, load_network
from .settings import (
    ATTRIBUTION,
    MODES,
    NETWORK_OF_MODE,
    SpeedSettings,
    check_mode,
    default_cache_dir,
)

Point = tuple[float, float]


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

    def _check(self, mode: str) -> None:
        check_mode(mode)
        if mode not in self.modes:
            raise NetworkNotConfigured(f"no network configured for mode {mode!r}")


def _points(points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(points, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


class LocalEngine(RoutingEngine):
    """Routes on the cached networks with scipy's Dijkstra; snaps to the nearest routable node."""

    def __init__(self, networks: Mapping[str, Network], *, speeds: SpeedSettings | None = None,
                 max_snap_distance_m: float = 300.0, modes: Sequence[str] = MODES):
        self.speeds = speeds or SpeedSettings()
        self.max_snap_distance_m = max_snap_distance_m
        self._graphs: dict[str, ModeGraph] = {}
        for mode in modes:
            check_mode(mode)
            network = networks.get(NETWORK_OF_MODE[mode])
            if network is not None:
                self._graphs[mode] = ModeGraph.build(network, mode, self.speeds)

    @classmethod
    def from_cache(cls, cache_dir: str | Path | None = None, *,
                   speeds: SpeedSettings | None = None, max_snap_distance_m: float = 300.0,
                   modes: Sequence[str] = MODES) -> LocalEngine:
        """Load the networks written by :func:`routing.build_cache` (default cache dir)."""
        cache = Path(cache_dir or default_cache_dir())
        if not (cache / "manifest.json").exists():
            raise NetworkNotConfigured(
                f"no routing cache in {cache}; run `python -m routing build --pbf PATH`")
        networks = {}
        for mode in modes:
            name = NETWORK_OF_MODE[check_mode(mode)]
            if name not in networks:
                networks[name] = load_network(cache / "networks" / f"{name}.pkl")
        return cls(networks, speeds=speeds, max_snap_distance_m=max_snap_distance_m, modes=modes)

    @property
    def modes(self) -> tuple[str, ...]:
        """Modes with a loaded network."""
        return tuple(self._graphs)

    def graph(self, mode: str) -> ModeGraph:
        """The weighted graph of ``mode``."""
        self._check(mode)
        return self._graphs[mode]

    def snap(self, points: Sequence[Point], *, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Node index and snap distance (m) of each point; too far → :class:`OutsideNetworkArea`."""
        g = self.graph(mode)
        lat, lon = _points(points)
        nodes, dist = g.snap(lat, lon)
        far = np.flatnonzero(dist > self.max_snap_distance_m)
        if len(far):
            i = far[0]
            raise OutsideNetworkArea(
                f"point ({lat[i]:.5f}, {lon[i]:.5f}) is {dist[i]:.0f} m from the {mode} network "
                f"(limit {self.max_snap_distance_m:.0f} m)")
        return nodes, dist

    def _search(self, g: ModeGraph, sources: np.ndarray):
        uniq, inverse = np.unique(sources, return_inverse=True)
        times, pred = dijkstra(g.time_csr, directed=True, indices=uniq, return_predecessors=True)
        return times, pred, inverse

    def table(self, origins: Sequence[Point], destinations: Sequence[Point], *, mode: str
              ) -> Table:
        """Matrices from one Dijkstra per distinct origin node to all destinations."""
        g = self.graph(mode)
        src, _ = self.snap(origins, mode=mode)
        dst, _ = self.snap(destinations, mode=mode)
        return self.node_table(g, src, dst)

    def node_table(self, g: ModeGraph, src: np.ndarray, dst: np.ndarray) -> Table:
        """:meth:`table` on already snapped node indices."""
        times, pred, inverse = self._search(g, src)
        lengths = g.tree_lengths(pred)
        dur = times[:, dst][inverse]
        dist = lengths[:, dst][inverse]
        dist = np.where(np.isfinite(dur), dist, np.nan)
        dur = np.where(np.isfinite(dur), dur, np.nan)
        return Table(mode=g.mode, distances_m=dist, durations_s=dur)

    def route(self, origin: Point, destination: Point, *, mode: str) -> Route:
        """Fastest route with its geometry."""
        g = self.graph(mode)
        (s, t), snap_d = self.snap([origin, destination], mode=mode)
        times, pred = dijkstra(g.time_csr, directed=True, indices=int(s),
                               return_predecessors=True)
        if not np.isfinite(times[t]):
            raise NoRouteFound(f"no {mode} route between {origin} and {destination}")
        path = [int(t)]
        while path[-1] != s:
            path.append(int(pred[path[-1]]))
        path.reverse()
        net = g.network
        if len(path) == 1:
            geometry = [(float(net.lat[s]), float(net.lon[s]))]
            distance = 0.0
        else:
            pos = g.entry(np.array(path[:-1]), np.array(path[1:]))
            distance = float(g.length_m[pos].sum())
            geometry = g.path_geometry(g.edge_index[pos])
        return Route(mode=mode, distance_m=distance, duration_s=float(times[t]),
                     geometry=geometry, origin_snap_m=float(snap_d[0]),
                     destination_snap_m=float(snap_d[1]))


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
