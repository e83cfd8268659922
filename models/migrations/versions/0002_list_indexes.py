"""indexes for the Clients filter and the Needs attention list

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Replaced by ix_org_name_search, which SQLite would otherwise pass over for ordering.
    op.drop_index("ix_organization_name_key", table_name="organization")
    op.create_index("ix_org_name_search", "organization", ["name_key", "id", "search_key"])
    op.create_index("ix_invitation_status_sent", "invitation", ["status", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_invitation_status_sent", table_name="invitation")
    op.drop_index("ix_org_name_search", table_name="organization")
    op.create_index("ix_organization_name_key", "organization", ["name_key"])
