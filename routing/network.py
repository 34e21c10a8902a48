"""Road networks per travel mode, built from an OSM ``.pbf`` extract and cached on disk.

Ways are filtered per network with pyosmium and written as ``.osm`` XML (ways that reference
nodes missing from a clipped extract are dropped), then turned into a graph by
:func:`osmnx.graph_from_xml`. The graph is reduced to flat numpy arrays (nodes, edges, edge
geometries) that load in milliseconds; travel times are computed from them at load time so
speed settings can change without rebuilding.
"""

from __future__ import annotations

import math
import pickle
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import osmium
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from .exceptions import CacheBuildError, NetworkNotConfigured
from .settings import NETWORK_OF_MODE, NETWORKS, TWO_WHEEL_MOTOR, WALK, SpeedSettings

if TYPE_CHECKING:  # osmnx and networkx are slow to import: only the osmnx pipeline needs them
    import networkx as nx

EARTH_RADIUS_M = 6_371_008.8

MOTOR_ROADS = frozenset(
    {
        "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
        "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
        "residential", "living_street", "service", "road",
    }
)
WALK_WAYS = frozenset(
    {
        "footway", "path", "steps", "pedestrian", "living_street", "residential", "service",
        "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
        "primary_link", "track", "road", "cycleway", "corridor", "elevator",
    }
)
CYCLE_WAYS = frozenset(
    {
        "cycleway", "residential", "living_street", "service", "unclassified", "tertiary",
        "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "trunk",
        "trunk_link", "track", "road", "path",
    }
)
#: Highway classes from the most to the least important: a simplified edge that merges ways of
#: several classes takes the first of them (osmnx keeps an unordered list; this makes the
#: choice stable from one build to the next).
HIGHWAY_IMPORTANCE: tuple[str, ...] = (
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
    "living_street", "road", "service", "track", "cycleway", "pedestrian", "footway", "path",
    "steps", "corridor", "elevator",
)
_IMPORTANCE = {h: i for i, h in enumerate(HIGHWAY_IMPORTANCE)}


def merge_highways(values) -> str:
    """The class of a simplified edge made of ways of classes ``values`` (a str or a list)."""
    if isinstance(values, str):
        return values
    return min(values, key=lambda h: (_IMPORTANCE.get(h, len(_IMPORTANCE)), h))


_YES = frozenset({"yes", "designated", "permissive", "destination"})
_NO = frozenset({"no", "private"})


def _denied(tags: Mapping[str, str], *keys: str) -> bool:
    """True when the most specific of ``keys`` (last wins) present in tags forbids access."""
    verdict = None
    for key in ("access", *keys):
        value = tags.get(key)
        if value in _NO:
            verdict = True
        elif value in _YES:
            verdict = False
    return bool(verdict)


def walk_way(tags: Mapping[str, str]) -> bool:
    """Ways a pedestrian may use (no motorways or trunk roads)."""
    hw = tags.get("highway")
    return hw in WALK_WAYS and not _denied(tags, "foot")


def cycle_way(tags: Mapping[str, str]) -> bool:
    """Ways a bike or e-bike may use: roads, cycleways, paths; footways only if signed for bikes."""
    hw = tags.get("highway")
    if hw in ("footway", "pedestrian"):
        return tags.get("bicycle") in _YES
    if hw not in CYCLE_WAYS or tags.get("motorroad") == "yes":
        return False
    return not _denied(tags, "vehicle", "bicycle")


def two_wheel_motor_way(tags: Mapping[str, str]) -> bool:
    """Ways a scooter or moped may use: motor roads except motorways and expressways."""
    hw = tags.get("highway")
    if hw not in MOTOR_ROADS or hw in ("motorway", "motorway_link"):
        return False
    if tags.get("motorroad") == "yes" or tags.get("area") == "yes":
        return False
    return not _denied(tags, "vehicle", "motor_vehicle", "moped")


def car_way(tags: Mapping[str, str]) -> bool:
    """Ways a car may use."""
    if tags.get("highway") not in MOTOR_ROADS or tags.get("area") == "yes":
        return False
    return not _denied(tags, "vehicle", "motor_vehicle", "motorcar")


