"""client domains per organization; the invitee's language

Revision ID: 0004
Revises: 0003

Each existing organization gets its client e-mail's domain (case-folded A-label form) as
its first domain, and "en" as its language; invitations follow their organization's
language (NULL) until one is set.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _domain_of(email: str) -> str | None:
    """The A-label, case-folded domain of an address; None if it has none usable. A copy of
    the rule in models/domains.py as it stood at this revision (migrations stay frozen)."""
    if "@" not in email:
        return None
    domain = email.rpartition("@")[2].strip().rstrip(".")
    try:
        import idna

        key = idna.encode(domain, uts46=True).decode("ascii").casefold()
    except (UnicodeError, ValueError):
        return None
    return key if "." in key and len(key) <= 253 else None


def upgrade() -> None:
    op.create_table(
        "organization_domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(length=253), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "domain"),
    )
    with op.batch_alter_table("organization_domain") as batch:
        batch.create_index(batch.f("ix_organization_domain_organization_id"),
                           ["organization_id"], unique=False)
    with op.batch_alter_table("organization") as batch:
        batch.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16),
                                   nullable=False, server_default="en"))
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16),
                                   nullable=True))

    conn = op.get_bind()
    org = sa.table("organization", sa.column("id", sa.Integer),
                   sa.column("client_email", sa.String))
    dom = sa.table("organization_domain", sa.column("organization_id", sa.Integer),
                   sa.column("domain", sa.String))
    rows = []
    for org_id, email in conn.execute(sa.select(org.c.id, org.c.client_email)):
        domain = _domain_of(email or "")
        if domain:
            rows.append({"organization_id": org_id, "domain": domain})
    if rows:
        conn.execute(dom.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("organization") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("organization_domain") as batch:
        batch.drop_index(batch.f("ix_organization_domain_organization_id"))
    op.drop_table("organization_domain")
