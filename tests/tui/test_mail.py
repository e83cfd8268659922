"""With no SMTP host the console runs the local catcher: queued mail lands in its Mailbox."""

from __future__ import annotations

from pathlib import Path

from models.context import Ctx
from models.outbox import pending_count
from models.views import StaffRef
from tests.tui.conftest import Data, screen_text, settle, table_rows, until
from tui.app import LicenseDeskApp
from tui.screens.mailbox import MailboxScreen, MailScreen


def _caught(ctx: Ctx) -> int:
    from mailer.mailbox import list_mails

    return len(list_mails(Path(ctx.settings.data_dir)))


async def test_relay_and_catcher_run_inside_the_console(ctx: Ctx, staff: StaffRef,
                                                        data: Data) -> None:
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=True, poll=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.catcher_socket is not None, timeout=10)
        await until(pilot, lambda: _caught(ctx) == 4, timeout=20)  # the four invitations
        # The catcher files a mail before it answers DATA; the relay records it as sent
        # once that answer is in, a moment later.
        await until(pilot, lambda: pending_count(ctx) == 0, timeout=10)
        app.open_license(data.acme_license, "users")
        await settle(pilot)
        await until(pilot, lambda: len(table_rows(app, "#users-table")) == 4)
        await pilot.press("down", "s")  # resend bob's: kicks the relay
        await until(pilot, lambda: _caught(ctx) == 5, timeout=20)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MailboxScreen)
        rows = table_rows(app, "#mails")
        assert len(rows) == 5
        assert "bob@acme.example" in [r[1] for r in rows]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        assert "Subject:" in screen_text(app)
    assert app.mail is not None and app.mail.relay is not None
    assert not app.mail._tasks  # stopped on exit


async def test_no_mailbox_with_a_relay_configured(ctx: Ctx, staff: StaffRef,
                                                  data: Data) -> None:
    ctx.settings.smtp_host = "smtp.example.test"
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("M")
        assert not isinstance(app.screen, MailboxScreen)
        assert any("No mailbox here" in n.message for n in app._notifications)
