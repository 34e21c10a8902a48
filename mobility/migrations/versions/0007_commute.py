"""commute: stored commute checks and per-platform commute settings

Revision ID: 0007_commute
Revises: 0006_payments
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

import mobility.core.columns

# revision identifiers, used by Alembic.
revision = '0007_commute'
down_revision = '0006_payments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'commute_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('origin_text', sa.String(length=300), nullable=True),
        sa.Column('origin_label', sa.String(length=300), nullable=True),
        sa.Column('origin_lat', sa.Float(), nullable=False),
        sa.Column('origin_lon', sa.Float(), nullable=False),
        sa.Column('destination_text', sa.String(length=300), nullable=True),
        sa.Column('destination_label', sa.String(length=300), nullable=True),
        sa.Column('destination_lat', sa.Float(), nullable=False),
        sa.Column('destination_lon', sa.Float(), nullable=False),
        sa.Column('arrive_by', sa.Time(), nullable=True),
        sa.Column('leave_at', sa.Time(), nullable=True),
        sa.Column('days', sa.JSON(), nullable=False),
        sa.Column('modes', sa.JSON(), nullable=False),
        sa.Column('transit', sa.JSON(), nullable=True),
        sa.Column('ladder', sa.JSON(), nullable=False),
        sa.Column('capacities', sa.JSON(), nullable=False),
        sa.Column('recommended', sa.String(length=32), nullable=True),
        sa.Column('engine', sa.String(length=16), nullable=False),
        sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'],
                                name=op.f('fk_commute_checks_beneficiary_id_beneficiaries')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_commute_checks_created_by_id_users')),
        sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'],
                                name=op.f('fk_commute_checks_platform_id_platforms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_commute_checks')),
    )
    with op.batch_alter_table('commute_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commute_checks_beneficiary_id'),
                              ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commute_checks_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_commute_checks_platform_id'), ['platform_id'],
                              unique=False)

    op.create_table(
        'commute_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('gtfs_path', sa.String(length=500), nullable=True),
        sa.Column('updated_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'],
                                name=op.f('fk_commute_settings_platform_id_platforms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_commute_settings')),
        sa.UniqueConstraint('platform_id', name=op.f('uq_commute_settings_platform_id')),
    )
    with op.batch_alter_table('commute_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commute_settings_platform_id'), ['platform_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('commute_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commute_settings_platform_id'))
    op.drop_table('commute_settings')
    with op.batch_alter_table('commute_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commute_checks_platform_id'))
        batch_op.drop_index(batch_op.f('ix_commute_checks_created_at'))
        batch_op.drop_index(batch_op.f('ix_commute_checks_beneficiary_id'))
    op.drop_table('commute_checks')