WAY_FILTERS: dict[str, Callable[[Mapping[str, str]], bool]] = {
    "walk": walk_way,
    "cycle": cycle_way,
    "two_wheel_motor": two_wheel_motor_way,
    "car": car_way,
}


def filter_pbf_to_xml(
    pbf_path: str | Path, out_dir: str | Path, *, networks: Iterable[str] = NETWORKS
) -> dict[str, Path]:
    """Write one ``<network>.osm`` XML file per network holding only the ways of that network.

    Ways that reference a node absent from the extract are dropped. Returns the file paths.
    """
    pbf_path, out_dir = Path(pbf_path), Path(out_dir)
    networks = tuple(networks)
    out_dir.mkdir(parents=True, exist_ok=True)
    kept, needed = _network_ways(pbf_path, networks)
    locations: dict[int, tuple[float, float]] = {}
    for node in osmium.FileProcessor(str(pbf_path), osmium.osm.NODE):
        if node.id in needed and node.location.valid():
            locations[node.id] = (node.location.lon, node.location.lat)
    paths = {}
    for name in networks:
        ways = [w for w in kept[name] if len(w[2]) >= 2 and all(r in locations for r in w[2])]
        if not ways:
            raise CacheBuildError(f"no usable way for network {name!r} in {pbf_path}")
        paths[name] = _write_osm_xml(out_dir / f"{name}.osm", ways, locations)
    return paths


def _network_ways(pbf_path: Path, networks: tuple[str, ...]
                  ) -> tuple[dict[str, list[tuple[int, dict[str, str], list[int]]]], set[int]]:
    """The (id, tags, node refs) of each network's ways, and every node they use."""
    kept: dict[str, list[tuple[int, dict[str, str], list[int]]]] = {n: [] for n in networks}
    needed: set[int] = set()
    for way in osmium.FileProcessor(str(pbf_path), osmium.osm.WAY):
        if "highway" not in way.tags:
            continue
        tags = {t.k: t.v for t in way.tags}
        refs = [n.ref for n in way.nodes]
        for name in networks:
            if WAY_FILTERS[name](tags):
                kept[name].append((way.id, tags, refs))
                needed.update(refs)
    return kept, needed


def _write_osm_xml(path: Path, ways: list[tuple[int, dict[str, str], list[int]]],
                   locations: Mapping[int, tuple[float, float]]) -> Path:
    """Write ``ways`` and their nodes (sorted by id) as an OSM XML file."""
    node_ids = sorted({r for w in ways for r in w[2]})
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    try:
        for nid in node_ids:
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=locations[nid]))
        for wid, tags, refs in ways:
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path


_SPEED_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(mph)?")


def parse_maxspeed_kmh(value: object) -> float:
    """Parse an OSM ``maxspeed`` (``"50"``, ``"30 mph"``, ``"FR:urban"``, lists) to km/h.

    NaN when unknown.
    """
    if isinstance(value, list):
        speeds = [parse_maxspeed_kmh(v) for v in value]
        speeds = [s for s in speeds if not math.isnan(s)]
        return min(speeds) if speeds else math.nan
    if not isinstance(value, str):
        return math.nan
    named = {"fr:urban": 50.0, "fr:rural": 80.0, "fr:motorway": 130.0, "walk": 6.0,
             "fr:zone30": 30.0, "mc:urban": 50.0}
    if value.lower() in named:
        return named[value.lower()]
    match = _SPEED_RE.match(value.strip())
    if not match:
        return math.nan
    speed = float(match.group(1))
    return speed * 1.609344 if match.group(2) else speed


@dataclass
class Network:
    """A filtered road network as flat arrays (what the cache stores)."""

    name: str
    node_ids: np.ndarray  # OSM node ids, int64
    lat: np.ndarray
    lon: np.ndarray
    edge_u: np.ndarray  # index into node arrays
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_highway: np.ndarray  # str
    edge_maxspeed_kmh: np.ndarray  # NaN when untagged
    edge_grade: np.ndarray  # NaN when no elevation data
    edge_geometry: list[np.ndarray]  # (k, 2) arrays of (lat, lon)

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)


