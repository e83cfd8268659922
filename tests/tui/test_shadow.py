"""The shadow screen writes fewer bytes, never a different picture: every sequence of
compositor updates, written by Textual itself and through `Shadow`, leaves the same cells on
a terminal (rendered with pyte: character, colours, bold, reverse, underline, per cell).

Frames are built as the compositor builds them: a chop carries its line of the new frame
whole, and outside the update's spans the new frame equals the old one.
"""

from __future__ import annotations

from typing import Any

import pyte
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from tui.shadow import Shadow, cells

W, H = 16, 5
SYSTEM = ColorSystem.EIGHT_BIT
# The nasty ones on purpose: wide (CJK, emoji), a combining accent, a box glyph, plain ASCII.
GLYPHS = ["a", "b", " ", "界", "🙂", "e\u0301", "█", "⚠", "…", "Z"]
STYLES = [None, Style(color="color(253)", bgcolor="color(234)"),
          Style(color="color(253)", bgcolor="color(23)", bold=True), Style(reverse=True),
          Style(underline=True, color="color(71)"), Style(bgcolor="color(234)")]


def _line(draw: Any) -> list[tuple[str, Style | None]]:
    """One line of W cells as (glyph, style) pieces; wide glyphs take two cells."""
    pieces: list[tuple[str, Style | None]] = []
    used = 0
    while used < W:
        glyph = draw(st.sampled_from(GLYPHS))
        width = 2 if glyph in ("界", "🙂") else 1
        if used + width > W or (used + width == W and glyph == "e\u0301"):
            # pyte (not a terminal) wraps before a combining mark in the last column
            glyph, width = " ", 1
        pieces.append((glyph, draw(st.sampled_from(STYLES))))
        used += width
    return pieces


def _strip(pieces: list[tuple[str, Style | None]]) -> Strip:
    segments: list[Segment] = []
    for glyph, style in pieces:
        if segments and segments[-1].style == style:
            segments[-1] = Segment(segments[-1].text + glyph, style)
        else:
            segments.append(Segment(glyph, style))
    return Strip(segments)


def _split(pieces: list[tuple[str, Style | None]], at: int) -> tuple[list[Any], list[Any]]:
    """Pieces before and from cell `at` (moved right past a wide glyph it would cut)."""
    x = 0
    for i, (glyph, _style) in enumerate(pieces):
        if x >= at:
            return pieces[:i], pieces[i:]
        x += 2 if glyph in ("界", "🙂") else 1
    return pieces, []


@st.composite
def updates(draw: Any) -> list[Any]:
    frame = [_line(draw) for _ in range(H)]
    # The first paint: the whole screen, or some lines only (the rest stays unknown).
    top = draw(st.integers(0, H - 1)) if draw(st.booleans()) else 0
    out: list[Any] = [LayoutUpdate([[_strip(line)] for line in frame[top:]],
                                   Region(0, top, W, H - top))]
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):  # a layout update of a region (a widget repainted whole)
            y0 = draw(st.integers(0, H - 1))
            rows = draw(st.integers(1, H - y0))
            for y in range(y0, y0 + rows):
                frame[y] = _line(draw)
            out.append(LayoutUpdate([[_strip(frame[y])] for y in range(y0, y0 + rows)],
                                    Region(0, y0, W, rows)))
            continue
        spans, chops, ends = [], [], []
        for y in range(H):
            changed = draw(st.booleans())
            if changed:
                frame[y] = _line(draw)
                x1 = draw(st.integers(0, W - 1))
                x2 = draw(st.integers(x1 + 1, W))
                if any(glyph == "e\u0301" for glyph, _ in frame[y]):
                    # Textual's crop at a span's end drops a combining mark that belongs to
                    # the last cell (the shadow keeps it): only whole lines here.
                    x2 = W
                spans.append((y, x1, x2))
            # The line in chops: the whole new line, cut in two chops at a random cell.
            left, right = _split(frame[y], draw(st.integers(0, W)))
            line_chops: dict[int, Strip | None] = {}
            line_ends: list[int] = []
            x = 0
            for part in (left, right):
                if part:
                    strip = _strip(part)
                    line_chops[x] = strip
                    x += strip.cell_length
                    line_ends.append(x)
            chops.append(line_chops)
            ends.append(line_ends)
        if spans:
            out.append(ChopsUpdate(chops, spans, ends))
    return out


