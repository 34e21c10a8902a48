"""The map's street layer: the cached car and walk networks' edges as light arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely

import routing
from routing.graph import GRAPH_SUFFIX, Graph

STREET_CLASSES = {
    "major": {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
              "secondary", "secondary_link", "tertiary", "tertiary_link"},
    "minor": {"residential", "unclassified", "living_street", "road", "service"},
    "path": {"footway", "path", "steps", "pedestrian", "corridor", "elevator", "track",
             "cycleway"},
}
MAX_STREET_EDGES = 2000
MAX_BBOX_DEG = (0.12, 0.16)  # lat, lon spans (about 13 km)


def _simplified(geoms: list[np.ndarray]) -> list[np.ndarray]:
    """Edge polylines ((lat, lon) arrays) simplified to about 2 m, to keep the map light."""
    if not geoms:
        return []
    sizes = np.array([len(g) for g in geoms])
    lines = shapely.linestrings(np.concatenate(geoms)[:, ::-1],
                                indices=np.repeat(np.arange(len(geoms)), sizes))
    lines = shapely.simplify(lines, 0.00002)
    return [np.asarray(shapely.get_coordinates(line))[:, ::-1] for line in lines]


def _network(name: str, engine, cache_dir: Path | None):
    """The `name` network: the local engine's, else read from the cache; None if neither."""
    if isinstance(engine, routing.LocalEngine) and name in engine.modes:
        return engine.graph(name).network
    if cache_dir is None:
        return None
    try:
        return Graph(name, cache_dir / "networks" / f"{name}{GRAPH_SUFFIX}")
    except (routing.RoutingError, OSError, ValueError):
        return None


def _street_class(highway: str) -> str:
    """The map class ("major", "minor", "path") of an OSM highway tag, "" for none."""
    return next((c for c, hws in STREET_CLASSES.items() if highway in hws), "")


def _network_arrays(name: str, network) -> dict:
    """One network's drawn edges (each street once, roads from the car network and paths
    from the walk network), with their classes, bounding boxes and simplified geometries."""
    classes = np.array([_street_class(h) for h in network.edge_highway], dtype=object)
    keep = classes != ""
    if name == "walk":
        keep &= classes == "path"  # roads come from the car network
    else:
        keep &= classes != "path"
    u, v = network.edge_u, network.edge_v
    pair = np.minimum(u, v) * network.node_count + np.maximum(u, v)
    idx = np.flatnonzero(keep)
    _, first = np.unique(pair[idx], return_index=True)
    idx = idx[np.sort(first)]
    geoms = _simplified([np.asarray(network.edge_points(i)) for i in idx])
    return {
        "classes": classes[idx],
        "min_lat": np.array([g[:, 0].min() for g in geoms]),
        "max_lat": np.array([g[:, 0].max() for g in geoms]),
        "min_lon": np.array([g[:, 1].min() for g in geoms]),
        "max_lon": np.array([g[:, 1].max() for g in geoms]),
        "geoms": geoms,
    }


def load_street_arrays(engine, cache_dir: Path | None) -> dict | None:
    """Edges of the car and walk networks as arrays for the map; None without a network."""
    networks = {}
    for name in ("car", "walk"):
        network = _network(name, engine, cache_dir)
        if network is not None:
            networks[name] = network
    if not networks:
        return None
    return {name: _network_arrays(name, network) for name, network in networks.items()}
