"""fleet: sites, vehicles, rentals (no double booking), inspections, photos, maintenance,
carpool rides and seats, minibus runs, stops and seats.

On PostgreSQL, the `btree_gist` extension and an exclusion constraint make sure a vehicle is
never rented twice for overlapping periods (half-open date ranges; cancelled rentals free
their period). On SQLite the services take the write lock (BEGIN IMMEDIATE) before checking.

Revision ID: 0003_fleet
Revises: 0002_beneficiaries
"""
from alembic import op
import sqlalchemy as sa

import mobility.core.columns


# revision identifiers, used by Alembic.
revision = '0003_fleet'
down_revision = '0002_beneficiaries'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fleet_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('opening_hours', sa.String(length=300), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('pole', 'parking')", name=op.f('ck_fleet_sites_kind_known')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_sites_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_sites'))
    )
    with op.batch_alter_table('fleet_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_sites_platform_id'), ['platform_id'], unique=False)
    op.create_table('fleet_vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('plate', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=True),
    sa.Column('odometer_km', sa.Integer(), nullable=False),
    sa.Column('energy_level_pct', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('insurance_policy', sa.String(length=80), nullable=True),
    sa.Column('insurance_expires_on', sa.Date(), nullable=True),
    sa.Column('technical_inspection_expires_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('bike', 'e_bike', 'scooter', 'moped', 'car')", name=op.f('ck_fleet_vehicles_kind_known')),
    sa.CheckConstraint("status IN ('available', 'rented', 'maintenance', 'immobilised', 'retired')", name=op.f('ck_fleet_vehicles_status_known')),
    sa.CheckConstraint('energy_level_pct IS NULL OR (energy_level_pct BETWEEN 0 AND 100)', name=op.f('ck_fleet_vehicles_energy_level_range')),
    sa.CheckConstraint('odometer_km >= 0', name=op.f('ck_fleet_vehicles_odometer_positive')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_vehicles_platform_id_platforms')),
    sa.ForeignKeyConstraint(['site_id'], ['fleet_sites.id'], name=op.f('fk_fleet_vehicles_site_id_fleet_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_vehicles'))
    )
    with op.batch_alter_table('fleet_vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_vehicles_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index('ix_fleet_vehicles_search', ['platform_id', 'kind', 'site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_vehicles_site_id'), ['site_id'], unique=False)
    op.create_table('fleet_minibus_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('run_date', sa.Date(), nullable=False),
    sa.Column('departure_time', sa.Time(), nullable=False),
    sa.Column('driver_name', sa.String(length=200), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_fleet_minibus_runs_capacity_positive')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_minibus_runs_platform_id_platforms')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['fleet_vehicles.id'], name=op.f('fk_fleet_minibus_runs_vehicle_id_fleet_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_minibus_runs'))
    )
    with op.batch_alter_table('fleet_minibus_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_minibus_runs_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_minibus_runs_run_date'), ['run_date'], unique=False)
    op.create_table('fleet_minibus_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('stop_time', sa.Time(), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_minibus_stops_platform_id_platforms')),
    sa.ForeignKeyConstraint(['run_id'], ['fleet_minibus_runs.id'], name=op.f('fk_fleet_minibus_stops_run_id_fleet_minibus_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_minibus_stops'))
    )
    with op.batch_alter_table('fleet_minibus_stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_minibus_stops_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index('uq_fleet_minibus_stops_position', ['run_id', 'position'], unique=True)
    op.create_table('fleet_carpool_rides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('driver_kind', sa.String(length=16), nullable=False),
    sa.Column('driver_name', sa.String(length=200), nullable=False),
    sa.Column('driver_phone', sa.String(length=32), nullable=True),
    sa.Column('driver_beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=300), nullable=False),
    sa.Column('destination', sa.String(length=300), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('departure_time', sa.Time(), nullable=False),
    sa.Column('return_time', sa.Time(), nullable=True),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("driver_kind IN ('volunteer', 'employee', 'beneficiary')", name=op.f('ck_fleet_carpool_rides_driver_kind_known')),
    sa.CheckConstraint('seats >= 1', name=op.f('ck_fleet_carpool_rides_seats_positive')),
    sa.ForeignKeyConstraint(['driver_beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_fleet_carpool_rides_driver_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_carpool_rides_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_carpool_rides'))
    )
    with op.batch_alter_table('fleet_carpool_rides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_carpool_rides_platform_id'), ['platform_id'], unique=False)
    op.create_table('fleet_minibus_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('stop_id', sa.Integer(), nullable=True),
    sa.Column('seat_number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('charter_accepted_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('charter_version', sa.String(length=16), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('booked', 'cancelled')", name=op.f('ck_fleet_minibus_bookings_status_known')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_fleet_minibus_bookings_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_fleet_minibus_bookings_booked_by_id_users')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_minibus_bookings_platform_id_platforms')),
    sa.ForeignKeyConstraint(['run_id'], ['fleet_minibus_runs.id'], name=op.f('fk_fleet_minibus_bookings_run_id_fleet_minibus_runs')),
    sa.ForeignKeyConstraint(['stop_id'], ['fleet_minibus_stops.id'], name=op.f('fk_fleet_minibus_bookings_stop_id_fleet_minibus_stops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_minibus_bookings'))
    )
    with op.batch_alter_table('fleet_minibus_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_minibus_bookings_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_minibus_bookings_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index('uq_fleet_minibus_bookings_person', ['run_id', 'beneficiary_id'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.create_index('uq_fleet_minibus_bookings_seat', ['run_id', 'seat_number'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
    op.create_table('fleet_rentals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('advisor_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('daily_mileage_allowance_km', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('return_site_id', sa.Integer(), nullable=True),
    sa.Column('return_slot_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_out_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('booked', 'in_progress', 'returned', 'cancelled')", name=op.f('ck_fleet_rentals_status_known')),
    sa.CheckConstraint('end_date > start_date', name=op.f('ck_fleet_rentals_period_not_empty')),
    sa.ForeignKeyConstraint(['advisor_id'], ['users.id'], name=op.f('fk_fleet_rentals_advisor_id_users')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_fleet_rentals_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_rentals_platform_id_platforms')),
    sa.ForeignKeyConstraint(['return_site_id'], ['fleet_sites.id'], name=op.f('fk_fleet_rentals_return_site_id_fleet_sites')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['fleet_vehicles.id'], name=op.f('fk_fleet_rentals_vehicle_id_fleet_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_rentals'))
    )
    with op.batch_alter_table('fleet_rentals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_rentals_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_rentals_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index('ix_fleet_rentals_platform_status_end', ['platform_id', 'status', 'end_date'], unique=False)
        batch_op.create_index('ix_fleet_rentals_out', ['vehicle_id', 'end_date'], unique=False, sqlite_where=sa.text("status = 'in_progress'"), postgresql_where=sa.text("status = 'in_progress'"))
        batch_op.create_index('ix_fleet_rentals_vehicle_period', ['vehicle_id', 'end_date', 'start_date'], unique=False)
    op.create_table('fleet_inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rental_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('odometer_km', sa.Integer(), nullable=False),
    sa.Column('energy_level_pct', sa.Integer(), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('damage_notes', sa.Text(), nullable=True),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('inspected_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('check_out', 'check_in')", name=op.f('ck_fleet_inspections_kind_known')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_fleet_inspections_inspector_id_users')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_inspections_platform_id_platforms')),
    sa.ForeignKeyConstraint(['rental_id'], ['fleet_rentals.id'], name=op.f('fk_fleet_inspections_rental_id_fleet_rentals')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['fleet_vehicles.id'], name=op.f('fk_fleet_inspections_vehicle_id_fleet_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_inspections'))
    )
    with op.batch_alter_table('fleet_inspections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_inspections_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_inspections_vehicle_id'), ['vehicle_id'], unique=False)
        batch_op.create_index('uq_fleet_inspections_rental_kind', ['rental_id', 'kind'], unique=True)
    op.create_table('fleet_seat_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ride_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('ride_date', sa.Date(), nullable=False),
    sa.Column('seat_number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('booked', 'cancelled')", name=op.f('ck_fleet_seat_bookings_status_known')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_fleet_seat_bookings_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_fleet_seat_bookings_booked_by_id_users')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_seat_bookings_platform_id_platforms')),
    sa.ForeignKeyConstraint(['ride_id'], ['fleet_carpool_rides.id'], name=op.f('fk_fleet_seat_bookings_ride_id_fleet_carpool_rides')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_seat_bookings'))
    )
    with op.batch_alter_table('fleet_seat_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_seat_bookings_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_seat_bookings_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index('uq_fleet_seat_bookings_person', ['ride_id', 'ride_date', 'beneficiary_id'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.create_index('uq_fleet_seat_bookings_seat', ['ride_id', 'ride_date', 'seat_number'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
    op.create_table('fleet_maintenance_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_odometer_km', sa.Integer(), nullable=True),
    sa.Column('cost_cents', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('service', 'repair', 'technical_inspection')", name=op.f('ck_fleet_maintenance_jobs_kind_known')),
    sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name=op.f('ck_fleet_maintenance_jobs_status_known')),
    sa.CheckConstraint('cost_cents IS NULL OR cost_cents >= 0', name=op.f('ck_fleet_maintenance_jobs_cost_positive')),
    sa.ForeignKeyConstraint(['inspection_id'], ['fleet_inspections.id'], name=op.f('fk_fleet_maintenance_jobs_inspection_id_fleet_inspections')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_maintenance_jobs_platform_id_platforms')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['fleet_vehicles.id'], name=op.f('fk_fleet_maintenance_jobs_vehicle_id_fleet_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_maintenance_jobs'))
    )
    with op.batch_alter_table('fleet_maintenance_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_maintenance_jobs_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_maintenance_jobs_vehicle_id'), ['vehicle_id'], unique=False)
    op.create_table('fleet_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', mobility.core.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['fleet_inspections.id'], name=op.f('fk_fleet_photos_inspection_id_fleet_inspections')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fleet_photos_platform_id_platforms')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_fleet_photos_uploaded_by_id_users')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['fleet_vehicles.id'], name=op.f('fk_fleet_photos_vehicle_id_fleet_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fleet_photos')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_fleet_photos_stored_name'))
    )
    with op.batch_alter_table('fleet_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fleet_photos_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_photos_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fleet_photos_vehicle_id'), ['vehicle_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE fleet_rentals ADD CONSTRAINT ex_fleet_rentals_no_overlap "
            "EXCLUDE USING gist (vehicle_id WITH =, daterange(start_date, end_date, '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE fleet_rentals DROP CONSTRAINT IF EXISTS ex_fleet_rentals_no_overlap")
    with op.batch_alter_table('fleet_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_photos_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_fleet_photos_platform_id'))
        batch_op.drop_index(batch_op.f('ix_fleet_photos_inspection_id'))
    op.drop_table('fleet_photos')
    with op.batch_alter_table('fleet_maintenance_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_maintenance_jobs_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_fleet_maintenance_jobs_platform_id'))
    op.drop_table('fleet_maintenance_jobs')
    with op.batch_alter_table('fleet_seat_bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_fleet_seat_bookings_seat', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index('uq_fleet_seat_bookings_person', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index(batch_op.f('ix_fleet_seat_bookings_platform_id'))
        batch_op.drop_index(batch_op.f('ix_fleet_seat_bookings_beneficiary_id'))
    op.drop_table('fleet_seat_bookings')
    with op.batch_alter_table('fleet_inspections', schema=None) as batch_op:
        batch_op.drop_index('uq_fleet_inspections_rental_kind')
        batch_op.drop_index(batch_op.f('ix_fleet_inspections_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_fleet_inspections_platform_id'))
    op.drop_table('fleet_inspections')
    with op.batch_alter_table('fleet_rentals', schema=None) as batch_op:
        batch_op.drop_index('ix_fleet_rentals_vehicle_period')
        batch_op.drop_index('ix_fleet_rentals_out')
        batch_op.drop_index('ix_fleet_rentals_platform_status_end')
        batch_op.drop_index(batch_op.f('ix_fleet_rentals_platform_id'))
        batch_op.drop_index(batch_op.f('ix_fleet_rentals_beneficiary_id'))
    op.drop_table('fleet_rentals')
    with op.batch_alter_table('fleet_minibus_bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_fleet_minibus_bookings_seat', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index('uq_fleet_minibus_bookings_person', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index(batch_op.f('ix_fleet_minibus_bookings_platform_id'))
        batch_op.drop_index(batch_op.f('ix_fleet_minibus_bookings_beneficiary_id'))
    op.drop_table('fleet_minibus_bookings')
    with op.batch_alter_table('fleet_carpool_rides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_carpool_rides_platform_id'))
    op.drop_table('fleet_carpool_rides')
    with op.batch_alter_table('fleet_minibus_stops', schema=None) as batch_op:
        batch_op.drop_index('uq_fleet_minibus_stops_position')
        batch_op.drop_index(batch_op.f('ix_fleet_minibus_stops_platform_id'))
    op.drop_table('fleet_minibus_stops')
    with op.batch_alter_table('fleet_minibus_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_minibus_runs_run_date'))
        batch_op.drop_index(batch_op.f('ix_fleet_minibus_runs_platform_id'))
    op.drop_table('fleet_minibus_runs')
    with op.batch_alter_table('fleet_vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_vehicles_site_id'))
        batch_op.drop_index('ix_fleet_vehicles_search')
        batch_op.drop_index(batch_op.f('ix_fleet_vehicles_platform_id'))
    op.drop_table('fleet_vehicles')
    with op.batch_alter_table('fleet_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fleet_sites_platform_id'))
    op.drop_table('fleet_sites')
