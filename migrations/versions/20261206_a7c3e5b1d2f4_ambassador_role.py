"""ambassador role: a provider's student ambassador, who sees their visits and edits nothing

Revision ID: a7c3e5b1d2f4
Revises: 6e88f3a19d5c
Create Date: 2026-12-06 20:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e5b1d2f4'
down_revision = '6e88f3a19d5c'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('student', 'counsellor', 'provider', 'outreach', 'admin')"
ROLES_AFTER = "role IN ('student', 'counsellor', 'provider', 'ambassador', 'outreach', 'admin')"
ORG_BEFORE = "role <> 'provider' OR provider_id IS NOT NULL"
ORG_AFTER = "role NOT IN ('provider', 'ambassador') OR provider_id IS NOT NULL"


def _replace_checks(roles: str, org: str) -> None:
    # On SQLite the batch rebuilds the table (env.py turns foreign keys off around it).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_valid'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_provider_org'), type_='check')
        batch_op.create_check_constraint('role_valid', roles)
        batch_op.create_check_constraint('provider_org', org)


def upgrade():
    _replace_checks(ROLES_AFTER, ORG_AFTER)


def downgrade():
    # Ambassadors become provider staff again, which the old constraint allows.
    op.execute("UPDATE users SET role = 'provider' WHERE role = 'ambassador'")
    _replace_checks(ROLES_BEFORE, ORG_BEFORE)
