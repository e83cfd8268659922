"""New organization: the organization form in a dialog. A refusal is said on one line under
the form (a dialog that fits 80x24 has no room for a line per field), the refused field takes
the focus, and nothing typed is lost."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from models.errors import DomainError
from tui.cells import clean
from tui.commands import bindings
from tui.messages import WorkFailed
from tui.widgets.org_form import OrgForm
from tui.wizard_commands import first_key


class NewOrgScreen(ModalScreen[int | None]):
    """Dismisses with the new organization's id, or None when cancelled."""

    DEFAULT_CSS = """
    NewOrgScreen Field { margin-bottom: 0; }
    NewOrgScreen Field > .field-error { display: none; }
    NewOrgScreen #error.-empty { display: none; }
    """

    BINDINGS = bindings("org_form")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form"):
            yield Label("New organization", classes="dialog-title")
            yield OrgForm(compact=True)
            yield Static("", id="error", classes="-empty", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Create ({first_key('org_form', 'save')})", id="create",
                             variant="primary", compact=True)
                yield Button(f"Cancel ({first_key('org_form', 'cancel')})", id="cancel",
                             compact=True)

    def on_mount(self) -> None:
        self.query_one(OrgForm).focus_first()

    @on(OrgForm.Finished)
    def _email_entered(self) -> None:
        self.focus_next()  # on to the data centre; ctrl+s creates

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        self._say("")
        self.query_one(OrgForm).submit()

    @on(OrgForm.Created)
    def _created(self, event: OrgForm.Created) -> None:
        self.app.notify("Organization created", markup=False)
        self.dismiss(event.org.id)

    @on(WorkFailed)
    def _refused(self, event: WorkFailed) -> None:
        # The form marked the refused fields (and focused the first); the line says why, as
        # it says a refusal that is no field's (the role).
        if isinstance(event.error, DomainError):
            event.stop()
            self._say(str(event.error))

    def _say(self, message: str) -> None:
        line = self.query_one("#error", Static)
        line.update(Text(clean(message)))
        line.set_class(not message, "-empty")
