"""The invite wizard's "import file": a CSV path typed with completion, checked by the desk
(`Desk.preview_import`: the same verdicts as `licensedesk import`), and the rows it holds
handed to the wizard, which shows each row's verdict as for typed rows.

A file that cannot be used (missing, a directory, a pipe, not UTF-8, too large) is said under
the path, where it was typed; nothing typed in the wizard is touched until a file is taken.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from models.errors import DomainError
from models.text import printable
from tui.commands import bindings
from tui.messages import WorkFailed
from tui.widgets.path_input import PathInput
from tui.wizard_commands import first_key
from tui.work import DeskNode

if TYPE_CHECKING:
    from models.views import ImportLine, ImportPreview, InviteRequest

# The wizard shows one row of widgets per address: a longer file is the CLI's job.
MAX_ROWS = 500
# Verdicts a row in the editor cannot show (its role and language are pickers): such rows are
# left out and named in the status line instead.
NOT_A_ROW = ("role", "language")


def taken(preview: ImportPreview) -> tuple[list[InviteRequest], list[ImportLine]]:
    """The rows the editor takes (as typed, for the wizard's own check) and those it cannot."""
    from models.views import InviteRequest

    rows = [InviteRequest(x.outcome.email, x.outcome.role, x.language or None)
            for x in preview.lines if x.verdict not in NOT_A_ROW]
    left = [x for x in preview.lines if x.verdict in NOT_A_ROW]
    return rows, left


def left_out(left: list[ImportLine]) -> str:
    """"2 row(s) of the file left out: line 5: HelpDesk has no role 'Owner'; …"."""
    if not left:
        return ""
    said = "; ".join(f"line {x.line}: {printable(x.outcome.message, 120)}" for x in left[:3])
    more = f"; and {len(left) - 3} more" if len(left) > 3 else ""
    return f"{len(left)} row(s) of the file left out: {said}{more}"


class ImportFileDialog(ModalScreen["ImportPreview | None"], DeskNode):
    """Dismisses with the file's check (ImportPreview), or None when cancelled."""

    DEFAULT_CSS = """
    ImportFileDialog { align: center middle; }
    ImportFileDialog > #import-dialog { width: 90; max-width: 100%; height: auto; padding: 0 1; }
    ImportFileDialog #import-problem { height: auto; color: $error; }
    ImportFileDialog .buttons { height: auto; }
    """
    BINDINGS = bindings("import_file")

    @dataclass
    class _Checked(Message, bubble=False):
        preview: ImportPreview

    def __init__(self, license_id: int) -> None:
        super().__init__()
        self.license_id = license_id

    def compose(self) -> ComposeResult:
        with Vertical(id="import-dialog"):
            yield Label("Import invitations from a CSV file", classes="dialog-title")
            yield Static("Columns: e-mail, role, and optionally name and language (a header "
                         "row and the delimiter are found). → completes the path.",
                         markup=False)
            yield PathInput(placeholder="path/to/people.csv", id="import-path")
            yield Static("", id="import-problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Import ({first_key('import_file', 'take')})", id="import-take",
                             variant="primary")
                yield Button(f"Cancel ({first_key('import_file', 'cancel')})",
                             id="import-cancel")

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    def _problem(self, text: str) -> None:
        self.query_one("#import-problem", Static).update(text)

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-take")
    def action_take(self) -> None:
        path = self.query_one("#import-path", Input).value.strip()
        if not path:
            self._problem("Type the path of a CSV file.")
            return
        self._problem("Checking the file…")
        self.check(path)

    @work(exclusive=True, group="import-check", exit_on_error=False)
    async def check(self, path: str) -> None:
        def read() -> ImportPreview:
            import os

            desk = self.desk
            return desk.preview_import(self.license_id,
                                       desk.read_import_file(os.path.expanduser(path)))

        self.reply(self._Checked(await asyncio.to_thread(read)))

    @on(_Checked)
    def _checked(self, event: _Checked) -> None:
        if len(event.preview.lines) > MAX_ROWS:
            self._problem(f"The file has {len(event.preview.lines)} rows; the wizard takes up "
                          f"to {MAX_ROWS}. Use `licensedesk import {self.license_id} FILE` "
                          "for a longer one.")
            return
        self.dismiss(event.preview)

    @on(WorkFailed)
    def _failed(self, event: WorkFailed) -> None:
        if isinstance(event.error, DomainError):  # the file, said where it was typed
            event.stop()
            self._problem(printable(str(event.error), 400))
        else:
            self._problem("")

    @on(Button.Pressed, "#import-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
