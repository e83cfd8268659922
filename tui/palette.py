"""Textual's command palette with the console's cursor blink.

Its search field is Textual's own Input, which blinks whatever `LICENSEDESK_BLINK` says: over
SSH that is a repaint twice a second for as long as the palette stays open.
"""

from __future__ import annotations

from textual.command import CommandInput, CommandPalette


class QuietPalette(CommandPalette):
    def on_mount(self) -> None:
        self.query_one(CommandInput).cursor_blink = bool(getattr(self.app, "blink", True))
