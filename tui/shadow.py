"""What the terminal shows, cell by cell, so a repaint writes only the cells that changed.

Textual repaints whole regions: focusing the filter rewrote every row of the Clients table
(14 KB over SSH for one key), a dialog's poll the whole screen under it. `Shadow` keeps the
cells last written and turns each compositor update into moves and runs of changed cells.
Cells it cannot vouch for (before the first paint, after a resize or a suspend) are unknown
and always written; the result on the terminal is the same as Textual's own output
(tests/tui/test_shadow.py renders both with pyte and compares every cell).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, split_graphemes
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.app import App

# A cell: its text ("" for the right half of a wide character) and style; None: unknown.
Cell = tuple[str, Style | None]
# Unchanged cells between two changed runs cheaper to write again than to jump over.
GAP = 6


def cells(segments: Iterable[Segment]) -> Iterator[Cell]:
    """The cells `segments` cover, left to right (control segments take none)."""
    last: Cell | None = None
    for text, style, control in segments:
        if control:
            continue
        if text.isascii() and text.isprintable():  # most cells: one character each
            if last is not None:
                yield last
                last = None
            if text:
                for char in text[:-1]:
                    yield (char, style)
                last = (text[-1], style)
            continue
        # A cell per grapheme, as Rich (and so Textual's layout) counts them: a ZWJ family
        # or a heart with VS16 is one wide cell, not one per code point.
        spans, _total = split_graphemes(text)
        for start, end, width in spans:
            cluster = text[start:end]
            if width == 0:  # a combining mark or a stray joiner belongs to the cell before
                if last is not None:
                    last = (last[0] + cluster, last[1])
                continue
            if last is not None:
                yield last
            last = (cluster, style)
            if width == 2:
                yield last
                last = ("", style)
    if last is not None:
        yield last


def _wide(text: str) -> bool:
    return cell_len(text) == 2


class Shadow:
    def __init__(self) -> None:
        self.width = self.height = 0
        self.lines: list[list[Cell | None]] = []
        self.blank: set[int] = set()  # lines with no cell known
        # Strips written whole to a blank line, made cells when the line is next changed:
        # the first frame (the one a start waits for) costs what Textual's own does.
        self.written: dict[int, list[tuple[int, list[Strip]]]] = {}

    def forget(self, width: int = 0, height: int = 0) -> None:
        """Nothing on the terminal is known any more (a resize, a suspend, a new start)."""
        self.width, self.height = width, height
        self.lines = [[None] * width for _ in range(height)]
        self.blank = set(range(height))
        self.written = {}

    def update(self, update: CompositorUpdate, color_system: ColorSystem,
               console: Console | None = None) -> str:
        """The terminal sequence for `update`, without the cells already showing.

        With `console`, lines where nothing is known are written as Textual writes them."""
        out: list[str] = []
        if console is not None and isinstance(update, LayoutUpdate):
            update = self._write_blank(update, console, out)
        for y, row in self._changes(update):
            if row and 0 <= y < self.height:
                if y in self.written:
                    self._settle(y)
                self._line(y, row, color_system, out)
                self.blank.discard(y)
        return "".join(out)

    def _write_blank(self, update: LayoutUpdate, console: Console,
                     out: list[str]) -> LayoutUpdate:
        """Write the lines of `update` that are blank here; the rest, to be compared."""
        x = update.region.x
        rest: list[Iterable[Strip]] = []
        for y, line in enumerate(update.strips, update.region.y):
            strips = list(line)
            if y in self.blank:
                out.append(f"\x1b[{y + 1};{x + 1}H")
                out.extend(strip.render(console) for strip in strips)
                self.written.setdefault(y, []).append((x, strips))
                self.blank.discard(y)
                strips = []  # nothing left to compare on this line
            rest.append(strips)
        return LayoutUpdate(rest, update.region)

    def _settle(self, y: int) -> None:
        """The cells of what `_write_blank` wrote on line `y`."""
        known = self.lines[y]
        for x, strips in self.written.pop(y):
            for strip in strips:
                for cell in cells(strip):
                    if 0 <= x < self.width:
                        known[x] = cell
                    x += 1

    def _changes(self, update: CompositorUpdate) -> Iterator[tuple[int, dict[int, Cell]]]:
        if isinstance(update, LayoutUpdate):
            for y, line in enumerate(update.strips, update.region.y):
                row: dict[int, Cell] = {}
                x = update.region.x
                for strip in line:
                    for cell in cells(strip):
                        row[x] = cell
                        x += 1
                yield y, row
        elif isinstance(update, ChopsUpdate):
            # As Textual writes a chop: from its start (even left of the span) up to the
            # span's end, a wide character cut there written as a space.
            for y, x1, x2 in update.spans:
                row = {}
                for (x, chop), end in zip(update.chops[y].items(), update.chop_ends[y],
                                          strict=False):
                    if chop is None or x > x2 or end <= x1:
                        continue
                    stop = min(end, x2)
                    for cell in cells(chop):
                        if x >= stop:
                            break
                        row[x] = cell
                        x += 1
                    if stop < end and row.get(stop - 1, ("", None))[0] != "" and \
                            _wide(row[stop - 1][0]):
                        row[stop - 1] = (" ", row[stop - 1][1])
                yield y, row
        else:  # an update we do not know: nothing on screen can be vouched for
            raise TypeError(type(update).__name__)

    def _line(self, y: int, row: dict[int, Cell], color_system: ColorSystem,
              out: list[str]) -> None:
        known, width = self.lines[y], self.width
        runs: list[list[int]] = []
        for x in sorted(row):
            if not 0 <= x < width or _same(known[x], row[x]):
                continue
            if runs:
                last = runs[-1]
                gap = x - last[1]
                if gap == 0 or (gap <= GAP and all(c in row for c in range(last[1], x))):
                    last[1] = x + 1
                    continue
            runs.append([x, x + 1])
        for start, end in runs:
            # Never begin or end inside a wide character: write it whole.
            while start > 0 and row.get(start, ("x", None))[0] == "" and start - 1 in row:
                start -= 1
            while end < width and end in row and row[end][0] == "":
                end += 1
            out.append(f"\x1b[{y + 1};{start + 1}H")
            out.append(_render([row[x] for x in range(start, end)], color_system))
            for x in range(start, end):
                known[x] = row[x]


def _same(known: Cell | None, cell: Cell) -> bool:
    # Styles compared by identity first: the compositor reuses them, and equality is a hash.
    return known is not None and known[0] == cell[0] and (
        known[1] is cell[1] or known[1] == cell[1])


def _render(run: list[Cell], color_system: ColorSystem) -> str:
    parts: list[str] = []
    text: list[str] = []
    style: Style | None = None
    for char, cell_style in run:
        if text and cell_style is not style and cell_style != style:
            parts.append(_styled("".join(text), style, color_system))
            text = []
        style = cell_style
        text.append(char)
    if text:
        parts.append(_styled("".join(text), style, color_system))
    return "".join(parts)


def _styled(text: str, style: Style | None, color_system: ColorSystem) -> str:
    return text if style is None else Strip.render_style(style, text, color_system)


def paint_changes(app: App[Any], shadow: Shadow, update: object) -> bool:
    """Write `update` to `app`'s terminal as changed cells only. False: not ours to write
    (no terminal, inline, batched, or not a compositor update): Textual's own path does."""
    driver = app._driver
    if (not isinstance(update, (LayoutUpdate, ChopsUpdate)) or driver is None
            or driver.is_inline or app.is_headless or app._batch_count
            or not app._running or app._closed):
        return False
    size = app.size
    if (shadow.width, shadow.height) != (size.width, size.height):
        shadow.forget(size.width, size.height)
    body = shadow.update(update, app.console._color_system or ColorSystem.TRUECOLOR,
                         app.console)
    cursor = app.screen.outer_size.clamp_offset(app.cursor_position)
    if body or cursor != app._previous_cursor_position:
        app._begin_update()
        try:
            driver.write(body + f"\x1b[{cursor.y + 1};{cursor.x + 1}H")
        finally:
            app._end_update()
        app._previous_cursor_position = cursor
        driver.flush()
    app.post_display_hook()
    return True
