"""Building and locating the on-disk routing cache (networks, hierarchies, geocoder index)."""

from __future__ import annotations

import json
import pickle
import shutil
import time
from pathlib import Path

import numpy as np
from filelock import FileLock

from .builder import build_networks
from .bundle import release_page_cache, write_bundle
from .engine import CACHE_FORMAT
from .exceptions import CacheBuildError, NetworkNotConfigured
from .geocoder_build import build_geocoder
from .geocoder_index import GEOCODER_FILE
from .graph import (
    GRAPH_SUFFIX,
    Graph,
    hierarchy_arrays,
    hierarchy_path,
    metric_of,
    metric_times,
    write_graph,
)
from .network import build_graph, filter_pbf_to_xml, network_from_graph
from .settings import MODES, NETWORK_OF_MODE, NETWORKS, SpeedSettings, default_cache_dir


def _fingerprint(pbf_path: Path, elevation_raster: Path | None) -> dict:
    st = pbf_path.stat()
    return {"format": CACHE_FORMAT, "pbf": str(pbf_path.resolve()), "pbf_size": st.st_size,
            "pbf_mtime": int(st.st_mtime),
            "elevation_raster": str(elevation_raster) if elevation_raster else None}


def _network_arrays_osmnx(pbf: Path, work: Path, raster: Path | None) -> dict:
    """The osmnx pipeline (needed for elevation grades): arrays and grades per network."""
    out = {}
    for name, xml in filter_pbf_to_xml(pbf, work, networks=NETWORKS).items():
        net = network_from_graph(name, build_graph(xml, network=name, elevation_raster=raster))
        sizes = [len(g) for g in net.edge_geometry]
        out[name] = ({"node_ids": net.node_ids, "lat": net.lat, "lon": net.lon,
                      "edge_u": net.edge_u, "edge_v": net.edge_v,
                      "edge_length_m": net.edge_length_m,
                      "edge_highway": list(net.edge_highway),
                      "edge_maxspeed_kmh": net.edge_maxspeed_kmh,
                      "geom_offsets": np.concatenate([[0], np.cumsum(sizes)]),
                      "geom_points": np.concatenate(net.edge_geometry)}, net.edge_grade)
    shutil.rmtree(work, ignore_errors=True)
    return out


def _write_geocoder(pbf: Path, cache: Path, manifest: dict) -> None:
    """Build the geocoder index of ``pbf`` into ``cache`` and note it in ``manifest``."""
    started = time.perf_counter()
    geocoder = build_geocoder(pbf)
    geocoder.save(cache / GEOCODER_FILE)
    (cache / "geocoder.pkl").unlink(missing_ok=True)  # the previous format's index
    manifest["geocoder_entries"] = len(geocoder)
    manifest["bounds"] = geocoder.bounds
    manifest.setdefault("build_s", {})["geocoder"] = round(time.perf_counter() - started, 2)


def build_cache(pbf_path: str | Path, cache_dir: str | Path | None = None, *,
                force: bool = False, elevation_raster: str | Path | None = None,
                speeds: SpeedSettings | None = None) -> Path:
    """Build every network, its contraction hierarchies and the geocoder index of
    ``pbf_path`` into ``cache_dir``; returns the cache directory.

    Skipped when the cache already matches the same extract (unless ``force``). Safe to call
    from several processes at once (file lock). ``elevation_raster`` (a DEM GeoTIFF; needs
    rasterio) adds grades so walk/bike/e-bike speeds depend on slope (built through osmnx,
    slower). Hierarchies are built for ``speeds`` (default :class:`SpeedSettings`); engines
    with other motor speeds contract their own at load time.
    """
    pbf = Path(pbf_path)
    if not pbf.is_file():
        raise CacheBuildError(f"OSM extract not found: {pbf}")
    cache = Path(cache_dir or default_cache_dir())
    cache.mkdir(parents=True, exist_ok=True)
    raster = Path(elevation_raster) if elevation_raster else None
    speeds = speeds or SpeedSettings()
    manifest_path = cache / "manifest.json"
    with FileLock(str(cache / ".build.lock")):
        fingerprint = _fingerprint(pbf, raster)
        if not force and _reuse_cache(pbf, cache, fingerprint):
            return cache
        manifest_path.unlink(missing_ok=True)
        started = time.perf_counter()
        networks_dir = cache / "networks"
        shutil.rmtree(networks_dir, ignore_errors=True)
        networks_dir.mkdir()
        if raster is None:
            built = {name: (arrays, None) for name, arrays in build_networks(pbf).items()}
        else:
            built = _network_arrays_osmnx(pbf, cache / "xml", raster)
        network_s = time.perf_counter() - started
        stats = {}
        for name, (arrays, grade) in built.items():
            path = networks_dir / f"{name}{GRAPH_SUFFIX}"
            write_graph(path, arrays, grade=grade)
            graph = Graph(name, path)
            stats[name] = {"nodes": graph.node_count, "edges": graph.edge_count,
                           "hierarchy_arcs": _write_hierarchies(cache, graph, speeds)}
        built.clear()
        hierarchy_s = time.perf_counter() - started - network_s
        manifest = {"source": fingerprint, "networks": stats,
                    "build_s": {"networks": round(network_s, 2),
                                "hierarchies": round(hierarchy_s, 2)}}
        _write_geocoder(pbf, cache, manifest)
        manifest["build_s"]["total"] = round(time.perf_counter() - started, 2)
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        _release_page_cache(cache)
    return cache


