"""Textual's Footer, rebuilt only when the keys it shows change.

The stock Footer recomposes (a dozen FooterKey widgets mounted and styled) on every
bindings update: each focus move, tab switch and refresh_bindings, several times while a
screen opens. Here the updates of one refresh are coalesced, and nothing is rebuilt when
the keys, their labels and their enabled state are what the footer already shows.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _pending = False
    _showing: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    def keys_shown(self) -> tuple[Any, ...]:
        """What compose() would draw: each shown binding with its state and tooltip."""
        return (self.show_command_palette, self.compact, *(
            (b.key, b.key_display, b.description, b.action, b.group, enabled, tooltip)
            for _node, b, enabled, tooltip in self.screen.active_bindings.values()
            if b.show or b.action == "command_palette"))

    async def _rebuild_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        keys = self.keys_shown()
        if keys != self._showing:
            self._showing = keys
            await self.recompose()
