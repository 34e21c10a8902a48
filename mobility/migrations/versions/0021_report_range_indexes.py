"""report range indexes: the indexes the activity report's period filters read (pathways opened
and exited, actions done, assessments, seats of a date), and what was paid in a period by
method read from the index alone

Revision ID: 0021_report_range_indexes
Revises: 0020_payments_paid_index
Create Date: 2026-12-02 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021_report_range_indexes'
down_revision = '0020_payments_paid_index'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_pathways_platform_opened", "pathways", ["platform_id", "opened_on"]),
    ("ix_pathways_platform_exit", "pathways", ["platform_id", "exit_date"]),
    ("ix_pathway_actions_platform_done", "pathway_actions", ["platform_id", "done_on"]),
    ("ix_mobility_assessments_platform_kind_on", "mobility_assessments",
     ["platform_id", "kind", "assessed_on"]),
    ("ix_fleet_seat_bookings_platform_date", "fleet_seat_bookings", ["platform_id", "ride_date"]),
    ("ix_payments_platform_paid", "payments",
     ["platform_id", "paid_on", "status", "method", "amount_cents"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
