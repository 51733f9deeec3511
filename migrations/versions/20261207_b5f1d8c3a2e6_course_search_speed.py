"""course search speed

The catalogue version the search cache is keyed by (``orientamento.courses.cache``): a
one-row counter that triggers bump on every write to courses, their sites, their
occupations, places, providers and occupations.

Revision ID: b5f1d8c3a2e6
Revises: a9e3c6d1f4b7
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'b5f1d8c3a2e6'
down_revision = 'a9e3c6d1f4b7'
branch_labels = None
depends_on = None


#: Written out rather than imported from the app, so this revision never changes.
_PG_TRIGGERS = [
    'CREATE OR REPLACE FUNCTION bump_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; RETURN NULL; END $$',
    'CREATE TRIGGER trg_courses_catalogue_version BEFORE INSERT OR UPDATE OR DELETE ON courses FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()',
    'CREATE TRIGGER trg_course_sites_catalogue_version BEFORE INSERT OR UPDATE OR DELETE ON course_sites FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()',
    'CREATE TRIGGER trg_course_occupations_catalogue_version BEFORE INSERT OR UPDATE OR DELETE ON course_occupations FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()',
    'CREATE TRIGGER trg_places_catalogue_version BEFORE INSERT OR UPDATE OR DELETE ON places FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()',
    'CREATE TRIGGER trg_providers_catalogue_version BEFORE INSERT OR UPDATE OR DELETE ON providers FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()',
    'CREATE TRIGGER trg_occupations_catalogue_version BEFORE INSERT OR UPDATE OR DELETE ON occupations FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()',
]

_SQLITE_TRIGGERS = [
    'CREATE TRIGGER trg_courses_catalogue_insert AFTER INSERT ON courses BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_courses_catalogue_update AFTER UPDATE ON courses BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_courses_catalogue_delete AFTER DELETE ON courses BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_course_sites_catalogue_insert AFTER INSERT ON course_sites BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_course_sites_catalogue_update AFTER UPDATE ON course_sites BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_course_sites_catalogue_delete AFTER DELETE ON course_sites BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_course_occupations_catalogue_insert AFTER INSERT ON course_occupations BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_course_occupations_catalogue_update AFTER UPDATE ON course_occupations BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_course_occupations_catalogue_delete AFTER DELETE ON course_occupations BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_places_catalogue_insert AFTER INSERT ON places BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_places_catalogue_update AFTER UPDATE ON places BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_places_catalogue_delete AFTER DELETE ON places BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_providers_catalogue_insert AFTER INSERT ON providers BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_providers_catalogue_update AFTER UPDATE ON providers BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_providers_catalogue_delete AFTER DELETE ON providers BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_occupations_catalogue_insert AFTER INSERT ON occupations BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_occupations_catalogue_update AFTER UPDATE ON occupations BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
    'CREATE TRIGGER trg_occupations_catalogue_delete AFTER DELETE ON occupations BEGIN INSERT INTO catalogue_versions (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1; END',
]

_PG_DROP = [
    'DROP TRIGGER IF EXISTS trg_courses_catalogue_version ON courses',
    'DROP TRIGGER IF EXISTS trg_course_sites_catalogue_version ON course_sites',
    'DROP TRIGGER IF EXISTS trg_course_occupations_catalogue_version ON course_occupations',
    'DROP TRIGGER IF EXISTS trg_places_catalogue_version ON places',
    'DROP TRIGGER IF EXISTS trg_providers_catalogue_version ON providers',
    'DROP TRIGGER IF EXISTS trg_occupations_catalogue_version ON occupations',
    'DROP FUNCTION IF EXISTS bump_catalogue_version()',
]

_SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS trg_courses_catalogue_insert',
    'DROP TRIGGER IF EXISTS trg_courses_catalogue_update',
    'DROP TRIGGER IF EXISTS trg_courses_catalogue_delete',
    'DROP TRIGGER IF EXISTS trg_course_sites_catalogue_insert',
    'DROP TRIGGER IF EXISTS trg_course_sites_catalogue_update',
    'DROP TRIGGER IF EXISTS trg_course_sites_catalogue_delete',
    'DROP TRIGGER IF EXISTS trg_course_occupations_catalogue_insert',
    'DROP TRIGGER IF EXISTS trg_course_occupations_catalogue_update',
    'DROP TRIGGER IF EXISTS trg_course_occupations_catalogue_delete',
    'DROP TRIGGER IF EXISTS trg_places_catalogue_insert',
    'DROP TRIGGER IF EXISTS trg_places_catalogue_update',
    'DROP TRIGGER IF EXISTS trg_places_catalogue_delete',
    'DROP TRIGGER IF EXISTS trg_providers_catalogue_insert',
    'DROP TRIGGER IF EXISTS trg_providers_catalogue_update',
    'DROP TRIGGER IF EXISTS trg_providers_catalogue_delete',
    'DROP TRIGGER IF EXISTS trg_occupations_catalogue_insert',
    'DROP TRIGGER IF EXISTS trg_occupations_catalogue_update',
    'DROP TRIGGER IF EXISTS trg_occupations_catalogue_delete',
]


def upgrade():
    op.create_table(
        'catalogue_versions',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_versions')),
    )
    op.execute("INSERT INTO catalogue_versions (id, version) VALUES (1, 1)")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _PG_TRIGGERS if postgres else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _PG_DROP if postgres else _SQLITE_DROP:
        op.execute(statement)
    op.drop_table('catalogue_versions')