def network_from_graph(name: str, graph: nx.MultiDiGraph) -> Network:
    """Flatten an osmnx graph into a :class:`Network`."""
    node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    index = {nid: i for i, nid in enumerate(node_ids.tolist())}
    lat = np.array([graph.nodes[n]["y"] for n in node_ids.tolist()], dtype=float)
    lon = np.array([graph.nodes[n]["x"] for n in node_ids.tolist()], dtype=float)
    us, vs, lengths, highways, maxspeeds, grades, geoms = [], [], [], [], [], [], []
    for u, v, data in graph.edges(data=True):
        ui, vi = index[u], index[v]
        us.append(ui)
        vs.append(vi)
        lengths.append(float(data.get("length", 0.0)))
        highways.append(merge_highways(data.get("highway", "road")))
        maxspeeds.append(parse_maxspeed_kmh(data.get("maxspeed")))
        grades.append(float(data.get("grade", math.nan)))
        geom = data.get("geometry")
        if geom is not None:
            xy = np.asarray(geom.coords, dtype=float)
            geoms.append(np.column_stack([xy[:, 1], xy[:, 0]]))
        else:
            geoms.append(np.array([[lat[ui], lon[ui]], [lat[vi], lon[vi]]]))
    return Network(
        name=name,
        node_ids=node_ids,
        lat=lat,
        lon=lon,
        edge_u=np.array(us, dtype=np.int64),
        edge_v=np.array(vs, dtype=np.int64),
        edge_length_m=np.array(lengths, dtype=float),
        edge_highway=np.array(highways, dtype=object),
        edge_maxspeed_kmh=np.array(maxspeeds, dtype=float),
        edge_grade=np.array(grades, dtype=float),
        edge_geometry=geoms,
    )


def build_graph(
    xml_path: str | Path, *, network: str, elevation_raster: str | Path | None = None
) -> nx.MultiDiGraph:
    """Build the osmnx graph of one network from its filtered XML (walk is undirected)."""
    import osmnx as ox  # lazy: only `routing build` needs osmnx (seconds to import)

    graph = ox.graph_from_xml(xml_path, bidirectional=(network == WALK), retain_all=False)
    if elevation_raster is not None:  # needs rasterio; see README "Elevation"
        graph = ox.elevation.add_node_elevations_raster(graph, str(elevation_raster))
        graph = ox.elevation.add_edge_grades(graph, add_absolute=False)
    return graph


def save_network(network: Network, path: str | Path) -> None:
    """Pickle a network's arrays."""
    with open(path, "wb") as fh:
        pickle.dump(network, fh, protocol=pickle.HIGHEST_PROTOCOL)


