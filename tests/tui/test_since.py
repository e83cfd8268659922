"""Since you were last here (issue 13): on start, when something happened to my invitations
while the console was closed, a view lists it with counts; enter opens the license's Users
tab, s resends a failed one, escape goes on to Clients. Also the license's auto-remind key
and the profile's notification choice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models.accept import accept
from models.context import Ctx
from models.digest import get_prefs, welcome
from models.outbox import claim, mark_failed, mark_sent
from models.scans import scan_overdue
from models.tables import AuditEvent, Invitation, License
from models.timeutil import FixedClock
from models.views import StaffRef
from tests.tui.conftest import Data, screen_text, settle, table_rows
from tui.app import LicenseDeskApp
from tui.screens.clients import ClientsScreen
from tui.screens.license import LicenseScreen
from tui.screens.profile import ProfileDialog
from tui.screens.since import SinceScreen


def away(ctx: Ctx, staff: StaffRef, clock: FixedClock) -> None:
    """The console was open once; then, while it was closed, Bob accepted, Eve's mail
    bounced, and the rest went overdue."""
    welcome(ctx, staff.id)
    clock.advance(timedelta(minutes=5))
    links = {}
    for mail in claim(ctx, "test-relay", limit=500):
        if mail.to_addr == "eve@bright.example":
            mark_failed(ctx, mail.id, "test-relay", "550 5.1.1 no such user [x]")
        else:
            links[mail.to_addr] = mail.token
            mark_sent(ctx, mail.id, "test-relay")
    clock.advance(timedelta(hours=1))
    accept(ctx, links["bob@acme.example"] or "", "Bob Builder", "correct horse battery")
    clock.advance(timedelta(hours=48))
    scan_overdue(ctx)


@pytest.fixture
def returning(ctx: Ctx, staff: StaffRef, clock: FixedClock, data: Data) -> LicenseDeskApp:
    away(ctx, staff, clock)
    return LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)


async def test_the_view_lists_what_changed_and_acts_on_it(
        ctx: Ctx, returning: LicenseDeskApp, data: Data) -> None:
    app = returning
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SinceScreen)
        text = screen_text(app)
        assert "1 accepted · 2 overdue · 1 failed · 0 expired" in text
        rows = table_rows(app, "#since")
        kinds = [r[1].split()[-1] for r in rows]
        assert sorted(kinds) == ["accepted", "failed", "overdue", "overdue"]
        # The bounce reason holds "[x]": kept as text (cells are Rich Text, never markup).
        assert any(r[2].startswith("The invitation to eve@bright.example") for r in rows)
        assert any("[x]" in it.text for it in app.screen.report.items)
        # enter: the license's Users tab
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SinceScreen)
        # s on the failed one: sent again
        failed_row = kinds.index("failed")
        app.screen.query_one("#since").move_cursor(row=failed_row)
        await pilot.press("s")
        await settle(pilot)
        with ctx.db.read() as s:
            eve = s.execute(select(Invitation).where(
                Invitation.email == "eve@bright.example")).scalar_one()
        assert (eve.status, eve.send_no) == ("pending", 2)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClientsScreen)
    # the console was open: next time there is nothing new
    assert welcome(ctx, app.staff.id).total == 0  # type: ignore[union-attr]


async def test_nothing_new_means_no_view(ctx: Ctx, staff: StaffRef, data: Data) -> None:
    welcome(ctx, staff.id)
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ClientsScreen)


async def test_auto_remind_key_on_the_license(ctx: Ctx, staff: StaffRef, data: Data) -> None:
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        with ctx.db.read() as s:
            assert s.get(License, data.acme_license).auto_remind is False  # type: ignore[union-attr]
        assert any("Automatic reminders off" in str(n.message) for n in app._notifications)
        await pilot.press("A")
        await settle(pilot)
    with ctx.db.read() as s:
        said = s.execute(select(AuditEvent.detail).where(
            AuditEvent.kind == "license.auto_remind")).scalars().all()
    assert said == ["automatic reminders off", "automatic reminders on"]


async def test_the_profile_chooses_the_digest(ctx: Ctx, staff: StaffRef, data: Data,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("models.staff.os_login", lambda: staff.login)  # my own record
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ProfileDialog)
        dialog.query_one("#notify").value = "digest"
        dialog.query_one("#digest-hour").value = "25"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProfileDialog)  # refused where it was typed
        assert "0 to 23" in str(dialog.query_one("#error").content)
        dialog.query_one("#digest-hour").value = "7"
        dialog.query_one("#digest-zone").value = "Europe/Warsaw"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClientsScreen), str(dialog.query_one("#error").content)
    prefs = get_prefs(ctx, staff.id)
    assert (prefs.notify, prefs.digest_hour, prefs.digest_zone) == ("digest", 7,
                                                                   "Europe/Warsaw")


def test_since_snapshot(snap_compare: Any, returning: LicenseDeskApp) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)

    assert snap_compare(returning, terminal_size=(80, 24), run_before=run_before)
