"""The Linux console (`TERM=linux`): the glyphs its font has, and a stand-in for ours that it
lacks.

The kernel's console font carries IBM code page 437 and little else (its Unicode table,
drivers/tty/vt/cp437.uni, is `CONSOLE_GLYPHS` below); anything outside it shows as a
square. The console's own status glyphs (✓ ◷ ● …), Textual's borders, tab bars, scroll bars
and the header's ⭘ are drawn with such characters, so on that terminal a line filter puts
the nearest glyph the font has in their place, each as wide as the one it replaces. Only
the characters in `FALLBACK` are touched: the text people typed (a client's name in Polish)
is shown as the font can.
"""

from __future__ import annotations

import os

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

# What the kernel's built-in console font can draw (cp437.uni): ASCII, code page 437's upper
# half, its dingbats in the control range, and the few aliases the table lists.
CONSOLE_GLYPHS = frozenset(
    "".join(map(chr, range(0x20, 0x7F)))
    + bytes(range(0x80, 0x100)).decode("cp437")
    + "☺☻♥♦◆♣♠•◘○◙♂♀♪♫☼¤▶►◀◄↕‼¶§▬↨↑↓→←∟↔▲▼⌂"
    + "¨\u00b4\u00b8\xadÀÁÂÃ©ÐÈÊËÌÍÎÏ\u212aÒÓÔÕ®ÙÚÛÝãõ\u00d7ý¦⎽\u212bß\u2126ðø\ufffd"
)

# Ours and Textual's, each to a glyph of the same width the console font has.
FALLBACK = {
    # status and marks (tui.cells, the wizards, the age bars)
    "●": "•", "○": "○", "◌": "·", "◔": "○", "◷": "!", "⚠": "!", "✓": "√", "✔": "√",
    "✗": "x", "✕": "x", "✖": "X", "↗": "→", "▾": "▼", "▸": "►", "▴": "▲", "◂": "◄",
    # punctuation
    "—": "-", "\u2013": "-", "“": '"', "”": '"', "\u2018": "'", "\u2019": "'", "…": "~",
    "⋯": "~",
    # partial blocks: bars, sparklines, scroll bars, tall and wide borders
    "▁": "_", "▂": "_", "▃": "▄", "▅": "▄", "▆": "█", "▇": "█", "▔": "▀",
    "▏": "│", "▎": "▌", "▍": "▌", "▋": "▌", "▊": "█", "▉": "█", "▕": "│",
    "▖": "▄", "▗": "▄", "▘": "▀", "▝": "▀", "▙": "█", "▛": "█", "▜": "█", "▟": "█",
    # heavy, dashed and round lines: borders and the tab bar's underline
    "━": "─", "╸": "─", "╺": "─", "╴": "─", "╶": "─", "┃": "│", "╍": "─", "╏": "│",
    "┏": "┌", "┓": "┐", "┗": "└", "┛": "┘", "╭": "┌", "╮": "┐", "╰": "└", "╯": "┘",
    # the header's icon, the palette's magnifier (two cells wide)
    "⭘": "O", "🔎": "> ",
}
_TABLE = str.maketrans({k: v for k, v in FALLBACK.items() if k != v})


def linux_console(term: str | None = None) -> bool:
    """Whether the terminal is the Linux virtual console (`TERM=linux`, `linux-16color`…)."""
    term = os.environ.get("TERM", "") if term is None else term
    return term == "linux" or term.startswith("linux-")


def for_console(text: str) -> str:
    return text if text.isascii() else text.translate(_TABLE)


class ConsoleGlyphs(LineFilter):
    """Puts the Linux console font's nearest glyph in place of each one in `FALLBACK`."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(for_console(text), style, None) for text, style, _ in segments]
