"""Table columns fitted to the table's width, again whenever the width or the cells change.

DataTable sizes a column to the widest cell it has held since it was made and never gives
the room back, so a table laid out in a wide window keeps its widths when the window
shrinks, and its last columns slip behind a scrollbar. Here each column says how it gives
way: a text column shrinks (its cells end in "…") down to `least`, and when shrinking is not
enough whole columns are cut, lowest `keep` first, the one that matters most never. The
widths depend only on the table's width and its cells, so a window that grows back gets the
layout a fresh start at that size has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text, TextType
from textual.events import Resize
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, Column, ColumnKey, RowKey

from tui.table import Table

ALWAYS = 1_000_000  # a `keep` for a column never cut (the ✓ marks, the unread dot)


@dataclass(frozen=True)
class Col:
    label: str
    key: str | None = None
    keep: int = ALWAYS     # columns are cut lowest first; ties: the rightmost first
    least: int | None = None  # a text column's narrowest useful width; None: never shrinks


@dataclass
class FitColumn(Column):
    """A column that can be cut: it then takes no room at all (not even its padding)."""

    cut: bool = False

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        return 0 if self.cut else super().get_render_width(data_table)


class Abbrev:
    """A cell with a short form, shown once its column is narrower than the full one (a
    role "Administrator" as "Admin", a date without its time). The column's natural width
    is the full form's, so a wide window shows it whole again."""

    __slots__ = ("full", "short")

    def __init__(self, full: Text, short: Text) -> None:
        self.full, self.short = full, short

    @property
    def plain(self) -> str:
        return self.full.plain

    def __str__(self) -> str:
        return self.full.plain

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.short.cell_len, self.full.cell_len)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.full if self.full.cell_len <= options.max_width else self.short


def fit_widths(natural: list[int], least: list[int | None], keep: list[int], room: int,
               pad: int) -> list[int | None]:
    """Each column's content width, None where it is cut, for `room` cells in all (every
    shown column also takes `pad`). Columns give way lowest `keep` first (ties: the
    rightmost first): the text columns shrink down to `least`, and only when all are down
    is a column cut, the others then getting their room back. Columns kept ALWAYS, and the
    one with the highest `keep`, are never cut."""
    n = len(natural)
    order = sorted(range(n), key=lambda i: (keep[i], -i))
    cuttable = [i for i in order if keep[i] < ALWAYS][:-1]  # the last matters most
    for cuts in range(len(cuttable) + 1):
        gone = set(cuttable[:cuts])
        widths = [0 if i in gone else natural[i] for i in range(n)]
        over = sum(widths[i] + pad for i in range(n) if i not in gone) - room
        for i in order:
            if over <= 0:
                break
            floor = least[i]
            if i not in gone and floor is not None and widths[i] > floor:
                take = min(over, widths[i] - floor)
                widths[i] -= take
                over -= take
        if over <= 0:
            break
    return [None if i in gone else widths[i] for i in range(n)]


class FitTable(Table[CellType]):
    """A DataTable whose columns follow its width (see the module's words)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cols: dict[ColumnKey, Col] = {}
        self._fixed: dict[ColumnKey, int] = {}  # columns added with a width of their own
        self._fitted: tuple[Any, ...] | None = None

    def add_column(self, label: TextType, *, width: int | None = None, key: str | None = None,
                   default: CellType | None = None) -> ColumnKey:
        if isinstance(label, str):  # our own words, never markup; "…" where a column shrinks
            label = Text(label, no_wrap=True, overflow="ellipsis")
        column_key = super().add_column(label, width=width, key=key, default=default)
        made = self.columns[column_key]
        self.columns[column_key] = FitColumn(made.key, made.label, made.width,
                                             made.content_width, made.auto_width)
        self._cols.setdefault(column_key, Col(str(made.label), key))
        if width is not None:
            self._fixed[column_key] = width
        return column_key

    def add_fit_columns(self, *cols: Col) -> list[ColumnKey]:
        keys = []
        for col in cols:
            column_key = self.add_column(col.label, key=col.key)
            self._cols[column_key] = col
            keys.append(column_key)
        return keys

    def clear(self, columns: bool = False) -> FitTable[CellType]:
        super().clear(columns)
        if columns:
            self._cols.clear()
            self._fixed.clear()
        # The widths of the rows gone go with them (DataTable keeps its widest ever).
        for column in self.columns.values():
            column.content_width = column.label.cell_len
        self._fitted = None
        return self

    def on_resize(self, _event: Resize) -> None:
        self.refit()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # DataTable measures new cells here (when idle after rows or cells changed); the
        # widths follow what it found. This and the two private names in refit() are
        # Textual 8's (pyproject.toml allows 8.x only); tests/tui/test_resize.py would notice.
        super()._update_dimensions(new_rows)
        self.refit()

    def fit_before_layout(self, width: int) -> None:
        """Measure the rows added and fit the columns to `width` (the table's, as the caller
        knows it) before the table's first layout: its first frame is then its final one."""
        if self.size.width <= 0:
            self.measure_now()
            self.refit(width)

    def refit(self, before_layout: int = 0) -> None:
        """Fit the columns to the width now, when it or the widest cells changed
        (`before_layout`: the width to fit while the table has none yet)."""
        room = self.size.width or before_layout
        if not self.columns or room <= 0:
            return
        if self.virtual_size.height > self.size.height:  # the rows need a scrollbar
            room -= self.styles.scrollbar_size_vertical
        columns = self.ordered_columns
        natural = [self._fixed.get(c.key, c.content_width) for c in columns]
        fitted = (room, self.cell_padding, *natural)
        if fitted == self._fitted:
            return
        self._fitted = fitted
        specs = [self._cols.get(c.key, Col("")) for c in columns]
        widths = fit_widths(natural, [s.least for s in specs], [s.keep for s in specs], room,
                            2 * self.cell_padding)
        changed = False
        for column, width in zip(columns, widths, strict=True):
            assert isinstance(column, FitColumn)
            shape = (width is None, 0 if width is None else width, False)
            if (column.cut, column.width, column.auto_width) != shape:
                column.cut, column.width, column.auto_width = shape
                changed = True
        if changed:
            # Rendered cells are cached by position, not width; the scroll size follows the
            # widths (both are DataTable's own, as its resize and idle handlers use them).
            self._clear_caches()
            self._require_update_dimensions = True
            self.check_idle()
