"""indexes: legal basis by document then regulation; legal documents by date and by update

Revision ID: 8f3a6c1e2b47
Revises: 5d1e8b2c4f60
Create Date: 2026-12-01 15:00:00

Whether a legal document is public (a published regulation cites it) is asked for every
document of the /documents list and its count; with document_id alone each check read the
legal_basis row for its regulation_id. At 20,000 regulations the API's count of public
documents went from 18 to 8 ms. The /documents page lists the newest first: with an index in
that order its first page no longer sorts every public document (12 → 0.1 ms). The search
snapshot's cache key asks for the newest document update on every search (a 2.8 ms scan).
"""

import sqlalchemy as sa
from alembic import op

revision = "8f3a6c1e2b47"
down_revision = "5d1e8b2c4f60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("legal_basis", schema=None) as batch_op:
        batch_op.create_index(
            "ix_legal_basis_document_regulation", ["document_id", "regulation_id"]
        )
        batch_op.drop_index("ix_legal_basis_document_id")
    with op.batch_alter_table("legal_document", schema=None) as batch_op:
        batch_op.create_index(
            "ix_legal_document_issued_number", [sa.column("issued_date").desc(), "number"]
        )
        batch_op.create_index("ix_legal_document_updated_at", ["updated_at"])


def downgrade():
    with op.batch_alter_table("legal_document", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_document_updated_at")
        batch_op.drop_index("ix_legal_document_issued_number")
    with op.batch_alter_table("legal_basis", schema=None) as batch_op:
        batch_op.create_index("ix_legal_basis_document_id", ["document_id"])
        batch_op.drop_index("ix_legal_basis_document_regulation")
