"""transit lines: a platform's public-transport lines (stops from OpenStreetMap or typed in,
timetables entered by an admin) written into its illustrative GTFS feed

Revision ID: 0015_transit_lines
Revises: 0018_person_documents
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa

import mobility.core.columns


# revision identifiers, used by Alembic.
revision = '0015_transit_lines'
down_revision = '0018_person_documents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'commute_transit_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('osm_ids', sa.JSON(), nullable=True),
        sa.Column('stops', sa.JSON(), nullable=False),
        sa.Column('return_stops', sa.JSON(), nullable=True),
        sa.Column('first_departure', sa.Time(), nullable=True),
        sa.Column('last_departure', sa.Time(), nullable=True),
        sa.Column('headway_min', sa.Integer(), nullable=True),
        sa.Column('days', sa.String(length=20), nullable=False),
        sa.Column('updated_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'],
                                name=op.f('fk_commute_transit_lines_platform_id_platforms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_commute_transit_lines')),
    )
    with op.batch_alter_table('commute_transit_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commute_transit_lines_platform_id'),
                              ['platform_id'], unique=False)


def downgrade():
    with op.batch_alter_table('commute_transit_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commute_transit_lines_platform_id'))
    op.drop_table('commute_transit_lines')
