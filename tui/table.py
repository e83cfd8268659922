"""The DataTable every table of the console is made from.

Measured widths: Textual 8.2's DataTable caches rendered cells and lines under a counter
that adding a row bumps but measuring the new rows (when the table is next idle) does not.
A frame painted in between, as happens on a busy host, caches the rows at the old column
widths ("07 …" under "When"), and they stay so until something else changes. Measuring
clears those caches when a width moved (tests/tui/test_table.py shows the plain DataTable
still needs it).

The pointer: Textual 8 repaints the whole table each time the pointer crosses into another
row (each row's cells carry their own mouse meta, so the style under the pointer changes and
the link highlight refreshes everything, though no table here holds a link), repaints the
hovered row on every motion report, and on leaving a row repaints only its first cell. Here
a row change repaints the row left and the row entered, nothing else (test_pty_mono.py
counts the bytes).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, RowKey


class Table(DataTable[CellType]):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        before = [(c.content_width, c.width) for c in self.columns.values()]
        super()._update_dimensions(new_rows)
        if [(c.content_width, c.width) for c in self.columns.values()] != before:
            self._clear_caches()
            self.refresh()

    def measure_now(self) -> None:
        """Measure new rows now rather than when next idle (what DataTable's idle does)."""
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)

    def watch_hover_style(self, previous_hover_style: Style, hover_style: Style) -> None:
        """No links in a table: nothing to highlight."""

    def _set_hover_cursor(self, active: bool) -> None:
        if active != self._show_hover_cursor:
            super()._set_hover_cursor(active)

    def watch_hover_coordinate(self, old: Coordinate, value: Coordinate) -> None:
        if self.cursor_type != "row":
            super().watch_hover_coordinate(old, value)
        elif old.row != value.row:
            self.refresh_row(old.row)
            self.refresh_row(value.row)
