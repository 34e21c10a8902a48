"""Public transport from a GTFS feed (read with gtfs-kit): direct trips between stops near home
and stops near work, with the walks to and from the stops on the walk network.

Only direct trips (no transfer) are considered. Times are local wall-clock times of the feed's
timezone; GTFS times past 24:00 belong to the previous service day and are handled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .exceptions import RoutingError, TransitFeedError
from .network import haversine_m

if TYPE_CHECKING:  # gtfs-kit (pandas) is imported when a feed is read, not by `import routing`
    import gtfs_kit
    import pandas as pd
from .settings import WALK

Point = tuple[float, float]
DAY_S = 86_400


def _to_seconds(value: str) -> float:
    h, m, s = (int(x) for x in str(value).split(":"))
    return h * 3600 + m * 60 + s


def _expand_frequencies(st: pd.DataFrame, frequencies: pd.DataFrame | None) -> pd.DataFrame:
    """Repeat each trip of ``frequencies.txt`` from its start to its end time, every headway
    (the template trip's times give the offsets between stops); ``service_trip_id`` keeps the
    template's id for the calendar. Trips without a frequency are left as they are."""
    import pandas as pd  # lazy: only feeds with frequencies.txt need it

    if frequencies is None or frequencies.empty:
        return st
    runs = []  # (template trip, new trip id, shift in seconds)
    for trip_id, rows in frequencies.groupby("trip_id"):
        template = st[st["trip_id"] == trip_id]
        if template.empty:
            continue
        first = float(template["dep_s"].min())
        n = 0
        for start_time, end_time, headway in rows[["start_time", "end_time",
                                                   "headway_secs"]].itertuples(index=False):
            if int(headway) <= 0:
                raise TransitFeedError(f"frequencies.txt: headway of {trip_id} must be > 0")
            for departure in range(int(_to_seconds(start_time)), int(_to_seconds(end_time)),
                                   int(headway)):
                runs.append((trip_id, f"{trip_id}@{n}", departure - first))
                n += 1
    parts = [st[~st["trip_id"].isin(set(frequencies["trip_id"]))]]
    if runs:  # one merge repeats every template trip for all its departures
        table = pd.DataFrame(runs, columns=["trip_id", "run_id", "shift_s"])
        repeated = st.merge(table, on="trip_id")
        repeated["arr_s"] = repeated["arr_s"] + repeated["shift_s"]
        repeated["dep_s"] = repeated["dep_s"] + repeated["shift_s"]
        repeated["trip_id"] = repeated["run_id"]
        parts.append(repeated.drop(columns=["run_id", "shift_s"]))
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class TransitLeg:
    """One direct public-transport trip, door to door."""

    route_name: str
    board_stop: str
    alight_stop: str
    leave_at: datetime  # leaves the door
    board_at: datetime
    alight_at: datetime
    arrive_at: datetime  # reaches the door
    walk_to_stop_m: float
    walk_from_stop_m: float

    @property
    def duration_s(self) -> float:
        """Door-to-door duration."""
        return (self.arrive_at - self.leave_at).total_seconds()


class TransitFeed:
    """A GTFS feed prepared for direct-trip searches."""

    def __init__(self, feed: gtfs_kit.Feed):
        if feed.stop_times is None or feed.trips is None or feed.stops is None:
            raise TransitFeedError("GTFS feed lacks stops, trips or stop_times")
        self.feed = feed
        stops = feed.stops
        self.stop_ids = stops["stop_id"].astype(str).to_numpy()
        self.stop_names = dict(zip(self.stop_ids, stops["stop_name"].astype(str), strict=True))
        self.stop_lat = stops["stop_lat"].to_numpy(float)
        self.stop_lon = stops["stop_lon"].to_numpy(float)
        st = feed.stop_times[["trip_id", "stop_id", "stop_sequence", "arrival_time",
                              "departure_time"]].copy()
        st["stop_id"] = st["stop_id"].astype(str)
        st["arr_s"] = st["arrival_time"].map(_to_seconds)
        st["dep_s"] = st["departure_time"].map(_to_seconds)
        st["service_trip_id"] = st["trip_id"]
        st = _expand_frequencies(st, getattr(feed, "frequencies", None))
        trips = feed.trips[["trip_id", "route_id"]].rename(columns={"trip_id": "service_trip_id"})
        routes = feed.routes[["route_id", "route_short_name"]] if feed.routes is not None else None
        if routes is not None:
            trips = trips.merge(routes, on="route_id", how="left")
        else:
            trips = trips.assign(route_short_name=trips["route_id"])
        self.stop_times = st.merge(trips, on="service_trip_id")
        self._active: dict[date, set[str]] = {}

    @classmethod
    def read(cls, path: str | Path) -> TransitFeed:
        """Read a GTFS feed (directory or zip)."""
        try:
            import gtfs_kit  # lazy: heavy (pandas, shapely), loaded only when a feed is read

            return cls(gtfs_kit.read_feed(Path(path), dist_units="km"))
        except (OSError, ValueError, KeyError) as exc:
            raise TransitFeedError(f"cannot read GTFS feed {path}: {exc}") from exc

    def active_trips(self, day: date) -> set[str]:
        """Trip ids running on service day ``day`` (calendar and calendar_dates)."""
        if day not in self._active:
            trips = self.feed.get_trips(date=day.strftime("%Y%m%d"))
            self._active[day] = set() if trips is None else set(trips["trip_id"])
        return self._active[day]

    def stops_near(self, point: Point, *, radius_m: float) -> list[str]:
        """Stop ids within ``radius_m`` as the crow flies."""
        d = haversine_m(point[0], point[1], self.stop_lat, self.stop_lon)
        return list(self.stop_ids[d <= radius_m])

    def walks(self, engine, point: Point, *, max_walk_m: float, to_stops: bool
              ) -> dict[str, tuple[float, float]]:
        """``{stop_id: (walk_m, walk_s)}`` for stops within ``max_walk_m`` on the walk network."""
        ids = self.stops_near(point, radius_m=max_walk_m)
        if not ids:
            return {}
        idx = [int(np.flatnonzero(self.stop_ids == s)[0]) for s in ids]
        pts = [(float(self.stop_lat[i]), float(self.stop_lon[i])) for i in idx]
        if to_stops:
            table = engine.table([point], pts, mode=WALK)
            dist, dur = table.distances_m[0], table.durations_s[0]
        else:
            table = engine.table(pts, [point], mode=WALK)
            dist, dur = table.distances_m[:, 0], table.durations_s[:, 0]
        return {s: (float(m), float(t)) for s, m, t in zip(ids, dist, dur, strict=True)
                if np.isfinite(t) and m <= max_walk_m}

    def _candidates(self, board: dict, alight: dict, service_day: date) -> pd.DataFrame:
        st = self.stop_times
        active = self.active_trips(service_day)
        st = st[st["service_trip_id"].isin(active)]
        b = st[st["stop_id"].isin(board.keys())]
        a = st[st["stop_id"].isin(alight.keys())]
        pairs = b.merge(a, on=["trip_id", "service_trip_id", "route_short_name"],
                        suffixes=("_b", "_a"))
        pairs = pairs[pairs["stop_sequence_b"] < pairs["stop_sequence_a"]].copy()
        pairs["walk_b_s"] = pairs["stop_id_b"].map(lambda s: board[s][1])
        pairs["walk_a_s"] = pairs["stop_id_a"].map(lambda s: alight[s][1])
        pairs["leave_s"] = pairs["dep_s_b"] - pairs["walk_b_s"]
        pairs["reach_s"] = pairs["arr_s_a"] + pairs["walk_a_s"]
        return pairs

    def _leg(self, row, base: datetime, board: dict, alight: dict) -> TransitLeg:
        at = lambda s: base + timedelta(seconds=float(s))  # noqa: E731
        return TransitLeg(
            route_name=str(row["route_short_name"]),
            board_stop=self.stop_names[row["stop_id_b"]],
            alight_stop=self.stop_names[row["stop_id_a"]],
            leave_at=at(row["leave_s"]), board_at=at(row["dep_s_b"]),
            alight_at=at(row["arr_s_a"]), arrive_at=at(row["reach_s"]),
            walk_to_stop_m=board[row["stop_id_b"]][0],
            walk_from_stop_m=alight[row["stop_id_a"]][0],
        )

    def arrive_by(self, board: dict, alight: dict, when: datetime, *, max_wait_s: float
                  ) -> TransitLeg | None:
        """Latest-leaving direct trip reaching the door in ``[when - max_wait_s, when]``."""
        best = None
        for offset in (0, 1):  # service day of ``when``, or the previous one past 24:00
            service_day = when.date() - timedelta(days=offset)
            base = datetime.combine(service_day, time())
            target = (when - base).total_seconds()
            pairs = self._candidates(board, alight, service_day)
            ok = pairs[(pairs["reach_s"] <= target) & (pairs["reach_s"] >= target - max_wait_s)]
            if len(ok):
                row = ok.loc[ok["leave_s"].idxmax()]
                leg = self._leg(row, base, board, alight)
                if best is None or leg.leave_at > best.leave_at:
                    best = leg
        return best

    def leave_after(self, board: dict, alight: dict, when: datetime, *, max_wait_s: float
                    ) -> TransitLeg | None:
        """Earliest-arriving direct trip leaving the door in ``[when, when + max_wait_s]``."""
        best = None
        for offset in (0, 1):
            service_day = when.date() - timedelta(days=offset)
            base = datetime.combine(service_day, time())
            start = (when - base).total_seconds()
            pairs = self._candidates(board, alight, service_day)
            ok = pairs[(pairs["leave_s"] >= start) & (pairs["leave_s"] <= start + max_wait_s)]
            if len(ok):
                row = ok.loc[ok["reach_s"].idxmin()]
                leg = self._leg(row, base, board, alight)
                if best is None or leg.arrive_at < best.arrive_at:
                    best = leg
        return best


@dataclass(frozen=True)
class TransitDay:
    """Public transport on one working day: the trip there and the trip back."""

    day: date
    outbound: TransitLeg | None
    inbound: TransitLeg | None

    @property
    def feasible(self) -> bool:
        """Both trips exist."""
        return self.outbound is not None and self.inbound is not None


def plan_days(feed: TransitFeed, engine, home: Point, work: Point, *,
              shifts: Sequence[tuple[datetime, datetime]], max_walk_m: float,
              max_wait_s: float) -> list[TransitDay]:
    """For each ``(shift_start, shift_end)``, the best trip there and back."""
    if WALK not in engine.modes:
        raise RoutingError("public transport needs the walk network to reach the stops")
    near_home_out = feed.walks(engine, home, max_walk_m=max_walk_m, to_stops=True)
    near_work_in = feed.walks(engine, work, max_walk_m=max_walk_m, to_stops=False)
    near_work_out = feed.walks(engine, work, max_walk_m=max_walk_m, to_stops=True)
    near_home_in = feed.walks(engine, home, max_walk_m=max_walk_m, to_stops=False)
    days = []
    for start, end in shifts:
        out = inb = None
        if near_home_out and near_work_in:
            out = feed.arrive_by(near_home_out, near_work_in, start, max_wait_s=max_wait_s)
        if near_work_out and near_home_in:
            inb = feed.leave_after(near_work_out, near_home_in, end, max_wait_s=max_wait_s)
        days.append(TransitDay(day=start.date(), outbound=out, inbound=inb))
    return days
