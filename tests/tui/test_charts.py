"""The charts in the console (issue 13): Needs attention's age bars as filters (keys, clicks,
escape, the filter said in words), and neither chart repainting when its figures did not
change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.context import Ctx
from models.invitations import invite
from models.scans import scan_overdue
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from tests.tui.conftest import Data, screen_text, settle, table_rows
from tui.app import LicenseDeskApp
from tui.screens.attention import AttentionScreen
from tui.screens.clients import ClientsScreen
from tui.widgets.age_bars import AgeBars, bar
from tui.widgets.status_chart import StatusChart


@pytest.fixture
def aged(ctx: Ctx, staff: StaffRef, clock: FixedClock, data: Data) -> None:
    """Bob, Carol, Dave and Eve sent 8 days ago, Fay 5 days ago, Gus just now."""
    clock.advance(timedelta(days=3))
    invite(ctx, staff, data.acme_license, [InviteRequest("fay@acme.example", "Agent")])
    clock.advance(timedelta(days=5))
    invite(ctx, staff, data.acme_license, [InviteRequest("gus@acme.example", "Agent")])
    assert scan_overdue(ctx) == 5


def _emails(app: LicenseDeskApp) -> list[str]:
    return [r[3] for r in table_rows(app, "#attention")]


def _status(app: LicenseDeskApp) -> str:
    return str(app.screen.query_one("#status").render())


OLD = ["bob@acme.example", "carol@acme.example", "dave@acme.example", "eve@bright.example"]


@pytest.mark.usefixtures("aged")
async def test_bar_keys_filter_the_table(app: LicenseDeskApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
        text = screen_text(app)
        assert "Open invitations by age of the last send: 6" in text
        for words in ("  1 under 48 hours", "  2 48 hours to 7 days", "  3 over 7 days"):
            assert words in text
        assert _emails(app) == [*OLD, "fay@acme.example"]
        cases = [("1", ["gus@acme.example"], "Sent under 48 hours ago: 1 open"),
                 ("2", ["fay@acme.example"], "Sent 48 hours to 7 days ago: 1 open"),
                 ("3", OLD, "Sent over 7 days ago: 4 open"),
                 ("0", [*OLD, "fay@acme.example"], "5 invitation(s) overdue or failed")]
        for key, emails, words in cases:
            await pilot.press(key)
            await settle(pilot)
            assert _emails(app) == emails, key
            assert _status(app).startswith(words), key
            chosen = [b.number for b in app.screen.query("AgeBar") if b.has_class("-chosen")]
            assert chosen == ([] if key == "0" else [int(key)])
            if key != "0":  # the chosen bar is marked in the text, not by colour alone
                assert f"▶ {key} " in screen_text(app)
        assert "▶" not in screen_text(app)


@pytest.mark.usefixtures("aged")
async def test_click_a_bar_and_escape_clears_then_goes_back(app: LicenseDeskApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.click("#age-1")
        await settle(pilot)
        assert _emails(app) == ["gus@acme.example"]
        assert app.screen.age == 1
        await pilot.click("#age-1")  # the chosen bar again: no filter
        await settle(pilot)
        assert app.screen.age is None
        assert _emails(app) == [*OLD, "fay@acme.example"]
        await pilot.click("#age-1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
        assert app.screen.age is None
        assert _emails(app) == [*OLD, "fay@acme.example"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClientsScreen)


@pytest.mark.usefixtures("aged")
async def test_charts_read_without_colour(ctx: Ctx, staff: StaffRef, data: Data,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        app.open_license(data.acme_license, "summary")
        await settle(pilot)
        text = screen_text(app)
        for words in ("Last 30 days", "→ sent        5", "◷ overdue     4", "✖ failed      0"):
            assert words in text
        await pilot.press("escape", "w", "2")
        await settle(pilot)
        text = screen_text(app)
        assert "▶ 2 48 hours to 7 days" in text
        assert "Sent 48 hours to 7 days ago: 1 open" in text


def _count_paints(monkeypatch: pytest.MonkeyPatch, cls: Any) -> list[int]:
    painted: list[int] = []
    original = cls._paint

    def counting(self: Any, *args: Any) -> None:
        painted.append(1)
        original(self, *args)

    monkeypatch.setattr(cls, "_paint", counting)
    return painted


async def test_age_bars_repaint_only_when_the_figures_change(
        app: LicenseDeskApp, ctx: Ctx, staff: StaffRef, data: Data,
        monkeypatch: pytest.MonkeyPatch) -> None:
    painted = _count_paints(monkeypatch, AgeBars)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        bars = app.screen.query_one(AgeBars)
        assert len(painted) == 1
        for _ in range(2):
            bars.load()
            await settle(pilot)
        assert len(painted) == 1
        invite(ctx, staff, data.bright_license, [InviteRequest("hal@bright.example", "Agent")])
        bars.load()
        await settle(pilot)
        assert len(painted) == 2
        assert "Open invitations by age of the last send: 5" in screen_text(app)


async def test_status_chart_repaints_only_when_the_figures_change(
        app: LicenseDeskApp, ctx: Ctx, staff: StaffRef, data: Data,
        monkeypatch: pytest.MonkeyPatch) -> None:
    painted = _count_paints(monkeypatch, StatusChart)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license, "summary")
        await settle(pilot)
        chart = app.screen.query_one(StatusChart)
        assert len(painted) == 1
        assert "→ sent        3" in screen_text(app)
        chart.show_for(data.acme_license)
        await settle(pilot)
        assert len(painted) == 1
        invite(ctx, staff, data.acme_license, [InviteRequest("ida@acme.example", "Agent")])
        await pilot.pause(0.5)  # the license screen's poll sees the new audit row
        await settle(pilot)
        assert len(painted) == 2
        assert "→ sent        4" in screen_text(app)


@pytest.mark.parametrize(("count", "most", "drawn"), [
    (0, 0, ""), (0, 5, ""), (5, 5, "█" * 32), (1, 64, "▌"), (1, 1000, "▏"), (3, 4, "█" * 24)])
def test_bar(count: int, most: int, drawn: str) -> None:
    assert bar(count, most) == drawn.ljust(32)
