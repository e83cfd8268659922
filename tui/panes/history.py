"""License detail, History tab: the audit trail, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.cells import cell, when
from tui.table import Table

if TYPE_CHECKING:
    from models.views import AuditRow


class HistoryTable(Table[object]):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns("When", "Who", "What", "Detail")

    def show(self, rows: list[AuditRow]) -> None:
        width = max(self.app.size.width, 60)  # the terminal, known before layout
        self.clear()
        # Newest first by time: rows loaded in bulk need not have ids in time order.
        for r in sorted(rows, key=lambda r: (r.at, r.id), reverse=True):
            who = f"{r.login} · {r.actor}" if r.login else r.actor
            self.add_row(cell(when(r.at)), cell(who, 18), cell(r.kind.split(".")[-1], 12),
                         cell(r.detail, max(width - 46, 20)), key=str(r.id))
