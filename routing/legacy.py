"""The previous local engine, kept as the reference the new one is compared with.

:class:`DijkstraEngine` is the engine of cache format 2: one whole-graph Dijkstra
(``scipy.sparse.csgraph.dijkstra``) per mode and query, over :class:`routing.network.ModeGraph`
arrays. It is slow on big territories but simple; ``tests/routing/test_hierarchy.py`` checks
that :class:`routing.LocalEngine` gives the same distances and durations, and
``benchmarks/routing.py`` prints both. Not used by the application.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.sparse.csgraph import dijkstra

from .engine import Point, Route, RoutingEngine, Table, _points
from .exceptions import NoRouteFound, OutsideNetworkArea
from .graph import Graph
from .network import ModeGraph, Network, network_from_graph
from .settings import MODES, NETWORK_OF_MODE, SpeedSettings, check_mode


def network_of_graph(graph: Graph) -> Network:
    """The :class:`Network` (format 2 arrays) of a memory-mapped :class:`Graph`."""
    offsets = np.asarray(graph.geom_offsets)
    points = np.asarray(graph.geom_points)
    return Network(
        name=graph.name, node_ids=np.array(graph.node_ids), lat=np.array(graph.lat),
        lon=np.array(graph.lon), edge_u=graph.edge_u.astype(np.int64),
        edge_v=np.asarray(graph.edge_v, dtype=np.int64),
        edge_length_m=np.array(graph.edge_length_m), edge_highway=graph.edge_highway,
        edge_maxspeed_kmh=np.array(graph.edge_maxspeed_kmh, dtype=np.float64),
        edge_grade=np.array(graph.edge_grade),
        edge_geometry=[points[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)])


class DijkstraEngine(RoutingEngine):
    """Routes with scipy's whole-graph Dijkstra; snaps with a KD-tree (the format-2 engine)."""

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
    def from_osmnx(cls, graphs: Mapping, **options) -> DijkstraEngine:
        """From osmnx graphs (:func:`routing.cache.osmnx_graphs`): the whole old pipeline."""
        return cls({name: network_from_graph(name, g) for name, g in graphs.items()},
                   **options)

    @property
    def modes(self) -> tuple[str, ...]:
        """Modes with a loaded network."""
        return tuple(self._graphs)

    def graph(self, mode: str) -> ModeGraph:
        """The weighted graph of ``mode``."""
        self._check(mode)
        return self._graphs[mode]

    def snap(self, points: Sequence[Point], *, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Node index and snap distance (m) of each point; too far → OutsideNetworkArea."""
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

    def table(self, origins: Sequence[Point], destinations: Sequence[Point], *, mode: str
              ) -> Table:
        """Matrices from one Dijkstra per distinct origin node to all destinations."""
        g = self.graph(mode)
        src, _ = self.snap(origins, mode=mode)
        dst, _ = self.snap(destinations, mode=mode)
        uniq, inverse = np.unique(src, return_inverse=True)
        times, pred = dijkstra(g.time_csr, directed=True, indices=uniq, return_predecessors=True)
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
