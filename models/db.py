"""Engine and sessions: SQLite (WAL, busy timeout, writes in BEGIN IMMEDIATE) or PostgreSQL.

Opening checks the database before anything uses it, and every way it can be unusable
(missing, a directory, not a SQLite file, damaged, read-only, from a newer licensedesk, a
server that does not answer) becomes `DatabaseProblem`: one line saying where it looked,
what is wrong and what to do. `describe()` does the same for a driver error met later (a
full disk, a lock held too long). A SQLite file deleted or replaced under a running process
is noticed on the next use after a few seconds (`DatabaseGone`), so nothing is written into
a file nobody will read again.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeGuard

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, inspect, text
from sqlalchemy.engine.base import OptionEngine
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlmodel import Session

from models.revision import HEAD_REVISION

__all__ = [
    "HEAD_REVISION", "Database", "DatabaseGone", "DatabaseMissing", "DatabaseProblem",
    "describe", "known_revisions", "normalize_url", "sqlite_path",
]
MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 30000
CONNECT_TIMEOUT_S = 10
# How often a running process looks whether its SQLite file is still the one it opened.
WATCH_EVERY_S = 2.0
CREATE_HINT = "run `licensedesk db upgrade` to create it"


class DatabaseProblem(Exception):
    """The database cannot be used as configured. `str(err)` is one line: where it looked,
    what is wrong, what to do."""


class DatabaseMissing(DatabaseProblem):
    """No database (or no schema) where the settings point, and this command creates none."""


class DatabaseGone(DatabaseProblem):
    """The SQLite file was deleted or replaced while this process had it open."""


def normalize_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names; None for another database or an in-memory one."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").partition("?")[0]
    return Path(path) if path and path != ":memory:" else None


def known_revisions() -> set[str]:
    """The migration revisions this program ships (read from the files, without Alembic)."""
    found = set()
    for f in (MIGRATIONS / "versions").glob("*.py"):
        m = re.search(r"^revision\s*(?::\s*\w+\s*)?=\s*['\"]([^'\"]+)['\"]", f.read_text(),
                      re.MULTILINE)
        if m:
            found.add(m.group(1))
    return found


def _q(value: object) -> str:
    text_ = repr(str(value))
    return text_ if len(text_) <= 120 else text_[:116] + "...'"


def _first_line(err: BaseException) -> str:
    msg = str(getattr(err, "orig", None) or err).strip()
    return (msg.splitlines() or [type(err).__name__])[0][:200]


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "LICENSEDESK_DATABASE_URL"


def _driver_error(err: BaseException) -> TypeGuard[Exception]:
    if isinstance(err, sqlite3.Error):
        return True
    module = type(err).__module__
    return module.startswith("psycopg") and type(err).__name__ in (
        "OperationalError", "InterfaceError")


def unreachable(err: BaseException | None) -> bool:
    """Whether `err` says the database cannot be used right now (a server stopped or
    restarting, a network cut, a lock held too long): retried, not a bug of ours. The one
    rule for the relay, the scans and the console."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(err, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(err, DBAPIError) and err.connection_invalidated


# The database can be read but not written, and waiting does not change that: a person has
# to act (free space, make the file or its file system writable). A database that cannot be
# read either stays the console's outage, which it retries.
_LASTING_SQLITE = ("SQLITE_FULL", "SQLITE_READONLY")
_LASTING_ERRNO = (errno.ENOSPC, errno.EROFS, errno.EDQUOT)


def lasting(err: BaseException | None, url: str) -> DatabaseProblem | None:
    """When `err` says the SQLite database at `url` can be read but not written (the disk
    full, the file or its file system read-only): what `describe` says of it, for the person
    to act on. None otherwise: a server away, a lock held too long, an OS error about another
    file, a bug."""
    if err is None:
        return None
    path = sqlite_path(normalize_url(url))
    if path is None:
        return None
    cause: BaseException | None = err.orig if isinstance(err, DBAPIError) else err
    name = str(getattr(cause, "sqlite_errorname", "") or "")
    if name.startswith(_LASTING_SQLITE) or (name.startswith("SQLITE_IOERR")
                                            and _disk_full(path)):
        return describe(err, url)
    if (isinstance(cause, OSError) and cause.errno in _LASTING_ERRNO and cause.filename
            and Path(os.fsdecode(cause.filename)).parent == path.parent):
        return describe(err, url)
    return None


