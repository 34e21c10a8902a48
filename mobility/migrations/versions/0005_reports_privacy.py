"""reports and privacy: networks of platforms, anonymisations

Revision ID: 0005_reports_privacy
Revises: 0004_people
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

import mobility.core.columns

# revision identifiers, used by Alembic.
revision = '0005_reports_privacy'
down_revision = '0004_people'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_networks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('head_platform_id', sa.Integer(), nullable=False),
        sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['head_platform_id'], ['platforms.id'],
                                name=op.f('fk_report_networks_head_platform_id_platforms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_networks')),
        sa.UniqueConstraint('slug', name=op.f('uq_report_networks_slug')),
    )
    with op.batch_alter_table('report_networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_networks_head_platform_id'),
                              ['head_platform_id'], unique=False)

    op.create_table(
        'report_network_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['network_id'], ['report_networks.id'],
                                name=op.f('fk_report_network_members_network_id_report_networks')),
        sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'],
                                name=op.f('fk_report_network_members_platform_id_platforms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_network_members')),
        sa.UniqueConstraint('platform_id', name=op.f('uq_report_network_members_platform_id')),
    )
    with op.batch_alter_table('report_network_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_network_members_network_id'),
                              ['network_id'], unique=False)

    op.create_table(
        'privacy_anonymisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('anonymised_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("reason IN ('request', 'inactivity')",
                           name=op.f('ck_privacy_anonymisations_reason_known')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_privacy_anonymisations_actor_id_users')),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'],
                                name=op.f('fk_privacy_anonymisations_beneficiary_id_beneficiaries')),
        sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'],
                                name=op.f('fk_privacy_anonymisations_platform_id_platforms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_anonymisations')),
        sa.UniqueConstraint('beneficiary_id',
                            name=op.f('uq_privacy_anonymisations_beneficiary_id')),
    )
    with op.batch_alter_table('privacy_anonymisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_anonymisations_platform_id'),
                              ['platform_id'], unique=False)


def downgrade():
    with op.batch_alter_table('privacy_anonymisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_anonymisations_platform_id'))
    op.drop_table('privacy_anonymisations')
    with op.batch_alter_table('report_network_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_network_members_network_id'))
    op.drop_table('report_network_members')
    with op.batch_alter_table('report_networks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_networks_head_platform_id'))
    op.drop_table('report_networks')
