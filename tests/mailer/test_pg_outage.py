"""PostgreSQL stopped and started under a real `licensedesk worker` sending 100 invitations.

The outage must cost nothing but time: no invitation failed or changed state, no mail lost,
a mail sent twice only with its own Message-ID, the queue empty soon after the restart, and
a log that says once that the database went away and once that it came back. The fast tests
first pin the scans' part of that log with failures injected on SQLite.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from mailer.service import MailService
from models.context import Ctx
from models.settings import Settings
from models.tables import Invitation, Notification, OutboxMail
from models.timeutil import SystemClock
from tests.mailer.conftest import Handler, SmtpServer, worker_env
from tests.mailer.data import license_with_invites
from tests.mailer.test_multiprocess import Worker, wait_for

try:
    from tests.support.pg import pg_url  # noqa: F401  (a session fixture)
    HAVE_PG_SUPPORT = True
except ImportError:
    HAVE_PG_SUPPORT = False

MAILS = 100
OUTAGE_S = 10.0
# What the worker logs when the database goes away, and when it works again: the relay's
# line and the scans' line count together (one of each for the whole outage).
WENT_AWAY = re.compile(r"relay pass failed|scans failed|database unreachable")
CAME_BACK = re.compile(r"working again|reachable again")


def outbox_statuses(ctx: Ctx) -> dict[str, int]:
    with ctx.db.read() as s:
        status = col(OutboxMail.status)
        rows = s.execute(select(status, func.count()).group_by(status))
        return {st: n for st, n in rows.all()}


# -- the scans' log, fast -----------------------------------------------------------------------


class Outage:
    """run_scans replaced by one that fails while `down` (as a lost database makes it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, error: Exception | None = None) -> None:
        import models.scans

        self.down = False
        self.calls = 0
        self.error = error or OperationalError(
            "SELECT 1", {}, Exception("connection refused: is the server running?"))
        real = models.scans.run_scans

        def run_scans(ctx: Ctx) -> Any:
            self.calls += 1
            if self.down:
                raise self.error
            return real(ctx)

        monkeypatch.setattr(models.scans, "run_scans", run_scans)

    async def tries(self, n: int) -> None:
        start = self.calls
        for _ in range(200):
            if self.calls >= start + n:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"the scans ran {self.calls - start} times, not {n}")


@pytest.fixture
def quick_ctx(tmp_path: Path) -> Any:
    c = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example",
                          scan_period=timedelta(milliseconds=20)), clock=SystemClock())
    yield c
    c.db.dispose()


def fake_relay(failing: str | None) -> Any:
    return SimpleNamespace(failing=failing, paused=False, kick=lambda: None,
                           config=SimpleNamespace(timeout=0.1))


def mailer_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records
            if r.name.startswith("licensedesk.mailer") and r.levelno >= logging.INFO]


async def test_failing_scans_log_one_line_then_one_when_they_work_again(
        quick_ctx: Ctx, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="licensedesk")
    outage = Outage(monkeypatch)
    service = MailService(quick_ctx)
    monkeypatch.setattr("mailer.service.SCAN_RETRY_SECONDS", 0.02, raising=False)
    loop = asyncio.create_task(service._scan_loop())
    try:
        await outage.tries(2)
        assert service.database_problem is None
        outage.down = True
        await outage.tries(10)
        assert service.database_problem is not None
        assert service.database_problem.startswith("OperationalError: ")
        outage.down = False
        await outage.tries(3)
        assert service.database_problem is None
    finally:
        loop.cancel()
    records = mailer_records(caplog)
    assert [r.levelname for r in records] == ["ERROR", "INFO"], \
        [r.getMessage() for r in records]
    went, back = records
    assert "scans failed, retrying every" in went.getMessage()
    assert "connection refused" in went.getMessage()
    assert not went.exc_info, "a lost database is no bug: no traceback"
    assert "working again" in back.getMessage()


async def test_scans_say_nothing_while_the_relay_reports_the_outage(
        quick_ctx: Ctx, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="licensedesk")
    outage = Outage(monkeypatch)
    service = MailService(quick_ctx)
    monkeypatch.setattr("mailer.service.SCAN_RETRY_SECONDS", 0.02, raising=False)
    monkeypatch.setattr("mailer.service.POLL_SECONDS", 0.02, raising=False)
    relay = service.relay = fake_relay("OperationalError: the relay saw it first")
    outage.down = True
    loop = asyncio.create_task(service._scan_loop())
    try:
        await outage.tries(5)
        assert service.database_problem == "OperationalError: the relay saw it first"
        assert mailer_records(caplog) == []
        # The relay works again but the scans still fail: now that is theirs to say.
        relay.failing = None
        await outage.tries(5)
        assert service.database_problem is not None
        assert "connection refused" in service.database_problem
        outage.down = False
        await outage.tries(2)
    finally:
        loop.cancel()
    assert [r.levelname for r in mailer_records(caplog)] == ["ERROR", "INFO"]


