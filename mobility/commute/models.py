"""Stored commute checks and the per-platform commute settings."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY
from mobility.core.tenancy import PlatformScoped

STAFF = frozenset({ADMIN, ADVISOR})


class CommuteCheck(PlatformScoped, db.Model):
    """One home → work feasibility check of a beneficiary, as computed at the time.

    `modes` maps each road mode to `{distance_m, duration_s, feasible, reasons: [{code,
    params}], geometry}`; `transit` is the public-transport result (or None when not checked);
    `ladder` the transit-first ladder (`{recommended, levels: [...]}`). Messages are rendered
    from the reason codes in the reader's language.
    """

    __tablename__ = "commute_checks"
    view_roles = STAFF
    edit_roles = STAFF

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    origin_text: Mapped[str | None] = mapped_column(String(300))
    origin_label: Mapped[str | None] = mapped_column(String(300))
    origin_lat: Mapped[float] = mapped_column(Float)
    origin_lon: Mapped[float] = mapped_column(Float)
    destination_text: Mapped[str | None] = mapped_column(String(300))
    destination_label: Mapped[str | None] = mapped_column(String(300))
    destination_lat: Mapped[float] = mapped_column(Float)
    destination_lon: Mapped[float] = mapped_column(Float)
    arrive_by: Mapped[time | None] = mapped_column(Time)
    leave_at: Mapped[time | None] = mapped_column(Time)
    #: ISO dates (the dates the shifts start)
    days: Mapped[list] = mapped_column(JSON, default=list)
    modes: Mapped[dict] = mapped_column(JSON, default=dict)
    transit: Mapped[dict | None] = mapped_column(JSON)
    ladder: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the capacities the ladder used, and where they came from
    capacities: Mapped[dict] = mapped_column(JSON, default=dict)
    recommended: Mapped[str | None] = mapped_column(String(32))
    engine: Mapped[str] = mapped_column(String(16), default="local")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    beneficiary = relationship("Beneficiary")
    created_by = relationship("User")

    def can_view(self, user) -> bool:
        """Advisors and admins of the platform; a beneficiary sees their own checks."""
        if user is not None and user.role == BENEFICIARY:
            return (self.same_platform(user) and self.beneficiary is not None
                    and self.beneficiary.user_id == user.id)
        return super().can_view(user)


class CommuteSettings(PlatformScoped, db.Model):
    """A platform's commute settings (one row per platform): its GTFS feed."""

    __tablename__ = "commute_settings"
    __table_args__ = (UniqueConstraint("platform_id"),)
    view_roles = STAFF
    edit_roles = frozenset({ADMIN})

    id: Mapped[int] = mapped_column(primary_key=True)
    #: path of a GTFS directory or zip on the server; None: the `GTFS_PATH` setting
    gtfs_path: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TransitLine(PlatformScoped, db.Model):
    """A public-transport line of a platform without a published feed (or whose feed the
    platform completes): its ordered stops, read from OpenStreetMap or typed in, and the
    timetable an admin enters (first and last departure, headway, days). The platform's
    illustrative GTFS (with `frequencies.txt`) is written from these lines."""

    __tablename__ = "commute_transit_lines"
    view_roles = STAFF
    edit_roles = frozenset({ADMIN})

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the number or short name shown to people ("1", "TER 4")
    ref: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    #: bus, train, tram or coach
    kind: Mapped[str] = mapped_column(String(16), default="bus")
    #: osm (route relations of the extract) or manual (described on the admin page)
    source: Mapped[str] = mapped_column(String(8), default="manual")
    #: the OSM relation ids the stops come from (one per direction)
    osm_ids: Mapped[list | None] = mapped_column(JSON)
    #: [{"name", "lat", "lon"}] in order; `return_stops` the way back (None: the same, reversed)
    stops: Mapped[list] = mapped_column(JSON, default=list)
    return_stops: Mapped[list | None] = mapped_column(JSON)
    first_departure: Mapped[time | None] = mapped_column(Time)
    last_departure: Mapped[time | None] = mapped_column(Time)
    headway_min: Mapped[int | None] = mapped_column(Integer)
    #: days of the week it runs, Monday = 0, e.g. "0,1,2,3,4,5"
    days: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def day_numbers(self) -> list[int]:
        """The days it runs, Monday = 0."""
        return [int(d) for d in (self.days or "").split(",") if d.strip().isdigit()]

    @property
    def has_timetable(self) -> bool:
        """True when first and last departure, headway and days are all set."""
        return bool(self.first_departure and self.last_departure and self.headway_min
                    and self.day_numbers)
