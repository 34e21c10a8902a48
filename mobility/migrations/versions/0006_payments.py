"""payments

Revision ID: 0006_payments
Revises: 0005_reports_privacy
Create Date: 2026-11-23 12:13:04.424395

"""
from alembic import op
import sqlalchemy as sa

import mobility.core.columns


# revision identifiers, used by Alembic.
revision = '0006_payments'
down_revision = '0005_reports_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stripe_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=120), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('object_id', sa.String(length=120), nullable=True),
    sa.Column('outcome', sa.String(length=80), nullable=True),
    sa.Column('received_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_stripe_events_event_id'))
    )
    op.create_table('stripe_operations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('idempotency_key', sa.String(length=140), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('stripe_id', sa.String(length=120), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name=op.f('ck_stripe_operations_status_known')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_stripe_operations_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_operations')),
    sa.UniqueConstraint('key', name=op.f('uq_stripe_operations_key'))
    )
    with op.batch_alter_table('stripe_operations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_operations_platform_id'), ['platform_id'], unique=False)

    op.create_table('pricing_tariffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_until', sa.Date(), nullable=True),
    sa.Column('rates', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('effective_until IS NULL OR effective_until > effective_from', name=op.f('ck_pricing_tariffs_period_not_empty')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pricing_tariffs_created_by_id_users')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_pricing_tariffs_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pricing_tariffs')),
    sa.UniqueConstraint('platform_id', 'effective_from', name=op.f('uq_pricing_tariffs_platform_id_effective_from'))
    )
    with op.batch_alter_table('pricing_tariffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pricing_tariffs_platform_id'), ['platform_id'], unique=False)

    op.create_table('deposits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rental_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('kept_cents', sa.Integer(), nullable=False),
    sa.Column('damage_note', sa.Text(), nullable=True),
    sa.Column('stripe_customer_id', sa.String(length=120), nullable=True),
    sa.Column('stripe_setup_intent_id', sa.String(length=120), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=120), nullable=True),
    sa.Column('stripe_payment_method_id', sa.String(length=120), nullable=True),
    sa.Column('stripe_client_secret', sa.String(length=255), nullable=True),
    sa.Column('hold_expires_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('renewals', sa.Integer(), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('held_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("method IN ('cheque', 'cash', 'card_terminal', 'stripe_setup', 'stripe_hold')", name=op.f('ck_deposits_method_known')),
    sa.CheckConstraint("status IN ('pending', 'held', 'released', 'kept', 'failed', 'expired')", name=op.f('ck_deposits_status_known')),
    sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_deposits_amount_positive')),
    sa.CheckConstraint('kept_cents >= 0 AND kept_cents <= amount_cents', name=op.f('ck_deposits_kept_range')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_deposits_platform_id_platforms')),
    sa.ForeignKeyConstraint(['rental_id'], ['fleet_rentals.id'], name=op.f('fk_deposits_rental_id_fleet_rentals')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_deposits_taken_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deposits')),
    sa.UniqueConstraint('rental_id', name=op.f('uq_deposits_rental_id')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_deposits_stripe_payment_intent_id')),
    sa.UniqueConstraint('stripe_setup_intent_id', name=op.f('uq_deposits_stripe_setup_intent_id'))
    )
    with op.batch_alter_table('deposits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deposits_hold_expires_at'), ['hold_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deposits_platform_id'), ['platform_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rental_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=120), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=120), nullable=True),
    sa.Column('stripe_client_secret', sa.String(length=255), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("method IN ('cash', 'cheque', 'card_terminal', 'stripe')", name=op.f('ck_payments_method_known')),
    sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'cancelled')", name=op.f('ck_payments_status_known')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_payments_amount_positive')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_payments_platform_id_platforms')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_payments_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['rental_id'], ['fleet_rentals.id'], name=op.f('fk_payments_rental_id_fleet_rentals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payments_idempotency_key')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_payments_stripe_payment_intent_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_rental_id'), ['rental_id'], unique=False)

    op.create_table('pricing_rental_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rental_id', sa.Integer(), nullable=False),
    sa.Column('tariff_id', sa.Integer(), nullable=True),
    sa.Column('scheme', sa.String(length=16), nullable=False),
    sa.Column('rates', sa.JSON(), nullable=False),
    sa.Column('receives_rsa', sa.Boolean(), nullable=False),
    sa.Column('lives_in_qpv', sa.Boolean(), nullable=False),
    sa.Column('resources_band', sa.String(length=16), nullable=True),
    sa.Column('membership_due', sa.Boolean(), nullable=False),
    sa.Column('deposit_cents', sa.Integer(), nullable=False),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("scheme IN ('bougez', 'amie')", name=op.f('ck_pricing_rental_terms_scheme_known')),
    sa.CheckConstraint('deposit_cents >= 0', name=op.f('ck_pricing_rental_terms_deposit_positive')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_pricing_rental_terms_platform_id_platforms')),
    sa.ForeignKeyConstraint(['rental_id'], ['fleet_rentals.id'], name=op.f('fk_pricing_rental_terms_rental_id_fleet_rentals')),
    sa.ForeignKeyConstraint(['tariff_id'], ['pricing_tariffs.id'], name=op.f('fk_pricing_rental_terms_tariff_id_pricing_tariffs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pricing_rental_terms')),
    sa.UniqueConstraint('rental_id', name=op.f('uq_pricing_rental_terms_rental_id'))
    )
    with op.batch_alter_table('pricing_rental_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pricing_rental_terms_platform_id'), ['platform_id'], unique=False)

    op.create_table('rental_contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rental_id', sa.Integer(), nullable=False),
    sa.Column('template_version', sa.String(length=16), nullable=False),
    sa.Column('source_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('generated_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signer_name', sa.String(length=200), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_via', sa.String(length=8), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_rental_contracts_platform_id_platforms')),
    sa.ForeignKeyConstraint(['rental_id'], ['fleet_rentals.id'], name=op.f('fk_rental_contracts_rental_id_fleet_rentals')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_rental_contracts_signed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rental_contracts')),
    sa.UniqueConstraint('rental_id', name=op.f('uq_rental_contracts_rental_id'))
    )
    with op.batch_alter_table('rental_contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rental_contracts_platform_id'), ['platform_id'], unique=False)

    op.create_table('checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rental_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('odometer_km', sa.Integer(), nullable=False),
    sa.Column('previous_odometer_km', sa.Integer(), nullable=True),
    sa.Column('previous_reading_on', sa.Date(), nullable=True),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.Column('allowance_km', sa.Float(), nullable=True),
    sa.Column('over_allowance', sa.Boolean(), nullable=False),
    sa.Column('condition', sa.JSON(), nullable=False),
    sa.Column('condition_note', sa.Text(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('exit_solution', sa.Text(), nullable=True),
    sa.Column('next_date', sa.Date(), nullable=True),
    sa.Column('arrears_cents', sa.Integer(), nullable=False),
    sa.Column('microcredit_proposed', sa.Boolean(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('weekly', 'monthly')", name=op.f('ck_checkpoints_kind_known')),
    sa.CheckConstraint('odometer_km >= 0', name=op.f('ck_checkpoints_odometer_positive')),
    sa.ForeignKeyConstraint(['feedback_id'], ['referent_feedback.id'], name=op.f('fk_checkpoints_feedback_id_referent_feedback')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_checkpoints_payment_id_payments')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_checkpoints_platform_id_platforms')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_checkpoints_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['rental_id'], ['fleet_rentals.id'], name=op.f('fk_checkpoints_rental_id_fleet_rentals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoints')),
    sa.UniqueConstraint('rental_id', 'date', name=op.f('uq_checkpoints_rental_id_date'))
    )
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoints_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkpoints_rental_id'), ['rental_id'], unique=False)




def downgrade():
    for table in ("checkpoints", "rental_contracts", "pricing_rental_terms", "payments",
                  "deposits", "pricing_tariffs", "stripe_operations", "stripe_events"):
        op.drop_table(table)
