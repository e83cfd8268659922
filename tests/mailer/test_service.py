"""MailService as the console runs it: catcher, relay, scans; and the worker command."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select

from mailer.mailbox import get_mail, list_mails
from mailer.service import MailService
from models.context import Ctx
from models.notifications import list_notifications
from models.settings import Settings
from models.tables import Invitation, OutboxMail
from models.timeutil import FixedClock
from tests.mailer.conftest import Handler, SmtpServer, mail_settings, worker_env
from tests.mailer.data import license_with_invites


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for real I/O (a socket, another thread) to finish; never to move time."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def outbox(ctx: Ctx) -> list[OutboxMail]:
    with ctx.db.read() as s:
        return list(s.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars())


def catcher_ctx(tmp_path: Path, clock: FixedClock, **extra: object) -> Ctx:
    return Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example",
                             signup_url="https://signup.partner.example/invite/",
                             **extra), clock=clock)  # type: ignore[arg-type]


async def test_console_default_catches_mail_into_the_maildir(
        tmp_path: Path, clock: FixedClock) -> None:
    ctx = catcher_ctx(tmp_path, clock)
    service = MailService(ctx)
    await service.start()
    try:
        sock = service.catcher_socket
        assert sock is not None and stat.S_ISSOCK(sock.stat().st_mode)
        # Only this account can reach it: the socket 0600 in a directory of its own, 0700.
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700
        license_with_invites(ctx, ["bob@acme.example", "eve@acme.example"])
        await service.kick()
        await until(lambda: len(list_mails(tmp_path / "data")) == 2)
    finally:
        await service.stop()
    mails = list_mails(tmp_path / "data")
    assert all(m.received_at >= n.received_at for m, n in pairwise(mails))
    assert {m.to for m in mails} == {"bob@acme.example", "eve@acme.example"}
    assert {m.message_id for m in mails} == {r.message_id for r in outbox(ctx)}
    one = get_mail(tmp_path / "data", mails[0].id)
    assert one == mails[0]
    assert one.received_at.tzinfo is UTC
    assert "https://signup.partner.example/invite/" in one.text_body
    assert "<html" in one.html_body
    assert all(r.status == "sent" for r in outbox(ctx))
    with pytest.raises(KeyError):
        get_mail(tmp_path / "data", "no-such-mail")
    ctx.db.dispose()


async def test_two_consoles_each_run_a_catcher_into_one_maildir(
        tmp_path: Path, clock: FixedClock) -> None:
    a, b = catcher_ctx(tmp_path, clock), catcher_ctx(tmp_path, clock)
    one, two = MailService(a), MailService(b)
    await one.start()
    await two.start()
    try:
        assert one.catcher_socket != two.catcher_socket
        license_with_invites(a, [f"u{i}@acme.example" for i in range(30)])
        await one.kick()
        await two.kick()
        await until(lambda: len(list_mails(tmp_path / "data")) >= 30)
    finally:
        await one.stop()
        await two.stop()
    mails = list_mails(tmp_path / "data")
    assert len(mails) == 30 and len({m.message_id for m in mails}) == 30
    owners = {r.lease_owner for r in outbox(a)}
    assert owners == {None}
    a.db.dispose()
    b.db.dispose()


async def test_scans_run_on_their_period_and_mail_the_inviter(
        tmp_path: Path, clock: FixedClock) -> None:
    ctx = catcher_ctx(tmp_path, clock, scan_period=timedelta(milliseconds=50))
    staff, _lic, (inv_id,) = license_with_invites(ctx, ["bob@acme.example"])
    service = MailService(ctx)
    await service.start()
    try:
        await until(lambda: len(list_mails(tmp_path / "data")) == 1)
        clock.advance(ctx.settings.overdue_after)
        await until(lambda: len(list_mails(tmp_path / "data")) == 2)
    finally:
        await service.stop()
    assert [n.kind for n in list_notifications(ctx, staff.id)] == ["overdue"]
    newest = list_mails(tmp_path / "data")[0]
    assert newest.to.endswith("sam@partner.example>") or newest.to == "sam@partner.example"
    assert "48 hours" in newest.text_body
    with ctx.db.read() as s:
        assert s.get(Invitation, inv_id).status == "overdue"  # type: ignore[union-attr]
    ctx.db.dispose()


async def test_stop_finishes_the_mail_in_flight_and_hands_back_the_rest(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler,
        clock: FixedClock) -> None:
    smtp_handler.delay_data = 0.5
    ctx = Ctx.open(mail_settings(tmp_path, smtp_server.port), clock=clock)
    license_with_invites(ctx, [f"u{i}@acme.example" for i in range(5)])
    service = MailService(ctx)
    await service.start()
    assert service.catcher_socket is None
    await until(lambda: smtp_handler.attempt_count == 1)
    await service.stop()
    rows = outbox(ctx)
    assert [r.status for r in rows] == ["sent", "queued", "queued", "queued", "queued"]
    assert [r.attempts for r in rows] == [1, 0, 0, 0, 0]
    assert {r.lease_owner for r in rows} == {None}
    assert len(smtp_handler.accepted) == 1
    ctx.db.dispose()


@pytest.mark.slow
def test_worker_daemon_finishes_in_flight_mail_on_sigterm(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler) -> None:
    smtp_handler.delay_data = 1.0
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"))
    license_with_invites(ctx, ["a@acme.example", "b@acme.example", "c@acme.example"])
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "worker"],
                            env=worker_env(tmp_path, smtp_server.port),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not smtp_handler.attempt_count:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "finishing the mail in flight" in err
    rows = outbox(ctx)
    assert [r.status for r in rows] == ["sent", "queued", "queued"]
    assert {r.lease_owner for r in rows} == {None}
    assert len(smtp_handler.accepted) == 1
    ctx.db.dispose()
