"""Pick a role of one product, each shown with what it may do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.cells import clean
from tui.commands import bindings

if TYPE_CHECKING:
    from models.desk import Role  # annotations only: the desk is not loaded to draw


class RolePicker(ModalScreen[str | None]):
    BINDINGS = bindings("role_picker")

    def __init__(self, roles: Sequence[Role], current: str, who: str,
                 what: str = "Role") -> None:
        """`what` names the choice in the title ("Language" for a row's language chip)."""
        super().__init__()
        self.roles = tuple(roles)
        self.current = current
        self.who = who
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            who = clean(self.who)
            yield Label(f"{self.what} for {who}" if who else self.what,
                        classes="dialog-title", markup=False)
            options = []
            for role in self.roles:
                label = Text(f"{'● ' if role.name == self.current else '  '}{role.name}",
                             style="bold")
                label.append(f"  {role.meaning}", style="")
                options.append(Option(label, id=role.name))
            yield OptionList(*options, id="roles")

    def on_mount(self) -> None:
        roles = self.query_one("#roles", OptionList)
        names = [r.name for r in self.roles]
        roles.highlighted = names.index(self.current) if self.current in names else 0
        roles.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