async def test_a_scan_bug_shows_its_traceback_once_not_every_period(
        quick_ctx: Ctx, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="licensedesk")
    outage = Outage(monkeypatch, KeyError("overdue_at"))
    service = MailService(quick_ctx)
    monkeypatch.setattr("mailer.service.SCAN_RETRY_SECONDS", 0.02, raising=False)
    outage.down = True
    loop = asyncio.create_task(service._scan_loop())
    try:
        await outage.tries(5)
    finally:
        loop.cancel()
    records = mailer_records(caplog)
    assert len(records) == 1
    assert records[0].exc_info is not None


# -- the real outage, PostgreSQL under a real worker ----------------------------------------


@pytest.fixture
def pg_database(request: pytest.FixtureRequest) -> str:
    if not HAVE_PG_SUPPORT:
        pytest.skip("tests/support/pg.py (the pg_url fixture) is not in the tree")
    from tests.support.pg import fresh_database

    return fresh_database(request.getfixturevalue("pg_url"), migrated=True)


@pytest.mark.slow
def test_postgres_stopped_for_10s_while_sending_100_invitations_costs_nothing_but_time(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler, pg_database: str,
        pg_url: str) -> None:
    from tests.support.pg import server_stopped

    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", database_url=pg_database,
                            staff_email="sam@partner.example", staff_name="Sam Support"),
                   clock=SystemClock())
    emails = [f"user{i:03d}@outage.example" for i in range(MAILS)]
    _staff, _lic, invitation_ids = license_with_invites(ctx, emails)
    assert len(invitation_ids) == MAILS
    with ctx.db.read() as s:
        message_ids = set(s.execute(select(col(OutboxMail.message_id))).scalars())
    assert len(message_ids) == MAILS
    ctx.db.dispose()  # no connection of ours lives through the outage

    smtp_handler.delay_data = 0.05  # about 5 s of sending: the outage lands in the middle
    env = worker_env(tmp_path, smtp_server.port, LICENSEDESK_DATABASE_URL=pg_database,
                     LICENSEDESK_SCAN_PERIOD="1s")  # the scans meet the outage too
    worker = Worker(tmp_path, env)  # from test_multiprocess: one worker wrapper
    try:
        wait_for(lambda: smtp_handler.attempt_count >= 20, 60, "the first 20 mails")
        with server_stopped(pg_url):  # pg_ctl stop -m fast, then start, whatever happens
            sent_before = smtp_handler.attempt_count
            time.sleep(OUTAGE_S)
            during = smtp_handler.attempt_count - sent_before
        restarted = time.monotonic()
        assert sent_before < MAILS, "everything was sent before the outage: nothing tested"
        try:
            wait_for(lambda: outbox_statuses(ctx) == {"sent": MAILS}, 30,
                     "the queue to empty after the restart")
        except AssertionError:
            raise AssertionError(f"{outbox_statuses(ctx)}; worker log:\n"
                                 f"{worker.log[-4000:]}") from None
        emptied = time.monotonic() - restarted
        wait_for(lambda: CAME_BACK.search(worker.log), 10, "the worker to say it works again")
        time.sleep(1.5)  # a few more scans and polls: none of them may log anything
        assert worker.stop(20) == 0, worker.log[-3000:]
    finally:
        worker.kill()

    log = worker.log
    received = smtp_handler.ids()
    duplicates = sum(n - 1 for n in received.values())
    print(f"\noutage of {OUTAGE_S:g}s after {sent_before} mails ({during} delivered during "
          f"it): 0 failed, {duplicates} duplicates, queue empty {emptied:.1f}s after the "
          "restart")

    with ctx.db.read() as s:
        invitation_statuses: dict[str, int] = dict(s.execute(
            select(col(Invitation.status), func.count()).group_by(col(Invitation.status))).all())
        reasons = [r for r in s.execute(select(col(Invitation.failed_reason))).scalars() if r]
        notes = list(s.execute(select(col(Notification.kind), col(Notification.text))).all())
    ctx.db.dispose()
    # No invitation failed or changed state because of the outage, and nobody was alerted.
    assert invitation_statuses == {"pending": MAILS}, (invitation_statuses, reasons)
    assert not reasons
    assert not notes, notes
    # No mail lost; a mail delivered twice carried its one Message-ID both times.
    assert set(received) == message_ids
    per_recipient: defaultdict[str, set[str]] = defaultdict(set)
    for msg in smtp_handler.accepted:
        per_recipient[str(msg["To"])].add(str(msg["Message-ID"]))
    assert len(per_recipient) == MAILS
    assert all(len(ids) == 1 for ids in per_recipient.values()), \
        {to: ids for to, ids in per_recipient.items() if len(ids) > 1}
    assert duplicates <= 2, f"{duplicates} duplicates: more than the mails in flight"
    assert emptied < 30
    # The log: no traceback, one line when the database went away, one when it came back.
    assert "Traceback" not in log, log[-4000:]
    away = [line for line in log.splitlines() if WENT_AWAY.search(line)]
    back = [line for line in log.splitlines() if CAME_BACK.search(line)]
    assert len(away) == 1, "\n".join(away)
    assert len(back) == 1, "\n".join(back)
    noisy = [line for line in log.splitlines()
             if (" ERROR " in line or " WARNING " in line) and line not in away]
    assert not noisy, "\n".join(noisy)