def load_network(path: str | Path) -> Network:
    """Load a pickled :class:`Network`; missing file → :class:`NetworkNotConfigured`."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError as exc:
        raise NetworkNotConfigured(
            f"no network cache at {path}; run `python -m routing build`") from exc


def project_m(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """Local equirectangular projection to metres (accurate to well under 1 % over a region)."""
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    return np.column_stack([EARTH_RADIUS_M * lon_r * math.cos(math.radians(lat0)),
                            EARTH_RADIUS_M * lat_r])


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (works on scalars and numpy arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def edge_speeds_kmh(network: Network, mode: str, speeds: SpeedSettings) -> np.ndarray:
    """Speed of ``mode`` on every edge of ``network`` (km/h)."""
    if NETWORK_OF_MODE[mode] != network.name:
        raise NetworkNotConfigured(f"mode {mode!r} does not route on network {network.name!r}")
    n = len(network.edge_u)
    flat = speeds.flat_speed_kmh(mode)
    if flat is not None:
        grade = network.edge_grade
        out = np.full(n, flat)
        has = ~np.isnan(grade)
        if has.any():
            out[has] = [speeds.graded_speed_kmh(mode, g) for g in grade[has]]
        return out
    road = np.array([speeds.road_speeds_kmh.get(h, 25.0) for h in network.edge_highway])
    maxspeed = network.edge_maxspeed_kmh
    # a tagged limit is used, but not above 1.5x the class speed (bends, junctions)
    out = np.where(np.isnan(maxspeed), road, np.minimum(maxspeed, road * 1.5))
    out = out * speeds.road_speed_factor
    cap = speeds.two_wheel_motor_max_kmh if mode == TWO_WHEEL_MOTOR else speeds.car_max_kmh
    return np.clip(out, 1.0, cap)


@dataclass
class ModeGraph:
    """A network weighted for one mode: fastest-edge CSR matrix, lookups and a snapping tree."""

    mode: str
    network: Network
    time_csr: csr_matrix  # seconds
    keys: np.ndarray  # u * N + v for each CSR entry, sorted
    length_m: np.ndarray  # per CSR entry
    edge_index: np.ndarray  # per CSR entry, index into network edges
    edge_speed_kmh: np.ndarray  # per network edge
    snap_nodes: np.ndarray  # node indices in the largest strongly connected component
    tree: cKDTree
    lat0: float
    geometry_points: np.ndarray  # every edge's (lat, lon) points, concatenated
    geometry_offsets: np.ndarray  # edge i's points are [offsets[i], offsets[i + 1])

    @classmethod
    def build(cls, network: Network, mode: str, speeds: SpeedSettings) -> ModeGraph:
        """Weight ``network`` for ``mode`` (keeps the fastest of parallel edges)."""
        n = network.node_count
        speed = edge_speeds_kmh(network, mode, speeds)
        time_s = np.maximum(network.edge_length_m / (speed / 3.6), 1e-3)
        u, v = network.edge_u, network.edge_v
        order = np.lexsort((time_s, v, u))
        key = u[order] * n + v[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        sel = order[first]
        keys = key[first]
        indptr = np.searchsorted(u[sel], np.arange(n + 1))
        csr = csr_matrix((time_s[sel], v[sel], indptr), shape=(n, n))
        _, labels = connected_components(csr, directed=True, connection="strong")
        biggest = np.bincount(labels).argmax()
        snap_nodes = np.flatnonzero(labels == biggest)
        lat0 = float(np.mean(network.lat))
        xy = project_m(network.lat[snap_nodes], network.lon[snap_nodes], lat0)
        sizes = np.array([len(g) for g in network.edge_geometry], dtype=np.int64)
        return cls(
            mode=mode,
            network=network,
            time_csr=csr,
            keys=keys,
            length_m=network.edge_length_m[sel],
            edge_index=sel,
            edge_speed_kmh=speed,
            snap_nodes=snap_nodes,
            tree=cKDTree(xy),
            lat0=lat0,
            geometry_points=np.concatenate(network.edge_geometry),
            geometry_offsets=np.concatenate([[0], np.cumsum(sizes)]),
        )

    def path_geometry(self, edges: np.ndarray) -> list[tuple[float, float]]:
        """Points of consecutive edges, without repeating the shared end points."""
        starts = self.geometry_offsets[edges].copy()
        starts[1:] += 1
        ends = self.geometry_offsets[edges + 1]
        counts = ends - starts
        idx = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        idx += np.repeat(starts, counts)
        return list(map(tuple, self.geometry_points[idx].tolist()))

    def entry(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Positions in the CSR entry arrays of the edges ``u → v`` (must exist)."""
        return np.searchsorted(self.keys, np.asarray(u) * self.network.node_count + np.asarray(v))

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest routable node index and distance (m) for each point."""
        dist, pos = self.tree.query(project_m(np.asarray(lat), np.asarray(lon), self.lat0))
        return self.snap_nodes[pos], dist

    def tree_lengths(self, pred: np.ndarray) -> np.ndarray:
        """Length (m) from the source to every node along a predecessor tree ``(S, N)``.

        Uses pointer doubling: O(log depth) vectorised steps instead of walking each path.
        """
        pred = np.atleast_2d(pred)
        cols = np.broadcast_to(np.arange(pred.shape[1]), pred.shape)
        has = pred >= 0
        acc = np.zeros(pred.shape)
        acc[has] = self.length_m[self.entry(pred[has], cols[has])]
        anc = np.where(has, pred, -1)
        rows = np.arange(pred.shape[0])[:, None]
        while True:
            live = anc >= 0
            if not live.any():
                return acc
            safe = np.where(live, anc, 0)
            acc = np.where(live, acc + acc[rows, safe], acc)
            anc = np.where(live, anc[rows, safe], -1)
