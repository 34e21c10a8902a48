"""Building and locating the on-disk routing cache (networks + geocoder index)."""

from __future__ import annotations

import json
import pickle
import shutil
import time
from pathlib import Path

from filelock import FileLock

from .exceptions import CacheBuildError
from .geocoding import GEOCODER_FILE, build_geocoder
from .network import build_graph, filter_pbf_to_xml, network_from_graph, save_network
from .settings import NETWORKS, default_cache_dir

CACHE_FORMAT = 2  # bump when the cache builders change


def _fingerprint(pbf_path: Path, elevation_raster: Path | None) -> dict:
    st = pbf_path.stat()
    return {"format": CACHE_FORMAT, "pbf": str(pbf_path.resolve()), "pbf_size": st.st_size,
            "pbf_mtime": int(st.st_mtime),
            "elevation_raster": str(elevation_raster) if elevation_raster else None}


def build_cache(pbf_path: str | Path, cache_dir: str | Path | None = None, *,
                force: bool = False, elevation_raster: str | Path | None = None,
                keep_graphs: bool = True) -> Path:
    """Build every network and the geocoder index of ``pbf_path`` into ``cache_dir``.

    Skipped when the cache already matches the same extract (unless ``force``). Safe to call
    from several processes at once (file lock). ``elevation_raster`` (a DEM GeoTIFF; needs
    rasterio) adds grades so walk/bike/e-bike speeds depend on slope. ``keep_graphs`` also
    pickles the osmnx graphs (``graphs/<network>.pkl``) for analysis and the naive benchmark.
    Returns the cache directory.
    """
    pbf = Path(pbf_path)
    if not pbf.is_file():
        raise CacheBuildError(f"OSM extract not found: {pbf}")
    cache = Path(cache_dir or default_cache_dir())
    cache.mkdir(parents=True, exist_ok=True)
    raster = Path(elevation_raster) if elevation_raster else None
    manifest_path = cache / "manifest.json"
    with FileLock(str(cache / ".build.lock")):
        fingerprint = _fingerprint(pbf, raster)
        if not force and manifest_path.exists():
            try:
                if json.loads(manifest_path.read_text()).get("source") == fingerprint:
                    return cache
            except ValueError:
                pass
        manifest_path.unlink(missing_ok=True)
        started = time.perf_counter()
        xml_dir = cache / "xml"
        xml_paths = filter_pbf_to_xml(pbf, xml_dir, networks=NETWORKS)
        (cache / "networks").mkdir(exist_ok=True)
        (cache / "graphs").mkdir(exist_ok=True)
        stats = {}
        for name, xml in xml_paths.items():
            graph = build_graph(xml, network=name, elevation_raster=raster)
            network = network_from_graph(name, graph)
            save_network(network, cache / "networks" / f"{name}.pkl")
            if keep_graphs:
                with open(cache / "graphs" / f"{name}.pkl", "wb") as fh:
                    pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
            stats[name] = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
        shutil.rmtree(xml_dir, ignore_errors=True)
        geocoder = build_geocoder(pbf)
        geocoder.save(cache / GEOCODER_FILE)
        manifest = {"source": fingerprint, "networks": stats,
                    "geocoder_entries": len(geocoder.entries),
                    "bounds": geocoder.bounds,
                    "build_s": round(time.perf_counter() - started, 2)}
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return cache


def load_graph(network: str, cache_dir: str | Path | None = None):
    """The osmnx MultiDiGraph of ``network`` kept by :func:`build_cache`."""
    path = Path(cache_dir or default_cache_dir()) / "graphs" / f"{network}.pkl"
    from .exceptions import NetworkNotConfigured

    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError as exc:
        raise NetworkNotConfigured(f"no graph cached at {path}") from exc