def _screen() -> tuple[pyte.Screen, pyte.Stream]:
    screen = pyte.Screen(W, H)
    return screen, pyte.Stream(screen)


def _cells(screen: pyte.Screen) -> list[list[Any]]:
    return [[screen.buffer[y][x] for x in range(W)] for y in range(H)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(updates(), st.booleans())
def test_the_terminal_shows_what_textual_would_have_written(steps: list[Any],
                                                            blank_as_textual: bool) -> None:
    """`blank_as_textual`: lines where nothing is known are written as Textual writes them
    (the console's way) and made cells only when next changed."""
    console = Console(color_system="256", width=W, height=H, legacy_windows=False)
    plain, plain_stream = _screen()
    shadowed, shadow_stream = _screen()
    shadow = Shadow()
    shadow.forget(W, H)
    for update in steps:
        plain_stream.feed(update.render_segments(console))
        shadow_stream.feed(shadow.update(update, SYSTEM, console if blank_as_textual else None))
        assert _cells(shadowed) == _cells(plain)


@pytest.mark.parametrize("blank_as_textual", [False, True])
def test_a_repaint_of_what_shows_writes_nothing(blank_as_textual: bool) -> None:
    console = Console(color_system="256", width=W, height=H, legacy_windows=False)
    given = console if blank_as_textual else None
    frame = [[_strip([("a", STYLES[1])] * W)] for _ in range(H)]
    shadow = Shadow()
    shadow.forget(W, H)
    first = shadow.update(LayoutUpdate(frame, Region(0, 0, W, H)), SYSTEM, given)
    assert first.count("a") == W * H
    assert shadow.update(LayoutUpdate(frame, Region(0, 0, W, H)), SYSTEM, given) == ""


def test_one_changed_cell_writes_that_cell() -> None:
    shadow = Shadow()
    shadow.forget(W, H)
    lines = [[("a", STYLES[1])] * W for _ in range(H)]
    shadow.update(LayoutUpdate([[_strip(line)] for line in lines], Region(0, 0, W, H)),
                  SYSTEM)
    lines[2][5] = ("b", STYLES[1])
    out = shadow.update(LayoutUpdate([[_strip(line)] for line in lines], Region(0, 0, W, H)),
                        SYSTEM)
    assert out.startswith("\x1b[3;6H") and out.count("b") == 1 and "a" not in out


def test_forget_writes_everything_again() -> None:
    frame = [[_strip([("a", None)] * W)] for _ in range(H)]
    shadow = Shadow()
    shadow.forget(W, H)
    shadow.update(LayoutUpdate(frame, Region(0, 0, W, H)), SYSTEM)
    shadow.forget(W, H)
    assert shadow.update(LayoutUpdate(frame, Region(0, 0, W, H)), SYSTEM).count("a") == W * H


def test_cells_of_wide_and_combining_text() -> None:
    assert list(cells([Segment("a界e\u0301", None)])) == [
        ("a", None), ("界", None), ("", None), ("e\u0301", None)]


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"


def test_cells_of_graphemes_as_rich_counts_them() -> None:
    # Rich (Textual's layout) counts a ZWJ family and a heart with VS16 as one wide cell
    # each; counting code points drifted the copy off the terminal (found by attack).
    assert list(cells([Segment(f"A{FAMILY}B\u2764\ufe0f", None)])) == [
        ("A", None), (FAMILY, None), ("", None), ("B", None), ("\u2764\ufe0f", None),
        ("", None)]


@given(st.lists(st.sampled_from(
    ["a", "界", "\u200d", "\ufe0f", "\u0301", "\u2764", "\U0001f468", "\U0001f469",
     "\u200b", "\u05d0", "\u0627", "\uff21", "\U0001f1fa\U0001f1f8", " "]), max_size=12))
def test_as_many_cells_as_rich_measures(pieces: list[str]) -> None:
    from rich.cells import cell_len, split_graphemes

    text = "".join(pieces)
    # Rich disagrees with itself on junk such as a leading joiner ("\u200da": its graphemes
    # say 1 cell, cell_len 0): Textual's own layout is off there too; not ours to settle.
    assume(split_graphemes(text)[1] == cell_len(text))
    assert len(list(cells([Segment(text, None)]))) == cell_len(text)
