"""A link by hand from the console (issue 12): `L` on a Users row or a Needs attention row
shows a fresh link in a dialog and puts it on the clipboard with OSC 52; the earlier link
stops working on the signup page and the new one works; the audit row is there; no toast and
no log carries the link. The real bytes are checked on a pseudo-terminal, as over SSH."""

from __future__ import annotations

import base64
import logging
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from models.context import Ctx
from models.scans import run_scans
from models.tables import AuditEvent, Invitation
from models.timeutil import FixedClock
from models.tokens import hash_token
from signup.app import create_app
from tests.models.helpers import take_tokens
from tests.tui.conftest import Data, settle
from tui.app import LicenseDeskApp
from tui.screens.attention import AttentionScreen
from tui.screens.license import LicenseScreen
from tui.screens.link_dialog import CLIPBOARD, LinkDialog

OSC52 = re.compile(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


def _handed_over(ctx: Ctx) -> list[str]:
    with ctx.db.read() as s:
        return list(s.execute(select(AuditEvent.detail).where(
            AuditEvent.kind == "invitation.handed_over")).scalars())


async def _status(ctx: Ctx, token: str) -> int:
    transport = httpx.ASGITransport(app=create_app(ctx), client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://signup.test") as c:
        return (await c.get(f"/invite/{token}")).status_code


async def test_link_by_hand_on_the_users_tab(
        app: LicenseDeskApp, ctx: Ctx, data: Data, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    old = take_tokens(ctx)["bob@acme.example"]
    assert await _status(ctx, old) == 200
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license, "users")
        await settle(pilot)
        await pilot.press("down", "L")  # the owner's account, then bob's invitation
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LinkDialog)
        link = str(dialog.query_one("#link").render())
        assert link == dialog.link and link.startswith(ctx.settings.signup_url)
        assert app.clipboard == link
        assert CLIPBOARD in str(dialog.query_one("#clipboard").render())
        assert not app._notifications, "nothing in a toast"
        await pilot.press("c")  # again
        assert app.clipboard == link
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        assert all(link not in str(n.message) for n in app._notifications)
    token = link.removeprefix(ctx.settings.signup_url)
    logged = caplog.text  # before this test's own HTTP client logs its requests
    with ctx.db.read() as s:
        inv = s.get(Invitation, data.invitations["bob@acme.example"])
        assert inv is not None
        assert inv.token_hash == hash_token(token) and inv.times_sent == 2
    assert await _status(ctx, old) == 404
    assert await _status(ctx, token) == 200
    (line,) = _handed_over(ctx)
    assert line.startswith("link handed over by ") and "bob@acme.example" in line
    assert token not in line and token not in logged


async def test_an_account_row_gets_no_link(app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license, "users")
        await settle(pilot)
        await pilot.press("L")  # the owner's account
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        assert any("Only an open or expired invitation" in str(n.message)
                   for n in app._notifications)
    assert _handed_over(ctx) == []


async def test_link_by_hand_from_needs_attention(
        app: LicenseDeskApp, ctx: Ctx, clock: FixedClock, data: Data) -> None:
    clock.advance(timedelta(hours=49))
    run_scans(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
        first = app.screen.table.current()
        assert first is not None and first.status == "overdue"
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, LinkDialog)
        assert app.clipboard == app.screen.link
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
        # pending again: it left the list
        assert str(first.id) not in app.screen.table.rows_by_key
    with ctx.db.read() as s:
        inv = s.get(Invitation, first.id)
        assert inv is not None and inv.status == "pending"


ROOT = Path(__file__).resolve().parents[2]


def test_the_console_writes_the_osc52_sequence_of_the_link(tmp_path: Path) -> None:
    """On a pseudo-terminal at 80x24: the exact `ESC ] 52 ; c ; <base64 of the link> BEL`,
    once, and that link is the invitation's new one."""
    from tests.support.ptyconsole import PtyConsole

    env = {k: v for k, v in __import__("os").environ.items()
           if not k.startswith("LICENSEDESK_") and k not in ("NO_COLOR", "SSH_CONNECTION")}
    env.update(LICENSEDESK_DATA_DIR=str(tmp_path / "data"),
               LICENSEDESK_CONFIG=str(tmp_path / "config.toml"),
               LICENSEDESK_STAFF_EMAIL="sam@partner.example", LICENSEDESK_STAFF_NAME="Sam",
               TERM="xterm-256color", PYTHONPATH=str(ROOT))

    def cli(*argv: str) -> None:
        subprocess.run([sys.executable, "-m", "tui.cli.main", *argv], env=env, check=True,
                       capture_output=True, cwd=ROOT)

    cli("db", "upgrade")
    cli("org", "add", "--name", "Acme", "--client-name", "Ada", "--client-email",
        "ada@acme.example")
    cli("license", "create", "--org", "1", "--product", "livechat", "--invite",
        "bob@acme.example:Agent")
    with PtyConsole(env, cols=80, rows=24) as con:
        con.until("Acme")
        con.send(b"\r")  # the organization
        con.until("LiveChat")
        con.send(b"\r")  # its license
        con.until("Summary")
        con.send(b"2")
        con.until("bob@acme.example")
        before = len(con.written)
        con.send(b"\x1b[B")  # past the owner's account
        con.until_quiet(0.5)
        con.send(b"L")
        con.until("Link by hand")
        con.until_quiet(0.5)
        written = bytes(con.written[before:])
        screen = con.screen()
    found = OSC52.findall(written)
    assert len(found) == 1, written
    link = base64.b64decode(found[0]).decode()
    assert written.count(b"\x1b]52;") == 1
    assert f"\x1b]52;c;{base64.b64encode(link.encode()).decode()}\a".encode() in written
    assert "/invite/" in link
    token = link.rpartition("/")[2]
    ctx = Ctx.open(__import__("models.settings", fromlist=["Settings"]).Settings(
        data_dir=tmp_path / "data"))
    try:
        with ctx.db.read() as s:
            inv = s.execute(select(Invitation)).scalar_one()
        assert inv.token_hash == hash_token(token) and inv.times_sent == 2
    finally:
        ctx.db.dispose()
    assert "OSC 52" in screen
