"""scale indexes: keyset pagination of the lists (rentals by start date, the open ones apart;
vehicles by plate; people by name; referrals and the audit log newest first)

Revision ID: 0017_scale_indexes
Revises: 0014_documents
Create Date: 2026-12-01 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_scale_indexes'
down_revision = '0014_documents'
branch_labels = None
depends_on = None

OPEN_RENTALS_SQL = "status IN ('booked', 'in_progress')"


def upgrade():
    op.create_index("ix_fleet_rentals_open_start", "fleet_rentals",
                    ["platform_id", "start_date", "id"],
                    sqlite_where=sa.text(OPEN_RENTALS_SQL),
                    postgresql_where=sa.text(OPEN_RENTALS_SQL))
    op.create_index("ix_fleet_rentals_platform_start", "fleet_rentals",
                    ["platform_id", "start_date", "id"])
    op.create_index("ix_fleet_vehicles_platform_plate", "fleet_vehicles",
                    ["platform_id", "plate", "id"])
    op.create_index("ix_beneficiaries_platform_name", "beneficiaries",
                    ["platform_id", "last_name", "first_name", "id"])
    op.create_index("ix_referrals_platform_created", "referrals",
                    ["platform_id", "created_at", "id"])
    op.create_index("ix_audit_events_platform_at", "audit_events", ["platform_id", "at", "id"])


def downgrade():
    op.drop_index("ix_audit_events_platform_at", table_name="audit_events")
    op.drop_index("ix_referrals_platform_created", table_name="referrals")
    op.drop_index("ix_beneficiaries_platform_name", table_name="beneficiaries")
    op.drop_index("ix_fleet_vehicles_platform_plate", table_name="fleet_vehicles")
    op.drop_index("ix_fleet_rentals_platform_start", table_name="fleet_rentals")
    op.drop_index("ix_fleet_rentals_open_start", table_name="fleet_rentals")
