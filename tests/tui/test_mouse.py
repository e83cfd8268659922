"""Mouse tracking is a setting (LICENSEDESK_MOUSE: on, hover, off), switched at run time by f2
or "Mouse on/off" in the palette; the help says how to select text either way; the pointer
over a table lights its row and leaves no trace in the row it left. (What reaches the
terminal, byte for byte, is tests/e2e/test_pty_mono.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Static

from models.settings import load_settings
from tests.tui.conftest import Data, settle
from tui.app import LicenseDeskApp
from tui.prefs import mouse_mode


@pytest.mark.parametrize(("value", "mode"), [
    (None, "on"), ("on", "on"), ("yes", "on"), ("1", "on"), ("hover", "hover"),
    ("HOVER", "hover"), ("off", "off"), ("no", "off"), ("0", "off"), ("false", "off"),
])
def test_the_setting_and_its_words(monkeypatch: pytest.MonkeyPatch, value: str | None,
                                   mode: str) -> None:
    if value is None:
        monkeypatch.delenv("LICENSEDESK_MOUSE", raising=False)
    else:
        monkeypatch.setenv("LICENSEDESK_MOUSE", value)
    assert mouse_mode() == mode
    assert load_settings().mouse == mode  # the settings read it the same way


def test_a_word_it_does_not_know_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from models.settings import SettingsError

    monkeypatch.setenv("LICENSEDESK_MOUSE", "sometimes")
    with pytest.raises(SettingsError, match="LICENSEDESK_MOUSE"):
        load_settings()


def _help(app: Any) -> str:
    return str(app.screen.query_one("#help-selecting", Static).render())


async def test_f2_and_the_palette_switch_it_and_the_help_follows(
        monkeypatch: pytest.MonkeyPatch, app: LicenseDeskApp) -> None:
    monkeypatch.setenv("LICENSEDESK_MOUSE", "off")
    app = LicenseDeskApp(ctx=app.ctx, staff=app.staff, start_mail=False)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert app.mouse_mode == "off"
        await pilot.press("question_mark")
        await settle(pilot)
        assert "the mouse is off, so a plain drag selects" in _help(app)
        assert "Shift" in _help(app)
        await pilot.press("escape", "f2")
        await settle(pilot)
        assert app.mouse_mode == "on"
        assert any("Shift-drag" in str(n.message) for n in app._notifications)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "the mouse is on, so hold Shift while you drag" in _help(app)
        await pilot.press("escape")
        await settle(pilot)
        offered = {c.title: c for c in app.get_system_commands(app.screen)}
        await offered["Mouse on/off"].callback()
        await settle(pilot)
        assert app.mouse_mode == "off"


async def test_hover_comes_back_as_hover(monkeypatch: pytest.MonkeyPatch,
                                         app: LicenseDeskApp) -> None:
    monkeypatch.setenv("LICENSEDESK_MOUSE", "hover")
    app = LicenseDeskApp(ctx=app.ctx, staff=app.staff, start_mail=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f2", "f2")
        assert app.mouse_mode == "hover"


def _row_look(table: DataTable[Any], row: int) -> list[Any]:
    """How a row is on the screen (the lines as painted, so a row not repainted shows its
    old look): each cell's colours and attributes, not its mouse meta."""
    line = table.app.screen._compositor.render_strips()[table.region.y + table.header_height
                                                          + row]
    return [(st.color, st.bgcolor, st.bold, st.reverse, st.underline)
            for s in line if s.text.strip() and (st := s.style) is not None]


async def test_the_row_the_pointer_left_keeps_no_hover(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orgs", DataTable)
        before = {row: _row_look(table, row) for row in (3, 4)}
        await pilot.hover(table, offset=(30, 4))  # over the fourth row
        await pilot.pause()
        assert _row_look(table, 3) != before[3]  # lit
        await pilot.hover(table, offset=(30, 5))  # down to the fifth
        await pilot.pause()
        assert _row_look(table, 3) == before[3]  # every cell of it back as it was
        assert _row_look(table, 4) != before[4]
