"""change counter: committed catalogue changes, in commit order

Revision ID: 13075011a513
Revises: 8f3a6c1e2b47
Create Date: 2026-12-01 14:15:47

The caches built from the catalogue (search snapshot, public document counts, institutional
space) were keyed by row counts, newest update times and highest ids. Under PostgreSQL's read
committed, a transaction that started earlier can commit later with smaller values, and then
none of them changes: an unpublished regulation could stay in a cached search snapshot. Every
commit that changes tracked entities now adds one to this row (portal.core.changes).
"""

import sqlalchemy as sa
from alembic import op

revision = "13075011a513"
down_revision = "8f3a6c1e2b47"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_counter",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counter")),
    )


def downgrade():
    op.drop_table("change_counter")
