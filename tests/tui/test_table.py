"""Rows painted before their table measured them are painted again at the measured widths."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.cells import cell
from tui.fit import FitTable
from tui.panes.history import HistoryTable
from tui.table import Table


class One(App[None]):
    # Sized by its screen, as in the console: rows then do not resize the table (a resize
    # would clear the caches and hide the fault).
    CSS = "DataTable { height: 1fr; width: 1fr; }"

    def __init__(self, table: DataTable[Any]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


def line(table: DataTable[Any], y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def paint_between_add_and_measure(table: DataTable[Any]) -> str:
    async with One(table).run_test(size=(80, 8)) as pilot:
        if not table.columns:
            table.add_columns("When", "Who")
        await pilot.pause()
        table.add_row(cell("07 Jan 10:00"), cell("root · system"))
        line(table, 0), line(table, 1)  # a frame painted before the table is next idle (busy host)
        await pilot.pause()
        await pilot.pause()
        return line(table, 0) + "\n" + line(table, 1)


@pytest.mark.parametrize("make", [Table, FitTable])
async def test_rows_are_painted_again_at_their_measured_widths(make: Any) -> None:
    painted = await paint_between_add_and_measure(make())
    assert "When          Who" in painted
    assert "07 Jan 10:00  root · system" in painted


async def test_history_rows_are_painted_again_at_their_measured_widths() -> None:
    async with One(HistoryTable()).run_test(size=(80, 8)) as pilot:
        table = pilot.app.query_one(HistoryTable)
        await pilot.pause()
        table.add_row(cell("07 Jan 10:00"), cell("root · system"), cell("overdue"),
                      cell("dave@acme.example has not picked up the invitation"))
        line(table, 0)
        line(table, 1)
        await pilot.pause()
        await pilot.pause()
        assert "07 Jan 10:00  root · system  overdue" in line(table, 1)


async def test_the_plain_datatable_still_keeps_the_old_widths() -> None:
    """Textual's own table still shows the fault; when this fails, `Table` can go."""
    assert "07 …" in await paint_between_add_and_measure(DataTable())


def test_every_table_of_the_console_is_a_table() -> None:
    """A DataTable made directly would miss both fixes (the widths and the pointer)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "tui"
    made = re.compile(r"\bDataTable(\[[^\]]*\])?\(|class \w+\(DataTable\b")
    found = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py")
             if path.name != "table.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if made.search(line)]
    assert found == []
