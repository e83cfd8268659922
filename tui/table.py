"""The DataTable every table of the console is made from.

Textual 8.2's DataTable caches rendered cells and lines under a counter that adding a row
bumps but measuring the new rows (when the table is next idle) does not. A frame painted in
between, as happens on a busy host, caches the rows at the old column widths ("07 …" under
"When"), and they stay so until something else changes. Measuring clears those caches when
a width moved. tests/tui/test_table.py shows the plain DataTable still needs it.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import CellType, RowKey


class Table(DataTable[CellType]):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        before = [(c.content_width, c.width) for c in self.columns.values()]
        super()._update_dimensions(new_rows)
        if [(c.content_width, c.width) for c in self.columns.values()] != before:
            self._clear_caches()
            self.refresh()
