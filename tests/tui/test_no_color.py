"""NO_COLOR, 16 colours and the Linux console, on what the console paints (Pilot, real keys):
no colour at all under NO_COLOR, the cursor, the focus and the open tab said by reverse,
underline and bold instead; text never drawn in its own background's colour in 16 colours;
on the Linux console only glyphs its font has, each fallback as wide as what it replaces."""

from __future__ import annotations

from typing import Any

import pytest
from rich.cells import cell_len
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.widgets import DataTable, Input

from models.context import Ctx
from models.views import StaffRef
from tests.tui.conftest import Data, settle, until
from tui.app import LicenseDeskApp
from tui.glyphs import CONSOLE_GLYPHS, FALLBACK, for_console
from tui.mono import without_colour


def _lines(app: Any) -> list[list[Segment]]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def _row_styles(app: Any, text: str) -> list[Style]:
    """The styles of the painted line that holds `text`."""
    for line in _lines(app):
        if text in "".join(s.text for s in line):
            return [s.style or Style() for s in line if s.text.strip()]
    raise AssertionError(f"{text!r} is not on the screen")


def _coloured(app: Any) -> list[str]:
    return [s.text for line in _lines(app) for s in line
            if s.style is not None and (s.style.color or s.style.bgcolor)]


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch, ctx: Ctx, staff: StaffRef,
             data: Data) -> LicenseDeskApp:
    monkeypatch.setenv("NO_COLOR", "1")
    return LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)


async def _users_tab(pilot: Any, license_id: int) -> None:
    pilot.app.open_license(license_id, "users")
    await settle(pilot)
    await until(pilot, lambda: pilot.app.screen.query("#users-table")
                and pilot.app.screen.query_one("#users-table", DataTable).row_count > 0)
    await settle(pilot)


async def test_nothing_is_coloured_and_the_cursor_is_reversed(no_color: LicenseDeskApp,
                                                              data: Data) -> None:
    async with no_color.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _coloured(no_color) == []
        assert all(s.reverse for s in _row_styles(no_color, "Acme Analytics"))
        await pilot.press("slash")  # the filter has the focus, the table keeps its cursor
        await settle(pilot)
        assert _coloured(no_color) == []
        acme = _row_styles(no_color, "Acme Analytics")
        assert all(s.underline and not s.reverse for s in acme)
        await pilot.press("escape", "n")  # a dialog: the focused field reversed
        await settle(pilot)
        assert _coloured(no_color) == []
        focused = no_color.focused
        assert isinstance(focused, Input)
        assert focused.rich_style.reverse
        await pilot.press("escape", "ctrl+p")
        await settle(pilot)
        assert _coloured(no_color) == []


async def test_the_users_tab_says_status_and_open_tab_without_colour(
        no_color: LicenseDeskApp, data: Data) -> None:
    async with no_color.run_test(size=(80, 24)) as pilot:
        await _users_tab(pilot, data.acme_license)
        assert _coloured(no_color) == []
        text = "\n".join("".join(s.text for s in line) for line in _lines(no_color))
        assert "○ pending" in text
        tab = _row_styles(no_color, "Summary")
        users = [s for line in _lines(no_color) for s in line if s.text.strip() == "Users"]
        assert users and users[0].style and users[0].style.bold and users[0].style.underline
        assert not any(s.underline for s in tab if "Summary" in str(s))
        await pilot.press("m")  # a dialog over the license
        await settle(pilot)
        assert _coloured(no_color) == []


def test_dropping_colour_keeps_what_the_mouse_needs() -> None:
    style = Style(color="red", bgcolor="blue", bold=True, link="https://example.com",
                  meta={"row": 3, "column": 1})
    plain = without_colour(style)
    assert (plain.color, plain.bgcolor, plain.bold) == (None, None, True)
    assert plain.meta == {"row": 3, "column": 1} and plain.link_id == style.link_id


async def test_sixteen_colours_never_draw_text_in_its_background(
        monkeypatch: pytest.MonkeyPatch, ctx: Ctx, staff: StaffRef, data: Data) -> None:
    """Down to the 16 (TERM=xterm, TERM=linux), and on the Linux console, whose bright
    backgrounds are the dark ones: every letter and digit still differs from its ground."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)

    def unreadable(within: str = "") -> list[str]:
        """Letters and digits drawn in their ground's colour (`within`: a dialog's own, not
        the screen dimmed behind it)."""
        area = app.screen.query_one(within).region if within else app.screen.region
        bad = []
        for y, line in enumerate(_lines(app)):
            x = 0
            for s in line:
                x, start = x + s.cell_length, x
                if (s.style is None or not any(ch.isalnum() for ch in s.text)
                        or not area.contains(start, y)):
                    continue
                fg, bg = s.style.color, s.style.bgcolor
                if fg is None or bg is None:
                    continue
                f = fg.downgrade(ColorSystem.STANDARD).number
                b = bg.downgrade(ColorSystem.STANDARD).number
                if f == b or (b is not None and b >= 8 and f == b - 8):
                    bad.append(s.text)
        return bad

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert unreadable() == []
        await pilot.press("slash")
        await settle(pilot)
        assert unreadable() == []
        await pilot.press("escape", "n")
        await settle(pilot)
        assert unreadable("#dialog") == []
        await pilot.press("escape")
        await _users_tab(pilot, data.acme_license)
        assert unreadable() == []


async def test_the_linux_console_gets_only_glyphs_its_font_has(
        monkeypatch: pytest.MonkeyPatch, ctx: Ctx, staff: StaffRef, data: Data) -> None:
    monkeypatch.setenv("TERM", "linux")
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)

    def missing() -> set[str]:
        return {ch for line in _lines(app) for s in line for ch in s.text
                if ch not in CONSOLE_GLYPHS}

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert missing() == set()
        await _users_tab(pilot, data.acme_license)
        assert missing() == set()
        for keys in (("question_mark",), ("escape", "i"), ("escape", "escape", "ctrl+p")):
            await pilot.press(*keys)
            await settle(pilot)
            assert missing() == set(), keys


def test_each_fallback_is_in_the_font_and_as_wide() -> None:
    for glyph, fallback in FALLBACK.items():
        assert all(ch in CONSOLE_GLYPHS for ch in fallback), glyph
        assert cell_len(fallback) == cell_len(glyph), glyph
    assert for_console("Zoë Łukasz ✓ ● ◷ …") == "Zoë Łukasz √ • ! ~"  # names stay as typed
