"""An Input for untrusted text: what a paste brings is cleaned before it is shown."""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.widget import Widget
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

    def _watch_value(self, value: str) -> None:
        # Textual's watcher sets the field's scroll range (virtual_size), which lays out the
        # whole screen on every keystroke. A field its CSS sizes needs only a repaint; the
        # range itself must still follow the text, for the cursor to scroll into view.
        if not self.styles.auto_dimensions:
            size = Size(self.content_width, 1)
            if size != self.virtual_size:
                self.set_reactive(Widget.virtual_size, size)
                # What the layout did: a shorter text (ctrl+k, delete) scrolls back into range.
                if self.scroll_x > self.max_scroll_x:
                    self.scroll_to(x=self.max_scroll_x, animate=False, force=True,
                                   immediate=True)
                self.refresh()
        super()._watch_value(value)

    def _on_paste(self, event: events.Paste) -> None:
        """The first line that has text (a copied line often starts with a line break),
        cleaned, in place of the selection if there is one (as Input pastes)."""
        event.prevent_default()
        event.stop()
        lines = (display(line) for line in event.text.splitlines())
        clean = next((line for line in lines if line.strip()), "")
        if not clean:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(clean)
        else:
            self.replace(clean, *self.selection)

    def insert_text_at_cursor(self, text: str) -> None:
        super().insert_text_at_cursor(display(text))

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(display(text), start, end)
