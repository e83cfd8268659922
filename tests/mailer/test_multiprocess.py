"""Several relay processes on one outbox: nothing lost, nothing sent twice because of them.

Real `licensedesk worker` processes against the aiosmtpd fixture on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.notifications import list_notifications
from models.settings import Settings
from models.tables import Invitation, OutboxMail
from models.timeutil import FixedClock, SystemClock
from tests.mailer.conftest import Handler, SmtpServer, worker_env
from tests.mailer.data import bulk_mails, license_with_invites

try:
    from tests.support.pg import pg_url  # noqa: F401  (a session fixture)
    HAVE_PG_SUPPORT = True
except ImportError:
    HAVE_PG_SUPPORT = False

pytestmark = pytest.mark.slow


class Worker:
    """A `licensedesk worker` subprocess whose log goes to a file (no pipe to fill up)."""

    def __init__(self, tmp_path: Path, env: dict[str, str], *args: str) -> None:
        self.log_path = tmp_path / f"worker-{time.monotonic_ns()}.log"
        self._log: IO[str] = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli.main", "worker", *args],
            env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def signal(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def stop(self, timeout: float) -> int:
        """SIGTERM, as systemd stops it: its exit status (killed if it does not stop)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()

    @property
    def log(self) -> str:
        return self.log_path.read_text()


def wait_for(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def statuses(ctx: Ctx) -> dict[str, int]:
    with ctx.db.read() as s:
        rows = s.execute(select(OutboxMail.status, func.count()).group_by(OutboxMail.status))
        return {st: n for st, n in rows.all()}


def four_relays_on_one_outbox(tmp_path: Path, server: SmtpServer, handler: Handler,
                              database_url: str | None) -> None:
    extra = {"LICENSEDESK_DATABASE_URL": database_url} if database_url else {}
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", database_url=database_url,
                            staff_email="sam@partner.example"), clock=SystemClock())
    ids = bulk_mails(ctx, 2000)
    assert len(set(ids)) == 2000
    env = worker_env(tmp_path, server.port, **extra)
    workers = [Worker(tmp_path, env, "--once") for _ in range(4)]
    try:
        codes = [w.wait(90) for w in workers]
    finally:
        for w in workers:
            w.kill()
    assert codes == [0, 0, 0, 0], [w.log[-2000:] for w in workers]
    received = handler.ids()
    assert set(received) == set(ids), "missing or unknown Message-IDs"
    assert max(received.values()) == 1, [m for m, n in received.items() if n > 1][:5]
    assert statuses(ctx) == {"sent": 2000}
    per_worker = [w.log.count(" sent: <") for w in workers]
    assert sum(per_worker) == 2000
    assert sum(1 for n in per_worker if n) >= 2, f"no sharing happened: {per_worker}"
    ctx.db.dispose()


def test_four_relays_on_one_sqlite_outbox_send_2000_mails_exactly_once(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler) -> None:
    four_relays_on_one_outbox(tmp_path, smtp_server, smtp_handler, None)


@pytest.fixture
def pg_database(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database on the session's throwaway PostgreSQL server."""
    if not HAVE_PG_SUPPORT:
        pytest.skip("tests/support/pg.py (the pg_url fixture) is not in the tree yet")
    from tests.support.pg import fresh_database

    return fresh_database(request.getfixturevalue("pg_url"), migrated=True)


def test_four_relays_on_one_postgres_outbox_send_2000_mails_exactly_once(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler, pg_database: str) -> None:
    four_relays_on_one_outbox(tmp_path, smtp_server, smtp_handler, pg_database)


def test_relay_killed_again_and_again_loses_nothing(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler) -> None:
    smtp_handler.delay_data = 0.002  # spread the run so kills land mid-conversation
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"),
                   clock=SystemClock())
    ids = bulk_mails(ctx, 1000)
    env = worker_env(tmp_path, smtp_server.port, LICENSEDESK_OUTBOX_LEASE="1s")
    rng = random.Random(3)
    kills = 0
    deadline = time.monotonic() + 60
    workers: list[Worker] = []
    while kills < 8 and statuses(ctx).get("queued", 0):
        seen = smtp_handler.attempt_count
        w = Worker(tmp_path, env)
        workers.append(w)
        try:
            wait_for(lambda seen=seen: (smtp_handler.attempt_count > seen
                                        or time.monotonic() > deadline),
                     30, "the relay to start sending")
            time.sleep(rng.uniform(0, 0.25))  # a random moment in the sending, not a clock
            w.signal(signal.SIGKILL)
            kills += 1
        finally:
            w.kill()
    last = Worker(tmp_path, env)
    workers.append(last)
    try:
        wait_for(lambda: statuses(ctx) == {"sent": 1000}, 60, "the queue to drain")
        last.signal(signal.SIGTERM)
        assert last.wait(20) == 0
    finally:
        last.kill()
    received = smtp_handler.ids()
    assert set(received) == set(ids)
    duplicates = sum(n - 1 for n in received.values())
    # A live relay starved of CPU past its 1 s lease (a loaded machine) may see its mail sent
    # again; it says so when it records it. Every other duplicate is a kill's (one at most).
    lapsed = sum(w.log.count("lease lost before recording") for w in workers)
    print(f"kill loop: {kills} kills, {duplicates} duplicates ({lapsed} after a lapsed "
          f"lease), {len(received)} Message-IDs")
    assert kills >= 5
    assert duplicates <= kills + lapsed, f"{duplicates} duplicates from {kills} kills"
    ctx.db.dispose()


