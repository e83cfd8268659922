"""Yes or no, with the consequence spelled out: the console's one confirmation dialog.

`y` (or enter on the Yes button) confirms; `n`, `escape` or enter on No (focused first) does
not. Keys are declared in `tui.wizard_commands` ("confirm").
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tui.cells import clean
from tui.commands import bindings
from tui.wizard_commands import first_key


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = bindings("confirm")

    def __init__(self, title: str, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Label(clean(self.title_text), classes="dialog-title", markup=False)
            # The question may name people or organizations: plain text only.
            yield Static(clean(self.question), id="question", markup=False)
            with Horizontal(classes="buttons"):
                yes = first_key("confirm", "answer(True)")
                yield Button(f"{self.yes} ({yes})", id="yes", variant="warning")
                yield Button(f"No ({first_key('confirm', 'answer(False)')})", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
