"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 06:56:21.676818

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("county",
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_county')),
    sa.UniqueConstraint('code', name=op.f('uq_county_code')),
    sa.UniqueConstraint('name', name=op.f('uq_county_name'))
    )
    op.create_table('workstation_kind',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workstation_kind')),
    sa.UniqueConstraint('code', name=op.f('uq_workstation_kind_code'))
    )
    op.create_table('municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_municipality_county_id_county')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality')),
    sa.UniqueConstraint('code', name=op.f('uq_municipality_code')),
    sa.UniqueConstraint('name', name=op.f('uq_municipality_name'))
    )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_county_id'), ['county_id'], unique=False)

    op.create_table('validation_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('theory_minutes', sa.Integer(), nullable=False),
    sa.Column('practical_minutes', sa.Integer(), nullable=False),
    sa.Column('workstation_kind_id', sa.Integer(), nullable=False),
    sa.Column('max_group_size', sa.Integer(), nullable=False),
    sa.CheckConstraint('max_group_size > 0', name=op.f('ck_validation_model_group_size_positive')),
    sa.CheckConstraint('theory_minutes + practical_minutes > 0', name=op.f('ck_validation_model_has_duration')),
    sa.CheckConstraint('theory_minutes >= 0 AND practical_minutes >= 0', name=op.f('ck_validation_model_durations')),
    sa.ForeignKeyConstraint(['workstation_kind_id'], ['workstation_kind.id'], name=op.f('fk_validation_model_workstation_kind_id_workstation_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_model')),
    sa.UniqueConstraint('code', name=op.f('uq_validation_model_code')),
    sa.UniqueConstraint('name', name=op.f('uq_validation_model_name'))
    )
    op.create_table('company',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('org_number', sa.String(length=11), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('industry', sa.String(length=10), nullable=False),
    sa.CheckConstraint("industry IN ('steel', 'metal', 'other')", name=op.f('ck_company_industry')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_company_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company')),
    sa.UniqueConstraint('org_number', name=op.f('uq_company_org_number'))
    )
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('test_center',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('street_address', sa.String(length=120), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('postal_town', sa.String(length=60), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('accredited_from', sa.Date(), nullable=False),
    sa.Column('accredited_to', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_test_center_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_center')),
    sa.UniqueConstraint('name', name=op.f('uq_test_center_name'))
    )
    with op.batch_alter_table('test_center', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_center_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('center_workstation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('kind_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_center_workstation_count_not_negative')),
    sa.ForeignKeyConstraint(['center_id'], ['test_center.id'], name=op.f('fk_center_workstation_center_id_test_center'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kind_id'], ['workstation_kind.id'], name=op.f('fk_center_workstation_kind_id_workstation_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_center_workstation')),
    sa.UniqueConstraint('center_id', 'kind_id', name='uq_center_workstation_center_kind')
    )
    with op.batch_alter_table('center_workstation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_center_workstation_kind_id'), ['kind_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_person_company_id_company')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_company_id'), ['company_id'], unique=False)
    # E-mail addresses are unique whatever their case.
    op.create_index('uq_person_email_lower', 'person', [sa.text('lower(email)')], unique=True)

    op.create_table('assessor_authorisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.CheckConstraint('valid_from <= valid_to', name=op.f('ck_assessor_authorisation_period')),
    sa.ForeignKeyConstraint(['model_id'], ['validation_model.id'], name=op.f('fk_assessor_authorisation_model_id_validation_model')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_assessor_authorisation_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessor_authorisation'))
    )
    with op.batch_alter_table('assessor_authorisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessor_authorisation_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessor_authorisation_person_id'), ['person_id'], unique=False)

    op.create_table('role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(role = 'center_admin') = (center_id IS NOT NULL)", name=op.f('ck_role_grant_center_for_center_admin')),
    sa.CheckConstraint("role IN ('employee', 'coordinator', 'assessor', 'center_admin', 'project_admin')", name=op.f('ck_role_grant_role')),
    sa.ForeignKeyConstraint(['center_id'], ['test_center.id'], name=op.f('fk_role_grant_center_id_test_center')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_role_grant_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grant')),
    sa.UniqueConstraint('person_id', 'role', 'center_id', name='uq_role_grant_person_role')
    )
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grant_center_id'), ['center_id'], unique=False)

    op.create_table('validation_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('waitlist_counter', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f('ck_validation_session_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_validation_session_ends_after_start')),
    sa.CheckConstraint('seats >= 0', name=op.f('ck_validation_session_seats_not_negative')),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= seats', name=op.f('ck_validation_session_not_oversold')),
    sa.ForeignKeyConstraint(['assessor_id'], ['person.id'], name=op.f('fk_validation_session_assessor_id_person')),
    sa.ForeignKeyConstraint(['center_id'], ['test_center.id'], name=op.f('fk_validation_session_center_id_test_center')),
    sa.ForeignKeyConstraint(['model_id'], ['validation_model.id'], name=op.f('fk_validation_session_model_id_validation_model')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_session'))
    )
    with op.batch_alter_table('validation_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_validation_session_assessor_id'), ['assessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_validation_session_center_id'), ['center_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_validation_session_model_id'), ['model_id'], unique=False)
        batch_op.create_index('ix_validation_session_starts_at_status', ['starts_at', 'status'], unique=False)

    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('waitlist_number', sa.Integer(), nullable=True),
    sa.Column('booked_by_id', sa.Integer(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.Column('moved_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'waitlisted') = (waitlist_number IS NOT NULL)", name=op.f('ck_booking_waitlist_number')),
    sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled', 'attended', 'no_show')", name=op.f('ck_booking_status')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['person.id'], name=op.f('fk_booking_booked_by_id_person')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['person.id'], name=op.f('fk_booking_cancelled_by_id_person')),
    sa.ForeignKeyConstraint(['employee_id'], ['person.id'], name=op.f('fk_booking_employee_id_person')),
    sa.ForeignKeyConstraint(['moved_from_id'], ['booking.id'], name=op.f('fk_booking_moved_from_id_booking')),
    sa.ForeignKeyConstraint(['session_id'], ['validation_session.id'], name=op.f('fk_booking_session_id_validation_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking')),
    sa.UniqueConstraint('booked_by_id', 'request_key', name='uq_booking_request_key'),
    sa.UniqueConstraint('session_id', 'waitlist_number', name='uq_booking_waitlist_number')
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index('ix_booking_session_status', ['session_id', 'status'], unique=False)
        batch_op.create_index('uq_booking_one_live_per_employee', ['session_id', 'employee_id'], unique=True, sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))

    op.create_table('booking_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_override', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.CheckConstraint("kind IN ('booked', 'waitlisted', 'promoted', 'cancelled', 'moved')", name=op.f('ck_booking_event_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], name=op.f('fk_booking_event_actor_id_person')),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_booking_event_booking_id_booking')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_event'))
    )
    with op.batch_alter_table('booking_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_event_booking_id'), ['booking_id'], unique=False)



def downgrade():
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_event_booking_id'))

    op.drop_table('booking_event')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('uq_booking_one_live_per_employee', sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index('ix_booking_session_status')
        batch_op.drop_index(batch_op.f('ix_booking_employee_id'))

    op.drop_table('booking')
    with op.batch_alter_table('validation_session', schema=None) as batch_op:
        batch_op.drop_index('ix_validation_session_starts_at_status')
        batch_op.drop_index(batch_op.f('ix_validation_session_model_id'))
        batch_op.drop_index(batch_op.f('ix_validation_session_center_id'))
        batch_op.drop_index(batch_op.f('ix_validation_session_assessor_id'))

    op.drop_table('validation_session')
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grant_center_id'))

    op.drop_table('role_grant')
    with op.batch_alter_table('assessor_authorisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessor_authorisation_person_id'))
        batch_op.drop_index(batch_op.f('ix_assessor_authorisation_model_id'))

    op.drop_table('assessor_authorisation')
    op.drop_index('uq_person_email_lower', table_name='person')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_company_id'))

    op.drop_table('person')
    with op.batch_alter_table('center_workstation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_center_workstation_kind_id'))

    op.drop_table('center_workstation')
    with op.batch_alter_table('test_center', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_center_municipality_id'))

    op.drop_table('test_center')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_municipality_id'))

    op.drop_table('company')
    op.drop_table('validation_model')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_county_id'))

    op.drop_table('municipality')
    op.drop_table('workstation_kind')
    op.drop_table('county')
