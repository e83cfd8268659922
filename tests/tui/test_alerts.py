"""Alerts: listed, unread count always visible, open jumps to the license, mark read."""

from __future__ import annotations

from models.accept import accept
from models.context import Ctx
from models.notifications import unread_count
from tests.tui.conftest import Data, settle, table_rows, until
from tests.tui.helpers_accept import tokens
from tui.app import LicenseDeskApp
from tui.screens.alerts import AlertsScreen
from tui.screens.license import LicenseScreen


async def test_alerts_list_open_and_mark_read(app: LicenseDeskApp, ctx: Ctx,
                                              data: Data) -> None:
    links = tokens(ctx)
    accept(ctx, links["bob@acme.example"], "Bob Builder", "correct horse battery")
    accept(ctx, links["eve@bright.example"], "Eve Viewer", "correct horse battery")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.unread == 2
        assert "2 unread alerts" in app.sub_title
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        rows = table_rows(app, "#alerts")
        assert [r[2] for r in rows] == ["● accepted", "● accepted"]
        assert rows[0][3].startswith("eve@bright.example accepted")
        assert rows[0][0] == "•"
        # the unread count is in the header on every screen
        assert "2 unread alerts" in app.screen.query_one("Header").screen_sub_title
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        assert app.screen.license_id == data.bright_license
        await until(pilot, lambda: app.unread == 1)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        assert table_rows(app, "#alerts")[0][0] == " "
        await pilot.press("R")
        await settle(pilot)
        await until(pilot, lambda: app.unread == 0)
        assert unread_count(ctx, app.staff.id) == 0  # type: ignore[union-attr]
        assert "no unread" in app.sub_title


async def test_unread_only_toggle_and_escape(app: LicenseDeskApp, ctx: Ctx,
                                             data: Data) -> None:
    from models.notifications import list_notifications, mark_read

    links = tokens(ctx)
    accept(ctx, links["bob@acme.example"], "Bob Builder", "correct horse battery")
    accept(ctx, links["carol@acme.example"], "Carol C", "correct horse battery")
    newest = list_notifications(ctx, app.staff.id)[0]  # type: ignore[union-attr]
    mark_read(ctx, app.staff.id, [newest.id])  # type: ignore[union-attr]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert len(table_rows(app, "#alerts")) == 2
        await pilot.press("u")
        await settle(pilot)
        assert len(table_rows(app, "#alerts")) == 1
        await pilot.press("escape")  # clears the unread-only filter first
        await settle(pilot)
        assert len(table_rows(app, "#alerts")) == 2
        await pilot.press("escape")
        assert not isinstance(app.screen, AlertsScreen)