def rowcount(res: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched. Session.execute is typed as returning a Result, but
    for those statements it is a CursorResult, which has the count."""
    assert isinstance(res, CursorResult)
    return int(res.rowcount)


def describe(err: BaseException, url: str) -> DatabaseProblem | None:
    """A driver or file-system error met while using the database at `url`, as one line;
    None when it is not about the database being unusable (a bug, most likely)."""
    if isinstance(err, DatabaseProblem):
        return err
    path = sqlite_path(normalize_url(url))
    where = _q(path) if path else _display_url(url)
    if _driver_error(err):
        # Raised by the driver itself (the relay's plain DB-API writes), not wrapped by
        # SQLAlchemy: read it the same way.
        err = DBAPIError.instance(None, None, err, type(err))
    if isinstance(err, OSError) and not isinstance(err, DBAPIError):
        reason = err.strerror or str(err)
        if getattr(err, "errno", None) == 28:  # ENOSPC
            return DatabaseProblem(f"the disk holding {where} is full; free some space and "
                                   "try again")
        return DatabaseProblem(f"cannot use {_q(err.filename or where)}: {reason}")
    if not isinstance(err, DBAPIError):
        return None
    orig = err.orig
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    msg = _first_line(err)
    if name:
        if path is not None and _disk_full(path) and not name.startswith("SQLITE_NOTADB"):
            return DatabaseProblem(f"the disk holding {where} is full ({msg}); free some "
                                   "space and try again")
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) and path is not None:
            blocked = _not_writable(path)
            if blocked:
                fix = ("mount it writable, or use a copy on a writable disk"
                       if "file system" in blocked else "give this user write access to the "
                       "file and its directory, or use a writable copy")
                return DatabaseProblem(
                    f"the database {where} cannot be written: {blocked} ({msg}); {fix}")
        if name.startswith("SQLITE_READONLY"):
            return DatabaseProblem(
                f"the database {where} is read-only ({msg}); give this user write access to "
                "the file and its directory, or use a copy that is writable")
        if name.startswith("SQLITE_CANTOPEN"):
            return DatabaseProblem(
                f"cannot open the database {where} ({msg}); it must be a file this user can "
                "read and write, in a directory this user can write")
        if name == "SQLITE_NOTADB":
            return DatabaseProblem(
                f"{where} is not a SQLite database ({msg}); move it away and {CREATE_HINT}, "
                "or point LICENSEDESK_DATABASE_URL at the right file")
        if name.startswith("SQLITE_CORRUPT"):
            return DatabaseProblem(
                f"the database {where} is damaged ({msg}); restore it from a backup, or move "
                f"it away and {CREATE_HINT}")
        if name == "SQLITE_FULL":
            return DatabaseProblem(f"the disk holding {where} is full ({msg}); free some "
                                   "space and try again")
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return DatabaseProblem(
                f"the database {where} stayed locked by another process for "
                f"{BUSY_TIMEOUT_MS // 1000}s ({msg}); try again")
        if name.startswith(("SQLITE_IOERR", "SQLITE_PERM", "SQLITE_AUTH", "SQLITE_NOLFS")):
            return DatabaseProblem(f"cannot use the database {where} ({msg}); check the file, "
                                   "its directory and the disk")
        return None
    if isinstance(err, OperationalError):
        return DatabaseProblem(
            f"cannot use the database at {where} ({msg}); check LICENSEDESK_DATABASE_URL and "
            "that the server is running and reachable")
    return None


def _disk_full(path: Path) -> bool:
    """Is the file system holding `path` out of space (SQLite often says only `disk I/O
    error` when it cannot grow its -shm file)?"""
    for target in (path, path.parent):
        try:
            st = os.statvfs(target)
        except OSError:
            continue
        return st.f_bavail * st.f_frsize < 64 * 1024
    return False


def _not_writable(path: Path) -> str | None:
    """Why SQLite cannot write beside `path` (it needs the file and, for its -wal and -shm
    files, the directory), or None when both look writable."""
    for target, what in ((path.parent, "its directory"), (path, "the file")):
        try:
            if target.exists() and not os.access(target, os.W_OK):
                try:
                    ro = bool(os.statvfs(target).f_flag & os.ST_RDONLY)
                except OSError:
                    ro = False
                return f"{what} is on a read-only file system" if ro else f"{what} is read-only"
        except OSError:
            continue
    return None


def _prepare_sqlite_file(path: Path, create: bool) -> None:
    """Before SQLite opens the file: make the directory when creating, and say clearly what
    is in the way when something is."""
    try:
        if path.is_dir():
            raise DatabaseProblem(f"the database path {_q(path)} is a directory, not a file; "
                                  "point LICENSEDESK_DATABASE_URL or LICENSEDESK_DATA_DIR "
                                  "elsewhere")
        if path.exists():
            return
        for parent in path.parents:
            if parent.exists():
                if not parent.is_dir():
                    raise DatabaseProblem(
                        f"{_q(parent)} is a file, not a directory, so the database "
                        f"{_q(path)} cannot be there; set LICENSEDESK_DATA_DIR to a directory")
                break
        if not create:
            raise DatabaseMissing(f"no database at {_q(path)}; {CREATE_HINT}, or set "
                                  "LICENSEDESK_DATA_DIR / LICENSEDESK_DATABASE_URL to where it is")
        path.parent.mkdir(parents=True, exist_ok=True)
        # Made here, not by SQLite (which makes 0644): the team that shares the directory
        # writes it too (the umask keeps other accounts out), and SQLite gives its WAL and
        # shared-memory files the same mode as the database.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DB_MODE))
    except OSError as err:
        reason = err.strerror or str(err)
        raise DatabaseProblem(f"cannot create the data directory for {_q(path)}: {reason} "
                              f"({_q(err.filename or path.parent)}); set LICENSEDESK_DATA_DIR "
                              "to a directory this user can write") from None


DB_MODE = 0o660
# Commits on an unwaiting connection between checkpoints: a relay's record changes 3-5
# pages, so about SQLite's own 1,000-page period.
CHECKPOINT_EVERY = 250
WAL_FRAMES_MAX = 4 * 1000  # four of SQLite's checkpoint periods


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000,
                                               "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can say IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass  # a read-only file keeps its journal mode: reading works, writing says why
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """One per process. `read()` and `write()` give sessions in their own transaction.

    `create=False`: a SQLite file that does not exist is refused (DatabaseMissing) instead
    of being made. `open_checked()` also looks inside before anything uses it.
    """

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.given_url = url  # as the person wrote it, for messages
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.path = sqlite_path(self.url)
        self._identity: tuple[int, int] | None = None
        self._watched_at = 0.0
        self._write_engine: Engine | OptionEngine
        self._unwaiting: dict[tuple[int, int], Any] = {}  # (pid, thread) -> DB-API connection
        self._unwaiting_commits = 0
        self._wal_frames = 0  # in the WAL at the last checkpoint
        self._checkpointer: threading.Thread | None = None
        if self.path is not None:
            _prepare_sqlite_file(self.path, create)
        try:
            if self.is_sqlite:
                self.engine = _sqlite_engine(self.url)
                self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
            else:
                args = ({"connect_timeout": CONNECT_TIMEOUT_S}
                        if self.url.startswith("postgresql") else {})
                self.engine = create_engine(self.url, pool_pre_ping=True, connect_args=args)
                self._write_engine = self.engine
        except Exception as err:  # a URL SQLAlchemy cannot read, a driver it does not have
            raise DatabaseProblem(f"the database URL cannot be read ({_first_line(err)}); "
                                  "check LICENSEDESK_DATABASE_URL") from None

    @classmethod
    def open_checked(cls, url: str, *, create: bool, upgrade: bool = True) -> Database:
        """Open, look inside, bring the schema up to date; DatabaseProblem when unusable."""
        db = cls(url, create=create)
        try:
            db.check(create=create, upgrade=upgrade)
        except BaseException:
            db.dispose()
            raise
        return db

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def where(self) -> str:
        return _q(self.path) if self.path else _display_url(self.given_url)

    def _problem(self, err: BaseException) -> BaseException:
        return describe(err, self.given_url) or err

    def check(self, *, create: bool, upgrade: bool = True) -> None:
        """Is this a licensedesk database this program can use? Upgrade it if it is older."""
        try:
            with self.engine.connect() as conn:
                tables = inspect(conn).get_table_names()
                revision = None
                if "alembic_version" in tables:
                    revision = conn.execute(
                        text("SELECT version_num FROM alembic_version")).scalar()
        except Exception as err:
            raise self._problem(err) from None
        if revision is None:
            if self.is_sqlite and tables:
                names = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
                raise DatabaseProblem(
                    f"{self.where} holds tables that are not licensedesk's ({names}); point "
                    "LICENSEDESK_DATABASE_URL or LICENSEDESK_DATA_DIR at a licensedesk database")
            if not create:
                raise DatabaseMissing(f"the database {self.where} has no licensedesk tables "
                                      f"yet; run `licensedesk db upgrade`")
        elif revision not in known_revisions():
            raise DatabaseProblem(
                f"the database {self.where} is at revision {_q(revision)}, newer than this "
                f"licensedesk knows (up to {HEAD_REVISION}); upgrade licensedesk, or point "
                "LICENSEDESK_DATABASE_URL at another database")
        if upgrade and revision != HEAD_REVISION:
            try:
                self.upgrade()
            except DatabaseProblem:
                raise
            except Exception as err:
                problem = describe(err, self.given_url)
                if problem is None:
                    raise
                raise problem from None
        self.remember_file()

    # The file under a running process -------------------------------------------------------

    def _stat(self) -> tuple[int, int] | None:
        assert self.path is not None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def remember_file(self) -> None:
        """Note which file the path names now; `check_file()` compares against it."""
        if self.path is not None:
            self._identity = self._stat()
            self._watched_at = time.monotonic()

    def check_file(self) -> None:
        """DatabaseGone when the SQLite file was deleted or replaced since it was opened."""
        if self.path is None or self._identity is None:
            return
        now = self._stat()
        if now == self._identity:
            return
        what = "deleted" if now is None else "replaced by another file"
        raise DatabaseGone(
            f"the database {self.where} was {what} while this process had it open; stopped "
            "so that nothing is written to the old copy; restore the file, then start again")

    def _watch(self) -> None:
        if self._identity is not None and time.monotonic() - self._watched_at >= WATCH_EVERY_S:
            self._watched_at = time.monotonic()
            self.check_file()

    # Sessions -------------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Session]:
        self._watch()
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that takes the write lock up front (no upgrade deadlocks)."""
        self._watch()
        with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):
            return None

    def upgrade(self) -> bool:
        """Bring the schema to the newest migration. Returns True when it ran any."""
        current = self.current_revision()
        if current == HEAD_REVISION:
            return False
        if current is not None and current not in known_revisions():
            raise DatabaseProblem(
                f"the database {self.where} is at revision {_q(current)}, newer than this "
                f"licensedesk knows (up to {HEAD_REVISION}); upgrade licensedesk")
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        if not self.is_sqlite:
            with self._write_engine.begin() as conn:
                # Two consoles starting at once must not both run the migration.
                conn.execute(text("SELECT pg_advisory_xact_lock(7415002)"))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            self.remember_file()
            return True
        with self._write_engine.connect() as conn:
            # A batch migration rebuilds a table (copy, DROP, rename); with foreign keys on,
            # the DROP of a table other rows point at fails. SQLite only takes the pragma
            # outside a transaction, so it is set on the driver's connection before BEGIN,
            # and the keys are checked (and switched back on) once the migration is in.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DatabaseProblem(
                            f"upgrading {self.where} would break {len(broken)} reference(s) "
                            f"between rows (first: table {broken[0][0]}); nothing was changed")
            finally:
                raw.execute("PRAGMA foreign_keys=ON")
        self.remember_file()
        return True

    def unwaiting_connection(self) -> Any:
        """SQLite: this thread's own DB-API connection that never waits for the write lock
        (busy_timeout 0), configured once and kept. The relay's event loop writes once per
        mail through it (models.outbox); a pooled connection cost a checkout, a reset and two
        PRAGMAs around every such write. It never checkpoints the WAL itself (see
        committed_unwaiting)."""
        assert self.is_sqlite
        key = (os.getpid(), threading.get_ident())
        conn = self._unwaiting.get(key)
        if conn is None:
            fairy = self.engine.raw_connection()  # made by the pool: the same PRAGMAs
            fairy.detach()  # ours alone from now on, closed by dispose()
            conn = fairy.dbapi_connection
            assert conn is not None
            conn.execute("PRAGMA busy_timeout=0")
            conn.execute("PRAGMA wal_autocheckpoint=0")
            self._unwaiting[key] = conn
        return conn

    def committed_unwaiting(self) -> None:
        """After each commit on an unwaiting connection: every CHECKPOINT_EVERY commits, copy
        the WAL into the file in a thread. SQLite's automatic checkpoint would run on the
        committing thread, the relay's event loop, with an fsync (1% of its records took
        2-15 ms, measured on this machine's disk, against 0.04 ms for the rest).

        A checkpoint that new commits overtake leaves the WAL to grow (it starts over only
        after one that caught up); past WAL_FRAMES_MAX, the next one runs right here,
        between two commits, as SQLite's own would, so it catches up."""
        self._unwaiting_commits += 1
        running = self._checkpointer is not None and self._checkpointer.is_alive()
        if self._unwaiting_commits < CHECKPOINT_EVERY or running:
            return
        self._unwaiting_commits = 0
        if self._wal_frames > WAL_FRAMES_MAX:
            self._checkpoint()
            return
        self._checkpointer = threading.Thread(target=self._checkpoint, name="wal-checkpoint",
                                              daemon=True)
        self._checkpointer.start()

    def _checkpoint(self) -> None:
        # What SQLite's own automatic checkpoint does (PASSIVE: it waits for no one), and as
        # best effort: a failed one leaves the WAL to the next.
        with contextlib.suppress(Exception):
            conn = self.engine.raw_connection()
            try:
                cur = conn.cursor()
                _busy, frames, _copied = cur.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                cur.close()
                self._wal_frames = int(frames)
            finally:
                conn.close()

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.join(30)
        held, self._unwaiting = self._unwaiting, {}
        for (pid, _thread), conn in held.items():
            if pid == os.getpid():  # one a forked child inherited is its parent's to close
                conn.close()
        self.engine.dispose()
