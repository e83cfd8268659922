"""Static.update without the work a keystroke does not need.

Textual lays out the whole screen after `Static.update` (unless told not to) and after an
Input's text changes its scroll range: every key typed into the invite wizard paid up to
five layouts of every widget on the screen, two thirds of a keystroke's CPU. A widget
whose size its CSS fixes needs a repaint, not a layout, and the same text needs neither.
"""

from __future__ import annotations

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static


def _look(content: object) -> tuple[object, ...] | None:
    """Everything that decides how a str or Text is drawn (rich's Text == ignores its
    style); None for other content, which is always drawn again."""
    if isinstance(content, str):
        return (str, content)
    if isinstance(content, Text):
        return (Text, content.plain, tuple(content.spans), content.style, content.justify,
                content.overflow, content.no_wrap, content.end)
    return None


def show(static: Static, content: VisualType) -> None:
    """`static.update(content)`, skipped when it shows that already; laid out only when its
    size can follow its content (a width or height of `auto`)."""
    look = _look(content)
    if look is not None and look == _look(static.content):
        return
    static.update(content, layout=static.styles.auto_dimensions)
