"""The PostgreSQL test server helper: skipped with a reason where the binaries are missing;
run as an unprivileged user when the tests run as root."""

from __future__ import annotations

import os

import pytest

import tests.support.pg as pg


def test_missing_binaries_skip_with_a_visible_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg.glob, "glob", lambda pattern: [])
    assert pg.find_bin_dir() is None
    with pytest.raises(pytest.skip.Exception, match="no initdb/pg_ctl under /usr/lib/postgresql"):
        pg.server_or_skip()


def test_the_server_never_runs_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg.os, "geteuid", lambda: 0)
    runner = pg._Runner()
    argv = runner.argv(["/usr/lib/postgresql/15/bin/initdb", "-D", "data"])
    assert runner.user == "nobody"
    assert argv[:2] in (["runuser", "-u"], ["su", "nobody"])
    monkeypatch.setattr(pg.os, "geteuid", lambda: 1000)
    assert pg._Runner().argv(["initdb"]) == ["initdb"]


def test_the_session_server_runs_as_an_unprivileged_user(pg_url: str) -> None:
    import psycopg

    conninfo = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        # While connected: the backend process ends with the connection.
        uid = os.stat(f"/proc/{row[0]}").st_uid
    assert uid != 0
