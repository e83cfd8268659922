"""Hostile stored text through every place that shows it: no crash, no link, no raw escapes.

The services refuse control characters on input, so these rows are written straight into the
database, as an older version or another tool might have left them.
"""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from models.context import Ctx
from models.tables import Account, AuditEvent, Invitation, Notification, Organization, Staff
from models.views import StaffRef
from tests.tui.conftest import Data, screen_text, segments, settle, table_rows, until
from tui.app import LicenseDeskApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.mailbox import MailboxScreen, MailScreen
from tui.screens.role_picker import RolePicker

CLICK = "[@click=app.quit]Click me[/]"
CLOSE = "[/ broken [b]markup"
ESCAPES = "Red\x1b[31mALERT\x1b[0m\x1b]0;pwned\x07\x9b2J"
RTL = "Invoice \u202etxt.exe\u202c"
LONG = "L" * 300
BAD = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c")


def _poison(ctx: Ctx, data: Data, staff: StaffRef) -> None:
    with ctx.db.write() as s:
        s.execute(update(Organization).where(Organization.id == data.acme).values(
            name=f"{CLICK} {RTL}", client_name=f"{CLOSE} {ESCAPES}", client_email=LONG,
            search_key=f"{CLICK} {RTL} hostile".casefold()))
        s.execute(update(Invitation).where(Invitation.email == "bob@acme.example").values(
            email=f"{CLICK}@acme.example", status="overdue"))
        s.execute(update(Invitation).where(Invitation.email == "carol@acme.example").values(
            email=f"{ESCAPES}@acme.example"))
        s.execute(update(Account).values(name=f"{CLOSE}{RTL}"))
        s.execute(update(Staff).where(Staff.id == staff.id).values(email=f"{CLICK}{LONG}"))
        s.execute(update(AuditEvent).values(actor=CLICK, detail=f"{ESCAPES} {CLOSE} {LONG}"))
        s.add(Notification(staff_id=staff.id, kind="failed", invitation_id=None,
                           license_id=data.acme_license, send_no=1,
                           text=f"{CLICK} {ESCAPES} {RTL} {CLOSE}", created_at=ctx.now()))


def assert_clean(app: Any) -> None:
    assert app.is_running
    for seg in segments(app):
        assert not any(ch in seg.text for ch in BAD), repr(seg.text)
        meta = seg.style.meta if seg.style else {}
        assert "quit" not in str(meta.get("@click", "")), repr(seg)
        assert not (seg.style and seg.style.link), repr(seg)


@pytest.fixture
def hostile(ctx: Ctx, staff: StaffRef, data: Data) -> Data:
    _poison(ctx, data, staff)
    return data


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_screen_survives(app: LicenseDeskApp, ctx: Ctx, hostile: Data,
                                     size: tuple[int, int]) -> None:
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        assert_clean(app)
        assert CLICK in table_rows(app, "#orgs")[0][0] or size[0] == 80
        assert "[@click=app.quit]" in screen_text(app)  # shown as text, not run
        await pilot.press("/", *"[/", "enter")  # typed markup in the filter
        await settle(pilot)
        assert_clean(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # organization
        await settle(pilot)
        assert_clean(app)
        await pilot.press("enter")  # license summary
        await settle(pilot)
        assert_clean(app)
        await pilot.press("2")
        await settle(pilot)
        assert_clean(app)
        await pilot.press("down", "o")  # role picker names the hostile address
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        assert_clean(app)
        await pilot.press("escape")
        await pilot.press("space", "down", "space", "x")  # revoke confirm lists both
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert_clean(app)
        await pilot.press("n")
        await pilot.press("3")
        await settle(pilot)
        assert_clean(app)
        await pilot.press("a")
        await settle(pilot)
        assert_clean(app)
        await pilot.press("w")
        await settle(pilot)
        assert_clean(app)
        await pilot.press("question_mark")
        await settle(pilot)
        assert_clean(app)


async def test_toast_of_hostile_notification(app: LicenseDeskApp, ctx: Ctx, staff: StaffRef,
                                             hostile: Data) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        with ctx.db.write() as s:
            s.add(Notification(staff_id=staff.id, kind="accepted", invitation_id=None,
                               license_id=hostile.acme_license, send_no=1,
                               text=f"{CLICK} {ESCAPES} {RTL} {CLOSE} {LONG}",
                               created_at=ctx.now()))
        await until(pilot, lambda: len(list(app._notifications)) == 1)
        await pilot.pause()
        assert_clean(app)
        assert "[@click=app.quit]" in screen_text(app)


async def test_palette_with_hostile_names(app: LicenseDeskApp, hostile: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"hostile")
        await until(pilot, lambda: "[@click=app.quit]" in screen_text(app))
        assert_clean(app)


async def test_mailbox_with_hostile_mail(ctx: Ctx, staff: StaffRef, data: Data) -> None:
    box = mailbox.Maildir(Path(ctx.settings.data_dir) / "mailbox", create=True)
    msg = EmailMessage()
    msg["From"] = "licensedesk <licensedesk@localhost>"
    msg["To"] = "victim@example.test"
    msg["Subject"] = CLICK + " " + RTL
    msg.set_content(f"Hello\n{ESCAPES}\n{CLOSE}\n{CLICK}\n")
    box.add(msg)
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MailboxScreen)
        assert_clean(app)
        assert table_rows(app, "#mails")[0][1] == "victim@example.test"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        assert_clean(app)
        text = screen_text(app)
        assert "Hello" in text and "[@click=app.quit]Click me[/]" in text


async def test_pasted_escapes_never_reach_the_screen(app: LicenseDeskApp, data: Data) -> None:
    """A paste is not a key: Textual's Input would keep its control bytes and paint them."""
    from textual import events

    from tui.screens.new_org import NewOrgScreen
    from tui.widgets.safe_input import SafeInput

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        field = app.screen.query_one("#filter", SafeInput)
        field.post_message(events.Paste(f"{ESCAPES}{RTL}"))
        await settle(pilot)
        assert field.value and not any(ch in field.value for ch in BAD)
        assert_clean(app)
        await pilot.press("escape")
        app.push_screen(NewOrgScreen())
        await settle(pilot)
        for field in app.screen.query(SafeInput):
            field.focus()
            field.post_message(events.Paste(f"{CLICK}{ESCAPES}\n{RTL}"))
        await settle(pilot)
        values = [f.value for f in app.screen.query(SafeInput)]
        assert len(values) == 3 and all(values)
        assert not any(ch in v for v in values for ch in BAD)
        assert_clean(app)
