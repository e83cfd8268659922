"""Textual's Footer, rebuilt only when the keys it shows change, and showing whole keys only.

The stock Footer recomposes (a dozen FooterKey widgets mounted and styled) on every
bindings update: each focus move, tab switch and refresh_bindings, several times while a
screen opens. Here the updates of one refresh are coalesced, and nothing is rebuilt when
the keys, their labels and their enabled state are what the footer already shows.

In a narrow window the stock Footer lets its keys run under the palette key, which then
shows half a label. Here the keys that do not fit are hidden whole, the least needed first
(see `_rank`), and shown again when the window grows; the palette key always stays.
"""

from __future__ import annotations

from typing import Any

from textual.events import Resize
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE = "-command-palette"


def _rank(binding_id: str | None) -> int:
    """Lower is kept longer. Help first (it lists every other key), then the keys of the
    place itself, then Back (escape is known anyway), then the other everywhere-keys
    (Alerts: the header counts them). Ids are `where.action` (tui.commands)."""
    where, _, action = (binding_id or "").partition(".")
    if where == "console":
        return 0 if action == "help" else 3
    return 2 if where == "screens" else 1


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
            self._fit_keys()

    def on_resize(self, _event: Resize) -> None:
        self._fit_keys()

    def _fit_keys(self) -> None:
        """Show the most needed keys that fit beside the palette key, each whole."""
        keys = list(self.query(FooterKey))
        if not keys:
            return
        room = self.size.width or self.app.size.width
        ids = {(b.key, b.action): b.id for _n, b, _e, _t in self.screen.active_bindings.values()}
        palette = [k for k in keys if PALETTE in k.classes]
        room -= sum(self._width(k) for k in palette)
        order = sorted((k for k in keys if PALETTE not in k.classes),
                       key=lambda k: _rank(ids.get((k.key, k.action))))  # stable: as shown
        fitting = True
        for k in order:
            width = self._width(k)
            fitting = fitting and width <= room
            room -= width if fitting else 0
            k.display = fitting

    def _width(self, key: FooterKey) -> int:
        styles = key.styles
        wide = Size(self.app.size.width, 1)
        return key.get_content_width(wide, wide) + styles.gutter.width + styles.margin.width
