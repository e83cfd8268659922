"""A table of rows a person can mark with space and then act on: the marked rows, or the row
under the cursor when none is marked. Used by the Users tab, Needs attention and Alerts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from rich.text import Text
from textual.widgets.data_table import CellDoesNotExist

from tui.fit import FitTable

Row = TypeVar("Row")

MARK = "mark"  # the key of the ✓ column, for tables that show one


class MarkedTable(FitTable[object], Generic[Row]):
    """Rows kept by key beside the cells; `marked` holds the keys marked with space."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_key: dict[str, Row] = {}
        self.marked: set[str] = set()

    def add_mark_column(self) -> None:
        self.add_column("✓", key=MARK)

    def keep(self, rows: Iterable[tuple[str, Row]]) -> None:
        """The rows about to be shown, by key; marks of rows gone are dropped."""
        self.rows_by_key = dict(rows)
        self.marked &= set(self.rows_by_key)

    def mark_cell(self, key: str) -> Text:
        return Text("✓" if key in self.marked else " ", style="bold")

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None

    def current(self) -> Row | None:
        key = self.current_key()
        return self.rows_by_key.get(key) if key else None

    def toggle_mark(self) -> None:
        """Mark or unmark the row under the cursor, and move down one."""
        key = self.current_key()
        if key is None:
            return
        self.marked ^= {key}
        self.update_cell(key, MARK, self.mark_cell(key))
        if self.cursor_row < self.row_count - 1:
            self.move_cursor(row=self.cursor_row + 1)

    def clear_marks(self) -> bool:
        """Unmark every row; True when some were marked."""
        if not self.marked:
            return False
        for key in self.marked & set(self.rows_by_key):
            self.update_cell(key, MARK, Text(" ", style="bold"))
        self.marked.clear()
        return True

    def chosen(self) -> list[Row]:
        """The marked rows, or the row under the cursor when none is marked."""
        if self.marked:
            return [row for k, row in self.rows_by_key.items() if k in self.marked]
        row = self.current()
        return [row] if row is not None else []
