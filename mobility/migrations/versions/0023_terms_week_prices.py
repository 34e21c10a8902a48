"""terms week prices: the "Bougez" terms keep the vehicle kind they were fixed for and what the
pricing engine gives them for it (daily rate, reduction, fee of the first instalment), with an
index holding them by rental, so that the activity report adds a year's instalments up in SQL
instead of sorting the year's rentals into price classes (filled here for the terms already
written)

Revision ID: 0023_terms_week_prices
Revises: 0022_report_covering_indexes
Create Date: 2026-12-03 14:10:00

"""
import sqlalchemy as sa
from alembic import op

from mobility.pricing.backfill import fill_week_terms

# revision identifiers, used by Alembic.
revision = '0023_terms_week_prices'
down_revision = '0022_report_covering_indexes'
branch_labels = None
depends_on = None

COLUMNS = (("priced_kind", sa.String(length=20)), ("daily_rate_cents", sa.Integer()),
           ("reduction_pct", sa.Integer()), ("first_fee_cents", sa.Integer()))
INDEX = "ix_pricing_rental_terms_week"


def upgrade():
    with op.batch_alter_table("pricing_rental_terms") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    fill_week_terms(op.get_bind())
    op.create_index(INDEX, "pricing_rental_terms",
                    ["rental_id", "scheme", *(name for name, _type in COLUMNS)])


def downgrade():
    op.drop_index(INDEX, table_name="pricing_rental_terms")
    with op.batch_alter_table("pricing_rental_terms") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
