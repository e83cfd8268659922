"""Untrusted text made safe to show: plain Text/Content, never markup, no control characters.

`models.text` is imported on first use: it pulls in email_validator, which the first frame
does not need.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.content import Content

_display = None

# Status is always a word and a glyph; colour (a theme class) only adds to it.
STATUS_GLYPH = {
    "pending": "○", "overdue": "◷", "accepted": "●", "active": "●", "expired": "◌",
    "revoked": "✕", "failed": "✖", "trial": "◔", "paid": "●",
}
STATUS_STYLE = {
    "overdue": "bold", "failed": "bold reverse", "revoked": "dim", "expired": "dim",
}


def clean(value: object) -> str:
    """Stored text with control and bidi characters removed (models.text.display)."""
    global _display
    if _display is None:
        from models.text import display

        _display = display
    return _display("" if value is None else str(value))


def clip(value: object, width: int) -> str:
    text = clean(value)
    if width > 1 and len(text) > width:
        return text[: width - 1] + "…"
    return text


def cell(value: object, width: int = 0, style: str = "") -> Text:
    """A table cell: a Rich Text built from a plain string, so `[` is just a bracket."""
    return Text(clip(value, width) if width else clean(value), style=style, no_wrap=True,
                overflow="ellipsis")


def content(value: object) -> Content:
    """For Static/Label/options: Content from a plain string, never parsed as markup."""
    return Content(clean(value))


def status(value: str) -> Text:
    glyph = STATUS_GLYPH.get(value, "·")
    return Text(f"{glyph} {value}", style=STATUS_STYLE.get(value, ""), no_wrap=True)


def when(value: datetime | None) -> str:
    return value.strftime("%d %b %H:%M") if value else "-"


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "-"


def number(value: int) -> str:
    return f"{value:,}"


def clean_lines(value: str) -> str:
    """Multi-line text (a mail body): each line cleaned, the line breaks kept."""
    return "\n".join(clean(line.expandtabs(4)) for line in value.splitlines())
