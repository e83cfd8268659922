"""Needs attention: overdue and failed across all clients, oldest first; resend and remind."""

from __future__ import annotations

from datetime import timedelta

from models.context import Ctx
from models.outbox import list_outbox
from models.queries import list_invitations
from models.scans import scan_overdue
from models.timeutil import FixedClock
from tests.tui.conftest import Data, settle, table_rows
from tui.app import LicenseDeskApp
from tui.screens.attention import AttentionScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.license import LicenseScreen


def _overdue(ctx: Ctx, clock: FixedClock) -> None:
    clock.advance(timedelta(hours=49))
    assert scan_overdue(ctx) == 4


async def test_lists_overdue_oldest_first(app: LicenseDeskApp, ctx: Ctx, clock: FixedClock,
                                          data: Data) -> None:
    _overdue(ctx, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
        rows = table_rows(app, "#attention")
        assert [r[3] for r in rows] == ["bob@acme.example", "carol@acme.example",
                                        "dave@acme.example", "eve@bright.example"]
        assert {r[2] for r in rows} == {"◷ overdue"}
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        assert app.screen.license_id == data.acme_license


async def test_resend_from_attention(app: LicenseDeskApp, ctx: Ctx, clock: FixedClock,
                                     data: Data) -> None:
    _overdue(ctx, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("down", "space", "down", "down", "space", "s")  # carol and eve
        await settle(pilot)
        rows = table_rows(app, "#attention")
        assert [r[3] for r in rows] == ["bob@acme.example", "dave@acme.example"]
        status = {i.email: i.status for i in list_invitations(ctx)}
        assert status["carol@acme.example"] == "pending"
        assert status["eve@bright.example"] == "pending"


async def test_remind_from_attention(app: LicenseDeskApp, ctx: Ctx, clock: FixedClock,
                                     data: Data) -> None:
    _overdue(ctx, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "3 people" in str(app.screen.query_one("#question").content)
        await pilot.press("y")
        await settle(pilot)
        assert sum(1 for m in list_outbox(ctx) if m.kind == "reminder") == 3
        assert [r[3] for r in table_rows(app, "#attention")] == ["eve@bright.example"]
