"""Issue 10, the fault table: each bad setting, each broken database, key file or data
directory, a full disk, an unreachable server, a database deleted under a running worker.
Each must end in one line on stderr naming what is wrong (the expected fragment below)
and exit status 2, with no traceback and no file left behind.

Read-only and full-disk cases need either a non-root user (chmod) or root with mount
(a read-only bind mount, a small tmpfs); without either they skip and say why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from models.context import Ctx
from models.settings import Settings
from tests.cli.hostile import ROOT, Run, one_line_failure, run_in_process, run_process, snapshot
from tests.support.hostile_tally import count

STAFF = "sam@partner.example"
USAGE = 2
WRITE = ["org", "add", "--name", "Acme", "--client-name", "Ann", "--client-email",
         "ann@acme.example"]
READ = ["org", "list"]


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", STAFF)
    return tmp_path / "data"


def make_database(data: Path, lead: bool = True) -> Path:
    """A database this login leads, as `db upgrade` leaves it (or with no lead yet)."""
    from models.staff import claim_first_lead

    ctx = Ctx.open(Settings(data_dir=data, staff_email=STAFF))
    if lead:
        claim_first_lead(ctx)
    ctx.db.dispose()
    return data / "licensedesk.db"


def fails(capsys: pytest.CaptureFixture[str], argv: list[str], says: str | list[str],
          kind: str, code: int = USAGE) -> Run:
    r = run_in_process(capsys, argv)
    count(kind, r.traceback, r.code)
    one_line_failure(r)
    assert r.code == code, r
    for fragment in [says] if isinstance(says, str) else says:
        assert fragment in r.err, r
    return r


# Settings ---------------------------------------------------------------------------------

SETTING_FAULTS = [
    ("LICENSEDESK_OVERDUE_AFTER", "bogus", "not a duration: 'bogus'"),
    ("LICENSEDESK_OVERDUE_AFTER", "-1h", "not a duration: '-1h'"),
    ("LICENSEDESK_OVERDUE_AFTER", "999999999999d", "duration too long"),
    ("LICENSEDESK_OVERDUE_AFTER", "0", "must be more than 0"),
    ("LICENSEDESK_OVERDUE_AFTER", "3651d", "longer than 3650 days"),
    ("LICENSEDESK_INVITE_EXPIRY", "7 days", "not a duration"),
    ("LICENSEDESK_INVITE_EXPIRY", "1e9", "not a duration"),
    ("LICENSEDESK_RATE_LIMIT_WINDOW", "nan", "not a duration"),
    ("LICENSEDESK_SCAN_PERIOD", "0s", "must be more than 0"),
    ("LICENSEDESK_SMTP_GIVE_UP_AFTER", "9" * 400, "duration too long"),
    ("LICENSEDESK_RATE_LIMIT_PER_ORG", "abc", "valid integer"),
    ("LICENSEDESK_RATE_LIMIT_PER_ORG", "0", "greater than or equal to 1"),
    ("LICENSEDESK_RATE_LIMIT_PER_ORG", "99999999999999999999", "less than or equal to"),
    ("LICENSEDESK_SMTP_SECURITY", "bogus", "'starttls', 'tls' or 'none'"),
    ("LICENSEDESK_SMTP_PORT", "abc", "valid integer"),
    ("LICENSEDESK_SMTP_PORT", "70000", "less than or equal to 65535"),
    ("LICENSEDESK_SMTP_PORT", "0", "greater than or equal to 1"),
    ("LICENSEDESK_SMTP_CONNECTIONS", "0", "greater than or equal to 1"),
    ("LICENSEDESK_SMTP_ALLOW_INSECURE", "maybe", "valid boolean"),
    ("LICENSEDESK_SMTP_HOST", "relay\n.example", "'\\n'"),
    ("LICENSEDESK_SMTP_USERNAME", "relay\x1b[2J", "'\\x1b'"),
    ("LICENSEDESK_DATABASE_URL", "bogus://x", "not a database this program uses"),
    ("LICENSEDESK_DATABASE_URL", "not a url", "not a database this program uses"),
    ("LICENSEDESK_DATABASE_URL", "sqlite:///", "a SQLite URL names a file"),
    ("LICENSEDESK_DATABASE_URL", "sqlite:///:memory:", "a SQLite URL names a file"),
    ("LICENSEDESK_DATA_DIR", os.fsdecode(b"/tmp/\xff"), "not UTF-8"),
    ("LICENSEDESK_SIGNUP_URL", "ftp://x.example/", "http:// or https://"),
    ("LICENSEDESK_SIGNUP_URL", "http://x.example:99999/", "not a URL"),
    ("LICENSEDESK_MAIL_FROM", "Jo <jo@partner.example>\u2028Bcc: x@y.example", "'\\u2028'"),
    ("LICENSEDESK_MAIL_FROM", "jo@partner.example\r\nBcc: x@y.example", "'\\r'"),
    ("LICENSEDESK_MAIL_FROM", "Jo\x85 <jo@partner.example>", "'\\x85'"),
    ("LICENSEDESK_MAIL_FROM", "=?utf-8?q?Jo?= <jo@partner.example>", "'=?'"),
    ("LICENSEDESK_MAIL_FROM", "a@partner.example, b@partner.example", "one mailbox"),
    ("LICENSEDESK_MAIL_FROM", "Doe, Jo <jo@partner.example>", "one mailbox"),
    ("LICENSEDESK_MAIL_FROM", "not-an-address", "one mailbox"),
    ("LICENSEDESK_MAIL_FROM", "Jo <jo@partner.example", "one mailbox"),
]


@pytest.mark.parametrize(("var", "value", "says"), SETTING_FAULTS,
                         ids=[f"{v}={x[:20]!r}" for v, x, _ in SETTING_FAULTS])
def test_a_bad_setting_stops_start_up_in_one_line_naming_it(
        data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        var: str, value: str, says: str) -> None:
    db = make_database(data)
    before = snapshot(db)
    monkeypatch.setenv(var, value)
    for argv in (READ, WRITE, ["db", "upgrade"], ["worker", "--once"], ["mail", "list"]):
        fails(capsys, argv, [f"licensedesk: {var}: ", says], "fault table (settings)")
    assert snapshot(db) == before


CONFIG_FAULTS: list[tuple[str, bytes, str]] = [
    ("malformed", b"overdue_after = \n", "config file"),
    ("not UTF-8", b'staff_name = "\xff"\n', "config file"),
    ("a list for a duration", b"overdue_after = [1]\n", "overdue_after in"),
    ("a string for a number", b'rate_limit_per_org = "many"\n', "rate_limit_per_org in"),
    ("a port out of range", b"smtp_port = 99999\n", "smtp_port in"),
    ("a number for a path", b"smtp_ca_file = 5\n", "smtp_ca_file in"),
    ("a line break in mail_from", b'mail_from = "a@b.example\\nBcc: c@d.example"\n',
     "mail_from in"),
    ("an infinite duration", b"overdue_after = inf\n", "overdue_after in"),
]


@pytest.mark.parametrize(("what", "content", "says"), CONFIG_FAULTS,
                         ids=[c[0] for c in CONFIG_FAULTS])
def test_a_bad_config_file_is_named(data: Path, short_config: Path,
                                    capsys: pytest.CaptureFixture[str], what: str,
                                    content: bytes, says: str) -> None:
    make_database(data)
    config = short_config
    config.write_bytes(content)
    for argv in (READ, ["db", "upgrade"]):
        fails(capsys, argv, [says, str(config)], "fault table (settings)")


def test_a_config_path_that_is_a_directory(data: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config.toml").mkdir()
    fails(capsys, READ, ["config file", "not a file"], "fault table (settings)")


def test_an_identity_that_cannot_act_is_named(data: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Identity is the login: no setting or flag picks it. A database with no lead yet
    says how to get one; `--as` is gone (a usage error, whatever follows it)."""
    make_database(data, lead=False)
    fails(capsys, WRITE, "no lead yet", "fault table (settings)")
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", "not an address")
    fails(capsys, WRITE, ["LICENSEDESK_STAFF_EMAIL", "'not an address'"],
          "fault table (settings)")
    fails(capsys, ["--as", "sam\u2028@partner.example", *WRITE], ["invalid choice", "\\u2028"],
          "fault table (settings)")
    fails(capsys, ["--as", "sam@", *WRITE], ["invalid choice", "'sam@'"],
          "fault table (settings)")


