"""What every full screen shares: header, footer, the desk, `escape` clears then goes back.

A screen names its place (`PLACE`, a key of `tui.commands.PLACES`); its keys and palette
entries are the commands declared for that place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import on
from textual.app import SystemCommand
from textual.screen import Screen

from tui import typeahead
from tui.commands import bindings, palette
from tui.exporting import ListExport
from tui.work import DatabaseBack


class BaseScreen(Screen[Any], ListExport):
    """`ListExport` (a DeskNode): ctrl+e exports what `export_kind()` says the screen shows."""

    BINDINGS = bindings("screens")
    PLACE: ClassVar[str] = ""

    def on_mount(self) -> None:
        self.watch(self.desk_app, "ready", self._ready_changed)

    def _ready_changed(self, ready: bool) -> None:
        if ready:
            # Keys typed while the first load runs act on what it shows (`tui.typeahead`).
            typeahead.hold_while(self, self.load)

    def load(self) -> None:
        """Fetch this screen's data (in a worker); called when the database is ready, and
        again when it answers after an outage."""

    @on(DatabaseBack)
    def _database_back(self) -> None:
        if self.ready:
            self.load()

    def reload_on_resume(self) -> None:
        """Back from a dialog or another screen: read again what may have changed there."""
        if self.ready:
            self.load()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This place's commands the palette offers, as far as `check_action` allows."""
        own = palette(self.PLACE, self) if self.PLACE else ()
        return [*own, *palette("screens", self)]

    def clear_filter(self) -> bool:
        """Clear this screen's filter if one is set; True when there was one."""
        return False

    def action_back(self) -> None:
        if self.clear_filter():
            return
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)
