"""Help: every place's keys, built from the one registry (`tui.commands`), the status
legend, and how to select text with the mouse as it is now."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.commands import bindings, help_text, key


def selecting_text(mouse_mode: str) -> str:
    """How to select text with the terminal, the mouse on or off (`tui.mouse`), the way it
    is now first."""
    shift = "hold Shift while you drag (Option in iTerm2)"
    ways = (f"the mouse is off, so a plain drag selects; with it on, {shift}"
            if mouse_mode == "off" else
            f"the mouse is on, so {shift}; with it off, a plain drag selects")
    return (f"\nSelecting text: {ways}. {key('console', 'toggle_mouse')} or \"Mouse on/off\" "
            "in the palette switches it; LICENSEDESK_MOUSE=off starts with it off.\n")


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(), markup=False)
            yield Static(selecting_text(getattr(self.app, "mouse_mode", "on")), markup=False,
                         id="help-selecting")

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
