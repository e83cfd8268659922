"""`worker --once`, `outbox`, `mail list|show` as a person or a script runs them."""

from __future__ import annotations

import json
import mailbox
import re
from pathlib import Path

import pytest

from models.context import Ctx
from models.settings import Settings
from models.staff import claim_first_lead
from tests.mailer.conftest import Handler, SmtpServer
from tests.mailer.data import license_with_invites
from tui.cli.main import main


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", "sam@partner.example")
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"))
    claim_first_lead(ctx)  # as `db upgrade` does: this login leads the new database
    license_with_invites(ctx, ["bob@acme.example", "eve@acme.example"])
    ctx.db.dispose()
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_worker_once_fills_the_local_mailbox_and_mail_commands_read_it(
        seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "outbox", "--status", "queued", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    assert run(capsys, "worker", "--once")[0] == 0
    code, out, _ = run(capsys, "outbox", "--json")
    assert [r["status"] for r in json.loads(out)] == ["sent", "sent"]
    assert run(capsys, "outbox", "--status", "queued", "--json")[1].strip() == "[]"

    code, out, _ = run(capsys, "mail", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and {m["to"] for m in listed} == {"bob@acme.example", "eve@acme.example"}
    code, out, _ = run(capsys, "mail", "list")
    assert listed[0]["id"] in out

    code, out, _ = run(capsys, "mail", "show", listed[0]["id"])
    assert code == 0 and "Subject: " in out and "Create your account" in out
    assert re.search(r"http://127\.0\.0\.1:8080/invite/[A-Za-z0-9_-]{20,}", out)
    code, out, _ = run(capsys, "mail", "show", listed[0]["id"], "--html")
    assert "<a href=" in out


def test_outbox_table_and_unknown_mail(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "outbox")
    assert code == 0 and "bob@acme.example" in out and "ATTEMPTS" in out
    code, _out, err = run(capsys, "mail", "show", "nope")
    assert code == 2 and "no mail 'nope'" in err


def test_worker_once_exits_1_when_sending_is_refused(
        seeded: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        smtp_server: SmtpServer, smtp_handler: Handler) -> None:
    monkeypatch.setenv("LICENSEDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LICENSEDESK_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("LICENSEDESK_SMTP_USERNAME", "relay")  # and no password
    code, _out, _err = run(capsys, "worker", "--once")
    assert code == 1
    assert smtp_handler.attempts == []
    code, out, _ = run(capsys, "outbox", "--status", "queued", "--json")
    assert [r["attempts"] for r in json.loads(out)] == [0, 0]


def test_mail_show_strips_terminal_escapes_from_a_hostile_mail(
        seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Anyone on this machine can hand the catcher a mail; it must not drive the terminal."""
    box = mailbox.Maildir(seeded / "mailbox", create=True)
    key = box.add(b"From: x@y.example\r\nTo: sam@partner.example\r\n"
                  b"Subject: =?utf-8?q?Evil=1B]0;owned=07=1B[31m?=\r\n\r\n"
                  b"body \x1b[2J cleared?\r\n")
    code, out, _ = run(capsys, "mail", "list")
    assert code == 0 and key in out and "\x1b" not in out and "\x07" not in out
    code, out, _ = run(capsys, "mail", "show", key)
    assert code == 0 and "Evil" in out and "cleared?" in out
    assert "\x1b" not in out and "\x07" not in out
