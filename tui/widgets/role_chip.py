"""A row's role as one word; enter, space or a click opens the picker that says what each
role may do.

A Select per row mounts five widgets (and an option list) per address: a pasted list of
fifty was two seconds of mounting. This is one widget, and the picker exists once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from tui.commands import bindings
from tui.widgets.quiet import show

if TYPE_CHECKING:
    from models.desk import Role  # annotations only: the desk is not loaded to draw


class RoleChip(Static, can_focus=True):
    DEFAULT_CSS = """
    RoleChip { width: 17; height: 1; padding: 0 1; background: $boost; }
    RoleChip:focus { text-style: reverse; }
    """
    BINDINGS = bindings("role_chip")

    class Changed(Message):
        def __init__(self, chip: RoleChip, value: str) -> None:
            super().__init__()
            self.chip = chip
            self.value = value

        @property
        def control(self) -> RoleChip:
            return self.chip

    def __init__(self, roles: Sequence[Role], value: str, *,
                 who: Callable[[], str] = str, classes: str | None = None) -> None:
        """`who` names the person in the picker's title (the row's address as typed)."""
        super().__init__(self._label(value), classes=classes, markup=False)
        self.roles = tuple(roles)
        self.value = value
        self.who = who

    @staticmethod
    def _label(value: str) -> Text:
        return Text(f"{value} ▾", no_wrap=True, overflow="ellipsis")

    def set(self, roles: Sequence[Role], value: str) -> None:
        """New choices (another product); no Changed message."""
        self.roles = tuple(roles)
        self.value = value
        show(self, self._label(value))

    def choose(self, value: str | None) -> None:
        if value and value != self.value and value in (r.name for r in self.roles):
            self.value = value
            self.update(self._label(value))
            self.post_message(self.Changed(self, value))

    WHAT = "Role"  # the picker's title: "Role for <address>"

    def action_pick(self) -> None:
        from tui.screens.role_picker import RolePicker

        self.app.push_screen(RolePicker(self.roles, self.value, self.who(), self.WHAT),
                             self.choose)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        self.action_pick()


class LanguageChip(RoleChip, can_focus=False):
    """A row's language as its code ("de ▾"); the picker lists each by its own name. The
    choices are `Role`s named by code, meaning the language's name. Not a tab stop (tab goes
    address → role → next address, as before): a click or the rows' language key opens it."""

    DEFAULT_CSS = """
    LanguageChip { width: 9; }
    """
    WHAT = "Language"
