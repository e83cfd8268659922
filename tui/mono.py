"""`NO_COLOR`: a console without colour, emphasis by reverse, bold and underline.

Textual answers `NO_COLOR` with its Monochrome filter, which turns every colour into a grey
and so still writes a colour code on nearly every cell. Here the colours are dropped
outright; what colour alone told (the cursor row, the highlighted option, the focused field)
is said with attributes instead: the design variables below and `mono.tcss` (its rules match
`:nocolor`, so they are inert when colour is on).
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.content import Content
from textual.filter import ANSIToTruecolor, LineFilter, Monochrome, NoColor

# Textual's design variables that colour alone would carry, as attributes.
VARIABLES = {
    "block-cursor-text-style": "reverse bold",       # the cursor of a focused list
    "block-cursor-blurred-text-style": "underline",  # …of one without focus
    "input-cursor-text-style": "reverse",
    "button-focus-text-style": "reverse bold",
}

# Textual's own answers to colour settings, replaced by ours when NO_COLOR is set.
TEXTUAL_COLOUR_FILTERS = (ANSIToTruecolor, Monochrome, NoColor)


@lru_cache(4096)
def without_colour(style: Style) -> Style:
    """The style's attributes, link and meta without any colour.

    Rich's `without_color` drops the meta, which holds the mouse targets (a table's row and
    column, `@click` actions), and renumbers the link: both are kept as they were, or a
    click would land nowhere and a hovered link would not light up."""
    if not (style._color or style._bgcolor):
        return style
    plain = style.without_color  # a fresh copy whenever there is a colour to drop
    plain._meta, plain._link_id = style._meta, style._link_id
    return plain


class NoColour(LineFilter):
    """Drops every colour; bold, dim, italic, underline, reverse and links stay."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        plain = without_colour
        return [Segment(text, None if style is None else plain(style), None)
                for text, style, _ in segments]


def blank_unticked_boxes() -> None:
    """A checkbox not ticked shows ▐ ▌ under NO_COLOR: Textual draws ▐X▌ either way and tells
    the two apart by the X's colour alone (and its styles for the mark drop reverse).
    Patched on the class, once; with colour the box is drawn as Textual draws it."""
    from textual.widgets import Checkbox
    from textual.widgets._toggle_button import ToggleButton

    if "_button" in Checkbox.__dict__:
        return
    drawn = ToggleButton._button

    def _button(self: Checkbox) -> Content:
        button: Content = drawn.fget(self)  # type: ignore[attr-defined]
        if self.value or not self.app.no_color:
            return button
        inner = len(self.BUTTON_INNER)
        return Content.assemble(button[:1], " " * inner, button[1 + inner:])

    Checkbox._button = property(_button)  # type: ignore[assignment]
