"""Alerts: this staff member's notifications; enter opens the license and marks it read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from tui.cells import cell, when
from tui.commands import bindings, key
from tui.exporting import ExportKind
from tui.fit import Col
from tui.marked import MarkedTable
from tui.messages import AlertsChanged, OpenLicense
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.views import NotificationRow

KIND = {"accepted": "● accepted", "overdue": "◷ overdue", "failed": "✖ failed"}
# Cut as the window narrows: the time, then the kind; what happened, and the unread dot, stay.
COLUMNS = (Col(""), Col("When", keep=1), Col("Kind", keep=2), Col("What", keep=3, least=12))


@dataclass
class _Read(Message, bubble=False):
    rows: list[NotificationRow]


class _Marked(Message, bubble=False):
    """Alerts were marked read."""


class AlertsScreen(BaseScreen):
    TITLE = "Alerts"
    PLACE = "alerts"
    BINDINGS = bindings(PLACE)

    def __init__(self) -> None:
        super().__init__()
        self.unread_only = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield MarkedTable(id="alerts")
        yield Static("", id="status", markup=False)
        yield KeyFooter(compact=True)

    @property
    def table(self) -> MarkedTable[NotificationRow]:
        return self.query_one("#alerts", MarkedTable)

    def on_mount(self) -> None:
        self.table.add_fit_columns(*COLUMNS)
        self.table.focus()
        super().on_mount()
        self.watch(self.desk_app, "unread", lambda _n: self.load(), init=False)

    def load(self) -> None:
        if self.ready:
            self._read(self.unread_only)

    @work(thread=True, exclusive=True, group="alerts-list", exit_on_error=False)
    def _read(self, unread_only: bool) -> None:
        self.reply(_Read(self.desk.alerts(unread_only=unread_only)))

    @on(_Read)
    def _show(self, message: _Read) -> None:
        rows = message.rows
        table = self.table
        current = table.cursor_row
        table.clear()
        table.keep((str(n.id), n) for n in rows)
        for n in rows:
            table.add_row(Text(" " if n.read else "•", style="bold"), cell(when(n.created_at)),
                          cell(KIND.get(n.kind, n.kind)), cell(n.text),
                          key=str(n.id))
        if rows:
            table.move_cursor(row=min(current, len(rows) - 1))
        unread = sum(1 for n in rows if not n.read)
        which = "unread only" if self.unread_only else "all"
        self.query_one("#status", Static).update(
            f"{len(rows)} alert(s), {unread} unread ({which}) · • marks unread · "
            f"{key(self.PLACE, 'select_cursor')} opens its license")

    def export_kind(self) -> ExportKind:
        return ExportKind("alerts", "unread alerts" if self.unread_only else "alerts",
                          unread_only=self.unread_only)

    def clear_filter(self) -> bool:
        if self.unread_only:
            self.action_toggle_unread()
            return True
        return False

    def action_toggle_unread(self) -> None:
        self.unread_only = not self.unread_only
        self.load()

    @work(thread=True, group="mark-read", exit_on_error=False)
    def _mark(self, ids: list[int] | None) -> None:
        self.desk.mark_read(ids)
        self.reply(_Marked())

    @on(_Marked)
    def _marked(self) -> None:
        self.post_message(AlertsChanged())

    def action_mark_read(self) -> None:
        note = self.table.current()
        if note is not None and not note.read:
            self._mark([note.id])

    def action_mark_all_read(self) -> None:
        self._mark(None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        note = self.table.rows_by_key.get(event.row_key.value or "")
        if note is None:
            return
        if not note.read:
            self._mark([note.id])
        if note.license_id:
            self.post_message(OpenLicense(note.license_id, "users"))
