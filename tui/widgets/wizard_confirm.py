"""Asking before a wizard throws away what was typed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.widgets.footer import KeyFooter


class ConfirmDiscard(ModalScreen[bool]):
    """True when the person chose to discard."""

    DEFAULT_CSS = """
    ConfirmDiscard { align: center middle; }
    ConfirmDiscard > Vertical {
        width: 60; max-width: 100%; height: auto; padding: 1 2; border: thick $warning;
        background: $surface;
    }
    ConfirmDiscard Horizontal { height: auto; margin-top: 1; }
    ConfirmDiscard Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("y", "choose(True)", "Discard"),
        Binding("n,escape", "choose(False)", "Keep editing"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._question, markup=False)
            with Horizontal():
                yield Button("Keep editing (n)", id="keep", variant="primary")
                yield Button("Discard (y)", id="discard", variant="error")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "discard")

    def action_choose(self, discard: bool) -> None:
        self.dismiss(discard)
