"""My profile: one's own name and e-mail, changed through the domain (audited there).

A refused value is explained in the dialog and what was typed stays; the dialog returns the
staff record as the domain saved it, or None when nothing was saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.cells import clean
from tui.widgets.safe_input import SafeInput
from tui.work import DbWork

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import StaffRef


class ProfileDialog(DbWork, ModalScreen["StaffRef | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, me: StaffRef) -> None:
        super().__init__()
        self.me = me

    def compose(self) -> ComposeResult:
        me = self.me
        with Vertical(id="dialog", classes="form"):
            yield Label("My profile", classes="dialog-title")
            who = f"Signed in as {me.login}, {me.role}" if me.login else f"Role: {me.role}"
            yield Static(clean(f"{who}. Invitations you send carry this name; your alerts "
                               "come to this address."), id="profile-who", markup=False)
            yield Label("Your name")
            yield SafeInput(clean(me.name), id="name", max_length=200, compact=True)
            yield Label("Your e-mail")
            yield SafeInput(clean(me.email), id="email", max_length=320, compact=True)
            yield Static("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        app: Any = self.app
        for field in self.query(Input):
            field.cursor_blink = app.blink
        self.query_one("#error").display = False
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "name":
            self.query_one("#email", Input).focus()
        else:
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.busy("profile"):
            return
        me = self.me
        name = self.query_one("#name", Input).value
        email = self.query_one("#email", Input).value

        def job(ctx: Ctx) -> StaffRef | Exception:
            from models.errors import DomainError
            from models.staff import update_me

            try:
                return update_me(ctx, me, name=name, email=email)
            except DomainError as err:  # shown in the dialog; what was typed stays
                return err

        self.db(job, self._saved, group="profile")

    def _saved(self, result: StaffRef | Exception) -> None:
        if isinstance(result, Exception):
            error = self.query_one("#error", Static)
            error.update(clean(str(result)))
            error.display = True
            return
        changed = (result.name, result.email) != (self.me.name, self.me.email)
        self.app.notify("Profile saved" if changed else "Profile unchanged", markup=False)
        self.dismiss(result)
