"""One mail that cannot be built or sent fails alone, with its reason; every other mail in
the same pass goes. Run as staff run it: `licensedesk worker --once` against aiosmtpd."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update

from models.context import Ctx
from models.settings import Settings
from models.tables import Invitation, OutboxMail
from models.timeutil import SystemClock
from tests.mailer.conftest import Handler, SmtpServer, worker_env
from tests.mailer.data import bulk_mails, license_with_invites

Poison = Callable[[Ctx, int], None]


def _set(ctx: Ctx, mail_id: int, **values: object) -> None:
    with ctx.db.write() as s:
        s.execute(update(OutboxMail).where(OutboxMail.id == mail_id).values(**values))


POISONS: dict[str, tuple[Poison, str]] = {
    # Written around the domain's input checks: what an old version or a hand edit leaves.
    "encoded word in the address": (
        lambda c, i: _set(c, i, to_addr="=?utf-8?q?a=0D=0AX-I=3Ay?=@plain.example"),
        "not a usable address"),
    "two addresses in one": (
        lambda c, i: _set(c, i, to_addr="a@x.example, b@y.example"), "not a usable address"),
    "payload that is not JSON": (
        lambda c, i: _set(c, i, payload="{not json"), "stored data is damaged"),
    "payload missing what the template needs": (
        lambda c, i: _set(c, i, payload="{}"), "cannot compose"),
    "unknown kind": (lambda c, i: _set(c, i, kind="telegram"), "no template"),
    "broken Message-ID": (
        lambda c, i: _set(c, i, message_id="<a\r\nBcc: x@y>"), "not a usable Message-ID"),
}


def _worker_once(tmp_path: Path, port: int, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "worker", "--once"],
        env=worker_env(tmp_path, port, **env), capture_output=True, text=True, timeout=120,
        check=False)


@pytest.mark.parametrize("poison", list(POISONS))
def test_one_poison_row_among_100_fails_alone(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler, poison: str) -> None:
    spoil, reason = POISONS[poison]
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"),
                   clock=SystemClock())
    try:
        bulk_mails(ctx, 100)
        with ctx.db.read() as s:
            ids = sorted(s.execute(select(OutboxMail.id)).scalars())
        bad = ids[37]
        spoil(ctx, bad)
        done = _worker_once(tmp_path, smtp_server.port)
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert len(smtp_handler.raw) == 99
        with ctx.db.read() as s:
            rows = {r.id: r for r in s.execute(select(OutboxMail)).scalars()}
        assert {i for i, r in rows.items() if r.status != "sent"} == {bad}
        assert rows[bad].status == "failed"
        assert reason in (rows[bad].last_error or ""), rows[bad].last_error
    finally:
        ctx.db.dispose()


def test_a_hostile_staff_name_no_longer_stops_anyones_mail(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler) -> None:
    """It used to raise while building Reply-To and fail every pass: now it is only text."""
    name = "=?utf-8?q?Al=0D=0AX-Evil:_1?="
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"),
                   clock=SystemClock())
    try:
        bulk_mails(ctx, 20)
        license_with_invites(ctx, ["bob@acme.example"], staff_name=name,
                             org="=?utf-8?q?A=0D=0ABcc:_e@evil.example?=")
        done = _worker_once(tmp_path, smtp_server.port)
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert len(smtp_handler.raw) == 21
        (invite,) = [m for m in smtp_handler.accepted if m["To"] == "bob@acme.example"]
        assert [k.lower() for k in invite.keys()].count("bcc") == 0
        assert "x-evil" not in {k.lower() for k in invite.keys()}
        assert "=?utf-8?q?A=0D=0ABcc:_e@evil.example?=" in invite["Subject"]
        with ctx.db.read() as s:
            assert {i.status for i in s.execute(select(Invitation)).scalars()} == {"pending"}
    finally:
        ctx.db.dispose()
