"""payments paid index: what a rental has paid by a date, read from the index alone (the
yearly report sums it for every rental of the year)

Revision ID: 0020_payments_paid_index
Revises: 0019_advisor_open_rentals
Create Date: 2026-12-02 04:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_payments_paid_index'
down_revision = '0019_advisor_open_rentals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_payments_rental_paid", "payments",
                    ["rental_id", "status", "paid_on", "amount_cents"])


def downgrade():
    op.drop_index("ix_payments_rental_paid", table_name="payments")
