"""Alerts: this staff member's notifications; enter opens the license and marks it read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tui.cells import cell, when
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import NotificationRow

KIND = {"accepted": "● accepted", "overdue": "◷ overdue", "failed": "✖ failed"}


class AlertsScreen(BaseScreen):
    TITLE = "Alerts"
    BINDINGS = [
        Binding("r", "mark_read", "Mark read"),
        Binding("R", "mark_all_read", "All read"),
        Binding("u", "toggle_unread", "Unread only"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.unread_only = False
        self.rows: dict[str, NotificationRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="alerts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#alerts", DataTable)
        table.add_columns("", "When", "Kind", "What")
        table.focus()
        super().on_mount()
        self.watch(self.app, "unread", lambda _n: self.load(), init=False)

    def load(self) -> None:
        staff: Any = self.app.staff  # type: ignore[attr-defined]
        if staff is None:
            return
        unread_only = self.unread_only

        def job(ctx: Ctx) -> list[NotificationRow]:
            from models.notifications import list_notifications

            return list_notifications(ctx, staff.id, unread_only=unread_only)

        self.db(job, self._show, group="alerts-list", exclusive=True)

    def _show(self, rows: list[NotificationRow]) -> None:
        table = self.query_one("#alerts", DataTable)
        current = table.cursor_row
        table.clear()
        self.rows = {str(n.id): n for n in rows}
        width = max(self.app.size.width, 60)  # the terminal, known before layout
        for n in rows:
            table.add_row(Text(" " if n.read else "•", style="bold"), cell(when(n.created_at)),
                          cell(KIND.get(n.kind, n.kind)), cell(n.text, width - 30),
                          key=str(n.id))
        if rows:
            table.move_cursor(row=min(current, len(rows) - 1))
        unread = sum(1 for n in rows if not n.read)
        which = "unread only" if self.unread_only else "all"
        self.query_one("#status", Static).update(
            f"{len(rows)} alert(s), {unread} unread ({which}) · • marks unread · "
            "enter opens its license")

    def clear_filter(self) -> bool:
        if self.unread_only:
            self.action_toggle_unread()
            return True
        return False

    def action_toggle_unread(self) -> None:
        self.unread_only = not self.unread_only
        self.load()

    def _current(self) -> NotificationRow | None:
        table = self.query_one("#alerts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def _mark(self, ids: list[int] | None) -> None:
        staff: Any = self.app.staff  # type: ignore[attr-defined]

        def job(ctx: Ctx) -> int:
            from models.notifications import mark_read

            return mark_read(ctx, staff.id, ids)

        self.db(job, lambda _n: self.app.refresh_unread())  # type: ignore[attr-defined]

    def action_mark_read(self) -> None:
        note = self._current()
        if note is not None and not note.read:
            self._mark([note.id])

    def action_mark_all_read(self) -> None:
        self._mark(None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        note = self.rows.get(event.row_key.value or "")
        if note is None:
            return
        if not note.read:
            self._mark([note.id])
        if note.license_id:
            self.app.open_license(note.license_id, "users")  # type: ignore[attr-defined]
