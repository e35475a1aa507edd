"""search entry content fingerprints

Revision ID: 4c2e9a7d1b53
Revises: 13d80f8e89d1
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.core.models


# revision identifiers, used by Alembic.
revision = '4c2e9a7d1b53'
down_revision = '13d80f8e89d1'
branch_labels = None
depends_on = None


def upgrade():
    # search_entry exists only on PostgreSQL (portal/search/postgres_backend.py). Rows written
    # before this revision keep fp NULL, which `flask search verify` reports as out of date
    # until `flask search reindex` (or a change to the entry) rewrites them.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE search_entry ADD COLUMN fp bigint")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE search_entry DROP COLUMN IF EXISTS fp")
