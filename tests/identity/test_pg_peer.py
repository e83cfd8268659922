"""Two real logins sharing one PostgreSQL database with peer authentication, as a team that
outgrew one SQLite file: the database user is the login, staff roles may not rewrite or
delete the audit, and a connection as someone else is refused in one line.

The server (run as an unprivileged user, like tests/support/pg.py's) accepts connections
on its Unix socket only: `local all all peer`, with the test process (root) mapped to the
superuser; TCP is rejected for everyone.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from models.context import Ctx
from models.db import Database
from models.errors import NoStaffIdentity
from models.pg_roles import check_database_user
from models.settings import Settings
from tests.identity.test_shared_host import ok, refused
from tests.support.oslogins import SharedHost, shared_host  # noqa: F401  (a fixture)
from tests.support.pg import SUPERUSER, PgServer, find_bin_dir

pytestmark = pytest.mark.slow

HBA = """\
# licensedesk test server: the Unix socket with peer authentication only.
local all {su} peer map=admin
local all all peer
host all all 0.0.0.0/0 reject
host all all ::/0 reject
"""


class PeerPgServer(PgServer):
    """A throwaway server whose socket directory other logins can reach, peer auth only."""

    def start(self) -> None:
        r = self.runner.run([
            str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "peer",
            "-E", "UTF8", "--no-locale", "--no-sync",
        ], timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed: {r.stderr.strip() or r.stdout.strip()}")
        admins = {"root", self.runner.user or "", os.environ.get("USER", "")} - {""}
        (self.data / "pg_hba.conf").write_text(HBA.format(su=SUPERUSER))
        (self.data / "pg_ident.conf").write_text(
            "".join(f"admin {who} {SUPERUSER}\n" for who in sorted(admins)))
        self.base.chmod(0o755)  # the socket lives here; the data directory stays 0700
        self.resume()

    def peer_url(self, database: str, user: str | None = None) -> str:
        who = f"{user}@" if user else ""
        return f"postgresql+psycopg://{who}/{database}?host={self.base}&port={self.port}"


@pytest.fixture(scope="module")
def peer_server() -> Iterator[PeerPgServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL tests skipped: no initdb/pg_ctl under /usr/lib/postgresql/*/bin")
    if os.geteuid() != 0:
        pytest.skip("peer authentication tests need root (to create logins and map the admin)")
    server = PeerPgServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def team_db(peer_server: PeerPgServer, shared_host: SharedHost) -> str:  # noqa: F811
    """A migrated database with staff grants; the lead (by `db upgrade` over peer auth)
    is its first lead and has added the agent. Returns the peer URL (no user in it)."""
    h = shared_host
    name = f"peer_{secrets.token_hex(4)}"
    admin = Database(peer_server.peer_url("postgres", SUPERUSER))
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    owner_url = peer_server.peer_url(name, SUPERUSER)
    owner = Database(owner_url)
    try:
        owner.upgrade()
    finally:
        owner.dispose()
    # The owner applies the grants with the CLI (root, mapped to the superuser).
    granted = subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "db", "grants", "--apply",
         "--login", h.lead, "--login", h.agent],
        env={**os.environ, "LICENSEDESK_DATABASE_URL": owner_url,
             "LICENSEDESK_DATA_DIR": str(h.root / "owner"),
             "LICENSEDESK_CONFIG": str(h.root / "no-config.toml")},
        capture_output=True, text=True, timeout=60, check=False)
    assert granted.returncode == 0, granted.stderr
    assert "granted:" in granted.stdout
    url = peer_server.peer_url(name)
    ok(h.run(h.lead, "db", "upgrade", LICENSEDESK_DATABASE_URL=url,
             LICENSEDESK_STAFF_EMAIL="lee@partner.example", LICENSEDESK_STAFF_NAME="Lee Lead"))
    ok(h.run(h.lead, "staff", "add", h.agent, "--role", "agent", "--email",
             "ada@partner.example", "--name", "Ada Agent", LICENSEDESK_DATABASE_URL=url))
    return url


def psql(peer_server: PeerPgServer, host: SharedHost, user: str, database: str,
         sql: str) -> subprocess.CompletedProcess[str]:
    """`psql -c SQL` as `user`, over the socket, as that login's own database role."""
    binary = peer_server.bin_dir / "psql"
    return subprocess.run(
        ["runuser", "-u", user, "--", str(binary if binary.exists() else "psql"),
         "-X", "-v", "ON_ERROR_STOP=1", "-h", str(peer_server.base), "-p",
         str(peer_server.port), "-d", database, "-At", "-c", sql],
        capture_output=True, text=True, timeout=60, check=False, cwd="/",
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"})


def _dbname(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[1]


def test_whoami_over_peer_auth(shared_host: SharedHost, team_db: str) -> None:  # noqa: F811
    h = shared_host
    me = json.loads(ok(h.run(h.agent, "whoami", "--json", LICENSEDESK_DATABASE_URL=team_db)))
    assert (me["login"], me["role"]) == (h.agent, "agent")
    me = json.loads(ok(h.run(h.lead, "whoami", "--json", LICENSEDESK_DATABASE_URL=team_db)))
    assert (me["login"], me["role"]) == (h.lead, "lead")


def test_an_agent_is_refused_a_lead_action(
        peer_server: PeerPgServer, shared_host: SharedHost, team_db: str) -> None:  # noqa: F811
    h = shared_host
    line = refused(h.run(h.agent, "staff", "add", h.stranger, "--email", "x@partner.example",
                         LICENSEDESK_DATABASE_URL=team_db))
    assert "needs the lead role" in line and h.agent in line
    rows = psql(peer_server, h, h.agent, _dbname(team_db),
                "SELECT login FROM audit_event WHERE kind = 'refused' ORDER BY id DESC LIMIT 1")
    assert rows.returncode == 0, rows.stderr
    assert rows.stdout.strip() == h.agent


def test_the_audit_is_append_only_for_staff_roles(
        peer_server: PeerPgServer, shared_host: SharedHost, team_db: str) -> None:  # noqa: F811
    h = shared_host
    db = _dbname(team_db)
    count = "SELECT count(*) FROM audit_event"
    before = int(ok(psql(peer_server, h, h.agent, db, count)).strip())
    # Writing through the product appends audit rows as the agent's own database role.
    ok(h.run(h.agent, "org", "add", "--name", "Acme", "--client-name", "Olivia",
             "--client-email", "olivia@acme.example", LICENSEDESK_DATABASE_URL=team_db))
    after = int(ok(psql(peer_server, h, h.agent, db, count)).strip())
    assert after > before
    assert ok(psql(peer_server, h, h.agent, db, "SELECT current_user")).strip() == h.agent
    for user in (h.agent, h.lead):
        for sql in ("UPDATE audit_event SET detail = 'nothing happened'",
                    "DELETE FROM audit_event", "TRUNCATE audit_event",
                    "UPDATE alembic_version SET version_num = 'x'"):
            done = psql(peer_server, h, user, db, sql)
            assert done.returncode != 0, (user, sql, done.stdout)
            assert "permission denied" in done.stderr, done.stderr
    assert int(ok(psql(peer_server, h, h.agent, db, count)).strip()) == after


def test_only_the_own_role_connects(
        peer_server: PeerPgServer, shared_host: SharedHost, team_db: str) -> None:  # noqa: F811
    h = shared_host
    # Naming another login's role: peer authentication itself refuses it.
    as_lead = peer_server.peer_url(_dbname(team_db), h.lead)
    line = refused(h.run(h.agent, "whoami", LICENSEDESK_DATABASE_URL=as_lead))
    assert "authentication failed" in line.lower() or "peer" in line.lower(), line
    # An unregistered login has no role at all.
    refused(h.run(h.stranger, "whoami", LICENSEDESK_DATABASE_URL=team_db))


def test_a_database_user_other_than_the_login_is_refused_in_one_line(
        peer_server: PeerPgServer, team_db: str, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    # This process (root) connects as the superuser through the ident map: not its login.
    url = peer_server.peer_url(_dbname(team_db), SUPERUSER)
    monkeypatch.setenv("LICENSEDESK_PG_PEER", "1")
    ctx = Ctx.open(Settings(data_dir=tmp_path, database_url=url), create=False)
    try:
        with pytest.raises(NoStaffIdentity) as caught:
            check_database_user(ctx)
        message = str(caught.value)
        assert "\n" not in message
        assert f"connected to the database as {SUPERUSER}, but this login is root" in message
        assert "peer authentication over the Unix socket" in message
        monkeypatch.delenv("LICENSEDESK_PG_PEER")
        check_database_user(ctx)  # a URL naming its user is the owner's business: no check
    finally:
        ctx.db.dispose()


def test_grants_without_the_rights_are_one_line(
        peer_server: PeerPgServer, shared_host: SharedHost, team_db: str) -> None:  # noqa: F811
    h = shared_host
    line = refused(h.run(h.agent, "db", "grants", "--apply", "--login", h.stranger,
                         LICENSEDESK_DATABASE_URL=team_db))
    assert "the grants were not applied" in line, line
    printed = ok(h.run(h.agent, "db", "grants", "--login", 'o"brien',
                       LICENSEDESK_DATABASE_URL=team_db))
    assert 'CREATE ROLE "o""brien" LOGIN IN ROLE "licensedesk_staff";' in printed
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "audit_event" FROM "licensedesk_staff";' in printed
