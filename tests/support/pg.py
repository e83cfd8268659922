"""A throwaway PostgreSQL server for the test session, started from the binaries on the machine.

Use it in a conftest.py:

    from tests.support.pg import pg_url  # noqa: F401

`pg_url` is a session fixture: one server, in a temporary directory, run as an unprivileged
user (PostgreSQL refuses to run as root, and CI runs tests as root), on a free loopback port
with its unix socket in that directory; stopped and removed at the end of the session. Where
the binaries are missing, every test using it is skipped with the reason.

`fresh_database(pg_url)` gives each test its own database, so tests never see each other's
rows; `migrated=True` copies a template already at the newest migration (fast).

`server_stopped(pg_url)` stops the server the URL points at (`pg_ctl stop -m fast`, as an
administrator would) for the duration of a `with` block and starts it again on the way out,
whatever happened inside: an outage for tests of what survives one.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.ports import free_port

SUPERUSER = "postgres"
TEMPLATE = "licensedesk_template"
_template_lock = threading.Lock()
_template_ready: set[str] = set()
_servers: dict[int, PgServer] = {}  # running servers by port, for stop_server/start_server


def find_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl."""
    found = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        bin_dir = Path(initdb).parent
        if (bin_dir / "pg_ctl").exists() and (bin_dir / "postgres").exists():
            try:
                found.append((float(bin_dir.parent.name), bin_dir))
            except ValueError:
                found.append((0.0, bin_dir))
    return max(found)[1] if found else None


class _Runner:
    """Runs the server's commands as an unprivileged user when the tests run as root."""

    def __init__(self) -> None:
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "nobody"
            try:
                pwd.getpwnam(self.user)
            except KeyError:
                pytest.skip("PostgreSQL tests skipped: running as root and no 'nobody' user "
                            "to run the server as")
            if not (shutil.which("runuser") or shutil.which("su")):
                pytest.skip("PostgreSQL tests skipped: running as root without runuser or su")

    def own(self, path: Path) -> None:
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def argv(self, args: list[str]) -> list[str]:
        if not self.user:
            return args
        if shutil.which("runuser"):
            return ["runuser", "-u", self.user, "--", *args]
        return ["su", self.user, "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in args)]

    def run(self, args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv(args), capture_output=True, text=True, timeout=timeout,
                              check=False, cwd="/")


class PgServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.runner = _Runner()
        # Not pytest's tmp_path: that lives under a root-only 0700 directory.
        self.base = Path(tempfile.mkdtemp(prefix="licensedesk-pg-"))
        self.runner.own(self.base)
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = free_port()
        # Durability is worthless for a throwaway server; speed is not.
        self.options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                        "-c max_connections=200")

    def start(self) -> None:
        r = self.runner.run([
            str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--no-locale", "--no-sync",
        ], timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed: {r.stderr.strip() or r.stdout.strip()}")
        self.resume()
        _servers[self.port] = self

    def resume(self) -> None:
        """Start the server on its data directory (again), waiting until it accepts."""
        r = self.runner.run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l",
                             str(self.log), "-o", self.options, "-w", "-t", "60", "start"],
                            timeout=90)
        if r.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {r.stderr.strip()}\n{log}")

    def halt(self) -> None:
        """Stop it as an administrator would (`-m fast`: sessions are ended, not waited for)."""
        r = self.runner.run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                             "-w", "-t", "60", "stop"], timeout=90)
        if r.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not stop: {r.stderr.strip()}")

    def stop(self) -> None:
        _servers.pop(self.port, None)
        self.runner.run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                         "-w", "stop"], timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"


def _admin(url: str, *statements: str) -> None:
    """Run statements on the server's maintenance database (autocommit: CREATE DATABASE)."""
    import psycopg

    base, _, _ = url.rpartition("/")
    conninfo = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def server_or_skip() -> PgServer:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL tests skipped: no initdb/pg_ctl under /usr/lib/postgresql/*/bin "
                    "(install the postgresql package to run them)")
    return PgServer(bin_dir)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A SQLAlchemy URL to a fresh, empty database on a server started for this session."""
    server = server_or_skip()
    try:
        server.start()
        url = server.url("licensedesk_test")
        _admin(url, "CREATE DATABASE licensedesk_test")
        yield url
    finally:
        server.stop()


def _server_of(url: str) -> PgServer:
    from sqlalchemy.engine import make_url

    port = make_url(url).port
    server = _servers.get(port or 0)
    if server is None:
        raise LookupError(f"no throwaway PostgreSQL server of this session on port {port}")
    return server


def stop_server(url: str) -> None:
    """Stop the session's server that `url` points at (`pg_ctl stop -m fast`)."""
    _server_of(url).halt()


def start_server(url: str) -> None:
    """Start it again; returns once it accepts connections."""
    _server_of(url).resume()


@contextmanager
def server_stopped(url: str) -> Iterator[None]:
    """The server is down inside the block, and up again after it, even on failure."""
    stop_server(url)
    try:
        yield
    finally:
        start_server(url)


def fresh_database(pg_url: str, migrated: bool = False) -> str:
    """A new database on the session's server; with `migrated`, already at the newest schema."""
    name = f"t_{secrets.token_hex(6)}"
    template = "template0"
    if migrated:
        _ensure_template(pg_url)
        template = TEMPLATE
    _admin(pg_url, f'CREATE DATABASE "{name}" TEMPLATE {template}')
    return pg_url.rpartition("/")[0] + "/" + name


def _ensure_template(pg_url: str) -> None:
    from models.db import Database

    with _template_lock:
        if pg_url in _template_ready:
            return
        _admin(pg_url, f"CREATE DATABASE {TEMPLATE} TEMPLATE template0")
        db = Database(pg_url.rpartition("/")[0] + "/" + TEMPLATE)
        try:
            db.upgrade()
        finally:
            db.dispose()  # a template must have no open connections to be copied
        _template_ready.add(pg_url)
