"""The bare figure `demo-data` is held to (tests/perf/bench_domain.py): the stdlib sqlite3
module alone inserting the very rows a demo load wrote, into the schema a fresh
`db upgrade` makes (its sqlite_master: every table, and every index, unique ones included),
with `executemany` in one transaction, parents first, in id order.

The plain bulk load a person who knows SQLite would write, and the fastest of those tried
(issue 14's measurements): a new file's own rollback journal (WAL would write every page
twice), the tables' secondary indexes created after the rows in the same transaction (the
UNIQUE constraints' indexes are part of their tables and fill as rows come), and the page
cache the demo's bulk path gives itself (1 GiB), so neither side has more memory.

Only the inserts, the index builds and the commit are timed. The rows are read from the
demo database into memory beforehand, a slice at a time with the clock stopped, so the
figure holds no cost of making rows at all (a real script would pay some).

    .venv/bin/python tests/perf/bare_sqlite_load.py FRESH.db DEMO.db OUT.db
prints `seconds rows`.
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import sys
import time

# Parents before the rows that point at them, as the demo writes them.
TABLES = ("staff", "organization", "organization_domain", "license", "invitation", "account",
          "notification", "outbox_mail", "audit_event")
SLICE = 200_000


def schema(fresh: str) -> tuple[list[str], list[str]]:
    """CREATE statements of a freshly migrated file: its tables, and their indexes."""
    src = sqlite3.connect(f"file:{fresh}?mode=ro", uri=True)
    try:
        rows = src.execute("SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL "
                           "AND name NOT LIKE 'sqlite_%'").fetchall()
    finally:
        src.close()
    return ([sql for kind, sql in rows if kind == "table"],
            [sql for kind, sql in rows if kind == "index"])


def load(fresh: str, demo: str, out: str, *, journal: str = "delete", cache_mib: int = 1024,
         indexes_first: bool = False) -> tuple[float, int]:
    dst = sqlite3.connect(out, isolation_level=None)
    dst.execute(f"PRAGMA journal_mode={journal}")
    dst.execute(f"PRAGMA cache_size={-1024 * cache_mib}")
    tables, indexes = schema(fresh)
    for sql in tables + indexes if indexes_first else tables:
        dst.execute(sql)
    src = sqlite3.connect(f"file:{demo}?mode=ro", uri=True)
    gc.disable()  # as the demo's loader does: millions of tuples without cycles
    took, total = 0.0, 0
    t = time.perf_counter()
    dst.execute("BEGIN")
    took += time.perf_counter() - t
    for table in TABLES:
        cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
        sql = (f"INSERT INTO {table} ({', '.join(cols)}) "  # noqa: S608 (names from the schema)
               f"VALUES ({', '.join('?' * len(cols))})")
        cur = src.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id")  # noqa: S608
        while rows := cur.fetchmany(SLICE):
            t = time.perf_counter()
            dst.executemany(sql, rows)
            took += time.perf_counter() - t
            total += len(rows)
            del rows
    t = time.perf_counter()
    if not indexes_first:
        for sql in indexes:
            dst.execute(sql)
    dst.execute("COMMIT")
    dst.close()  # with WAL, the checkpoint into the database file is part of the write
    took += time.perf_counter() - t
    src.close()
    return took, total


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("fresh")
    ap.add_argument("demo")
    ap.add_argument("out")
    ap.add_argument("--journal", default="delete", choices=("delete", "wal"))
    ap.add_argument("--cache-mib", type=int, default=1024)
    ap.add_argument("--indexes-first", action="store_true")
    args = ap.parse_args()
    took, rows = load(args.fresh, args.demo, args.out, journal=args.journal,
                      cache_mib=args.cache_mib, indexes_first=args.indexes_first)
    print(f"{took:.3f} {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
