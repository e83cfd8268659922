"""Needs attention: every overdue or failed invitation across all clients, oldest first;
above, the open invitations by age, each bar a filter (tui.widgets.age_bars)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from tui.actions import Acted, InvitationActions
from tui.cells import cell, status
from tui.commands import bindings, key
from tui.exporting import ExportKind
from tui.fit import Col
from tui.marked import MarkedTable
from tui.messages import OpenLicense
from tui.panes.users import inviter_cell, role_cell, stamp_cell
from tui.screens.base import BaseScreen
from tui.widgets.age_bars import AgeBars
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.views import InvitationRow

# As the window narrows the columns give way in this order: the inviter, the product, the
# role, the date (the list is oldest first anyway), the organization, the status (short
# forms first, then cut); the address, who to chase, stays.
COLUMNS = (Col("Last sent", keep=4, least=9), Col("Status", keep=6),
           Col("E-mail", keep=7, least=14), Col("Role", keep=3, least=6),
           Col("Organization", keep=5, least=10), Col("Product", keep=2),
           Col("Invited by", keep=1, least=10))


@dataclass
class _Read(Message, bubble=False):
    rows: list[InvitationRow]


class AttentionScreen(BaseScreen, InvitationActions):
    TITLE = "Needs attention"
    PLACE = "attention"
    BINDINGS = bindings(PLACE)
    age: int | None = None  # the age bar chosen as the filter (None: overdue and failed)

    def compose(self) -> ComposeResult:
        yield Header()
        keys = "/".join(key(self.PLACE, f"age({n})") for n in (1, 2, 3))
        yield AgeBars(f"{keys} filter · {key(self.PLACE, 'age(0)')} all", id="ages")
        yield MarkedTable(id="attention")
        yield Static("", id="status", markup=False)
        yield KeyFooter(compact=True)

    @property
    def table(self) -> MarkedTable[InvitationRow]:
        return self.query_one("#attention", MarkedTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_mark_column()
        table.add_fit_columns(*COLUMNS)
        table.focus()
        super().on_mount()

    def load(self) -> None:
        self._read(self.age)
        self.query_one(AgeBars).load()

    @work(thread=True, exclusive=True, group="attention", exit_on_error=False)
    def _read(self, age: int | None) -> None:
        self.reply(_Read(self.desk.attention() if age is None else self.desk.open_aged(age)))

    @on(_Read)
    def _read_done(self, message: _Read) -> None:
        self._show(message.rows)

    def _show(self, rows: list[InvitationRow]) -> None:
        table = self.table
        current = table.cursor_row
        table.clear()
        table.keep((str(r.id), r) for r in rows)
        for r in rows:
            key = str(r.id)
            table.add_row(table.mark_cell(key), stamp_cell(r.sent_at), status(r.status),
                          cell(r.email), role_cell(r.role), cell(r.organization),
                          cell(r.product), inviter_cell(r.invited_by), key=key)
        if rows:
            table.move_cursor(row=min(current, len(rows) - 1))
        self._status()

    def _status(self) -> None:
        table = self.table
        marked = f" · {len(table.marked)} marked" if table.marked else ""
        shown, opens = len(table.rows_by_key), key(self.PLACE, "select_cursor")
        if self.age is None:
            words = f"{shown} invitation(s) overdue or failed, oldest first{marked}"
        else:
            label = self.query_one(AgeBars).label(self.age)
            words = f"Sent {label} ago: {shown} open{marked} · {key(self.PLACE, 'age(0)')} all"
        self.query_one("#status", Static).update(f"{words} · {opens} opens the license")

    def action_age(self, number: int) -> None:
        self._filter(number or None)

    @on(AgeBars.Chosen)
    def _bar_chosen(self, message: AgeBars.Chosen) -> None:
        self._filter(None if message.number == self.age else message.number)  # again: off

    def _filter(self, age: int | None) -> None:
        self.age = age
        self.query_one(AgeBars).choose(age)
        if self.ready:
            self._read(age)

    def export_kind(self) -> ExportKind:
        return ExportKind("attention", "invitations needing attention")

    def action_mark(self) -> None:
        self.table.toggle_mark()
        self._status()

    def clear_filter(self) -> bool:
        if self.table.clear_marks():
            self._status()
            return True
        if self.age is not None:
            self._filter(None)
            return True
        return False

    @on(Acted)
    def _after(self) -> None:
        self.table.marked.clear()
        self.load()

    def action_resend(self) -> None:
        self.resend([r.id for r in self.table.chosen()])

    def action_hand_over(self) -> None:
        row = self.table.current()
        if row is not None:
            self.hand_over(row.id)

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
