"""A key typed into a field repaints the field; it does not lay out the whole screen.

Textual lays out every widget of the screen when an Input's text moves its scroll range and
after each `Static.update`: typing an address into the invite wizard cost five layouts a
key (about 14 ms of CPU a key on the machine where `make bench` runs; 4 ms without them).
The field must still scroll its text so the cursor stays in sight, and what the screen shows
must still change where it should.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from models.context import Ctx
from models.views import StaffRef
from tests.tui.conftest import screen_text, until
from tests.tui.wizard_helpers import WizardHost, make_license, make_org, settle
from tui.app import LicenseDeskApp
from tui.screens.invite_wizard import InviteWizard
from tui.widgets.email_input import EmailInput
from tui.widgets.quiet import show
from tui.widgets.safe_input import SafeInput

# Long enough for several frames (Textual paints at most 60 a second): a layout a change
# asked for has happened by then.
FRAMES = 0.1


class Layouts:
    """Counts the layouts of a screen (Textual publishes each on this signal)."""

    def __init__(self, screen: Any) -> None:
        self.count = 0
        screen.screen_layout_refresh_signal.subscribe(screen, self._seen)

    def _seen(self, _screen: Any) -> None:
        self.count += 1


@pytest.fixture
def wizard(ctx: Ctx, staff: StaffRef) -> WizardHost:
    lic = make_license(ctx, staff, make_org(ctx, staff), seats=3)
    return WizardHost(ctx, staff, lambda: InviteWizard(lic))


async def test_typing_an_address_lays_out_nothing(wizard: WizardHost) -> None:
    async with wizard.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        field = wizard.screen.query_one(EmailInput)
        assert wizard.focused is field
        layouts = Layouts(wizard.screen)
        await pilot.press(*"pat@acme.example")
        await pilot.pause(FRAMES)
        assert field.value == "pat@acme.example"
        assert layouts.count == 0
        assert "pat@acme.example" in screen_text(wizard)


async def test_a_long_address_scrolls_to_its_cursor(wizard: WizardHost) -> None:
    typed = "a" * 40 + "@" + "tail-of-the-address.example"
    async with wizard.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        field = wizard.screen.query_one(EmailInput)
        await pilot.press(*typed)
        await pilot.pause()
        assert field.virtual_size.width == len(typed) + 1
        assert field.scroll_x > 0
        line = screen_text(wizard).splitlines()[field.region.y]
        shown = line[field.region.x:field.region.right]
        assert shown.rstrip().endswith("address.example"), shown
        await pilot.press("home")
        await pilot.pause()
        assert field.scroll_x == 0


async def test_a_verdict_still_makes_room_for_itself(wizard: WizardHost) -> None:
    """The rows' height follows their verdicts: a layout when lines come or go, only then."""
    async with wizard.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*"bad@@x", "tab", "tab")  # to the next row: the first is checked
        await settle(pilot)
        text = screen_text(wizard)
        assert "bad@@x" in text
        assert re.search(r"not a valid|isn.t a valid|valid address|@", text)
        layouts = Layouts(wizard.screen)
        await pilot.press(*"ok@acme.example")
        await pilot.pause(FRAMES)
        assert layouts.count == 0


async def test_the_clients_status_lays_out_nothing_when_the_filter_is_typed(
        ctx: Ctx, staff: StaffRef) -> None:
    from tests.tui.conftest import make_data

    make_data(ctx, staff)
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("/")
        await settle(pilot)
        status = app.screen.query_one("#status", Static)
        layouts = Layouts(app.screen)
        await pilot.press(*"zzz")
        await settle(pilot)
        assert "No organization matches “zzz”" in screen_text(app)
        assert not status.styles.auto_dimensions
        # The table empties (its measure may move), but no layout comes from the field or
        # the status line: at most the table's own.
        assert layouts.count <= 1


async def test_show_skips_the_same_text_and_lays_out_only_what_can_grow() -> None:
    class Host(App[None]):
        CSS = "#fixed { height: 1; width: 20; } #grows { height: auto; }"

        def compose(self) -> ComposeResult:
            yield Static("one", id="fixed")
            yield Static("one", id="grows")

    app = Host()
    async with app.run_test(size=(40, 10)) as pilot:
        fixed, grows = app.query_one("#fixed", Static), app.query_one("#grows", Static)
        await pilot.pause()
        layouts = Layouts(app.screen)
        show(fixed, "one")
        show(grows, "one")
        await pilot.pause(FRAMES)
        assert layouts.count == 0
        show(fixed, "two")
        await pilot.pause(FRAMES)
        assert layouts.count == 0 and "two" in screen_text(app)
        show(grows, "three\nlines\nnow")
        await until(pilot, lambda: grows.size.height == 3)
        assert layouts.count >= 1


