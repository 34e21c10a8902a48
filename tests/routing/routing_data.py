"""Shared constants of the routing tests: real data paths and real places of the extract."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
DATA = PROJECT.parent / "shared" / "data"
MONACO_PBF = DATA / "osm" / "monaco-riviera.osm.pbf"
PARIS_PBF = DATA / "osm" / "paris-11e.osm.pbf"
BANO_CSV = DATA / "bano-sample-paris.csv"
TEST_GTFS = Path(__file__).parent / "data" / "test-gtfs"

#: Real places of the extract, (lat, lon).
BEAUSOLEIL_HOME = (43.75375, 7.44082)  # on Avenue de Varavilla, Beausoleil, 300 m from a stop
CAP_DAIL_HOME = (43.72330, 7.39700)  # by the Beaverbrook stop, Cap-d'Ail
MONACO_WORK = (43.73690, 7.42130)  # Gare - Sainte-Dévote, Monaco
FONTVIEILLE_WORK = (43.72950, 7.41610)  # Fontvieille - Albert II, Monaco
AT_SEA = (43.70500, 7.44000)  # Mediterranean, > 1 km from any road
PARIS = (48.86470, 2.37080)

#: A working week (Monday 3 March 2025 to Friday) and the following Sunday.
WEEK = [date(2025, 3, 3) + timedelta(days=i) for i in range(5)]
SUNDAY = date(2025, 3, 9)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
