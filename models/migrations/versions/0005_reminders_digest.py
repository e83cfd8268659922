"""automatic reminders and the digest

Revision ID: 0005
Revises: 0004

A license opts out of automatic reminders (on by default); each invitation counts the
automatic reminders of its current send; each staff member says how they hear of accepted,
overdue and failed invitations (a mail each, as before; a daily digest; none), when the last
digest went, and when they last had the console open.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from models.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("license") as batch:
        batch.add_column(sa.Column("auto_remind", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("auto_reminded", sa.Integer(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("notify", sqlmodel.sql.sqltypes.AutoString(length=8),
                                   nullable=False, server_default="each"))
        batch.add_column(sa.Column("digest_hour", sa.Integer(), nullable=False,
                                   server_default="8"))
        batch.add_column(sa.Column("digest_zone", sqlmodel.sql.sqltypes.AutoString(length=64),
                                   nullable=False, server_default="UTC"))
        batch.add_column(sa.Column("digest_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        for name in ("last_seen_at", "digest_at", "digest_zone", "digest_hour", "notify"):
            batch.drop_column(name)
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("auto_reminded")
    with op.batch_alter_table("license") as batch:
        batch.drop_column("auto_remind")