def test_every_text_field_in_the_console_is_a_safe_input() -> None:
    """A field made from Textual's Input would paint a pasted escape raw and lay out the
    screen on every key."""
    made = re.compile(r"(?<![\w.])Input\(|class \w+\(Input\)")
    root = Path(__file__).parents[2] / "tui"
    found = [f"{p.relative_to(root)}:{n}" for p in sorted(root.rglob("*.py"))
             for n, text in enumerate(p.read_text().splitlines(), 1)
             if made.search(text) and p.name != "safe_input.py"]
    assert found == []
    assert issubclass(EmailInput, Input)


async def test_show_draws_a_new_style_of_the_same_words() -> None:
    from rich.text import Text

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(Text("same", style="red"), id="s")

    app = Host()
    async with app.run_test(size=(20, 3)) as pilot:
        s = app.query_one("#s", Static)
        show(s, Text("same", style="blue"))
        await pilot.pause()
        assert s.content.style == "blue"


class TwoFields(App[None]):
    """Textual's Input and ours, the same width, for the same keys."""

    CSS = "Input { width: 22; height: 1; border: none; padding: 0; }"

    def compose(self) -> ComposeResult:
        yield Input(id="plain", compact=True)
        yield SafeInput(id="safe", compact=True)


def field_cells(app: App[None], field: Input) -> str:
    line = screen_text(app).splitlines()[field.region.y]
    return line[field.region.x:field.region.right]


EDITS = {
    "ctrl+k from the middle": [*("abcdefghij" * 5), "E", "N", "D", *["left"] * 30, "ctrl+k"],
    "delete from the middle": [*"x" * 40, *["left"] * 20, *["delete"] * 15],
    "backspace from the end": [*"0123456789" * 6, *["backspace"] * 30],
    "home then end": [*"q" * 50, "home", "end", "left", "ctrl+k"],
}


@pytest.mark.parametrize("keys", list(EDITS.values()), ids=list(EDITS))
async def test_a_field_shows_what_textuals_input_shows_after_an_edit(keys: list[str]) -> None:
    """Without the layout after each key the scroll position must still come back when the
    text gets shorter (a first version left the field blank after ctrl+k)."""
    app = TwoFields()
    async with app.run_test(size=(40, 4)) as pilot:
        shown = []
        for name in ("#plain", "#safe"):
            field = app.query_one(name, Input)
            field.focus()
            await pilot.press(*keys)
            await pilot.pause(FRAMES)
            shown.append((field.value, field.cursor_position, field_cells(app, field)))
        assert shown[1] == shown[0]
        assert shown[1][2].strip(), "the field shows none of its text"


async def test_a_paste_replaces_the_selection_and_skips_leading_line_breaks() -> None:
    app = TwoFields()
    async with app.run_test(size=(40, 4)) as pilot:
        field = app.query_one("#safe", SafeInput)
        field.focus()
        await pilot.press(*"zzz", "shift+home")
        field.post_message(events.Paste("crest"))
        await pilot.pause()
        assert field.value == "crest"
        field.value = ""
        field.post_message(events.Paste("\n\r\n  \ncrest\u202e\nsecond line"))
        await pilot.pause()
        assert field.value == "crest"


# Every line break str.splitlines knows, and text a mail header would decode if it were one.
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("brk", BREAKS, ids=[f"U+{ord(b[0]):04X}" for b in BREAKS])
async def test_a_pasted_line_break_of_any_kind_ends_the_field(brk: str) -> None:
    app = TwoFields()
    async with app.run_test(size=(40, 4)) as pilot:
        field = app.query_one("#safe", SafeInput)
        field.focus()
        field.post_message(events.Paste(f"{brk}=?utf-8?q?Acme=0ABcc:x?={brk}Bcc: x@evil"))
        await pilot.pause()
        assert field.value == "=?utf-8?q?Acme=0ABcc:x?="  # as typed, one line, not decoded
