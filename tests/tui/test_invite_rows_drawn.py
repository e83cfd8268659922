"""The rows editor draws the rows without the focus itself and edits the focused one in real
widgets (issue 14: a pasted list of fifty cost seconds of mounting). A row looks the same
drawn or edited, in colour and under NO_COLOR, at any width; a pasted list mounts nothing;
up and down, and a click on a drawn row, reach its fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual import events

from models.context import Ctx
from models.views import StaffRef
from tests.tui.wizard_helpers import WizardHost, make_license, make_org, settle
from tui.screens.invite_wizard import InviteWizard
from tui.screens.role_picker import RolePicker
from tui.widgets.invite_rows import InviteRows

TYPED = ("pat@acme.example", "bad@@x", "ann@gmial.com")


@pytest.fixture
def app(ctx: Ctx, staff: StaffRef) -> WizardHost:
    lic = make_license(ctx, staff, make_org(ctx, staff), seats=3)
    return WizardHost(ctx, staff, lambda: InviteWizard(lic))


class MonoHost(WizardHost):
    """With the console's NO_COLOR rules, as `LicenseDeskApp` loads them."""

    CSS_PATH = [WizardHost.CSS_PATH, Path(WizardHost.CSS_PATH).with_name("mono.tcss")]


@pytest.fixture
def mono(monkeypatch: pytest.MonkeyPatch, ctx: Ctx, staff: StaffRef) -> WizardHost:
    monkeypatch.setenv("NO_COLOR", "1")
    lic = make_license(ctx, staff, make_org(ctx, staff), seats=3)
    return MonoHost(ctx, staff, lambda: InviteWizard(lic))


def rows_of(app: Any) -> InviteRows:
    return app.screen.query_one(InviteRows)


def painted_row(app: Any, index: int) -> list[tuple[str, Style | None]]:
    """The cells painted for row `index` (its first line and the verdict lines under it),
    each as its character and style."""
    rows = rows_of(app)
    strips = app.screen._compositor.render_strips()
    top = rows.region.y
    for row in rows.rows[:index]:
        top += 1 + len(_verdict_lines(rows, row))
    row = rows.rows[index]
    cells = []
    for y in range(top, top + 1 + len(_verdict_lines(rows, row))):
        x0, x1 = rows.region.x, rows.region.right
        for seg in strips[y].crop(x0, x1):
            look = seg.style.clear_meta_and_links() if seg.style else None  # not the mouse's
            cells += [(ch, _seen(ch, look)) for ch in seg.text]
    return cells


def _seen(ch: str, style: Style | None) -> Style | None:
    """What the eye sees of a cell's style: a blank's foreground colour is not seen."""
    if style is None or ch != " " or style.underline or style.reverse or style.strike:
        return style
    return Style(bgcolor=style.bgcolor)


def _verdict_lines(rows: InviteRows, row: Any) -> list[str]:
    from tui.widgets.invite_rows_view import message_lines

    return message_lines(row.message, rows.size.width)


async def type_rows(pilot: Any, *addresses: str) -> None:
    for address in addresses:
        await pilot.press(*address, "enter")
    await settle(pilot)


async def looks_the_same_drawn_or_edited(app: WizardHost, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await type_rows(pilot, *TYPED)
        rows = rows_of(app)
        app.screen.query_one("#invite-add-me").focus()  # no field focused: none highlighted
        await pilot.pause()
        for index in range(len(TYPED)):
            drawn = painted_row(app, index)
            assert rows.current is not rows.rows[index]
            rows.edit(rows.rows[index])
            app.screen.query_one("#invite-add-me").focus()
            await pilot.pause()
            assert rows.current is rows.rows[index]
            assert painted_row(app, index) == drawn, (size, index)
            if app.no_color:  # the address a line to fill in, as a field is drawn
                assert all(s and s.underline for _ch, s in drawn[2:2 + len(TYPED[index])])
            rows.edit(rows.rows[-1])
            await pilot.pause()


@pytest.mark.parametrize("size", [(60, 30), (80, 24), (120, 40)])
async def test_a_row_looks_the_same_drawn_or_edited(app: WizardHost,
                                                    size: tuple[int, int]) -> None:
    await looks_the_same_drawn_or_edited(app, size)


async def test_under_no_color_too(mono: WizardHost) -> None:
    await looks_the_same_drawn_or_edited(mono, (80, 24))


async def test_a_pasted_list_mounts_no_widget(app: WizardHost) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        widgets = len(list(rows_of(app).walk_children()))
        assert app.focused is not None
        app.focused.post_message(events.Paste("\n".join(f"p{i}@acme.example"
                                                        for i in range(50))))
        await settle(pilot)
        rows = rows_of(app)
        assert [r.email for r in rows.rows] == [f"p{i}@acme.example" for i in range(50)]
        assert all(r.outcome is not None and r.outcome.ok for r in rows.rows)
        assert len(list(rows.walk_children())) == widgets


async def test_up_and_down_move_between_rows_in_the_same_field(app: WizardHost) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "u1@acme.example", "u2@acme.example")
        rows = rows_of(app)
        await pilot.press("up", "up")
        assert rows.current is rows.rows[0] and app.focused is rows.editor.email_input
        assert rows.editor.email_input.value == "u1@acme.example"
        await pilot.press("end", *"x", "down", "tab", "up")
        await settle(pilot)
        assert [r.email for r in rows.rows] == ["u1@acme.examplex", "u2@acme.example", ""]
        assert rows.current is rows.rows[0] and app.focused is rows.editor.role_chip


async def test_a_click_on_a_drawn_rows_role_opens_its_picker(app: WizardHost) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "c1@acme.example", "c2@acme.example")
        rows = rows_of(app)
        above = app.screen.query_one("#invite-rows-above")
        role_x = rows.editor.role_chip.region.x - above.region.x + 2
        await pilot.click("#invite-rows-above", offset=(role_x, 1))  # c2's role
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        assert "Role for c2@acme.example" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("up", "enter")  # Agent -> Administrator
        await settle(pilot)
        assert [r.role for r in rows.rows] == ["Agent", "Administrator", "Agent"]
        assert rows.current is rows.rows[1] and app.focused is rows.editor.role_chip



@pytest.mark.parametrize("size", [(100, 30), (60, 20)])
async def test_the_row_being_typed_stays_in_sight_when_verdicts_arrive(
        ctx: Ctx, staff: StaffRef, size: tuple[int, int]) -> None:
    """Found by attack: after a paste of thirty with a typo among them, the verdict lines
    pushed the focused last row below the visible area."""
    lic = make_license(ctx, staff, make_org(ctx, staff), seats=40)
    app = WizardHost(ctx, staff, lambda: InviteWizard(lic))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        addresses = [f"p{i}@acme.example" for i in range(30)]
        addresses[4] = "fifth@gmial.com"
        assert app.focused is not None
        app.focused.post_message(events.Paste("\n".join([*addresses, "last@acme.example"])))
        await settle(pilot)
        await pilot.press("enter", *"bad@gmial.com")
        await settle(pilot)
        editor = rows_of(app).editor
        box = next(a for a in editor.ancestors if getattr(a, "allow_vertical_scroll", False))
        assert editor.row.value == "bad@gmial.com"
        assert editor.message.region.height > 0  # its "did you mean" line
        assert box.content_region.contains_region(editor.region), (box.content_region,
                                                                   editor.region)
