"""Rows of the rows editor drawn line by line: the rows without the focus, laid out as the
`RowEditor` lays out the one with it (the same `columns`), so a row looks the same drawn or
edited. One widget for any number of rows: a pasted list appends to a list and repaints once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.cells import clean
from tui.widgets.invite_row import InviteRow

GLYPH, ROLE, LANG, MIN_EMAIL, MAX_EMAIL = 2, 17, 9, 24, 44
PLACEHOLDER = "name@example.com"
MESSAGE_INDENT = 2
MEANING_INDENT = 2


@dataclass(frozen=True)
class Columns:
    """The cells of a row's first line, left to right (a 1-cell gap before each chip)."""

    email: int
    meaning: int
    languages: bool

    def parts(self) -> list[tuple[str, int, int]]:
        """(part, first cell, width) of each part that can be clicked."""
        found = [("glyph", 0, GLYPH), ("address", GLYPH, self.email)]
        x = GLYPH + self.email + 1
        found.append(("role", x, ROLE))
        if self.languages:
            x += ROLE + 1
            found.append(("lang", x, LANG))
        return found


def columns(width: int, languages: bool) -> Columns:
    """As 2fr (24 to 44 cells) for the address and 3fr for the meaning would share `width`."""
    rest = max(0, width - GLYPH - 1 - ROLE - (1 + LANG if languages else 0))
    email = min(MAX_EMAIL, max(MIN_EMAIL, rest * 2 // 5))
    return Columns(email, max(0, rest - email), languages)


def fit(text: str, width: int, ellipsis: bool = True) -> str:
    """`text` in exactly `width` cells: padded, or cut (with … when `ellipsis`)."""
    if width <= 0:
        return ""
    if ellipsis and cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def message_lines(message: str, width: int) -> list[str]:
    """The verdict under a row, wrapped as a Static `padding-left: 2` wraps it."""
    if not message:
        return []
    return [line.plain for line in Content(message).wrap(max(1, width - MESSAGE_INDENT))]


class RowsView(Widget):
    """Draws `rows` (set by `show`); a click says which row and part (`Clicked`)."""

    DEFAULT_CSS = """
    RowsView { height: auto; }
    RowsView > .rows-view--address { background: $surface; color: $foreground; }
    RowsView > .rows-view--placeholder { background: $surface; color: $text-disabled; }
    RowsView > .rows-view--chip { background: $boost; }
    RowsView > .rows-view--meaning { color: $text-muted; }
    RowsView > .rows-view--ok { color: $success; }
    RowsView > .rows-view--problem, RowsView > .rows-view--message { color: $error; }
    RowsView:ansi > .rows-view--address, RowsView:ansi > .rows-view--placeholder {
        background: ansi_default; color: ansi_default;
    }
    RowsView:ansi > .rows-view--placeholder { text-style: dim; }
    RowsView:nocolor > .rows-view--address { text-style: underline; }
    RowsView:nocolor > .rows-view--placeholder { text-style: dim; }
    """
    COMPONENT_CLASSES = {
        "rows-view--address", "rows-view--placeholder", "rows-view--chip",
        "rows-view--meaning", "rows-view--ok", "rows-view--problem", "rows-view--message",
    }

    class Clicked(Message):
        def __init__(self, row: InviteRow, part: str) -> None:
            super().__init__()
            self.row = row
            self.part = part  # "glyph", "address", "role", "lang", "meaning" or "message"

    def __init__(self, meaning: Callable[[InviteRow], str],
                 language: Callable[[InviteRow], str | None], *, id: str | None = None) -> None:
        """`meaning`: a row's role's meaning; `language`: the code its chip shows (None: no
        language chip)."""
        super().__init__(id=id)
        self._meaning = meaning
        self._language = language
        self._rows: list[InviteRow] = []
        self._index: list[tuple[InviteRow, int]] = []  # each line: its row, its line in it
        self._index_width = -1

    @property
    def rows(self) -> list[InviteRow]:
        return self._rows

    def show(self, rows: Sequence[InviteRow]) -> None:
        """Draw these rows (or the same rows changed)."""
        width = self.size.width
        before = len(self._index) if self._index_width == width else -1
        self._rows = list(rows)
        self._index_width = -1
        # A layout is of the whole screen: only when the number of lines moves.
        self.refresh(layout=before != len(self._lines(width)))

    def _lines(self, width: int) -> list[tuple[InviteRow, int]]:
        if width != self._index_width:
            self._index = [(row, k) for row in self._rows
                           for k in range(1 + len(message_lines(row.message, width)))]
            self._index_width = width
        return self._index

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def _columns(self, width: int) -> Columns:
        languages = bool(self._rows) and self._language(self._rows[0]) is not None
        return columns(width, languages)

    def parts(self, row: InviteRow, width: int | None = None) -> dict[str, str]:
        """What is drawn for `row`, part by part, as plain text (what a test reads)."""
        width = self.size.width if width is None else width
        language = self._language(row)
        return {
            "glyph": row.glyph,
            "address": clean(row.value),
            "role": f"{row.role} ▾",
            "lang": f"{language} ▾" if language is not None else "",
            "meaning": clean(self._meaning(row)),
            "message": " ".join(message_lines(row.message, width)),
        }

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self._lines(width)
        base = self.rich_style
        if y >= len(lines):
            return Strip.blank(width, base)
        row, k = lines[y]
        if k:
            text = message_lines(row.message, width)[k - 1]
            strip = Strip([Segment(" " * MESSAGE_INDENT, base),
                           Segment(text, base + self._style("message"))])
        else:
            strip = Strip(self._first_line(row, width, base))
        return strip.adjust_cell_length(width, base)

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"rows-view--{part}")

    def _first_line(self, row: InviteRow, width: int, base: Style) -> list[Segment]:
        cols = self._columns(width)
        glyph = row.glyph
        state = "" if row.outcome is None else ("ok" if row.outcome.ok else "problem")
        address = clean(row.value)
        field = self._style("address" if address else "placeholder")
        chip = base + self._style("chip")
        segments = [
            Segment(fit(glyph, GLYPH, ellipsis=False), base + self._style(state) if state
                    else base),
            Segment(fit(address or PLACEHOLDER, cols.email, ellipsis=False), base + field),
            Segment(" ", base),
            Segment(" " + fit(f"{row.role} ▾", ROLE - 2) + " ", chip),
        ]
        language = self._language(row)
        if language is not None:
            segments += [Segment(" ", base), Segment(" " + fit(f"{language} ▾", LANG - 2)
                                                     + " ", chip)]
        segments += [Segment(" " * min(MEANING_INDENT, cols.meaning), base),
                     Segment(fit(clean(self._meaning(row)), cols.meaning - MEANING_INDENT),
                             base + self._style("meaning"))]
        return segments

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        lines = self._lines(self.size.width)
        if offset is None or not 0 <= offset.y < len(lines):
            return
        event.stop()
        row, k = lines[offset.y]
        part = "message" if k else "meaning"
        for name, x, width in self._columns(self.size.width).parts():
            if x <= offset.x < x + width:
                part = name
        self.post_message(self.Clicked(row, part))
