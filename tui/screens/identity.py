"""First start: who is this? Name and e-mail, remembered in the config file."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.commands import bindings
from tui.widgets.safe_input import SafeInput


class IdentityScreen(ModalScreen[tuple[str, str] | None]):
    BINDINGS = bindings("identity")

    def __init__(self, name: str = "", email: str = "") -> None:
        super().__init__()
        self.given = (name, email)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form"):
            yield Label("Welcome to licensedesk", classes="dialog-title")
            yield Static("Who is working here? Invitations you send carry your name, and "
                         "your alerts come to this address.", markup=False)
            yield Label("Your name")
            yield SafeInput(self.given[0], id="name", max_length=200, compact=True)
            yield Label("Your e-mail")
            yield SafeInput(self.given[1], id="email", max_length=320, compact=True)
            yield Button("Continue", id="continue", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "name":
            self.query_one("#email", Input).focus()
        else:
            self._done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._done()

    def _done(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        email = self.query_one("#email", Input).value.strip()
        if not name or not email:
            self.notify("Type your name and e-mail to continue.", markup=False)
            return
        self.dismiss((name, email))

    async def action_quit(self) -> None:
        self.dismiss(None)
