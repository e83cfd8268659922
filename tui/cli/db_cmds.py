"""`db upgrade`, `demo-data`."""

from __future__ import annotations

import argparse
import time

from tui.cli.common import open_ctx


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser("upgrade", help="create or upgrade the schema")
    up.set_defaults(func=cmd_upgrade)

    demo = sub.add_parser("demo-data", help="fill the database with realistic demo data")
    demo.add_argument("--orgs", type=int, default=200, help="organizations to make (200)")
    demo.add_argument("--seed", type=int, default=1, help="random seed, for the same data again")
    demo.set_defaults(func=cmd_demo)


def cmd_upgrade(args: argparse.Namespace) -> int:
    from models.db import Database
    from models.settings import load_settings

    settings = load_settings()
    db = Database(settings.resolved_database_url)
    ran = db.upgrade()
    print(f"schema {'upgraded' if ran else 'already'} at revision {db.current_revision()}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from models.demo import make_demo_data

    ctx = open_ctx(args)
    started = time.perf_counter()
    counts = make_demo_data(ctx, orgs=args.orgs, seed=args.seed)
    took = time.perf_counter() - started
    print(", ".join(f"{n} {k}" for k, n in counts.items()) + f" in {took:.1f}s")
    return 0
