"""New organization: a small form; a refused value is explained in the form, nothing is lost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui.cells import clean
from tui.widgets.safe_input import SafeInput
from tui.work import DbWork

if TYPE_CHECKING:
    from models.context import Ctx


class NewOrgScreen(DbWork, ModalScreen[int | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Create")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form"):
            yield Label("New organization", classes="dialog-title")
            yield Label("Organization name")
            yield SafeInput(id="name", max_length=200, compact=True)
            yield Label("Client name (the owner)")
            yield SafeInput(id="client_name", max_length=200, compact=True)
            yield Label("Client e-mail")
            yield SafeInput(id="client_email", max_length=320, compact=True)
            yield Label("Data centre")
            yield Select([("US", "us"), ("EU", "eu")], value="us", allow_blank=False,
                         id="dc", compact=True)
            yield Static("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Create (ctrl+s)", id="create", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        app: Any = self.app
        for field in self.query(Input):
            field.cursor_blink = app.blink
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        staff: Any = self.app.staff  # type: ignore[attr-defined]
        values = {k: self.query_one(f"#{k}", Input).value
                  for k in ("name", "client_name", "client_email")}
        dc = str(self.query_one("#dc", Select).value)

        def job(ctx: Ctx) -> int | Exception:
            from models.errors import DomainError
            from models.organizations import create_organization

            try:
                return create_organization(ctx, staff, data_center=dc, **values)
            except DomainError as err:
                return err

        self.db(job, self._created)

    def _created(self, result: int | Exception) -> None:
        if isinstance(result, Exception):
            self.query_one("#error", Static).update(clean(str(result)))
            return
        self.app.notify("Organization created", markup=False)
        self.dismiss(result)
