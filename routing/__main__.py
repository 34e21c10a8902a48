"""Command line: ``python -m routing build --pbf PATH [--cache-dir DIR] [--force]``,
``python -m routing transit-lines --pbf PATH [--cache-dir DIR]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .cache import build_cache
from .exceptions import RoutingError
from .settings import default_cache_dir


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m routing")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build road networks and geocoder index from a .pbf")
    build.add_argument("--pbf", required=True, type=Path, help="OpenStreetMap .osm.pbf extract")
    build.add_argument("--cache-dir", type=Path, default=None,
                       help="default: $ROUTING_CACHE_DIR or <project>/.cache/routing")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument("--elevation-raster", type=Path, default=None,
                       help="DEM GeoTIFF for grades (needs rasterio)")
    lines = sub.add_parser("transit-lines", help="extract the bus and train lines (route "
                           "relations and their ordered stops) into <cache>/transit/")
    lines.add_argument("--pbf", required=True, type=Path)
    lines.add_argument("--cache-dir", type=Path, default=None)
    osrm = sub.add_parser("osrm-prepare", help="install osrm-bindings (Python 3.12 venv) and "
                          "prepare OSRM data for a profile")
    osrm.add_argument("--pbf", required=True, type=Path)
    osrm.add_argument("--profile", default="car", help="car, bicycle or foot")
    osrm.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if args.command == "build":
            cache = build_cache(args.pbf, args.cache_dir, force=args.force,
                                elevation_raster=args.elevation_raster)
            manifest = json.loads((cache / "manifest.json").read_text())
            print(f"routing cache ready in {cache} ({time.perf_counter() - started:.1f} s)")
            print(json.dumps(manifest["networks"]))
        elif args.command == "transit-lines":
            # lazy: each subcommand loads only what it runs
            from .transit_lines import extract_osm_lines, save_lines

            cache = args.cache_dir or default_cache_dir()
            found = extract_osm_lines(args.pbf)
            out = save_lines(found, Path(cache) / "transit" / "osm_lines.json")
            print(f"{len(found)} route relations with stops written to {out}")
        else:
            # lazy: each subcommand loads only what it runs
            from .osrm_server import ensure_osrm_venv, prepare_osrm_data

            cache = args.cache_dir or default_cache_dir()
            vpy = ensure_osrm_venv(cache)
            print(prepare_osrm_data(args.pbf, profile=args.profile, cache_dir=cache,
                                    venv_python=vpy))
    except RoutingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