def _release_page_cache(cache: Path) -> None:
    """Drop the freshly written arrays of ``cache`` from the page cache (see
    :func:`routing.bundle.release_page_cache`): workers then map only the pages they read."""
    for path in [*sorted((cache / "networks").glob("*")), cache / GEOCODER_FILE]:
        if path.is_file() and not path.name.endswith(".json"):
            release_page_cache(path)


def _reuse_cache(pbf: Path, cache: Path, fingerprint) -> bool:
    """True when the cache already holds this extract (then a missing geocoder index, from a
    cache of the pickled one, is rebuilt alone)."""
    manifest_path = cache / "manifest.json"
    if not manifest_path.exists():
        return False
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError:
        manifest = {}
    if manifest.get("source") != fingerprint:
        return False
    if not (cache / GEOCODER_FILE).exists():
        # a cache of the pickled index (geocoder.pkl): only the index is rebuilt
        _write_geocoder(pbf, cache, manifest)
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        release_page_cache(cache / GEOCODER_FILE)
    return True


def _write_hierarchies(cache: Path, graph: Graph, speeds: SpeedSettings) -> dict[str, int]:
    """Contract the hierarchy of each metric the network's modes use; {metric: arcs}."""
    arcs = {}
    for mode in MODES:
        if NETWORK_OF_MODE[mode] != graph.name:
            continue
        key, _ = metric_of(graph, mode, speeds)
        if key in arcs:
            continue
        ch = hierarchy_arrays(graph, metric_times(graph, key, mode, speeds))
        write_bundle(hierarchy_path(cache, graph.name, key), ch, meta={"mode": mode})
        arcs[key] = len(ch["arc_search"])
    return arcs


def osmnx_graphs(pbf_path: str | Path, cache_dir: str | Path | None = None) -> dict:
    """The osmnx MultiDiGraph of every network of ``pbf_path`` (the reference pipeline).

    Built with :func:`osmnx.graph_from_xml` once and pickled in ``<cache>/graphs/`` while the
    extract is unchanged; used by the naive benchmark and by the tests comparing the fast
    builder and engine with the osmnx ones. Slow on big extracts.
    """
    pbf = Path(pbf_path)
    out_dir = Path(cache_dir or default_cache_dir()) / "graphs"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = out_dir / "source.json"
    fingerprint = _fingerprint(pbf, None)
    with FileLock(str(out_dir / ".lock")):
        fresh = stamp.exists() and json.loads(stamp.read_text()) == fingerprint
        graphs = {}
        if fresh:
            for name in NETWORKS:
                with open(out_dir / f"{name}.pkl", "rb") as fh:
                    graphs[name] = pickle.load(fh)
            return graphs
        for name, xml in filter_pbf_to_xml(pbf, out_dir / "xml", networks=NETWORKS).items():
            graphs[name] = build_graph(xml, network=name)
            with open(out_dir / f"{name}.pkl", "wb") as fh:
                pickle.dump(graphs[name], fh, protocol=pickle.HIGHEST_PROTOCOL)
        shutil.rmtree(out_dir / "xml", ignore_errors=True)
        stamp.write_text(json.dumps(fingerprint))
    return graphs


def load_graph(network: str, cache_dir: str | Path | None = None):
    """The osmnx MultiDiGraph of ``network`` kept by :func:`osmnx_graphs`."""
    path = Path(cache_dir or default_cache_dir()) / "graphs" / f"{network}.pkl"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError as exc:
        raise NetworkNotConfigured(f"no graph cached at {path}") from exc
