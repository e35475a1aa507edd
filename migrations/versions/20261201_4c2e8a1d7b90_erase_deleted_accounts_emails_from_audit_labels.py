"""erase deleted accounts' e-mail addresses from the audit log's labels

Accounts deleted before this revision kept their address in `audit_event.target_label` (on
user.created, user.deactivated, user.reactivated … rows). Give those rows the account's
anonymous address instead; the events themselves stay. Data only: no schema change.

Revision ID: 4c2e8a1d7b90
Revises: 4c2e9a7d1b53
Create Date: 2026-12-01 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4c2e8a1d7b90'
down_revision = '4c2e9a7d1b53'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        UPDATE audit_event
        SET target_label = (
            SELECT user_account.email FROM user_account WHERE user_account.id = audit_event.target_id
        )
        WHERE target_type = 'user'
          AND target_id IN (SELECT id FROM user_account WHERE deleted_at IS NOT NULL)
        """
    )


def downgrade():
    pass  # erased data cannot come back
