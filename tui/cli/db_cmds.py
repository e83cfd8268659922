"""`db upgrade`, `db grants`, `demo-data`."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli.common import BIGINT_MAX, MAX_DEMO_ORGS, open_ctx, settings_for, whole

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import StaffRef


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser("upgrade", help="create or upgrade the schema")
    up.set_defaults(func=cmd_upgrade)
    grants = dbsub.add_parser(
        "grants", help="PostgreSQL: the grants for staff logins using peer authentication")
    grants.add_argument("--login", action="append", default=[], metavar="LOGIN",
                        help="also create a LOGIN role for this staff login (repeatable)")
    grants.add_argument("--apply", action="store_true",
                        help="run them on the configured database (needs its owner's rights)")
    grants.set_defaults(func=cmd_grants)

    demo = sub.add_parser("demo-data", help="fill the database with realistic demo data")
    demo.add_argument("--orgs", type=whole(0, MAX_DEMO_ORGS), default=200,
                      help="organizations to make (200)")
    demo.add_argument("--seed", type=whole(-BIGINT_MAX, BIGINT_MAX), default=1,
                      help="random seed, for the same data again")
    demo.set_defaults(func=cmd_demo)


def cmd_upgrade(args: argparse.Namespace) -> int:
    from models.context import ensure_key_file
    from models.db import Database

    settings = settings_for(args)
    # Checked like any other opening (a directory, random bytes, a newer revision are
    # refused), but the schema is brought up here, to say whether it ran.
    db = Database.open_checked(settings.resolved_database_url, create=True, upgrade=False)
    try:
        ran = db.upgrade()
        ensure_key_file(settings.resolved_secret_file)
        print(f"schema {'upgraded' if ran else 'already'} at revision {db.current_revision()}")
    finally:
        db.dispose()
    lead = first_lead(open_ctx(args, staff_only=False))
    if lead is not None:
        print(f"{lead.login} is this database's first lead ({lead.email}); add the others "
              "with: licensedesk staff add LOGIN --role agent --email ADDRESS")
    warn_open_directory(settings.data_dir)
    return 0


def cmd_grants(args: argparse.Namespace) -> int:
    """Print (or with --apply, run) the SQL that lets staff logins connect as themselves
    and keeps the audit table append-only for them."""
    import sys

    from sqlalchemy.engine import make_url

    from models.db import Database, normalize_url
    from models.pg_roles import apply_grants, grant_login_sql, grants_sql

    url = normalize_url(settings_for(args).resolved_database_url)
    if not url.startswith("postgresql"):
        print("licensedesk: db grants is for PostgreSQL; this database is SQLite, shared "
              "through the data directory's group instead", file=sys.stderr)
        return 2
    database = make_url(url).database or ""
    if not args.apply:
        for sql in [*grants_sql(database), *(grant_login_sql(x) for x in args.login)]:
            print(sql + ";")
        return 0
    from sqlalchemy.exc import DBAPIError

    db = Database.open_checked(url, create=False, upgrade=False)
    try:
        with db.engine.begin() as conn:
            ran = apply_grants(conn, database, args.login)
    except (DBAPIError, ValueError) as err:
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        print(f"licensedesk: the grants were not applied ({reason}); run them as the "
              "database's owner or a superuser", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(f"granted: {len(ran)} statements on {database}")
    return 0


def first_lead(ctx: Ctx) -> StaffRef | None:
    """The login that creates a database becomes its first lead; None if it has one."""
    from models.desk import claim_first_lead, has_lead

    return None if has_lead(ctx) else claim_first_lead(ctx).staff


def warn_open_directory(path: Path) -> None:
    """A data directory other accounts can enter shares the database with them."""
    import stat
    import sys

    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRWXO):
        print(f"licensedesk: warning: {path} is open to every account on this machine "
              f"(mode {stat.S_IMODE(mode):o}); run chmod o-rwx on it", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    from models.desk import desk_for

    ctx = open_ctx(args, create=True, staff_only=False)
    first_lead(ctx)  # a new database's first user is its lead: setup, before any desk
    desk = desk_for(ctx)
    started = time.perf_counter()
    counts = desk.load_demo(orgs=args.orgs, seed=args.seed)
    took = time.perf_counter() - started
    print(", ".join(f"{n} {k}" for k, n in counts.items()) + f" in {took:.1f}s")
    return 0
