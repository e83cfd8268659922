"""A database the console can read but not write (a full disk, a read-only file): what the
person typed stays, the form says what is wrong and what to do, and the console does not
claim an outage it would retry away."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from textual.widgets import Static

from models.context import Ctx
from models.invitations import invite
from models.settings import Settings
from models.staff import ensure_staff
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from tests.cli.test_faults import fill, small_disk
from tests.support.migrated import place_migrated_sqlite
from tests.tui.conftest import settle, table_rows
from tests.tui.wizard_helpers import make_license, make_org
from tui.app import DATABASE_DOWN, LicenseDeskApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.invite_wizard import InviteWizard
from tui.widgets.invite_rows import InviteRows


@contextmanager
def console_on_a_small_disk(tmp_path: Path, clock: FixedClock
                            ) -> Iterator[tuple[Path, Ctx, StaffRef, int]]:
    with small_disk(tmp_path / "data", "4m") as disk:
        settings = Settings(data_dir=disk, staff_email="sam@partner.example",
                            staff_name="Sam Support")
        place_migrated_sqlite(settings.resolved_database_url)
        ctx = Ctx.open(settings, clock=clock)
        try:
            staff = ensure_staff(ctx)
            yield disk, ctx, staff, make_license(ctx, staff, make_org(ctx, staff))
        finally:
            ctx.db.dispose()


async def test_a_full_disk_is_said_at_the_wizard_and_is_no_outage(
        tmp_path: Path, clock: FixedClock) -> None:
    with console_on_a_small_disk(tmp_path, clock) as (disk, ctx, staff, lic):
        app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=0.2)
        async with app.run_test(size=(110, 40)) as pilot:
            await settle(pilot)
            app.push_screen(InviteWizard(lic))
            await settle(pilot)
            await pilot.press(*"ann@acme.example")
            await settle(pilot)
            fill(disk)
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.pause(0.5)  # a poll or two: an outage would show by now
            wizard = app.screen
            assert isinstance(wizard, InviteWizard)
            status = str(wizard.query_one("#invite-status", Static).content)
            assert "full" in status and "free some space" in status, status
            assert "cannot be reached" not in status
            assert DATABASE_DOWN not in app.sub_title
            assert wizard.query_one(InviteRows).rows[0].email == "ann@acme.example"


async def test_a_revoke_on_a_full_disk_is_a_toast_that_says_so(
        tmp_path: Path, clock: FixedClock) -> None:
    with console_on_a_small_disk(tmp_path, clock) as (disk, ctx, staff, lic):
        invite(ctx, staff, lic, [InviteRequest("bob@acme.example", "Agent")])
        app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=0.2)
        async with app.run_test(size=(110, 40)) as pilot:
            await settle(pilot)
            app.open_license(lic, "users")
            await settle(pilot)
            assert table_rows(app, "#users-table")[1][1] == "bob@acme.example"
            await pilot.press("down", "x")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            fill(disk)
            await pilot.press("y")
            await settle(pilot)
            await pilot.pause(0.5)
            said = [n.message for n in app._notifications]
            assert any("full" in m and "free some space" in m for m in said), said
            assert DATABASE_DOWN not in app.sub_title
            # Again at once: said once, not a toast at every write that meets it (found by
            # review: the "seen" mark every minute would have toasted every minute).
            await pilot.press("x")
            await settle(pilot)
            await pilot.press("y")
            await settle(pilot)
            again = [n.message for n in app._notifications if "full" in n.message]
            assert len(again) == 1, again
