"""change outbox and PostgreSQL search entries

Revision ID: c71de19cabe4
Revises: 9887d22fa8ba
Create Date: 2026-11-22 08:49:37.921881

"""
from alembic import op
import sqlalchemy as sa

import portal.core.models


# revision identifiers, used by Alembic.
revision = 'c71de19cabe4'
down_revision = '9887d22fa8ba'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('change_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.core.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_outbox'))
    )
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Search entries for the PostgreSQL search backend (portal/search/postgres_backend.py);
    # not described by the ORM (tsvector), see portal/core/schema.py.
    op.execute("""
        CREATE TABLE search_entry (
            eid bigint PRIMARY KEY,
            f tsvector NOT NULL,
            t tsvector NOT NULL,
            e tsvector NOT NULL,
            c text[] NOT NULL DEFAULT '{}',
            indexed_at timestamptz NOT NULL DEFAULT now()
        )
    """)
    op.execute("CREATE INDEX ix_search_entry_f ON search_entry USING gin (f)")
    op.execute("CREATE INDEX ix_search_entry_t ON search_entry USING gin (t)")
    op.execute("CREATE INDEX ix_search_entry_e ON search_entry USING gin (e)")
    op.execute("CREATE INDEX ix_search_entry_c ON search_entry USING gin (c)")
    op.execute("CREATE SEQUENCE search_entry_generation")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP SEQUENCE IF EXISTS search_entry_generation")
        op.execute("DROP TABLE IF EXISTS search_entry")
    op.drop_table('change_outbox')
