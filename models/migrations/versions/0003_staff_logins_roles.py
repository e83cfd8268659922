"""staff logins and roles; audit rows name the login

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("login", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("role", sa.String(length=16), nullable=False,
                                   server_default="agent"))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.create_unique_constraint("uq_staff_login", ["login"])
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("login", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("login")
    with op.batch_alter_table("staff") as batch:
        batch.drop_constraint("uq_staff_login", type_="unique")
        batch.drop_column("active")
        batch.drop_column("role")
        batch.drop_column("login")
