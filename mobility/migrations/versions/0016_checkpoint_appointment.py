"""checkpoint appointment: the next checkpoint's time and place (a site, or a place in words);
the staff's work phone (the portal's call button)

Revision ID: 0016_checkpoint_appointment
Revises: 0018_person_documents
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_checkpoint_appointment'
down_revision = '0015_transit_lines'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))

    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('next_site_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('next_place', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key('fk_checkpoints_next_site_id_fleet_sites', 'fleet_sites',
                                    ['next_site_id'], ['id'])


def downgrade():
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.drop_constraint('fk_checkpoints_next_site_id_fleet_sites', type_='foreignkey')
        batch_op.drop_column('next_place')
        batch_op.drop_column('next_site_id')
        batch_op.drop_column('next_time')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')
