"""PostgreSQL roles for staff logins that connect with peer authentication.

Over the Unix socket with `peer` in pg_hba.conf, the server asks the kernel who is on the
other end: the database user *is* the operating-system login. Each staff login gets a
LOGIN role of its own name, member of the NOLOGIN group role `licensedesk_staff`, which
may read and write the tables but only SELECT and INSERT the audit table: the audit stays
append-only even for someone holding their own database client. The schema itself (and
these grants) belong to the owner, who runs migrations as a superuser or owner role.

`check_database_user` makes sure a process connected this way is its own login.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from models.audit import process_login
from models.errors import NoStaffIdentity

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from models.context import Ctx

STAFF_ROLE = "licensedesk_staff"
AUDIT_TABLE = "audit_event"
VERSION_TABLE = "alembic_version"
PEER_ENV = "LICENSEDESK_PG_PEER"


def quote_ident(name: str) -> str:
    """`name` as a PostgreSQL identifier, always double-quoted, quotes inside doubled."""
    if not name or "\x00" in name:
        raise ValueError(f"not a usable PostgreSQL identifier: {name!r}")
    return postgresql.dialect().identifier_preparer.quote_identifier(name)


def grants_sql(database: str) -> list[str]:
    """What the database's owner (or a superuser) runs, once and again after migrations
    that add tables, so that staff roles may use `database` and nothing more."""
    staff, db = quote_ident(STAFF_ROLE), quote_ident(database)
    audit, version = quote_ident(AUDIT_TABLE), quote_ident(VERSION_TABLE)
    return [
        # CREATE ROLE has no IF NOT EXISTS; the group role is a constant, so a DO block.
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{STAFF_ROLE}') "
        f"THEN CREATE ROLE {staff} NOLOGIN; END IF; END $$",
        f"GRANT CONNECT ON DATABASE {db} TO {staff}",
        f"GRANT USAGE ON SCHEMA public TO {staff}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {staff}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {staff}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {version} FROM {staff}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {staff}",
    ]


def grant_login_sql(login: str) -> str:
    """A LOGIN role for one staff login, with the staff group's rights."""
    return f"CREATE ROLE {quote_ident(login)} LOGIN IN ROLE {quote_ident(STAFF_ROLE)}"


def apply_grants(conn: Connection, database: str, logins: Sequence[str] = ()) -> list[str]:
    """Run the grants (and a role for each login) on `conn`; returns the SQL it ran. A login
    whose role exists already is made a member of the staff group instead."""
    ran = []
    for sql in grants_sql(database):
        conn.execute(text(sql))
        ran.append(sql)
    for login in logins:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"),
                              {"name": login}).scalar()
        sql = (f"GRANT {quote_ident(STAFF_ROLE)} TO {quote_ident(login)}" if exists
               else grant_login_sql(login))
        conn.execute(text(sql))
        ran.append(sql)
    return ran


def peer_style(url: str) -> bool:
    """Does this PostgreSQL URL leave the database user to the server (peer authentication):
    no user and no password in it, or LICENSEDESK_PG_PEER=1 saying so?"""
    if os.environ.get(PEER_ENV) == "1":
        return True
    parsed = make_url(url)
    return (parsed.username is None and parsed.password is None
            and "user" not in parsed.query and "password" not in parsed.query)


def check_database_user(ctx: Ctx) -> None:
    """On PostgreSQL with peer-style connections, the database user must be this process's
    login; NoStaffIdentity (one line) when it is not. SQLite: nothing to check."""
    if ctx.db.is_sqlite or not ctx.db.url.startswith("postgresql"):
        return
    if not peer_style(ctx.db.url):
        return
    with ctx.db.engine.connect() as conn:
        user = conn.execute(text("SELECT current_user")).scalar()
    login = process_login()
    if user != login:
        raise NoStaffIdentity(
            f"connected to the database as {user}, but this login is {login}: connect with "
            "peer authentication over the Unix socket, e.g. "
            "LICENSEDESK_DATABASE_URL=postgresql:///dbname?host=/run/postgresql")
