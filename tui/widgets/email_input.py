"""An address field for the rows editor: a pasted list becomes several rows, and a typed
separator starts the next row without losing keys typed ahead."""

from __future__ import annotations

import re
from typing import Any

from textual import events
from textual.message import Message

from models.text import printable
from tui.widgets.safe_input import SafeInput

_LIST_SEPARATORS = re.compile(r"[,;\r\n]+")
_ANGLE = re.compile(r"<([^<>]*)>")
# Spaces and tabs part words; the control characters Python also counts as white space
# (\x0b, \x0c, \x1c-\x1f, \x85, \u2028, \u2029) stay in the address, to be shown and refused.
_SPACES = re.compile(r"(?:(?![\x0b\x0c\x1c-\x1f\x85\u2028\u2029])\s)+")
_EDGES = re.compile(rf"^{_SPACES.pattern}|{_SPACES.pattern}$")


def split_addresses(text: str) -> list[str]:
    """Addresses in a pasted list: one per line, or comma/semicolon separated.

    `Name <addr>` keeps the address; words without the brackets stay as typed, so a bad
    piece becomes a row marked invalid instead of vanishing.
    """
    found: list[str] = []
    for piece in _LIST_SEPARATORS.split(text):
        bracketed = _ANGLE.findall(piece)
        words = bracketed if bracketed else _SPACES.split(piece)
        found.extend(w for w in (_EDGES.sub("", w) for w in words) if w)
    return found

class EmailInput(SafeInput):
    """An address field: a pasted list becomes several rows, a typed `,` or `;` a new row.

    Keys already on their way here when a separator was typed belong to the next row: they
    are held, then handed to the field that took over, so fast typing loses nothing.
    """

    class ListPasted(Message):
        def __init__(self, field: EmailInput, addresses: list[str]) -> None:
            super().__init__()
            self.field = field
            self.addresses = addresses

    class Next(Message):
        """Enter, `,` or `;` typed: go to the next row; `finished` when this row was empty."""

        def __init__(self, field: EmailInput, finished: bool) -> None:
            super().__init__()
            self.field = field
            self.finished = finished

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[str] | None = None
        self._successor: EmailInput | None = None

    def hand_over(self, successor: EmailInput) -> None:
        """`successor` now takes what is typed after the separator (this field itself when
        it now edits the next row)."""
        held, self._held = self._held or [], None
        if successor is not self:
            self._successor = successor
        for key in held:
            successor.feed(key)

    def feed(self, key: str) -> None:
        """One typed key (a character or "enter"), routed to where it belongs."""
        if self._held is not None:
            self._held.append(key)
        elif self._successor is not None:
            self._successor.feed(key)
        elif key == "enter" or key in ",;":
            finished = not self.value.strip()
            if not finished:
                self._held = []
            self.post_message(self.Next(self, finished))
        elif not (key.isspace() and not self.value):
            self.insert_text_at_cursor(key)

    def _on_focus(self, event: events.Focus) -> None:
        self._successor = None

    async def _on_key(self, event: events.Key) -> None:
        key = "enter" if event.key == "enter" else event.character
        if key is None or not (key == "enter" or event.is_printable):
            return
        if key == "enter" or key in ",;" or self._held is not None or self._successor:
            event.prevent_default()
            event.stop()
            self.feed(key)

    def _on_paste(self, event: events.Paste) -> None:
        addresses = split_addresses(event.text)
        if len(addresses) > 1 or _LIST_SEPARATORS.search(event.text.strip()):
            event.prevent_default()
            event.stop()
            self.post_message(self.ListPasted(self, [printable(a) for a in addresses]))
        elif addresses:
            # A control character shown as its escape (`jo\x08hn@…`), so the desk refuses
            # the address where it was pasted; dropped, it would make another valid one.
            event.prevent_default()
            event.stop()
            self.insert_text_at_cursor(printable(addresses[0]))
        else:
            super()._on_paste(event)
