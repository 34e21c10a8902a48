"""advisor's open rentals: an index for the dashboard's day (the rentals an advisor follows
that are out or booked, by start date), on PostgreSQL only

Revision ID: 0019_advisor_open_rentals
Revises: 0016_checkpoint_appointment
Create Date: 2026-12-02 03:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_advisor_open_rentals'
down_revision = '0016_checkpoint_appointment'
branch_labels = None
depends_on = None

OPEN_RENTALS_SQL = "status IN ('booked', 'in_progress')"


def _postgresql() -> bool:
    # SQLite's planner, given this index, reads the whole history for the list of open rentals
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _postgresql():
        op.create_index("ix_fleet_rentals_advisor_open", "fleet_rentals",
                        ["advisor_id", "start_date"],
                        postgresql_where=sa.text(OPEN_RENTALS_SQL))


def downgrade():
    if _postgresql():
        op.drop_index("ix_fleet_rentals_advisor_open", table_name="fleet_rentals")
