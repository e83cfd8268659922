"""Invite wizard: many addresses at once, each with a role, each row shown with the desk's
verdict (`Desk.preview_invites`) before anything is sent, and the seat change."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static

from models.desk import PRODUCTS
from models.errors import DomainError
from models.text import display
from models.views import ImportPreview, InviteRequest, InviteResult, LicenseRow
from tui import typeahead
from tui.commands import bindings
from tui.messages import WorkFailed
from tui.screens.confirm import ConfirmScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.invite_rows import InviteRows
from tui.widgets.invite_verdicts import (
    add_me_label,
    as_typed,
    ask_to_confirm,
    show_outcomes,
    show_seats,
)
from tui.widgets.quiet import show
from tui.wizard_commands import say_keys
from tui.work import DeskNode, database_unreachable

# Quiet typing before the rows are checked: the next keystroke cancels a check not yet begun.
TYPING_PAUSE = 0.3

Asked = tuple[list[InviteRequest], bool]


class InviteWizard(ModalScreen[InviteResult | None], DeskNode):
    """Dismisses with the InviteResult once sent, or None when cancelled."""

    DEFAULT_CSS = """
    InviteWizard { align: center middle; }
    InviteWizard > #invite-dialog {
        width: 120; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
    }
    InviteWizard #invite-title { height: auto; }
    InviteWizard #invite-help { height: auto; }
    InviteWizard #invite-scroll { height: auto; max-height: 45vh; min-height: 3; }
    InviteWizard #invite-add-me-message, InviteWizard #invite-status { height: auto; }
    InviteWizard .-empty { display: none; }
    InviteWizard #invite-seats { height: auto; }
    InviteWizard #invite-buttons { height: auto; }
    InviteWizard #invite-buttons Button { margin-right: 2; }
    """

    BINDINGS = bindings("invite_wizard")

    @dataclass
    class _Loaded(Message, bubble=False):
        license: LicenseRow
        result: InviteResult
        language: str  # the organization's: each row's unless it chooses its own

    @dataclass
    class _Previewed(Message, bubble=False):
        asked: Asked
        result: InviteResult

    @dataclass
    class _Sent(Message, bubble=False):
        result: InviteResult

    def __init__(self, license_id: int) -> None:
        super().__init__()
        self.license_id = license_id
        self.license: LicenseRow | None = None
        self.preview: InviteResult | None = None
        # The rows (address, role, language) the verdicts shown were given for.
        self._verdicts_for: list[tuple[str, str, str | None]] | None = None
        # What the send in flight was asked (None when none is): a refusal marks the rows
        # only if they are still as sent.
        self._sent: Asked | None = None
        self._file_note = ""  # rows of an imported file left out, and why
        typeahead.hold(self)  # addresses typed while the license loads go into its rows

    def compose(self) -> ComposeResult:
        with Vertical(id="invite-dialog"):
            yield Static(Text(f"Invite users — license #{self.license_id}"), id="invite-title")
            yield Static(Text(say_keys(
                "One address per row, or paste a list (one per line, or comma separated). "
                "{next_row}: next row · {step_field(1)}: its role · {add_row} add · "
                "{remove_row} remove · {send} send.", "invite_rows", "invite_wizard")),
                id="invite-help")
            yield VerticalScroll(Static(Text("Loading the license…")), id="invite-scroll")
            yield Checkbox(add_me_label(self.desk.staff), id="invite-add-me", compact=True)
            yield Static("", id="invite-add-me-message", classes="-empty", markup=False)
            yield Static("", id="invite-seats", markup=False)
            yield Static("", id="invite-status", classes="-empty", markup=False)
            with Horizontal(id="invite-buttons"):
                yield Button("Send invitations", id="invite-send", variant="primary",
                             disabled=True)
                yield Button("Cancel", id="invite-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    @property
    def rows(self) -> InviteRows:
        return self.query_one(InviteRows)

    def asked(self) -> Asked:
        return self.rows.requests(), self.query_one("#invite-add-me", Checkbox).value

    # loading --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="invite-load", exit_on_error=False)
    def load(self) -> None:
        lic = self.desk.license(self.license_id)
        self.reply(self._Loaded(lic, self.desk.preview_invites(self.license_id, []),
                                self.desk.org_language(lic.organization_id)))

    @on(_Loaded)
    async def _loaded(self, event: _Loaded) -> None:
        lic = self.license = event.license
        prod = PRODUCTS[lic.product]
        self.query_one("#invite-title", Static).update(Text(
            f"Invite users — {prod.label} license #{lic.id} · {display(lic.organization)}"))
        scroll = self.query_one("#invite-scroll", VerticalScroll)
        await scroll.remove_children()
        rows = InviteRows(prod.roles, id="invite-rows")
        await scroll.mount(rows)
        rows.set_default_language(event.language)
        self._verdicts_for = []
        rows.edit()
        self.query_one("#invite-send", Button).disabled = False
        self._show(event.result)
        typeahead.ready(self)

    # checking as one types ------------------------------------------------------------------

    @on(InviteRows.Changed)
    @on(Checkbox.Changed, "#invite-add-me")
    def _edited(self, event: InviteRows.Changed | Checkbox.Changed) -> None:
        if self.license is not None and self._sent is None:
            self.check(0 if getattr(event, "pasted", False) else TYPING_PAUSE)

    @work(exclusive=True, group="invite-preview", exit_on_error=False)
    async def check(self, pause: float = TYPING_PAUSE) -> None:
        await asyncio.sleep(pause)
        asked = self.asked()
        result = await asyncio.to_thread(self.desk.preview_invites, self.license_id, *asked)
        self.reply(self._Previewed(asked, result))

    @on(_Previewed)
    def _previewed(self, event: _Previewed) -> None:
        if self._sent is None and event.asked == self.asked():
            self._show(event.result)
            self._verdicts_for = as_typed(event.asked[0])

    def _show(self, result: InviteResult) -> None:
        self.preview = result
        show_outcomes(self.rows, self.asked()[1],
                      self.query_one("#invite-add-me-message", Static), result.outcomes)
        show_seats(self.query_one("#invite-seats", Static), result)
        bad = [o for o in result.outcomes if not o.ok]
        look = f"{len(bad)} of {len(result.outcomes)} rows need a look before sending" \
            if bad else ""
        # Rows of an imported file the editor cannot hold stay named until the next file.
        self._status(" · ".join(t for t in (look, self._file_note) if t))

    def _status(self, message: str) -> None:
        status = self.query_one("#invite-status", Static)
        show(status, Text(display(message)))
        status.set_class(not message, "-empty")

    # sending --------------------------------------------------------------------------------

    @on(Button.Pressed, "#invite-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(InviteRows.Finished)
    def _rows_finished(self) -> None:
        self.query_one("#invite-send", Button).focus()

    def action_send(self) -> None:
        if self.license is None or self._sent is not None:
            return
        requests, add_me = asked = self.asked()
        if not requests and not add_me:
            self._status("Type at least one address, or tick “Add me too”.")
            return
        current = self.preview is not None and self._verdicts_for == as_typed(requests)
        if ask_to_confirm(self.rows, self.preview.outcomes if current and self.preview
                          else None, self.action_send):
            return
        self.workers.cancel_group(self, "invite-preview")
        self._sent = asked
        self.query_one("#invite-send", Button).disabled = True
        self._status(f"Sending {len(requests) + int(add_me)} invitation(s)…")
        typeahead.hold(self)  # keys typed on wait for the outcome: a refusal keeps the rows
        self.send(asked)

    @work(thread=True, exclusive=True, group="invite-send", exit_on_error=False)
    def send(self, asked: Asked) -> None:
        self.reply(self._Sent(self.desk.invite(self.license_id, *asked)))

    @on(_Sent)
    def _done(self, event: _Sent) -> None:
        self.dismiss(event.result)

    @on(WorkFailed)
    def _failed(self, event: WorkFailed) -> None:
        """Said on the status line; a refused send also marks each row, if still as sent."""
        sent, error = self._sent, event.error
        if event.group in ("invite-load", "invite-send"):
            typeahead.ready(self)
        if event.group == "invite-send":
            self._sent = None
            self.query_one("#invite-send", Button).disabled = self.license is None
        if isinstance(error, DomainError):
            event.stop()
            if error.rows and sent == self.asked():
                show_outcomes(self.rows, self.asked()[1],
                              self.query_one("#invite-add-me-message", Static), error.rows)
                if self.preview is not None:  # the verdicts a confirmation is asked from
                    self.preview = replace(self.preview, outcomes=tuple(error.rows))
                    self._verdicts_for = as_typed(sent[0])
            self._status(str(error))
        elif (problem := self.desk.lasting_problem(error)) is not None:
            # Reads still work: no outage to show, but a person has to act before a retry.
            event.stop()
            self._status(problem)
        elif database_unreachable(error):
            # The app shows the one outage status; here, that nothing typed is lost.
            self._status("the database cannot be reached right now; try again in a moment")

    # a file -----------------------------------------------------------------------------------

    def action_import_file(self) -> None:
        """Rows from a CSV file replace those typed; each shows its verdict as typed rows do."""
        if self.license is None or self._sent is not None:
            return
        from tui.widgets.import_file import ImportFileDialog

        self.app.push_screen(ImportFileDialog(self.license_id), self._imported)

    async def _imported(self, preview: ImportPreview | None) -> None:
        from tui.widgets.import_file import left_out, taken

        if preview is None:
            return
        rows, left = taken(preview)
        self._file_note = left_out(left)
        await self.rows.replace_rows(rows)
        self._status(self._file_note or f"{len(rows)} row(s) from the file; checking them…")

    # leaving --------------------------------------------------------------------------------

    @on(Button.Pressed, "#invite-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if self._sent is not None:
            return
        if self.license is not None and self.rows.typed:
            def answer(discard: bool | None) -> None:
                if discard:
                    self.dismiss(None)

            self.app.push_screen(ConfirmScreen(
                "Discard the addresses", "Discard the addresses you typed?", "Discard"),
                answer)
            return
        self.dismiss(None)
