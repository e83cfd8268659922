"""Needs attention: every overdue or failed invitation across all clients, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from tui.actions import Acted, InvitationActions
from tui.cells import cell, status, when
from tui.commands import bindings, key
from tui.marked import MarkedTable
from tui.messages import OpenLicense
from tui.panes.users import SHORT_ROLE
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.views import InvitationRow


@dataclass
class _Read(Message, bubble=False):
    rows: list[InvitationRow]


class AttentionScreen(BaseScreen, InvitationActions):
    TITLE = "Needs attention"
    PLACE = "attention"
    BINDINGS = bindings(PLACE)

    def compose(self) -> ComposeResult:
        yield Header()
        yield MarkedTable(id="attention")
        yield Static("", id="status", markup=False)
        yield KeyFooter(compact=True)

    @property
    def table(self) -> MarkedTable[InvitationRow]:
        return self.query_one("#attention", MarkedTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_mark_column()
        table.add_columns("Last sent", "Status", "E-mail", "Role", "Organization", "Product",
                          "Invited by")
        table.focus()
        super().on_mount()

    def load(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="attention", exit_on_error=False)
    def _read(self) -> None:
        self.reply(_Read(self.desk.attention()))

    @on(_Read)
    def _read_done(self, message: _Read) -> None:
        self._show(message.rows)

    def _show(self, rows: list[InvitationRow]) -> None:
        table = self.table
        current = table.cursor_row
        table.clear()
        table.keep((str(r.id), r) for r in rows)
        # Below 100 columns the columns that decide (when, status, who, where) come first.
        narrow = self.app.size.width < 100
        for r in rows:
            key = str(r.id)
            sent = r.sent_at.strftime("%d %b") if narrow else when(r.sent_at)
            role = SHORT_ROLE.get(r.role, r.role) if narrow else r.role
            table.add_row(table.mark_cell(key), cell(sent), status(r.status),
                          cell(r.email, 20 if narrow else 26), cell(role),
                          cell(r.organization, 16 if narrow else 22),
                          cell(r.product), cell(r.invited_by, 18), key=key)
        if rows:
            table.move_cursor(row=min(current, len(rows) - 1))
        self._status()

    def _status(self) -> None:
        table = self.table
        marked = f" · {len(table.marked)} marked" if table.marked else ""
        self.query_one("#status", Static).update(
            f"{len(table.rows_by_key)} invitation(s) overdue or failed, oldest first{marked} · "
            f"{key(self.PLACE, 'select_cursor')} opens the license")

    def action_mark(self) -> None:
        self.table.toggle_mark()
        self._status()

    def clear_filter(self) -> bool:
        if self.table.clear_marks():
            self._status()
            return True
        return False

    @on(Acted)
    def _after(self) -> None:
        self.table.marked.clear()
        self.load()

    def action_resend(self) -> None:
        self.resend([r.id for r in self.table.chosen()])

    def action_remind(self) -> None:
        row = self.table.current()
        if row is not None:
            self.remind(row.license_id, f"{row.organization} ({row.product})")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.table.rows_by_key.get(event.row_key.value or "")
        if row is not None:
            self.post_message(OpenLicense(row.license_id, "users"))

    def on_screen_resume(self) -> None:
        self.reload_on_resume()
