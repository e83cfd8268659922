"""A big demo load goes through a rollback journal when the file is its own (each page
written once, not to the WAL and again at the checkpoint), and stays all or nothing: a
process killed mid-load leaves the database as it was, and the file is in WAL mode after."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import models.demo
from models.context import Ctx
from models.demo import make_demo_data
from models.settings import Settings
from models.timeutil import FixedClock

ROOT = Path(__file__).resolve().parents[2]


def _ctx(path: Path) -> Ctx:
    return Ctx.open(Settings(data_dir=path, staff_email="sam@partner.example"),
                    clock=FixedClock())


def _mode(db: Path) -> str:
    raw = sqlite3.connect(db)
    try:
        return str(raw.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        raw.close()


@pytest.fixture
def bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.demo, "CHUNK_ORGS", 9)
    monkeypatch.setattr(models.demo, "BULK_ORGS", 10)


@pytest.mark.usefixtures("bulk")
def test_a_bulk_load_writes_through_a_rollback_journal_and_leaves_wal(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    db = ctx.db.path
    assert db is not None
    seen: list[bool] = []
    counts = make_demo_data(ctx, orgs=40, seed=3,
                            progress=lambda n: seen.append(Path(f"{db}-journal").exists()))
    assert seen and all(seen)  # mid-load, the rollback journal holds what was there before
    ctx.db.dispose()
    assert _mode(db) == "wal"
    assert counts["organization"] == 40


@pytest.mark.usefixtures("bulk")
def test_with_the_file_open_elsewhere_the_load_goes_through_the_wal(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    db = ctx.db.path
    assert db is not None
    other = sqlite3.connect(db)  # a console with the file open: its reads must go on
    try:
        assert other.execute("SELECT count(*) FROM organization").fetchone() == (0,)
        seen: list[bool] = []
        counts = make_demo_data(ctx, orgs=40, seed=3,
                                progress=lambda n: seen.append(Path(f"{db}-journal").exists()))
        assert seen and not any(seen)
        assert other.execute("SELECT count(*) FROM organization").fetchone() == (40,)
        assert counts["organization"] == 40
    finally:
        other.close()
        ctx.db.dispose()
    assert _mode(db) == "wal"


KILLED_MID_LOAD = textwrap.dedent("""
    import os, signal, sys
    import models.demo
    from models.context import Ctx
    from models.settings import Settings
    from models.timeutil import FixedClock

    models.demo.CHUNK_ORGS = 50
    models.demo.BULK_ORGS = 100
    journal = models.demo._rollback_journal

    def small_cache(raw):
        # Pages reach the file mid-load, as a 2 GB load's do: what a crash must not expose.
        raw.execute("PRAGMA cache_size=20")
        return journal(raw)

    models.demo._rollback_journal = small_cache
    ctx = Ctx.open(Settings(data_dir=sys.argv[1], staff_email="sam@partner.example"),
                   clock=FixedClock())

    def crash(done: int) -> None:
        if done >= 200:  # rows of four chunks written, more to come
            print("crashing", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    models.demo.make_demo_data(ctx, orgs=1000, seed=4, progress=crash)
""")


def test_a_load_killed_midway_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    make_demo_data(ctx, orgs=5, seed=1)  # rows from before, which must survive untouched
    before = _rows(ctx)
    ctx.db.dispose()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_MID_LOAD, str(tmp_path)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        assert proc.wait(timeout=600) == -signal.SIGKILL
        # The pipes close when every process holding them has ended: the generator too,
        # once its parent is gone.
        out, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert "crashing" in out, err
    after = _ctx(tmp_path)  # opening plays the journal back
    try:
        assert _rows(after) == before
        with after.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert make_demo_data(after, orgs=20, seed=2)["organization"] == 20  # and goes on
    finally:
        after.db.dispose()
    assert ctx.db.path is not None and _mode(ctx.db.path) == "wal"


def _rows(ctx: Ctx) -> dict[str, int]:
    with ctx.db.engine.connect() as conn:
        return {t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())  # noqa: S608
                for t in models.demo.TABLES}
