"""call campaign: names and languages on contact details, call attempts

Revision ID: c4a7e2f9b1d3
Revises: e9d4b7a2c5f1
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'c4a7e2f9b1d3'
down_revision = 'e9d4b7a2c5f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_contact_details', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))
        batch_op.create_check_constraint(
            'language_iso639_1',
            'language IS NULL OR (length(language) = 2 AND language = lower(language))')

    op.create_table('outreach_call_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('called_at', orientamento.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('call_back_at', orientamento.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', orientamento.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(outcome = 'call_back') = (call_back_at IS NOT NULL)", name=op.f('ck_outreach_call_attempts_call_back_time')),
    sa.CheckConstraint("outcome IN ('no_answer', 'call_back') OR next_attempt_at IS NULL", name=op.f('ck_outreach_call_attempts_no_retry_after_end')),
    sa.CheckConstraint("outcome IN ('reached', 'no_answer', 'wrong_number', 'call_back')", name=op.f('ck_outreach_call_attempts_outcome_valid')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_outreach_call_attempts_number_positive')),
    sa.ForeignKeyConstraint(['contact_id'], ['outreach_contacts.id'], name=op.f('fk_outreach_call_attempts_contact_id_outreach_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flag_id'], ['outreach_flags.id'], name=op.f('fk_outreach_call_attempts_flag_id_outreach_flags'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outreach_call_attempts_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_call_attempts')),
    sa.UniqueConstraint('contact_id', name=op.f('uq_outreach_call_attempts_contact_id')),
    sa.UniqueConstraint('flag_id', 'number', name=op.f('uq_outreach_call_attempts_flag_id_number'))
    )
    with op.batch_alter_table('outreach_call_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_call_attempts_flag_id'), ['flag_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outreach_call_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_call_attempts_flag_id'))
    op.drop_table('outreach_call_attempts')

    with op.batch_alter_table('risk_contact_details', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_risk_contact_details_language_iso639_1'), type_='check')
        batch_op.drop_column('language')
        batch_op.drop_column('name')
