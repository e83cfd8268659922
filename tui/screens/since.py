"""Since you were last here: what happened to my invitations while the console was closed
(accepted, overdue, failed, expired), with counts; enter opens the license's Users tab, s
sends a failed (or overdue, expired) one again; escape goes on to Clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from tui.actions import InvitationActions
from tui.cells import cell, status, when
from tui.commands import bindings, key
from tui.marked import MarkedTable
from tui.messages import OpenLicense
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.views import SinceItem, SinceReport

RESENDABLE = ("failed", "overdue", "expired")


class SinceScreen(BaseScreen, InvitationActions):
    TITLE = "Since you were last here"
    PLACE = "since"
    BINDINGS = bindings(PLACE)

    def __init__(self, report: SinceReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._counts(), id="since-counts", markup=False)
        yield MarkedTable(id="since")
        yield Static("", id="status", markup=False)
        yield KeyFooter(compact=True)

    @property
    def table(self) -> MarkedTable[SinceItem]:
        return self.query_one("#since", MarkedTable)

    def _counts(self) -> str:
        r = self.report
        since = r.since.strftime("%d %b %H:%M") if r.since else "-"
        return (f"Since {since} UTC: {r.accepted} accepted · {r.overdue} overdue · "
                f"{r.failed} failed · {r.expired} expired")

    def on_mount(self) -> None:
        table = self.table
        table.add_columns("When", "Status", "What", "License")
        width = max(self.app.size.width, 60)
        table.keep((str(n), it) for n, it in enumerate(self.report.items))
        for n, it in enumerate(self.report.items):
            table.add_row(cell(when(it.at)), status(it.kind), cell(it.text, width - 36),
                          cell(f"#{it.license_id}" if it.license_id else "-"), key=str(n))
        table.focus()
        shown = len(self.report.items)
        more = f" (newest {shown} of {self.report.total})" if shown < self.report.total else ""
        self.query_one("#status", Static).update(
            f"{shown} change(s){more} · {key(self.PLACE, 'select_cursor')}: Users tab · "
            f"{key(self.PLACE, 'resend')}: resend a failed one · "
            f"{key('screens', 'back')}: on to Clients")
        super().on_mount()

    def action_resend(self) -> None:
        it = self.table.current()
        if it is None or it.invitation_id is None:
            return
        if it.kind not in RESENDABLE:
            self.app.notify("Accepted: nothing to resend.", markup=False)
            return
        self.resend([it.invitation_id])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        it = self.table.rows_by_key.get(event.row_key.value or "")
        if it is not None and it.license_id:
            self.post_message(OpenLicense(it.license_id, "users"))
