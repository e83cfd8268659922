"""What every full screen shares: header, footer, database work, `escape` clears then goes back."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from tui.work import DatabaseBack, DbWork


class BaseScreen(DbWork, Screen[Any]):
    BINDINGS = [Binding("escape", "back", "Back")]

    def on_mount(self) -> None:
        app: Any = self.app
        for field in self.query(Input):
            field.cursor_blink = app.blink
        self.watch(app, "ready", self._ready_changed)

    def _ready_changed(self, ready: bool) -> None:
        if ready:
            self.load()

    def load(self) -> None:
        """Fetch this screen's data (in a worker); called when the database is ready, and
        again when it answers after an outage."""

    @on(DatabaseBack)
    def _database_back(self) -> None:
        if getattr(self.app, "ready", False):
            self.load()

    def clear_filter(self) -> bool:
        """Clear this screen's filter if one is set; True when there was one."""
        return False

    def action_back(self) -> None:
        if self.clear_filter():
            return
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)
