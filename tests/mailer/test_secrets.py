"""Credentials: a bad password pauses sending, a loose password file is refused, and no log
line of a whole run carries the password, a token or a link."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mailer.mailbox import list_mails
from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.notifications import list_notifications
from models.settings import Settings
from models.tables import OutboxMail
from models.timeutil import FixedClock
from tests.mailer.conftest import Handler, SmtpServer, mail_settings, worker_env
from tests.mailer.data import license_with_invites

PASSWORD = "pw-Zq8#not-in-any-log"
LINK = re.compile(r"https://signup\.partner\.example/invite/([A-Za-z0-9_-]+)")


@pytest.fixture
def auth_server(smtp_handler: Handler) -> Iterator[SmtpServer]:
    server = SmtpServer(smtp_handler, password=PASSWORD).start()
    yield server
    server.stop()


def password_file(tmp_path: Path, mode: int) -> Path:
    path = tmp_path / "smtp-password"
    path.write_text(PASSWORD + "\n")
    path.chmod(mode)
    return path


def statuses(ctx: Ctx) -> list[tuple[str, int]]:
    with ctx.db.read() as s:
        return [(r.status, r.attempts) for r in s.execute(select(OutboxMail)).scalars()]


async def drain(ctx: Ctx) -> Relay:
    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings))
    await relay.drain()
    for c in relay.clients:
        await c.quit()
    return relay


async def test_wrong_password_pauses_instead_of_burning_the_queue(
        tmp_path: Path, auth_server: SmtpServer, smtp_handler: Handler,
        clock: FixedClock) -> None:
    ctx = Ctx.open(mail_settings(tmp_path, auth_server.port, smtp_username="relay",
                                 smtp_password="wrong"), clock=clock)
    staff, _lic, _ids = license_with_invites(ctx, [f"u{i}@acme.example" for i in range(5)])
    alerts: list[str | None] = []
    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings), on_alert=alerts.append)
    await relay.drain()
    assert smtp_handler.login_tries == 1
    assert relay.alert and "credentials" in relay.alert and alerts == [relay.alert]
    assert "wrong" not in relay.alert
    assert statuses(ctx) == [("queued", 0)] * 5
    assert list_notifications(ctx, staff.id) == []
    # Paused: another pass before the pause ends does not try again.
    await relay.drain()
    assert smtp_handler.login_tries == 1
    ctx.db.dispose()


async def test_password_file_open_to_others_is_refused(
        tmp_path: Path, auth_server: SmtpServer, smtp_handler: Handler,
        clock: FixedClock) -> None:
    ctx = Ctx.open(mail_settings(tmp_path, auth_server.port, smtp_username="relay",
                                 smtp_password_file=password_file(tmp_path, 0o644)), clock=clock)
    license_with_invites(ctx, ["bob@acme.example"])
    relay = await drain(ctx)
    assert relay.alert and "chmod 600" in relay.alert and PASSWORD not in relay.alert
    assert smtp_handler.mail_from_count == 0 and smtp_handler.login_tries == 0
    assert statuses(ctx) == [("queued", 0)]

    password_file(tmp_path, 0o600)
    relay = await drain(ctx)
    assert relay.alert is None
    assert statuses(ctx) == [("sent", 1)]
    assert smtp_handler.login_tries == 1
    ctx.db.dispose()


def test_config_repr_hides_the_password(tmp_path: Path) -> None:
    cfg = SmtpConfig.from_settings(Settings(data_dir=tmp_path, smtp_host="127.0.0.1",
                                            smtp_password=PASSWORD))
    assert PASSWORD not in repr(cfg) and PASSWORD not in str(cfg.password)


def _seed(tmp_path: Path) -> None:
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"))
    license_with_invites(ctx, ["bob@acme.example", "eve@acme.example", "bad@acme.example"])
    ctx.db.dispose()


def _run_worker(env: dict[str, str]) -> str:
    proc = subprocess.run([sys.executable, "-m", "tui.cli.main", "worker", "--once", "-v"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_debug_log_of_a_whole_run_has_no_password_token_or_link(
        tmp_path: Path, auth_server: SmtpServer, smtp_handler: Handler) -> None:
    smtp_handler.plan = lambda m, n: ("550 5.1.1 no such user" if "bad@" in str(m["To"])
                                      else "451 later" if n == 1 else "250")
    _seed(tmp_path)
    env = worker_env(tmp_path, auth_server.port, LICENSEDESK_SMTP_USERNAME="relay",
                     LICENSEDESK_SMTP_PASSWORD_FILE=str(password_file(tmp_path, 0o600)),
                     LICENSEDESK_SMTP_RETRY_BASE="0s")
    log = _run_worker(env) + _run_worker(env)
    tokens = {t for m in smtp_handler.attempts for t in LINK.findall(
        str(m.get_body(("plain",)).get_content()))}  # type: ignore[union-attr]
    assert len(tokens) == 3
    assert "sent" in log and "refused for good" in log and "DEBUG" in log
    assert PASSWORD not in log
    assert "signup.partner.example" not in log
    for t in tokens:
        assert t not in log


@pytest.mark.slow
def test_debug_log_with_the_local_catcher_has_no_token_or_link(tmp_path: Path) -> None:
    _seed(tmp_path)
    log = _run_worker(worker_env(tmp_path, None))
    mails = list_mails(tmp_path / "data")
    tokens = {t for m in mails for t in LINK.findall(m.text_body)}
    assert len(mails) == 3 and len(tokens) == 3
    assert "DEBUG" in log and "signup.partner.example" not in log
    for t in tokens:
        assert t not in log


def _our_log(caplog: pytest.LogCaptureFixture) -> str:
    """What licensedesk logged (not the test's SMTP server, which logs what it was sent)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("licensedesk"))


def _everything_stored(ctx: Ctx) -> str:
    import sqlite3

    ctx.db.dispose()
    path = ctx.settings.data_dir / "licensedesk.db"
    with sqlite3.connect(path) as db:
        return "\n".join(db.iterdump())


async def test_a_server_quoting_the_link_leaves_no_token_in_store_alert_or_log(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler, clock: FixedClock,
        caplog: pytest.LogCaptureFixture) -> None:
    """Found by attack: a content filter's "rejected near <link>" was stored as the row's
    reason, logged, and mailed to staff, with a link that still worked (on a 451)."""
    def quote_the_link(_headers: object, n: int) -> str:
        body = smtp_handler.raw_attempts[-1].decode("utf-8", "replace").replace("=\r\n", "")
        found = LINK.search(body)
        assert found is not None
        return f"{451 if n == 1 else 550} 5.7.1 content rejected near {found.group(0)}"

    smtp_handler.plan = quote_the_link
    ctx = Ctx.open(mail_settings(tmp_path, smtp_server.port, smtp_retry_base="0s"), clock=clock)
    staff, _lic, _ids = license_with_invites(ctx, ["bob@acme.example"])
    caplog.set_level("DEBUG")
    await drain(ctx)
    clock.advance(timedelta(seconds=5))
    await drain(ctx)
    tokens = {t for m in smtp_handler.attempts for t in LINK.findall(
        str(m.get_body(("plain",)).get_content()))}  # type: ignore[union-attr]
    assert len(tokens) == 1 and len(smtp_handler.attempts) >= 2
    log = _our_log(caplog)
    said = " ".join(n.text for n in list_notifications(ctx, staff.id)) + log
    assert "rejected near" in log and "[token]" in log
    stored = _everything_stored(ctx)
    assert "rejected near" in stored
    for t in tokens:
        assert t not in said and t not in stored


async def test_a_server_repeating_the_password_leaves_it_in_no_alert_or_log(
        tmp_path: Path, auth_server: SmtpServer, smtp_handler: Handler, clock: FixedClock,
        caplog: pytest.LogCaptureFixture) -> None:
    smtp_handler.echo_credentials = True
    wrong = "Wr0ng-pw-!x"
    ctx = Ctx.open(mail_settings(tmp_path, auth_server.port, smtp_username="relay",
                                 smtp_password=wrong), clock=clock)
    license_with_invites(ctx, ["bob@acme.example"])
    caplog.set_level("DEBUG")
    relay = await drain(ctx)
    assert relay.alert and "bad credentials for relay/[password]" in relay.alert
    assert wrong not in relay.alert and wrong not in _our_log(caplog)
    assert wrong not in _everything_stored(ctx)