def test_stalled_relay_past_its_lease_cannot_overwrite_the_result(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler) -> None:
    """A is stopped mid-DATA past its lease; B, later by its clock, claims the row. While B
    is still sending, A wakes to a 550 and tries to fail the row and the invitation: that
    must not stick. Then B's 250 is recorded."""
    smtp_handler.plan = lambda _m, n: ("gate a 550 5.0.0 late refusal" if n == 1
                                       else "gate b 250")
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"),
                   clock=SystemClock())
    staff, _lic, (inv_id,) = license_with_invites(ctx, ["bob@acme.example"])

    def state() -> tuple[str, str | None, str]:
        with ctx.db.read() as s:
            row = s.execute(select(OutboxMail)).scalar_one()
            inv = s.get(Invitation, inv_id)
            assert inv is not None
            return row.status, row.lease_owner, inv.status

    env = worker_env(tmp_path, smtp_server.port, LICENSEDESK_OUTBOX_LEASE="2s",
                     LICENSEDESK_SMTP_TIMEOUT="30s")
    a = Worker(tmp_path, env)
    b_result: list[int] = []
    b_thread = None
    try:
        wait_for(lambda: smtp_handler.attempt_count == 1, 30, "A to reach DATA")
        a.signal(signal.SIGSTOP)
        # B runs an hour later by its clock: A's lease is long over.
        b_ctx = Ctx(db=ctx.db, settings=Settings(
            data_dir=tmp_path / "data", smtp_host="127.0.0.1", smtp_port=smtp_server.port),
            clock=FixedClock(SystemClock().now() + timedelta(hours=1)))
        b = Relay(b_ctx, SmtpConfig.from_settings(b_ctx.settings), owner="relay-b")
        b_thread = threading.Thread(target=lambda: b_result.append(asyncio.run(b.drain())))
        b_thread.start()
        wait_for(lambda: smtp_handler.attempt_count == 2, 30, "B to reach DATA")
        assert state() == ("queued", "relay-b", "pending")

        smtp_handler.gates["a"].set()
        a.signal(signal.SIGCONT)
        a.signal(signal.SIGTERM)  # A finishes (and tries to record) its mail, then exits
        assert a.wait(30) == 0, a.log
        assert "lease lost" in a.log
        assert state() == ("queued", "relay-b", "pending")  # A's 550 did not stick

        smtp_handler.gates["b"].set()
        b_thread.join(30)
        assert b_result == [1] and b.counts["sent"] == 1
    finally:
        smtp_handler.gates["a"].set()
        smtp_handler.gates["b"].set()
        a.kill()
        if b_thread is not None:
            b_thread.join(30)
    assert state() == ("sent", None, "pending")
    assert list_notifications(ctx, staff.id) == []
    assert len(smtp_handler.accepted) == 1
    ctx.db.dispose()


def test_twelve_kills_during_200_mails_all_go_within_30s_of_the_last(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler) -> None:
    """With the default lease: a killed relay's mails are back in the queue within one
    (heartbeat-renewed) lease, not a long fixed claim."""
    smtp_handler.delay_data = 0.02  # ~4 s of sending per relay: kills land mid-queue
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"),
                   clock=SystemClock())
    ids = bulk_mails(ctx, 200)
    env = worker_env(tmp_path, smtp_server.port)
    rng = random.Random(12)
    kills, last_kill = 0, time.monotonic()
    while kills < 12:
        seen = smtp_handler.attempt_count
        w = Worker(tmp_path, env)
        try:
            wait_for(lambda seen=seen: smtp_handler.attempt_count > seen, 30,
                     "the relay to start sending")
            time.sleep(rng.uniform(0, 0.3))
            w.signal(signal.SIGKILL)
            kills, last_kill = kills + 1, time.monotonic()
        finally:
            w.kill()
    assert statuses(ctx).get("queued", 0) > 0, "the kills left nothing to recover"
    last = Worker(tmp_path, env)
    try:
        try:
            wait_for(lambda: statuses(ctx) == {"sent": 200}, 30, "every mail sent")
        except AssertionError:
            raise AssertionError(f"{statuses(ctx)}; last worker: {last.log[-3000:]}") from None
        recovered = time.monotonic() - last_kill
        last.signal(signal.SIGTERM)
        assert last.wait(20) == 0
    finally:
        last.kill()
    received = smtp_handler.ids()
    assert set(received) == set(ids)
    duplicates = sum(n - 1 for n in received.values())
    print(f"12 kills: all 200 sent {recovered:.1f}s after the last; {duplicates} duplicates")
    assert duplicates <= kills
    ctx.db.dispose()
