"""The relay writes its claims and results on the event loop while SQLite's write lock is
free, and hands them to a thread when another process holds it: never a blocked loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.db import BUSY_TIMEOUT_MS
from models.outbox import Busy, claim, list_outbox
from tests.mailer.conftest import Handler
from tests.mailer.data import license_with_invites


def db_file(ctx: Ctx) -> Path:
    return Path(ctx.db.url.removeprefix("sqlite:///"))


def hold_write_lock(path: Path, seconds: float, held: threading.Event) -> threading.Thread:
    """Another writer (as a colleague's console would be) keeps the lock for a while."""
    def run() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()
    t = threading.Thread(target=run)
    t.start()
    return t


def test_claim_without_waiting_says_busy_at_once_and_keeps_the_timeout(mctx: Ctx) -> None:
    license_with_invites(mctx, ["ann@client.example"])
    held = threading.Event()
    holder = hold_write_lock(db_file(mctx), 1.0, held)
    held.wait(5)
    started = time.monotonic()
    with pytest.raises(Busy):
        claim(mctx, "relay", 5, wait=False)
    assert time.monotonic() - started < 0.5
    holder.join()
    conn = mctx.db.engine.raw_connection()
    try:
        (timeout,) = conn.cursor().execute("PRAGMA busy_timeout").fetchone()
    finally:
        conn.close()
    assert timeout == BUSY_TIMEOUT_MS
    assert [m.to_addr for m in claim(mctx, "relay", 5, wait=False)] == ["ann@client.example"]


async def test_relay_keeps_the_loop_free_while_another_writer_holds_the_lock(
        mctx: Ctx, smtp_handler: Handler) -> None:
    emails = [f"user{i}@client.example" for i in range(5)]
    license_with_invites(mctx, emails)
    held = threading.Event()
    holder = hold_write_lock(db_file(mctx), 0.6, held)
    held.wait(5)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    tick_task = asyncio.create_task(ticker())
    relay = Relay(mctx, SmtpConfig.from_settings(mctx.settings))
    started = time.monotonic()
    await relay.drain()
    took = time.monotonic() - started
    stop.set()
    await tick_task
    for c in relay.clients:
        await c.quit()
    await asyncio.to_thread(holder.join)
    assert took >= 0.4  # it did have to wait for the lock...
    assert ticks >= 20  # ...and the loop kept running meanwhile (0.6 s at 10 ms a tick)
    assert sorted(smtp_handler.ids()) == sorted(r.message_id for r in list_outbox(mctx))
    assert {r.status for r in list_outbox(mctx)} == {"sent"}
    assert relay.counts["sent"] == 5


def test_a_failed_write_on_the_kept_connection_leaves_no_lock_and_dispose_closes_it(
        mctx: Ctx) -> None:
    """Writes that must not wait run on a connection the loop's thread keeps (no pool, no
    PRAGMA per write): a write that fails there must not leave its transaction, and the
    write lock with it, open for the next one; dispose() must close that connection."""
    from models.db import Database
    from models.outbox import _raw_write

    license_with_invites(mctx, ["ann@client.example"])
    with pytest.raises(sqlite3.OperationalError):
        _raw_write(mctx, "UPDATE no_such_table SET x = 1", (), wait=False)
    other = sqlite3.connect(db_file(mctx), isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # would say "database is locked"
        other.execute("COMMIT")
    finally:
        other.close()
    kept = mctx.db.unwaiting_connection()
    assert kept is mctx.db.unwaiting_connection()
    assert [m.to_addr for m in claim(mctx, "relay", 5, wait=False)] == ["ann@client.example"]
    # A second Database on the same file: dispose() closes its kept connection.
    db = Database(mctx.db.url)
    conn = db.unwaiting_connection()
    assert conn.execute("PRAGMA busy_timeout").fetchone() == (0,)
    db.dispose()
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")


def test_the_kept_connection_leaves_checkpoints_to_a_thread_and_the_wal_stays_bounded(
        mctx: Ctx) -> None:
    """The relay's records do not checkpoint on the event loop (an fsync there held the loop
    for up to 15 ms): a thread does it every CHECKPOINT_EVERY of them. Commits that keep
    overtaking those checkpoints must not let the WAL grow without end."""
    from models.db import CHECKPOINT_EVERY, WAL_FRAMES_MAX
    from models.outbox import enqueue, mark_sent_many

    rounds = 15
    with mctx.db.write() as s:
        for i in range(rounds * CHECKPOINT_EVERY):
            enqueue(s, mctx, kind="notify_accepted", to_addr=f"user{i}@client.example",
                    subject="s", payload={}, now=mctx.now())
    kept = mctx.db.unwaiting_connection()
    assert kept.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
    (page,) = kept.execute("PRAGMA page_size").fetchone()
    wal = Path(f"{db_file(mctx)}-wal")
    for _ in range(rounds):  # back to back: each checkpoint is overtaken by commits
        ids = [m.id for m in claim(mctx, "relay", CHECKPOINT_EVERY, wait=False)]
        for mail_id in ids:
            assert mark_sent_many(mctx, [mail_id], "relay", wait=False) == {mail_id}
    assert mctx.db._checkpointer is not None
    # A record changes at most 5 pages; unchecked, 15 rounds made a WAL of about 52 MB.
    bound = (WAL_FRAMES_MAX + 3 * 5 * CHECKPOINT_EVERY) * (page + 24)
    assert wal.stat().st_size < bound, (wal.stat().st_size, bound)
