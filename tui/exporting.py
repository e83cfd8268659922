"""`ctrl+e` on every list screen: the list shown, all of it (not the page on screen), written
to a CSV file under the exports directory, and a toast saying where; "Export as…" asks for a
path and a format first.

One implementation for every list: `ListExport` is a base of `BaseScreen` (it is a
`DeskNode`); a screen that shows a list answers `export_kind()` with what it shows (the list
and its filter), and the commands (declared once, for every screen) work only where it does.
The rows are the desk's `export`, the file its `export_file`: formulas neutralized, the file
for owner and group only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from tui.cells import clean
from tui.commands import bindings
from tui.widgets.path_input import PathInput
from tui.wizard_commands import first_key
from tui.work import DeskNode

if TYPE_CHECKING:
    from models.views import ExportFile

EXPORT_ACTIONS = ("export", "export_as")


@dataclass(frozen=True)
class ExportKind:
    """What a screen shows, as the desk's export takes it."""

    what: str          # clients | licenses | users | history | attention | alerts | outbox
    title: str         # for the toast: "clients matching “acme”"
    license_id: int | None = None
    organization_id: int | None = None
    search: str = ""
    status: str | None = None
    unread_only: bool = False


@dataclass
class Exported(Message, bubble=False):
    kind: ExportKind
    done: ExportFile


Asked = tuple[str, str, bool]  # path, format, byte-order mark


class ListExport(DeskNode):
    """Export for the screen it is a base of (mixed in after the Textual class)."""

    def export_kind(self) -> ExportKind | None:
        """What this screen shows, or None where there is no list to export."""
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in EXPORT_ACTIONS:
            return self.is_mounted and self.ready and self.export_kind() is not None
        return super().check_action(action, parameters)

    def _kind_or_say(self) -> ExportKind | None:
        kind = self.export_kind() if self.ready else None
        if kind is None:
            self.notify("Nothing to export here: this view has no list.", markup=False)
        return kind

    def action_export(self) -> None:
        kind = self._kind_or_say()
        if kind is not None:
            self.export_list(kind, "csv", "", False)

    def action_export_as(self) -> None:
        kind = self._kind_or_say()
        if kind is None:
            return

        def given(asked: Asked | None) -> None:
            if asked is not None:
                path, fmt, bom = asked
                self.export_list(kind, fmt, path, bom)

        self.app.push_screen(ExportDialog(kind, self.desk.exports_dir()), given)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export_list(self, kind: ExportKind, fmt: str, path: str, bom: bool) -> None:
        self.reply(Exported(kind, self.desk.export_file(
            kind.what, fmt, path or None, bom=bom, license_id=kind.license_id,
            organization_id=kind.organization_id, search=kind.search, status=kind.status,
            unread_only=kind.unread_only)))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        done = message.done
        self.notify(f"Exported {done.rows} row(s) of {clean(message.kind.title)} to "
                    f"{clean(done.path)}", title="Export", markup=False, timeout=10)


class ExportDialog(ModalScreen[Asked | None]):
    """A path (completed as one types; relative paths go under the exports directory) and a
    format; dismisses with (path, format, bom) or None."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > #export-dialog { width: 90; max-width: 100%; height: auto; padding: 0 1; }
    ExportDialog #export-row { height: auto; }
    ExportDialog #export-format { width: 16; }
    ExportDialog .buttons { height: auto; }
    """
    BINDINGS = bindings("export_dialog")

    def __init__(self, kind: ExportKind, exports_dir: str) -> None:
        super().__init__()
        self.kind = kind
        self.exports_dir = exports_dir

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label(f"Export {clean(self.kind.title)}", classes="dialog-title",
                        markup=False)
            yield Static(f"A file name or path (→ completes it); a relative one goes under "
                         f"{clean(self.exports_dir)}", markup=False)
            yield PathInput(f"{self.kind.what}.csv", base=self.exports_dir, id="export-path")
            with Horizontal(id="export-row"):
                yield Select([("CSV", "csv"), ("JSON", "json")], value="csv",
                             allow_blank=False, id="export-format", compact=True)
                yield Checkbox("Byte-order mark (for Excel)", id="export-bom", compact=True)
            yield Static("", id="export-problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Write ({first_key('export_dialog', 'save')})",
                             id="export-write", variant="primary")
                yield Button(f"Cancel ({first_key('export_dialog', 'cancel')})",
                             id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def _format(self, event: Select.Changed) -> None:
        field = self.query_one("#export-path", Input)
        root, ext = os.path.splitext(field.value)
        if ext.lower() in (".csv", ".json"):
            field.value = f"{root}.{event.value}"
        self.query_one("#export-bom", Checkbox).disabled = event.value != "csv"

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-write")
    def action_save(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.query_one("#export-problem", Static).update("Give a file name.")
            return
        fmt = str(self.query_one("#export-format", Select).value)
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        fmt = ext if ext in ("csv", "json") else fmt  # a name ending .json means JSON
        bom = fmt == "csv" and self.query_one("#export-bom", Checkbox).value
        self.dismiss((path, fmt, bom))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
