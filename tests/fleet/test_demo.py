"""The demo fleet: about 40 vehicles of every kind on 3 sites, rentals in progress; idempotent."""

from sqlalchemy import func, select

from fleet import services
from fleet.models import MaintenanceJob, Rental, Site, Vehicle
from mobility.core.db import db
from mobility.demo import load_demo


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Site, Vehicle, Rental, MaintenanceJob))


def test_demo_fleet_is_complete_and_idempotent(sqlite_app):
    platform = load_demo()
    first = _counts()
    assert first[0] == 3 and first[1] == 40
    kinds = set(db.session.scalars(select(Vehicle.kind)))
    assert kinds == {"bike", "e_bike", "scooter", "moped", "car"}
    board = services.returns_board(platform.id)
    assert len(board["overdue"]) == 1 and len(board["today"]) >= 1 and board["week"]
    assert db.session.scalar(select(func.count()).select_from(Rental).where(
        Rental.status == "in_progress")) >= 5
    assert db.session.scalar(select(func.count()).select_from(Vehicle).where(
        Vehicle.status == "immobilised")) == 1
    assert services.maintenance_due(platform.id, within_days=0)
    load_demo()
    assert _counts() == first
