#!/usr/bin/env bash
# Extract the extract's bus and train lines (OSM route relations with their ordered stops) into
# the routing cache, for the platforms' illustrative timetables (never committed: OSM data).
set -euo pipefail
pbf=${ROUTING_PBF_PATH:-../shared/data/osm/monaco-riviera.osm.pbf}
if [ ! -f "$pbf" ]; then
  echo "==> no OpenStreetMap extract at $pbf: no public-transport lines to extract"
  exit 0
fi
.venv/bin/python -m routing transit-lines --pbf "$pbf" ${ROUTING_CACHE_DIR:+--cache-dir "$ROUTING_CACHE_DIR"}
