"""Static.update without the work a keystroke does not need.

Textual lays out the whole screen after `Static.update` (unless told not to) and after an
Input's text changes its scroll range: every key typed into the invite wizard paid up to
five layouts of every widget on the screen, two thirds of a keystroke's CPU. A widget
whose size its CSS fixes needs a repaint, not a layout, and the same text needs neither.
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


def show(static: Static, content: VisualType) -> None:
    """`static.update(content)`, skipped when it shows that already; laid out only when its
    size can follow its content (a width or height of `auto`)."""
    if static.content == content:
        return
    static.update(content, layout=static.styles.auto_dimensions)
