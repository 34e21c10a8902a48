#!/usr/bin/env bash
# Build the road-network and geocoder cache from the territory's OpenStreetMap extract
# (skipped while the extract is unchanged). Set ROUTING_PBF_PATH for another territory.
set -euo pipefail
pbf=${ROUTING_PBF_PATH:-../shared/data/osm/monaco-riviera.osm.pbf}
if [ ! -f "$pbf" ]; then
  echo "==> no OpenStreetMap extract at $pbf: routing pages will say no road network is set up"
  exit 0
fi
.venv/bin/python -m routing build --pbf "$pbf" ${ROUTING_CACHE_DIR:+--cache-dir "$ROUTING_CACHE_DIR"} >/dev/null
