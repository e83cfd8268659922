"""An Input for untrusted text: what a paste brings is cleaned before it is shown."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from models.text import display


class SafeInput(Input):
    """An Input that never holds control or bidi characters.

    Keys cannot type them, but a paste can; Input would paint them raw, and an escape
    sequence would reach the terminal. They are dropped as they arrive.

    Its cursor blinks as the app's `blink` says (the `LICENSEDESK_BLINK` setting, read once
    at start): the one place the console's text fields learn it.
    """

    def on_mount(self) -> None:
        blink = getattr(self.app, "blink", True)
        self.cursor_blink = bool(blink)

    def _on_paste(self, event: events.Paste) -> None:
        clean = display(event.text.splitlines()[0] if event.text.strip() else "")
        event.prevent_default()
        event.stop()
        if clean:
            self.insert_text_at_cursor(clean)

    def insert_text_at_cursor(self, text: str) -> None:
        super().insert_text_at_cursor(display(text))

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(display(text), start, end)