# The database, its key file and the data directory -----------------------------------------

def _write(path: Path, content: bytes) -> None:
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    path.write_bytes(content)


def _checkpointed(db: Path) -> bytes:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return db.read_bytes()


def _missing(data: Path) -> None:
    pass


def _directory(data: Path) -> None:
    (data / "licensedesk.db").mkdir(parents=True)


def _random_bytes(data: Path) -> None:
    _write(make_database(data), os.urandom(16384))


def _zeroed(data: Path) -> None:
    db = make_database(data)
    _write(db, bytes(len(_checkpointed(db))))


def _truncated(data: Path) -> None:
    db = make_database(data)
    whole = _checkpointed(db)
    _write(db, whole[: len(whole) // 2])


def _header_only(data: Path) -> None:
    db = make_database(data)
    _write(db, _checkpointed(db)[:100])


def _newer(data: Path) -> None:
    con = sqlite3.connect(make_database(data))
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()


def _foreign(data: Path) -> None:
    data.mkdir(parents=True)
    con = sqlite3.connect(data / "licensedesk.db")
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()


def _data_dir_is_a_file(data: Path) -> None:
    data.write_text("not a directory")


def _parent_is_a_file(data: Path) -> None:
    data.parent.mkdir(parents=True, exist_ok=True)
    (data.parent / "file").write_text("x")
    os.environ["LICENSEDESK_DATA_DIR"] = str(data.parent / "file" / "data")


def _key_is_a_directory(data: Path) -> None:
    key = Path(str(make_database(data)) + ".key")
    key.unlink()
    key.mkdir()


def _key_is_garbage(data: Path) -> None:
    Path(str(make_database(data)) + ".key").write_text("not a key\n")


def _key_is_a_dangling_link(data: Path) -> None:
    key = Path(str(make_database(data)) + ".key")
    key.unlink()
    key.symlink_to(data / "gone.key")


def _key_is_a_link_loop(data: Path) -> None:
    key = Path(str(make_database(data)) + ".key")
    key.unlink()
    key.symlink_to(key)


NOT_THERE = "no database at"
DB_FAULTS: list[tuple[str, Callable[[Path], None], list[str], str]] = [
    ("missing", _missing, READ, NOT_THERE),
    ("missing", _missing, WRITE, NOT_THERE),
    ("missing", _missing, ["invite", "1", "a@b.example:Agent"], NOT_THERE),
    ("missing", _missing, ["worker", "--once"], NOT_THERE),
    ("missing", _missing, ["signup-server", "--port", "1"], NOT_THERE),
    ("missing", _missing, ["outbox"], NOT_THERE),
    ("a directory", _directory, READ, "is a directory, not a file"),
    ("a directory", _directory, ["db", "upgrade"], "is a directory, not a file"),
    ("random bytes", _random_bytes, READ, "is not a SQLite database"),
    ("random bytes", _random_bytes, ["db", "upgrade"], "is not a SQLite database"),
    ("zeroed", _zeroed, READ, "is not a SQLite database"),
    ("zeroed", _zeroed, ["demo-data", "--orgs", "1"], "is not a SQLite database"),
    ("truncated", _truncated, READ, "is damaged"),
    ("truncated", _truncated, WRITE, "is damaged"),
    ("header only", _header_only, READ, "is damaged"),
    ("from a newer licensedesk", _newer, READ, "newer than this licensedesk knows"),
    ("from a newer licensedesk", _newer, ["db", "upgrade"], "newer than this licensedesk"),
    ("another program's", _foreign, READ, "holds tables that are not licensedesk's"),
    ("another program's", _foreign, ["db", "upgrade"], "not licensedesk's"),
    ("data dir is a file", _data_dir_is_a_file, READ, "is a file, not a directory"),
    ("data dir is a file", _data_dir_is_a_file, ["db", "upgrade"], "is a file, not a dir"),
    ("a file above the data dir", _parent_is_a_file, ["db", "upgrade"],
     "is a file, not a directory"),
    ("key file is a directory", _key_is_a_directory, READ, "cannot read the key file"),
    ("key file holds no key", _key_is_garbage, WRITE, "does not hold a licensedesk key"),
    ("key file is a dangling link", _key_is_a_dangling_link, READ,
     "cannot read the key file"),
    ("key file is a link loop", _key_is_a_link_loop, READ, "cannot read the key file"),
]


@pytest.mark.parametrize(("what", "setup", "argv", "says"), DB_FAULTS,
                         ids=[f"{w}:{' '.join(a[:2])}" for w, _s, a, _x in DB_FAULTS])
def test_an_unusable_database_is_one_line(
        data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        what: str, setup: Callable[[Path], None], argv: list[str], says: str) -> None:
    monkeypatch.setenv("LICENSEDESK_DATA_DIR", str(data))  # restored after _parent_is_a_file
    setup(data)
    listing = sorted(p.name for p in data.iterdir()) if data.is_dir() else None
    fails(capsys, argv, says, "fault table (database)")
    # Nothing made on the way: no new database, key, or temporary file.
    assert (sorted(p.name for p in data.iterdir()) if data.is_dir() else None) == listing


def test_an_older_database_with_rows_upgrades(data: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A migration that rebuilds a table other rows point at (0003 rebuilds staff) must
    not fail on a database in use: foreign keys are off while it runs, checked after."""
    from alembic import command
    from alembic.config import Config

    from models.db import HEAD_REVISION, MIGRATIONS

    data.mkdir(parents=True)
    db = data / "licensedesk.db"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{db}")
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    engine.dispose()
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("INSERT INTO staff VALUES (1, 'sam@partner.example', 'sam@partner.example', "
                "'Sam', '2026-01-05 09:00:00+00:00')")
    con.execute("INSERT INTO organization VALUES (1, 'Acme', 'acme', 'Ann', 'ann@acme.example', "
                "'ann@acme.example', 'acme ann', 'us', '2026-01-05 09:00:00+00:00', 1)")
    con.commit()
    con.close()
    r = run_in_process(capsys, ["db", "upgrade"])
    assert r.code == 0 and f"upgraded at revision {HEAD_REVISION}" in r.out, r
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM organization").fetchone() == (1,)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


def test_an_empty_file_is_refused_until_db_upgrade(data: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    data.mkdir(parents=True)
    (data / "licensedesk.db").touch()
    fails(capsys, READ, "has no licensedesk tables yet; run `licensedesk db upgrade`",
          "fault table (database)")
    assert run_in_process(capsys, ["db", "upgrade"]).code == 0
    assert run_in_process(capsys, READ).code == 0


def test_an_unreachable_postgresql(data: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LICENSEDESK_DATABASE_URL", "postgresql://x:s3cret@127.0.0.1:1/none")
    for argv in (READ, WRITE, ["db", "upgrade"], ["worker", "--once"]):
        r = fails(capsys, argv, ["cannot use the database at postgresql://x:***@127.0.0.1:1/none",
                                 "LICENSEDESK_DATABASE_URL"], "fault table (database)")
        assert "s3cret" not in r.err
    monkeypatch.setenv("LICENSEDESK_DATABASE_URL", "postgresql://x@[::1/none")
    fails(capsys, READ, "the database URL cannot be read", "fault table (database)")


# Read-only and full file systems --------------------------------------------------------------

def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.skip(f"cannot mount here ({done.stderr.strip()}); this case needs it as root")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (file or directory) read-only: chmod for a user, a read-only bind mount for
    root (whom permission bits do not stop)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,ro,bind", str(path))
        yield
    finally:
        _umount(path)


@contextlib.contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("a full disk needs a small tmpfs, and mounting one needs root")
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


def fill(disk: Path) -> None:
    for name, chunk in (("filler", 65536), ("filler-small", 512)):
        with contextlib.suppress(OSError), (disk / name).open("wb") as f:
            while True:
                f.write(bytes(chunk))
                f.flush()


def test_a_read_only_database_file(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_database(data)
    before = snapshot(db)
    with read_only(db):
        assert run_in_process(capsys, READ).code == 0  # reading still works
        fails(capsys, WRITE, ["cannot be written", "read-only"], "fault table (database)")
    assert snapshot(db) == before


def test_a_database_in_a_read_only_directory(data: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    make_database(data)
    with read_only(data):
        for argv in (READ, WRITE):
            fails(capsys, argv, ["cannot be written", "its directory is"],
                  "fault table (database)")


def test_a_data_directory_that_cannot_be_made(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    monkeypatch.setenv("LICENSEDESK_DATA_DIR", str(parent / "data"))
    with read_only(parent):
        for argv in (["db", "upgrade"], ["demo-data", "--orgs", "1"]):
            fails(capsys, argv, "cannot create the data directory", "fault table (database)")
    assert list(parent.iterdir()) == []


def test_a_full_disk_under_the_database(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with small_disk(tmp_path / "disk", "2m") as disk:
        monkeypatch.setenv("LICENSEDESK_DATA_DIR", str(disk / "data"))
        assert run_in_process(capsys, ["db", "upgrade"]).code == 0
        fill(disk)
        for argv in (WRITE, READ, ["db", "upgrade"]):
            fails(capsys, argv, "is full", "fault table (database)")
        assert not [p for p in (disk / "data").iterdir() if p.name.startswith(".")]


def test_a_full_disk_under_the_key_file_leaves_no_temporary_file(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_database(data)
    with small_disk(tmp_path / "keys", "64k") as disk:
        fill(disk)
        key = disk / "licensedesk.key"
        monkeypatch.setenv("LICENSEDESK_SECRET_FILE", str(key))
        for argv in (WRITE, ["db", "upgrade"]):
            fails(capsys, argv, ["cannot write the key file", "No space left on device"],
                  "fault table (database)")
        assert [p.name for p in disk.iterdir() if not p.name.startswith("filler")] == []


def test_an_unreadable_key_file(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads a file whatever its mode; the key-file-is-a-directory and "
                    "dangling-link cases stand in for it")
    key = Path(str(make_database(data)) + ".key")
    key.chmod(0)
    try:
        fails(capsys, READ, ["cannot read the key file", "Permission denied"],
              "fault table (database)")
    finally:
        key.chmod(0o600)


# The same at the process level ----------------------------------------------------------------

PROCESS_FAULTS: list[tuple[dict[str, str], Callable[[Path], None], str]] = [
    ({"LICENSEDESK_OVERDUE_AFTER": "bogus"}, make_database, "LICENSEDESK_OVERDUE_AFTER"),
    ({"LICENSEDESK_SMTP_PORT": "70000"}, make_database, "LICENSEDESK_SMTP_PORT"),
    ({"LICENSEDESK_DATABASE_URL": "postgresql://x@127.0.0.1:1/none"}, _missing,
     "127.0.0.1:1"),
    ({}, _random_bytes, "is not a SQLite database"),
    ({}, _missing, NOT_THERE),
]


@pytest.mark.parametrize(("extra", "setup", "says"), PROCESS_FAULTS,
                         ids=[str(i) for i in range(len(PROCESS_FAULTS))])
def test_faults_as_real_processes(data: Path, extra: dict[str, str],
                                  setup: Callable[[Path], None], says: str) -> None:
    setup(data)
    r = run_process(READ, env={**os.environ, **extra})
    count("fault table (real processes)", r.traceback, r.code)
    one_line_failure(r)
    assert r.code == USAGE and says in r.err, r


# A database deleted or replaced under a running worker -------------------------------------------

@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_worker_stops_when_its_database_goes(data: Path, tmp_path: Path, how: str) -> None:
    db = make_database(data)
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "worker"], cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 30
        while "worker running" not in log_path.read_text():
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the worker did not start in 30 s"
            time.sleep(0.05)
        if how == "deleted":
            db.unlink()
        else:
            shutil.copy(db, tmp_path / "copy.db")
            os.replace(tmp_path / "copy.db", db)
        gone_at = time.monotonic()
        code = proc.wait(timeout=20)
        took = time.monotonic() - gone_at
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    out = log_path.read_text()
    count("fault table (real processes)", "Traceback" in out, code)
    assert "Traceback" not in out, out
    assert code == USAGE, out
    last = out.strip().splitlines()[-1]
    # A connection opened in the moment after the deletion makes SQLite create an empty
    # file at the path, which the check then finds to be another file: either way the
    # worker stops before writing anything there.
    said = ("was deleted", "was replaced") if how == "deleted" else (f"was {how}",)
    assert last.startswith("licensedesk: the database") and any(w in last for w in said), out
    assert took < 10, f"noticed after {took:.1f}s"
    if how == "deleted" and db.exists():
        # Only the empty file a connection's open may leave: nothing written into it (the
        # next command says it has no tables and to run db upgrade).
        import sqlite3

        with contextlib.closing(sqlite3.connect(db)) as conn:
            assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_a_running_process_notices_a_replaced_database(data: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import models.db
    from models.db import DatabaseGone

    make_database(data)
    ctx = Ctx.open(Settings(data_dir=data, staff_email=STAFF), create=False)
    try:
        monkeypatch.setattr(models.db, "WATCH_EVERY_S", 0.0)
        with ctx.db.read():
            pass
        (data / "licensedesk.db").unlink()
        with pytest.raises(DatabaseGone, match="was deleted"), ctx.db.write():
            pass
    finally:
        ctx.db.dispose()


# An unexpected error (a bug) ---------------------------------------------------------------

def unexpected(capsys: pytest.CaptureFixture[str], says: str) -> Run:
    r = run_in_process(capsys, READ)
    assert r.crashed is None and "Traceback" not in r.err and r.code == 1, r
    (line,) = r.err.splitlines()
    assert line.startswith(f"licensedesk: unexpected error, a bug: {says}") and line.isprintable()
    assert "; the full trace is in " in line
    return r


def test_an_unexpected_error_is_one_line_with_the_trace_in_a_file(
        data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import models.queries

    make_database(data)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(models.queries, "list_orgs", broken)
    r = unexpected(capsys, "RuntimeError: 'boom\\nsecond line'")
    trace = Path(r.err.strip().rpartition("the full trace is in ")[2])
    assert trace.parent == data and trace.stat().st_mode & 0o077 == 0
    assert "Traceback" in trace.read_text() and "RuntimeError: boom" in trace.read_text()
    # With no usable data directory, the trace goes to the temp directory.
    monkeypatch.setenv("LICENSEDESK_DATA_DIR", str(data / "licensedesk.db" / "x"))
    monkeypatch.setattr("tui.cli.org_cmds.open_desk", lambda args: broken())
    r = unexpected(capsys, "RuntimeError")
    elsewhere = Path(r.err.strip().rpartition("the full trace is in ")[2])
    assert elsewhere.exists() and elsewhere.parent != data
    elsewhere.unlink()
